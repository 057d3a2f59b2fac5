import { normalizeAddress, withoutSubaddress } from '../domain/address.js';
import { decideTransition } from '../domain/lifecycle.js';
import { removeTicketTags } from '../domain/subject-tag.js';
import type { ThreadVia } from '../domain/threading.js';
import { customerMessageNotice } from './agent-notices.js';
import { actorOf, internalAddresses, noteEvents, resultOf, storeMessage, type Context, type StepResult } from './ingest-context.js';
import { acknowledge, agentsFor, notifyAgent, ticketVars } from './outbound-mail.js';
import type { NewEvent, TicketRecord } from './ports.js';
import { advanceTicketSla } from './sla-policy.js';
import { applyRules } from './apply-rules.js';
import { newSlaState } from '../domain/sla.js';

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
  await addCopiedParticipants(ctx, ticket.id);
  const messageId = await storeMessage(ctx, ticket.id, 'customer');
  const events: NewEvent[] = [
    { ticketId: ticket.id, messageId, type: 'created', actor: actorOf(ctx), data: createdData(ctx, linkedFrom) },
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
  if (ruled.ticket.status !== 'spam') await notifyAgents(ctx, ruled.ticket, 'new');
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
  const added = await addSenderAndCopies(ctx, ticket.id);
  const actor = actorOf(ctx);
  const events: NewEvent[] = [{ ticketId, messageId, type: 'customer_replied', actor, data: { via } }];
  for (const address of added) events.push({ ticketId, messageId, type: 'participant_added', actor, data: { address } });
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
  if (current.status !== 'spam') await notifyAgents(ctx, current, 'reply');
  return resultOf(ctx, 'appended', ticket.number, via);
}

async function notifyAgents(ctx: Context, ticket: TicketRecord, kind: 'new' | 'reply'): Promise<void> {
  if (!ctx.config.notifications.enabled) return;
  const template = ctx.config.templates['agentNotification']!;
  const notice = customerMessageNotice(template, ticketVars(ctx, ticket, ctx.parsed.from), kind, ctx.parsed.from, ctx.parsed.text, ctx.parsed.attachments);
  for (const agent of agentsFor(ctx.config, ticket)) await notifyAgent(ctx, ticket, agent, notice.subject, notice.text);
}

/** Recipients other than us and our agents join the ticket as CC participants. */
async function addCopiedParticipants(ctx: Context, ticketId: number): Promise<string[]> {
  const internal = internalAddresses(ctx.config);
  const seen = new Set<string>();
  const copies = [...ctx.parsed.to, ...ctx.parsed.cc].filter((a) => {
    const key = normalizeAddress(a.address);
    if (internal.has(withoutSubaddress(key)) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const contacts = await Promise.all(copies.map(async (a) => ({ id: await ctx.tx.upsertContact(a), address: a.address })));
  return contacts.length > 0 ? ctx.tx.addParticipants(ticketId, contacts, 'cc') : [];
}

/** A reply from a new address adds it as a participant; it never replaces the requester. */
async function addSenderAndCopies(ctx: Context, ticketId: number): Promise<string[]> {
  const added: string[] = [];
  const sender = ctx.parsed.from;
  if (sender && !internalAddresses(ctx.config).has(withoutSubaddress(sender.address))) {
    const id = await ctx.tx.upsertContact(sender);
    added.push(...(await ctx.tx.addParticipants(ticketId, [{ id, address: sender.address }], 'cc')));
  }
  added.push(...(await addCopiedParticipants(ctx, ticketId)));
  return added;
}

function createdData(ctx: Context, linkedFrom: TicketRecord | null): Record<string, unknown> {
  return {
    mailbox: ctx.mailbox.name,
    ...(linkedFrom ? { linkedFrom: linkedFrom.number } : {}),
    ...(ctx.classification.suppressAutoResponse ? { automatedSender: ctx.classification.reasons } : {}),
  };
}
