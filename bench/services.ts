/**
 * What the benchmark runs against: its own Postgres database, IMAP clients on
 * the throwaway Dovecot, in-process daemons with a quiet logger, and a cleanup
 * stack that undoes all of it, also on failure or Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ImapFlow } from 'imapflow';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { SMTPServer } from 'smtp-server';
import { createLogger } from '../src/logging.js';
import { startDaemon, type Environment, type Daemon } from '../src/main.js';
import { ADMIN_URL, databaseUrl } from '../test/support/database.js';
import { DOVECOT_PASSWORD, type Dovecot } from '../test/support/dovecot.js';
import { loopbackSmtpOptions, startSmtpCapture, type CapturedMail, type SmtpCapture } from '../test/support/smtp-capture.js';

/** Undo actions, run newest first; each runs once and its failure does not stop the others. */
export class Cleanup {
  private readonly steps: { what: string; run: () => Promise<unknown> }[] = [];
  private running: Promise<void> | null = null;

  /**
   * Registers an undo action. Returns a function that runs it now instead (to
   * free a large database or a process as soon as its section is done); an
   * action run early is not run again at the end.
   */
  add(what: string, run: () => Promise<unknown>): () => Promise<void> {
    let done: Promise<void> | null = null;
    const once = () => (done ??= run().then(() => undefined));
    this.steps.push({ what, run: once });
    return once;
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await withDeadline(step.run(), 20_000, `cleanup: ${step.what}`);
        } catch (err) {
          console.error(`cleanup step "${step.what}" failed: ${errorText(err)}`);
        }
      }
    })();
    return this.running;
  }
}

/** Rejects with a clear message when `promise` has not settled within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than null;
 * returns that value and the performance.now() at which it was seen.
 */
