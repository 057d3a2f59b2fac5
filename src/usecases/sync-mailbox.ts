import { isAppError } from '../errors.js';
import type { InboundMail, IngestResult } from './ingest-message.js';
import type { Logger, MailboxSession, MailboxStateStore } from './ports.js';

export interface SyncDeps {
  readonly mailbox: string;
  readonly state: MailboxStateStore;
  readonly ingest: (mail: InboundMail) => Promise<IngestResult>;
  readonly log: Logger;
  readonly maxMessageBytes: number;
  /** Failed attempts per UID, kept by the caller across syncs. */
  readonly failures: Map<number, number>;
  /** A message that fails this often for a reason other than an outage is skipped (left unflagged). */
  readonly maxAttempts?: number;
  /** Messages fetched per round trip. */
  readonly batchSize?: number;
}

export interface SyncReport {
  readonly processed: number;
  readonly created: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly lastUid: number;
}

const BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Brings a mailbox up to date: every message above the stored UID is ingested,
 * then flagged (or moved), then the resume point advances. A crash anywhere
 * re-fetches from the last saved UID; ingest's duplicate check makes that safe.
 * An outage (database unavailable) stops the sync with the error, after saving
 * what was done; the caller retries.
 */
export async function syncMailbox(session: MailboxSession, deps: SyncDeps): Promise<SyncReport> {
  let lastUid = await resumePoint(session, deps);
  const pending = await session.listNewMessages(lastUid);
  const counts = { processed: 0, created: 0, duplicates: 0, skipped: 0 };
  if (pending.length > 0) deps.log.info({ mailbox: deps.mailbox, pending: pending.length, afterUid: lastUid }, 'new messages');

  for (const batch of batches(pending, deps.batchSize ?? 25)) {
    const sources = await session.fetchSources(batch.map((m) => m.uid), deps.maxMessageBytes);
    const done: number[] = [];
    let advanceTo = lastUid;
    let stopWith: { error: unknown } | null = null;
    for (const message of sources) {
      const step = await ingestOne(deps, message);
      if (step.kind === 'stop') {
        stopWith = step;
        break;
      }
      advanceTo = message.uid;
      if (step.kind === 'skip') {
        counts.skipped++;
        continue;
      }
      done.push(message.uid);
      counts.processed++;
      if (step.result.outcome === 'created') counts.created++;
      if (step.result.outcome === 'duplicate') counts.duplicates++;
    }
    if (done.length > 0) await session.markProcessed(done);
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

type Step = { kind: 'done'; result: IngestResult } | { kind: 'stop'; error: unknown } | { kind: 'skip' };

async function ingestOne(deps: SyncDeps, message: { uid: number; size: number; source: Buffer }): Promise<Step> {
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
    if (isAppError(err) && err.retryable) return { kind: 'stop', error: err };
    const attempts = (deps.failures.get(message.uid) ?? 0) + 1;
    deps.failures.set(message.uid, attempts);
    if (attempts < (deps.maxAttempts ?? 3)) {
      log.error({ mailbox, uid: message.uid, attempts, err }, 'message could not be stored; will retry');
      return { kind: 'stop', error: err };
    }
    deps.failures.delete(message.uid);
    log.error({ mailbox, uid: message.uid, attempts, err }, 'message skipped after repeated failures; it stays unflagged on the server');
    return { kind: 'skip' };
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
