import { normalizeAddress, withoutSubaddress } from './address.js';
import type { AgentCommand, ParsedAgentReply } from './agent-commands.js';
import { agentByAddress, agentsOfTicket, findAgent, type Agent } from './agents.js';
import { decideTransition, type LifecycleEvent } from './lifecycle.js';
import type { HeldBack, JoinDecision } from './participants.js';
import type { RuleMatch, RuleOutcome } from './rules.js';
import { advanceSla, type SlaEvent, type SlaMetric, type SlaPolicy } from './sla.js';
import { event, type AgentVia, type TicketEvent } from './ticket-events.js';
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
  /** The first agent to answer an unassigned ticket takes it (`assignOnReply`). */
  readonly assignOnReply: boolean;
  /** Who hears of customer mail on an assigned ticket (`notifications.afterAssign`). */
  readonly afterAssign: 'assignee' | 'department';
  /** The status changes the requester hears of (`customerNotices`). */
  readonly customerNotices: { readonly resolved: boolean; readonly postponed: boolean };
  /** A resolved ticket's requester is asked how we did, once (`satisfaction.enabled`). */
  readonly satisfaction: boolean;
}

/** The ticket a merge names, as loaded: what decide() checks before merging into it. */
export type MergeTarget = Pick<Ticket, 'id' | 'number' | 'requesterId' | 'status' | 'deletedAt' | 'mergedIntoId'>;

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

/** The sender is on a blocklist (config `senders.block`, or the database's): their mail is spam. */
export interface BlockedBy {
  readonly pattern: string;
  readonly source: 'config' | 'database';
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
      /** An agent forwarded the customer's mail to their personal address: the ticket is theirs. */
      readonly forwardedBy?: Agent;
      readonly blocked?: BlockedBy | null;
    }
  /** `#new ADDRESS` to an agent's personal address: the (just created) ticket for that customer; the mail's text is its first answer. */
  | {
      readonly type: 'opened_by_agent';
      readonly agent: Agent;
      readonly reply: ParsedAgentReply;
      readonly participants: readonly Participant[];
    }
  /** A customer mail on the ticket. */
  | {
      readonly type: 'customer_message';
      readonly actor: string;
      readonly via: ThreadVia;
      readonly joined: JoinDecision;
      readonly notes: readonly TicketEvent[];
      readonly rules: RulesResult | null;
      readonly blocked?: BlockedBy | null;
    }
  /** An authenticated agent's mail: its text for the customer, its command lines. */
  | {
      readonly type: 'agent_mail';
      readonly agent: Agent;
      readonly via: AgentVia;
      readonly reply: ParsedAgentReply;
      readonly participants: readonly Participant[];
      /** The ticket a `#merge N` line names, loaded (null: no such ticket). */
      readonly mergeTarget?: MergeTarget | null;
    }
  /** Mail in an agent's name that proves nothing: kept, reaches no customer. */
  | { readonly type: 'forged_agent_mail'; readonly agent: Agent; readonly from: string; readonly subject: string; readonly reason: string; readonly noticeSkipped: string | null }
  /** An auto-reply, bounce or our own mail joining the ticket. */
  | { readonly type: 'automated_mail'; readonly event: TicketEvent; readonly notes: readonly TicketEvent[] }
  /** `helpdesk tickets set`. `assignee`: who the admin named (address, name or local part); null unassigns. */
  | {
      readonly type: 'cli';
      readonly priority?: Priority;
      readonly status?: TicketStatus;
      readonly assignee?: string | null;
      /** `tickets delete`. */
      readonly delete?: boolean;
      /** `tickets merge A B`: this ticket (A) into B (`number`), as loaded (null: no such ticket). */
      readonly mergeInto?: { readonly number: number; readonly target: MergeTarget | null };
    }
  /** Another ticket was merged into this one: its messages and history are here now. */
  | { readonly type: 'merged_in'; readonly actor: string; readonly from: { readonly number: number; readonly tags: readonly string[] } }
  /** The requester answered "How did we do?" (the signed link of the satisfaction mail). */
  | { readonly type: 'satisfaction'; readonly actor: string; readonly rating: 'good' | 'bad'; readonly comment: string | null }
  /** The requester replied to the satisfaction mail: a comment, kept with the mail; the ticket does not move. */
  | { readonly type: 'satisfaction_comment'; readonly actor: string }
  /** Auto-close: idle since `idleSince` in one of `statuses` for the configured time. */
  | { readonly type: 'idle_timeout'; readonly statuses: readonly TicketStatus[]; readonly idleSince: Date }
  /** Auto-close's warning, `warnBefore` ahead. */
  | { readonly type: 'close_warning'; readonly statuses: readonly TicketStatus[]; readonly idleSince: Date }
  | { readonly type: 'postpone_due' }
  | { readonly type: 'sla_alert'; readonly kind: 'warning' | 'breach'; readonly metric: SlaMetric; readonly dueAt: Date };

