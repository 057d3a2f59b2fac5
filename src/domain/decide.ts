import { normalizeAddress, withoutSubaddress } from './address.js';
import type { AgentCommand, ParsedAgentReply } from './agent-commands.js';
import { agentsOfTicket, findAgent, type Agent } from './agents.js';
import { decideTransition, type LifecycleEvent } from './lifecycle.js';
import type { HeldBack, JoinDecision } from './participants.js';
import type { RuleMatch, RuleOutcome } from './rules.js';
import { advanceSla, type SlaEvent, type SlaMetric, type SlaPolicy } from './sla.js';
import { event, type TicketEvent } from './ticket-events.js';
import type { ThreadVia } from './threading.js';
import type { Priority, Ticket, TicketStatus } from './ticket.js';

/** What decide() needs of the config. */
export interface TicketPolicy {
  readonly reopenWindowMs: number;
  readonly agents: readonly Agent[];
  /** The SLA policy for a priority and department. */
  readonly sla: (priority: Priority, department: string) => SlaPolicy;
  /** New tickets are acknowledged (`autoAcknowledge.enabled`). */
  readonly acknowledge: boolean;
  /** Agents hear of customer mail (`notifications.enabled`). */
  readonly notifyAgents: boolean;
  /** The requester hears when auto-close closes the ticket (`autoClose.notifyCustomer`). */
  readonly autoCloseNotice: boolean;
  /** Who SLA notices go to (`sla.notify`): `assignee`, `department` or addresses. */
  readonly slaNotify: readonly string[];
  /** Our mailboxes' and agents' addresses: never copied on a ticket as customers. */
  readonly internal: ReadonlySet<string>;
}

/** A person on a ticket. */
export interface Participant {
  readonly address: string;
  readonly name: string;
  readonly role: 'requester' | 'cc';
}

/** What the rules decided on a customer mail, with the agent their `assign` picked (null: none). */
export interface RulesResult {
  readonly matches: readonly RuleMatch[];
  readonly outcome: RuleOutcome;
  readonly assignee: Agent | null;
}

/** What happened to a ticket. */
export type TicketChange =
  /** A customer mail started this (just created) ticket. */
  | {
      readonly type: 'opened';
      readonly actor: string;
      readonly joined: JoinDecision;
      readonly linkedFrom: { readonly id: number; readonly number: number } | null;
      readonly automatedSender: readonly string[] | null;
      readonly notes: readonly TicketEvent[];
      readonly rules: RulesResult | null;
    }
  /** A customer mail on the ticket. */
  | {
      readonly type: 'customer_message';
      readonly actor: string;
      readonly via: ThreadVia;
      readonly joined: JoinDecision;
      readonly notes: readonly TicketEvent[];
      readonly rules: RulesResult | null;
    }
  /** An authenticated agent's mail: its text for the customer, its command lines. */
  | {
      readonly type: 'agent_mail';
      readonly agent: Agent;
      readonly via: 'token' | 'dkim';
      readonly reply: ParsedAgentReply;
      readonly participants: readonly Participant[];
    }
  /** Mail in an agent's name that proves nothing: kept, reaches no customer. */
  | { readonly type: 'forged_agent_mail'; readonly agent: Agent; readonly from: string; readonly subject: string; readonly reason: string; readonly noticeSkipped: string | null }
  /** An auto-reply, bounce or our own mail joining the ticket. */
  | { readonly type: 'automated_mail'; readonly event: TicketEvent; readonly notes: readonly TicketEvent[] }
  /** `helpdesk tickets set`. `assignee`: who the admin named (address, name or local part); null unassigns. */
  | { readonly type: 'cli'; readonly priority?: Priority; readonly status?: TicketStatus; readonly assignee?: string | null }
  /** Auto-close: idle since `idleSince` in one of `statuses` for the configured time. */
  | { readonly type: 'idle_timeout'; readonly statuses: readonly TicketStatus[]; readonly idleSince: Date }
  /** Auto-close's warning, `warnBefore` ahead. */
  | { readonly type: 'close_warning'; readonly statuses: readonly TicketStatus[]; readonly idleSince: Date }
  | { readonly type: 'postpone_due' }
  | { readonly type: 'sla_alert'; readonly kind: 'warning' | 'breach'; readonly metric: SlaMetric; readonly dueAt: Date };

