import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { demoStatePath, readDemoState, type DemoState } from '../../src/cli/demo.js';
import { DOVECOT_PASSWORD, freePort, startDovecot, type Dovecot } from '../../test/support/dovecot.js';
import { waitFor } from '../../test/support/wait.js';
import type { Cleanup } from './cleanup.js';
import { clearLeftovers } from './leftovers.js';
import { crashMessage, logProblems, readLog, spawnDaemon, waitForLog, type DaemonChild } from './daemon.js';
import { startMailRelay, type MailRelay } from './mail-relay.js';

export const SUPPORT = 'support@demo.test';
export const AGENT = { name: 'Alice', email: 'alice@demo.test' };
export const CUSTOMER = { name: 'Carol Customer', email: 'carol@customer.test' };
/** Idle time after which the demo's Resolved ticket closes. */
export const AUTO_CLOSE_AFTER_S = 5;

/** A step of the demo that did not happen: what, and what the log says. */
export class DemoFailure extends Error {
  constructor(message: string, readonly details: readonly string[] = []) {
    super(message);
  }
}

/** Where the demo's things live and what they are called. */
export interface DemoNames {
  readonly stateFile: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly database: string;
  readonly databaseUrl: string;
  readonly adminUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
}

/**
 * `.demo/` in the repository, database `helpdesk_demo` and queue prefix
 * `helpdesk-demo` on the servers of DATABASE_URL and REDIS_URL (else the local
 * defaults). A test runs a demo of its own beside a user's with
 * HELPDESK_DEMO_STATE and HELPDESK_DEMO_DATABASE.
 */
export function demoNames(): DemoNames {
  const stateFile = demoStatePath();
  const database = process.env.HELPDESK_DEMO_DATABASE ?? 'helpdesk_demo';
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new DemoFailure(`HELPDESK_DEMO_DATABASE "${database}" is not a plain database name`);
  const server = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
  const at = (name: string) => Object.assign(new URL(server), { pathname: `/${name}` }).toString();
  return {
    stateFile,
    configFile: join(dirname(stateFile), 'helpdesk.yaml'),
    logFile: join(dirname(stateFile), 'daemon.log'),
    database,
    databaseUrl: at(database),
    adminUrl: at('postgres'),
    redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    queuePrefix: database.replace(/_/g, '-'),
  };
}

export interface Stage {
  readonly names: DemoNames;
  readonly dovecot: Dovecot;
  readonly relay: MailRelay;
  readonly daemon: DaemonChild;
  readonly web: { readonly url: string; readonly token: string } | null;
  readonly state: DemoState;
}

type Say = (label: string, value: string) => void;

