import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN } from '../../src/domain/business-time.js';
import type { AgentCommand } from '../../src/domain/agent-commands.js';
import { decide, type Effect, type TicketChange, type TicketPolicy } from '../../src/domain/decide.js';
import { advanceSla, newSlaState, type SlaPolicy } from '../../src/domain/sla.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { aTicket } from '../support/ticket.js';

/*
 * Ownership, assignment notices, the customer's notices and blocked senders:
 * the consequences decide() reads off a whole change, whichever path caused it.
 */

const HOUR = 3_600_000;
const NOW = new Date('2026-11-30T12:00:00Z');
const ALICE = { name: 'Alice', email: 'alice@example.test', departments: ['general'] };
const BOB = { name: 'Bob Builder', email: 'bob@example.test', departments: ['general'] };
const DAVE = { name: 'Dave', email: 'dave@example.test', departments: ['billing'] };

const slaPolicy: SlaPolicy = { targets: { firstResponse: 4 * HOUR }, calendar: ALWAYS_OPEN, pauseOn: new Set(['postponed']) };
const policy: TicketPolicy = {
  reopenWindowMs: 24 * HOUR,
  agents: [ALICE, BOB, DAVE],
  sla: () => slaPolicy,
  acknowledge: true,
  notifyAgents: true,
  autoCloseNotice: true,
  slaNotify: ['assignee'],
  internal: new Set(['support@example.test', ALICE.email, BOB.email, DAVE.email]),
  assignOnReply: true,
  afterAssign: 'assignee',
  customerNotices: { resolved: true, postponed: true },
  satisfaction: false,
};

function ticket(fields: Partial<Ticket> = {}): Ticket {
  const created = new Date(NOW.getTime() - 10 * HOUR);
  return aTicket(created, { sla: advanceSla(newSlaState(created), { type: 'created', at: created }, slaPolicy), ...fields });
}

const CAROL = { address: 'carol@customer.test', name: 'Carol', role: 'requester' } as const;

function agentMail(body: string, commands: AgentCommand[] = [], agent = ALICE): TicketChange {
  return { type: 'agent_mail', agent, via: 'token', reply: { body, commands, problems: [] }, participants: [CAROL] };
}

const customerReply: TicketChange = { type: 'customer_message', actor: 'customer:carol@customer.test', via: 'in-reply-to', joined: { add: [], heldBack: [] }, notes: [], rules: null };

function opened(extra: Partial<Extract<TicketChange, { type: 'opened' }>> = {}): TicketChange {
  return { type: 'opened', actor: 'customer:carol@customer.test', joined: { add: [], heldBack: [] }, linkedFrom: null, automatedSender: null, notes: [], rules: null, ...extra };
}

const ofType = <T extends Effect['type']>(effects: readonly Effect[], type: T) => effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);

describe('assignOnReply: the first agent to answer an unassigned ticket takes it', () => {
  it('assigns the answering agent, and tells nobody (they took it themselves)', () => {
    const d = decide(ticket(), agentMail('On it.'), policy, NOW);
    expect(d.ticket.assignee).toBe(ALICE.email);
    expect(d.events).toContainEqual(expect.objectContaining({ type: 'assigned', actor: `agent:${ALICE.email}`, data: { from: null, to: ALICE.email, how: 'reply' } }));
    expect(ofType(d.effects, 'assignment_notice')).toEqual([]);
  });

  it('leaves an assigned ticket with its assignee when another agent answers', () => {
    const d = decide(ticket({ assignee: BOB.email }), agentMail('Chiming in.'), policy, NOW);
    expect(d.ticket.assignee).toBe(BOB.email);
    expect(d.events.map((e) => e.type)).not.toContain('assigned');
  });

  it('does not assign on a note or on commands alone', () => {
    expect(decide(ticket(), agentMail('internal', [{ type: 'note' }]), policy, NOW).ticket.assignee).toBeNull();
    expect(decide(ticket(), agentMail('', [{ type: 'priority', priority: 'high' }]), policy, NOW).ticket.assignee).toBeNull();
  });

  it('is off with assignOnReply: false', () => {
    expect(decide(ticket(), agentMail('On it.'), { ...policy, assignOnReply: false }, NOW).ticket.assignee).toBeNull();
  });

  it('yields to an #assign in the same mail: Bob gets it, and hears of it once', () => {
    const d = decide(ticket(), agentMail('Bob knows printers.', [{ type: 'assign', agent: 'bob' }]), policy, NOW);
    expect(d.ticket.assignee).toBe(BOB.email);
    expect(d.events.filter((e) => e.type === 'assigned')).toHaveLength(1);
    expect(ofType(d.effects, 'assignment_notice')).toEqual([{ type: 'assignment_notice', agent: BOB, by: `agent:${ALICE.email}` }]);
  });
});

