import { normalizeAddress, withoutSubaddress } from '../domain/address.js';
import { parseAgentReply, type ParsedAgentReply } from '../domain/agent-commands.js';
import { NOT_CHECKED } from '../domain/sender-auth.js';
import type { ForwardedMail } from './forwarded-mail.js';
import type { Agent } from '../domain/agents.js';
import { decide, type Participant, type ParticipantChanges } from '../domain/decide.js';
import type { Config } from '../config/schema.js';
import { forgeryNotice } from './agent-notices.js';
import { carryOut } from './effects.js';
import { internalAddresses, onThread, replyTokenOf, stepResult, storedMessage, type IngestDeps, type Inbound, type StepResult } from './inbound.js';
import { completeMerge, loadFollowingMerges } from './merge-tickets.js';
import { createTicket, openTicket } from './open-ticket.js';
import { GENERATED_HEADERS, mailboxOf, mayNotice, pendingMail, queueLooseMail, type MailContext } from './outbound-mail.js';
import type { UnitOfWork } from './ports.js';
import { saveChange } from './save-change.js';
import { senderProven } from './sender-proof.js';
import { ticketPolicy } from './sla-policy.js';
import type { ThreadLookup } from './thread-lookup.js';

type Auth = { ok: true; via: 'token' | 'dkim' } | { ok: false; reason: string };

/** Mail from an agent to their personal address (`support+a…@`): a request for a new ticket. */
export interface PersonalMail {
  /** The customer's mail the agent forwarded, when it holds one. */
  readonly forwarded: ForwardedMail | null;
}

/**
 * Mail whose From is an agent. Only an authenticated one (reply token, or
 * DKIM/DMARC per `agentAuth`) acts: its new text goes to the customer, its
 * command lines steer the ticket (decide(), `agent_mail`). Anything else
 * reaches no customer: it is kept as a flagged event and the real agent is told.
 */
export async function agentMail(
  deps: IngestDeps,
  uow: UnitOfWork,
  inbound: Inbound,
  agent: Agent,
  thread: Exclude<ThreadLookup, { kind: 'duplicate' }>,
  personal: PersonalMail | null = null,
): Promise<StepResult> {
  const config = deps.config();
  const now = inbound.now;
  if (personal) return startTicket(deps, uow, inbound, agent, personal);
  const auth = authenticate(deps, config, inbound, thread);
  if (!auth.ok) return forgedAgentMail(deps, uow, inbound, agent, thread, auth.reason);
  if (thread.kind !== 'existing') return openTicket(deps, uow, inbound, null); // an authenticated agent opening a ticket by mail
  const ticket = await loadFollowingMerges(uow, thread.ticketId);
  const participants = await uow.tickets.participants(ticket.id);
  const reply = parseAgentReply(deps.extractReply(inbound.parsed.text), now, config.sla.calendar?.timezone ?? 'UTC');
  const merge = reply.commands.find((c) => c.type === 'merge');
  const mergeTarget = merge ? await uow.tickets.findByNumber(merge.into) : undefined;
  const decision = decide(ticket, { type: 'agent_mail', agent, via: auth.via, reply, participants, mergeTarget }, ticketPolicy(config), now);
  const kind = reply.commands.some((c) => c.type === 'note') ? 'note' : 'agent_reply';
  const pending = pendingMail(onThread(inbound, ticket.id, kind));
  const skipped = await carryOut({ uow, config, now, deps, pending }, decision, { inbound, participants: withChanges(participants, decision.participants) });
  const message = storedMessage(inbound, ticket.id, kind, agent.email);
  const merged = await completeMerge(uow, config, ticket, decision, `agent:${agent.email}`, now);
  const saved = await saveChange(uow, { before: ticket, decision, extraEvents: skipped, message, pending, now });
  const sendersChanged = decision.effects.some((e) => e.type === 'block_sender');
  return { ...stepResult(inbound, 'appended', ticket.number, thread.via, [...saved.outboxIds, ...merged], 'agent'), sendersChanged };
}

/**
 * An agent's mail to their personal address: `#new ADDRESS` opens a ticket
 * for that customer with the mail's text as its first answer; a forwarded
 * customer mail opens one for its original sender, with the original's text
 * and attachments, assigned to the agent. Anything else is confirmed to the
 * agent as not understood.
 */
