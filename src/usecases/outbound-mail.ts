import { randomBytes, randomUUID } from 'node:crypto';
import { domainOf, isMailSystemSender, isNoReplySender, normalizeAddress } from '../domain/address.js';
import { failedDmarcAtMta } from '../domain/auth-results.js';
import { decideAutoResponse } from '../domain/auto-response.js';
import { failsDmarc, type SenderAuth } from '../domain/sender-auth.js';
import { headerSafe, threadHeaders, type ThreadHeaders } from '../domain/outbound-headers.js';
import { formatTicketTag } from '../domain/subject-tag.js';
import { renderTemplate, type TemplateVars } from '../domain/template.js';
import type { Agent } from '../domain/agents.js';
import type { Config, MailboxConfig } from '../config/schema.js';
import type { Classification } from '../domain/classify.js';
import { internalAddresses, type IngestDeps } from './inbound.js';
import type { MailAddress, ParsedMail } from './parsed-mail.js';
import type { AutomatedMailRecord, MailHtml, NewOutboundMessage, OutboundAttachment, OutboundMail, Participant, ThreadEntry, Ticket, UnitOfWork } from './ports.js';
import { makeReplyToken, personalAddressToken, replyTokenAddress } from './reply-token.js';
import { agentLanguage, customerLanguage, templateFor, type TemplatePlace } from '../config/template-choice.js';

/**
 * The mail one change writes — outbox rows and the counters of automated
 * mail — held until the change is saved with it (one round of statements).
 */
export interface PendingMail {
  readonly outbox: NewOutboundMessage[];
  readonly automated: AutomatedMailRecord[];
  /** Each ticket's thread as read, with the mail of this change added. */
  readonly threads: Map<number, ThreadEntry[]>;
  /** The inbound message saved with the change, on its ticket's thread. */
  readonly inbound: { readonly ticketId: number; readonly entry: ThreadEntry } | null;
}

export function pendingMail(inbound: PendingMail['inbound'] = null): PendingMail {
  return { outbox: [], automated: [], threads: new Map(), inbound };
}

/** What writing outgoing mail needs: the unit of work (reads), the config, and the pending mail of the change. */
export interface MailContext {
  readonly uow: UnitOfWork;
  readonly config: Config;
  readonly now: Date;
  /** `mailHtml`: given where mail from inbound HTML is written (ingest); scheduled jobs write none. */
  readonly deps: Pick<IngestDeps, 'compose' | 'tokenKey'> & { readonly mailHtml?: MailHtml };
  readonly pending: PendingMail;
}

/** Marks every automated mail so well-behaved systems never answer it (I7, RFC 3834). */
const AUTO_HEADERS = { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } as const;
const GENERATED_HEADERS = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' } as const;

export interface MailSpec {
  readonly kind: OutboundMail['kind'];
  readonly from: MailAddress;
  readonly to: readonly MailAddress[];
  readonly cc?: readonly MailAddress[];
  readonly replyTo?: MailAddress | null;
  /** Overrides the thread's `Re: <subject> [#N]`. */
  readonly subject?: string;
  readonly text: string;
  readonly html?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly attachments?: readonly OutboundAttachment[];
  readonly agentEmail?: string | null;
}

export function mailboxOf(config: Config, name: string): MailboxConfig {
  const mailbox = config.mailboxes.find((m) => m.name === name);
  if (!mailbox) throw new Error(`mailbox "${name}" is not configured`);
  return mailbox;
}

/**
 * Writes one outgoing mail on a ticket into the outbox (same transaction as
 * the change that caused it); it is queued after commit. Threading headers,
 * Message-ID and rendering happen here, so every retry sends the same bytes.
 */
