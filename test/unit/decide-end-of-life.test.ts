import { describe, expect, it } from 'vitest';
import { parseAgentReply, type AgentCommand } from '../../src/domain/agent-commands.js';
import { ALWAYS_OPEN } from '../../src/domain/business-time.js';
import { decide, type Effect, type MergeTarget, type TicketChange, type TicketPolicy } from '../../src/domain/decide.js';
import { advanceSla, newSlaState, type SlaPolicy } from '../../src/domain/sla.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { aTicket } from '../support/ticket.js';

/* Soft delete, merge and the satisfaction question, as decide() reads them. */

const HOUR = 3_600_000;
const NOW = new Date('2026-11-30T12:00:00Z');
const ALICE = { name: 'Alice', email: 'alice@example.test', departments: ['general'] };
const slaPolicy: SlaPolicy = { targets: { firstResponse: 4 * HOUR, resolution: 48 * HOUR }, calendar: ALWAYS_OPEN, pauseOn: new Set(['postponed']) };
const policy: TicketPolicy = {
  reopenWindowMs: 24 * HOUR,
  agents: [ALICE],
  sla: () => slaPolicy,
  acknowledge: true,
  notifyAgents: true,
  autoCloseNotice: true,
  slaNotify: ['assignee'],
  internal: new Set(['support@example.test', ALICE.email]),
  assignOnReply: false,
  afterAssign: 'assignee',
  customerNotices: { resolved: true, postponed: false },
  satisfaction: true,
};

function ticket(fields: Partial<Ticket> = {}): Ticket {
  const created = new Date(NOW.getTime() - 10 * HOUR);
  return aTicket(created, { sla: advanceSla(newSlaState(created), { type: 'created', at: created }, slaPolicy), ...fields });
}

function agentMail(commands: AgentCommand[], mergeTarget?: MergeTarget | null, body = ''): TicketChange {
  return {
    type: 'agent_mail',
    agent: ALICE,
    via: 'token',
    reply: { body, commands, problems: [] },
    participants: [{ address: 'carol@customer.test', name: 'Carol', role: 'requester' }],
    ...(mergeTarget !== undefined ? { mergeTarget } : {}),
  };
}

const target = (fields: Partial<MergeTarget> = {}): MergeTarget => ({ id: 9, number: 1009, requesterId: 1, status: 'open', deletedAt: null, mergedIntoId: null, ...fields });
const types = (effects: readonly Effect[]) => effects.map((e) => e.type);

describe('agent commands: #status deleted and #merge', () => {
  it.each<[string, AgentCommand | string]>([
    ['#status deleted', { type: 'delete' }],
    ['#merge 1042', { type: 'merge', into: 1042 }],
    ['#merge #1042', { type: 'merge', into: 1042 }],
    ['#merge [#1042]', { type: 'merge', into: 1042 }],
    ['#merge', 'write #merge and the number of the ticket to merge this one into: #merge 1042'],
    ['#merge soon', 'write #merge and the number of the ticket to merge this one into: #merge 1042'],
  ])('%s', (line, expected) => {
    const parsed = parseAgentReply(line, NOW);
    if (typeof expected === 'string') expect(parsed.problems).toEqual([`${line}: ${expected}`]);
    else expect(parsed.commands).toEqual([expected]);
  });
});

describe('soft delete', () => {
  it('#status deleted hides the ticket: deletedAt, an event, its SLA clock stopped', () => {
    const d = decide(ticket(), agentMail([{ type: 'delete' }]), policy, NOW);
    expect(d.ticket.deletedAt).toEqual(NOW);
    expect(d.ticket.status).toBe('open');
    expect(d.events.map((e) => e.type)).toContain('deleted');
    expect(d.ticket.sla.firstResponseDueAt).toBeNull();
    expect(d.ticket.sla.resolutionDueAt).toBeNull();
  });

  it('deleting twice changes nothing the second time', () => {
    const once = decide(ticket(), { type: 'cli', delete: true }, policy, NOW);
    const twice = decide(once.ticket, { type: 'cli', delete: true }, policy, NOW);
    expect(twice.events).toEqual([]);
    expect(twice.ticket).toBe(once.ticket);
  });

  it('the scheduled jobs leave a deleted ticket alone: no auto-close, no wake-up, no SLA notice', () => {
    const idleSince = new Date(NOW.getTime() - 100 * HOUR);
    const deleted = ticket({ status: 'answered', lastActivityAt: idleSince, deletedAt: idleSince });
    expect(decide(deleted, { type: 'idle_timeout', statuses: ['answered'], idleSince }, policy, NOW).events).toEqual([]);
    expect(decide(deleted, { type: 'close_warning', statuses: ['answered'], idleSince }, policy, NOW).effects).toEqual([]);
    expect(decide({ ...deleted, status: 'postponed', postponedUntil: idleSince }, { type: 'postpone_due' }, policy, NOW).events).toEqual([]);
    expect(decide(deleted, { type: 'sla_alert', kind: 'breach', metric: 'resolution', dueAt: idleSince }, policy, NOW).effects).toEqual([]);
  });

  it('a deleted ticket that is resolved mails its requester nothing', () => {
    const d = decide(ticket({ deletedAt: NOW }), { type: 'cli', status: 'resolved' }, policy, NOW);
    expect(types(d.effects)).toEqual([]);
  });
});

