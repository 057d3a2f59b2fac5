/**
 * Many mailboxes on one daemon: 200 Dovecot users in one config, the daemon
 * as a process of its own (`node dist/src/cli.js start`, as in rss.ts). Times
 * start-up until all are watching, reads VmRSS next to the same daemon
 * watching one mailbox, and times new mail → ticket row the way step 6 does
 * (APPEND done → row visible, Postgres polled every 5 ms), on the one-mailbox
 * daemon and then once per mailbox on the 200-mailbox one; then a burst of
 * one mail to every mailbox at once. Runs alone with
 * `npm run build && node --import tsx bench/many-mailboxes.ts`.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDovecot, type Dovecot } from '../test/support/dovecot.js';
import { round } from './baseline.js';
import { percentiles, type Percentiles } from './daemon-runs.js';
import { deliverToAll, ensureInotifyInstances, idleSessions, openAppenders, probeOnce } from './dovecot-probes.js';
import { assertDaemonBuilt, memoryOf, spawnDaemonChild, type DaemonChild } from './rss.js';
import {
  Cleanup,
  closeImap,
  createBenchDatabase,
  deleteRedisKeys,
  errorText,
  imapClient,
  pollUntil,
  REDIS_URL,
  sleep,
  startSink,
  uniqueQueuePrefix,
  withDeadline,
  type BenchDatabase,
} from './services.js';

export interface ManyMailboxesOptions {
  /** Mailboxes (Dovecot users) on the one daemon. */
  readonly count: number;
  /** Probes on the one-mailbox daemon, for the latency to compare with. */
  readonly singleProbes: number;
  readonly namespace: string;
}

/** One daemon process's start and memory. */
export interface DaemonReadings {
  readonly mailboxes: number;
  /** spawn → every mailbox logged `watching mailbox`. */
  readonly startMs: number;
  /** spawn → every mailbox's session in IDLE (Dovecot's process titles, polled every 100 ms). */
  readonly allIdleMs: number;
  /** VmRSS (MB), the median of READINGS readings READING_GAP_MS apart, SETTLE_MS after every session was in IDLE. */
  readonly rssMb: number;
  readonly rssReadingsMb: readonly number[];
}

export interface ProbeLatency extends Percentiles {
  /** Whether every probe started with the target mailbox's daemon session seen in IDLE (Dovecot's process title). */
  readonly idleVerified: boolean;
}

export interface ManyMailboxesResult {
  readonly count: number;
  /** `imapLogins.perServer` in force (the default). */
  readonly loginsPerServer: number;
  /** The same daemon watching one mailbox (a user of its own); `rssAfterMailMb` after its probes. */
  readonly single: DaemonReadings & { readonly latency: ProbeLatency; readonly rssAfterMailMb: number };
  readonly many: DaemonReadings & {
    /** One probe per mailbox, one at a time, each to the next mailbox. */
    readonly latency: ProbeLatency;
    /** One more mail to every mailbox at once, delivered into the Maildirs as an MTA does; delivery done → ticket row. */
    readonly burst: Percentiles & { readonly mails: number; readonly allStoredMs: number };
    /** VmRSS (settled, as rssMb) after the probes; after the burst too, and VmHWM then. */
    readonly rssAfterMailMb: number;
    readonly rssAfterBurstMb: number;
    readonly peakMb: number;
    /** The daemon's log lines (info and up) by message, and its warnings. */
    readonly logLines: Record<string, number>;
    readonly warnings: Record<string, number>;
    readonly exitCode: number | null;
  };
  /**
   * (many.rssMb − single.rssMb) ÷ (count − 1), both read idle before any mail
   * (no parser threads started yet in either).
   */
  readonly rssPerMailboxMb: number;
  /** The same after each daemon's probes (parser threads started in both): a second reading of the same figure. */
  readonly rssPerMailboxAfterMailMb: number;
  /** many.latency.p95Ms − single.latency.p95Ms. */
  readonly latencyP95OverSingleMs: number;
  readonly loadAverage: { readonly start: number[]; readonly end: number[] };
  /** fs.inotify.max_user_instances before the section and while it ran (see ensureInotifyInstances). */
  readonly inotifyMaxUserInstances: { readonly before: number; readonly during: number };
}

const LOGINS_PER_SERVER_DEFAULT = 8;
const SETTLE_MS = 10_000;
const READINGS = 5;
const READING_GAP_MS = 1_000;
/** inotify instances left for the other Dovecot instances on this machine (other test runs) beside ours. */
const INOTIFY_HEADROOM = 256;
/** Users logged in ahead for the probes, a batch at a time. */
const PROBE_BATCH = 25;

