import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN } from '../../src/domain/business-time.js';
import { decide, type TicketChange, type TicketPolicy } from '../../src/domain/decide.js';
import { newSlaState, advanceSla, type SlaPolicy } from '../../src/domain/sla.js';
import { TICKET_STATUSES, type Ticket, type TicketStatus } from '../../src/domain/ticket.js';
import { aTicket } from '../support/ticket.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-11-30T12:00:00Z');
const ALICE = { name: 'Alice', email: 'alice@example.test', departments: ['general'] };
const BOB = { name: 'Bob Builder', email: 'bob@example.test', departments: ['general'] };

const slaPolicy: SlaPolicy = { targets: { firstResponse: 4 * HOUR, nextResponse: 8 * HOUR, resolution: 48 * HOUR }, calendar: ALWAYS_OPEN, pauseOn: new Set(['postponed']) };
const policy: TicketPolicy = {
  reopenWindowMs: 24 * HOUR,
  agents: [ALICE, BOB],
  sla: () => slaPolicy,
  acknowledge: true,
  notifyAgents: true,
  autoCloseNotice: true,
  slaNotify: ['assignee', 'boss@example.test'],
  internal: new Set(['support@example.test', ALICE.email, BOB.email]),
  // The tests of ownership and customer notices turn these on.
  assignOnReply: false,
  afterAssign: 'assignee',
  customerNotices: { resolved: false, postponed: false },
  satisfaction: false,
};

function ticket(fields: Partial<Ticket> = {}): Ticket {
  const created = new Date(NOW.getTime() - 10 * HOUR);
  return aTicket(created, { sla: advanceSla(newSlaState(created), { type: 'created', at: created }, slaPolicy), ...fields });
}

const reply: TicketChange = { type: 'customer_message', actor: 'customer:carol@customer.test', via: 'in-reply-to', joined: { add: [], heldBack: [] }, notes: [], rules: null };
const agentMail = (body: string, commands: Extract<TicketChange, { type: 'agent_mail' }>['reply']['commands'] = []): TicketChange => ({
  type: 'agent_mail',
  agent: ALICE,
  via: 'token',
  reply: { body, commands, problems: [] },
  participants: [{ address: 'carol@customer.test', name: 'Carol', role: 'requester' }],
});

describe('decide: the lifecycle table drives every status change', () => {
  const closedAt = new Date(NOW.getTime() - HOUR);
  const expected: Record<string, Record<TicketStatus, TicketStatus | 'linked'>> = {
    customer_message: { new: 'new', open: 'open', answered: 'open', postponed: 'open', resolved: 'open', closed: 'open', spam: 'spam' },
    idle_timeout: { new: 'new', open: 'open', answered: 'closed', postponed: 'postponed', resolved: 'closed', closed: 'closed', spam: 'spam' },
    postpone_due: { new: 'new', open: 'open', answered: 'answered', postponed: 'open', resolved: 'resolved', closed: 'closed', spam: 'spam' },
  };
  const changes: Record<string, TicketChange> = {
    customer_message: reply,
    idle_timeout: { type: 'idle_timeout', statuses: [...TICKET_STATUSES], idleSince: new Date(NOW.getTime() - 10 * HOUR) },
    postpone_due: { type: 'postpone_due' },
  };
  for (const [row, cells] of Object.entries(expected)) {
    for (const status of TICKET_STATUSES) {
      it(`${row} on a ${status} ticket → ${cells[status]}`, () => {
        const before = ticket({ status, closedAt: status === 'closed' ? closedAt : null, postponedUntil: status === 'postponed' ? new Date(NOW.getTime() - 1) : null });
        const d = decide(before, changes[row]!, policy, NOW);
        expect(d.ticket.status).toBe(cells[status]);
        const moved = d.events.filter((e) => e.type === 'status_changed');
        expect(moved).toHaveLength(cells[status] === status ? 0 : 1);
      });
    }
  }

  it('a customer mail on a ticket closed longer than the reopen window asks for a new linked ticket and changes nothing', () => {
    const before = ticket({ status: 'closed', closedAt: new Date(NOW.getTime() - 25 * HOUR) });
    const d = decide(before, reply, policy, NOW);
    expect(d.effects).toEqual([{ type: 'open_linked_ticket' }]);
    expect(d.ticket).toBe(before);
    expect(d.events).toEqual([]);
  });

  it('a reopened ticket records reopened, its clock runs again, and the next response is due', () => {
    const before = ticket({ status: 'closed', closedAt: new Date(NOW.getTime() - HOUR), sla: { ...ticket().sla, stopped: true } });
    const d = decide(before, reply, policy, NOW);
    expect(d.events.map((e) => e.type)).toEqual(['customer_replied', 'status_changed', 'reopened']);
    expect(d.ticket).toMatchObject({ status: 'open', closedAt: null, lastActivityAt: NOW, lastCustomerMessageAt: NOW });
    expect(d.ticket.sla.stopped).toBe(false);
  });

  it('auto-close does nothing to a ticket that moved since the scan', () => {
    const before = ticket({ status: 'answered', lastActivityAt: NOW });
    const d = decide(before, { type: 'idle_timeout', statuses: ['answered'], idleSince: new Date(NOW.getTime() - 80 * HOUR) }, policy, NOW);
    expect(d.ticket).toBe(before);
    expect(d.events).toEqual([]);
  });

  it('auto-close closes, stops the clock and sends the notice when configured', () => {
    const idleSince = new Date(NOW.getTime() - 80 * HOUR);
    const d = decide(ticket({ status: 'resolved', lastActivityAt: idleSince }), { type: 'idle_timeout', statuses: ['resolved'], idleSince }, policy, NOW);
    expect(d.ticket).toMatchObject({ status: 'closed', closedAt: NOW });
    expect(d.ticket.sla.stopped).toBe(true);
    expect(d.effects).toEqual([{ type: 'customer_notice', template: 'autoClose', kind: 'auto_close' }]);
    expect(decide(ticket({ status: 'resolved', lastActivityAt: idleSince }), { type: 'idle_timeout', statuses: ['resolved'], idleSince }, { ...policy, autoCloseNotice: false }, NOW).effects).toEqual([]);
  });

  it('warns before closing once per idle spell', () => {
    const idleSince = new Date(NOW.getTime() - 60 * HOUR);
    const change: TicketChange = { type: 'close_warning', statuses: ['answered'], idleSince };
    const d = decide(ticket({ status: 'answered', lastActivityAt: idleSince }), change, policy, NOW);
    expect(d.ticket.autoCloseWarnedAt).toEqual(NOW);
    expect(decide(d.ticket, change, policy, NOW).events).toEqual([]);
  });
});