export async function queueTicketMail(ctx: MailContext, ticket: Ticket, spec: MailSpec): Promise<void> {
  const entries = await threadEntries(ctx, ticket.id);
  const thread = threadOf(entries);
  const headers = threadHeaders(
    {
      ticketNumber: ticket.number,
      subject: ticket.subject,
      ticketPrefix: ctx.config.ticketPrefix,
      chain: thread.chain,
      inReplyTo: thread.lastCustomerMessageId,
      rootThreadIndex: thread.rootThreadIndex,
    },
    ctx.now,
    randomBytes(21),
  );
  const mail = await queueMail(ctx, ticket.mailbox, ticket.id, spec, headers);
  entries.push({ messageId: mail.messageId, direction: 'out', kind: mail.kind, threadIndex: headers.threadIndex });
}

/** A ticket's thread: as stored, then the inbound message of this change, then the mail it queued so far. */
async function threadEntries(ctx: MailContext, ticketId: number): Promise<ThreadEntry[]> {
  let entries = ctx.pending.threads.get(ticketId);
  if (!entries) {
    entries = await ctx.uow.messages.thread(ticketId);
    const inbound = ctx.pending.inbound;
    if (inbound && inbound.ticketId === ticketId) entries.push(inbound.entry);
    ctx.pending.threads.set(ticketId, entries);
  }
  return entries;
}

/** What a reply needs of a thread. Notifications and notes are between us and the agents: not part of the customer's thread. */
function threadOf(entries: readonly ThreadEntry[]) {
  const customerThread = entries.filter((r) => r.kind !== 'notification' && r.kind !== 'note');
  const lastCustomer = [...entries].reverse().find((r) => r.direction === 'in' && r.kind === 'customer');
  return {
    chain: customerThread.map((r) => r.messageId),
    lastCustomerMessageId: lastCustomer?.messageId ?? null,
    rootThreadIndex: customerThread.find((r) => r.threadIndex)?.threadIndex?.slice(0, 30) ?? null,
  };
}

/** A mail that belongs to no ticket (e.g. a warning about a forged mail that matched none). */
export async function queueLooseMail(ctx: MailContext, mailboxName: string, spec: MailSpec & { subject: string }): Promise<void> {
  await queueMail(ctx, mailboxName, null, spec, null);
}

async function queueMail(
  ctx: MailContext,
  mailboxName: string,
  ticketId: number | null,
  spec: MailSpec,
  headers: ThreadHeaders | null,
): Promise<OutboundMail> {
  const mailbox = mailboxOf(ctx.config, mailboxName);
  const mail: OutboundMail = {
    mailbox: mailbox.name,
    kind: spec.kind,
    messageId: `${randomUUID()}@${domainOf(mailbox.address) || 'helpdesk.invalid'}`,
    from: safeAddress(spec.from),
    to: spec.to.map(safeAddress),
    cc: (spec.cc ?? []).map(safeAddress),
    replyTo: spec.replyTo ? safeAddress(spec.replyTo) : null,
    subject: headerSafe(spec.subject ?? headers?.subject ?? ''),
    text: spec.text,
    html: spec.html ?? null,
    inReplyTo: headers?.inReplyTo ?? null,
    references: headers?.references ?? [],
    headers: {
      ...(headers ? { 'Thread-Topic': headerSafe(headers.threadTopic), 'Thread-Index': headers.threadIndex } : {}),
      ...spec.headers,
    },
    attachments: spec.attachments ?? [],
    date: ctx.now,
  };
  const raw = await ctx.deps.compose(mail);
  ctx.pending.outbox.push({ ticketId, mail, raw, agentEmail: spec.agentEmail ?? null, threadIndex: headers?.threadIndex ?? null });
  return mail;
}

function safeAddress(a: MailAddress): MailAddress {
  return { address: headerSafe(a.address), name: headerSafe(a.name) };
}

export function ticketVars(ctx: Pick<MailContext, 'config'>, ticket: Ticket, customer: MailAddress | null): TemplateVars {
  return ticketVarsOf(ticket, ctx.config.ticketPrefix, mailboxOf(ctx.config, ticket.mailbox), customer);
}

