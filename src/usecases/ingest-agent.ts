import { parseAgentReply, type AgentCommand } from '../domain/agent-commands.js';
import { findAgent } from '../domain/agents.js';
import { decideTransition } from '../domain/lifecycle.js';
import type { ThreadDecision } from '../domain/threading.js';
import type { AgentConfig } from '../config/schema.js';
import { confirmationNotice, forgeryNotice } from './agent-notices.js';
import { internalAddresses, replyTokenOf, resultOf, storeMessage, type Context, type StepResult } from './ingest-context.js';
import { withoutSubaddress } from '../domain/address.js';
import { openTicket } from './ingest-customer.js';
import { customerRecipients, mailboxOf, mayNotice, notifyAgent, queueLooseMail, queueTicketMail, GENERATED_HEADERS } from './outbound-mail.js';
import type { NewEvent, OutboundAttachment, TicketPatch, TicketRecord } from './ports.js';
import { advanceTicketSla } from './sla-policy.js';
import { senderProven } from './sender-proof.js';

type Auth = { ok: true; via: 'token' | 'dkim' } | { ok: false; reason: string };

/**
 * Mail whose From is an agent. Only an authenticated one (reply token, or
 * DKIM/DMARC per `agentAuth`) acts: its new text goes to the customer, its
 * command lines steer the ticket. Anything else reaches no customer: it is
 * kept as a flagged event and the real agent is told.
 */
export async function handleAgentMail(ctx: Context, agent: AgentConfig, decision: ThreadDecision): Promise<StepResult> {
  const auth = authenticate(ctx, decision);
  if (!auth.ok) return forged(ctx, agent, decision, auth.reason);
  if (decision.kind !== 'existing') return openTicket(ctx, null); // an authenticated agent opening a ticket by mail
  const ticket = await ctx.tx.ticketById(decision.ticketId);
  const reply = parseAgentReply(ctx.deps.extractReply(ctx.parsed.text), ctx.now, ctx.config.sla.calendar?.timezone ?? 'UTC');
  const isNote = reply.commands.some((c) => c.type === 'note');
  const messageId = await storeMessage(ctx, ticket.id, isNote ? 'note' : 'agent_reply', agent.email);
  const actor = `agent:${agent.email}`;
  const events: NewEvent[] = [];
  let current = ticket;
  let patch: Mutable<TicketPatch> = { now: ctx.now };
  const replied = !isNote && reply.body.length > 0;
  // Who is copied changes first, so that this very answer goes to the people the agent named.
  const copied = await applyCcCommands(ctx, ticket, reply.commands, actor, messageId);
  events.push(...copied.events);

  if (isNote) events.push({ ticketId: ticket.id, messageId, type: 'note_added', actor, data: { via: auth.via } });
  if (replied) {
    await replyToCustomer(ctx, ticket, agent, reply.body);
    events.push({ ticketId: ticket.id, messageId, type: 'agent_replied', actor, data: { via: auth.via } });
    patch.lastAgentReplyAt = ctx.now;
    ({ ticket: current, patch } = move(current, { type: 'agent_reply_queued' }, patch, events, actor, messageId, ctx));
  }
  const applied = applyCommands(ctx, current, reply.commands, patch, events, actor, messageId);
  current = applied.ticket;
  const changed = replied || current.status !== ticket.status || current.priority !== ticket.priority;
  const sla = advanceTicketSla(ctx.config, current, [
    ...(replied ? [{ type: 'agent_replied', at: ctx.now } as const] : []),
    ...(current.status !== ticket.status ? [{ type: 'status', status: current.status, at: ctx.now } as const] : []),
  ]);
  await ctx.tx.updateTicket(ticket.id, { ...applied.patch, sla, ...(changed ? { lastActivityAt: ctx.now } : {}) });
  await ctx.tx.insertEvents(events, ctx.now);
  const commandsOnly = !replied && !isNote;
  const problems = [...reply.problems, ...copied.problems, ...applied.problems];
  if (commandsOnly || problems.length > 0) {
    const notice = confirmationNotice(current, [...copied.done, ...applied.done], problems, replied);
    await notifyAgent(ctx, current, agent, notice.subject, notice.text);
  }
  return resultOf(ctx, 'appended', ticket.number, decision.kind === 'existing' ? decision.via : null, 'agent');
}

/**
 * What proves an agent (I9): a reply token valid for this agent, or — in the
 * DKIM modes — a DKIM/DMARC pass we verified ourselves for the one From
 * address, or our receiving server's topmost Authentication-Results saying so.
 * Never a header lower down, which anyone can write.
 */
