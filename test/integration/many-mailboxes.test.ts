import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { DOVECOT_PASSWORD } from '../support/dovecot.js';
import { deleteRedisKeys, LogCapture } from '../support/harness.js';
import { buildMail } from '../support/mail.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';
import { waitFor } from '../support/wait.js';

const MAILBOXES = 40;
/** Logins at once per server: well below the mailbox count, so most of them wait their turn. */
const PER_SERVER = 4;
const REDIS_URL = 'redis://127.0.0.1:6379';

/** One test's world: 40 mailboxes (a fresh Dovecot user each) in one config, a database, a queue prefix, a capture. */
interface ManyMailboxes {
  readonly db: TestDatabase;
  readonly users: readonly string[];
  readonly logs: LogCapture;
  start(): Promise<Daemon>;
  /** APPENDs one mail from a sender of its own to every mailbox; returns their Message-IDs. */
  mailEach(round: string): Promise<string[]>;
}

let cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function manyMailboxes(): Promise<ManyMailboxes> {
  const port = inject('dovecotPort');
  const db = await createTestDatabase(inject('templateDb'));
  cleanups.push(() => db.drop());
  const smtp: SmtpCapture = await startSmtpCapture();
  cleanups.push(() => smtp.close());
  const queuePrefix = `hdtest-${randomBytes(5).toString('hex')}`;
  cleanups.push(() => deleteRedisKeys(REDIS_URL, queuePrefix));
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const users = Array.from({ length: MAILBOXES }, (_, i) => `many-${run}-${i}@example.test`);
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-many-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'helpdesk.yaml');
  await writeFile(
    configFile,
    [
      'mailboxes:',
      ...users.flatMap((user, i) => [
        `  - name: box${i}`,
        `    address: box${i}@example.test`,
        `    imap: { host: 127.0.0.1, port: ${port}, secure: false, user: "${user}", password: \${IMAP_PASSWORD} }`,
        `    smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }`,
      ]),
      'agents:',
      '  - { name: Alice, email: alice@example.test, departments: [general] }',
      `imapLogins: { perServer: ${PER_SERVER} }`,
      '',
    ].join('\n'),
  );
  const logs = new LogCapture();
  return {
    db,
    users,
    logs,
    async start() {
      const environment = { databaseUrl: db.url, redisUrl: REDIS_URL, queuePrefix, tokenKey: 'many-mailboxes-test-token-key', configFile, env: { IMAP_PASSWORD: DOVECOT_PASSWORD } };
      const daemon = await startDaemon(environment, createLogger('info', logs.stream));
      cleanups.push(() => daemon.stop());
      return daemon;
    },
    async mailEach(round) {
      const ids: string[] = [];
      // A few logins at a time: the test's own connections stay within Dovecot's login limits too.
      for (let from = 0; from < users.length; from += 8) {
        const batch = users.slice(from, from + 8).map(async (user, k) => {
          const i = from + k;
          const mail = buildMail({ from: `Customer ${i} <customer-${round}-${i}@customer.test>`, to: `box${i}@example.test`, subject: `${round}: help with box ${i}` });
          ids.push(mail.messageId!);
          const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: DOVECOT_PASSWORD }, logger: false });
          await client.connect();
          try {
            await client.append('INBOX', mail.raw);
          } finally {
            await client.logout().catch(() => client.close());
          }
        });
        await Promise.all(batch);
      }
      return ids;
    },
  };
}

