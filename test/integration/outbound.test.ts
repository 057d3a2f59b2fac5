import { describe, expect, it } from 'vitest';
import { buildMail, replyTo } from '../support/mail.js';
import { runningHarness, type MailboxHarness } from '../support/harness.js';
import type { CapturedMail } from '../support/smtp-capture.js';
import { waitFor } from '../support/wait.js';

const running = runningHarness();
const CUSTOMER = 'carol@customer.test';
const AGENT = 'alice@example.test';

const isAck = (m: CapturedMail) => m.parsed.headers.get('auto-submitted') === 'auto-replied';

async function openTicket(h: MailboxHarness, subject = 'Printer on fire') {
  const mail = buildMail({ subject });
  await h.append(mail.raw);
  const [ticket] = await waitFor(async () => {
    const rows = await h.tickets();
    return rows.length > 0 ? rows : null;
  }, { what: 'the ticket' });
  const notification = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && m.parsed.subject?.includes(subject) === true, 'the agent notification');
  return { ticket: ticket!, customerMessageId: mail.messageId!, notification };
}

async function status(h: MailboxHarness): Promise<string> {
  return (await h.tickets())[0]!.status;
}

async function eventTypes(h: MailboxHarness): Promise<string[]> {
  return (await h.db.sql`select type from events order by id`).map((r) => r.type as string);
}

describe('acknowledgement and agent notification', () => {
  it('acknowledges a new ticket to the customer and tells the agent, with a reply token', async () => {
    const h = await running();
    const { ticket, notification } = await openTicket(h);
    const ack = await h.smtp.waitForMail((m) => m.envelope.to.includes(CUSTOMER), 'the acknowledgement');

    expect(ack.parsed.subject).toContain(`[#${ticket.number}]`);
    expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ack.parsed.headers.get('x-auto-response-suppress')).toBe('All');
    expect(ack.parsed.text).toContain(`[#${ticket.number}]`);

    const replyAddress = notification.parsed.replyTo?.value[0]?.address ?? '';
    expect(replyAddress).toMatch(new RegExp(`^support\\+t${ticket.number}-[0-9a-z]+-[a-z0-9]{20}@example\\.test$`));
    expect(notification.parsed.subject).toBe(`[#${ticket.number}] New ticket: Printer on fire`);
    expect(notification.parsed.text).toContain('the printer in room 4 is on fire');
    expect(notification.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });
});

describe('agents answer by email', () => {
  it('relays only the new text of the agent reply, threaded under the customer message, and the customer reply reopens', async () => {
    const h = await running();
    const { ticket, customerMessageId, notification } = await openTicket(h);
    const reply = replyTo(notification.parsed, { from: 'Alice <alice@example.test>', body: 'We have sent a technician with an extinguisher.' });
    await h.append(reply.raw);

    const answer = await h.smtp.waitForMail((m) => m.envelope.to.includes(CUSTOMER) && !isAck(m), 'the relayed answer');
    expect(answer.parsed.text?.trim()).toBe('We have sent a technician with an extinguisher.');
    expect(answer.parsed.inReplyTo).toBe(`<${customerMessageId}>`);
    expect(answer.parsed.references).toContain(`<${customerMessageId}>`);
    expect(answer.parsed.subject).toBe(`Re: Printer on fire [#${ticket.number}]`);
    expect(answer.parsed.from?.value[0]).toMatchObject({ address: 'support@example.test', name: 'Alice' });
    expect(answer.parsed.headers.get('thread-topic')).toBe('Printer on fire');
    expect(answer.parsed.headers.get('thread-index')).toBeTruthy();
    expect(answer.parsed.headers.has('auto-submitted')).toBe(false);
    await waitFor(async () => (await status(h)) === 'answered', { what: 'the ticket Answered' });

    await h.append(buildMail({ subject: `Re: Printer on fire [#${ticket.number}]`, inReplyTo: answer.parsed.messageId!.replace(/[<>]/g, '') }).raw);
    await waitFor(async () => (await status(h)) === 'open', { what: 'the ticket Open again' });
    expect(h.smtp.mails.filter((m) => m.envelope.to.includes(CUSTOMER) && !isAck(m))).toHaveLength(1);
  });

  it('sends nothing to the customer for a forged agent mail, keeps it flagged and tells the real agent', async () => {
    const h = await running();
    const { ticket, notification } = await openTicket(h);
    const forged = replyTo(notification.parsed, { from: 'Alice <alice@example.test>', to: 'support@example.test', body: 'Please send your password.' });
    await h.append(forged.raw);

    const warning = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && /not accepted/.test(m.parsed.subject ?? ''), 'the warning to Alice');
    expect(warning.parsed.text).toContain('no valid reply token');
    expect(await eventTypes(h)).toContain('forged_agent_mail');
    expect(await status(h)).toBe('new');
    expect(h.smtp.mails.filter((m) => m.envelope.to.includes(CUSTOMER) && !isAck(m))).toHaveLength(0);
    expect((await h.db.sql`select count(*)::int as n from messages where kind = 'agent_reply' and direction = 'out'`)[0]!.n).toBe(0);
    expect(ticket.status).toBe('new');
  });

  it('keeps #note internal and applies #status resolved with a confirmation to the agent', async () => {
    const h = await running();
    const { notification } = await openTicket(h);
    await h.append(replyTo(notification.parsed, { from: AGENT, body: '#note\nCustomer called, printer was already out.' }).raw);
    await waitFor(async () => (await eventTypes(h)).includes('note_added'), { what: 'the note' });

    await h.append(replyTo(notification.parsed, { from: AGENT, body: '#status resolved\n#priority high\n#tag hardware' }).raw);
    const confirmation = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && /^\[#\d+\] Done:/.test(m.parsed.subject ?? ''), 'the confirmation');
    expect(confirmation.parsed.text).toContain('Done: status set to resolved');
    expect(confirmation.parsed.text).toContain('Nothing you wrote was sent to the customer.');
    expect(confirmation.parsed.text).toContain('The customer gets the resolved notice');
    const [ticket] = await h.db.sql`select status::text, priority::text, tags from tickets`;
    expect(ticket).toEqual({ status: 'resolved', priority: 'high', tags: ['hardware'] });
    // The note reached no customer; resolving sent them the resolved notice, once.
    const resolvedNotice = await h.smtp.waitForMail((m) => m.envelope.to.includes(CUSTOMER) && !isAck(m), 'the resolved notice');
    expect(resolvedNotice.parsed.text).toContain('reply to this mail');
    expect(h.smtp.mails.filter((m) => m.envelope.to.includes(CUSTOMER) && !isAck(m))).toHaveLength(1);
    const [note] = await h.db.sql`select kind, text from messages where kind = 'note'`;
    expect(note!.text).toContain('Customer called');
  });
});