/** Runs the section against `dovecot`: a one-mailbox daemon, then a `count`-mailbox one, each on a fresh database. */
export async function benchManyMailboxes(
  dovecot: Dovecot,
  options: ManyMailboxesOptions,
  cleanup: Cleanup,
  step: (text: string) => void,
): Promise<ManyMailboxesResult> {
  assertDaemonBuilt();
  const inotify = await ensureInotifyInstances(options.count + INOTIFY_HEADROOM, cleanup);
  const loadStart = loadavg().map((l) => round(l, 2));
  const users = Array.from({ length: options.count }, () => dovecot.newUser('bench-many'));
  const sink = await startSink(cleanup);

  // A user of its own: its probes must not be waiting in box0 when the many-mailbox daemon starts.
  const oneUser = dovecot.newUser('bench-one');
  const one = await startChild(dovecot, [oneUser], sink.port, cleanup);
  step(`many mailboxes: 1 mailbox watched ${round(one.readings.startMs)} ms after spawn, VmRSS ${one.readings.rssMb} MB`);
  const appender = await imapClient(dovecot, oneUser, cleanup);
  const singleSamples: number[] = [];
  let singleIdle = true;
  for (let i = 0; i < options.singleProbes; i++) {
    const probe = await probeOnce(one.db, oneUser, 'box0', `${options.namespace}-one`, i, appender);
    singleSamples.push(probe.ms);
    singleIdle &&= probe.idle;
  }
  await closeImap(appender);
  const singleLatency = { ...percentiles(singleSamples), idleVerified: singleIdle };
  step(`many mailboxes: 1 mailbox, ${options.singleProbes} probes: median ${singleLatency.medianMs} ms, p95 ${singleLatency.p95Ms} ms`);
  const oneAfterMail = await settledRss(one.child);
  await one.stop();

  const many = await startChild(dovecot, users, sink.port, cleanup);
  step(`many mailboxes: ${options.count} mailboxes watched ${round(many.readings.startMs)} ms after spawn, VmRSS ${many.readings.rssMb} MB`);
  const samples: number[] = [];
  let idle = true;
  for (let from = 0; from < users.length; from += PROBE_BATCH) {
    // Logged in ahead, a batch at a time: the probes' own logins stay out of the daemon's way while it is timed.
    const batch = new Cleanup();
    const appenders = await openAppenders(dovecot, users.slice(from, from + PROBE_BATCH), batch);
    try {
      for (const [k, appender] of appenders.entries()) {
        const i = from + k;
        const probe = await probeOnce(many.db, users[i]!, `box${i}`, `${options.namespace}-many`, i, appender);
        samples.push(probe.ms);
        idle &&= probe.idle;
      }
    } finally {
      await batch.run();
    }
    if ((from + PROBE_BATCH) % 50 === 0) step(`many mailboxes: ${from + PROBE_BATCH} of ${users.length} probed`);
  }
  const latency = { ...percentiles(samples), idleVerified: idle };
  step(`many mailboxes: one probe per mailbox: median ${latency.medianMs} ms, p95 ${latency.p95Ms} ms`);
  const manyAfterMail = await settledRss(many.child);
  const burst = await deliverToAll(many.db, dovecot, users, `${options.namespace}-burst`);
  step(`many mailboxes: burst of ${burst.mails}: all stored in ${burst.allStoredMs} ms, p95 ${burst.p95Ms} ms`);
  const afterBurst = await memoryOf(many.child.pid);
  const exitCode = await many.stop();

  const perMailbox = (manyMb: number, oneMb: number) => round((manyMb - oneMb) / (options.count - 1), 3);
  return {
    count: options.count,
    loginsPerServer: LOGINS_PER_SERVER_DEFAULT,
    single: { ...one.readings, latency: singleLatency, rssAfterMailMb: oneAfterMail.rssMb },
    many: {
      ...many.readings,
      latency,
      burst,
      rssAfterMailMb: manyAfterMail.rssMb,
      rssAfterBurstMb: afterBurst.rssMb,
      peakMb: afterBurst.peakMb,
      logLines: { ...many.child.lines },
      warnings: { ...many.child.warnings },
      exitCode,
    },
    rssPerMailboxMb: perMailbox(many.readings.rssMb, one.readings.rssMb),
    rssPerMailboxAfterMailMb: perMailbox(manyAfterMail.rssMb, oneAfterMail.rssMb),
    latencyP95OverSingleMs: round(latency.p95Ms - singleLatency.p95Ms),
    inotifyMaxUserInstances: inotify,
    loadAverage: { start: loadStart, end: loadavg().map((l) => round(l, 2)) },
  };
}

interface StartedChild {
  readonly child: DaemonChild;
  readonly db: BenchDatabase;
  readonly readings: DaemonReadings;
  /** SIGTERM, wait, then drop its database and Redis keys; returns its exit code. */
  stop(): Promise<number | null>;
}