/** Mail a change causes; the use cases render and queue it. */
export type Effect =
  | { readonly type: 'acknowledge' }
  | { readonly type: 'notify_agents'; readonly about: 'new' | 'reply'; readonly heldBack: readonly HeldBack[] }
  | { readonly type: 'relay_reply'; readonly agent: Agent; readonly text: string }
  | { readonly type: 'confirm'; readonly agent: Agent; readonly done: readonly AgentCommand[]; readonly problems: readonly string[]; readonly replied: boolean }
  | { readonly type: 'forgery_notice'; readonly agent: Agent; readonly from: string; readonly subject: string; readonly reason: string }
  | { readonly type: 'rule_reply'; readonly rule: string; readonly template: string }
  | { readonly type: 'rule_notice'; readonly rule: string; readonly to: readonly string[]; readonly template: string }
  | { readonly type: 'customer_notice'; readonly template: 'autoClose' | 'autoCloseWarning'; readonly kind: 'auto_close' | 'auto_close_warning' }
  | { readonly type: 'due_notice' }
  | { readonly type: 'sla_notice'; readonly kind: 'warning' | 'breach'; readonly metric: SlaMetric; readonly dueAt: Date; readonly targets: readonly string[] }
  /** The customer wrote to a ticket closed longer than the reopen window: a new ticket, linked to it, takes the mail. */
  | { readonly type: 'open_linked_ticket' };

/** Who joins and leaves the ticket. */
export interface ParticipantChanges {
  readonly add: readonly { readonly address: string; readonly role: 'requester' | 'cc' }[];
  readonly remove: readonly string[];
}

export interface Decision {
  /** The ticket after the change (the same object when nothing about it changed). */
  readonly ticket: Ticket;
  readonly events: readonly TicketEvent[];
  readonly effects: readonly Effect[];
  readonly participants: ParticipantChanges;
  /** What could not be done, in words for whoever asked (an agent's command, the CLI). */
  readonly problems: readonly string[];
}

/**
 * Every change to a ticket, decided in one place: given the ticket, what
 * happened, the config's policy and the time, the new ticket, the events that
 * record it and the mail it causes. Statuses come from the lifecycle table
 * (domain/lifecycle.ts), the SLA clock from domain/sla.ts. Pure.
 */
export function decide(ticket: Ticket, change: TicketChange, policy: TicketPolicy, now: Date): Decision {
  const d = new Draft(ticket, policy, now);
  switch (change.type) {
    case 'opened':
      return opened(d, change);
    case 'customer_message':
      return customerMessage(d, change);
    case 'agent_mail':
      return agentMail(d, change);
    case 'forged_agent_mail':
      d.record(event('forged_agent_mail', 'system', { from: change.from, subject: change.subject, reason: change.reason }, { onMessage: true }));
      if (change.noticeSkipped) d.record(event('notice_skipped', 'system', { kind: 'forged_agent_mail', reason: change.noticeSkipped }, { onMessage: true }));
      else d.effects.push({ type: 'forgery_notice', agent: change.agent, from: change.from, subject: change.subject, reason: change.reason });
      return d.done();
    case 'automated_mail':
      d.record(change.event, ...change.notes);
      return d.done();
    case 'cli':
      return cliChange(d, change);
    case 'idle_timeout': {
      if (!stillIdle(ticket, change)) return d.done();
      if (!d.move({ type: 'idle_timeout' }, 'system')) return d.done();
      d.clock([{ type: 'status', status: d.ticket.status, at: now }]);
      d.record(event('auto_closed', 'system', { idleSince: change.idleSince.toISOString() }));
      if (policy.autoCloseNotice) d.effects.push({ type: 'customer_notice', template: 'autoClose', kind: 'auto_close' });
      return d.done();
    }
    case 'close_warning': {
      const warned = ticket.autoCloseWarnedAt !== null && ticket.autoCloseWarnedAt >= ticket.lastActivityAt;
      if (!stillIdle(ticket, change) || warned) return d.done();
      d.set({ autoCloseWarnedAt: now });
      d.record(event('auto_close_warned', 'system', {}));
      d.effects.push({ type: 'customer_notice', template: 'autoCloseWarning', kind: 'auto_close_warning' });
      return d.done();
    }
    case 'postpone_due': {
      if (ticket.postponedUntil === null || ticket.postponedUntil > now) return d.done();
      if (!d.move({ type: 'postpone_due' }, 'system')) return d.done();
      d.set({ lastActivityAt: now });
      d.clock([{ type: 'status', status: d.ticket.status, at: now }]);
      d.record(event('woke_up', 'system', {}));
      d.effects.push({ type: 'due_notice' });
      return d.done();
    }
    case 'sla_alert': {
      const data = { metric: change.metric, dueAt: change.dueAt.toISOString() };
      d.record(change.kind === 'breach' ? event('sla_breach', 'system', data) : event('sla_warning', 'system', data));
      d.effects.push({ type: 'sla_notice', kind: change.kind, metric: change.metric, dueAt: change.dueAt, targets: slaTargets(policy, ticket) });
      return d.done();
    }
  }
}

