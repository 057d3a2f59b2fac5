import { describe, expect, it } from 'vitest';
import { buildMail, replyTo } from '../support/mail.js';
import { mailboxHarness, runningHarness, type MailboxHarness } from '../support/harness.js';
import type { CapturedMail } from '../support/smtp-capture.js';
import { waitFor } from '../support/wait.js';

const running = runningHarness();
const AGENT = 'alice@example.test';
const CUSTOMER = 'carol@customer.test';

/** Durations in seconds: an urgent first response due 5 s after creation, warned 3 s ahead, scanned every second. */
const SLA = [
  'sla:',
  '  policies: { urgent: { firstResponse: 5s } }',
  '  warnBefore: 3s',
  '  notify: [assignee]',
  'schedules: { slaScanEvery: 1s, autoCloseEvery: 1s }',
].join('\n');

const slaMail = (kind: 'due soon' | 'breached', subject: string) => (m: CapturedMail) =>
  m.envelope.to.includes(AGENT) && (m.parsed.subject ?? '').includes(`SLA ${kind} (first response): ${subject}`);

async function ticketNamed(h: MailboxHarness, subject: string) {
  return waitFor(async () => (await h.tickets()).find((t) => t.subject === subject), { what: `ticket "${subject}"` });
}

async function slaEvents(h: MailboxHarness, ticketId: number): Promise<string[]> {
  const rows = await h.db.sql`select type from events where ticket_id = ${ticketId} and type like 'sla_%' order by id`;
  return rows.map((r) => r.type as string);
}

/** A later ticket's breach proves the scans kept running well past the first ticket's due time. */
async function laterBreach(h: MailboxHarness, subject: string): Promise<void> {
  await h.append(buildMail({ subject, from: 'later@customer.test' }).raw);
  await h.smtp.waitForMail(slaMail('breached', subject), `the breach of "${subject}"`, 30_000);
}

describe('SLA warnings and breaches', () => {
  it('sends one warning and one breach for an urgent ticket nobody answers, and records both', async () => {
    const h = await running({ mailboxExtra: 'defaultPriority: urgent', extraConfig: SLA });
    await h.append(buildMail({ subject: 'Server room flooded' }).raw);
    const ticket = await ticketNamed(h, 'Server room flooded');
    await h.smtp.waitForMail(slaMail('breached', 'Server room flooded'), 'the breach notice', 30_000);
    await laterBreach(h, 'Second flood');

    expect(h.smtp.mails.filter(slaMail('due soon', 'Server room flooded'))).toHaveLength(1);
    expect(h.smtp.mails.filter(slaMail('breached', 'Server room flooded'))).toHaveLength(1);
    expect(await slaEvents(h, ticket.id)).toEqual(['sla_warning', 'sla_breach']);
  });

  it("counts the warning, the breach and the mail in the daemon's metrics", async () => {
    const h = await mailboxHarness({ mailboxExtra: 'defaultPriority: urgent', extraConfig: SLA });
    try {
      const daemon = await h.start();
      await h.append(buildMail({ subject: 'Counted flood' }).raw);
      await h.smtp.waitForMail(slaMail('breached', 'Counted flood'), 'the breach notice', 30_000);
      const metrics = await waitFor(async () => {
        const { body } = await daemon.telemetry.scrape();
        return /^helpdesk_sla_alerts_total\{kind="breach"\} 1$/m.test(body) ? body : null;
      }, { what: 'the breach counted' });
      expect(metrics).toMatch(/^helpdesk_sla_alerts_total\{kind="warning"\} 1$/m);
      expect(metrics).toMatch(/^helpdesk_mails_ingested_total\{mailbox="support",kind="customer"\} 1$/m);
      expect(metrics).toMatch(/^helpdesk_ingest_latency_seconds_count\{mailbox="support"\} 1$/m);
      expect(metrics).toMatch(/^helpdesk_tickets\{status="new"\} 1$/m);
      expect(metrics).toMatch(/^helpdesk_outbox\{status="sent"\} \d+$/m);
      expect(metrics).toMatch(/^helpdesk_quarantine_size 0$/m);
      expect(metrics).toMatch(/^helpdesk_mailbox_up\{mailbox="support"\} 1$/m);
    } finally {
      await h.close();
    }
  });

  it('sends neither when an agent answers in time', async () => {
    const h = await running({ mailboxExtra: 'defaultPriority: urgent', extraConfig: SLA.replace('firstResponse: 5s', 'firstResponse: 6s') });
    await h.append(buildMail({ subject: 'Answered quickly' }).raw);
    const ticket = await ticketNamed(h, 'Answered quickly');
    const notification = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && (m.parsed.subject ?? '').includes('New ticket: Answered quickly'), 'the notification');
    await h.append(replyTo(notification.parsed, { from: AGENT, body: 'On it.' }).raw);
    await waitFor(async () => (await h.db.sql`select first_response_due_at from tickets where id = ${ticket.id}`)[0]!.first_response_due_at === null, {
      what: 'the first-response clock stopped',
    });
    await laterBreach(h, 'Nobody answers this one');

    expect(await slaEvents(h, ticket.id)).toEqual([]);
    expect(h.smtp.mails.filter((m) => (m.parsed.subject ?? '').includes('Answered quickly') && /SLA/.test(m.parsed.subject ?? ''))).toEqual([]);
  });

  it('still sends exactly one of each with two daemons running', async () => {
    const h = await running({ mailboxExtra: 'defaultPriority: urgent', extraConfig: SLA });
    await h.startAnother();
    await h.append(buildMail({ subject: 'Two daemons watching' }).raw);
    const ticket = await ticketNamed(h, 'Two daemons watching');
    await h.smtp.waitForMail(slaMail('breached', 'Two daemons watching'), 'the breach notice', 30_000);
    await laterBreach(h, 'Later one');

    expect(h.smtp.mails.filter(slaMail('due soon', 'Two daemons watching'))).toHaveLength(1);
    expect(h.smtp.mails.filter(slaMail('breached', 'Two daemons watching'))).toHaveLength(1);
    expect(await slaEvents(h, ticket.id)).toEqual(['sla_warning', 'sla_breach']);
  });
});

