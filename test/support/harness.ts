import { Writable } from 'node:stream';
import { ImapFlow } from 'imapflow';
import { afterEach, inject } from 'vitest';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logging.js';
import type { DnsResolver } from '../../src/adapters/mailauth/verify-sender.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startSmtpCapture, type SmtpCapture } from './smtp-capture.js';
import { DOVECOT_PASSWORD } from './dovecot.js';
import { mailboxYaml } from './mailbox-config.js';
import { waitFor } from './wait.js';

/** Log lines written by an in-process daemon, parsed. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.raw.push(line);
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not JSON: kept in raw only
        }
      }
      done();
    },
  });

  find(msg: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.msg === msg);
  }
}

export interface MailboxHarness {
  readonly db: TestDatabase;
  /** The SMTP server the mailbox sends through. */
  readonly smtp: SmtpCapture;
  /** Redis key prefix of this test's queues. */
  readonly queuePrefix: string;
  readonly redisUrl: string;
  readonly user: string;
  readonly port: number;
  readonly logs: LogCapture;
  readonly configFile: string;
  /** An IMAP client logged in as the mailbox user, for APPEND and inspection. */
  readonly imap: ImapFlow;
  start(): Promise<Daemon>;
  /** Another daemon on the same database, Redis prefix and config (several instances at once). */
  startAnother(): Promise<Daemon>;
  stopDaemon(): Promise<void>;
  append(raw: string, folder?: string): Promise<void>;
  /** APPENDs exact bytes. */
  appendRaw(raw: Buffer, folder?: string): Promise<void>;
  /** Ticket rows straight from Postgres. */
  tickets(): Promise<{ id: number; number: number; status: string; subject: string; linked_ticket_id: number | null }[]>;
  /** Inbound messages stored. */
  messageCount(): Promise<number>;
  /** UIDs in the folder that are not \Seen. */
  unseenUids(folder?: string): Promise<number[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Connect the daemon to Postgres through this URL instead of the test database's own (e.g. a proxy). */
  daemonDatabaseUrl?: (url: string) => string;
  /** Extra YAML appended at top level (e.g. `reopenWindow: 10s`). */
  extraConfig?: string;
  /** Extra keys for the mailbox's imap block, as YAML flow entries. */
  imapExtra?: string;
  /** Extra mailbox keys, as YAML lines (e.g. `defaultPriority: urgent`). */
  mailboxExtra?: string;
  /** The `agents:` block instead of the default (Alice, general). */
  agents?: string;
  /** Mailbox lease duration, short for takeover tests. */
  mailboxLeaseMs?: number;
  folder?: string;
  /** Redis to use instead of the shared one (e.g. a private server a test flushes). */
  redisUrl?: string;
  /** Extra keys for the mailbox's smtp block, as YAML flow entries (e.g. `user: x, password: ${SMTP_PASSWORD}`). */
  smtpExtra?: string;
  /** HELPDESK_TOKEN_KEY for the daemon (default: generated and kept in the database). */
  tokenKey?: string;
  /** Extra environment for the config's `${VAR}`s. */
  env?: Record<string, string>;
  /** The daemon's log level (default info). */
  logLevel?: string;
  /** DNS for DKIM keys and DMARC records (default: the system's). */
  dnsResolver?: DnsResolver;
}

let userCounter = 0;

/** A test's own database, Dovecot user and config; the daemon runs in this process. */
export async function mailboxHarness(options: HarnessOptions = {}): Promise<MailboxHarness> {
  const port = inject('dovecotPort');
  const db = await createTestDatabase(inject('templateDb'));
  const smtp = await startSmtpCapture();
  const queuePrefix = `hdtest-${randomBytes(5).toString('hex')}`;
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  const user = `support-${process.pid}-${Date.now().toString(36)}-${userCounter++}@example.test`;
  const folder = options.folder ?? 'INBOX';
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-test-'));
  const configFile = join(dir, 'helpdesk.yaml');
  await writeFile(
    configFile,
    [
      ...mailboxYaml({ imapPort: port, user, smtpPort: smtp.port, folder, imapExtra: options.imapExtra, smtpExtra: options.smtpExtra, mailboxExtra: options.mailboxExtra }),
      options.agents ?? ['agents:', '  - { name: Alice, email: alice@example.test, departments: [general] }'].join('\n'),
      options.extraConfig ?? '',
    ].join('\n'),
  );
  const imap = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: DOVECOT_PASSWORD }, logger: false });
  await imap.connect();
  if (folder !== 'INBOX') await imap.mailboxCreate(folder).catch(() => undefined);
  const logs = new LogCapture();
  let daemon: Daemon | null = null;
  const others: Daemon[] = [];
  const environment = () => ({
    databaseUrl: options.daemonDatabaseUrl?.(db.url) ?? db.url,
    redisUrl,
    queuePrefix,
    tokenKey: options.tokenKey ?? null,
    configFile,
    env: { IMAP_PASSWORD: DOVECOT_PASSWORD, ...options.env },
    ...(options.mailboxLeaseMs ? { mailboxLeaseMs: options.mailboxLeaseMs } : {}),
    ...(options.dnsResolver ? { dnsResolver: options.dnsResolver } : {}),
  });

  const harness: MailboxHarness = {
    db,
    smtp,
    queuePrefix,
    redisUrl,
    user,
    port,
    logs,
    configFile,
    imap,
    async start() {
      daemon = await startDaemon(environment(), createLogger(options.logLevel ?? 'info', logs.stream));
      await waitFor(() => logs.find('watching mailbox').length > 0, { what: 'the daemon to watch the mailbox' });
      return daemon;
    },
    async startAnother() {
      const other = await startDaemon(environment(), createLogger(options.logLevel ?? 'info', logs.stream));
      others.push(other);
      return other;
    },
    async stopDaemon() {
      await daemon?.stop();
      daemon = null;
    },
    async append(raw, target = folder) {
      await imap.append(target, raw);
    },
    async appendRaw(raw, target = folder) {
      await imap.append(target, raw);
    },
    async tickets() {
      return db.sql`select id::int, number::int, status::text, subject, linked_ticket_id::int from tickets order by number`;
    },
    async messageCount() {
      const [row] = await db.sql`select count(*)::int as n from messages where direction = 'in'`;
      return row!.n as number;
    },
    async unseenUids(target = folder) {
      // A connection of its own: the server may end sessions whose folder was recreated.
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: DOVECOT_PASSWORD }, logger: false });
      await client.connect();
      try {
        await client.mailboxOpen(target, { readOnly: true });
        return (await client.search({ seen: false }, { uid: true })) || [];
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    async close() {
      await Promise.all(others.map((o) => o.stop()));
      await daemon?.stop();
      await imap.logout().catch(() => undefined);
      await smtp.close();
      await deleteRedisKeys(redisUrl, queuePrefix);
      await db.drop();
    },
  };
  return harness;
}

/**
 * For a test file: `const running = runningHarness()` gives each test a started
 * daemon with its own database and Dovecot user, closed after the test.
 */
export function runningHarness(): (options?: HarnessOptions) => Promise<MailboxHarness> {
  let current: MailboxHarness | null = null;
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return async (options = {}) => {
    current = await mailboxHarness(options);
    await current.start();
    return current;
  };
}

/** Removes a test's queues from Redis. */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // a test that stopped its own Redis has nothing left to clean
  } finally {
    redis.disconnect();
  }
}