async function startTicket(deps: IngestDeps, uow: UnitOfWork, inbound: Inbound, agent: Agent, personal: PersonalMail): Promise<StepResult> {
  const config = deps.config();
  const { now, parsed } = inbound;
  const timezone = config.sla.calendar?.timezone ?? 'UTC';
  const reply = parseAgentReply(deps.extractReply(parsed.text), now, timezone);
  const command = reply.commands.find((c) => c.type === 'new');
  if (command) {
    if (internalAddresses(config).has(withoutSubaddress(command.address))) return notOpened(deps, uow, inbound, agent, `#new ${command.address}: that is one of our own addresses`);
    return openForCustomer(deps, uow, inbound, agent, reply, command.address);
  }
  const forwarded = personal.forwarded;
  if (!forwarded) return notOpened(deps, uow, inbound, agent, 'no customer mail was forwarded in it, and it does not start with #new customer@example.com');
  if (internalAddresses(config).has(withoutSubaddress(normalizeAddress(forwarded.from.address)))) {
    return notOpened(deps, uow, inbound, agent, `the forwarded mail is from ${forwarded.from.address}, one of our own addresses`);
  }
  const original: Inbound = {
    ...inbound,
    parsed: {
      ...parsed,
      from: forwarded.from,
      replyTo: [],
      to: [],
      cc: [],
      subject: forwarded.subject,
      text: forwarded.text,
      html: forwarded.html,
      attachments: forwarded.attachments,
      inReplyTo: [],
      references: [],
    },
    // Who wrote the original is the forwarding agent's word, checked by nothing of ours.
    senderAuth: NOT_CHECKED,
  };
  return openTicket(deps, uow, original, null, agent);
}

/** `#new ADDRESS`: the ticket, its requester, and the agent's text as its first answer. */
async function openForCustomer(deps: IngestDeps, uow: UnitOfWork, inbound: Inbound, agent: Agent, reply: ParsedAgentReply, address: string): Promise<StepResult> {
  const config = deps.config();
  const { mailbox, now } = inbound;
  const requester = { address, name: '' };
  const ticket = await createTicket(uow, config, inbound, requester, { linkedTicketId: null, language: null });
  const participants = [{ ...requester, role: 'requester' as const }];
  const decision = decide(ticket, { type: 'opened_by_agent', agent, reply, participants }, ticketPolicy(config), now);
  const pending = pendingMail(onThread(inbound, ticket.id, 'agent_reply'));
  const skipped = await carryOut({ uow, config, now, deps, pending }, decision, { inbound, participants });
  const saved = await saveChange(uow, { before: ticket, decision, extraEvents: skipped, message: storedMessage(inbound, ticket.id, 'agent_reply', agent.email), pending, now });
  deps.log.info({ mailbox: mailbox.name, ticket: ticket.number, agent: agent.email, customer: address }, 'ticket opened by an agent (#new)');
  return stepResult(inbound, 'created', ticket.number, null, saved.outboxIds, 'agent');
}

/** Mail to a personal address that asks for nothing we can do: kept (on no ticket), the agent told why. */
async function notOpened(deps: IngestDeps, uow: UnitOfWork, inbound: Inbound, agent: Agent, problem: string): Promise<StepResult> {
  const config = deps.config();
  const { now, parsed } = inbound;
  const ctx: MailContext = { uow, config, now, deps, pending: pendingMail(null) };
  const mailbox = mailboxOf(config, inbound.mailbox.name);
  await queueLooseMail(ctx, mailbox.name, {
    kind: 'notification',
    from: { address: mailbox.address, name: mailbox.name },
    to: [{ address: agent.email, name: agent.name }],
    subject: `No ticket opened: ${parsed.subject}`.slice(0, 200),
    text: [
      `Your mail to your personal address opened no ticket: ${problem}.`,
      '',
      "To open a ticket, forward the customer's mail to that address (inline or as an attachment),",
      "or write to it starting with a line #new customer@example.com: the rest of your mail goes to the customer.",
    ].join('\n'),
    headers: GENERATED_HEADERS,
  });
  const { outboxIds } = await uow.tickets.save({ now, message: storedMessage(inbound, null, 'note', agent.email), events: [], outbox: ctx.pending.outbox, automated: [] });
  deps.log.info({ mailbox: mailbox.name, uid: inbound.mail.uid, agent: agent.email, problem }, 'mail to a personal address opened no ticket');
  return stepResult(inbound, 'unthreaded', null, null, outboxIds, 'agent');
}

