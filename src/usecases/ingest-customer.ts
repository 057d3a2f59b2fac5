import { agentsOfTicket } from '../domain/agents.js';
import { normalizeAddress, withoutSubaddress } from '../domain/address.js';
import { decideTransition } from '../domain/lifecycle.js';
import { removeTicketTags } from '../domain/subject-tag.js';
import type { ThreadVia } from '../domain/threading.js';
import { customerMessageNotice } from './agent-notices.js';
import { actorOf, internalAddresses, noteEvents, resultOf, storeMessage, type Context, type StepResult } from './ingest-context.js';
import { acknowledge, notifyAgent, ticketVars } from './outbound-mail.js';
import type { NewEvent, TicketRecord } from './ports.js';
import { advanceTicketSla } from './sla-policy.js';
import { applyRules } from './apply-rules.js';
import { newSlaState } from '../domain/sla.js';
import { decideNewParticipants, initialParticipants, type HeldBack, type JoinDecision } from '../domain/participants.js';
import { senderProven } from './sender-proof.js';

/** A customer mail that starts a ticket (or continues a closed one after the reopen window). */
export async function openTicket(ctx: Context, linkedFrom: TicketRecord | null): Promise<StepResult> {
  const { tx, parsed, mailbox, now } = ctx;
  const requester = parsed.from ?? parsed.replyTo[0] ?? { address: 'unknown@unknown.invalid', name: '' };
  const requesterId = await tx.upsertContact(requester);
  const sla = advanceTicketSla(ctx.config, { priority: mailbox.defaultPriority, department: mailbox.department, sla: newSlaState(now) }, [
    { type: 'created', at: now },
  ]);
  const ticket = await tx.createTicket({
    subject: removeTicketTags(parsed.subject, ctx.config.ticketPrefix) || '(no subject)',
    priority: mailbox.defaultPriority,
    department: mailbox.department,
    requesterId,
    mailbox: mailbox.name,
    linkedTicketId: linkedFrom?.id ?? null,
    sla,
    now,
  });
  await tx.addParticipants(ticket.id, [{ id: requesterId, address: requester.address }], 'requester');
  const initial = initialParticipants(requester.address, copiedAddresses(ctx), ctx.config.limits.participantsPerTicket);
  await addParticipants(ctx, ticket.id, initial.add);
  const messageId = await storeMessage(ctx, ticket.id, 'customer');
  const events: NewEvent[] = [
    { ticketId: ticket.id, messageId, type: 'created', actor: actorOf(ctx), data: createdData(ctx, linkedFrom) },
    ...heldBackEvents(ticket.id, messageId, actorOf(ctx), initial.heldBack),
    ...noteEvents(ctx, ticket.id, messageId),
  ];
  if (linkedFrom) {
    events.push({ ticketId: linkedFrom.id, type: 'followed_up', actor: actorOf(ctx), data: { newTicket: ticket.number } });
  }
  await tx.insertEvents(events, now);
  const ruled = await applyRules(ctx, ticket, 'new');
  const notAcknowledged = ruled.acknowledge ? await acknowledge(ctx, ruled.ticket, requester) : 'a rule turned the acknowledgement off';
  if (notAcknowledged && ctx.config.autoAcknowledge.enabled) {
    await tx.insertEvents([{ ticketId: ticket.id, messageId, type: 'auto_ack_skipped', actor: 'system', data: { reason: notAcknowledged } }], now);
  }
  if (ruled.ticket.status !== 'spam') await notifyAgents(ctx, ruled.ticket, 'new', initial.heldBack);
  return resultOf(ctx, 'created', ticket.number, null);
}

/** A customer mail on an existing ticket: lifecycle per DESIGN.md, participants, agents told. */
export async function customerReply(ctx: Context, ticketId: number, via: ThreadVia): Promise<StepResult> {
  const { tx, now } = ctx;
  const ticket = await tx.ticketById(ticketId);
  const transition = decideTransition(
    ticket.status,
    { type: 'customer_message' },
    { now, closedAt: ticket.closedAt, reopenWindowMs: ctx.config.reopenWindow },
  );
  if (transition.kind === 'new_linked_ticket') return openTicket(ctx, ticket);

  const messageId = await storeMessage(ctx, ticket.id, 'customer');
  const joined = await joinParticipants(ctx, ticket.id, via);
  const actor = actorOf(ctx);
  const events: NewEvent[] = [{ ticketId, messageId, type: 'customer_replied', actor, data: { via } }];
  for (const address of joined.add) events.push({ ticketId, messageId, type: 'participant_added', actor, data: { address } });
  events.push(...heldBackEvents(ticketId, messageId, actor, joined.heldBack));
  if (transition.kind === 'changed') {
    events.push({ ticketId, messageId, type: 'status_changed', actor, data: { from: transition.from, to: transition.to } });
    if (transition.reopened) events.push({ ticketId, messageId, type: 'reopened', actor, data: { from: transition.from } });
  }
  events.push(...noteEvents(ctx, ticketId, messageId));
  // The status first: a reopened ticket's clock runs again, then the reply starts the next-response clock.
  const sla = advanceTicketSla(ctx.config, ticket, [
    ...(transition.kind === 'changed' ? [{ type: 'status', status: transition.to, at: now } as const] : []),
    { type: 'customer_replied', at: now },
  ]);
  await tx.updateTicket(ticketId, {
    now,
    lastCustomerMessageAt: now,
    lastActivityAt: now,
    sla,
    ...(transition.kind === 'changed' ? { status: transition.to, closedAt: null, postponedUntil: null } : {}),
  });
  await tx.insertEvents(events, now);
  const changed = transition.kind === 'changed' ? { ...ticket, status: transition.to, sla } : { ...ticket, sla };
  const { ticket: current } = await applyRules(ctx, changed, 'customerReply');
  if (current.status !== 'spam') await notifyAgents(ctx, current, 'reply', joined.heldBack);
  return resultOf(ctx, 'appended', ticket.number, via);
}

