/**
 * Memory over a long run: the daemon as a process of its own (`node
 * dist/src/cli.js start --config FILE`, as `npm start` runs it) ingests 10 000
 * mails APPENDed to its INBOX in batches while it works, and the bench reads
 * its resident set size (VmRSS in /proc/<pid>/status) after a warm-up and at
 * the end: the growth is what a leak would show.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CLI } from '../test/support/cli.js';
import type { Dovecot } from '../test/support/dovecot.js';
import { round, timed, type Timed } from './baseline.js';
import { outboxRows } from './daemon-runs.js';
import { customerMails } from './mails.js';
import {
  closeImap,
  createBenchDatabase,
  DAEMON_ENV,
  deleteRedisKeys,
  imapClient,
  pollUntil,
  REDIS_URL,
  startSink,
  uniqueQueuePrefix,
  withDeadline,
  writeConfig,
  type Cleanup,
} from './services.js';

export interface RssOptions {
  readonly mails: number;
  /** Mails stored before the first reading that counts: start-up, JIT and pools settle first. */
  readonly warmUp: number;
  /** A reading every this many stored mails. */
  readonly sampleEvery: number;
  readonly namespace: string;
  readonly seed: number;
}

export interface RssSample {
  /** Inbound rows in the database when VmRSS was read. */
  readonly stored: number;
  /** ms since the first APPEND. */
  readonly atMs: number;
  readonly rssMb: number;
}

export interface RssResult {
  readonly mails: number;
  readonly withAttachment: number;
  readonly bytes: number;
  readonly warmUpMails: number;
  /** Daemon process VmRSS in MB (MiB, /proc/<pid>/status); `peak` is VmHWM at the end. */
  readonly rssMb: {
    /** Started and watching an empty INBOX. */
    readonly idle: number;
    /** The first reading with at least `warmUpMails` stored. */
    readonly afterWarmUp: number;
    /** The reading once every mail is stored. */
    readonly end: number;
    /** After that, once every outgoing mail the run caused is sent. */
    readonly drained: number;
    readonly peak: number;
  };
  /** end − afterWarmUp (MB). */
  readonly growthMb: number;
  /**
   * Least-squares slope of the readings from the warm-up on, MB per 1 000 mails:
   * two readings are at the mercy of when V8 last collected, the slope less so.
   */
  readonly slopeMbPer1k: number;
  /** Every `sampleEvery` stored mails, warm-up reading and end included. */
  readonly samples: RssSample[];
  /** spawn → the daemon logs `watching mailbox`. */
  readonly startMs: number;
  /** First APPEND → all mails stored (APPENDs run ahead of the daemon by at most `lead` mails). */
  readonly ingest: Timed;
  /** The warm-up reading → all stored. */
  readonly ingestAfterWarmUp: Timed;
  readonly lead: number;
  /** The daemon process's CPU time (user + system, /proc/<pid>/stat) from spawn to all stored, as a share of one core. */
  readonly daemonCpuShare: number;
  readonly outbound: { rows: number; byKind: Record<string, number>; byState: Record<string, number>; accepted: number };
  /** The daemon's log lines (level info and up), by message. */
  readonly logLines: Record<string, number>;
  /** Its warning and error lines, by message. */
  readonly warnings: Record<string, number>;
  /** Exit code after SIGTERM at the end (0: stopped cleanly). */
  readonly exitCode: number | null;
}

const MAILBOX = { name: 'rss', address: 'rss@example.test' } as const;
/** APPENDs run at most this many mails ahead of the daemon's stored count. */
const LEAD = 1_000;
const APPEND_BATCH = 100;
/** How often the stored count is read while waiting (each reading counts the run's inbound rows: keep it light). */
const POLL_MS = 200;
/** The run fails when the stored count does not move for this long. */
const STALL_MS = 120_000;

/** Fails at once when the built CLI the memory run spawns is missing (`npm run bench` builds it first). */
export function assertDaemonBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run the bench with \`npm run bench\`, which builds it first`);
}

/** The daemon as a child process, its JSON log lines counted as they come. */
export interface DaemonChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly lines: Record<string, number>;
  readonly warnings: Record<string, number>;
  readonly lastWarnings: string[];
  exitCode(): number | null | undefined;
  stop(): Promise<number | null>;
}