describe('auto-close and wake-up', () => {
  const closeNotice = (subject: string) => (m: CapturedMail) =>
    m.envelope.to.includes(CUSTOMER) && (m.parsed.text ?? '').includes('is now closed') && (m.parsed.subject ?? '').includes(subject);

  it('closes an Answered ticket idle past `after` once, with one notice, even with two daemons; a reply reopens it', async () => {
    const h = await running({ extraConfig: 'autoClose: { after: 3s }\nschedules: { slaScanEvery: 1s, autoCloseEvery: 1s }' });
    await h.startAnother();
    await h.append(buildMail({ subject: 'Idle ticket' }).raw);
    const ticket = await ticketNamed(h, 'Idle ticket');
    const notification = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && (m.parsed.subject ?? '').includes('Idle ticket'), 'the notification');
    await h.append(replyTo(notification.parsed, { from: AGENT, body: 'Does this help?' }).raw);
    await waitFor(async () => (await h.tickets())[0]!.status === 'answered', { what: 'Answered' });

    const notice = await h.smtp.waitForMail(closeNotice('Idle ticket'), 'the close notice', 30_000);
    expect((await h.tickets())[0]!.status).toBe('closed');
    expect(notice.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    // A second ticket closing later proves the closer kept running past the first one.
    await h.append(buildMail({ subject: 'Another idle one', from: 'dora@customer.test' }).raw);
    const other = await ticketNamed(h, 'Another idle one');
    await h.db.sql`update tickets set status = 'answered', last_activity_at = now() where id = ${other.id}`;
    await waitFor(async () => (await h.tickets()).find((t) => t.id === other.id)!.status === 'closed', { timeoutMs: 30_000, what: 'the second close' });
    expect(h.smtp.mails.filter(closeNotice('Idle ticket'))).toHaveLength(1);
    // Stored as the notice it is, not as an acknowledgement.
    expect(await h.db.sql`select kind::text from messages where message_id = ${notice.parsed.messageId!.replace(/[<>]/g, '')}`).toEqual([{ kind: 'auto_notice' }]);
    const events = await h.db.sql`select type from events where ticket_id = ${ticket.id} and type = 'auto_closed'`;
    expect(events).toHaveLength(1);

    await h.append(buildMail({ subject: 'Re: Idle ticket', inReplyTo: notice.parsed.messageId!.replace(/[<>]/g, '') }).raw);
    await waitFor(async () => (await h.tickets()).find((t) => t.id === ticket.id)!.status === 'open', { what: 'Open again' });
  });

  it('wakes a postponed ticket up when its time comes and tells the agent', async () => {
    const h = await running({ extraConfig: 'schedules: { slaScanEvery: 1s, autoCloseEvery: 1s }' });
    await h.append(buildMail({ subject: 'Call me later' }).raw);
    await ticketNamed(h, 'Call me later');
    const notification = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && (m.parsed.subject ?? '').includes('Call me later'), 'the notification');
    await h.append(replyTo(notification.parsed, { from: AGENT, body: '#postpone 2s' }).raw);
    await waitFor(async () => (await h.tickets())[0]!.status === 'postponed', { what: 'Postponed' });

    await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && (m.parsed.subject ?? '').includes('Postponed ticket is due'), 'the wake-up notice', 30_000);
    expect((await h.tickets())[0]!.status).toBe('open');
    const types = (await h.db.sql`select type from events order by id`).map((r) => r.type);
    expect(types).toContain('woke_up');
  });
});