/** The placeholders every template may use, from a ticket, its mailbox and its customer. */
export function ticketVarsOf(
  ticket: Pick<Ticket, 'number' | 'subject' | 'status' | 'priority' | 'department' | 'assignee'>,
  ticketPrefix: string,
  mailbox: { readonly name: string; readonly address: string },
  customer: MailAddress | null,
): TemplateVars {
  return {
    'ticket.number': ticket.number,
    'ticket.tag': formatTicketTag(ticket.number, ticketPrefix),
    'ticket.subject': ticket.subject,
    'ticket.status': ticket.status,
    'ticket.priority': ticket.priority,
    'ticket.department': ticket.department,
    'ticket.assignee': ticket.assignee ?? '',
    'customer.name': customer?.name || customer?.address || 'there',
    'customer.email': customer?.address ?? '',
    'mailbox.name': mailbox.name,
    'mailbox.address': mailbox.address,
  };
}

/** How much of a sender-written value an automated mail to a customer repeats. */
const ECHO_CHARS = { subject: 120, name: 64 } as const;

/**
 * The placeholders of automated mail to a customer — who may be a stranger
 * whose address was forged — with the values the sender wrote (the subject,
 * their display name) cut to one short line: the daemon must not carry
 * someone's text to a third party.
 */
export function automatedVars(vars: TemplateVars): TemplateVars {
  const line = (value: unknown, max: number) => {
    const text = String(value ?? '').replace(/\s+/g, ' ').trim();
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  };
  return { ...vars, 'ticket.subject': line(vars['ticket.subject'], ECHO_CHARS.subject), 'customer.name': line(vars['customer.name'], ECHO_CHARS.name) };
}

/**
 * Renders a named template — the mailbox's, the config's or the built-in one
 * in the mail's language (templateFor). The subject always carries the
 * ticket tag, so replies thread; HTML gets its values escaped, except
 * `trustedHtml` (HTML we made safe ourselves, such as an agent's sanitised reply).
 */
export function renderNamed(
  config: Config,
  name: string,
  vars: TemplateVars,
  place: TemplatePlace,
  trustedHtml: TemplateVars = {},
): { subject: string; text: string; html?: string } {
  const template = templateFor(config, name, place);
  if (!template) throw new Error(`no template "${name}"`);
  const subject = renderTemplate(template.subject, vars);
  const tag = vars['ticket.tag'] === undefined ? '' : String(vars['ticket.tag']);
  const html = template.html ? renderTemplate(template.html, { ...escapeHtmlVars(vars), ...trustedHtml }) : undefined;
  return { subject: !tag || subject.includes(tag) ? subject : `${subject} ${tag}`, text: renderTemplate(template.text, vars), ...(html ? { html } : {}) };
}

/** Where mail to a ticket's customer is written: its mailbox, in the customer's language. */
export function customerPlace(config: Config, ticket: Pick<Ticket, 'mailbox' | 'language'>): TemplatePlace {
  return { mailbox: ticket.mailbox, language: customerLanguage(config, ticket) };
}

/** Where mail to agents about a ticket is written: its mailbox, in the mailbox's language. */
export function agentPlace(config: Config, ticket: Pick<Ticket, 'mailbox'>): TemplatePlace {
  return { mailbox: ticket.mailbox, language: agentLanguage(config, ticket.mailbox) };
}

function escapeHtmlVars(vars: TemplateVars): TemplateVars {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v === null || v === undefined ? v : escapeHtml(String(v))]));
}

/**
 * An automated mail to a customer — acknowledgement, rule reply, auto-close
 * notice — under I7: never in answer to automatic, bulk or list mail, never
 * to no-reply or mail-system addresses or our own, and within the per-sender
 * and per-ticket rate limits. Returns why it was not sent, or null.
 */
