import { describe, expect, it } from 'vitest';
import { buildMail, newMessageId } from '../support/mail.js';
import { runningHarness, type MailboxHarness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';


const running = runningHarness();

async function ticketFor(harness: MailboxHarness, count: number) {
  return waitFor(async () => {
    const rows = await harness.tickets();
    return rows.length >= count ? rows : null;
  }, { what: `${count} ticket(s)` });
}

async function eventTypes(harness: MailboxHarness, ticketId: number): Promise<string[]> {
  const rows = await harness.db.sql`select type from events where ticket_id = ${ticketId} order by id`;
  return rows.map((r) => r.type as string);
}

describe('inbound mail becomes tickets', () => {
  it('turns an appended mail into one New ticket through IDLE, then flags it \\Seen', async () => {
    // A poll interval far beyond the deadline: only an IDLE notification can deliver in time.
    const harness = await running({ imapExtra: 'pollInterval: 10m' });
    const { raw, messageId } = buildMail({ subject: 'Printer on fire' });
    await harness.append(raw);

    const [ticket] = await ticketFor(harness, 1);
    expect(ticket).toMatchObject({ status: 'new', subject: 'Printer on fire' });
    const [message] = await harness.db.sql`select message_id, kind, direction, raw is not null as has_raw from messages where direction = 'in'`;
    expect(message).toMatchObject({ message_id: messageId, kind: 'customer', direction: 'in', has_raw: true });
    await waitFor(async () => (await harness.unseenUids()).length === 0, { what: 'the mail to be flagged \\Seen' });
  });

  it('threads a reply by In-Reply-To into the same ticket; a sender who never had the referenced mail is not added (I9)', async () => {
    const harness = await running();
    const first = buildMail({ subject: 'Login broken' });
    await harness.append(first.raw);
    const [ticket] = await ticketFor(harness, 1);

    const reply = buildMail({ from: 'Dave <dave@customer.test>', subject: 'Re: Login broken', inReplyTo: first.messageId! });
    await harness.append(reply.raw);
    await waitFor(async () => (await harness.messageCount()) === 2, { what: 'the reply to be stored' });

    expect(await harness.tickets()).toHaveLength(1);
    const participants = await harness.db.sql`select c.email, p.role from participants p join contacts c on c.id = p.contact_id order by c.email`;
    expect(participants).toEqual([{ email: 'carol@customer.test', role: 'requester' }]);
    expect(await eventTypes(harness, ticket!.id)).toEqual(['created', 'customer_replied', 'participants_held_back']);
  });

  it('reopens an Answered ticket when the customer replies', async () => {
    const harness = await running();
    const first = buildMail();
    await harness.append(first.raw);
    const [ticket] = await ticketFor(harness, 1);
    await harness.db.sql`update tickets set status = 'answered' where id = ${ticket!.id}`;

    await harness.append(buildMail({ subject: 'Re: Printer on fire', references: [first.messageId!] }).raw);
    await waitFor(async () => (await harness.tickets())[0]?.status === 'open', { what: 'the ticket to be Open' });
    expect(await eventTypes(harness, ticket!.id)).toContain('status_changed');
  });

  it('reopens a Closed ticket inside the reopen window', async () => {
    const harness = await running({ extraConfig: 'reopenWindow: 1h' });
    const first = buildMail();
    await harness.append(first.raw);
    const [ticket] = await ticketFor(harness, 1);
    await harness.db.sql`update tickets set status = 'closed', closed_at = now() - interval '10 minutes' where id = ${ticket!.id}`;

    await harness.append(buildMail({ subject: 'Re: Printer on fire', inReplyTo: first.messageId! }).raw);
    await waitFor(async () => (await harness.tickets())[0]?.status === 'open', { what: 'the ticket to reopen' });
    expect(await harness.tickets()).toHaveLength(1);
    expect(await eventTypes(harness, ticket!.id)).toEqual(['created', 'customer_replied', 'status_changed', 'reopened']);
  });

  it('opens a new ticket linked to a Closed one after the reopen window', async () => {
    const harness = await running({ extraConfig: 'reopenWindow: 1h' });
    const first = buildMail();
    await harness.append(first.raw);
    const [old] = await ticketFor(harness, 1);
    await harness.db.sql`update tickets set status = 'closed', closed_at = now() - interval '2 hours' where id = ${old!.id}`;

    await harness.append(buildMail({ subject: 'Re: Printer on fire', inReplyTo: first.messageId! }).raw);
    const rows = await ticketFor(harness, 2);
    expect(rows[0]).toMatchObject({ status: 'closed' });
    expect(rows[1]).toMatchObject({ status: 'new', linked_ticket_id: old!.id });
    expect(await eventTypes(harness, old!.id)).toContain('followed_up');
  });

  it('stores the same mail appended twice once, and flags both copies', async () => {
    const harness = await running();
    const mail = buildMail();
    await harness.append(mail.raw);
    await ticketFor(harness, 1);
    await harness.append(mail.raw);
    await waitFor(async () => (await harness.unseenUids()).length === 0, { what: 'both copies to be flagged' });
    expect(await harness.messageCount()).toBe(1);
    expect(await harness.tickets()).toHaveLength(1);
    expect(harness.logs.find('message ingested').map((l) => l.outcome)).toEqual(['created', 'duplicate']);
  });

  it('attaches an out-of-office reply to its ticket without changing its status', async () => {
    const harness = await running();
    const first = buildMail();
    await harness.append(first.raw);
    const [ticket] = await ticketFor(harness, 1);
    await harness.db.sql`update tickets set status = 'answered' where id = ${ticket!.id}`;

    const ooo = buildMail({
      subject: 'Automatic reply: Printer on fire',
      inReplyTo: first.messageId!,
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
      body: 'I am out of the office until Monday.',
    });
    await harness.append(ooo.raw);
    await waitFor(async () => (await harness.messageCount()) === 2, { what: 'the auto-reply to be stored' });

    const [row] = await harness.db.sql`select kind, ticket_id::int from messages where message_id = ${ooo.messageId}`;
    expect(row).toEqual({ kind: 'auto_reply', ticket_id: ticket!.id });
    expect((await harness.tickets())[0]?.status).toBe('answered');
    expect(await eventTypes(harness, ticket!.id)).toEqual(['created', 'auto_reply_received']);
  });

  it('never opens a ticket for an auto-reply or a bounce that matches none', async () => {
    const harness = await running();
    await harness.append(buildMail({ subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' } }).raw);
    await harness.append(
      buildMail({ from: 'MAILER-DAEMON@mx.customer.test', subject: 'Undelivered Mail Returned to Sender' }).raw,
    );
    await waitFor(async () => (await harness.messageCount()) === 2, { what: 'both mails to be stored' });
    expect(await harness.tickets()).toHaveLength(0);
    const kinds = await harness.db.sql`select kind, ticket_id from messages where direction = 'in' order by id`;
    expect(kinds).toEqual([
      { kind: 'auto_reply', ticket_id: null },
      { kind: 'bounce', ticket_id: null },
    ]);
  });

  it('threads by subject tag only when the sender is a participant', async () => {
    const harness = await running();
    await harness.append(buildMail({ subject: 'Invoice wrong' }).raw);
    const [ticket] = await ticketFor(harness, 1);
    const tag = `[#${ticket!.number}]`;

    await harness.append(buildMail({ subject: `Re: Invoice wrong ${tag}`, messageId: newMessageId() }).raw);
    await harness.append(buildMail({ from: 'mallory@evil.test', subject: `Re: Invoice wrong ${tag}` }).raw);
    const rows = await ticketFor(harness, 2);
    await waitFor(async () => (await harness.messageCount()) === 3, { what: 'three messages' });

    const [byTag] = await harness.db.sql`select count(*)::int as n from messages where ticket_id = ${ticket!.id} and direction = 'in'`;
    expect(byTag!.n).toBe(2);
    expect(rows[1]).toMatchObject({ subject: 'Re: Invoice wrong' });
  });
});
