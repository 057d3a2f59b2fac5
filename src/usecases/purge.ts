import type { Config } from '../config/schema.js';
import { isAppError } from '../errors.js';
import type { Logger } from './ports.js';

/**
 * The end of a ticket's life (`retention`): tickets due for good are deleted
 * with everything that is theirs, in batches of one transaction each, so a
 * purge stopped anywhere (Ctrl-C, a crash, a shutdown) has deleted whole
 * batches only and the next run goes on from there. A dry run counts the same
 * due set and deletes nothing.
 */

/** Why a ticket goes, in the order the purge takes them: a ticket due for several reasons counts under the first. */
export const PURGE_REASONS = ['deleted', 'spam', 'closed'] as const;
export type PurgeReason = (typeof PURGE_REASONS)[number];

/** Per reason, the instant before which a ticket is due (null: that reason keeps tickets forever). */
export type PurgeCutoffs = Readonly<Record<PurgeReason, Date | null>>;

/** What a purge deletes (or, in a dry run, would delete). */
export interface PurgeCounts {
  /** Tickets, the merged stubs among them included. */
  readonly tickets: number;
  /** Of those, tickets merged into a purged one (they go with it). */
  readonly merged: number;
  readonly messages: number;
  readonly events: number;
  readonly participants: number;
  readonly attachments: number;
  /** Attachment contents (stored once per sha256) no remaining attachment uses. */
  readonly blobs: number;
  readonly blobBytes: number;
  /** Bytes of the messages' raw sources. */
  readonly sourceBytes: number;
  /** Contacts (addresses, names) no remaining ticket or participant uses. */
  readonly contacts: number;
}

/** One committed batch: its counts and the numbers of the tickets it deleted. */
export interface PurgedBatch extends PurgeCounts {
  readonly numbers: readonly number[];
}

/** Where the tickets are deleted: Postgres (adapters/db/purge.ts). */
export interface PurgeStore {
  /**
   * Deletes, in one transaction, up to `limit` tickets due for `reason`
   * (oldest first, none that is locked or still has mail waiting to be sent)
   * with the tickets merged into them and all their rows; then the blobs and
   * contacts nothing else uses. All zeros when none is due.
   */
  purgeBatch(reason: PurgeReason, cutoff: Date, limit: number): Promise<PurgedBatch>;
  /** What purging now would delete, by reason, computed from the same due set; deletes nothing. */
  preview(cutoffs: PurgeCutoffs): Promise<Readonly<Record<PurgeReason, PurgeCounts>>>;
}

export interface PurgeDeps {
  readonly purge: PurgeStore;
  readonly config: () => Config;
  readonly now: () => Date;
  readonly log: Logger;
}

export interface PurgeOptions {
  /** Count what would go; delete nothing. */
  readonly dryRun?: boolean;
  /** Tickets per transaction (default 500). */
  readonly batchSize?: number;
  /** Asked before each batch: true ends the run after the batch in hand. */
  readonly stopping?: () => boolean;
  /** Told after each committed batch. */
  readonly onBatch?: (batch: PurgeBatchReport) => void;
}

export interface PurgeBatchReport extends PurgedBatch {
  readonly reason: PurgeReason;
  /** 1, 2, … within this run. */
  readonly batch: number;
}

export interface PurgeReport {
  readonly dryRun: boolean;
  /** Stopped when told to, before every due ticket was purged: run again to go on. */
  readonly stopped: boolean;
  readonly batches: number;
  readonly cutoffs: PurgeCutoffs;
  readonly byReason: Readonly<Record<PurgeReason, PurgeCounts>>;
  readonly total: PurgeCounts;
}

export const PURGE_BATCH = 500;
/** A batch that fails for a passing reason (a deadlock with an ingest, a dropped connection) is tried this often. */
const BATCH_ATTEMPTS = 3;

export const NO_COUNTS: PurgeCounts = Object.freeze({
  tickets: 0,
  merged: 0,
  messages: 0,
  events: 0,
  participants: 0,
  attachments: 0,
  blobs: 0,
  blobBytes: 0,
  sourceBytes: 0,
  contacts: 0,
});

/** The cutoffs of `retention` at `now`. */
export function purgeCutoffs(retention: Config['retention'], now: Date): PurgeCutoffs {
  const before = (ms: number | null) => (ms === null ? null : new Date(now.getTime() - ms));
  return { deleted: before(retention.deleted), spam: before(retention.spam), closed: before(retention.closed) };
}

/**
 * Purges every ticket due under `retention` — soft-deleted ones first, then
 * spam, then closed — batch by batch until none is due or `stopping` says so.
 * Logs each batch and a summary with the counts.
 */
export async function purgeExpired(deps: PurgeDeps, options: PurgeOptions = {}): Promise<PurgeReport> {
  const cutoffs = purgeCutoffs(deps.config().retention, deps.now());
  if (options.dryRun) {
    const byReason = await deps.purge.preview(cutoffs);
    const report = { dryRun: true, stopped: false, batches: 0, cutoffs, byReason, total: sumCounts(PURGE_REASONS.map((r) => byReason[r])) };
    deps.log.info(summaryFields(report), 'purge dry run: nothing deleted');
    return report;
  }
  const byReason: Record<PurgeReason, PurgeCounts> = { deleted: NO_COUNTS, spam: NO_COUNTS, closed: NO_COUNTS };
  let batches = 0;
  let stopped = false;
  for (const reason of PURGE_REASONS) {
    const cutoff = cutoffs[reason];
    while (cutoff !== null && !stopped) {
      if (options.stopping?.()) {
        stopped = true;
        break;
      }
      const purged = await batchWithRetry(deps, reason, cutoff, options.batchSize ?? PURGE_BATCH);
      if (purged.tickets === 0) break;
      batches++;
      byReason[reason] = sumCounts([byReason[reason], purged]);
      const batch: PurgeBatchReport = { ...purged, reason, batch: batches };
      deps.log.info({ ...batch, cutoff: cutoff.toISOString() }, 'purged a batch of tickets');
      options.onBatch?.(batch);
    }
  }
  const report = { dryRun: false, stopped, batches, cutoffs, byReason, total: sumCounts(PURGE_REASONS.map((r) => byReason[r])) };
  // Nothing due is the usual case of the scheduled job: one line an hour saying so would be noise.
  if (batches > 0 || stopped) deps.log.info(summaryFields(report), stopped ? 'purge stopped; the next run goes on' : 'purge done');
  else deps.log.debug(summaryFields(report), 'purge: nothing due');
  return report;
}

async function batchWithRetry(deps: PurgeDeps, reason: PurgeReason, cutoff: Date, limit: number): Promise<PurgedBatch> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.purge.purgeBatch(reason, cutoff, limit);
    } catch (err) {
      if (!isAppError(err) || !err.retryable || attempt >= BATCH_ATTEMPTS) throw err;
      deps.log.warn({ reason, attempt, error: { code: err.code, message: err.message } }, 'purge batch failed and was rolled back; trying again');
    }
  }
}

export function sumCounts(list: readonly PurgeCounts[]): PurgeCounts {
  const total: Record<keyof PurgeCounts, number> = { ...NO_COUNTS };
  for (const counts of list) for (const key of Object.keys(total) as (keyof PurgeCounts)[]) total[key] += counts[key];
  return total;
}

function summaryFields(report: PurgeReport): object {
  const cutoffs = Object.fromEntries(PURGE_REASONS.map((r) => [r, report.cutoffs[r]?.toISOString() ?? null]));
  return { ...report.total, byReason: report.byReason, batches: report.batches, stopped: report.stopped, dryRun: report.dryRun, cutoffs };
}