/** Inbound rows and tickets per mailbox, and Message-IDs stored more than once. */
async function stored(db: TestDatabase) {
  const perMailbox = await db.sql<{ mailbox: string; messages: number; tickets: number }[]>`
    select m.mailbox, count(*)::int as messages, count(distinct m.ticket_id)::int as tickets
    from messages m where m.direction = 'in' group by m.mailbox`;
  const [dupes] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from (select message_id from messages where direction = 'in' group by message_id having count(*) > 1) d`;
  return { perMailbox: new Map(perMailbox.map((r) => [r.mailbox, r])), messages: perMailbox.reduce((s, r) => s + r.messages, 0), duplicates: dupes!.n };
}

describe('many mailboxes on one server', () => {
  it(`watches ${MAILBOXES} mailboxes with ${PER_SERVER} logins at a time, logs one start-up line, and turns a mail to each into a ticket`, async () => {
    const world = await manyMailboxes();
    const daemon = await world.start();

    await waitFor(() => daemon.watchers.every((w) => w.state === 'watching'), { timeoutMs: 60_000, what: `all ${MAILBOXES} watchers watching` });
    const health = daemon.telemetry.mailboxes();
    expect(health).toHaveLength(MAILBOXES);
    expect(health.filter((h) => h.state === 'watching' && h.connected)).toHaveLength(MAILBOXES);

    await waitFor(() => world.logs.find('watchers started').length > 0, { what: 'the start-up line' });
    const [line] = world.logs.find('watchers started');
    expect(line).toMatchObject({ level: 'info', summary: `watching ${MAILBOXES} mailboxes on 1 server`, watching: MAILBOXES, mailboxes: MAILBOXES });
    // Each mailbox still says it is watched (debuggable one by one), and nothing failed on the way.
    expect(world.logs.find('watching mailbox')).toHaveLength(MAILBOXES);
    expect(world.logs.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);

    const ids = await world.mailEach('one');
    await waitFor(async () => (await stored(world.db)).messages === MAILBOXES, { timeoutMs: 60_000, what: `${MAILBOXES} mails stored` });
    const result = await stored(world.db);
    for (let i = 0; i < MAILBOXES; i++) expect(result.perMailbox.get(`box${i}`), `box${i}`).toMatchObject({ messages: 1, tickets: 1 });
    const tickets = await world.db.sql<{ mailbox: string; n: number }[]>`select mailbox, count(*)::int as n from tickets group by mailbox`;
    expect(tickets).toHaveLength(MAILBOXES);
    expect(tickets.every((t) => t.n === 1)).toBe(true);
    expect(ids).toHaveLength(MAILBOXES);
  });

  it('shares the mailboxes between two daemons: each watched by exactly one, every mail stored exactly once', async () => {
    const world = await manyMailboxes();
    const [a, b] = await Promise.all([world.start(), world.start()]);

    const settled = () => a.watchers.every((w, i) => [w.state, b.watchers[i]!.state].sort().join() === 'standby,watching');
    await waitFor(settled, { timeoutMs: 60_000, what: 'every mailbox watched by one daemon and standing by in the other' });
    const watchedBy = (d: Daemon) => d.watchers.filter((w) => w.state === 'watching').length;
    expect(watchedBy(a) + watchedBy(b)).toBe(MAILBOXES);
    await waitFor(() => world.logs.find('watchers started').length === 2, { what: 'both start-up lines' });
    const lines = world.logs.find('watchers started');
    expect(lines.map((l) => l.watching as number).reduce((x, y) => x + y)).toBe(MAILBOXES);
    expect(lines.map((l) => l.standby as number).reduce((x, y) => x + y)).toBe(MAILBOXES);

    // Two rounds, so each mailbox gets mail while the other daemon stands by and polls its lease.
    await world.mailEach('first');
    await world.mailEach('second');
    await waitFor(async () => (await stored(world.db)).messages === 2 * MAILBOXES, { timeoutMs: 60_000, what: `${2 * MAILBOXES} mails stored` });
    const result = await stored(world.db);
    expect(result.duplicates).toBe(0);
    for (let i = 0; i < MAILBOXES; i++) expect(result.perMailbox.get(`box${i}`)?.messages, `box${i}`).toBe(2);
    // Still exactly one watcher per mailbox after the mail went through.
    expect(settled()).toBe(true);
    expect(world.logs.find('message ingested')).toHaveLength(2 * MAILBOXES);
  });
});