export async function autoRespond(
  ctx: MailContext,
  ticket: Ticket,
  to: MailAddress | null,
  classification: Classification,
  mail: { subject: string; text: string; html?: string; replyTo?: MailAddress },
  kind: string,
  headers: Readonly<Record<string, string>> = AUTO_HEADERS,
  messageKind: 'auto_ack' | 'auto_notice' = 'auto_ack',
): Promise<string | null> {
  const address = to ? normalizeAddress(to.address) : null;
  const automated = address !== null && (isNoReplySender(address) || isMailSystemSender(address) || address.endsWith('.invalid'));
  if (address && internalAddresses(ctx.config).has(address)) return 'the recipient is one of our own addresses';
  const limits = ctx.config.autoAcknowledge.limits;
  const since = new Date(ctx.now.getTime() - limits.window);
  const counts = address ? await countAutoResponses(ctx, { address, ticketId: ticket.id, mailbox: ticket.mailbox, since }) : { toAddress: 0, onTicket: 0, fromMailbox: 0 };
  const decision = decideAutoResponse({
    classification: automated ? { ...classification, suppressAutoResponse: true, reasons: [...classification.reasons, 'no-reply or mail-system address'] } : classification,
    recipient: address,
    sentToRecipient: counts.toAddress,
    sentOnTicket: counts.onTicket,
    sentFromMailbox: counts.fromMailbox,
    limits,
  });
  if (!decision.send || !to || !address) return decision.send ? 'no sender address' : decision.reason;
  const mailbox = mailboxOf(ctx.config, ticket.mailbox);
  await queueTicketMail(ctx, ticket, { kind: messageKind, from: { address: mailbox.address, name: mailbox.name }, to: [to], ...mail, headers });
  ctx.pending.automated.push({ address, ticketId: ticket.id, kind, mailbox: ticket.mailbox });
  return null;
}

/** Automated mails to customers in the window: those stored, and those this change writes. */
async function countAutoResponses(ctx: MailContext, query: { address: string; ticketId: number; mailbox: string; since: Date }) {
  const stored = await ctx.uow.counters.countAutoResponses(query);
  const pending = ctx.pending.automated.filter((a) => !a.kind.startsWith('notice:'));
  return {
    toAddress: stored.toAddress + pending.filter((a) => a.address === query.address).length,
    onTicket: stored.onTicket + pending.filter((a) => a.ticketId === query.ticketId).length,
    fromMailbox: stored.fromMailbox + pending.filter((a) => a.mailbox === query.mailbox).length,
  };
}

/**
 * The acknowledgement of a new ticket, unless I7, the rate limits or the
 * sender's own domain forbid it: a From that fails DMARC (the domain's owner
 * says it is not theirs) is likely forged, and acknowledging it would mail a
 * stranger. Returns why not, or null.
 */
export async function acknowledge(
  ctx: MailContext,
  inbound: { readonly classification: Classification; readonly senderAuth: SenderAuth; readonly parsed: Pick<ParsedMail, 'facts'> },
  ticket: Ticket,
  requester: MailAddress,
): Promise<string | null> {
  if (!ctx.config.autoAcknowledge.enabled) return 'acknowledgements are disabled';
  if (failsDmarc(inbound.senderAuth)) return `the sender fails DMARC (${inbound.senderAuth.summary}): the From is likely forged`;
  const trusted = ctx.config.trustedAuthServer;
  if (trusted && failedDmarcAtMta(inbound.parsed.facts.headers.get('authentication-results') ?? [], trusted, requester.address)) {
    return `the sender failed DMARC at ${trusted}: the From is likely forged`;
  }
  const mail = renderNamed(ctx.config, 'acknowledgement', automatedVars(ticketVars(ctx, ticket, requester)), customerPlace(ctx.config, ticket));
  return autoRespond(ctx, ticket, requester, inbound.classification, mail, 'auto_ack');
}

/** Notices of one kind per window, whoever triggers them. */
const NOTICES_PER_WINDOW = 10;