/** Mail a change causes; the use cases render and queue it. */
export type Effect =
  | { readonly type: 'acknowledge' }
  /** `to`: the agents' addresses (the assignee, or the department's agents per `notifications.afterAssign`). */
  | { readonly type: 'notify_agents'; readonly about: 'new' | 'reply'; readonly heldBack: readonly HeldBack[]; readonly to: readonly string[] }
  /** The ticket was given to `agent` by someone else: they hear of it once. */
  | { readonly type: 'assignment_notice'; readonly agent: Agent; readonly by: string }
  /** `#spam block`: the requester's address joins the database's blocklist. */
  | { readonly type: 'block_sender'; readonly address: string; readonly reason: string }
  | { readonly type: 'relay_reply'; readonly agent: Agent; readonly text: string }
  /** `notice`: the customer notice (resolved, postponed) the change sends, for the agent to know. */
  | {
      readonly type: 'confirm';
      readonly agent: Agent;
      readonly done: readonly AgentCommand[];
      readonly problems: readonly string[];
      readonly replied: boolean;
      readonly notice?: 'resolved' | 'postponed';
    }
  | { readonly type: 'forgery_notice'; readonly agent: Agent; readonly from: string; readonly subject: string; readonly reason: string }
  | { readonly type: 'rule_reply'; readonly rule: string; readonly template: string }
  | { readonly type: 'rule_notice'; readonly rule: string; readonly to: readonly string[]; readonly template: string }
  | {
      readonly type: 'customer_notice';
      readonly template: 'autoClose' | 'autoCloseWarning' | 'resolved' | 'postponed';
      readonly kind: 'auto_close' | 'auto_close_warning' | 'resolved' | 'postponed';
    }
  | { readonly type: 'due_notice' }
  | { readonly type: 'sla_notice'; readonly kind: 'warning' | 'breach'; readonly metric: SlaMetric; readonly dueAt: Date; readonly targets: readonly string[] }
  /** The customer wrote to a ticket closed longer than the reopen window: a new ticket, linked to it, takes the mail. */
  | { readonly type: 'open_linked_ticket' }
  /** The ticket was merged into `into`: its messages and events move there, and `into` records it. */
  | { readonly type: 'merge'; readonly into: MergeTarget }
  /** The requester is asked how we did (template `satisfaction`, good / bad links). */
  | { readonly type: 'satisfaction_request' };

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
    case 'opened_by_agent': {
      d.record(event('created', `agent:${change.agent.email}`, { mailbox: ticket.mailbox, openedBy: change.agent.email }, { onMessage: true }));
      return agentMail(d, { type: 'agent_mail', agent: change.agent, via: 'personal', reply: change.reply, participants: change.participants });
    }
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
    case 'merged_in': {
      d.record(event('merged', change.actor, { from: change.from.number }));
      const tags = [...new Set([...ticket.tags, ...change.from.tags])];
      if (tags.length !== ticket.tags.length) d.set({ tags });
      d.set({ lastActivityAt: now });
      return d.done();
    }
    case 'satisfaction': {
      const data = { rating: change.rating, ...(change.comment ? { comment: change.comment } : {}) };
      d.record(event('satisfaction_rated', change.actor, data));
      return d.done();
    }
    case 'satisfaction_comment':
      d.record(event('satisfaction_comment', change.actor, {}, { onMessage: true }));
      return d.done();
    case 'idle_timeout': {
      if (!stillIdle(ticket, change) || gone(ticket)) return d.done();
      if (!d.move({ type: 'idle_timeout' }, 'system')) return d.done();
      d.clock([{ type: 'status', status: d.ticket.status, at: now }]);
      d.record(event('auto_closed', 'system', { idleSince: change.idleSince.toISOString() }));
      if (policy.autoCloseNotice) d.effects.push({ type: 'customer_notice', template: 'autoClose', kind: 'auto_close' });
      return d.done();
    }
    case 'close_warning': {
      const warned = ticket.autoCloseWarnedAt !== null && ticket.autoCloseWarnedAt >= ticket.lastActivityAt;
      if (!stillIdle(ticket, change) || warned || gone(ticket)) return d.done();
      d.set({ autoCloseWarnedAt: now });
      d.record(event('auto_close_warned', 'system', {}));
      d.effects.push({ type: 'customer_notice', template: 'autoCloseWarning', kind: 'auto_close_warning' });
      return d.done();
    }
    case 'postpone_due': {
      if (ticket.postponedUntil === null || ticket.postponedUntil > now || gone(ticket)) return d.done();
      if (!d.move({ type: 'postpone_due' }, 'system')) return d.done();
      d.set({ lastActivityAt: now });
      d.clock([{ type: 'status', status: d.ticket.status, at: now }]);
      d.record(event('woke_up', 'system', {}));
      d.effects.push({ type: 'due_notice' });
      return d.done();
    }
    case 'sla_alert': {
      if (gone(ticket)) return d.done();
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
  const forwarder = change.forwardedBy;
  d.record(event('created', actor, { ...created, ...(forwarder ? { forwardedBy: forwarder.email } : {}) }, { onMessage: true }), ...heldBack(actor, change.joined.heldBack), ...change.notes);
  if (linkedFrom) d.record(event('followed_up', actor, { newTicket: d.ticket.number }, { ticketId: linkedFrom.id }));
  if (forwarder) d.assign(forwarder.email, `agent:${forwarder.email}`, 'forwarded');
  if (change.blocked) {
    // A blocked sender's ticket is spam from the start: no rules, no acknowledgement, nobody told.
    d.record(event('sender_was_blocked', 'system', { ...change.blocked }, { onMessage: true }));
    d.move({ type: 'agent_set_status', status: 'spam' }, 'system');
    d.clock([{ type: 'status', status: d.ticket.status, at: d.now }]);
    return d.done();
  }
  const acknowledge = change.rules ? applyRules(d, change.rules) : true;
  if (d.policy.acknowledge) {
    if (acknowledge) d.effects.push({ type: 'acknowledge' });
    else d.record(event('auto_ack_skipped', 'system', { reason: 'a rule turned the acknowledgement off' }, { onMessage: true }));
  }
  if (d.ticket.status !== 'spam' && d.policy.notifyAgents) d.notifyAgents('new', change.joined.heldBack);
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
  if (change.blocked) {
    // Kept on the ticket as written; the ticket does not move and nobody hears of it.
    d.record(event('customer_replied', actor, { via: change.via }, { onMessage: true }), event('sender_was_blocked', 'system', { ...change.blocked }, { onMessage: true }));
    return d.done();
  }
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
  if (d.ticket.status !== 'spam' && d.policy.notifyAgents) d.notifyAgents('reply', change.joined.heldBack);
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
    // The first agent to answer an unassigned ticket takes it, unless the mail assigns it itself.
    const assigns = reply.commands.some((c) => c.type === 'assign');
    if (d.policy.assignOnReply && d.ticket.assignee === null && !assigns) d.assign(agent.email, actor, 'reply');
  }
  const done = [...copied.done];
  const problems = [...reply.problems, ...copied.problems];
  for (const command of reply.commands) {
    if (command.type === 'note' || command.type === 'cc') continue;
    const problem = command.type === 'merge' ? mergeInto(d, command.into, change.mergeTarget ?? null, actor) : applyCommand(d, command, actor, change.participants);
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
function applyCommand(d: Draft, command: Exclude<AgentCommand, { type: 'note' | 'cc' | 'merge' }>, actor: string, participants: readonly Participant[]): string | null {
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
      if (command.agent === null) {
        d.assign(null, actor);
        return null;
      }
      const target = findAgent(d.policy.agents, command.agent);
      if (!target) return `#assign ${command.agent}: no such agent (or more than one: give the address)`;
      d.assign(target.email, actor);
      return null;
    }
    case 'spam': {
      d.move({ type: 'agent_set_status', status: 'spam' }, actor);
      const requester = participants.find((p) => p.role === 'requester')?.address;
      if (command.block && requester) {
        const address = normalizeAddress(requester);
        if (d.policy.internal.has(withoutSubaddress(address))) return '#spam block: the requester is one of our own addresses';
        d.effects.push({ type: 'block_sender', address, reason: `#spam block on ticket ${ticket.number}` });
        d.record(event('sender_blocked', actor, { pattern: address }, { onMessage: true }));
      }
      return null;
    }
    case 'delete':
      softDelete(d, actor);
      return null;
    case 'new':
      // Read where the ticket is made (mail to an agent's personal address); on a ticket's thread it means nothing.
      return d.events.some((e) => e.type === 'created') ? null : `#new ${command.address}: write it in a mail to your personal address, not in a reply on a ticket`;
    case 'tag':
    case 'untag': {
      const tags = command.type === 'tag' ? [...new Set([...ticket.tags, command.tag])] : ticket.tags.filter((t) => t !== command.tag);
      d.record(event(command.type === 'tag' ? 'tagged' : 'untagged', actor, { tag: command.tag }, { onMessage: true }));
      d.set({ tags });
      return null;
    }
  }
}

