import { errorForLog, isAppError } from '../errors.js';
import type { InboundMail, IngestResult } from './ingest-message.js';
import type { Logger, Quarantine } from './ports.js';

export type ReplayResult =
  | { readonly id: number; readonly ok: true; readonly outcome: IngestResult['outcome']; readonly ticketNumber: number | null }
  | { readonly id: number; readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

export interface ReplayDeps {
  readonly quarantine: Quarantine;
  readonly ingest: (mail: InboundMail) => Promise<IngestResult>;
  readonly now: () => Date;
  readonly log: Logger;
}

/**
 * Runs ingest again on a quarantined mail's kept source (after a fix or a
 * config change). On success the entry goes; on failure it stays, with the new
 * error and one more replay attempt. A mail that was stored meanwhile comes
 * back as a duplicate, and its entry goes too.
 */
export async function replayQuarantined(deps: ReplayDeps, id: number): Promise<ReplayResult> {
  const found = await deps.quarantine.source(id);
  if (!found) return { id, ok: false, error: { code: 'NOT_FOUND', message: `no quarantined message ${id}` } };
  const { entry, raw } = found;
  try {
    const result = await deps.ingest({ mailbox: entry.mailbox, uid: entry.uid, source: raw, size: entry.size });
    await deps.quarantine.release(id);
    deps.log.info({ quarantineId: id, mailbox: entry.mailbox, uid: entry.uid, ticket: result.ticketNumber, outcome: result.outcome }, 'quarantined message replayed');
    return { id, ok: true, outcome: result.outcome, ticketNumber: result.ticketNumber };
  } catch (err) {
    const logged = errorForLog(err);
    const error = { code: isAppError(err) ? err.code : (logged.code ?? 'INTERNAL'), message: logged.message };
    // An outage says nothing about the mail: only a failure of its own counts as a failed replay.
    if (!(isAppError(err) && err.retryable)) await deps.quarantine.replayFailed(id, error, deps.now());
    deps.log.warn({ quarantineId: id, mailbox: entry.mailbox, uid: entry.uid, error }, 'quarantined message failed again; it stays in the quarantine');
    return { id, ok: false, error };
  }
}
