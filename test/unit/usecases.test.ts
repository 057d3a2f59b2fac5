import { describe, expect, it } from 'vitest';
import { dryRunRules } from '../../src/usecases/dry-run.js';
import { parseMail } from '../../src/adapters/mime/parse-mail.js';
import { re2Test } from '../../src/adapters/regex/re2.js';
import { extractReply } from '../../src/adapters/mime/extract-reply.js';
import { changeTicket } from '../../src/usecases/change-ticket.js';
import { scanSla } from '../../src/usecases/sla-scan.js';
import { autoClose } from '../../src/usecases/auto-close.js';
import { wakePostponed } from '../../src/usecases/wake-postponed.js';
import { buildMail, newMessageId } from '../support/mail.js';
import { AGENT, rigConfig, UseCaseRig } from '../support/usecase-rig.js';

const HOUR = 3_600_000;
const CUSTOMER = 'carol@customer.test';

/** A customer's new ticket; returns its number and the notification Alice got (her way to answer). */
async function opened(rig: UseCaseRig, spec: Parameters<typeof buildMail>[0] = {}) {
  const mail = buildMail(spec);
  const result = await rig.ingest(mail.raw);
  const notification = rig.sent('notification', AGENT).at(-1)!;
  return { number: result.ticketNumber!, mail, notification, result };
}

/** Alice's answer by mail to her notification (the reply token proves her). */
function agentAnswer(notification: { replyTo: string | null; messageId: string | null }, body: string) {
  return buildMail({ from: `Alice <${AGENT}>`, to: notification.replyTo!, inReplyTo: notification.messageId!, subject: 'Re: Printer on fire', body });
}

describe('a customer mail', () => {
  it('opens a New ticket, acknowledges it, tells the department, and queues that mail after commit', async () => {
    const rig = new UseCaseRig();
    const { number, result } = await opened(rig);
    expect(result).toMatchObject({ outcome: 'created', kind: 'customer', queued: 3 });
    expect(rig.store.ticket(number)).toMatchObject({ status: 'new', priority: 'medium', version: 0 });
    expect(rig.store.eventsOf(number)).toEqual(['created']);
    expect(rig.sent('auto_ack', CUSTOMER)).toHaveLength(1);
    expect(rig.sent('notification').map((m) => m.to[0])).toEqual([AGENT, 'bob@example.test']);
    expect(rig.outbox.queued).toEqual(rig.store.outbox().map((m) => m.id));
  });

  it('stored once, however often it arrives', async () => {
    const rig = new UseCaseRig();
    const mail = buildMail();
    await rig.ingest(mail.raw);
    const again = await rig.ingest(mail.raw);
    expect(again).toMatchObject({ outcome: 'duplicate', queued: 0 });
    expect(rig.store.tickets).toHaveLength(1);
    expect(rig.store.outbox()).toHaveLength(3);
  });

  it('reopens an Answered ticket, starts the next-response clock and tells the agents', async () => {
    const rig = new UseCaseRig(rigConfig(['rules:', '  - { name: all high, when: { from: { glob: "*" } }, then: { priority: high } }']));
    const { number, mail, notification } = await opened(rig);
    await rig.ingest(agentAnswer(notification, 'We are on it.').raw);
    expect(rig.store.ticket(number).status).toBe('answered');
    rig.later(HOUR);
    const reply = await rig.ingest(buildMail({ inReplyTo: mail.messageId!, subject: 'Re: Printer on fire', body: 'Still burning.' }).raw);
    expect(reply).toMatchObject({ outcome: 'appended', via: 'in-reply-to' });
    const ticket = rig.store.ticket(number);
    expect(ticket.status).toBe('open');
    expect(ticket.sla.nextResponseDueAt?.toISOString()).toBe(new Date(rig.now.getTime() + 8 * HOUR).toISOString());
    expect(rig.store.eventsOf(number).slice(-2)).toEqual(['customer_replied', 'status_changed']);
    expect(rig.sent('notification', AGENT).at(-1)!.text).toContain('Still burning.');
  });

  it('after the reopen window, opens a new ticket linked to the closed one', async () => {
    const rig = new UseCaseRig(rigConfig(['reopenWindow: 1d']));
    const { number, mail } = await opened(rig);
    await changeTicket({ ...rig.deps, config: rig.config }, number, { status: 'closed' });
    rig.later(49 * HOUR);
    const late = await rig.ingest(buildMail({ inReplyTo: mail.messageId!, body: 'It is back.' }).raw);
    expect(late.outcome).toBe('created');
    expect(late.ticketNumber).not.toBe(number);
    expect(rig.store.eventsOf(number)).toContain('followed_up');
    expect(rig.store.ticket(number).status).toBe('closed');
  });
});

