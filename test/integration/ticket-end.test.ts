import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/adapters/db/client.js';
import { createStore } from '../../src/adapters/db/store.js';
import { listTickets, showTicket } from '../../src/adapters/db/ticket-queries.js';
import { composeMail } from '../../src/adapters/smtp/compose.js';
import { loadConfigFile } from '../../src/config/load.js';
import { changeTicket, type ChangeTicketDeps } from '../../src/usecases/change-ticket.js';
import type { Logger } from '../../src/usecases/ports.js';
import { DOVECOT_PASSWORD } from '../support/dovecot.js';
import { mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { buildMail, replyTo } from '../support/mail.js';
import type { CapturedMail } from '../support/smtp-capture.js';
import { waitFor } from '../support/wait.js';

/*
 * The end of a ticket, end to end: soft delete (`#status deleted`, `tickets
 * delete`) and merge (`#merge N`, `tickets merge A B`) through a real Dovecot,
 * the daemon in this process, the SMTP capture and Postgres. One daemon for
 * the threading cases, each test with its own customers and subjects; the
 * scheduled-job cases each run a daemon of their own with fast schedules.
 */

const ALICE = 'alice@example.test';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const isAck = (m: CapturedMail) => m.parsed.headers.get('auto-submitted') === 'auto-replied';

interface TicketRow {
  id: number;
  number: number;
  status: string;
  subject: string;
  requester: string;
  deleted_at: Date | null;
  merged_into_id: number | null;
  linked_ticket_id: number | null;
}

interface EventRow {
  id: number;
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

/** What a test opened: the ticket, the customer's Message-ID, and Alice's "New ticket" notification. */
interface Opened {
  ticket: TicketRow;
  messageId: string;
  notice: CapturedMail;
}

/** The reads and mail steps of one harness. */
function steps(h: MailboxHarness) {
  const ticketsOf = (email: string) =>
    h.db.sql<TicketRow[]>`
      select t.id::int, t.number::int, t.status::text, t.subject, c.email as requester, t.deleted_at,
             t.merged_into_id::int, t.linked_ticket_id::int
        from tickets t join contacts c on c.id = t.requester_id where c.email = ${email} order by t.number`;

  const ticket = async (number: number): Promise<TicketRow> => {
    const [row] = await h.db.sql<TicketRow[]>`
      select t.id::int, t.number::int, t.status::text, t.subject, c.email as requester, t.deleted_at,
             t.merged_into_id::int, t.linked_ticket_id::int
        from tickets t join contacts c on c.id = t.requester_id where t.number = ${number}`;
    return row!;
  };

  const eventsOf = (ticketId: number) => h.db.sql<EventRow[]>`select id::int, type, actor, data from events where ticket_id = ${ticketId} order by id`;
  const messagesOf = async (ticketId: number) => (await h.db.sql`select id::int from messages where ticket_id = ${ticketId} order by id`).map((r) => r.id as number);

  const notification = (ticket: Pick<TicketRow, 'number'>, kind = 'New ticket') =>
    h.smtp.waitForMail((m) => m.envelope.to.includes(ALICE) && (m.parsed.subject ?? '').startsWith(`[#${ticket.number}] ${kind}`), `"${kind}" of #${ticket.number} to Alice`);

  /** A customer's plain mail opens a ticket: waits for it and Alice's notification. */
  const open = async (from: string, subject: string): Promise<Opened> => {
    const mail = buildMail({ from, subject, body: `Hello, ${subject.toLowerCase()}. Please help.` });
    await h.append(mail.raw);
    const address = /<(.+)>/.exec(from)?.[1] ?? from;
    const ticket = await waitFor(async () => (await ticketsOf(address)).find((t) => t.subject === subject), { what: `the ticket "${subject}"` });
    return { ticket, messageId: mail.messageId!, notice: await notification(ticket) };
  };

  /** Alice replies to a notification (its Reply-To token proves her). */
  const agentReply = (notice: CapturedMail, body: string) => h.append(replyTo(notice.parsed, { from: `Alice <${ALICE}>`, body }).raw);

  /** Alice's confirmation of a command mail, found by a line of its text. */
  const confirmation = (line: string) => h.smtp.waitForMail((m) => m.envelope.to.includes(ALICE) && (m.parsed.text ?? '').includes(line), `the confirmation "${line}"`);

  /** Everything the daemon wrote so far has left: the capture holds all of it. */
  const outboxDrained = () =>
    waitFor(async () => (await h.db.sql`select 1 from messages where delivery_state in ('queued', 'sending')`).length === 0, { what: 'the outbox drained' });

  const countOf = async (ticketId: number, type: string) => (await eventsOf(ticketId)).filter((e) => e.type === type).length;

  return { ticketsOf, ticket, eventsOf, messagesOf, notification, open, agentReply, confirmation, outboxDrained, countOf };
}

/** The deps of `helpdesk tickets set|delete|merge`, on the harness's database and config. */
async function cliDeps(h: MailboxHarness, database: Database): Promise<ChangeTicketDeps> {
  const loaded = await loadConfigFile(h.configFile, { IMAP_PASSWORD: DOVECOT_PASSWORD });
  if (!loaded.ok) throw new Error(`config: ${JSON.stringify(loaded.problems)}`);
  // Merge and delete send no mail: any key does for the reply tokens they would carry.
  return { store: createStore(database.db), config: loaded.config, now: () => new Date(), log: quiet, compose: composeMail, tokenKey: randomBytes(32) };
}

describe('soft delete and merge on one daemon', () => {
  let h: MailboxHarness;
  let database: Database;
  let s: ReturnType<typeof steps>;

  beforeAll(async () => {
    h = await mailboxHarness();
    await h.start();
    database = openDatabase(h.db.url, { max: 2 });
    s = steps(h);
  });

  afterAll(async () => {
    await database?.close();
    await h?.close();
  });

  it('#status deleted hides the ticket from lists but not from show; the customer\'s next reply on its thread opens a new, acknowledged ticket', async () => {
    const customer = 'hana@customer.test';
    const { ticket, messageId, notice } = await s.open(`Hana <${customer}>`, 'Projector hums');
    await s.agentReply(notice, '#status deleted');
    await s.confirmation('Done: deleted (hidden from lists)');
    const deleted = await s.ticket(ticket.number);
    expect(deleted.deleted_at).toBeInstanceOf(Date);
    expect(deleted.status).toBe(ticket.status);
    const events = await s.eventsOf(ticket.id);
    expect(events.filter((e) => e.type === 'deleted')).toEqual([expect.objectContaining({ actor: `agent:${ALICE}` })]);

    expect((await listTickets(database.db)).tickets.map((t) => t.number)).not.toContain(ticket.number);
    expect((await listTickets(database.db, { search: 'Projector' })).tickets).toEqual([]);
    const shown = await showTicket(database.db, ticket.number);
    expect(shown).toMatchObject({ number: ticket.number });
    expect(shown!.events.map((e) => e.type)).toContain('deleted');

    // The customer answers on the old thread: In-Reply-To their first mail and the old tag in the subject.
    const reply = buildMail({ from: `Hana <${customer}>`, subject: `Re: Projector hums [#${ticket.number}]`, inReplyTo: messageId, references: [messageId], body: 'It hums again.' });
    await h.append(reply.raw);
    const fresh = await waitFor(async () => (await s.ticketsOf(customer)).find((t) => t.number !== ticket.number), { what: 'a new ticket for the reply' });
    expect(fresh).toMatchObject({ status: 'new', deleted_at: null, merged_into_id: null, linked_ticket_id: null });
    expect(fresh.subject).not.toContain(`[#${ticket.number}]`);
    const [stored] = await h.db.sql`select ticket_id::int from messages where message_id = ${reply.messageId!}`;
    expect(stored!.ticket_id).toBe(fresh.id);
    const ack = await h.smtp.waitForMail((m) => m.envelope.to.includes(customer) && isAck(m) && (m.parsed.subject ?? '').includes(`[#${fresh.number}]`), 'the acknowledgement of the new ticket');
    expect(ack.parsed.subject).not.toContain(`[#${ticket.number}]`);
    await s.notification(fresh);

    // The deleted ticket did not move: no reopen, no reply on it.
    expect(await s.ticket(ticket.number)).toEqual(deleted);
    expect(await s.eventsOf(ticket.id)).toEqual(events);
  });

  it('#merge B moves A\'s messages and history into B; mail on either thread, and Alice\'s token for A, land on B', async () => {
    const customer = 'dana@customer.test';
    const a = await s.open(`Dana <${customer}>`, 'Router blinks red');
    const b = await s.open(`Dana <${customer}>`, 'Router keeps rebooting');
    await h.smtp.waitForMail((m) => m.envelope.to.includes(customer) && isAck(m) && (m.parsed.subject ?? '').includes(`[#${a.ticket.number}]`), 'the acknowledgement of A');
    await s.outboxDrained();
    const aEvents = await s.eventsOf(a.ticket.id);
    const aMessages = await s.messagesOf(a.ticket.id);
    expect(aMessages.length).toBeGreaterThanOrEqual(3); // the mail, its acknowledgement, the notification

    await s.agentReply(a.notice, `#merge ${b.ticket.number}`);
    const confirmed = await s.confirmation(`Done: merged into ticket ${b.ticket.number}`);
    expect(confirmed.parsed.text).not.toContain('Not understood');
    expect(confirmed.parsed.subject).not.toContain('Check your commands');

    const merged = await s.ticket(a.ticket.number);
    const survivor = await s.ticket(b.ticket.number);
    expect(merged).toMatchObject({ merged_into_id: survivor.id, status: 'closed', deleted_at: null });
    expect(survivor).toMatchObject({ merged_into_id: null, deleted_at: null });
    // A keeps what the merge wrote: its event, its closing, and the agent's mail that asked for it.
    expect((await s.eventsOf(a.ticket.id)).map((e) => e.type)).toEqual(['merged_into', 'status_changed']);
    expect(await s.eventsOf(a.ticket.id)).toContainEqual(expect.objectContaining({ type: 'merged_into', actor: `agent:${ALICE}`, data: { into: b.ticket.number } }));
    // The agent's mail that asked for the merge, and the confirmation it got.
    expect(await s.messagesOf(a.ticket.id)).toHaveLength(2);
    const bEvents = await s.eventsOf(b.ticket.id);
    expect(bEvents.map((e) => e.id)).toEqual(expect.arrayContaining(aEvents.map((e) => e.id)));
    expect(bEvents.filter((e) => e.type === 'merged')).toEqual([expect.objectContaining({ actor: `agent:${ALICE}`, data: { from: a.ticket.number } })]);
    expect(await s.messagesOf(b.ticket.id)).toEqual(expect.arrayContaining(aMessages));
    expect((await listTickets(database.db)).tickets.map((t) => t.number)).not.toContain(a.ticket.number);
    expect((await listTickets(database.db)).tickets.map((t) => t.number)).toContain(b.ticket.number);

    // The customer answers on A's old thread: In-Reply-To A's first mail, A's tag.
    await h.append(buildMail({ from: `Dana <${customer}>`, subject: `Re: Router blinks red [#${a.ticket.number}]`, inReplyTo: a.messageId, references: [a.messageId], body: 'Still red.' }).raw);
    await waitFor(async () => (await s.countOf(b.ticket.id, 'customer_replied')) === 1, { what: 'the reply on A\'s thread in B' });
    await s.notification(b.ticket, 'Customer replied');
    // A's tag alone: the merged ticket points to the survivor.
    await h.append(buildMail({ from: `Dana <${customer}>`, subject: `Re: Router blinks red [#${a.ticket.number}]`, body: 'Red again, after a restart.' }).raw);
    await waitFor(async () => (await s.countOf(b.ticket.id, 'customer_replied')) === 2, { what: 'the tag-only reply in B' });
    // On B's own thread.
    await h.append(buildMail({ from: `Dana <${customer}>`, subject: `Re: Router keeps rebooting [#${b.ticket.number}]`, inReplyTo: b.messageId, body: 'It rebooted twice more.' }).raw);
    await waitFor(async () => (await s.countOf(b.ticket.id, 'customer_replied')) === 3, { what: 'the reply on B\'s thread in B' });
    expect(await s.ticketsOf(customer)).toHaveLength(2);
    expect(await s.eventsOf(a.ticket.id)).toHaveLength(2);
    expect((await s.ticket(a.ticket.number)).status).toBe('closed');

    // Alice answers with the token of a notification of A from before the merge.
    await s.agentReply(a.notice, 'We are sending you a new router.');
    const answer = await h.smtp.waitForMail((m) => m.envelope.to.includes(customer) && !isAck(m) && (m.parsed.text ?? '').includes('new router'), 'the answer to Dana');
    expect(answer.parsed.subject).toContain(`[#${b.ticket.number}]`);
    await waitFor(async () => (await s.countOf(b.ticket.id, 'agent_replied')) === 1, { what: 'the answer recorded on B' });
    expect((await s.ticket(b.ticket.number)).status).toBe('answered');
    expect(await s.eventsOf(a.ticket.id)).toHaveLength(2);
    await s.outboxDrained();
    expect(h.smtp.to(ALICE).filter((m) => (m.parsed.subject ?? '').includes('Check your commands'))).toEqual([]);
  });

  it('#merge is refused for another requester\'s ticket, a ticket that does not exist, and the ticket itself; nothing moves', async () => {
    const e = await s.open('Eve <eve@customer.test>', 'Scanner jams');
    const f = await s.open('Finn <finn@customer.test>', 'Scanner is slow');
    await s.outboxDrained();
    const before = { e: await s.eventsOf(e.ticket.id), f: await s.eventsOf(f.ticket.id), fMessages: await s.messagesOf(f.ticket.id), eMessages: await s.messagesOf(e.ticket.id) };

    await s.agentReply(e.notice, `#merge ${f.ticket.number}`);
    const other = await s.confirmation(`Not understood: #merge ${f.ticket.number}: ticket ${f.ticket.number} has another requester`);
    expect(other.parsed.subject).toContain('Check your commands');
    expect(other.parsed.text).not.toContain('Done: merged');

    await s.agentReply(e.notice, '#merge 999999');
    await s.confirmation('Not understood: #merge 999999: no ticket 999999');

    await s.agentReply(e.notice, `#merge ${e.ticket.number}`);
    await s.confirmation(`Not understood: #merge ${e.ticket.number}: that is this ticket`);
    await s.outboxDrained();

    expect(await s.ticket(e.ticket.number)).toMatchObject({ status: e.ticket.status, merged_into_id: null, deleted_at: null });
    expect(await s.ticket(f.ticket.number)).toMatchObject({ status: f.ticket.status, merged_into_id: null, deleted_at: null });
    expect(await s.eventsOf(e.ticket.id)).toEqual(before.e);
    expect(await s.eventsOf(f.ticket.id)).toEqual(before.f);
    expect(await s.messagesOf(f.ticket.id)).toEqual(before.fMessages);
    // E keeps its messages, plus the three command mails and their confirmations.
    expect(await s.messagesOf(e.ticket.id)).toEqual(expect.arrayContaining(before.eMessages));
    const aboutE = h.smtp.to(ALICE).filter((m) => (m.parsed.subject ?? '').startsWith(`[#${e.ticket.number}]`));
    expect(aboutE.filter((m) => (m.parsed.text ?? '').includes('Done: merged'))).toEqual([]);
  });

  it('tickets merge A B works as #merge; tickets delete deletes, and deleting again changes nothing', async () => {
    const deps = await cliDeps(h, database);
    const customer = 'gus@customer.test';
    const a = await s.open(`Gus <${customer}>`, 'Keyboard sticky');
    const b = await s.open(`Gus <${customer}>`, 'Keyboard sticky, photo');
    const doomed = await s.open('Hal <hal@customer.test>', 'Mouse squeaks');
    await s.outboxDrained();
    const aEvents = await s.eventsOf(a.ticket.id);
    const aMessages = await s.messagesOf(a.ticket.id);

    const merge = await changeTicket(deps, a.ticket.number, { mergeInto: b.ticket.number });
    expect(merge).toEqual({ ok: true, events: ['merged_into', 'status_changed'] });
    const survivor = await s.ticket(b.ticket.number);
    expect(await s.ticket(a.ticket.number)).toMatchObject({ merged_into_id: survivor.id, status: 'closed' });
    expect((await s.eventsOf(a.ticket.id)).map((e) => e.type)).toEqual(['merged_into', 'status_changed']);
    expect(await s.eventsOf(a.ticket.id)).toContainEqual(expect.objectContaining({ type: 'merged_into', actor: 'cli', data: { into: b.ticket.number } }));
    expect(await s.messagesOf(a.ticket.id)).toEqual([]);
    const bEvents = await s.eventsOf(b.ticket.id);
    expect(bEvents.map((e) => e.id)).toEqual(expect.arrayContaining(aEvents.map((e) => e.id)));
    expect(bEvents.filter((e) => e.type === 'merged')).toEqual([expect.objectContaining({ actor: 'cli', data: { from: a.ticket.number } })]);
    expect(await s.messagesOf(b.ticket.id)).toEqual(expect.arrayContaining(aMessages));
    expect(await changeTicket(deps, a.ticket.number, { mergeInto: b.ticket.number })).toEqual({ ok: false, reason: 'this ticket was merged already' });
    // The daemon follows the merge the command line made: A's tag lands on B.
    await h.append(buildMail({ from: `Gus <${customer}>`, subject: `Re: Keyboard sticky [#${a.ticket.number}]`, body: 'The space bar too.' }).raw);
    await waitFor(async () => (await s.countOf(b.ticket.id, 'customer_replied')) === 1, { what: 'the reply on A\'s tag in B' });
    expect(await s.ticketsOf(customer)).toHaveLength(2);

    expect(await changeTicket(deps, doomed.ticket.number, { delete: true })).toEqual({ ok: true, events: ['deleted'] });
    const deleted = await s.ticket(doomed.ticket.number);
    expect(deleted.deleted_at).toBeInstanceOf(Date);
    const events = await s.eventsOf(doomed.ticket.id);
    expect(events.filter((e) => e.type === 'deleted')).toEqual([expect.objectContaining({ actor: 'cli' })]);
    expect((await listTickets(database.db)).tickets.map((t) => t.number)).not.toContain(doomed.ticket.number);
    expect(await showTicket(database.db, doomed.ticket.number)).toMatchObject({ number: doomed.ticket.number });

    expect(await changeTicket(deps, doomed.ticket.number, { delete: true })).toEqual({ ok: true, events: [] });
    expect(await s.eventsOf(doomed.ticket.id)).toEqual(events);
    expect(await s.ticket(doomed.ticket.number)).toEqual(deleted);
  });

  it('tickets merge refuses a ticket into itself, and names the missing ticket it was given', async () => {
    const deps = await cliDeps(h, database);
    const { ticket } = await s.open('Ivy <ivy@customer.test>', 'Webcam dark');
    const events = await s.eventsOf(ticket.id);
    expect(await changeTicket(deps, ticket.number, { mergeInto: ticket.number })).toEqual({ ok: false, reason: 'that is this ticket' });
    expect(await changeTicket(deps, ticket.number, { mergeInto: 999999 })).toEqual({ ok: false, reason: 'no ticket 999999' });
    expect(await s.eventsOf(ticket.id)).toEqual(events);
  });
});

describe('the scheduled jobs leave a deleted ticket alone', () => {
  const FAST = 'schedules: { slaScanEvery: 1s, autoCloseEvery: 1s }';

  async function withHarness(extraConfig: string, body: (h: MailboxHarness, s: ReturnType<typeof steps>, database: Database) => Promise<void>): Promise<void> {
    const h = await mailboxHarness({ extraConfig });
    const database = openDatabase(h.db.url, { max: 2 });
    try {
      await h.start();
      await body(h, steps(h), database);
    } finally {
      await database.close();
      await h.close();
    }
  }

  it('auto-close skips a deleted Answered ticket (no notice to its customer) and closes the one answered after it', async () => {
    await withHarness(`autoClose: { after: 4s }\n${FAST}`, async (h, s, database) => {
      const deps = await cliDeps(h, database);
      const gone = await s.open('Kim <kim@customer.test>', 'Headset crackles');
      const kept = await s.open('Lou <lou@customer.test>', 'Headset too quiet');
      // The deleted one is answered first: when the other closes, its idle time has long passed too.
      await s.agentReply(gone.notice, 'Try the other USB port.');
      await waitFor(async () => (await s.ticket(gone.ticket.number)).status === 'answered', { what: 'the first ticket Answered' });
      expect(await changeTicket(deps, gone.ticket.number, { delete: true })).toEqual({ ok: true, events: ['deleted'] });
      await s.agentReply(kept.notice, 'Turn the volume wheel up.');
      await waitFor(async () => (await s.ticket(kept.ticket.number)).status === 'answered', { what: 'the second ticket Answered' });

      const notice = await h.smtp.waitForMail((m) => m.envelope.to.includes('lou@customer.test') && (m.parsed.text ?? '').includes('is now closed'), 'the close notice to Lou', 30_000);
      expect(notice.parsed.subject).toContain(`[#${kept.ticket.number}]`);
      expect((await s.ticket(kept.ticket.number)).status).toBe('closed');
      await s.outboxDrained();

      expect(await s.ticket(gone.ticket.number)).toMatchObject({ status: 'answered', deleted_at: expect.any(Date) });
      expect((await s.eventsOf(gone.ticket.id)).map((e) => e.type)).not.toContain('auto_closed');
      // Kim heard the acknowledgement and the answer, nothing else.
      expect(h.smtp.to('kim@customer.test').map((m) => (isAck(m) ? 'ack' : m.parsed.text?.includes('USB port') ? 'answer' : m.parsed.subject))).toEqual(['ack', 'answer']);
    });
  });

  it('the wake-up job skips a deleted Postponed ticket and wakes the one postponed after it', async () => {
    await withHarness(FAST, async (h, s, database) => {
      const deps = await cliDeps(h, database);
      const gone = await s.open('Max <max@customer.test>', 'Docking station later');
      const kept = await s.open('Nora <nora@customer.test>', 'Docking station next week');
      await s.agentReply(gone.notice, '#postpone 2s');
      await waitFor(async () => (await s.ticket(gone.ticket.number)).status === 'postponed', { what: 'the first ticket Postponed' });
      expect(await changeTicket(deps, gone.ticket.number, { delete: true })).toEqual({ ok: true, events: ['deleted'] });
      await s.agentReply(kept.notice, '#postpone 2s');
      await waitFor(async () => (await s.ticket(kept.ticket.number)).status === 'postponed', { what: 'the second ticket Postponed' });

      await s.notification(kept.ticket, 'Postponed ticket is due');
      expect((await s.ticket(kept.ticket.number)).status).toBe('open');
      await s.outboxDrained();
      expect(await s.ticket(gone.ticket.number)).toMatchObject({ status: 'postponed', deleted_at: expect.any(Date) });
      expect((await s.eventsOf(gone.ticket.id)).map((e) => e.type)).not.toContain('woke_up');
      expect(h.smtp.to(ALICE).filter((m) => (m.parsed.subject ?? '').startsWith(`[#${gone.ticket.number}] Postponed ticket is due`))).toEqual([]);
    });
  });

  it('auto-close still reaches a live ticket when a full batch (500) of older deleted Answered tickets is idle', async () => {
    await withHarness(`autoClose: { after: 2s }\n${FAST}`, async (h, s) => {
      // 500 deleted, Answered, idle for an hour: what accumulates within `retention.deleted`.
      const [contact] = await h.db.sql<{ id: string }[]>`insert into contacts (email, name) values ('seed@customer.test', 'Seed') returning id`;
      await h.db.sql`
        insert into tickets (subject, status, priority, department, requester_id, mailbox, created_at, updated_at, last_activity_at, deleted_at)
        select 'Deleted ' || g, 'answered', 'medium', 'general', ${contact!.id}, 'support',
               now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour' + g * interval '1 second', now()
        from generate_series(1, 500) g`;
      const live = await s.open('Olga <olga@customer.test>', 'Charger too hot');
      await s.agentReply(live.notice, 'Use the original charger, please.');
      await waitFor(async () => (await s.ticket(live.ticket.number)).status === 'answered', { what: 'Answered' });
      await waitFor(async () => (await s.ticket(live.ticket.number)).status === 'closed', { timeoutMs: 30_000, what: 'the live ticket auto-closed' });
    });
  });
});