describe('assignment notices: every assignment by someone else, once', () => {
  it('#assign none unassigns, and nobody is told', () => {
    const d = decide(ticket({ assignee: BOB.email }), agentMail('', [{ type: 'assign', agent: null }]), policy, NOW);
    expect(d.ticket.assignee).toBeNull();
    expect(d.events).toContainEqual(expect.objectContaining({ type: 'assigned', data: { from: BOB.email, to: null } }));
    expect(ofType(d.effects, 'assignment_notice')).toEqual([]);
  });

  it('an agent assigning themselves by command is not told', () => {
    const d = decide(ticket(), agentMail('', [{ type: 'assign', agent: 'alice' }]), policy, NOW);
    expect(d.ticket.assignee).toBe(ALICE.email);
    expect(ofType(d.effects, 'assignment_notice')).toEqual([]);
  });

  it('the command line tells the new assignee', () => {
    const d = decide(ticket(), { type: 'cli', assignee: 'bob@example.test' }, policy, NOW);
    expect(ofType(d.effects, 'assignment_notice')).toEqual([{ type: 'assignment_notice', agent: BOB, by: 'cli' }]);
  });

  it('a rule (round-robin) tells the new assignee', () => {
    const rules = {
      matches: [{ rule: 'printers', why: ['subject contains printer'], then: { assign: 'round-robin' } }],
      outcome: { assign: 'round-robin', tagsAdd: [], tagsRemove: [], replies: [], notifies: [], autoAcknowledge: true },
      assignee: BOB,
    } as unknown as Extract<TicketChange, { type: 'opened' }>['rules'];
    const d = decide(ticket({ status: 'new' }), opened({ rules }), policy, NOW);
    expect(d.ticket.assignee).toBe(BOB.email);
    expect(ofType(d.effects, 'assignment_notice')).toEqual([{ type: 'assignment_notice', agent: BOB, by: 'rule:printers' }]);
    // The new ticket's notification goes to its assignee only.
    expect(ofType(d.effects, 'notify_agents')[0]!.to).toEqual([BOB.email]);
  });

  it('assigning the same agent again is no change and no notice', () => {
    const d = decide(ticket({ assignee: BOB.email }), { type: 'cli', assignee: 'bob' }, policy, NOW);
    expect(d.events).toEqual([]);
    expect(d.effects).toEqual([]);
  });
});

describe('notifications.afterAssign: who hears of customer mail on an assigned ticket', () => {
  it('assignee: the assignee only', () => {
    const d = decide(ticket({ assignee: BOB.email }), customerReply, policy, NOW);
    expect(ofType(d.effects, 'notify_agents')[0]!.to).toEqual([BOB.email]);
  });

  it('department: the department, and the assignee even from outside it', () => {
    const d = decide(ticket({ assignee: DAVE.email }), customerReply, { ...policy, afterAssign: 'department' }, NOW);
    expect(ofType(d.effects, 'notify_agents')[0]!.to).toEqual([ALICE.email, BOB.email, DAVE.email]);
  });

  it('unassigned: the department', () => {
    const d = decide(ticket(), customerReply, policy, NOW);
    expect(ofType(d.effects, 'notify_agents')[0]!.to).toEqual([ALICE.email, BOB.email]);
  });
});

describe('customer notices: resolved and postponed', () => {
  it('#status resolved tells the requester, after the answer that went with it', () => {
    const d = decide(ticket(), agentMail('Fixed it.', [{ type: 'status', status: 'resolved' }]), policy, NOW);
    expect(d.ticket.status).toBe('resolved');
    expect(d.effects.map((e) => e.type)).toEqual(['relay_reply', 'customer_notice']);
    expect(ofType(d.effects, 'customer_notice')).toEqual([{ type: 'customer_notice', template: 'resolved', kind: 'resolved' }]);
  });

  it('commands alone: the confirmation to the agent says the customer gets the notice', () => {
    const d = decide(ticket(), agentMail('', [{ type: 'status', status: 'resolved' }]), policy, NOW);
    expect(ofType(d.effects, 'confirm')[0]).toMatchObject({ replied: false, notice: 'resolved' });
    expect(d.effects.map((e) => e.type)).toEqual(['confirm', 'customer_notice']);
  });

  it('the command line resolving tells the requester too', () => {
    expect(ofType(decide(ticket(), { type: 'cli', status: 'resolved' }, policy, NOW).effects, 'customer_notice')).toHaveLength(1);
  });

  it('an already resolved ticket is not announced again', () => {
    expect(ofType(decide(ticket({ status: 'resolved' }), { type: 'cli', status: 'resolved' }, policy, NOW).effects, 'customer_notice')).toEqual([]);
  });

  it('a spam ticket never mails its sender', () => {
    expect(ofType(decide(ticket({ status: 'spam' }), { type: 'cli', status: 'resolved' }, policy, NOW).effects, 'customer_notice')).toEqual([]);
  });

  it('#postpone tells the requester when customerNotices.postponed is on, and not when off', () => {
    const until = new Date(NOW.getTime() + 48 * HOUR);
    const change = agentMail('', [{ type: 'postpone', until }]);
    expect(ofType(decide(ticket(), change, policy, NOW).effects, 'customer_notice')).toEqual([{ type: 'customer_notice', template: 'postponed', kind: 'postponed' }]);
    const off = { ...policy, customerNotices: { resolved: true, postponed: false } };
    expect(ofType(decide(ticket(), change, off, NOW).effects, 'customer_notice')).toEqual([]);
  });
});