describe('merge', () => {
  it('#merge N: the ticket closes, points to N, and the merge effect moves its history', () => {
    const d = decide(ticket(), agentMail([{ type: 'merge', into: 1009 }], target()), policy, NOW);
    expect(d.problems).toEqual([]);
    expect(d.ticket).toMatchObject({ status: 'closed', mergedIntoId: 9 });
    expect(d.events.map((e) => e.type)).toEqual(['merged_into', 'status_changed']);
    expect(d.effects).toContainEqual({ type: 'merge', into: target() });
    // Closing by merge is no resolution: the customer is not told their ticket was solved.
    expect(types(d.effects)).not.toContain('customer_notice');
  });

  it.each<[string, MergeTarget | null, Partial<Ticket>, string]>([
    ['no such ticket', null, {}, '#merge 1009: no ticket 1009'],
    ['the same ticket', target({ id: 7, number: 1007 }), {}, '#merge 1009: that is this ticket'],
    ['another requester', target({ requesterId: 2 }), {}, "#merge 1009: ticket 1009 has another requester; only one customer's tickets are merged"],
    ['a deleted target', target({ deletedAt: NOW }), {}, '#merge 1009: ticket 1009 was deleted'],
    ['a merged target', target({ mergedIntoId: 3 }), {}, '#merge 1009: ticket 1009 was merged into another'],
    ['this ticket merged already', target(), { mergedIntoId: 5 }, '#merge 1009: this ticket was merged already'],
  ])('refuses %s, and confirms why to the agent', (_, into, fields, problem) => {
    const d = decide(ticket(fields), agentMail([{ type: 'merge', into: 1009 }], into), policy, NOW);
    expect(d.problems).toEqual([problem]);
    expect(d.ticket.mergedIntoId).toBe(fields.mergedIntoId ?? null);
    expect(types(d.effects)).toEqual(['confirm']);
  });

  it('tickets merge A B refuses as a whole, with the reason in words', () => {
    const d = decide(ticket(), { type: 'cli', mergeInto: { number: 1009, target: target({ requesterId: 2 }) } }, policy, NOW);
    expect(d.problems).toEqual(["ticket 1009 has another requester; only one customer's tickets are merged"]);
    expect(d.events).toEqual([]);
    expect(decide(ticket(), { type: 'cli', mergeInto: { number: 999999, target: null } }, policy, NOW).problems).toEqual(['no ticket 999999']);
  });

  it('the survivor records the merge and takes the merged ticket’s tags', () => {
    const d = decide(ticket({ tags: ['vip'] }), { type: 'merged_in', actor: 'cli', from: { number: 1003, tags: ['printer', 'vip'] } }, policy, NOW);
    expect(d.events).toEqual([expect.objectContaining({ type: 'merged', actor: 'cli', data: { from: 1003 } })]);
    expect(d.ticket.tags).toEqual(['vip', 'printer']);
  });
});

describe('satisfaction', () => {
  it('the first resolution asks the requester, once', () => {
    const d = decide(ticket(), agentMail([{ type: 'status', status: 'resolved' }]), policy, NOW);
    expect(types(d.effects)).toEqual(['confirm', 'customer_notice', 'satisfaction_request']);
    expect(d.ticket.satisfactionAskedAt).toEqual(NOW);
    const again = decide({ ...d.ticket, status: 'open' }, { type: 'cli', status: 'resolved' }, policy, NOW);
    expect(types(again.effects)).toEqual(['customer_notice']);
  });

  it('is off unless configured, and never for spam or deleted tickets', () => {
    expect(types(decide(ticket(), { type: 'cli', status: 'resolved' }, { ...policy, satisfaction: false }, NOW).effects)).toEqual(['customer_notice']);
    expect(types(decide(ticket({ status: 'spam' }), { type: 'cli', status: 'resolved' }, policy, NOW).effects)).toEqual([]);
    expect(types(decide(ticket({ deletedAt: NOW }), { type: 'cli', status: 'resolved' }, policy, NOW).effects)).toEqual([]);
  });

  it('an answer is an event; a comment by mail is an event on the mail; the ticket does not move', () => {
    const resolved = ticket({ status: 'resolved', satisfactionAskedAt: NOW });
    const rated = decide(resolved, { type: 'satisfaction', actor: 'customer:carol@customer.test', rating: 'bad', comment: 'Took a week.' }, policy, NOW);
    expect(rated.events).toEqual([expect.objectContaining({ type: 'satisfaction_rated', data: { rating: 'bad', comment: 'Took a week.' } })]);
    expect(rated.ticket).toBe(resolved);
    const commented = decide(resolved, { type: 'satisfaction_comment', actor: 'customer:carol@customer.test' }, policy, NOW);
    expect(commented.events).toEqual([expect.objectContaining({ type: 'satisfaction_comment', onMessage: true })]);
    expect(commented.ticket).toBe(resolved);
    expect(commented.effects).toEqual([]);
  });
});
