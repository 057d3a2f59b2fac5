import { decide } from '../domain/decide.js';
import { event, type TicketEvent } from '../domain/ticket-events.js';
import type { MessageKind } from '../domain/ticket.js';
import { actorOf, noteEvents, onThread, stepResult, storedMessage, type IngestDeps, type Inbound, type StepResult } from './inbound.js';
import { pendingMail, type MailContext } from './outbound-mail.js';
import type { UnitOfWork } from './ports.js';
import { recordSendFailure } from './record-send-failure.js';
import { saveChange } from './save-change.js';
import { ticketPolicy } from './sla-policy.js';
import type { ThreadLookup } from './thread-lookup.js';

const EVENT_TYPE = { bounce: 'bounce_received', auto_reply: 'auto_reply_received', own: 'own_mail_received', customer: 'auto_reply_received' } as const;

/**
 * Auto-replies, bounces and our own mail join their ticket without changing
 * its status, and never open one. A bounce of our own mail marks that outbox
 * row failed, records why, and tells the agents (record-send-failure.ts). A
 * delay notice records `delivery_delayed` on the ticket of the mail it names,
 * and fails nothing: the sending server is still trying.
 */
export async function attachAutomatic(deps: IngestDeps, uow: UnitOfWork, inbound: Inbound, thread: Exclude<ThreadLookup, { kind: 'duplicate' }>): Promise<StepResult> {
  const config = deps.config();
  const { now, parsed, classification } = inbound;
  const kind: MessageKind = classification.kind === 'bounce' ? 'bounce' : 'auto_reply';
  const ticket = thread.kind === 'existing' ? await uow.tickets.load(thread.ticketId) : null;
  const ctx: MailContext = { uow, config, now, deps, pending: pendingMail(ticket ? onThread(inbound, ticket.id, kind) : null) };
  const failures = await bounceFailures(ctx, inbound, ticket !== null);
  const delays = await delayEvents(uow, inbound, ticket?.id ?? null);
  const message = storedMessage(inbound, ticket?.id ?? null, kind);
  if (!ticket) {
    const { outboxIds } = await uow.tickets.save({
      now,
      message,
      events: [...failures.events, ...delays].map((e) => ({ ...e, ticketId: e.ticketId!, onMessage: false })),
      outbox: ctx.pending.outbox,
      automated: ctx.pending.automated,
      failedOutbound: failures.failed,
    });
    return stepResult(inbound, 'unthreaded', null, null, outboxIds);
  }
  const returned = classification.bounce ?? classification.delay;
  const data = { reasons: classification.reasons, returnedMessageIds: returned?.originalMessageIds ?? parsed.returnedMessageIds };
  const received = event(EVENT_TYPE[classification.kind], actorOf(inbound), data, { onMessage: true });
  const decision = decide(ticket, { type: 'automated_mail', event: received, notes: noteEvents(inbound, config) }, ticketPolicy(config), now);
  const saved = await saveChange(uow, { before: ticket, decision, extraEvents: [...failures.events, ...delays], message, pending: ctx.pending, failedOutbound: failures.failed, now });
  return stepResult(inbound, 'appended', ticket.number, thread.kind === 'existing' ? thread.via : null, saved.outboxIds);
}

/** The outbox rows a bounce returns, each recorded failed (unless it is already). */
async function bounceFailures(ctx: MailContext, inbound: Inbound, threaded: boolean): Promise<{ events: TicketEvent[]; failed: { id: number; reason: string }[] }> {
  const result = { events: [] as TicketEvent[], failed: [] as { id: number; reason: string }[] };
  const bounce = inbound.classification.bounce;
  if (!bounce) return result;
  for (const row of await ctx.uow.messages.outboundByMessageIds(bounce.originalMessageIds)) {
    if (row.deliveryState === 'failed') continue;
    const recorded = await recordSendFailure(ctx, row, { reason: bounceReason(inbound), via: { bounce: true, recipient: recipientOf(inbound) }, onMessage: threaded });
    result.events.push(...recorded.events);
    result.failed.push(recorded.failed);
  }
  return result;
}

/** A delay notice: `delivery_delayed` on the ticket of each mail of ours it names (not one that failed already). */
async function delayEvents(uow: UnitOfWork, inbound: Inbound, joined: number | null): Promise<TicketEvent[]> {
  const delay = inbound.classification.delay;
  if (!delay) return [];
  const events: TicketEvent[] = [];
  for (const row of await uow.messages.outboundByMessageIds(delay.originalMessageIds)) {
    if (row.ticketId === null || row.deliveryState === 'failed') continue;
    const data = { outboundMessageId: row.messageId, kind: row.kind, recipients: delay.recipients, status: delay.status };
    events.push(event('delivery_delayed', 'system', data, { ticketId: row.ticketId, onMessage: row.ticketId === joined }));
  }
  return events;
}

/** The address the report says failed, if it says. */
function recipientOf(inbound: Inbound): string | null {
  const entry = inbound.parsed.deliveryReport.find((r) => r.action === 'failed') ?? inbound.parsed.deliveryReport[0];
  return entry?.recipient?.toLowerCase() ?? null;
}

/** Why the delivery failed, from the report if there is one, else from the bounce's own words. */
function bounceReason(inbound: Inbound): string {
  const { parsed } = inbound;
  const entry = parsed.deliveryReport.find((r) => r.action === 'failed') ?? parsed.deliveryReport[0];
  if (entry) {
    const parts = [entry.recipient, entry.status, entry.diagnostic].filter(Boolean);
    if (parts.length > 0) return parts.join(' ');
  }
  const line = parsed.text.split('\n').find((l) => /\b[45]\d\d\b|[45]\.\d\.\d/.test(l));
  return (line ?? parsed.subject).trim().slice(0, 500) || 'bounced';
}