/** Everything the demo needs, each piece registered with `cleanup` as soon as it exists. */
export async function setUpStage(names: DemoNames, cleanup: Cleanup, say: Say): Promise<Stage> {
  await mkdir(dirname(names.stateFile), { recursive: true });
  const found = await readDemoState(names.stateFile);
  if (found.ok) {
    throw new DemoFailure(`a demo is already running (pid ${found.state.pid}): stop it with Ctrl-C in its terminal, or send it mail with \`node dist/src/cli.js demo send "subject"\``);
  }
  if (found.stale) {
    await clearLeftovers(found.stale);
    await rm(names.stateFile, { force: true });
    say('leftovers', `a demo (pid ${found.stale.pid}) ended without cleaning up: its daemon and Dovecot were stopped`);
  }

  await dropDatabase(names);
  await cleanup.add(`database ${names.database} dropped`, () => dropDatabase(names));
  say('database', `${names.database} (fresh; the daemon creates and migrates it)`);

  await deleteRedisKeys(names);
  await cleanup.add(`Redis keys ${names.queuePrefix}:* removed`, () => deleteRedisKeys(names));
  say('Redis queue prefix', names.queuePrefix);

  const dovecot = await startDovecot();
  await cleanup.add('Dovecot stopped, its mail removed', () => dovecot.stop());
  say('Dovecot (IMAP)', `127.0.0.1:${dovecot.port}, any address logs in with password ${DOVECOT_PASSWORD}`);

  const relay = await startMailRelay((mailbox, raw) => deliverable(mailbox) ? dovecot.deliver(mailbox, raw) : Promise.resolve());
  await cleanup.add('mail relay closed', () => relay.close());
  say('mail relay (SMTP)', `127.0.0.1:${relay.port}, delivers every mail into its Dovecot mailbox`);

  const { daemon, web } = await startDaemon(names, dovecot, relay, cleanup, say);

  const state: DemoState = {
    pid: process.pid,
    daemonPid: daemon.pid,
    startedAt: new Date().toISOString(),
    support: SUPPORT,
    agent: AGENT.email,
    customer: CUSTOMER.email,
    smtp: { host: '127.0.0.1', port: relay.port },
    imap: { host: '127.0.0.1', port: dovecot.port, password: DOVECOT_PASSWORD, dir: dovecot.dir },
    databaseUrl: names.databaseUrl,
    queuePrefix: names.queuePrefix,
    configFile: names.configFile,
    logFile: names.logFile,
    web,
  };
  await writeFile(names.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  await cleanup.add('state file removed', () => rm(names.stateFile, { force: true }));
  return { names, dovecot, relay, daemon, web, state };
}

/** Local parts and domains the relay turns into Dovecot mailboxes (they become directory names). */
function deliverable(mailbox: string): boolean {
  return /^[a-z0-9][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*$/.test(mailbox) && !mailbox.includes('..');
}

function configText(o: { imapPort: number; smtpPort: number; httpPort: number | null }): string {
  return `# Written by \`npm run demo\` (scripts/demo.ts) for its own daemon; see helpdesk.example.yaml for every key.
mailboxes:
  - name: support
    address: ${SUPPORT}
    department: general
    # New mail arrives at once through IDLE; the short poll covers a Dovecot that cannot watch its
    # folders (inotify instances of its user used up: IDLE then checks only every 30 s).
    imap: { host: 127.0.0.1, port: ${o.imapPort}, secure: false, user: ${SUPPORT}, password: \${DEMO_IMAP_PASSWORD}, pollInterval: 5s }
    smtp: { host: 127.0.0.1, port: ${o.smtpPort}, secure: false }
agents:
  - { name: ${AGENT.name}, email: ${AGENT.email}, departments: [general] }
sla:
  policies:                       # 24/7 business time (no calendar given)
    urgent: { firstResponse: 1h, resolution: 8h }
    high:   { firstResponse: 4h, resolution: 2d }
    medium: { firstResponse: 8h, resolution: 5d }
# Resolved tickets close after ${AUTO_CLOSE_AFTER_S} idle seconds, checked every 2 s (in real life: days).
# Only Resolved ones: an Answered ticket closing while the demo's customer writes back would cut the story short.
autoClose: { after: ${AUTO_CLOSE_AFTER_S}s, statuses: [resolved] }
schedules: { autoCloseEvery: 2s }
${o.httpPort ? `http: { port: ${o.httpPort}, token: \${DEMO_TOKEN} }` : '# http: left out, the web view did not start (see the log)'}
`;
}

/** The daemon, with the web view when it starts; without it (said so) when only the web view keeps it from starting. */
async function startDaemon(names: DemoNames, dovecot: Dovecot, relay: MailRelay, cleanup: Cleanup, say: Say): Promise<{ daemon: DaemonChild; web: Stage['web'] }> {
  const token = randomBytes(12).toString('hex');
  const env = {
    DATABASE_URL: names.databaseUrl,
    REDIS_URL: names.redisUrl,
    HELPDESK_QUEUE_PREFIX: names.queuePrefix,
    HELPDESK_TOKEN_KEY: randomBytes(24).toString('hex'),
    DEMO_IMAP_PASSWORD: DOVECOT_PASSWORD,
    DEMO_TOKEN: token,
    LOG_LEVEL: 'info',
  };
  say('config', names.configFile);
  say('daemon log', names.logFile);
  await writeFile(names.logFile, '');
  let httpPort: number | null = await freePort();
  let daemon: DaemonChild | null = null;
  await cleanup.add('daemon stopped', async () => daemon?.stop());
  for (;;) {
    await writeFile(names.configFile, configText({ imapPort: dovecot.port, smtpPort: relay.port, httpPort }));
    const from = (await readLog(names.logFile)).length;
    const started = Date.now();
    daemon = spawnDaemon(names.configFile, names.logFile, env);
    if (await waitForLog(daemon, names.logFile, 'watching mailbox', 90_000, from)) {
      say('daemon', `pid ${daemon.pid}, watching ${SUPPORT} (${seconds(Date.now() - started)})`);
      const web = httpPort ? await probeWeb(httpPort, token) : null;
      if (httpPort) say('web view', web ? web.url : `not answering on 127.0.0.1:${httpPort} (see the log)`);
      return { daemon, web };
    }
    const crashed = !daemon.running();
    await daemon.stop();
    const crash = crashed ? await crashMessage(names.logFile, from) : null;
    // Only the web view at fault (its module in the stack, its key in the message) is worth a second start without it.
    const failures = (await readLog(names.logFile)).slice(from).filter((l) => l.raw || l.level === 'error' || l.level === 'fatal');
    const webAtFault = crashed && httpPort !== null && failures.some((l) => /http/i.test(JSON.stringify(l)));
    if (!webAtFault) {
      const why = crashed ? 'the daemon exited before it watched the mailbox' : 'the daemon did not start watching the mailbox within 90 s';
      throw new DemoFailure(why, [...(crash ? [crash] : []), ...(await logProblems(names.logFile, from))]);
    }
    say('web view', `did not start (${crash ?? 'see the log'}): the demo goes on without it`);
    httpPort = null;
  }
}

async function probeWeb(port: number, token: string): Promise<Stage['web']> {
  const url = `http://127.0.0.1:${port}/`;
  const answers = await waitFor(() => fetch(`${url}healthz`).then(() => true, () => false), { timeoutMs: 10_000, intervalMs: 200 }).catch(() => false);
  return answers ? { url, token } : null;
}

async function withAdmin<T>(names: DemoNames, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(names.adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    return await work(sql);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DemoFailure(`Postgres at ${redacted(names.adminUrl)}: ${reason} (bash scripts/ensure-services.sh starts a local one)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function dropDatabase(names: DemoNames): Promise<void> {
  await withAdmin(names, (sql) => sql.unsafe(`drop database if exists ${names.database} with (force)`));
}

/** Removes the demo's queues, schedules and leases from Redis. */
export async function deleteRedisKeys(names: DemoNames): Promise<void> {
  const redis = new Redis(names.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 5_000, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${names.queuePrefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DemoFailure(`Redis at ${redacted(names.redisUrl)}: ${reason} (bash scripts/ensure-services.sh starts a local one)`);
  } finally {
    redis.disconnect();
  }
}

function redacted(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