/** A new ticket: the people copied, its notes, the rules; acknowledged and the agents told unless it is spam. */
function opened(d: Draft, change: Extract<TicketChange, { type: 'opened' }>): Decision {
  const { actor, linkedFrom } = change;
  // The requester is on the ticket from its creation; the people copied join.
  for (const address of change.joined.add) d.participants.add.push({ address, role: 'cc' });
  const created = {
    mailbox: d.ticket.mailbox,
    ...(linkedFrom ? { linkedFrom: linkedFrom.number } : {}),
    ...(change.automatedSender ? { automatedSender: change.automatedSender } : {}),
  };
  d.record(event('created', actor, created, { onMessage: true }), ...heldBack(actor, change.joined.heldBack), ...change.notes);
  if (linkedFrom) d.record(event('followed_up', actor, { newTicket: d.ticket.number }, { ticketId: linkedFrom.id }));
  const acknowledge = change.rules ? applyRules(d, change.rules) : true;
  if (d.policy.acknowledge) {
    if (acknowledge) d.effects.push({ type: 'acknowledge' });
    else d.record(event('auto_ack_skipped', 'system', { reason: 'a rule turned the acknowledgement off' }, { onMessage: true }));
  }
  if (d.ticket.status !== 'spam' && d.policy.notifyAgents) d.effects.push({ type: 'notify_agents', about: 'new', heldBack: change.joined.heldBack });
  return d.done();
}

/**
 * A customer's mail on their ticket: the ticket moves per the lifecycle
 * table (a resolved one opens again; a closed one reopens inside the window,
 * else a new linked ticket takes the mail), whom it proves to know joins,
 * the next-response clock starts, the rules run, and the agents hear of it.
 */
function customerMessage(d: Draft, change: Extract<TicketChange, { type: 'customer_message' }>): Decision {
  const { actor, now } = { actor: change.actor, now: d.now };
  const moved = decideTransition(d.ticket.status, { type: 'customer_message' }, d.lifecycle());
  if (moved.kind === 'new_linked_ticket') {
    d.effects.push({ type: 'open_linked_ticket' });
    return d.done();
  }
  for (const address of change.joined.add) d.participants.add.push({ address, role: 'cc' });
  d.record(event('customer_replied', actor, { via: change.via }, { onMessage: true }));
  for (const address of change.joined.add) d.record(event('participant_added', actor, { address }, { onMessage: true }));
  d.record(...heldBack(actor, change.joined.heldBack));
  const slaEvents: SlaEvent[] = [];
  if (moved.kind === 'changed') {
    d.set({ status: moved.to, closedAt: null, postponedUntil: null });
    d.record(event('status_changed', actor, { from: moved.from, to: moved.to }, { onMessage: true }));
    if (moved.reopened) d.record(event('reopened', actor, { from: moved.from }, { onMessage: true }));
    // The status first: a reopened ticket's clock runs again, then the reply starts the next-response clock.
    slaEvents.push({ type: 'status', status: moved.to, at: now });
  }
  d.record(...change.notes);
  d.set({ lastCustomerMessageAt: now, lastActivityAt: now });
  d.clock([...slaEvents, { type: 'customer_replied', at: now }]);
  if (change.rules) applyRules(d, change.rules);
  if (d.ticket.status !== 'spam' && d.policy.notifyAgents) d.effects.push({ type: 'notify_agents', about: 'reply', heldBack: change.joined.heldBack });
  return d.done();
}

