import { agentsOfTicket } from '../domain/agents.js';
import { event, type TicketEvent } from '../domain/ticket-events.js';
import type { MessageKind } from '../domain/ticket.js';
import { sendFailedNotice } from './agent-notices.js';
import { mayNotice, notifyAgent, type MailContext } from './outbound-mail.js';
import type { OutboundRecord } from './ports.js';

/** Kinds of our mail whose failure an agent must hear about (a notification failing must not notify: loops). */
export const CUSTOMER_FACING: ReadonlySet<MessageKind> = new Set(['agent_reply', 'auto_ack', 'auto_notice']);

export interface SendFailure {
  readonly reason: string;
  /** How we learnt it: a bounce, or the SMTP server's answer (`why`: refused, retries exhausted). */
  readonly via: { readonly bounce: true; readonly recipient: string | null } | { readonly bounce: false; readonly why: string; readonly recipients: readonly string[] };
  /** The failure event is about the message saved with the change (the bounce). */
  readonly onMessage: boolean;
}

/**
 * A mail of ours that will not arrive: the row becomes failed, its ticket
 * records `send_failed`, and for customer-facing mail the ticket's agents are
 * told — an automated mail to a forged sender bounces by design, so of those
 * they hear once per address and window. Returns the events and the failed
 * row for the change's save; the notice goes to the pending mail.
 */
export async function recordSendFailure(
  ctx: MailContext,
  row: OutboundRecord,
  failure: SendFailure,
): Promise<{ events: TicketEvent[]; failed: { id: number; reason: string } }> {
  const failed = { id: row.id, reason: failure.reason };
  if (row.ticketId === null) return { events: [], failed };
  const on = { ticketId: row.ticketId, onMessage: failure.onMessage };
  const how = failure.via.bounce ? { via: 'bounce' as const } : { why: failure.via.why };
  const events = [event('send_failed', 'system', { outboundMessageId: row.messageId, kind: row.kind, reason: failure.reason, ...how }, on)];
  if (!CUSTOMER_FACING.has(row.kind)) return { events, failed };
  if (failure.via.bounce && (row.kind === 'auto_ack' || row.kind === 'auto_notice')) {
    const skipped = await mayNotice(ctx, 'bounced-automated', failure.via.recipient ?? row.messageId);
    if (skipped) return { events: [...events, event('notice_skipped', 'system', { kind: 'send_failed', reason: skipped }, on)], failed };
  }
  const ticket = await ctx.uow.tickets.load(row.ticketId);
  // A mailbox no longer in the config cannot send the notice; the failure itself is still recorded.
  if (!ctx.config.mailboxes.some((m) => m.name === ticket.mailbox)) return { events, failed };
  const notice = sendFailedNotice(ticket, failure.via.bounce ? [] : failure.via.recipients, failure.reason);
  for (const agent of agentsOfTicket(ctx.config.agents, ticket)) await notifyAgent(ctx, ticket, agent, notice.subject, notice.text);
  return { events, failed };
}
