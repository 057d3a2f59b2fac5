import { openDatabase } from '../adapters/db/client.js';
import { formatBytes } from '../adapters/http/present.js';
import { createPurgeStore } from '../adapters/db/purge.js';
import { formatDuration } from '../domain/duration.js';
import { loadConfigOrThrow, readEnvironment } from '../environment.js';
import { createLogger } from '../logging.js';
import { PURGE_REASONS, purgeExpired, type PurgeBatchReport, type PurgeCounts, type PurgeReport } from '../usecases/purge.js';
import type { Config } from '../config/schema.js';

export interface PurgeCliOptions {
  readonly dryRun?: boolean;
  readonly config?: string;
  readonly json?: boolean;
}

/**
 * `helpdesk purge`: tickets past `retention` deleted for good, a batch per
 * transaction. Ctrl-C ends it after the batch in hand (exit 130); the same
 * command goes on from there. `--dry-run` counts what would go.
 */
export async function runPurge(opts: PurgeCliOptions): Promise<void> {
  // The use case logs JSON lines; stdout carries the progress and the summary, so its log speaks only when asked.
  const log = createLogger(process.env.LOG_LEVEL || 'warn', process.stderr);
  const environment = readEnvironment(opts.config);
  const config = await loadConfigOrThrow(environment);
  const database = openDatabase(environment.databaseUrl, { max: 2 });
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('\nstopping after the batch in hand; run the same command again to go on\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (!opts.json) console.log(`${opts.dryRun ? 'dry run' : 'purging'} under ${formatRetention(config.retention)}`);
    const report = await purgeExpired(
      { purge: createPurgeStore(database.db), config: () => config, now: () => new Date(), log },
      { dryRun: opts.dryRun, stopping: () => stopping, onBatch: opts.json ? undefined : (batch) => console.log(formatBatch(batch)) },
    );
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatPurgeReport(report));
    if (report.stopped) process.exitCode = 130;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await database.close();
  }
}

/** `retention: deleted 30d, spam 30d, closed 730d` (`kept` for a null). */
export function formatRetention(retention: Config['retention']): string {
  return `retention: ${PURGE_REASONS.map((r) => `${r} ${retention[r] === null ? 'kept' : formatDuration(retention[r])}`).join(', ')}`;
}

/** `batch 3: 500 closed tickets (#1042 … #1873): 2210 messages, …`. */
export function formatBatch(b: PurgeBatchReport): string {
  const numbers = b.numbers.length === 1 ? `#${b.numbers[0]}` : `#${Math.min(...b.numbers)} … #${Math.max(...b.numbers)}`;
  return `batch ${b.batch}: ${b.tickets} ${b.reason} ${plural(b.tickets, 'ticket')} (${numbers}): ${formatCounts(b, false)}`;
}

export function formatPurgeReport(r: PurgeReport): string {
  const lines = PURGE_REASONS.filter((reason) => r.byReason[reason].tickets > 0).map(
    (reason) => `  ${reason.padEnd(8)} ${r.byReason[reason].tickets} ${plural(r.byReason[reason].tickets, 'ticket')}: ${formatCounts(r.byReason[reason], false)}`,
  );
  const head = r.dryRun
    ? `dry run, nothing deleted: would purge ${r.total.tickets} ${plural(r.total.tickets, 'ticket')}`
    : r.stopped
      ? `purge stopped after ${r.batches} ${plural(r.batches, 'batch', 'batches')}: ${r.total.tickets} ${plural(r.total.tickets, 'ticket')} purged; run the same command again to go on`
      : `purge done: ${r.total.tickets} ${plural(r.total.tickets, 'ticket')} purged in ${r.batches} ${plural(r.batches, 'batch', 'batches')}`;
  if (r.total.tickets === 0) return r.dryRun ? 'dry run: nothing is due' : `${head}; nothing ${r.stopped ? 'was purged' : 'was due'}`;
  return [`${head}:`, ...lines, `  total    ${formatCounts(r.total, true)}`].join('\n');
}

function formatCounts(c: PurgeCounts, withTickets: boolean): string {
  const parts = [
    ...(withTickets ? [`${c.tickets} ${plural(c.tickets, 'ticket')}`] : []),
    ...(c.merged > 0 ? [`${c.merged} merged into them`] : []),
    `${c.messages} ${plural(c.messages, 'message')} (${formatBytes(c.sourceBytes)} of sources)`,
    `${c.events} ${plural(c.events, 'event')}`,
    `${c.participants} ${plural(c.participants, 'participant')}`,
    `${c.attachments} ${plural(c.attachments, 'attachment')}`,
    `${c.blobs} attachment ${plural(c.blobs, 'file')} freed (${formatBytes(c.blobBytes)})`,
    `${c.contacts} ${plural(c.contacts, 'contact')}`,
  ];
  return parts.join(', ');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}