/**
 * An agent's mail: who is copied changes first (so this very answer goes to
 * the people named), then the answer goes out and the ticket becomes
 * Answered, then the command lines in order. Commands alone, or any that
 * failed, are confirmed to the agent.
 */
function agentMail(d: Draft, change: Extract<TicketChange, { type: 'agent_mail' }>): Decision {
  const { agent, reply, via } = change;
  const actor = `agent:${agent.email}`;
  const start = d.ticket;
  const isNote = reply.commands.some((c) => c.type === 'note');
  const replied = !isNote && reply.body.length > 0;
  const copied = ccCommands(d, change, actor);
  if (isNote) d.record(event('note_added', actor, { via }, { onMessage: true }));
  if (replied) {
    d.effects.push({ type: 'relay_reply', agent, text: reply.body });
    d.record(event('agent_replied', actor, { via }, { onMessage: true }));
    d.set({ lastAgentReplyAt: d.now });
    d.move({ type: 'agent_reply_queued' }, actor);
  }
  const done = [...copied.done];
  const problems = [...reply.problems, ...copied.problems];
  for (const command of reply.commands) {
    if (command.type === 'note' || command.type === 'cc') continue;
    const problem = applyCommand(d, command, actor);
    if (problem) problems.push(problem);
    else done.push(command);
  }
  const current = d.ticket;
  const statusMoved = current.status !== start.status;
  d.clock([...(replied ? [{ type: 'agent_replied', at: d.now } as const] : []), ...(statusMoved ? [{ type: 'status', status: current.status, at: d.now } as const] : [])]);
  if (replied || statusMoved || current.priority !== start.priority) d.set({ lastActivityAt: d.now });
  if ((!replied && !isNote) || problems.length > 0) d.effects.push({ type: 'confirm', agent, done, problems, replied });
  return d.done(problems);
}

/** One command line; a problem in words when it cannot be done. */
function applyCommand(d: Draft, command: Exclude<AgentCommand, { type: 'note' | 'cc' }>, actor: string): string | null {
  const ticket = d.ticket;
  switch (command.type) {
    case 'status':
      d.move({ type: 'agent_set_status', status: command.status }, actor);
      return null;
    case 'postpone':
      d.move({ type: 'agent_set_status', status: 'postponed' }, actor);
      d.set({ postponedUntil: command.until });
      d.record(event('postponed', actor, { until: command.until.toISOString() }, { onMessage: true }));
      return null;
    case 'priority':
      if (command.priority !== ticket.priority) d.record(event('priority_changed', actor, { from: ticket.priority, to: command.priority }, { onMessage: true }));
      d.set({ priority: command.priority });
      return null;
    case 'assign': {
      const target = findAgent(d.policy.agents, command.agent);
      if (!target) return `#assign ${command.agent}: no such agent (or more than one: give the address)`;
      d.record(event('assigned', actor, { from: ticket.assignee, to: target.email }, { onMessage: true }));
      d.set({ assignee: target.email });
      return null;
    }
    case 'tag':
    case 'untag': {
      const tags = command.type === 'tag' ? [...new Set([...ticket.tags, command.tag])] : ticket.tags.filter((t) => t !== command.tag);
      d.record(event(command.type === 'tag' ? 'tagged' : 'untagged', actor, { tag: command.tag }, { onMessage: true }));
      d.set({ tags });
      return null;
    }
  }
}