describe('an agent mail', () => {
  it('relays the answer to the customer, makes the ticket Answered and runs its commands in order', async () => {
    const rig = new UseCaseRig();
    const { number, notification } = await opened(rig);
    const result = await rig.ingest(agentAnswer(notification, '#priority high\n#assign bob\n#tag printers\n\nA technician is on the way.').raw);
    expect(result).toMatchObject({ outcome: 'appended', kind: 'agent', via: 'token' });
    expect(rig.store.ticket(number)).toMatchObject({ status: 'answered', priority: 'high', assignee: 'bob@example.test', tags: ['printers'] });
    const answer = rig.sent('agent_reply', CUSTOMER);
    expect(answer).toHaveLength(1);
    expect(answer[0]!.text).toBe('A technician is on the way.');
    expect(rig.store.eventsOf(number).slice(1)).toEqual(['agent_replied', 'status_changed', 'priority_changed', 'assigned', 'tagged']);
  });

  it('confirms commands sent alone, and says which it could not do', async () => {
    const rig = new UseCaseRig();
    const { number, notification } = await opened(rig);
    await rig.ingest(agentAnswer(notification, '#status resolved\n#assign nobody-here').raw);
    expect(rig.store.ticket(number).status).toBe('resolved');
    expect(rig.sent('agent_reply')).toHaveLength(0);
    const confirmation = rig.sent('notification', AGENT).at(-1)!;
    expect(confirmation.subject).toContain('Check your commands');
    expect(confirmation.text).toContain('#assign nobody-here: no such agent');
  });

  it('in the agent’s name without proof, reaches no customer and is told to the agent once', async () => {
    const rig = new UseCaseRig();
    const { number, mail } = await opened(rig);
    for (let i = 0; i < 3; i++) {
      const forged = await rig.ingest(buildMail({ from: `Alice <${AGENT}>`, inReplyTo: mail.messageId!, body: `#status closed\nrefund granted ${i}` }).raw);
      expect(forged.kind).toBe('forged');
    }
    expect(rig.store.ticket(number).status).toBe('new');
    expect(rig.sent('agent_reply')).toHaveLength(0);
    expect(rig.store.eventsOf(number).filter((e) => e === 'forged_agent_mail')).toHaveLength(3);
    expect(rig.sent('notification', AGENT).filter((m) => m.subject.includes('not accepted'))).toHaveLength(1);
  });
});

describe('rules', () => {
  it('set priority and tags, assign round-robin, and name themselves in the events', async () => {
    const rig = new UseCaseRig(
      rigConfig(['rules:', '  - { name: invoices, when: { subject: { contains: invoice } }, then: { priority: high, tags: [billing], assign: round-robin } }']),
    );
    const first = await opened(rig, { subject: 'Invoice 1' });
    const second = await opened(rig, { subject: 'Invoice 2' });
    expect(rig.store.ticket(first.number)).toMatchObject({ priority: 'high', tags: ['billing'], assignee: AGENT });
    expect(rig.store.ticket(second.number).assignee).toBe('bob@example.test');
    expect(rig.store.eventsOf(first.number)).toEqual(['created', 'rule_applied', 'priority_changed', 'assigned', 'tagged']);
  });

  it('marking a mail spam sends no acknowledgement and tells nobody', async () => {
    const rig = new UseCaseRig(rigConfig(['rules:', '  - { name: spam, when: { subject: { contains: casino } }, then: { status: spam } }']));
    const { number } = await opened(rig, { subject: 'Best casino' });
    expect(rig.store.ticket(number).status).toBe('spam');
    expect(rig.store.outbox()).toHaveLength(0);
    expect(rig.store.eventsOf(number)).toEqual(['created', 'rule_applied', 'status_changed', 'auto_ack_skipped']);
  });
});

