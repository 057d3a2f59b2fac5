import { errorForLog, isAppError } from '../errors.js';
import type { InboundMail, IngestResult } from './ingest-message.js';
import type { Logger, MailboxSession, MailboxStateStore, Quarantine } from './ports.js';

export interface SyncDeps {
  readonly mailbox: string;
  readonly state: MailboxStateStore;
  readonly ingest: (mail: InboundMail) => Promise<IngestResult>;
  readonly quarantine: Pick<Quarantine, 'hold'>;
  readonly log: Logger;
  readonly now: () => Date;
  readonly maxMessageBytes: number;
  /** Failed attempts per UID, kept by the caller across syncs. */
  readonly failures: Map<number, number>;
  /** A message that fails this often for a reason of its own goes to the quarantine. */
  readonly maxAttempts: number;
  /** Messages fetched per round trip. */
  readonly batchSize?: number;
  /** Checked between messages: a stopping daemon finishes the mail in hand, then stops. */
  readonly stopping?: () => boolean;
}

export interface SyncReport {
  readonly processed: number;
  readonly created: number;
  readonly duplicates: number;
  readonly quarantined: number;
  readonly lastUid: number;
}

const BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Brings a mailbox up to date: every message above the stored UID is ingested,
 * then flagged (or moved), then the resume point advances. A crash anywhere
 * re-fetches from the last saved UID; ingest's duplicate check makes that safe.
 *
 * Nothing is passed over (I6): an outage (database unavailable, read-only,
 * busy, refusing us) stops the sync with the error after saving what was done,
 * and never counts against a mail; the caller retries. A mail that fails
 * `maxAttempts` times for a reason of its own is kept in the quarantine with
 * its source before the resume point moves past it.
 */
export async function syncMailbox(session: MailboxSession, deps: SyncDeps): Promise<SyncReport> {
  let lastUid = await resumePoint(session, deps);
  const pending = await session.listNewMessages(lastUid);
  const counts = { processed: 0, created: 0, duplicates: 0, quarantined: 0 };
  if (pending.length > 0) deps.log.info({ mailbox: deps.mailbox, pending: pending.length, afterUid: lastUid }, 'new messages');

  for (const batch of batches(pending, deps.batchSize ?? 25)) {
    if (deps.stopping?.()) break;
    const sources = await session.fetchSources(batch.map((m) => m.uid), deps.maxMessageBytes);
    const done: number[] = [];
    const held: number[] = [];
    let advanceTo = lastUid;
    let stopWith: { error: unknown } | null = null;
    for (const message of sources) {
      if (deps.stopping?.()) break;
      const step = await ingestOne(deps, session.uidValidity, message);
      if (step.kind === 'stop') {
        stopWith = step;
        break;
      }
      advanceTo = message.uid;
      if (step.kind === 'quarantined') {
        held.push(message.uid);
        counts.quarantined++;
        continue;
      }
      done.push(message.uid);
      counts.processed++;
      if (step.result.outcome === 'created') counts.created++;
      if (step.result.outcome === 'duplicate') counts.duplicates++;
    }
    if (done.length > 0) await session.markProcessed(done);
    if (held.length > 0) await session.markQuarantined(held);
    if (advanceTo > lastUid) {
      lastUid = advanceTo;
      await deps.state.write(deps.mailbox, { uidValidity: session.uidValidity, lastUid });
    }
    if (stopWith) throw stopWith.error;
  }
  return { ...counts, lastUid };
}

async function resumePoint(session: MailboxSession, deps: SyncDeps): Promise<number> {
  const state = await deps.state.read(deps.mailbox);
  if (state && state.uidValidity === session.uidValidity) return state.lastUid;
  if (state) {
    deps.log.warn(
      { mailbox: deps.mailbox, oldUidValidity: String(state.uidValidity), uidValidity: String(session.uidValidity) },
      'UIDVALIDITY changed: re-reading the whole folder; messages already stored are skipped',
    );
  }
  await deps.state.write(deps.mailbox, { uidValidity: session.uidValidity, lastUid: 0 });
  deps.failures.clear();
  return 0;
}

type Step = { kind: 'done'; result: IngestResult } | { kind: 'stop'; error: unknown } | { kind: 'quarantined' };

async function ingestOne(deps: SyncDeps, uidValidity: bigint, message: { uid: number; size: number; source: Buffer }): Promise<Step> {
  const { mailbox, log } = deps;
  try {
    const result = await deps.ingest({ mailbox, uid: message.uid, source: message.source, size: message.size });
    deps.failures.delete(message.uid);
    log.info(
      {
        mailbox,
        uid: message.uid,
        messageId: result.messageId,
        ticket: result.ticketNumber,
        outcome: result.outcome,
        kind: result.kind,
        via: result.via,
        ...(result.parseError ? { parseError: result.parseError } : {}),
        ...(result.truncated ? { truncated: true, size: message.size } : {}),
      },
      'message ingested',
    );
    return { kind: 'done', result };
  } catch (err) {
    // An outage is the service's fault, never the mail's: the sync pauses and the same mail is tried again.
    if (isAppError(err) && err.retryable) return { kind: 'stop', error: err };
    return failedAttempt(deps, uidValidity, message, err);
  }
}

async function failedAttempt(deps: SyncDeps, uidValidity: bigint, message: { uid: number; size: number; source: Buffer }, err: unknown): Promise<Step> {
  const { mailbox, log } = deps;
  const error = errorForLog(err);
  const attempts = (deps.failures.get(message.uid) ?? 0) + 1;
  deps.failures.set(message.uid, attempts);
  if (attempts < deps.maxAttempts) {
    log.error({ mailbox, uid: message.uid, attempts, error }, 'message could not be stored; will retry');
    return { kind: 'stop', error: err };
  }
  const errorCode = isAppError(err) ? err.code : (error.code ?? 'INTERNAL');
  try {
    const id = await deps.quarantine.hold(
      { mailbox, uidValidity, uid: message.uid, size: message.size, raw: message.source, errorCode, errorMessage: error.message, attempts },
      deps.now(),
    );
    deps.failures.delete(message.uid);
    log.error(
      { mailbox, uid: message.uid, attempts, quarantineId: id, error },
      'message quarantined after repeated failures (helpdesk mail failed lists it, helpdesk mail replay retries it)',
    );
    return { kind: 'quarantined' };
  } catch (holdError) {
    log.error({ mailbox, uid: message.uid, error: errorForLog(holdError) }, 'could not keep the message in the quarantine; will retry');
    return { kind: 'stop', error: holdError };
  }
}

function* batches<T extends { size: number }>(items: readonly T[], maxCount: number): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (batch.length > 0 && (batch.length >= maxCount || bytes + item.size > BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += item.size;
  }
  if (batch.length > 0) yield batch;
}