/** `#cc add|remove ADDRESS`: never our own addresses; the requester is never removed. */
function ccCommands(d: Draft, change: Extract<TicketChange, { type: 'agent_mail' }>, actor: string) {
  const result = { done: [] as AgentCommand[], problems: [] as string[] };
  const present = new Map(change.participants.map((p) => [normalizeAddress(p.address), p.role]));
  for (const command of change.reply.commands) {
    if (command.type !== 'cc') continue;
    const address = normalizeAddress(command.address);
    const line = `#cc ${command.action} ${command.address}`;
    if (d.policy.internal.has(withoutSubaddress(address))) {
      result.problems.push(`${line}: that is one of our own addresses`);
      continue;
    }
    if (command.action === 'add') {
      if (!present.has(address)) {
        present.set(address, 'cc');
        d.participants.add.push({ address, role: 'cc' });
        d.record(event('participant_added', actor, { address: command.address }, { onMessage: true }));
      }
    } else if (present.get(address) === 'cc') {
      present.delete(address);
      d.participants.remove.push(address);
      d.record(event('participant_removed', actor, { address: command.address }, { onMessage: true }));
    } else {
      result.problems.push(`${line}: ${present.get(address) === 'requester' ? 'the requester stays on the ticket' : 'not copied on this ticket'}`);
      continue;
    }
    result.done.push(command);
  }
  return result;
}

/**
 * What the rules decided, applied: priority, department, assignee, tags,
 * status — each applied rule an event naming it and what it changed — and
 * their replies and notices. Returns whether the mail may still be acknowledged.
 */
function applyRules(d: Draft, { matches, outcome, assignee }: RulesResult): boolean {
  if (matches.length === 0) return true;
  const before = d.ticket;
  for (const m of matches) d.record(event('rule_applied', `rule:${m.rule}`, { rule: m.rule, why: m.why, then: m.then }));
  const actor = `rule:${matches.at(-1)!.rule}`;
  if (outcome.priority && outcome.priority !== d.ticket.priority) {
    d.record(event('priority_changed', actor, { from: d.ticket.priority, to: outcome.priority }));
    d.set({ priority: outcome.priority });
  }
  if (outcome.department && outcome.department !== d.ticket.department) {
    d.record(event('department_changed', actor, { from: d.ticket.department, to: outcome.department }));
    d.set({ department: outcome.department });
  }
  if (outcome.assign && assignee && assignee.email !== d.ticket.assignee) {
    d.record(event('assigned', actor, { from: d.ticket.assignee, to: assignee.email, how: outcome.assign }));
    d.set({ assignee: assignee.email });
  }
  const tags = [...new Set([...d.ticket.tags.filter((t) => !outcome.tagsRemove.includes(t)), ...outcome.tagsAdd])];
  if (tags.join('\u0000') !== d.ticket.tags.join('\u0000')) {
    for (const tag of outcome.tagsAdd.filter((t) => !d.ticket.tags.includes(t))) d.record(event('tagged', actor, { tag }));
    for (const tag of outcome.tagsRemove.filter((t) => d.ticket.tags.includes(t))) d.record(event('untagged', actor, { tag }));
    d.set({ tags });
  }
  const statusMoved = outcome.status !== undefined && d.move({ type: 'agent_set_status', status: outcome.status }, actor, { postponedUntil: undefined });
  if (d.ticket.priority !== before.priority || d.ticket.department !== before.department || statusMoved) {
    d.clock(statusMoved ? [{ type: 'status', status: d.ticket.status, at: d.now }] : []);
  }
  for (const reply of outcome.replies) d.effects.push({ type: 'rule_reply', rule: reply.rule, template: reply.template });
  for (const notify of outcome.notifies) d.effects.push({ type: 'rule_notice', rule: notify.rule, to: ruleNoticeTargets(d, notify.to), template: notify.template });
  return outcome.autoAcknowledge && d.ticket.status !== 'spam';
}

/** `helpdesk tickets set`: priority, status, assignee, as an agent's commands would. */
function cliChange(d: Draft, change: Extract<TicketChange, { type: 'cli' }>): Decision {
  const start = d.ticket;
  if (change.assignee !== undefined) {
    const agent = change.assignee === null ? null : findAgent(d.policy.agents, change.assignee);
    if (change.assignee !== null && !agent) {
      return { ...d.done(), ticket: start, events: [], problems: [`no agent "${change.assignee}" in the config (give an address, a name or the local part of an address; one agent only)`] };
    }
    d.record(event('assigned', 'cli', { from: start.assignee, to: agent?.email ?? null }));
    d.set({ assignee: agent?.email ?? null });
  }
  if (change.priority && change.priority !== start.priority) {
    d.record(event('priority_changed', 'cli', { from: start.priority, to: change.priority }));
    d.set({ priority: change.priority });
  }
  if (change.status && d.move({ type: 'agent_set_status', status: change.status }, 'cli')) d.set({ lastActivityAt: d.now });
  if (d.events.length === 0) return { ...d.done(), ticket: start };
  d.clock(d.ticket.status !== start.status ? [{ type: 'status', status: d.ticket.status, at: d.now }] : []);
  return d.done();
}

