import { agentsOfTicket } from '../domain/agents.js';
import type { MessageKind } from '../domain/ticket.js';
import type { ThreadDecision } from '../domain/threading.js';
import { sendFailedNotice } from './agent-notices.js';
import { actorOf, noteEvents, resultOf, storeMessage, type Context, type StepResult } from './ingest-context.js';
import { mayNotice, notifyAgent } from './outbound-mail.js';
import type { NewEvent, OutboundRecord } from './ports.js';

const EVENT_TYPE = { bounce: 'bounce_received', auto_reply: 'auto_reply_received', own: 'own_mail_received' } as const;

/** Kinds of our mail whose failure an agent must hear about (a notification failing must not notify: loops). */
const CUSTOMER_FACING: readonly MessageKind[] = ['agent_reply', 'auto_ack', 'auto_notice'];

/**
 * Auto-replies, bounces and our own mail join their ticket without changing
 * its status, and never open one. A bounce of our own mail marks that outbox
 * row failed, records why, and tells the agents.
 */
export async function attachAutomatic(ctx: Context, decision: ThreadDecision): Promise<StepResult> {
  const kind: MessageKind = ctx.classification.kind === 'bounce' ? 'bounce' : 'auto_reply';
  const bounced = ctx.classification.kind === 'bounce' ? await ctx.tx.outboundByMessageIds(ctx.parsed.returnedMessageIds) : [];
  if (decision.kind !== 'existing') {
    await storeMessage(ctx, null, kind);
    for (const row of bounced) await markBounced(ctx, row, null);
    return resultOf(ctx, 'unthreaded', null, null);
  }
  const ticket = await ctx.tx.ticketById(decision.ticketId);
  const messageId = await storeMessage(ctx, ticket.id, kind);
  const type = ctx.classification.kind === 'customer' ? 'auto_reply_received' : EVENT_TYPE[ctx.classification.kind];
  const data = { reasons: ctx.classification.reasons, returnedMessageIds: ctx.parsed.returnedMessageIds };
  await ctx.tx.insertEvents(
    [{ ticketId: ticket.id, messageId, type, actor: actorOf(ctx), data }, ...noteEvents(ctx, ticket.id, messageId)],
    ctx.now,
  );
  for (const row of bounced) await markBounced(ctx, row, messageId);
  await ctx.tx.updateTicket(ticket.id, { now: ctx.now });
  return resultOf(ctx, 'appended', ticket.number, decision.via);
}

/** The address the report says failed, if it says. */
function recipientOf(ctx: Context): string | null {
  const entry = ctx.parsed.deliveryReport.find((r) => r.action === 'failed') ?? ctx.parsed.deliveryReport[0];
  return entry?.recipient?.toLowerCase() ?? null;
}

/** Why the delivery failed, from the report if there is one, else from the bounce's own words. */
function bounceReason(ctx: Context): string {
  const entry = ctx.parsed.deliveryReport.find((r) => r.action === 'failed') ?? ctx.parsed.deliveryReport[0];
  if (entry) {
    const parts = [entry.recipient, entry.status, entry.diagnostic].filter(Boolean);
    if (parts.length > 0) return parts.join(' ');
  }
  const line = ctx.parsed.text.split('\n').find((l) => /\b[45]\d\d\b|[45]\.\d\.\d/.test(l));
  return (line ?? ctx.parsed.subject).trim().slice(0, 500) || 'bounced';
}

async function markBounced(ctx: Context, row: OutboundRecord, bounceMessageId: number | null): Promise<void> {
  if (row.deliveryState === 'failed') return;
  const reason = bounceReason(ctx);
  await ctx.tx.markOutboundFailed(row.id, reason, ctx.now);
  if (row.ticketId === null) return;
  const event: NewEvent = {
    ticketId: row.ticketId,
    messageId: bounceMessageId,
    type: 'send_failed',
    actor: 'system',
    data: { outboundMessageId: row.messageId, kind: row.kind, reason, via: 'bounce' },
  };
  await ctx.tx.insertEvents([event], ctx.now);
  if (!CUSTOMER_FACING.includes(row.kind)) return;
  // An automated mail to a forged sender bounces by design: agents hear of such bounces once per address and window.
  if (row.kind === 'auto_ack' || row.kind === 'auto_notice') {
    const skipped = await mayNotice(ctx, 'bounced-automated', recipientOf(ctx) ?? row.messageId);
    if (skipped) {
      await ctx.tx.insertEvents([{ ticketId: row.ticketId, messageId: bounceMessageId, type: 'notice_skipped', actor: 'system', data: { kind: 'send_failed', reason: skipped } }], ctx.now);
      return;
    }
  }
  const ticket = await ctx.tx.ticketById(row.ticketId);
  const notice = sendFailedNotice(ticket, [], reason);
  for (const agent of agentsOfTicket(ctx.config.agents, ticket)) await notifyAgent(ctx, ticket, agent, notice.subject, notice.text);
}
