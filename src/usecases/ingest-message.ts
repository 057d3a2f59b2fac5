import { createHash } from 'node:crypto';
import { agentByAddress } from '../domain/agents.js';
import { classifyInbound } from '../domain/classify.js';
import { findTicketTag } from '../domain/subject-tag.js';
import { NOT_CHECKED } from '../domain/sender-auth.js';
import { resolveThread, type ThreadDecision } from '../domain/threading.js';
import type { AgentConfig } from '../config/schema.js';
import { handleAgentMail } from './ingest-agent.js';
import { attachAutomatic } from './ingest-automatic.js';
import { ownAddresses, replyTokenOf, resultOf, type Context, type InboundMail, type IngestDeps, type IngestResult } from './ingest-context.js';
import { customerReply, openTicket } from './ingest-customer.js';
import type { TokenCheck } from './reply-token.js';

export type { InboundMail, IngestDeps } from './ingest-context.js';

export type { IngestOutcome, IngestResult } from './ingest-context.js';

/**
 * Turns one fetched message into ticket changes, in one transaction: parse,
 * classify, thread, apply the lifecycle, store message, attachments, events and
 * the outbox rows it causes; the rows are queued after commit (I3).
 * Idempotent (I2): a message already stored changes nothing.
 */
export async function ingestMessage(deps: IngestDeps, mail: InboundMail): Promise<IngestResult> {
  const config = deps.config();
  const mailbox = config.mailboxes.find((m) => m.name === mail.mailbox);
  if (!mailbox) throw new Error(`mailbox "${mail.mailbox}" is not configured`);
  const cap = config.limits.maxMessageBytes;
  const source = mail.source.length > cap ? mail.source.subarray(0, cap) : mail.source;
  const parsed = await deps.parse(source, { maxAttachmentBytes: config.limits.maxAttachmentBytes });
  const rawSha256 = createHash('sha256').update(source).digest('hex');
  const classification = classifyInbound(parsed.facts, ownAddresses(config));
  const agent = agentByAddress(config.agents, parsed.from?.address ?? null);
  // Signatures are checked outside the transaction (DNS lookups), for the mail whose sender matters:
  // an agent's in the DKIM modes, and a customer's (participants, acknowledgements).
  const senderAuth =
    classification.kind === 'customer' && parsed.from && (agent === null || config.agentAuth !== 'token') ? await deps.verifySender(source) : NOT_CHECKED;
  const outboxIds: number[] = [];

  const result = await deps.store.ingestTransaction(parsed.messageId ?? rawSha256, async (tx) => {
    const ctx: Context = {
      deps,
      tx,
      mail,
      source,
      rawSha256,
      truncated: mail.size > source.length,
      parsed,
      classification,
      mailbox,
      config,
      now: deps.now(),
      outboxIds,
      senderAuth,
    };
    const decision = await decideThread(ctx, agent);
    if (decision.kind === 'duplicate') return resultOf(ctx, 'duplicate', null, null);
    if (classification.kind !== 'customer') return attachAutomatic(ctx, decision);
    if (agent) return handleAgentMail(ctx, agent, decision);
    if (decision.kind === 'new') return openTicket(ctx, null);
    return customerReply(ctx, decision.ticketId, decision.via);
  });
  await enqueueAfterCommit(deps, outboxIds);
  return { ...result, queued: outboxIds.length };
}

/** After commit: a queue outage loses nothing, the reconciler re-queues rows left `queued`. */
async function enqueueAfterCommit(deps: IngestDeps, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  try {
    await deps.outbox.enqueue(ids);
  } catch (err) {
    deps.log.warn({ outbox: ids, error: { message: (err as Error).message } }, 'queue unavailable; the outbox reconciler will send these');
  }
}

/** Threading in DESIGN.md's order, from what the store knows. Reads only. */
export async function decideThread(ctx: Context, agent: AgentConfig | null): Promise<ThreadDecision> {
  const { tx, parsed, config } = ctx;
  if (await tx.isKnownMessage(parsed.messageId, ctx.rawSha256)) return { kind: 'duplicate' };
  // A bounce names the message it returns: that id is its strongest thread signal.
  const inReplyTo = ctx.classification.kind === 'bounce' ? [...parsed.returnedMessageIds, ...parsed.inReplyTo] : parsed.inReplyTo;
  const subjectTag = findTicketTag(parsed.subject, config.ticketPrefix);
  const tagged = subjectTag === null ? null : await tx.ticketByNumber(subjectTag);
  return resolveThread(
    { inReplyTo, references: parsed.references, subjectTag, from: parsed.from?.address ?? null },
    {
      duplicate: false,
      tokenTicketId: agent ? await tokenTicket(ctx, replyTokenOf(ctx)) : null,
      ticketByMessageId: await tx.ticketIdsByMessageIds([...inReplyTo, ...parsed.references]),
      taggedTicket: tagged && { id: tagged.ticket.id, participants: tagged.participants },
    },
  );
}

/** The ticket a verified, unexpired reply token names: only an agent's own token counts. */
async function tokenTicket(ctx: Context, token: TokenCheck | null): Promise<number | null> {
  if (token === null || token.expired) return null;
  return (await ctx.tx.ticketByNumber(token.ticketNumber))?.ticket.id ?? null;
}