/** The scan saw the ticket idle; it still is when nothing happened since and its status is one auto-close handles. */
function stillIdle(ticket: Ticket, change: { readonly statuses: readonly TicketStatus[]; readonly idleSince: Date }): boolean {
  return change.statuses.includes(ticket.status) && ticket.lastActivityAt.getTime() === change.idleSince.getTime();
}

/** `assignee` (else the department, when nobody is assigned), `department`, or a listed address. */
function slaTargets(policy: TicketPolicy, ticket: Ticket): string[] {
  const out = new Set<string>();
  for (const target of policy.slaNotify) {
    if (target === 'assignee' || target === 'department') {
      const agents = target === 'assignee' && ticket.assignee ? [ticket.assignee] : agentsOfTicket(policy.agents, { ...ticket, assignee: null }).map((a) => a.email);
      for (const a of agents) out.add(a);
    } else out.add(normalizeAddress(target));
  }
  return [...out];
}

/** A rule's notice targets: the assignee (else the department), the department's agents, or addresses. */
function ruleNoticeTargets(d: Draft, targets: readonly string[]): string[] {
  const to = new Set<string>();
  for (const target of targets) {
    if (target === 'assignee' && d.ticket.assignee) to.add(d.ticket.assignee);
    else if (target === 'assignee' || target === 'department') for (const a of agentsOfTicket(d.policy.agents, { ...d.ticket, assignee: null })) to.add(a.email);
    else to.add(normalizeAddress(target));
  }
  return [...to];
}

function heldBack(actor: string, list: readonly HeldBack[]): TicketEvent[] {
  return list.map((h) => event('participants_held_back', actor, { addresses: h.addresses, reason: h.reason }, { onMessage: true }));
}

type Fields = { -readonly [K in keyof Ticket]?: Ticket[K] };

/** The decision being built: the ticket as it moves, the events and effects so far. */
class Draft {
  readonly events: TicketEvent[] = [];
  readonly effects: Effect[] = [];
  readonly participants = { add: [] as { address: string; role: 'requester' | 'cc' }[], remove: [] as string[] };

  constructor(
    public ticket: Ticket,
    readonly policy: TicketPolicy,
    readonly now: Date,
  ) {}

  set(fields: Fields): void {
    this.ticket = { ...this.ticket, ...fields };
  }

  record(...events: TicketEvent[]): void {
    this.events.push(...events);
  }

  lifecycle() {
    return { now: this.now, closedAt: this.ticket.closedAt, reopenWindowMs: this.policy.reopenWindowMs };
  }

  /** Moves the status per the lifecycle table, with its event; true when it changed. */
  move(lifecycleEvent: LifecycleEvent, actor: string, extra: Fields = { postponedUntil: null }): boolean {
    const t = decideTransition(this.ticket.status, lifecycleEvent, this.lifecycle());
    if (t.kind !== 'changed') return false;
    const onMessage = actor !== 'system' && actor !== 'cli' && !actor.startsWith('rule:');
    this.record(event('status_changed', actor, { from: t.from, to: t.to }, { onMessage }));
    this.set({ status: t.to, closedAt: t.to === 'closed' ? this.now : null, ...withoutUndefined(extra) });
    return true;
  }

  /** Folds clock events under the policy of the ticket's current priority and department, then recomputes the due times. */
  clock(events: readonly SlaEvent[]): void {
    const policy = this.policy.sla(this.ticket.priority, this.ticket.department);
    this.set({ sla: [...events, { type: 'recompute' } as const].reduce((state, e) => advanceSla(state, e, policy), this.ticket.sla) });
  }

  done(problems: readonly string[] = []): Decision {
    return { ticket: this.ticket, events: this.events, effects: this.effects, participants: this.participants, problems };
  }
}

function withoutUndefined(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Fields;
}
