import { createHash } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/adapters/db/client.js';
import { createPurgeStore } from '../../src/adapters/db/purge.js';
import { parseMail } from '../../src/adapters/mime/parse-mail.js';
import { createQueues, ensureSchedulers, SCHEDULERS } from '../../src/adapters/queue/queues.js';
import type { Config } from '../../src/config/schema.js';
import { NOT_CHECKED } from '../../src/domain/sender-auth.js';
import { createLogger } from '../../src/logging.js';
import { ingestDeps } from '../../src/main.js';
import { ingestMessage } from '../../src/usecases/ingest-message.js';
import { NO_COUNTS, purgeExpired, type PurgeCounts, type PurgeDeps, type PurgeReport } from '../../src/usecases/purge.js';
import { maintenanceProcessor } from '../../workers/maintenance.js';
import { parseOk } from '../support/config-text.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { deleteRedisKeys, LogCapture } from '../support/harness.js';
import { buildMail } from '../support/mail.js';
import { MemoryOutbox } from '../support/memory-store.js';
import { waitFor } from '../support/wait.js';

/**
 * The purge on real Postgres: exactly what `retention` says goes, with every
 * row that is the ticket's; attachments another message still uses stay; a
 * purge stopped between batches, or killed inside one, leaves whole batches
 * only and the next run ends where one run would have.
 */

const DAY = 86_400_000;
const NOW = new Date();
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

function configWith(retention: readonly string[] = []): Config {
  return parseOk([
    'mailboxes:',
    '  - { name: support, address: support@example.test, imap: { host: 127.0.0.1, user: support } }',
    'agents: [{ name: Alice, email: alice@example.test, departments: [general] }]',
    ...(retention.length ? ['retention:', ...retention.map((l) => `  ${l}`)] : []),
  ]);
}

const opened: { db: TestDatabase; database: Database }[] = [];

afterEach(async () => {
  for (const { db, database } of opened.splice(0)) {
    await database.close();
    await db.drop();
  }
});

async function freshDatabase(): Promise<{ db: TestDatabase; database: Database }> {
  const db = await createTestDatabase(inject('templateDb'));
  const database = openDatabase(db.url, { max: 3 });
  opened.push({ db, database });
  return { db, database };
}

function purgeDeps(database: Database, config: Config, logs = new LogCapture()): PurgeDeps {
  return { purge: createPurgeStore(database.db), config: () => config, now: () => NOW, log: createLogger('debug', logs.stream) };
}

interface TicketSpec {
  readonly subject: string;
  readonly status?: string;
  readonly updatedAt?: Date;
  readonly closedAt?: Date;
  readonly deletedAt?: Date;
  readonly requester?: string;
  readonly cc?: readonly string[];
  /** Attachment contents on its inbound message (a blob per distinct content). */
  readonly files?: readonly string[];
  readonly mergedInto?: number;
  readonly linkedTo?: number;
  /** Its outbound mail still waits to be sent. */
  readonly queued?: boolean;
  /** A merged-away stub: no messages or events of its own (they moved to the survivor). */
  readonly bare?: boolean;
}

interface Seeded {
  readonly id: number;
  readonly number: number;
  /** Its inbound message's row id (null for a bare ticket). */
  readonly inbound: number | null;
}

const SOURCE_BYTES = 1000;
const sha = (content: string) => createHash('sha256').update(content).digest('hex');