describe('#spam and #spam block', () => {
  it('#spam marks the ticket spam and blocks nobody', () => {
    const d = decide(ticket(), agentMail('', [{ type: 'spam', block: false }]), policy, NOW);
    expect(d.ticket.status).toBe('spam');
    expect(ofType(d.effects, 'block_sender')).toEqual([]);
  });

  it("#spam block also blocks the requester's address", () => {
    const d = decide(ticket(), agentMail('', [{ type: 'spam', block: true }]), policy, NOW);
    expect(d.ticket.status).toBe('spam');
    expect(ofType(d.effects, 'block_sender')).toEqual([{ type: 'block_sender', address: 'carol@customer.test', reason: '#spam block on ticket 1007' }]);
    expect(d.events).toContainEqual(expect.objectContaining({ type: 'sender_blocked', data: { pattern: 'carol@customer.test' } }));
  });

  it('never blocks one of our own addresses', () => {
    const change: TicketChange = { ...(agentMail('', [{ type: 'spam', block: true }]) as Extract<TicketChange, { type: 'agent_mail' }>), participants: [{ ...CAROL, address: 'bob@example.test' }] };
    const d = decide(ticket(), change, policy, NOW);
    expect(ofType(d.effects, 'block_sender')).toEqual([]);
    expect(d.problems).toEqual(['#spam block: the requester is one of our own addresses']);
  });
});

describe('starting tickets by mail', () => {
  it('#new on an existing ticket is a problem, confirmed to the agent', () => {
    const d = decide(ticket(), agentMail('', [{ type: 'new', address: 'x@customer.test' }]), policy, NOW);
    expect(d.problems).toEqual(['#new x@customer.test: write it in a mail to your personal address, not in a reply on a ticket']);
    expect(ofType(d.effects, 'confirm')).toHaveLength(1);
  });

  it('opened_by_agent: created by the agent, the text goes to the customer, the ticket is Answered and theirs', () => {
    const change: TicketChange = {
      type: 'opened_by_agent',
      agent: ALICE,
      reply: { body: 'As discussed on the phone: here is the quote.', commands: [{ type: 'new', address: 'carol@customer.test' }], problems: [] },
      participants: [CAROL],
    };
    const d = decide(ticket({ status: 'new' }), change, policy, NOW);
    expect(d.events[0]).toEqual(expect.objectContaining({ type: 'created', actor: `agent:${ALICE.email}`, data: { mailbox: 'support', openedBy: ALICE.email } }));
    expect(d.ticket.status).toBe('answered');
    expect(d.ticket.assignee).toBe(ALICE.email);
    expect(d.effects.map((e) => e.type)).toEqual(['relay_reply']);
    expect(d.problems).toEqual([]);
  });

  it('a forwarded customer mail: the ticket is the forwarder’s, and only they are told', () => {
    const d = decide(ticket({ status: 'new' }), opened({ forwardedBy: BOB }), policy, NOW);
    expect(d.ticket.assignee).toBe(BOB.email);
    expect(d.events[0]).toEqual(expect.objectContaining({ type: 'created', data: { mailbox: 'support', forwardedBy: BOB.email } }));
    expect(ofType(d.effects, 'assignment_notice')).toEqual([]);
    expect(ofType(d.effects, 'notify_agents')[0]!.to).toEqual([BOB.email]);
    expect(ofType(d.effects, 'acknowledge')).toHaveLength(1);
  });
});

describe('blocked senders', () => {
  const blocked = { pattern: '*@spam.test', source: 'config' } as const;

  it('a new ticket from a blocked sender is spam: no acknowledgement, nobody told', () => {
    const d = decide(ticket({ status: 'new' }), opened({ blocked }), policy, NOW);
    expect(d.ticket.status).toBe('spam');
    expect(d.effects).toEqual([]);
    expect(d.events).toContainEqual(expect.objectContaining({ type: 'sender_was_blocked', data: blocked }));
  });

  it('a blocked sender writing on a ticket moves nothing and tells nobody', () => {
    const before = ticket({ status: 'answered' });
    const d = decide(before, { ...(customerReply as Extract<TicketChange, { type: 'customer_message' }>), blocked }, policy, NOW);
    expect(d.ticket).toBe(before);
    expect(d.effects).toEqual([]);
    expect(d.events.map((e) => e.type)).toEqual(['customer_replied', 'sender_was_blocked']);
  });
});
