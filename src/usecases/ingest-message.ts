import { createHash } from 'node:crypto';
import { normalizeAddress, withoutSubaddress } from '../domain/address.js';
import { classifyInbound, type Classification, type InboundKind } from '../domain/classify.js';
import { decideTransition } from '../domain/lifecycle.js';
import { findTicketTag, removeTicketTags } from '../domain/subject-tag.js';
import { resolveThread, type ThreadDecision, type ThreadVia } from '../domain/threading.js';
import type { MessageKind } from '../domain/ticket.js';
import type { Config, MailboxConfig } from '../config/schema.js';
import type { MailAddress, ParsedMail } from './parsed-mail.js';
import type { IngestTx, NewEvent, TicketRecord, TicketStore } from './ports.js';

export interface IngestDeps {
  readonly store: TicketStore;
  /** The config in force now (it can be reloaded between messages). */
  readonly config: () => Config;
  readonly now: () => Date;
  readonly parse: (raw: Buffer, options: { maxAttachmentBytes: number }) => Promise<ParsedMail>;
  /** Ticket id named by a verified reply token among the recipients, if any. */
  readonly resolveReplyToken?: (recipients: readonly MailAddress[]) => number | null;
}

/** One message as fetched from a mailbox. `size` is the size on the server. */
export interface InboundMail {
  readonly mailbox: string;
  readonly uid: number;
  readonly source: Buffer;
  readonly size: number;
}

export type IngestOutcome = 'created' | 'appended' | 'duplicate' | 'unthreaded';

export interface IngestResult {
  readonly outcome: IngestOutcome;
  readonly kind: InboundKind;
  readonly ticketNumber: number | null;
  readonly messageId: string | null;
  readonly via: ThreadVia | null;
  readonly parseError: string | null;
  readonly truncated: boolean;
}

interface Context {
  readonly tx: IngestTx;
  readonly mail: InboundMail;
  readonly source: Buffer;
  readonly rawSha256: string;
  readonly truncated: boolean;
  readonly parsed: ParsedMail;
  readonly classification: Classification;
  readonly mailbox: MailboxConfig;
  readonly config: Config;
  readonly now: Date;
}

/**
 * Turns one fetched message into ticket changes, in one transaction: parse,
 * classify, thread, apply the lifecycle, store message, attachments and events.
 * Idempotent (I2): a message already stored changes nothing.
 */
export async function ingestMessage(deps: IngestDeps, mail: InboundMail): Promise<IngestResult> {
  const config = deps.config();
  const mailbox = config.mailboxes.find((m) => m.name === mail.mailbox);
  if (!mailbox) throw new Error(`mailbox "${mail.mailbox}" is not configured`);
  const cap = config.limits.maxMessageBytes;
  const source = mail.source.length > cap ? mail.source.subarray(0, cap) : mail.source;
  const truncated = mail.size > source.length;
  const parsed = await deps.parse(source, { maxAttachmentBytes: config.limits.maxAttachmentBytes });
  const rawSha256 = createHash('sha256').update(source).digest('hex');
  const classification = classifyInbound(parsed.facts, ownAddresses(config));
  const now = deps.now();

  return deps.store.ingestTransaction(parsed.messageId ?? rawSha256, async (tx) => {
    const ctx: Context = { tx, mail, source, rawSha256, truncated, parsed, classification, mailbox, config, now };
    const decision = await decideThread(ctx, deps);
    if (decision.kind === 'duplicate') return result(ctx, 'duplicate', null, null);
    if (classification.kind !== 'customer') return attachAutomatic(ctx, decision);
    if (decision.kind === 'new') return openTicket(ctx, null);
    return customerReply(ctx, decision.ticketId, decision.via);
  });
}

async function decideThread(ctx: Context, deps: IngestDeps): Promise<ThreadDecision> {
  const { tx, parsed, config } = ctx;
  const duplicate = await tx.isKnownMessage(parsed.messageId, ctx.rawSha256);
  if (duplicate) return { kind: 'duplicate' };
  // A bounce names the message it returns: that id is its strongest thread signal.
  const inReplyTo = ctx.classification.kind === 'bounce' ? [...parsed.returnedMessageIds, ...parsed.inReplyTo] : parsed.inReplyTo;
  const subjectTag = findTicketTag(parsed.subject, config.ticketPrefix);
  const tagged = subjectTag === null ? null : await tx.ticketByNumber(subjectTag);
  return resolveThread(
    { inReplyTo, references: parsed.references, subjectTag, from: parsed.from?.address ?? null },
    {
      duplicate: false,
      tokenTicketId: deps.resolveReplyToken?.([...parsed.to, ...parsed.cc]) ?? null,
      ticketByMessageId: await tx.ticketIdsByMessageIds([...inReplyTo, ...parsed.references]),
      taggedTicket: tagged && { id: tagged.ticket.id, participants: tagged.participants },
    },
  );
}