async function seedTicket(sql: TestDatabase['sql'], t: TicketSpec): Promise<Seeded> {
  const contact = async (email: string) =>
    Number((await sql<{ id: string }[]>`insert into contacts (email) values (${email}) on conflict (email) do update set email = excluded.email returning id`)[0]!.id);
  const requester = await contact(t.requester ?? 'bob@customer.test');
  const [row] = await sql<{ id: string; number: string }[]>`
    insert into tickets (subject, status, priority, department, requester_id, mailbox, created_at, updated_at, last_activity_at, closed_at, deleted_at, merged_into_id, linked_ticket_id)
    values (${t.subject}, ${t.status ?? 'open'}, 'medium', 'general', ${requester}, 'support', ${ago(2000)}, ${t.updatedAt ?? ago(2000)}, ${ago(2000)},
            ${t.closedAt ?? null}, ${t.deletedAt ?? null}, ${t.mergedInto ?? null}, ${t.linkedTo ?? null})
    returning id, number`;
  const id = Number(row!.id);
  await sql`insert into participants (ticket_id, contact_id, role) values (${id}, ${requester}, 'requester')`;
  for (const cc of t.cc ?? []) await sql`insert into participants (ticket_id, contact_id, role) values (${id}, ${await contact(cc)}, 'cc')`;
  if (t.bare) return { id, number: Number(row!.number), inbound: null };
  const [inbound] = await sql<{ id: string }[]>`
    insert into messages (ticket_id, direction, kind, message_id, subject, raw, raw_size, mailbox)
    values (${id}, 'in', 'customer', ${`${t.subject}-in@customer.test`}, ${t.subject}, ${Buffer.alloc(SOURCE_BYTES, 'x')}, ${SOURCE_BYTES}, 'support')
    returning id`;
  const inboundId = Number(inbound!.id);
  await sql`
    insert into messages (ticket_id, direction, kind, message_id, subject, mailbox, delivery_state)
    values (${id}, 'out', 'agent_reply', ${`${t.subject}-out@example.test`}, ${t.subject}, 'support', ${t.queued ? 'queued' : 'sent'})`;
  for (const content of t.files ?? []) {
    await sql`insert into attachment_blobs (sha256, size, content) values (${sha(content)}, ${content.length}, ${Buffer.from(content)}) on conflict do nothing`;
    await sql`insert into attachments (message_id, sha256, filename, content_type, size) values (${inboundId}, ${sha(content)}, ${`${content}.txt`}, 'text/plain', ${content.length})`;
  }
  await sql`insert into events (ticket_id, message_id, type, actor) values (${id}, ${inboundId}, 'created', 'customer:x'), (${id}, null, 'status_changed', 'system')`;
  return { id, number: Number(row!.number), inbound: inboundId };
}

/**
 * Tickets of every kind, due and not: the cases the purge must tell apart.
 * Contents `shared` (also on a kept ticket), `both` (on two purged tickets of
 * different reasons) and `own` (on one purged ticket) are attachment blobs.
 */
async function seedWorld(sql: TestDatabase['sql']) {
  const spamOld = await seedTicket(sql, { subject: 'spam-old', status: 'spam', updatedAt: ago(31), requester: 'ann@spam.test', files: ['own'] });
  const spamNew = await seedTicket(sql, { subject: 'spam-new', status: 'spam', updatedAt: ago(29) });
  const deletedOld = await seedTicket(sql, { subject: 'deleted-old', deletedAt: ago(31), cc: ['cid@customer.test'], files: ['both'] });
  const deletedNew = await seedTicket(sql, { subject: 'deleted-new', deletedAt: ago(29) });
  const closedOld = await seedTicket(sql, { subject: 'closed-old', status: 'closed', closedAt: ago(731), files: ['shared', 'both'] });
  const closedNew = await seedTicket(sql, { subject: 'closed-new', status: 'closed', closedAt: ago(729) });
  const openOld = await seedTicket(sql, { subject: 'open-old', files: ['shared'] });
  const resolvedOld = await seedTicket(sql, { subject: 'resolved-old', status: 'resolved' });
  // Merged away into closed-old, one directly, one through it: they go with it, whatever their own dates.
  const stub = await seedTicket(sql, { subject: 'stub-of-old', status: 'closed', closedAt: ago(1), mergedInto: closedOld.id, bare: true });
  const stubOfStub = await seedTicket(sql, { subject: 'stub-of-stub', status: 'closed', closedAt: ago(1), mergedInto: stub.id, bare: true });
  // Merged into a ticket that stays: it stays too, though closed long ago.
  const stubOfNew = await seedTicket(sql, { subject: 'stub-of-new', status: 'closed', closedAt: ago(800), mergedInto: closedNew.id, bare: true });
  const linked = await seedTicket(sql, { subject: 'continues-closed-old', linkedTo: closedOld.id });
  const pending = await seedTicket(sql, { subject: 'pending-old', status: 'closed', closedAt: ago(800), requester: 'dee@customer.test', queued: true });
  // A kept ticket's event that names a purged message keeps the event, without the message.
  await sql`insert into events (ticket_id, message_id, type, actor) values (${openOld.id}, ${closedOld.inbound}, 'merged', 'system')`;
  return { spamOld, spamNew, deletedOld, deletedNew, closedOld, closedNew, openOld, resolvedOld, stub, stubOfStub, stubOfNew, linked, pending };
}

const counts = (c: Partial<PurgeCounts>): PurgeCounts => ({ ...NO_COUNTS, ...c });

/** Every row the purge may touch, in a comparable form. */
async function snapshot(sql: TestDatabase['sql']) {
  return {
    tickets: await sql`select id, number, linked_ticket_id, merged_into_id from tickets order by id`,
    messages: await sql`select id, ticket_id from messages order by id`,
    events: await sql`select id, ticket_id, message_id from events order by id`,
    participants: await sql`select ticket_id, contact_id from participants order by 1, 2`,
    attachments: await sql`select id, message_id, sha256 from attachments order by id`,
    blobs: await sql`select sha256 from attachment_blobs order by 1`,
    contacts: await sql`select id, email from contacts order by id`,
  };
}

