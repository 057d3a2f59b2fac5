import { errorForLog, isAppError } from '../errors.js';
import type { InboundMail, IngestResult, PreparedMail } from './ingest-message.js';
import type { Logger, MailboxSession, MailboxState, MailboxStateStore, Quarantine } from './ports.js';

/** What the first sync of a mailbox does with the mail already in its folder (`imap.existingMail`). */
export type ExistingMail = 'import' | 'ingest' | 'skip';

export interface SyncDeps {
  readonly mailbox: string;
  readonly state: MailboxStateStore;
  readonly ingest: (mail: InboundMail) => Promise<IngestResult>;
  /**
   * Group commit: each fetched batch is prepared (parsed in worker threads,
   * the next batch while this one is stored) and stored in one transaction.
   * A batch that fails for a reason of its own is ingested again one mail at
   * a time, so the mail at fault is found and counted. Without these, one
   * mail per transaction.
   */
  readonly group?: {
    readonly prepare: (mail: InboundMail) => Promise<PreparedMail>;
    readonly commit: (mails: readonly PreparedMail[]) => Promise<IngestResult[]>;
  };
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
  /** Mail already in the folder at the first start; default `ingest`. */
  readonly existingMail?: ExistingMail;
  /** Every mail is old mail (a backlog import): stored, nobody mailed. */
  readonly allExisting?: boolean;
  /** Where the resume point is kept; default the mailbox's name. */
  readonly stateKey?: string;
  /** Told how many messages this sync found to do. */
  readonly onPending?: (count: number) => void;
  /** Told of every mail done (duplicates of mail stored before included), with its arrival on the server when known. */
  readonly onIngested?: (mail: { readonly uid: number; readonly arrivedAt: Date | null }, result: IngestResult) => void;
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
  const resume = await resumePoint(session, deps);
  let lastUid = resume.lastUid;
  const pending = await session.listNewMessages(lastUid);
  const existingUpTo = deps.allExisting ? Number.MAX_SAFE_INTEGER : (resume.existingUpTo ?? 0);
  deps.onPending?.(pending.length);
  const counts = { processed: 0, created: 0, duplicates: 0, quarantined: 0 };
  if (pending.length > 0) deps.log.info({ mailbox: deps.mailbox, pending: pending.length, afterUid: lastUid }, 'new messages');

  const all = [...batches(pending, deps.batchSize ?? 25)];
  let next = all.length > 0 ? load(session, deps, all[0]!, existingUpTo) : null;
  for (let i = 0; i < all.length; i++) {
    if (deps.stopping?.()) break;
    const loaded = await next!;
    // The next batch is fetched and parsed while this one is stored.
    next = i + 1 < all.length && !deps.stopping?.() ? load(session, deps, all[i + 1]!, existingUpTo) : null;
    if ('error' in loaded) {
      void next?.catch(() => undefined);
      throw loaded.error;
    }
    const done: number[] = [];
    const held: number[] = [];
    let advanceTo = lastUid;
    let stopWith: { error: unknown } | null = null;
    const together = loaded.prepared ? await commitTogether(deps, loaded.prepared) : null;
    if (together?.kind === 'stop') stopWith = together;
    for (const [index, message] of loaded.sources.entries()) {
      if (stopWith || (!together && deps.stopping?.())) break;
      const step: Step = together?.kind === 'done' ? { kind: 'done', result: together.results[index]! } : await ingestOne(deps, session.uidValidity, message, existingUpTo);
      if (together?.kind === 'done') logIngested(deps, message, together.results[index]!);
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
      await deps.state.write(stateKey(deps), { uidValidity: session.uidValidity, lastUid });
    }
    if (stopWith) {
      void next?.catch(() => undefined);
      throw stopWith.error;
    }
  }
  return { ...counts, lastUid };
}

async function resumePoint(session: MailboxSession, deps: SyncDeps): Promise<MailboxState> {
  const state = await deps.state.read(stateKey(deps));
  if (state && state.uidValidity === session.uidValidity) return state;
  deps.failures.clear();
  if (state) {
    deps.log.warn(
      { mailbox: deps.mailbox, oldUidValidity: String(state.uidValidity), uidValidity: String(session.uidValidity) },
      'UIDVALIDITY changed: re-reading the whole folder; messages already stored are skipped',
    );
    const reread = { uidValidity: session.uidValidity, lastUid: 0, existingUpTo: 0 };
    await deps.state.write(stateKey(deps), reread);
    return reread;
  }
  if (deps.allExisting) {
    const fresh = { uidValidity: session.uidValidity, lastUid: 0 };
    await deps.state.write(stateKey(deps), fresh);
    return fresh;
  }
  return firstStart(session, deps);
}