/**
 * Whether an internal notice that a stranger can trigger (a mail forged in an
 * agent's name, a bounced acknowledgement) may go out: one per `key` (the
 * sender or address concerned) and kind within the window, and at most a few
 * of that kind in all — a flood becomes events on tickets, not a flood of mail
 * to agents. Records the notice when it may.
 */
export async function mayNotice(ctx: MailContext, kind: string, key: string): Promise<string | null> {
  const since = new Date(ctx.now.getTime() - ctx.config.autoAcknowledge.limits.window);
  const stored = await ctx.uow.counters.countNotices(`notice:${kind}`, key, since);
  const pending = ctx.pending.automated.filter((a) => a.kind === `notice:${kind}`);
  const sameKey = stored.sameKey + pending.filter((a) => a.address === key).length;
  const sameKind = stored.sameKind + pending.length;
  if (sameKey > 0) return `a notice about ${key} went out already in the window`;
  if (sameKind >= NOTICES_PER_WINDOW) return `${sameKind} such notices went out in the window`;
  ctx.pending.automated.push({ address: key, ticketId: null, kind: `notice:${kind}`, mailbox: null });
  return null;
}

/** What a notification may carry besides its text: an HTML version, the customer's attachments. */
export interface NoticeExtras {
  readonly html?: string;
  readonly attachments?: readonly OutboundAttachment[];
}

/**
 * Mail to an agent about a ticket, with a Reply-To carrying the agent's
 * reply token, and a footer with the agent's personal address (new tickets
 * by mail).
 */
export async function notifyAgent(ctx: MailContext, ticket: Ticket, agent: Agent, subject: string, text: string, extras: NoticeExtras = {}): Promise<void> {
  const mailbox = mailboxOf(ctx.config, ticket.mailbox);
  const token = makeReplyToken(ctx.deps.tokenKey, ticket.number, agent.email, ctx.now);
  const footer = personalAddressFooter(ctx, mailbox.address, agent);
  return queueTicketMail(ctx, ticket, {
    kind: 'notification',
    from: { address: mailbox.address, name: mailbox.name },
    to: [{ address: agent.email, name: agent.name }],
    replyTo: { address: replyTokenAddress(mailbox.address, token), name: mailbox.name },
    subject: `${formatTicketTag(ticket.number, ctx.config.ticketPrefix)} ${subject}`,
    text: `${text.trimEnd()}\n\n${footer}`,
    ...(extras.html ? { html: withFooter(extras.html, `<hr><pre>${escapeHtml(footer)}</pre>`) } : {}),
    ...(extras.attachments?.length ? { attachments: extras.attachments } : {}),
    headers: GENERATED_HEADERS,
  });
}

/** HTML with `footer` at the end of its body (or at its end, for a fragment). */
function withFooter(html: string, footer: string): string {
  const end = html.toLowerCase().lastIndexOf('</body>');
  return end < 0 ? `${html}\n${footer}` : `${html.slice(0, end)}${footer}${html.slice(end)}`;
}

/** The line every notification ends with: where the agent starts a ticket by mail. */
function personalAddressFooter(ctx: MailContext, mailboxAddress: string, agent: Agent): string {
  const personal = replyTokenAddress(mailboxAddress, personalAddressToken(ctx.deps.tokenKey, agent.email));
  return `Your personal address for new tickets: ${personal}\n(forward a customer's mail to it, or write to it starting with #new customer@example.com)`;
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The customer-facing recipients of a reply: the requester, the other participants in CC. */
export function customerRecipients(config: Config, participants: readonly Participant[]): { to: MailAddress[]; cc: MailAddress[] } {
  const internal = internalAddresses(config);
  const external = participants.filter((p) => !internal.has(normalizeAddress(p.address)));
  return {
    to: external.filter((p) => p.role === 'requester').map(({ address, name }) => ({ address, name })),
    cc: external.filter((p) => p.role === 'cc').map(({ address, name }) => ({ address, name })),
  };
}

export { AUTO_HEADERS, GENERATED_HEADERS };
