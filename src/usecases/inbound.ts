import { normalizeAddress, withoutSubaddress } from '../domain/address.js';
import type { Classification, InboundKind } from '../domain/classify.js';
import type { RegexTest } from '../domain/rules.js';
import type { SenderAuth } from '../domain/sender-auth.js';
import { event, type TicketEvent } from '../domain/ticket-events.js';
import type { ThreadVia } from '../domain/threading.js';
import type { MessageKind } from '../domain/ticket.js';
import type { Config, MailboxConfig } from '../config/schema.js';
import type { MailAddress, ParsedMail } from './parsed-mail.js';
import type { BlockedSender } from './blocked-sender.js';
import type { ReadForwardedText } from './forwarded-mail.js';
import { verifyPersonalAddress, verifyReplyToken, type TokenCheck } from './reply-token.js';
import type { ComposeMail, Logger, MailHtml, NewInboundMessage, OutboxQueue, Store, ThreadEntry } from './ports.js';

/** The database's blocklist as ingest reads it: cached, and forgotten once this process changed it. */
export interface BlockedSenderList {
  patterns(): Promise<readonly string[]>;
  invalidate(): void;
}

export interface IngestDeps {
  readonly store: Store;
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
  /** Finds a forward written into a mail's text (an agent forwarding a customer's mail to their personal address). */
  readonly readForwardedText: ReadForwardedText;
  /** HTML for the mail we send: agents' replies, customers' messages in notifications. */
  readonly mailHtml: MailHtml;
  /** The language a customer wrote in (Content-Language, else the text), among `supported`; null when it cannot be told. */
  readonly detectLanguage: (input: { readonly contentLanguage: string | null; readonly text: string }, supported: readonly string[]) => string | null;
  /** The database's blocked senders, as recently read (a change by another process reaches this one within seconds). */
  readonly blockedSenders: BlockedSenderList;
  readonly log: Logger;
}

/** One message as fetched from a mailbox. `size` is the size on the server. */
export interface InboundMail {
  readonly mailbox: string;
  readonly uid: number;
  readonly source: Buffer;
  readonly size: number;
  /**
   * Mail that was in the folder before the daemon first watched it, or a
   * backlog import: stored and threaded, but nobody is mailed about it.
   */
  readonly existing?: boolean;
}

/** One inbound mail, read: what every step of its ingest knows about it. Never changes. */
export interface Inbound {
  readonly mail: InboundMail;
  /** The source as stored: cut at `limits.maxMessageBytes`. */
  readonly source: Buffer;
  readonly rawSha256: string;
  readonly truncated: boolean;
  readonly parsed: ParsedMail;
  readonly classification: Classification;
  readonly mailbox: MailboxConfig;
  /** What the mail's signatures prove about its From (checked before the transaction). */
  readonly senderAuth: SenderAuth;
  /** The sender is on a blocklist: the mail is kept as spam, nobody hears of it. */
  readonly blocked?: BlockedSender | null;
  readonly now: Date;
}

/** The inbound message to store, on a ticket or on none. */
export function storedMessage(inbound: Inbound, ticketId: number | null, kind: MessageKind, agentEmail: string | null = null): NewInboundMessage {
  const { parsed, mail } = inbound;
  return {
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
    raw: inbound.source,
    rawSha256: inbound.rawSha256,
    rawSize: mail.size,
    truncated: inbound.truncated,
    parseError: parsed.parseError,
    mailbox: mail.mailbox,
    imapUid: mail.uid,
    sentDate: parsed.date,
    threadIndex: parsed.threadIndex,
    agentEmail,
    attachments: parsed.attachments,
    now: inbound.now,
  };
}

