import { normalizeAddress } from '../domain/address.js';
import type { Classification, InboundKind } from '../domain/classify.js';
import type { RegexTest } from '../domain/rules.js';
import type { SenderAuth } from '../domain/sender-auth.js';
import type { ThreadVia } from '../domain/threading.js';
import type { MessageKind } from '../domain/ticket.js';
import type { Config, MailboxConfig } from '../config/schema.js';
import type { MailAddress, ParsedMail } from './parsed-mail.js';
import { verifyReplyToken, type TokenCheck } from './reply-token.js';
import type { ComposeMail, IngestTx, Logger, NewEvent, OutboxQueue, TicketStore } from './ports.js';

export interface IngestDeps {
  readonly store: TicketStore;
  /** The config in force now (it can be reloaded between messages). */
  readonly config: () => Config;
  readonly now: () => Date;
  readonly parse: (raw: Buffer, options: { maxAttachmentBytes: number }) => Promise<ParsedMail>;
  readonly compose: ComposeMail;
  readonly outbox: OutboxQueue;
  /** Key of reply tokens (HELPDESK_TOKEN_KEY, or one generated and kept in the database). */
  readonly tokenKey: Buffer;
  /** The new text of a reply: quoted history and signature removed. */
  readonly extractReply: (text: string) => string;
  /** The RE2 engine rule patterns run on. */
  readonly regex: RegexTest;
  /** Checks a raw mail's DKIM signatures and DMARC ourselves; never throws. */
  readonly verifySender: (raw: Buffer) => Promise<SenderAuth>;
  readonly log: Logger;
}

/** One message as fetched from a mailbox. `size` is the size on the server. */
export interface InboundMail {
  readonly mailbox: string;
  readonly uid: number;
  readonly source: Buffer;
  readonly size: number;
}

/** Everything one message's transaction works with. `outboxIds` collects rows to queue after commit. */
export interface Context {
  readonly deps: IngestDeps;
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
  readonly outboxIds: number[];
  /** What the mail's signatures prove about its From (checked before the transaction). */
  readonly senderAuth: SenderAuth;
}

/** Stores the inbound message (raw source, text, attachments) on a ticket, or on none. */
export function storeMessage(ctx: Context, ticketId: number | null, kind: MessageKind, agentEmail: string | null = null): Promise<number> {
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
    threadIndex: parsed.threadIndex,
    agentEmail,
    attachments: parsed.attachments,
    now: ctx.now,
  });
}

/** Notes every stored message gets when it was hard to read: parse error, truncation, bounded values, dropped HTML, omitted attachments. */
export function noteEvents(ctx: Context, ticketId: number, messageId: number): NewEvent[] {
  const events: NewEvent[] = [];
  const { parsed } = ctx;
  if (parsed.parseError) {
    events.push({ ticketId, messageId, type: 'parse_error', actor: 'system', data: { error: parsed.parseError } });
  }
  if (ctx.truncated) {
    const data = { size: ctx.mail.size, storedBytes: ctx.source.length };
    events.push({ ticketId, messageId, type: 'message_truncated', actor: 'system', data });
  }
  if (parsed.adjustments.length > 0) {
    events.push({ ticketId, messageId, type: 'input_bounded', actor: 'system', data: { adjustments: parsed.adjustments } });
  }
  if (parsed.htmlDropped) {
    events.push({ ticketId, messageId, type: 'html_dropped', actor: 'system', data: { reason: parsed.htmlDropped } });
  }
  for (const omitted of parsed.omittedAttachments) {
    const data = { ...omitted, limit: ctx.config.limits.maxAttachmentBytes };
    events.push({ ticketId, messageId, type: 'attachment_omitted', actor: 'system', data });
  }
  return events;
}

export function actorOf(ctx: Context): string {
  const from = ctx.parsed.from?.address;
  const role = ctx.classification.kind === 'customer' ? 'customer' : 'system';
  return from ? `${role}:${from}` : role;
}

/** The addresses mail is sent from: every mailbox. */
export function ownAddresses(config: Config): ReadonlySet<string> {
  return new Set(config.mailboxes.map((m) => normalizeAddress(m.address)));
}

/** Our mailboxes and our agents: never customer participants. */
export function internalAddresses(config: Config): ReadonlySet<string> {
  return new Set([...ownAddresses(config), ...config.agents.map((a) => normalizeAddress(a.email))]);
}

export function displayAddress(address: MailAddress): string {
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

export type IngestOutcome = 'created' | 'appended' | 'duplicate' | 'unthreaded';

export interface IngestResult {
  readonly outcome: IngestOutcome;
  readonly kind: InboundKind | 'agent' | 'forged';
  readonly ticketNumber: number | null;
  readonly messageId: string | null;
  readonly via: ThreadVia | null;
  readonly parseError: string | null;
  readonly truncated: boolean;
  /** Outbox rows written by this message (acknowledgement, notifications, relayed replies). */
  readonly queued: number;
}

export type StepResult = Omit<IngestResult, 'queued'>;

export function resultOf(
  ctx: Context,
  outcome: IngestOutcome,
  ticketNumber: number | null,
  via: ThreadVia | null,
  kind: IngestResult['kind'] = ctx.classification.kind,
): StepResult {
  return { outcome, kind, ticketNumber, messageId: ctx.parsed.messageId, via, parseError: ctx.parsed.parseError, truncated: ctx.truncated };
}

/** The reply token among the recipients that is valid for the sender, expired or not. */
export function replyTokenOf(ctx: Pick<Context, 'parsed' | 'deps' | 'config' | 'now'>): TokenCheck | null {
  const recipients = [...ctx.parsed.to, ...ctx.parsed.cc].map((a) => a.address);
  return verifyReplyToken(ctx.deps.tokenKey, recipients, ctx.parsed.from?.address ?? null, ownAddresses(ctx.config), ctx.now, ctx.config.replyTokens.lifetime);
}