export async function pollUntil<T>(
  check: () => Promise<T | null>,
  options: { timeoutMs: number; intervalMs: number; what: string },
): Promise<{ value: T; at: number }> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    const at = performance.now();
    if (value !== null) return { value, at };
    if (at > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await sleep(options.intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  /** A one-connection pool for the benchmark's own reads. */
  readonly sql: postgres.Sql;
  /** Closes `sql` and drops the database now (else the cleanup does it at the end). */
  drop(): Promise<void>;
}

/** Creates `helpdesk_bench_<random>` (empty: the daemon migrates it) and registers its removal. */
export async function createBenchDatabase(cleanup: Cleanup): Promise<BenchDatabase> {
  const name = `helpdesk_bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = databaseUrl(name);
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  const drop = cleanup.add(`drop database ${name}`, async () => {
    await sql.end({ timeout: 5 });
    const dropper = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    try {
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
    } finally {
      await dropper.end({ timeout: 5 });
    }
  });
  return { name, url, sql, drop };
}

/** A logged-in IMAP client for `user`, logged out by the cleanup if still open. */
export async function imapClient(dovecot: Dovecot, user: string, cleanup: Cleanup): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user, pass: DOVECOT_PASSWORD },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => {});
  await withDeadline(client.connect(), 15_000, `IMAP login as ${user}`);
  cleanup.add(`IMAP logout ${user}`, () => closeImap(client));
  return client;
}

export async function closeImap(client: ImapFlow): Promise<void> {
  if (!client.usable) return;
  await withDeadline(client.logout(), 5_000, 'IMAP logout').catch(() => client.close());
}

/** Messages in INBOX without \Seen, from a client that has no folder selected. */
export async function unseenCount(client: ImapFlow): Promise<number> {
  const status = await client.status('INBOX', { unseen: true });
  if (!status || status.unseen === undefined) throw new Error('STATUS INBOX returned no UNSEEN count');
  return status.unseen;
}

/** Warning and error lines of an in-process daemon; everything below warn is never written. */
export class LogSink {
  readonly lines: Record<string, unknown>[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push({ msg: line });
        }
      }
      done();
    },
  });

  count(msg: string): number {
    return this.lines.filter((l) => l.msg === msg).length;
  }

  /** Distinct messages with how often each was logged. */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const line of this.lines) out[String(line.msg)] = (out[String(line.msg)] ?? 0) + 1;
    return out;
  }
}

export interface MailboxSpec {
  readonly name: string;
  readonly address: string;
  readonly user: string;
  /** Port of the SMTP capture the mailbox sends through (an `smtp` block on 127.0.0.1); none: no smtp block. */
  readonly smtpPort?: number;
  /** `autoAcknowledge.limits` (rate limits of automated mail, I7); none: the defaults (5 per sender, 300 per mailbox per hour). */
  readonly ackLimits?: { readonly perSender: number; readonly perTicket: number; readonly perMailbox: number };
}

/** Writes a config file the way test/support/harness.ts does; the password comes from the environment. */
export async function writeConfig(dovecot: Dovecot, mailbox: MailboxSpec, cleanup: Cleanup): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-bench-'));
  cleanup.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'helpdesk.yaml');
  await writeFile(configFile, configText(dovecot, mailbox));
  return configFile;
}

/**
 * Replaces a config file written by writeConfig, atomically (a new file
 * renamed over it, as editors save): a daemon watching it never reads half a file.
 */
export async function rewriteConfig(configFile: string, dovecot: Dovecot, mailbox: MailboxSpec): Promise<void> {
  const next = `${configFile}.next`;
  await writeFile(next, configText(dovecot, mailbox));
  await rename(next, configFile);
}

function configText(dovecot: Dovecot, mailbox: MailboxSpec): string {
  const limits = mailbox.ackLimits;
  return [
    'mailboxes:',
    `  - name: ${mailbox.name}`,
    `    address: ${mailbox.address}`,
    `    imap: { host: 127.0.0.1, port: ${dovecot.port}, secure: false, user: "${mailbox.user}", password: \${IMAP_PASSWORD}, folder: INBOX, existingMail: ingest }`,
    ...(mailbox.smtpPort ? [`    smtp: { host: 127.0.0.1, port: ${mailbox.smtpPort}, secure: false }`] : []),
    'agents:',
    '  - { name: Alice, email: alice@example.test, departments: [general] }',
    ...(limits
      ? ['autoAcknowledge:', `  limits: { perSender: ${limits.perSender}, perTicket: ${limits.perTicket}, perMailbox: ${limits.perMailbox} }`]
      : []),
    '',
  ].join('\n');
}

export const DAEMON_ENV = { IMAP_PASSWORD: DOVECOT_PASSWORD } as const;

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A Redis key prefix no other bench, test or daemon uses. */
export function uniqueQueuePrefix(): string {
  return `hdbench-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The daemon's environment: a queue prefix of its own, so a bench never shares queues with anything else. */
export function daemonEnvironment(databaseUrl: string, configFile: string, queuePrefix = uniqueQueuePrefix()): Environment {
  return {
    databaseUrl,
    configFile,
    env: DAEMON_ENV,
    redisUrl: REDIS_URL,
    queuePrefix,
    tokenKey: null,
  };
}

/** Deletes every Redis key under `prefix:` (SCAN, so a busy shared Redis is not blocked). */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** Registers the removal of `prefix:*` from Redis; register it before whatever uses the prefix, so it runs after. */
export function removeRedisKeysAtEnd(prefix: string, cleanup: Cleanup): void {
  cleanup.add(`delete Redis keys ${prefix}:*`, () => deleteRedisKeys(REDIS_URL, prefix));
}

export interface BenchCapture extends SmtpCapture {
  /** performance.now() at which the capture accepted each mail (recorded before it answers 250). */
  acceptedAt(mail: CapturedMail): number | undefined;
  /** Closes it now (else the cleanup does). */
  stop(): Promise<void>;
}

/** An in-process SMTP receiver (test/support/smtp-capture.ts) that notes when each mail arrived, closed by the cleanup. */
export async function startCapture(cleanup: Cleanup): Promise<BenchCapture> {
  const arrivals = new WeakMap<CapturedMail, number>();
  const capture = await withDeadline(
    startSmtpCapture({
      beforeAnswer: async (mail) => {
        arrivals.set(mail, performance.now());
      },
    }),
    10_000,
    'starting the SMTP capture',
  );
  const stop = cleanup.add(`close SMTP capture on port ${capture.port}`, () => capture.close());
  return Object.assign(capture, { acceptedAt: (mail: CapturedMail) => arrivals.get(mail), stop });
}

/** An SMTP server that accepts every mail and only counts it: no parse, nothing kept (for long runs). */
export interface SmtpSink {
  readonly port: number;
  /** Mails whose DATA ended and were answered 250. */
  readonly accepted: number;
  /** Closes it now (else the cleanup does). */
  stop(): Promise<void>;
}

export async function startSink(cleanup: Cleanup): Promise<SmtpSink> {
  let accepted = 0;
  const server = new SMTPServer({
    ...loopbackSmtpOptions('bench'),
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        accepted++;
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  const port = await withDeadline(
    new Promise<number>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const address = server.server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    }),
    10_000,
    'starting the SMTP sink',
  );
  const stop = cleanup.add(`close SMTP sink on port ${port}`, () => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    port,
    get accepted() {
      return accepted;
    },
    stop,
  };
}

export interface BenchDaemon extends Daemon {
  readonly environment: Environment;
}

/**
 * Starts a daemon in this process, logging warnings and errors only into `logs`.
 * Its stop is registered first, so even a start that outlives its deadline is
 * stopped; the removal of its Redis keys (`prefix:*`) runs after the stop.
 */
export async function launchDaemon(databaseUrl: string, configFile: string, logs: LogSink, cleanup: Cleanup): Promise<BenchDaemon> {
  const environment = daemonEnvironment(databaseUrl, configFile);
  // Registered before the stop, so it runs after it (the cleanup runs newest first).
  removeRedisKeysAtEnd(environment.queuePrefix, cleanup);
  const starting = startDaemon(environment, createLogger('warn', logs.stream));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const daemon = await starting.catch(() => null);
    await daemon?.stop();
  };
  cleanup.add(`stop daemon (${configFile})`, stop);
  const daemon = await withDeadline(starting, 60_000, 'startDaemon (create + migrate the database, start the watchers)');
  return { watchers: daemon.watchers, telemetry: daemon.telemetry, http: daemon.http, reload: daemon.reload, stop, environment };
}

/**
 * True when the daemon's IMAP connection is in IDLE; null when that cannot be
 * seen. Reads a private field of MailboxWatcher: good enough for a benchmark's
 * "wait until idle", never for the product.
 */
export function daemonIdling(daemon: Daemon): boolean | null {
  const client = (daemon.watchers[0] as unknown as { client?: { idling?: unknown } | null } | undefined)?.client;
  return typeof client?.idling === 'boolean' ? client.idling : null;
}