/** Who is on the ticket once the change is saved: the answer goes to them. */
function withChanges(participants: readonly Participant[], changes: ParticipantChanges): Participant[] {
  const removed = new Set(changes.remove);
  const kept = participants.filter((p) => !removed.has(normalizeAddress(p.address)));
  return [...kept, ...changes.add.map((p) => ({ address: p.address, name: '', role: p.role }))];
}

/**
 * What proves an agent (I9): a reply token valid for this agent, or — in the
 * DKIM modes — a DKIM/DMARC pass we verified ourselves for the one From
 * address, or our receiving server's topmost Authentication-Results saying so.
 * Never a header lower down, which anyone can write.
 */
function authenticate(deps: IngestDeps, config: Config, inbound: Inbound, thread: Exclude<ThreadLookup, { kind: 'duplicate' }>): Auth {
  const mode = config.agentAuth;
  if (thread.kind === 'existing' && thread.via === 'token') return { ok: true, via: 'token' };
  const from = inbound.parsed.from?.address;
  const token = replyTokenOf(inbound, config, deps.tokenKey);
  const tokenProblem = token?.expired
    ? `the reply token of this notification has expired (${token.issuedAt ? `issued ${token.issuedAt.toISOString().slice(0, 10)}` : 'issued before tokens expired'}; they last ${Math.round(config.replyTokens.lifetime / 86_400_000)} days): reply to a newer notification of ticket ${token.ticketNumber}`
    : 'no valid reply token: it was not a reply to a notification sent to this agent';
  if (mode === 'token' || !from) return { ok: false, reason: tokenProblem };
  if (senderProven(inbound, config)) return { ok: true, via: 'dkim' };
  const why = inbound.parsed.singleFrom ? inbound.senderAuth.summary : 'more than one From address or header';
  return { ok: false, reason: `${token?.expired ? tokenProblem : 'no valid reply token'}, and no DKIM/DMARC pass for ${from} (${why})` };
}

/** Kept as a note; the real agent hears once per sender and window, the rest are events. */
async function forgedAgentMail(
  deps: IngestDeps,
  uow: UnitOfWork,
  inbound: Inbound,
  agent: Agent,
  thread: Exclude<ThreadLookup, { kind: 'duplicate' }>,
  reason: string,
): Promise<StepResult> {
  const config = deps.config();
  const { now, parsed } = inbound;
  const from = parsed.from?.address ?? agent.email;
  const ticket = thread.kind === 'existing' ? await uow.tickets.load(thread.ticketId) : null;
  const ctx: MailContext = { uow, config, now, deps, pending: pendingMail(ticket ? onThread(inbound, ticket.id, 'note') : null) };
  const noticeSkipped = await mayNotice(ctx, `forged:${agent.email}`, from);
  let outboxIds: readonly number[];
  if (ticket) {
    const decision = decide(ticket, { type: 'forged_agent_mail', agent, from, subject: parsed.subject, reason, noticeSkipped }, ticketPolicy(config), now);
    const skipped = await carryOut(ctx, decision, { inbound });
    ({ outboxIds } = await saveChange(uow, { before: ticket, decision, extraEvents: skipped, message: storedMessage(inbound, ticket.id, 'note'), pending: ctx.pending, now }));
  } else {
    if (!noticeSkipped) {
      const mailbox = mailboxOf(config, inbound.mailbox.name);
      const notice = forgeryNotice(null, from, parsed.subject, reason);
      await queueLooseMail(ctx, mailbox.name, {
        kind: 'notification',
        from: { address: mailbox.address, name: mailbox.name },
        to: [{ address: agent.email, name: agent.name }],
        subject: notice.subject,
        text: notice.text,
        headers: GENERATED_HEADERS,
      });
    }
    ({ outboxIds } = await uow.tickets.save({ now, message: storedMessage(inbound, null, 'note'), events: [], outbox: ctx.pending.outbox, automated: ctx.pending.automated }));
  }
  deps.log.warn(
    { mailbox: inbound.mailbox.name, uid: inbound.mail.uid, messageId: parsed.messageId, ticket: ticket?.number ?? null, reason, agentTold: !noticeSkipped },
    "unauthenticated mail in an agent's name; nothing sent to customers",
  );
  return stepResult(inbound, ticket ? 'appended' : 'unthreaded', ticket?.number ?? null, null, outboxIds, 'forged');
}