function authenticate(ctx: Context, decision: ThreadDecision): Auth {
  const mode = ctx.config.agentAuth;
  if (decision.kind === 'existing' && decision.via === 'token') return { ok: true, via: 'token' };
  const from = ctx.parsed.from?.address;
  const token = replyTokenOf(ctx);
  const tokenProblem = token?.expired
    ? `the reply token of this notification has expired (${token.issuedAt ? `issued ${token.issuedAt.toISOString().slice(0, 10)}` : 'issued before tokens expired'}; they last ${Math.round(ctx.config.replyTokens.lifetime / 86_400_000)} days): reply to a newer notification of ticket ${token.ticketNumber}`
    : 'no valid reply token: it was not a reply to a notification sent to this agent';
  if (mode === 'token' || !from) return { ok: false, reason: tokenProblem };
  if (senderProven(ctx)) return { ok: true, via: 'dkim' };
  const why = ctx.parsed.singleFrom ? ctx.senderAuth.summary : 'more than one From address or header';
  return { ok: false, reason: `${token?.expired ? tokenProblem : 'no valid reply token'}, and no DKIM/DMARC pass for ${from} (${why})` };
}

async function forged(ctx: Context, agent: AgentConfig, decision: ThreadDecision, reason: string): Promise<StepResult> {
  const from = ctx.parsed.from?.address ?? agent.email;
  const ticket = decision.kind === 'existing' ? await ctx.tx.ticketById(decision.ticketId) : null;
  const messageId = await storeMessage(ctx, ticket?.id ?? null, 'note');
  const notice = forgeryNotice(ticket, from, ctx.parsed.subject, reason);
  // Anyone can send these: the real agent hears once per sender and window, the rest are events.
  const skipped = await mayNotice(ctx, `forged:${agent.email}`, from);
  if (ticket) {
    const data = { from, subject: ctx.parsed.subject, reason };
    const events: NewEvent[] = [{ ticketId: ticket.id, messageId, type: 'forged_agent_mail', actor: 'system', data }];
    if (skipped) events.push({ ticketId: ticket.id, messageId, type: 'notice_skipped', actor: 'system', data: { kind: 'forged_agent_mail', reason: skipped } });
    await ctx.tx.insertEvents(events, ctx.now);
    if (!skipped) await notifyAgent(ctx, ticket, agent, notice.subject, notice.text);
  } else if (!skipped) {
    const mailbox = mailboxOf(ctx.config, ctx.mailbox.name);
    await queueLooseMail(ctx, mailbox.name, {
      kind: 'notification',
      from: { address: mailbox.address, name: mailbox.name },
      to: [{ address: agent.email, name: agent.name }],
      subject: notice.subject,
      text: notice.text,
      headers: GENERATED_HEADERS,
    });
  }
  ctx.deps.log.warn(
    { mailbox: ctx.mailbox.name, uid: ctx.mail.uid, messageId: ctx.parsed.messageId, ticket: ticket?.number ?? null, reason, agentTold: !skipped },
    "unauthenticated mail in an agent's name; nothing sent to customers",
  );
  return resultOf(ctx, ticket ? 'appended' : 'unthreaded', ticket?.number ?? null, null, 'forged');
}