async function openTicket(ctx: Context, linkedFrom: TicketRecord | null): Promise<IngestResult> {
  const { tx, parsed, mailbox, now } = ctx;
  const requester = parsed.from ?? parsed.replyTo[0] ?? { address: 'unknown@unknown.invalid', name: '' };
  const requesterId = await tx.upsertContact(requester);
  const ticket = await tx.createTicket({
    subject: removeTicketTags(parsed.subject, ctx.config.ticketPrefix) || '(no subject)',
    priority: mailbox.defaultPriority,
    department: mailbox.department,
    requesterId,
    mailbox: mailbox.name,
    linkedTicketId: linkedFrom?.id ?? null,
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
  return result(ctx, 'created', ticket.number, null);
}

async function customerReply(ctx: Context, ticketId: number, via: ThreadVia): Promise<IngestResult> {
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
  await tx.updateTicket(ticketId, {
    now,
    lastCustomerMessageAt: now,
    ...(transition.kind === 'changed' ? { status: transition.to, closedAt: null } : {}),
  });
  await tx.insertEvents(events, now);
  return result(ctx, 'appended', ticket.number, via);
}

/** Auto-replies, bounces and our own mail join their ticket without changing it, and never open one. */
async function attachAutomatic(ctx: Context, decision: ThreadDecision): Promise<IngestResult> {
  const kind: MessageKind = ctx.classification.kind === 'bounce' ? 'bounce' : 'auto_reply';
  if (decision.kind !== 'existing') {
    await storeMessage(ctx, null, kind);
    return result(ctx, 'unthreaded', null, null);
  }
  const ticket = await ctx.tx.ticketById(decision.ticketId);
  const messageId = await storeMessage(ctx, ticket.id, kind);
  const type = { bounce: 'bounce_received', auto_reply: 'auto_reply_received', own: 'own_mail_received', customer: '' }[
    ctx.classification.kind
  ];
  const data = { reasons: ctx.classification.reasons, returnedMessageIds: ctx.parsed.returnedMessageIds };
  await ctx.tx.insertEvents(
    [{ ticketId: ticket.id, messageId, type, actor: actorOf(ctx), data }, ...noteEvents(ctx, ticket.id, messageId)],
    ctx.now,
  );
  await ctx.tx.updateTicket(ticket.id, { now: ctx.now });
  return result(ctx, 'appended', ticket.number, decision.via);
}

async function storeMessage(ctx: Context, ticketId: number | null, kind: MessageKind): Promise<number> {
  const { parsed, mail } = ctx;
  return ctx.tx.insertMessage({
    ticketId,
    kind,
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo[0] ?? null,
    references: parsed.references,
    from: parsed.from,
    to: parsed.to,
    cc: parsed.cc,
    subject: parsed.subject,
    text: parsed.text,
    html: parsed.html,
    raw: ctx.source,
    rawSha256: ctx.rawSha256,
    rawSize: mail.size,
    truncated: ctx.truncated,
    parseError: parsed.parseError,
    mailbox: mail.mailbox,
    imapUid: mail.uid,
    sentDate: parsed.date,
    attachments: parsed.attachments,
    now: ctx.now,
  });
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

function noteEvents(ctx: Context, ticketId: number, messageId: number): NewEvent[] {
  const events: NewEvent[] = [];
  const { parsed } = ctx;
  if (parsed.parseError) {
    events.push({ ticketId, messageId, type: 'parse_error', actor: 'system', data: { error: parsed.parseError } });
  }
  if (ctx.truncated) {
    const data = { size: ctx.mail.size, storedBytes: ctx.source.length };
    events.push({ ticketId, messageId, type: 'message_truncated', actor: 'system', data });
  }
  for (const omitted of parsed.omittedAttachments) {
    const data = { ...omitted, limit: ctx.config.limits.maxAttachmentBytes };
    events.push({ ticketId, messageId, type: 'attachment_omitted', actor: 'system', data });
  }
  return events;
}

function createdData(ctx: Context, linkedFrom: TicketRecord | null): Record<string, unknown> {
  return {
    mailbox: ctx.mailbox.name,
    ...(linkedFrom ? { linkedFrom: linkedFrom.number } : {}),
    ...(ctx.classification.suppressAutoResponse ? { automatedSender: ctx.classification.reasons } : {}),
  };
}

function actorOf(ctx: Context): string {
  const from = ctx.parsed.from?.address;
  const role = ctx.classification.kind === 'customer' ? 'customer' : 'system';
  return from ? `${role}:${from}` : role;
}

function result(ctx: Context, outcome: IngestOutcome, ticketNumber: number | null, via: ThreadVia | null): IngestResult {
  return {
    outcome,
    kind: ctx.classification.kind,
    ticketNumber,
    messageId: ctx.parsed.messageId,
    via,
    parseError: ctx.parsed.parseError,
    truncated: ctx.truncated,
  };
}

/** The addresses mail is sent from: every mailbox. */
export function ownAddresses(config: Config): ReadonlySet<string> {
  return new Set(config.mailboxes.map((m) => normalizeAddress(m.address)));
}

function internalAddresses(config: Config): ReadonlySet<string> {
  return new Set([...ownAddresses(config), ...config.agents.map((a) => normalizeAddress(a.email))]);
}