describe('delivery', () => {
  it('retries a 451 until the server recovers and delivers once; fails a 550 at once with an event and a notification', async () => {
    const h = await running({ extraConfig: 'outbound: { retryDelay: 0.2s, maxAttempts: 10 }' });
    let refusals = 0;
    h.smtp.respond((_env, raw) => {
      const text = raw.toString();
      if (text.includes('TEMPFAIL') && refusals < 3) {
        refusals++;
        return { code: 451, message: '4.3.0 try again later' };
      }
      if (text.includes('PERMFAIL')) return { code: 550, message: '5.1.1 mailbox unavailable' };
      return null;
    });
    const { notification } = await openTicket(h);
    await h.append(replyTo(notification.parsed, { from: AGENT, body: 'TEMPFAIL answer' }).raw);
    const delivered = await h.smtp.waitForMail((m) => m.raw.toString().includes('TEMPFAIL'), 'the answer after the retries');
    expect(refusals).toBe(3);
    await waitFor(async () => {
      const [row] = await h.db.sql`select delivery_state::text as state, attempts from messages where direction = 'out' and text like 'TEMPFAIL%'`;
      return row?.state === 'sent' ? row : null;
    }, { what: 'the row sent' });
    expect(h.smtp.mails.filter((m) => m.raw.toString().includes('TEMPFAIL'))).toEqual([delivered]);

    await h.append(replyTo(notification.parsed, { from: AGENT, body: 'PERMFAIL answer' }).raw);
    const notice = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && /^\[#\d+\] Not delivered/.test(m.parsed.subject ?? ''), 'the failure notice');
    expect(notice.parsed.text).toContain('550');
    const [row] = await h.db.sql`select delivery_state::text as state, attempts, last_error from messages where direction = 'out' and text like 'PERMFAIL%'`;
    expect(row).toMatchObject({ state: 'failed', attempts: 1 });
    expect(row!.last_error).toContain('550');
    expect(await eventTypes(h)).toContain('send_failed');
  });

  it('copies each reply to the customer into the sent folder', async () => {
    const h = await running({ imapExtra: 'sentFolder: Sent' });
    const { notification } = await openTicket(h);
    await h.append(replyTo(notification.parsed, { from: AGENT, body: 'Filed in Sent.' }).raw);
    const answer = await h.smtp.waitForMail((m) => m.raw.toString().includes('Filed in Sent.'), 'the answer');
    await waitFor(async () => {
      const status = await h.imap.status('Sent', { messages: true }).catch(() => null);
      return status && status.messages === 2; // the acknowledgement and the answer
    }, { what: 'two copies in Sent' });
    const lock = await h.imap.getMailboxLock('Sent');
    try {
      const ids = (await h.imap.fetchAll('1:*', { envelope: true })).map((m) => m.envelope?.messageId);
      expect(ids).toContain(answer.parsed.messageId);
    } finally {
      lock.release();
    }
  });
});