describe('scheduled jobs', () => {
  it('the SLA scan warns once and reports a breach once, however often it runs', async () => {
    const rig = new UseCaseRig(rigConfig(['rules:', '  - { name: all high, when: { from: { glob: "*" } }, then: { priority: high } }']));
    const { number } = await opened(rig);
    rig.later(3.5 * HOUR);
    expect(await scanSla(rig.deps)).toEqual({ warnings: 1, breaches: 0 });
    expect(await scanSla(rig.deps)).toEqual({ warnings: 0, breaches: 0 });
    rig.later(HOUR);
    expect(await scanSla(rig.deps)).toEqual({ warnings: 0, breaches: 1 });
    expect(await scanSla(rig.deps)).toEqual({ warnings: 0, breaches: 0 });
    expect(rig.store.eventsOf(number).filter((e) => e.startsWith('sla_'))).toEqual(['sla_warning', 'sla_breach']);
  });

  it('auto-close closes an idle Answered ticket as the lifecycle table says, once, with a notice', async () => {
    const rig = new UseCaseRig(rigConfig(['autoClose: { after: 3d }']));
    const { number, notification } = await opened(rig);
    await rig.ingest(agentAnswer(notification, 'Fixed, I think.').raw);
    rig.later(73 * HOUR);
    expect(await autoClose(rig.deps)).toEqual({ closed: 1, warned: 0 });
    expect(await autoClose(rig.deps)).toEqual({ closed: 0, warned: 0 });
    expect(rig.store.ticket(number).status).toBe('closed');
    expect(rig.store.eventsOf(number).slice(-2)).toEqual(['status_changed', 'auto_closed']);
    expect(rig.sent('auto_notice', CUSTOMER)).toHaveLength(1);
  });

  it('auto-close leaves alone a ticket that moved after the scan saw it', async () => {
    const rig = new UseCaseRig(rigConfig(['autoClose: { after: 3d }']));
    const { number, notification } = await opened(rig);
    await rig.ingest(agentAnswer(notification, 'Fixed, I think.').raw);
    rig.later(73 * HOUR);
    const ticket = rig.store.ticket(number);
    rig.store.beforeNextSave = () => rig.store.touch(ticket.id, { lastActivityAt: rig.now });
    expect(await autoClose(rig.deps)).toEqual({ closed: 0, warned: 0 });
    expect(rig.store.ticket(number).status).toBe('answered');
  });

  it('wakes a Postponed ticket when its time comes and tells the agents', async () => {
    const rig = new UseCaseRig();
    const { number, notification } = await opened(rig);
    await rig.ingest(agentAnswer(notification, '#postpone 2d').raw);
    expect(rig.store.ticket(number).status).toBe('postponed');
    expect(await wakePostponed(rig.deps)).toBe(0);
    rig.later(49 * HOUR);
    expect(await wakePostponed(rig.deps)).toBe(1);
    expect(rig.store.ticket(number)).toMatchObject({ status: 'open', postponedUntil: null });
    expect(rig.sent('notification', AGENT).at(-1)!.subject).toContain('Postponed ticket is due');
  });
});

describe('one save, conditional on the version loaded', () => {
  it('a change saved meanwhile makes the use case decide again, and both survive', async () => {
    const rig = new UseCaseRig();
    const { number, mail } = await opened(rig);
    const ticket = rig.store.ticket(number);
    rig.store.beforeNextSave = () => rig.store.touch(ticket.id, { assignee: 'bob@example.test', status: 'resolved' });
    const before = rig.store.transactions;
    await rig.ingest(buildMail({ inReplyTo: mail.messageId!, body: 'One more thing.' }).raw);
    expect(rig.store.transactions - before).toBe(2);
    expect(rig.store.ticket(number)).toMatchObject({ status: 'open', assignee: 'bob@example.test' });
    expect(rig.store.eventsOf(number).filter((e) => e === 'customer_replied')).toHaveLength(1);
    expect(rig.store.messages.filter((m) => m.direction === 'in')).toHaveLength(2);
  });

  it('tickets set names an agent the way #assign does', async () => {
    const rig = new UseCaseRig();
    const { number } = await opened(rig);
    const deps = { ...rig.deps, config: rig.config };
    expect(await changeTicket(deps, number, { assignee: 'bob' })).toEqual({ ok: true, events: ['assigned'] });
    expect(rig.store.ticket(number).assignee).toBe('bob@example.test');
    // Bob again, by his name: no change, so no event.
    expect(await changeTicket(deps, number, { assignee: 'Bob Builder', priority: 'urgent' })).toEqual({ ok: true, events: ['priority_changed'] });
    expect(await changeTicket(deps, number, { assignee: 'example.test' })).toMatchObject({ ok: false });
  });
});

describe('the dry run decides as ingest does, and saves nothing', () => {
  const dryRun = (rig: UseCaseRig, raw: string) => dryRunRules({ config: rig.config, parse: parseMail, regex: re2Test, store: rig.store, now: rig.now, extractReply }, Buffer.from(raw));

  it('says which ticket a stored mail is on and what happened to it then', async () => {
    const rig = new UseCaseRig();
    const { number, mail } = await opened(rig);
    const report = await dryRun(rig, mail.raw);
    expect(report.threading).toMatchObject({ decision: 'duplicate', ticket: number, stored: { ticket: number, kind: 'customer', events: ['created'] } });
    expect(report.trigger).toBeNull();
  });

  it('predicts Open for a customer reply to a Resolved ticket', async () => {
    const rig = new UseCaseRig();
    const { number, mail, notification } = await opened(rig);
    await rig.ingest(agentAnswer(notification, '#status resolved').raw);
    const transactions = rig.store.transactions;
    const report = await dryRun(rig, buildMail({ inReplyTo: mail.messageId!, messageId: newMessageId() }).raw);
    expect(report.threading).toMatchObject({ decision: 'existing', ticket: number });
    expect(report.result.status).toBe('open');
    expect(rig.store.transactions).toBe(transactions);
    expect(rig.store.ticket(number).status).toBe('resolved');
  });
});