async function notifyAgents(ctx: Context, ticket: TicketRecord, kind: 'new' | 'reply', heldBack: readonly HeldBack[]): Promise<void> {
  if (!ctx.config.notifications.enabled) return;
  const template = ctx.config.templates['agentNotification']!;
  const vars = ticketVars(ctx, ticket, ctx.parsed.from);
  const notice = customerMessageNotice(template, vars, kind, ctx.parsed.from, ctx.parsed.text, ctx.parsed.attachments, heldBack);
  for (const agent of agentsOfTicket(ctx.config.agents, ticket)) await notifyAgent(ctx, ticket, agent, notice.subject, notice.text);
}

/** To and Cc addresses other than ours and our agents', once each. */
function copiedAddresses(ctx: Context): string[] {
  const internal = internalAddresses(ctx.config);
  const addresses = [...ctx.parsed.to, ...ctx.parsed.cc].map((a) => normalizeAddress(a.address));
  return [...new Set(addresses.filter((a) => !internal.has(withoutSubaddress(a))))];
}

/**
 * Who a reply adds to the ticket (domain/participants.ts): only a mail that
 * proves it belongs to the thread adds anyone; the requester is never replaced.
 */
async function joinParticipants(ctx: Context, ticketId: number, via: ThreadVia): Promise<JoinDecision> {
  const sender = ctx.parsed.from?.address ?? null;
  const internal = internalAddresses(ctx.config);
  const candidates = [...(sender && !internal.has(withoutSubaddress(sender)) ? [normalizeAddress(sender)] : []), ...copiedAddresses(ctx)];
  if (candidates.length === 0) return { add: [], heldBack: [] };
  const participants = new Set((await ctx.tx.participants(ticketId)).map((p) => normalizeAddress(p.address)));
  if (candidates.every((a) => participants.has(a))) return { add: [], heldBack: [] };
  const referenced = [...ctx.parsed.inReplyTo, ...ctx.parsed.references];
  const decision = decideNewParticipants({
    via,
    sender,
    participants,
    correspondents: via === 'in-reply-to' || via === 'references' ? await ctx.tx.correspondents(ticketId, referenced) : new Set(),
    senderProven: senderProven(ctx),
    candidates,
    cap: ctx.config.limits.participantsPerTicket,
  });
  await addParticipants(ctx, ticketId, decision.add);
  return decision;
}

/** Contacts upserted and added as CC participants. */
async function addParticipants(ctx: Context, ticketId: number, addresses: readonly string[]): Promise<void> {
  if (addresses.length === 0) return;
  const named = new Map([...ctx.parsed.to, ...ctx.parsed.cc, ...(ctx.parsed.from ? [ctx.parsed.from] : [])].map((a) => [normalizeAddress(a.address), a.name]));
  const contacts = [];
  for (const address of addresses) contacts.push({ id: await ctx.tx.upsertContact({ address, name: named.get(address) ?? '' }), address });
  await ctx.tx.addParticipants(ticketId, contacts, 'cc');
}

function heldBackEvents(ticketId: number, messageId: number, actor: string, heldBack: readonly HeldBack[]): NewEvent[] {
  return heldBack.map((h) => ({ ticketId, messageId, type: 'participants_held_back', actor, data: { addresses: h.addresses, reason: h.reason } }));
}

function createdData(ctx: Context, linkedFrom: TicketRecord | null): Record<string, unknown> {
  return {
    mailbox: ctx.mailbox.name,
    ...(linkedFrom ? { linkedFrom: linkedFrom.number } : {}),
    ...(ctx.classification.suppressAutoResponse ? { automatedSender: ctx.classification.reasons } : {}),
  };
}
