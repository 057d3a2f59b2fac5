import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import postgres from 'postgres';
import { afterEach, onTestFailed } from 'vitest';
import type { Environment } from '../../src/main.js';
import { spawnDaemon, type DaemonProcess } from '../support/cli.js';
import { DOVECOT_PASSWORD, startDovecot, type Dovecot } from '../support/dovecot.js';
import { buildMail } from '../support/mail.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import { figuresOf, printDiagnostics, type Figures } from './figures.js';
import { mailboxYaml } from '../support/mailbox-config.js';
import { startSmtpCapture, type CaptureOptions, type SmtpCapture } from '../support/smtp-capture.js';

/**
 * One fault test's world, all of it its own: a Postgres cluster, a
 * redis-server and a Dovecot on spare ports, an SMTP capture, a mailbox user and
 * a config file. The daemon runs as child processes (`spawn`), or in this
 * process from `environment()`.
 */
export interface FaultRig {
  readonly pg: PrivatePostgres;
  readonly redis: PrivateRedis;
  readonly dovecot: Dovecot;
  readonly smtp: SmtpCapture;
  readonly user: string;
  readonly databaseUrl: string;
  readonly queuePrefix: string;
  readonly configFile: string;
  /** Every daemon process started so far, the newest last. */
  readonly daemons: DaemonProcess[];
  /** An IMAP client logged in as the mailbox user. */
  readonly imap: ImapFlow;
  /** The daemon's database (it creates it on its first start). */
  readonly sql: postgres.Sql;
  /** APPENDs `count` customer mails, each from its own sender; returns their Message-IDs in order. */
  appendBacklog(count: number, label: string): Promise<string[]>;
  /** Starts `helpdesk start` against this rig's services. */
  spawn(): DaemonProcess;
  /** The environment for an in-process daemon (startDaemon). */
  environment(mailboxLeaseMs?: number): Environment;
  /** Log lines of every daemon process so far with this `msg`. */
  logs(msg: string): Record<string, unknown>[];
  /** Inbound messages stored. */
  stored(): Promise<number>;
  /** Outbox rows delivered. */
  sent(): Promise<number>;
  /** What the test's figures line reports. */
  figures(expectedIds: readonly string[]): Promise<Figures>;
  /** Runs `cleanup` after the test, before the services stop (e.g. an in-process daemon's stop). */
  defer(cleanup: () => Promise<void>): void;
}

export interface RigOptions {
  /** The mailbox's poll interval (default 2s). */
  pollInterval?: string;
  /** The SMTP capture's delay before it answers a mail. */
  smtpDelayMs?: number;
  /** The SMTP capture's hook between recording a mail and answering it. */
  beforeAnswer?: CaptureOptions['beforeAnswer'];
}

/** The config every fault test shares: fast retries and reconciles, a short poll, no rate limit in the way. */
const BASE_CONFIG = [
  'agents:',
  '  - { name: Alice, email: alice@example.test, departments: [general] }',
  'outbound: { retryDelay: 1s, reconcileEvery: 1s, stuckAfter: 3s, maxAttempts: 8 }',
  'limits: { ingestAttempts: 3, parseTimeout: 2s }',
  'autoAcknowledge: { limits: { perSender: 100000, perTicket: 100 } }',
];

/** FAULT_SEED from the environment, else a fresh one. */
export function faultSeed(): number {
  const fromEnv = Number(process.env.FAULT_SEED);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 1 + Math.floor(Math.random() * 1_000_000);
}

/**
 * For a test file: `const rig = faultRigs()` gives each test `await rig()`,
 * whose daemons, services and files are all gone after the test, pass or fail.
 */
export function faultRigs(): (options?: RigOptions) => Promise<FaultRig> {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err: unknown) => errors.push(err));
    if (errors.length > 0) throw errors[0];
  });
  return async (options = {}) => {
    const rig = await startRig(options, cleanups);
    onTestFailed(() => printDiagnostics(rig.daemons.map((d) => d.logs)));
    return rig;
  };
}

async function startRig(options: RigOptions, cleanups: (() => Promise<void>)[]): Promise<FaultRig> {
  const pg = await startPrivatePostgres();
  cleanups.push(() => pg.stop());
  const redis = await startPrivateRedis();
  cleanups.push(() => redis.stop());
  const dovecot = await startDovecot();
  cleanups.push(() => dovecot.stop());
  const smtp = await startSmtpCapture({ delayMs: options.smtpDelayMs ?? 0, ...(options.beforeAnswer ? { beforeAnswer: options.beforeAnswer } : {}) });
  cleanups.push(() => smtp.close());
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-fault-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));

  const user = dovecot.newUser('support');
  const databaseUrl = pg.url('helpdesk_fault');
  const queuePrefix = `hdfault-${randomBytes(4).toString('hex')}`;
  const configFile = join(dir, 'helpdesk.yaml');
  await writeFile(
    configFile,
    [
      ...mailboxYaml({ imapPort: dovecot.port, user, smtpPort: smtp.port, imapExtra: `pollInterval: ${options.pollInterval ?? '2s'}` }),
      ...BASE_CONFIG,
    ].join('\n'),
  );

  const daemons: DaemonProcess[] = [];
  // Registered after the services: runs before them, so no daemon outlives its Postgres, Redis or Dovecot.
  cleanups.push(async () => {
    await Promise.all(daemons.map((d) => d.kill('SIGKILL')));
  });
  const imap = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user, pass: DOVECOT_PASSWORD }, logger: false });
  imap.on('error', () => undefined);
  await imap.connect();
  cleanups.push(() => imap.logout().catch(() => imap.close()));
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {}, connect_timeout: 5 });
  cleanups.push(() => sql.end({ timeout: 2 }));

  const env = (): Record<string, string> => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    HELPDESK_QUEUE_PREFIX: queuePrefix,
    // A killed daemon's hold on the mailbox expires within this; the next one waits for that.
    HELPDESK_MAILBOX_LEASE: '1s',
    IMAP_PASSWORD: DOVECOT_PASSWORD,
    LOG_LEVEL: 'info',
  });

  const rig: FaultRig = {
    pg,
    redis,
    dovecot,
    smtp,
    user,
    databaseUrl,
    queuePrefix,
    configFile,
    daemons,
    imap,
    sql,
    async appendBacklog(count, label) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const mail = buildMail({
          from: `Customer ${i} <${label}-${i}@customer.test>`,
          subject: `${label} ${i}`,
          body: `Mail number ${i} of the ${label} backlog.\n${'Some text. '.repeat(40)}`,
        });
        ids.push(mail.messageId!);
        await imap.append('INBOX', mail.raw);
      }
      return ids;
    },
    spawn() {
      const daemon = spawnDaemon(['--config', configFile], env());
      daemons.push(daemon);
      return daemon;
    },
    environment(mailboxLeaseMs = 1_000) {
      return { databaseUrl, redisUrl: redis.url, queuePrefix, tokenKey: null, configFile, env: { IMAP_PASSWORD: DOVECOT_PASSWORD }, mailboxLeaseMs };
    },
    logs(msg) {
      return daemons.flatMap((d) => d.logs.filter((l) => l.msg === msg));
    },
    async stored() {
      const [row] = await sql`select count(*)::int as n from messages where direction = 'in'`;
      return row!.n as number;
    },
    async sent() {
      const [row] = await sql`select count(*)::int as n from messages where direction = 'out' and delivery_state = 'sent'`;
      return row!.n as number;
    },
    figures: (expectedIds) => figuresOf(rig, expectedIds),
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
  return rig;
}
