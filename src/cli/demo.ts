export interface DemoSendOptions {
  readonly from?: string;
  readonly body?: string;
}

/** `helpdesk demo send SUBJECT`: a customer mail into the running demo's support mailbox. */
export async function runDemoSend(subject: string, opts: DemoSendOptions): Promise<void> {
  void subject;
  void opts;
  throw new Error('not built yet');
}