/** Spawns the daemon on `users` (mailboxes box0…), waits until all are watching, lets it settle and reads its RSS. */
async function startChild(dovecot: Dovecot, users: readonly string[], smtpPort: number, cleanup: Cleanup): Promise<StartedChild> {
  const db = await createBenchDatabase(cleanup);
  const configFile = await writeManyConfig(dovecot, users, smtpPort, cleanup);
  const queuePrefix = uniqueQueuePrefix();
  const removeKeys = cleanup.add(`delete Redis keys ${queuePrefix}:*`, () => deleteRedisKeys(REDIS_URL, queuePrefix));
  const spawned = performance.now();
  const child = spawnDaemonChild(configFile, db.url, queuePrefix, cleanup);
  if (process.env.BENCH_DAEMON_LOG) child.child.stdout!.pipe(createWriteStream(`${process.env.BENCH_DAEMON_LOG}.${users.length}`));
  const alive = () => {
    const code = child.exitCode();
    if (code !== undefined) throw new Error(`the daemon process exited (code ${code}); last warnings: ${child.lastWarnings.join(' | ') || 'none'}`);
  };
  const watching = await pollUntil(
    async () => {
      alive();
      return (child.lines['watching mailbox'] ?? 0) >= users.length ? true : null;
    },
    { timeoutMs: 180_000, intervalMs: 10, what: `the daemon process to watch all ${users.length} mailboxes` },
  );
  const startMs = round(watching.at - spawned);
  // The start-up line follows the last watcher; then let the first syncs and the collector settle.
  await pollUntil(
    async () => {
      alive();
      return child.lines['watchers started'] ? true : null;
    },
    { timeoutMs: 10_000, intervalMs: 20, what: 'the start-up line' },
  );
  // Every session in IDLE, as Dovecot's process titles show: the daemon is ready for new mail everywhere.
  const idle = await pollUntil(
    async () => {
      alive();
      const idling = await idleSessions();
      return users.every((u) => idling.has(u)) ? true : null;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `the daemon's ${users.length} sessions all in IDLE` },
  ).catch(async (err: unknown) => {
    const idling = await idleSessions();
    throw new Error(`${errorText(err)}: not idling ${users.filter((u) => !idling.has(u)).join(', ')}`);
  });
  const rss = await settledRss(child);
  return {
    child,
    db,
    readings: { mailboxes: users.length, startMs, allIdleMs: round(idle.at - spawned), rssMb: rss.rssMb, rssReadingsMb: rss.readings },
    async stop() {
      const code = await child.stop();
      await removeKeys();
      await db.drop();
      return code;
    },
  };
}

/** VmRSS once the daemon has been left alone for SETTLE_MS: the median of READINGS readings READING_GAP_MS apart. */
async function settledRss(child: DaemonChild): Promise<{ rssMb: number; readings: number[] }> {
  await sleep(SETTLE_MS);
  const readings: number[] = [];
  for (let i = 0; i < READINGS; i++) {
    if (i > 0) await sleep(READING_GAP_MS);
    readings.push((await memoryOf(child.pid)).rssMb);
  }
  return { rssMb: median(readings), readings };
}

async function writeManyConfig(dovecot: Dovecot, users: readonly string[], smtpPort: number, cleanup: Cleanup): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-bench-many-'));
  cleanup.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'helpdesk.yaml');
  const text = [
    'mailboxes:',
    ...users.flatMap((user, i) => [
      `  - name: box${i}`,
      `    address: box${i}@example.test`,
      `    imap: { host: 127.0.0.1, port: ${dovecot.port}, secure: false, user: "${user}", password: \${IMAP_PASSWORD}, folder: INBOX }`,
      `    smtp: { host: 127.0.0.1, port: ${smtpPort}, secure: false }`,
    ]),
    'agents:',
    '  - { name: Alice, email: alice@example.test, departments: [general] }',
    '',
  ].join('\n');
  await writeFile(file, text);
  return file;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** Alone: its own Dovecot, the section, the figures as JSON on stdout. */
async function main(): Promise<void> {
  const cleanup = new Cleanup();
  process.once('SIGINT', () => void cleanup.run().finally(() => process.exit(130)));
  try {
    const dovecot = await withDeadline(startDovecot(), 30_000, 'starting Dovecot');
    cleanup.add('stop Dovecot', () => dovecot.stop());
    const count = Number(process.env.BENCH_MAILBOXES ?? 200);
    const result = await benchManyMailboxes(dovecot, { count, singleProbes: 20, namespace: randomBytes(3).toString('hex') }, cleanup, (t) => console.log(`[bench] ${t}`));
    console.log(JSON.stringify({ manyMailboxes: summarizeManyMailboxes(result), result }, null, 2));
  } catch (err) {
    console.error(`many-mailboxes bench failed: ${errorText(err)}`);
    if (err instanceof Error && err.stack) console.error(err.stack);
    process.exitCode = 1;
  } finally {
    await cleanup.run();
  }
  setTimeout(() => process.exit(process.exitCode ?? 0), 3_000).unref();
}

/** The summary's figures of this section. */
export function summarizeManyMailboxes(r: ManyMailboxesResult) {
  return { count: r.count, latencyP95Ms: r.many.latency.p95Ms, rssPerMailboxMb: r.rssPerMailboxMb, startMs: r.many.startMs };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