describe('decide: agent mail', () => {
  it('an answer goes to the customer first, then the commands apply in order', () => {
    const d = decide(ticket(), agentMail('On my way.', [{ type: 'priority', priority: 'high' }, { type: 'assign', agent: 'bob' }, { type: 'status', status: 'resolved' }]), policy, NOW);
    expect(d.ticket).toMatchObject({ status: 'resolved', priority: 'high', assignee: BOB.email, lastAgentReplyAt: NOW, lastActivityAt: NOW });
    expect(d.events.map((e) => e.type)).toEqual(['agent_replied', 'status_changed', 'priority_changed', 'assigned', 'status_changed']);
    // Alice gave the ticket to Bob: he hears of it.
    expect(d.effects.map((e) => e.type)).toEqual(['relay_reply', 'assignment_notice']);
    expect(d.ticket.sla.firstRespondedAt).toEqual(NOW);
  });

  it('commands alone are confirmed; an agent named twice over is a problem, not a guess', () => {
    const twoBobs = { ...policy, agents: [...policy.agents, { name: 'Bob Builder', email: 'bob2@example.test', departments: [] }] };
    const d = decide(ticket(), agentMail('', [{ type: 'assign', agent: 'Bob Builder' }, { type: 'tag', tag: 'vip' }]), twoBobs, NOW);
    expect(d.ticket.assignee).toBeNull();
    expect(d.ticket.tags).toEqual(['vip']);
    expect(d.effects).toEqual([expect.objectContaining({ type: 'confirm', problems: [expect.stringContaining('#assign Bob Builder')], replied: false })]);
  });

  it('#cc never copies our own addresses and never removes the requester', () => {
    const d = decide(
      ticket(),
      agentMail('Copying your colleague.', [
        { type: 'cc', action: 'add', address: 'dave@customer.test' },
        { type: 'cc', action: 'add', address: 'support+x@example.test' },
        { type: 'cc', action: 'remove', address: 'carol@customer.test' },
      ]),
      policy,
      NOW,
    );
    expect(d.participants).toEqual({ add: [{ address: 'dave@customer.test', role: 'cc' }], remove: [] });
    expect(d.problems).toEqual([expect.stringContaining('our own addresses'), expect.stringContaining('the requester stays')]);
  });

  it('#postpone sets the wake-up time and pauses the resolution clock', () => {
    const until = new Date(NOW.getTime() + 48 * HOUR);
    const d = decide(ticket(), agentMail('', [{ type: 'postpone', until }]), policy, NOW);
    expect(d.ticket).toMatchObject({ status: 'postponed', postponedUntil: until });
    expect(d.ticket.sla.resolutionRunningSince).toBeNull();
  });
});

describe('decide: the command line and the rules', () => {
  it('tickets set assigns by address, name or local part; an unknown one is refused whole', () => {
    for (const who of ['bob@example.test', 'Bob Builder', 'bob']) expect(decide(ticket(), { type: 'cli', assignee: who }, policy, NOW).ticket.assignee).toBe(BOB.email);
    const refused = decide(ticket(), { type: 'cli', assignee: 'carol', priority: 'urgent' }, policy, NOW);
    expect(refused.problems).toHaveLength(1);
    expect(refused.events).toEqual([]);
    expect(refused.ticket.priority).toBe('medium');
  });

  it('a rule outcome applies after the message, and a spam verdict silences the agents', () => {
    const rules = {
      matches: [{ rule: 'casino', why: ['subject contains casino'], then: { status: 'spam' as const } }],
      outcome: { tagsAdd: [], tagsRemove: [], status: 'spam' as const, autoAcknowledge: true, replies: [], notifies: [] },
      assignee: null,
    };
    const d = decide(ticket(), { ...reply, rules } as TicketChange, policy, NOW);
    expect(d.ticket.status).toBe('spam');
    expect(d.events.map((e) => e.type)).toEqual(['customer_replied', 'rule_applied', 'status_changed']);
    expect(d.effects).toEqual([]);
  });

  it('SLA alerts go to the assignee (else the department) and the listed addresses', () => {
    const alert: TicketChange = { type: 'sla_alert', kind: 'breach', metric: 'first_response', dueAt: NOW };
    expect(decide(ticket(), alert, policy, NOW).effects).toEqual([expect.objectContaining({ targets: [ALICE.email, BOB.email, 'boss@example.test'] })]);
    expect(decide(ticket({ assignee: BOB.email }), alert, policy, NOW).effects).toEqual([expect.objectContaining({ targets: [BOB.email, 'boss@example.test'] })]);
  });
});