export function spawnDaemonChild(configFile: string, databaseUrl: string, queuePrefix: string, cleanup: Cleanup): DaemonChild {
  const child = spawn(process.execPath, [CLI, 'start', '--config', configFile], {
    env: {
      ...process.env,
      ...DAEMON_ENV,
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      HELPDESK_QUEUE_PREFIX: queuePrefix,
      HELPDESK_TOKEN_KEY: randomBytes(16).toString('hex'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${CLI}`);
  const lines: Record<string, number> = {};
  const warnings: Record<string, number> = {};
  const lastWarnings: string[] = [];
  let exit: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = code ?? (signal ? -1 : null);
      resolve(code);
    });
    child.once('error', () => resolve(null));
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (!line.trim()) continue;
        let entry: { msg?: unknown; level?: unknown };
        try {
          entry = JSON.parse(line) as { msg?: unknown; level?: unknown };
        } catch {
          entry = { msg: line, level: 'unparsed' };
        }
        const msg = String(entry.msg);
        lines[msg] = (lines[msg] ?? 0) + 1;
        if (entry.level !== 'info' && entry.level !== 'debug' && entry.level !== 'trace') {
          warnings[msg] = (warnings[msg] ?? 0) + 1;
          lastWarnings.push(line.slice(0, 500));
          if (lastWarnings.length > 5) lastWarnings.shift();
        }
      }
    });
  }
  const stop = cleanup.add(`stop daemon process ${child.pid}`, async () => {
    if (exit !== undefined) return exit;
    child.kill('SIGTERM');
    // It stops within 9 s of SIGTERM whatever hangs (src/cli.ts); past that, kill it.
    const code = await withDeadline(exited, 12_000, `daemon process ${child.pid} to exit after SIGTERM`).catch(async () => {
      child.kill('SIGKILL');
      await exited;
      return null;
    });
    return code;
  });
  return {
    child,
    pid: child.pid,
    lines,
    warnings,
    lastWarnings,
    exitCode: () => exit,
    stop: async () => {
      await stop();
      return exit ?? null;
    },
  };
}

/** VmRSS and VmHWM of `pid`, MB. */
export async function memoryOf(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(match[1]);
  };
  return { rssMb: round(kb('VmRSS') / 1024), peakMb: round(kb('VmHWM') / 1024) };
}

/** User + system CPU time of `pid` so far, ms (clock ticks of 10 ms: Linux's USER_HZ is 100). */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Spawns the daemon on an empty INBOX of a fresh user and database, APPENDs
 * `mails` of the bench mix (one in ten with a 200 KB attachment), at most
 * LEAD ahead of what the daemon has stored, and reads its RSS as it goes.
 */
export async function benchRss(dovecot: Dovecot, options: RssOptions, cleanup: Cleanup, step: (text: string) => void): Promise<RssResult> {
  assertDaemonBuilt();
  const db = await createBenchDatabase(cleanup);
  const user = dovecot.newUser('bench-rss');
  // A sink that only counts: the capture's parse of ~11 000 outgoing mails would take CPU from the daemon on this 2-core machine.
  const sink = await startSink(cleanup);
  const configFile = await writeConfig(dovecot, { ...MAILBOX, user, smtpPort: sink.port }, cleanup);
  const queuePrefix = uniqueQueuePrefix();
  // Registered before the daemon's stop, so it runs after it.
  const removeKeys = cleanup.add(`delete Redis keys ${queuePrefix}:*`, () => deleteRedisKeys(REDIS_URL, queuePrefix));
  const appender = await imapClient(dovecot, user, cleanup);

  const spawned = performance.now();
  const daemon = spawnDaemonChild(configFile, db.url, queuePrefix, cleanup);
  const alive = () => {
    const code = daemon.exitCode();
    if (code !== undefined) throw new Error(`the daemon process exited (code ${code}); last warnings: ${daemon.lastWarnings.join(' | ') || 'none'}`);
  };
  await pollUntil(
    async () => {
      alive();
      return daemon.lines['watching mailbox'] ? true : null;
    },
    { timeoutMs: 60_000, intervalMs: 20, what: 'the daemon process to log "watching mailbox"' },
  );
  const startMs = performance.now() - spawned;
  const idle = await memoryOf(daemon.pid);

  const countStored = async () => {
    const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from messages where mailbox = ${MAILBOX.name} and direction = 'in'`;
    return row!.n;
  };
  const samples: RssSample[] = [];
  let stored = 0;
  let nextMark = options.warmUp;
  let firstAppend = 0;
  let progressAt = performance.now();
  /** Reads the stored count; takes a reading at each mark; fails when the daemon died or stalled. */
  const observe = async () => {
    alive();
    const now = await countStored();
    if (now > stored) progressAt = performance.now();
    stored = now;
    if (stored >= nextMark) {
      samples.push({ stored, atMs: round(performance.now() - firstAppend), rssMb: (await memoryOf(daemon.pid)).rssMb });
      while (nextMark <= stored) nextMark = Math.min(nextMark + options.sampleEvery, Math.max(options.mails, nextMark + 1));
    }
    if (performance.now() - progressAt > STALL_MS) throw new Error(`the daemon stored nothing for ${STALL_MS} ms (at ${stored} of ${options.mails})`);
  };

  let appended = 0;
  let bytes = 0;
  let withAttachment = 0;
  firstAppend = performance.now();
  progressAt = firstAppend;
  for (const mail of customerMails(options.mails, { namespace: options.namespace, seed: options.seed })) {
    if (!(await appender.append('INBOX', mail.raw))) throw new Error(`APPEND of ${mail.messageId} failed`);
    appended++;
    bytes += Buffer.byteLength(mail.raw);
    if (mail.attachmentBytes > 0) withAttachment++;
    if (appended % APPEND_BATCH !== 0) continue;
    await observe();
    if (appended - stored >= LEAD) {
      await pollUntil(
        async () => {
          await observe();
          return appended - stored < LEAD ? true : null;
        },
        { timeoutMs: 30 * 60_000, intervalMs: POLL_MS, what: `the daemon to come within ${LEAD} mails of the APPENDs` },
      );
    }
    if (appended % 2_000 === 0) step(`rss: ${appended} APPENDed, ${stored} stored`);
  }
  const all = await pollUntil(
    async () => {
      await observe();
      return stored >= options.mails ? performance.now() : null;
    },
    { timeoutMs: 30 * 60_000, intervalMs: POLL_MS, what: `all ${options.mails} mails stored by the daemon process` },
  );
  const cpuMs = await cpuMsOf(daemon.pid);
  const cpuSpan = all.value - spawned;
  const warm = samples[0];
  const end = samples[samples.length - 1];
  if (!warm || !end || end.stored < options.mails) throw new Error('the RSS readings are missing');
  step(`rss: all ${options.mails} stored; RSS ${warm.rssMb} MB after ${warm.stored}, ${end.rssMb} MB at the end`);

  await pollUntil(
    async () => {
      alive();
      const [row] = await db.sql<{ n: number }[]>`
        select count(*)::int as n from messages where mailbox = ${MAILBOX.name} and direction = 'out' and delivery_state in ('queued', 'sending')`;
      return row!.n === 0 ? true : null;
    },
    { timeoutMs: 300_000, intervalMs: 100, what: 'every outgoing mail of the RSS run to be sent' },
  );
  const drained = await memoryOf(daemon.pid);
  const outbound = { ...(await outboxRows(db.sql, MAILBOX.name)), accepted: sink.accepted };
  const exitCode = await daemon.stop();
  await removeKeys();
  await sink.stop();
  await closeImap(appender);
  await db.drop();
  return {
    mails: options.mails,
    withAttachment,
    bytes,
    warmUpMails: options.warmUp,
    rssMb: { idle: idle.rssMb, afterWarmUp: warm.rssMb, end: end.rssMb, drained: drained.rssMb, peak: drained.peakMb },
    growthMb: round(end.rssMb - warm.rssMb),
    slopeMbPer1k: round(slope(samples) * 1000, 2),
    samples,
    startMs: round(startMs),
    ingest: timed(options.mails, all.at - firstAppend),
    ingestAfterWarmUp: timed(end.stored - warm.stored, end.atMs - warm.atMs),
    lead: LEAD,
    daemonCpuShare: round(cpuMs / cpuSpan, 2),
    outbound,
    logLines: { ...daemon.lines },
    warnings: { ...daemon.warnings },
    exitCode,
  };
}

/** Least-squares slope of rssMb over stored (MB per mail). */
function slope(samples: readonly RssSample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mx = samples.reduce((sum, s) => sum + s.stored, 0) / n;
  const my = samples.reduce((sum, s) => sum + s.rssMb, 0) / n;
  const sxy = samples.reduce((sum, s) => sum + (s.stored - mx) * (s.rssMb - my), 0);
  const sxx = samples.reduce((sum, s) => sum + (s.stored - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}