async function replyToCustomer(ctx: Context, ticket: TicketRecord, agent: AgentConfig, body: string): Promise<void> {
  const mailbox = mailboxOf(ctx.config, ticket.mailbox);
  const { to, cc } = customerRecipients(ctx.config, await ctx.tx.participants(ticket.id));
  const attachments: OutboundAttachment[] = ctx.parsed.attachments.flatMap((a) => (a.content ? [{ ...a, content: a.content }] : []));
  await queueTicketMail(ctx, ticket, {
    kind: 'agent_reply',
    from: { address: mailbox.address, name: agent.name },
    to,
    cc,
    replyTo: { address: mailbox.address, name: mailbox.name },
    text: body,
    attachments,
    agentEmail: agent.email,
  });
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Applied {
  ticket: TicketRecord;
  patch: Mutable<TicketPatch>;
  done: AgentCommand[];
  problems: string[];
}

function move(
  ticket: TicketRecord,
  event: Parameters<typeof decideTransition>[1],
  patch: Mutable<TicketPatch>,
  events: NewEvent[],
  actor: string,
  messageId: number,
  ctx: Context,
): { ticket: TicketRecord; patch: Mutable<TicketPatch> } {
  const t = decideTransition(ticket.status, event, { now: ctx.now, closedAt: ticket.closedAt, reopenWindowMs: ctx.config.reopenWindow });
  if (t.kind !== 'changed') return { ticket, patch };
  events.push({ ticketId: ticket.id, messageId, type: 'status_changed', actor, data: { from: t.from, to: t.to } });
  const closedAt = t.to === 'closed' ? ctx.now : null;
  return { ticket: { ...ticket, status: t.to, closedAt }, patch: { ...patch, status: t.to, closedAt, postponedUntil: null } };
}

/** Applies command lines in order; unknown agents become problems, not errors. */
function applyCommands(
  ctx: Context,
  start: TicketRecord,
  commands: readonly AgentCommand[],
  startPatch: Mutable<TicketPatch>,
  events: NewEvent[],
  actor: string,
  messageId: number,
): Applied {
  let ticket = start;
  let patch = startPatch;
  const done: AgentCommand[] = [];
  const problems: string[] = [];
  const event = (type: string, data: Record<string, unknown>) => events.push({ ticketId: ticket.id, messageId, type, actor, data });
  for (const command of commands) {
    switch (command.type) {
      case 'note':
      case 'cc':
        continue;
      case 'status':
        ({ ticket, patch } = move(ticket, { type: 'agent_set_status', status: command.status }, patch, events, actor, messageId, ctx));
        break;
      case 'postpone':
        ({ ticket, patch } = move(ticket, { type: 'agent_set_status', status: 'postponed' }, patch, events, actor, messageId, ctx));
        patch = { ...patch, postponedUntil: command.until };
        event('postponed', { until: command.until.toISOString() });
        break;
      case 'priority':
        if (command.priority !== ticket.priority) event('priority_changed', { from: ticket.priority, to: command.priority });
        ticket = { ...ticket, priority: command.priority };
        patch = { ...patch, priority: command.priority };
        break;
      case 'assign': {
        const target = findAgent(ctx.config.agents, command.agent);
        if (!target) {
          problems.push(`#assign ${command.agent}: no such agent (or more than one: give the address)`);
          continue;
        }
        event('assigned', { from: ticket.assignee, to: target.email });
        ticket = { ...ticket, assignee: target.email };
        patch = { ...patch, assignee: target.email };
        break;
      }
      case 'tag':
      case 'untag': {
        const tags = command.type === 'tag' ? [...new Set([...ticket.tags, command.tag])] : ticket.tags.filter((t) => t !== command.tag);
        event(command.type === 'tag' ? 'tagged' : 'untagged', { tag: command.tag });
        ticket = { ...ticket, tags };
        patch = { ...patch, tags };
        break;
      }
    }
    done.push(command);
  }
  return { ticket, patch, done, problems };
}

/** `#cc add|remove ADDRESS`: who is copied on the answers. Never our own addresses; never the requester removed. */
async function applyCcCommands(
  ctx: Context,
  ticket: TicketRecord,
  commands: readonly AgentCommand[],
  actor: string,
  messageId: number,
): Promise<{ events: NewEvent[]; done: AgentCommand[]; problems: string[] }> {
  const result = { events: [] as NewEvent[], done: [] as AgentCommand[], problems: [] as string[] };
  const internal = internalAddresses(ctx.config);
  for (const command of commands) {
    if (command.type !== 'cc') continue;
    const line = `#cc ${command.action} ${command.address}`;
    if (internal.has(withoutSubaddress(command.address))) {
      result.problems.push(`${line}: that is one of our own addresses`);
      continue;
    }
    if (command.action === 'add') {
      const id = await ctx.tx.upsertContact({ address: command.address, name: '' });
      const added = await ctx.tx.addParticipants(ticket.id, [{ id, address: command.address }], 'cc');
      if (added.length > 0) result.events.push({ ticketId: ticket.id, messageId, type: 'participant_added', actor, data: { address: command.address } });
    } else if (await ctx.tx.removeParticipant(ticket.id, command.address)) {
      result.events.push({ ticketId: ticket.id, messageId, type: 'participant_removed', actor, data: { address: command.address } });
    } else {
      const requester = await ctx.tx.requester(ticket.id);
      result.problems.push(`${line}: ${requester.address === command.address ? 'the requester stays on the ticket' : 'not copied on this ticket'}`);
      continue;
    }
    result.done.push(command);
  }
  return result;
}