/**
 * The first sync of a mailbox: what is in the folder already was there
 * before the daemon. Its highest UID is kept, so that a restart in the middle
 * of importing it still knows which mail is old.
 */
async function firstStart(session: MailboxSession, deps: SyncDeps): Promise<MailboxState> {
  const mode = deps.existingMail ?? 'ingest';
  const present = await session.listNewMessages(0);
  const highest = present.at(-1)?.uid ?? 0;
  const state: MailboxState = {
    uidValidity: session.uidValidity,
    lastUid: mode === 'skip' ? highest : 0,
    existingUpTo: mode === 'import' ? highest : 0,
  };
  await deps.state.write(stateKey(deps), state);
  if (present.length > 0) {
    const what = {
      import: 'importing them as tickets without acknowledging or notifying anyone',
      ingest: 'taking them as new mail (acknowledgements and notifications go out)',
      skip: 'leaving them alone; only mail arriving from now on becomes tickets',
    }[mode];
    deps.log.info({ mailbox: deps.mailbox, existingMail: mode, messages: present.length, upToUid: highest }, `first start: ${present.length} messages already in the folder; ${what}`);
  }
  return state;
}

function stateKey(deps: SyncDeps): string {
  return deps.stateKey ?? deps.mailbox;
}

type Step = { kind: 'done'; result: IngestResult } | { kind: 'stop'; error: unknown } | { kind: 'quarantined' };

type Source = { uid: number; size: number; source: Buffer; arrivedAt?: Date | null };

function inboundMail(deps: SyncDeps, message: Source, existingUpTo: number): InboundMail {
  const mail = { mailbox: deps.mailbox, uid: message.uid, source: message.source, size: message.size };
  return message.uid <= existingUpTo ? { ...mail, existing: true } : mail;
}

/** A batch fetched and, with group commit, prepared; or why the server could not give it. */
async function load(
  session: MailboxSession,
  deps: SyncDeps,
  batch: readonly { uid: number }[],
  existingUpTo: number,
): Promise<{ sources: Source[]; prepared: PreparedMail[] | null } | { error: unknown }> {
  let sources: Source[];
  try {
    sources = await session.fetchSources(batch.map((m) => m.uid), deps.maxMessageBytes);
  } catch (error) {
    return { error };
  }
  if (!deps.group) return { sources, prepared: null };
  try {
    const prepared = await Promise.all(sources.map((m) => deps.group!.prepare(inboundMail(deps, m, existingUpTo))));
    return { sources, prepared };
  } catch {
    // Ingested one at a time instead, where the mail at fault is found.
    return { sources, prepared: null };
  }
}

/**
 * The batch in one transaction. An outage stops the sync (nothing counts
 * against the mails); any other failure leaves the batch to be ingested one
 * mail at a time (null), where the mail at fault is counted.
 */
async function commitTogether(deps: SyncDeps, prepared: readonly PreparedMail[]): Promise<{ kind: 'done'; results: IngestResult[] } | { kind: 'stop'; error: unknown } | null> {
  try {
    const results = await deps.group!.commit(prepared);
    for (const p of prepared) deps.failures.delete(p.inbound.mail.uid);
    return { kind: 'done', results };
  } catch (err) {
    if (isAppError(err) && err.retryable) return { kind: 'stop', error: err };
    deps.log.warn({ mailbox: deps.mailbox, mails: prepared.length, error: errorForLog(err) }, 'a batch could not be stored together; storing its mails one at a time');
    return null;
  }
}

async function ingestOne(deps: SyncDeps, uidValidity: bigint, message: Source, existingUpTo: number): Promise<Step> {
  try {
    const result = await deps.ingest(inboundMail(deps, message, existingUpTo));
    deps.failures.delete(message.uid);
    logIngested(deps, message, result);
    return { kind: 'done', result };
  } catch (err) {
    // An outage is the service's fault, never the mail's: the sync pauses and the same mail is tried again.
    if (isAppError(err) && err.retryable) return { kind: 'stop', error: err };
    return failedAttempt(deps, uidValidity, message, err);
  }
}

function logIngested(deps: SyncDeps, message: Source, result: IngestResult): void {
  deps.onIngested?.({ uid: message.uid, arrivedAt: message.arrivedAt ?? null }, result);
  deps.log.info(
    {
      mailbox: deps.mailbox,
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