/** Attachment rows whose content was stored but is gone: what a purge must never leave. */
const attachmentsWithoutContent = async (sql: TestDatabase['sql']) =>
  sql`select a.id from attachments a where a.stored and not exists (select 1 from attachment_blobs b where b.sha256 = a.sha256)`;

const subjects = async (sql: TestDatabase['sql']) => (await sql<{ subject: string }[]>`select subject from tickets order by subject`).map((r) => r.subject);

describe('helpdesk purge', () => {
  it('removes exactly the due tickets with all their rows, keeps attachments used elsewhere, and the dry run counts the same', async () => {
    const { db, database } = await freshDatabase();
    const world = await seedWorld(db.sql);
    const deps = purgeDeps(database, configWith());

    const before = await snapshot(db.sql);
    const dry = await purgeExpired(deps, { dryRun: true });
    expect(await snapshot(db.sql)).toEqual(before);

    const expected = {
      deleted: counts({ tickets: 1, messages: 2, events: 2, participants: 2, attachments: 1, sourceBytes: SOURCE_BYTES, contacts: 1 }),
      spam: counts({ tickets: 1, messages: 2, events: 2, participants: 1, attachments: 1, blobs: 1, blobBytes: 'own'.length, sourceBytes: SOURCE_BYTES, contacts: 1 }),
      closed: counts({ tickets: 3, merged: 2, messages: 2, events: 2, participants: 3, attachments: 2, blobs: 1, blobBytes: 'both'.length, sourceBytes: SOURCE_BYTES }),
    };
    expect(dry.byReason).toEqual(expected);
    expect(dry).toMatchObject({ dryRun: true, batches: 0, stopped: false, total: { tickets: 5, blobs: 2, contacts: 2 } });

    const report = await purgeExpired(deps);
    expect(report.byReason).toEqual(expected);
    expect(report.total).toEqual(dry.total);
    expect(report).toMatchObject({ dryRun: false, stopped: false, batches: 3 });

    expect(await subjects(db.sql)).toEqual(
      ['closed-new', 'continues-closed-old', 'deleted-new', 'open-old', 'pending-old', 'resolved-old', 'spam-new', 'stub-of-new'].sort(),
    );
    const gone = [world.spamOld, world.deletedOld, world.closedOld, world.stub, world.stubOfStub].map((t) => t.id);
    const [orphans] = await db.sql<{ messages: number; events: number; participants: number; notices: number }[]>`
      select (select count(*)::int from messages where ticket_id = any(${gone})) as messages,
             (select count(*)::int from events where ticket_id = any(${gone})) as events,
             (select count(*)::int from participants where ticket_id = any(${gone})) as participants,
             (select count(*)::int from attachments a where not exists (select 1 from messages m where m.id = a.message_id)) as notices`;
    expect(orphans).toEqual({ messages: 0, events: 0, participants: 0, notices: 0 });
    expect(await attachmentsWithoutContent(db.sql)).toEqual([]);
    // 'shared' is still on open-old's message; 'own' and 'both' were only on purged tickets.
    expect((await db.sql`select sha256 from attachment_blobs`).map((r) => r.sha256)).toEqual([sha('shared')]);
    // The purged tickets' own people went; the requester of kept tickets stays.
    expect((await db.sql`select email from contacts order by email`).map((r) => r.email)).toEqual(['bob@customer.test', 'dee@customer.test']);
    // Nothing points at a purged ticket: the continuation forgot its link, the event its message.
    expect((await db.sql`select linked_ticket_id from tickets where id = ${world.linked.id}`)[0]!.linked_ticket_id).toBeNull();
    expect(await db.sql`select type, message_id from events where ticket_id = ${world.openOld.id} and type = 'merged'`).toEqual([{ type: 'merged', message_id: null }]);
    expect((await db.sql`select count(*)::int as n from tickets where merged_into_id is not null and merged_into_id not in (select id from tickets)`)[0]!.n).toBe(0);

    // A second run finds nothing; the ticket whose mail was queued goes once it is sent.
    expect((await purgeExpired(deps)).total.tickets).toBe(0);
    await db.sql`update messages set delivery_state = 'sent' where ticket_id = ${world.pending.id}`;
    const later = await purgeExpired(deps);
    expect(later.byReason.closed).toEqual(counts({ tickets: 1, messages: 2, events: 2, participants: 1, sourceBytes: SOURCE_BYTES, contacts: 1 }));
    expect((await db.sql`select email from contacts`).map((r) => r.email)).toEqual(['bob@customer.test']);
  });

  it('keeps what a null retention keeps, and purges no open or resolved ticket however old', async () => {
    const { db, database } = await freshDatabase();
    await seedWorld(db.sql);
    await db.sql`update tickets set updated_at = ${ago(5000)}, last_activity_at = ${ago(5000)} where status in ('open', 'resolved') and deleted_at is null`;
    const deps = purgeDeps(database, configWith(['spam: null', 'closed: null']));

    const dry = await purgeExpired(deps, { dryRun: true });
    expect(dry.byReason.spam.tickets + dry.byReason.closed.tickets).toBe(0);
    const report = await purgeExpired(deps);
    expect(report.byReason).toEqual(dry.byReason);
    expect(report.total.tickets).toBe(1);
    expect(await subjects(db.sql)).not.toContain('deleted-old');
    expect(await subjects(db.sql)).toEqual(expect.arrayContaining(['spam-old', 'closed-old', 'stub-of-old', 'open-old', 'resolved-old', 'continues-closed-old']));
    // 'both' is on deleted-old and closed-old: closed-old is kept, so is the blob.
    expect((await db.sql`select count(*)::int as n from attachment_blobs where sha256 = ${sha('both')}`)[0]!.n).toBe(1);
  });

  it('stopped after any batch, then run again, ends exactly where one run ends', async () => {
    const one = await freshDatabase();
    const stopped = await freshDatabase();
    await seedWorld(one.db.sql);
    await seedWorld(stopped.db.sql);
    const config = configWith();
    const full = await purgeExpired(purgeDeps(one.database, config));

    const reports: PurgeReport[] = [];
    for (let run = 0; run < 10; run++) {
      let batches = 0;
      const report = await purgeExpired(purgeDeps(stopped.database, config), { batchSize: 1, onBatch: () => batches++, stopping: () => batches >= 1 });
      reports.push(report);
      if (!report.stopped) break;
      expect(report.batches).toBe(1);
    }
    // deleted-old, spam-old, closed-old (with its two stubs) one batch each, then a run that finds nothing left.
    expect(reports.map((r) => r.stopped)).toEqual([true, true, true, false]);
    expect(reports.map((r) => r.total.tickets)).toEqual([1, 1, 3, 0]);
    const summed = Object.fromEntries(Object.keys(full.total).map((k) => [k, reports.reduce((s, r) => s + r.total[k as keyof PurgeCounts], 0)]));
    expect(summed).toEqual(full.total);
    expect(await snapshot(stopped.db.sql)).toEqual(await snapshot(one.db.sql));
  });

  it('never frees a blob an ingest is attaching meanwhile, and a batch killed inside its transaction deletes nothing', async () => {
    const { db, database } = await freshDatabase();
    const world = await seedWorld(db.sql);
    const store = createPurgeStore(database.db);

    // An ingest in flight: it stored a blob (a no-op: it exists) and is about to commit an attachment using it.
    const attach = (content: string, commit: Promise<void>) =>
      db.sql.begin(async (tx) => {
        await tx`insert into attachment_blobs (sha256, size, content) values (${sha(content)}, ${content.length}, ${Buffer.from(content)}) on conflict do nothing`;
        await tx`insert into attachments (message_id, sha256, filename, content_type, size) values (${world.openOld.inbound}, ${sha(content)}, 'x.txt', 'text/plain', ${content.length})`;
        await commit;
      });
    const lockWaiter = async () =>
      (await db.sql<{ pid: number }[]>`
        select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'lock table%'`)[0]?.pid ?? null;

    // 1. 'own' is on spam-old only; an ingest attaches it to a kept message while the purge runs: the blob stays.
    let commit!: () => void;
    const ingesting = attach('own', new Promise<void>((resolve) => (commit = resolve)));
    let settled = false;
    const racing = store.purgeBatch('spam', ago(30), 10).finally(() => (settled = true));
    await waitFor(async () => settled || (await lockWaiter()) !== null, { what: 'the purge to wait or finish' });
    commit();
    await ingesting;
    expect(await racing).toMatchObject({ tickets: 1, attachments: 1, blobs: 0, numbers: [world.spamOld.number] });
    expect(await attachmentsWithoutContent(db.sql)).toEqual([]);

    // 2. Killed at its last step, its tickets already deleted inside its transaction: all of it undone.
    const before = await snapshot(db.sql);
    let release!: () => void;
    const held = attach('both', new Promise<void>((resolve) => (release = resolve)));
    // Its own pool: postgres.js takes its full end timeout over a connection killed inside a transaction.
    const victim = openDatabase(db.url, { max: 1 });
    const killed = createPurgeStore(victim.db).purgeBatch('closed', ago(730), 10);
    const pid = await waitFor(lockWaiter, { what: 'the purge waiting for the attachment lock' });
    await db.sql`select pg_terminate_backend(${pid})`;
    await expect(killed).rejects.toMatchObject({ retryable: true });
    await victim.sql.end({ timeout: 0 });
    release();
    await held;
    const afterKill = await snapshot(db.sql);
    expect({ ...afterKill, attachments: afterKill.attachments.slice(0, -1) }).toEqual(before);
    expect(await store.purgeBatch('closed', ago(730), 10)).toMatchObject({ tickets: 3, blobs: 0 });
    expect(await attachmentsWithoutContent(db.sql)).toEqual([]);
  });

  it("after a ticket is purged, its customer's reply to the old thread starts a new ticket", async () => {
    const { db, database } = await freshDatabase();
    const config = configWith();
    const ingest = { ...ingestDeps({ config: () => config, database, outbox: new MemoryOutbox(), tokenKey: Buffer.alloc(32, 7), parse: parseMail, log: createLogger('warn') }), verifySender: async () => NOT_CHECKED };
    let uid = 0;
    const deliver = (raw: string) => ingestMessage(ingest, { mailbox: 'support', uid: ++uid, source: Buffer.from(raw), size: raw.length });

    const first = buildMail({ messageId: 'first@customer.test', subject: 'Printer on fire', body: 'Room 4.' });
    const opened = await deliver(first.raw);
    expect(opened).toMatchObject({ outcome: 'created' });
    const oldNumber = opened.ticketNumber!;
    // Answered long ago and closed: its acknowledgement went out, the ticket is past retention.closed.
    await db.sql`update messages set delivery_state = 'sent' where direction = 'out'`;
    await db.sql`update tickets set status = 'closed', closed_at = ${ago(800)} where number = ${oldNumber}`;
    const ack = (await db.sql<{ message_id: string }[]>`select message_id from messages where direction = 'out' and kind = 'auto_ack'`)[0]?.message_id;

    expect((await purgeExpired(purgeDeps(database, config))).total.tickets).toBe(1);
    expect(await db.sql`select id from messages`).toEqual([]);

    const reply = buildMail({
      subject: `Re: Printer on fire [#${oldNumber}]`,
      inReplyTo: ack ?? 'first@customer.test',
      references: ['first@customer.test', ...(ack ? [ack] : [])],
      body: 'It is on fire again.',
    });
    const again = await deliver(reply.raw);
    expect(again.outcome).toBe('created');
    expect(again.ticketNumber).not.toBe(oldNumber);
    // Had the old ticket been there, the reply would have opened a ticket linked to it (closed past the reopen window).
    const tickets = await db.sql`select number, linked_ticket_id, subject from tickets`;
    expect(tickets).toEqual([{ number: String(again.ticketNumber), linked_ticket_id: null, subject: 'Re: Printer on fire' }]);
  });

  it('is a scheduled job with a fixed id, run by the maintenance worker under the name "purge"', async () => {
    const { db, database } = await freshDatabase();
    await seedWorld(db.sql);
    const prefix = `hdpurge-${process.pid}-${Date.now()}`;
    const queues = createQueues({ redisUrl: 'redis://127.0.0.1:6379', prefix, attempts: 1, retryDelayMs: 1_000 });
    try {
      await ensureSchedulers(queues, { reconcile: 60_000, slaScan: 60_000, autoClose: 60_000, purge: 3_600_000 });
      const schedulers = await queues.maintenance.getJobSchedulers();
      expect(schedulers.find((s) => s.key === SCHEDULERS.purge)).toMatchObject({ name: 'purge', every: 3_600_000 });
    } finally {
      await queues.close();
      await deleteRedisKeys('redis://127.0.0.1:6379', prefix);
    }
    const logs = new LogCapture();
    const processor = maintenanceProcessor({ ...purgeDeps(database, configWith(), logs) } as unknown as Parameters<typeof maintenanceProcessor>[0]);
    const report = (await processor({ name: 'purge' } as never)) as PurgeReport;
    expect(report.total.tickets).toBe(5);
    expect(logs.find('purged a batch of tickets').map((l) => l.reason)).toEqual(['deleted', 'spam', 'closed']);
    expect(logs.find('purge done')[0]).toMatchObject({ tickets: 5, batches: 3 });
  });
});
