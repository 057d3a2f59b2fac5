export interface ImportOptions {
  readonly mailbox: string;
  readonly folder?: string;
  readonly since?: Date;
  readonly config?: string;
}

/** `helpdesk import`: a backlog of a mailbox's folder into tickets, quietly, resumable. */
export async function runImport(opts: ImportOptions): Promise<void> {
  void opts;
  throw new Error('not built yet');
}