/** Soft-deleted: hidden from lists and scans, purged after `retention.deleted`; its clock stops as a closed ticket's. */
function softDelete(d: Draft, actor: string): void {
  if (d.ticket.deletedAt !== null) return;
  d.record(event('deleted', actor, {}, { onMessage: actor.startsWith('agent:') }));
  d.set({ deletedAt: d.now });
  d.clock([{ type: 'status', status: 'closed', at: d.now }]);
}

/** Deleted, or merged into another: the scheduled jobs leave it alone. */
function gone(ticket: Ticket): boolean {
  return ticket.deletedAt !== null || ticket.mergedIntoId !== null;
}

/**
 * This ticket into `target` (ticket `number`): both the same requester's,
 * neither deleted nor merged already. This one closes and points to the
 * target; its messages and events move there (the `merge` effect).
 */
function mergeInto(d: Draft, number: number, target: MergeTarget | null, actor: string): string | null {
  const line = `#merge ${number}`;
  const ticket = d.ticket;
  if (!target) return `${line}: no ticket ${number}`;
  if (target.id === ticket.id) return `${line}: that is this ticket`;
  if (ticket.mergedIntoId !== null) return `${line}: this ticket was merged already`;
  if (target.deletedAt !== null || target.mergedIntoId !== null) return `${line}: ticket ${number} was ${target.deletedAt ? 'deleted' : 'merged into another'}`;
  if (target.requesterId !== ticket.requesterId) return `${line}: ticket ${number} has another requester; only one customer's tickets are merged`;
  // Not on the agent's mail: that moves to the survivor with the rest.
  d.record(event('merged_into', actor, { into: number }));
  d.move({ type: 'agent_set_status', status: 'closed' }, actor);
  d.set({ mergedIntoId: target.id });
  d.clock([{ type: 'status', status: d.ticket.status, at: d.now }]);
  d.effects.push({ type: 'merge', into: target });
  return null;
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
  if (outcome.assign && assignee) d.assign(assignee.email, actor, outcome.assign);
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
    d.assign(agent?.email ?? null, 'cli');
  }
  if (change.priority && change.priority !== start.priority) {
    d.record(event('priority_changed', 'cli', { from: start.priority, to: change.priority }));
    d.set({ priority: change.priority });
  }
  if (change.status && d.move({ type: 'agent_set_status', status: change.status }, 'cli')) d.set({ lastActivityAt: d.now });
  if (change.delete) softDelete(d, 'cli');
  if (change.mergeInto !== undefined) {
    const problem = mergeInto(d, change.mergeInto.number, change.mergeInto.target, 'cli');
    if (problem) return { ...d.done(), ticket: start, events: [], effects: [], problems: [problem.replace(/^#merge \d+: /, '')] };
  }
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
  /** The ticket as it was: what done() compares against (assignment notices, customer notices). */
  readonly start: Ticket;
  /** Who made the last assignment. */
  private assignedBy: string | null = null;

  constructor(
    public ticket: Ticket,
    readonly policy: TicketPolicy,
    readonly now: Date,
  ) {
    this.start = ticket;
  }

  /** Gives the ticket to an agent (null: to nobody), with its event; nothing when it already is theirs. */
  assign(to: string | null, actor: string, how?: string): void {
    if (to === this.ticket.assignee) return;
    const onMessage = actor.startsWith('agent:');
    this.record(event('assigned', actor, { from: this.ticket.assignee, to, ...(how ? { how } : {}) }, { onMessage }));
    this.set({ assignee: to });
    this.assignedBy = actor;
  }

  /** Tells the agents of customer mail: the assignee, or per `notifications.afterAssign` the department. */
  notifyAgents(about: 'new' | 'reply', held: readonly HeldBack[]): void {
    const assignee = this.ticket.assignee;
    const keep = this.policy.afterAssign === 'assignee' ? assignee : null;
    const to = agentsOfTicket(this.policy.agents, { ...this.ticket, assignee: keep }).map((a) => a.email);
    // With afterAssign: department, the assignee hears too even when outside it.
    if (assignee && !to.includes(assignee) && findAgent(this.policy.agents, assignee)) to.push(assignee);
    this.effects.push({ type: 'notify_agents', about, heldBack: held, to });
  }

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

  /**
   * The decision. Two consequences are read off the whole change here, so
   * every path that causes them (command, rule, CLI) causes them once: a new
   * assignee hears of it (not when they took it themselves), and the
   * requester hears that the ticket was resolved or postponed (`customerNotices`).
   */
  done(problems: readonly string[] = []): Decision {
    const { start, ticket, policy } = this;
    const assignee = ticket.assignee === null ? null : agentByAddress(policy.agents, ticket.assignee);
    if (assignee && ticket.assignee !== start.assignee && this.assignedBy !== `agent:${assignee.email}`) {
      this.effects.push({ type: 'assignment_notice', agent: assignee, by: this.assignedBy ?? 'system' });
    }
    let effects = this.effects;
    let result = ticket;
    const notice = ticket.status === start.status || start.status === 'spam' || ticket.deletedAt !== null ? null : ticket.status === 'resolved' || ticket.status === 'postponed' ? ticket.status : null;
    if (notice && policy.customerNotices[notice]) {
      effects = [...effects.map((e) => (e.type === 'confirm' ? { ...e, notice } : e)), { type: 'customer_notice', template: notice, kind: notice }];
    }
    // Asked once per ticket, when it is first resolved.
    if (notice === 'resolved' && policy.satisfaction && ticket.satisfactionAskedAt === null) {
      effects = [...effects, { type: 'satisfaction_request' }];
      result = { ...ticket, satisfactionAskedAt: this.now };
    }
    return { ticket: result, events: this.events, effects, participants: this.participants, problems };
  }
}

function withoutUndefined(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Fields;
}