/** Notes every stored message gets when it was hard to read: parse error, truncation, bounded values, dropped HTML, omitted attachments. */
export function noteEvents(inbound: Inbound, config: Config): TicketEvent[] {
  const { parsed } = inbound;
  const on = { onMessage: true };
  const notes: TicketEvent[] = [];
  if (parsed.parseError) notes.push(event('parse_error', 'system', { error: parsed.parseError }, on));
  if (inbound.truncated) notes.push(event('message_truncated', 'system', { size: inbound.mail.size, storedBytes: inbound.source.length }, on));
  if (parsed.adjustments.length > 0) notes.push(event('input_bounded', 'system', { adjustments: parsed.adjustments }, on));
  if (parsed.htmlDropped) notes.push(event('html_dropped', 'system', { reason: parsed.htmlDropped }, on));
  for (const omitted of parsed.omittedAttachments) {
    notes.push(event('attachment_omitted', 'system', { ...omitted, limit: config.limits.maxAttachmentBytes }, on));
  }
  return notes;
}

export function actorOf(inbound: Pick<Inbound, 'parsed' | 'classification'>): string {
  const from = inbound.parsed.from?.address;
  const role = inbound.classification.kind === 'customer' ? 'customer' : 'system';
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

/** What one step of ingest did, and the outbox rows it wrote (queued after commit). */
export interface StepResult {
  /** The step added to the database's blocklist (`#spam block`): read it afresh once committed. */
  readonly sendersChanged?: boolean;
  readonly outcome: IngestOutcome;
  readonly kind: IngestResult['kind'];
  readonly ticketNumber: number | null;
  readonly via: ThreadVia | null;
  readonly outboxIds: readonly number[];
}

export function stepResult(
  inbound: Inbound,
  outcome: IngestOutcome,
  ticketNumber: number | null,
  via: ThreadVia | null,
  outboxIds: readonly number[],
  kind: IngestResult['kind'] = inbound.classification.kind,
): StepResult {
  return { outcome, kind, ticketNumber, via, outboxIds };
}

/** The reply token among the recipients that is valid for the sender, expired or not. */
export function replyTokenOf(inbound: Pick<Inbound, 'parsed' | 'now'>, config: Config, tokenKey: Buffer): TokenCheck | null {
  const recipients = [...inbound.parsed.to, ...inbound.parsed.cc].map((a) => a.address);
  return verifyReplyToken(tokenKey, recipients, inbound.parsed.from?.address ?? null, ownAddresses(config), inbound.now, config.replyTokens.lifetime);
}

/** The mailbox whose personal address for the sender (an agent) the mail was sent to, or null. */
export function personalAddressOf(inbound: Pick<Inbound, 'parsed'>, config: Config, tokenKey: Buffer): string | null {
  const recipients = [...inbound.parsed.to, ...inbound.parsed.cc].map((a) => a.address);
  return verifyPersonalAddress(tokenKey, recipients, inbound.parsed.from?.address ?? null, ownAddresses(config));
}

/** The inbound message on its ticket's thread, for the replies this change writes (none without a Message-ID). */
export function onThread(inbound: Inbound, ticketId: number, kind: MessageKind): { ticketId: number; entry: ThreadEntry } | null {
  const { messageId, threadIndex } = inbound.parsed;
  return messageId === null ? null : { ticketId, entry: { messageId, direction: 'in', kind, threadIndex } };
}

/** The display names the mail gives its addresses, by normalized address. */
export function namesOf(inbound: Inbound): Map<string, string> {
  const { parsed } = inbound;
  return new Map([...parsed.to, ...parsed.cc, ...(parsed.from ? [parsed.from] : [])].map((a) => [normalizeAddress(a.address), a.name]));
}

/** To and Cc addresses other than ours and our agents', once each. */
export function copiedAddresses(inbound: Inbound, config: Config): string[] {
  const internal = internalAddresses(config);
  const addresses = [...inbound.parsed.to, ...inbound.parsed.cc].map((a) => normalizeAddress(a.address));
  return [...new Set(addresses.filter((a) => !internal.has(withoutSubaddress(a))))];
}
