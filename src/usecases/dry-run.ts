import { createHash } from 'node:crypto';
import { normalizeAddress } from '../domain/address.js';
import { agentByAddress } from '../domain/agents.js';
import { decideAutoResponse } from '../domain/auto-response.js';
import { classifyInbound } from '../domain/classify.js';
import { decide, type Decision, type TicketChange } from '../domain/decide.js';
import { initialParticipants } from '../domain/participants.js';
import type { RegexTest, RuleTrigger } from '../domain/rules.js';
import { NOT_CHECKED } from '../domain/sender-auth.js';
import { newSlaState } from '../domain/sla.js';
import { removeTicketTags } from '../domain/subject-tag.js';
import type { Priority, Ticket } from '../domain/ticket.js';
import type { Config, MailboxConfig } from '../config/schema.js';
import { requesterOf } from './effects.js';
import { actorOf, copiedAddresses, noteEvents, ownAddresses, type Inbound } from './inbound.js';
import type { ParsedMail } from './parsed-mail.js';
import type { Store, UnitOfWork } from './ports.js';
import { ruleOutcome } from './rule-outcome.js';
import { advanceTicketSla, ticketPolicy } from './sla-policy.js';
import { lookUpThread, type ThreadLookup } from './thread-lookup.js';

export interface DryRunReport {
  readonly mailbox: string;
  readonly classification: { readonly kind: string; readonly suppressAutoResponse: boolean; readonly reasons: readonly string[] };
  /** The mail's new text, quoted history and signature removed: exactly what an agent's reply relays to the customer. */
  readonly reply: { readonly text: string };
  /**
   * For a bounce: the Message-IDs of our mail it returns, and its delivery status (e.g. 5.1.1: the report's,
   * else the first code in the notice, else 5.0.0; null for an abuse report).
   */
  readonly bounce: { readonly originalMessageIds: readonly string[]; readonly status: string | null } | null;
  /** For a delay notice (an auto-reply): the same about the mail that is late. */
  readonly delay: { readonly originalMessageIds: readonly string[]; readonly status: string | null } | null;
  readonly threading: {
    readonly decision: string;
    readonly ticket: number | null;
    readonly via: string | null;
    readonly note: string | null;
    /** For a mail stored already: the ticket it is on, what it was stored as, and the events its ingest recorded. */
    readonly stored: { readonly ticket: number | null; readonly kind: string; readonly events: readonly string[] } | null;
  };
  readonly trigger: RuleTrigger | null;
  readonly rules: readonly { readonly rule: string; readonly why: readonly string[] }[];
  readonly result: {
    readonly priority: Priority;
    readonly department: string;
    readonly assignee: string | null;
    readonly tags: readonly string[];
    readonly status: string;
    readonly sla: { readonly firstResponseDueAt: string | null; readonly nextResponseDueAt: string | null; readonly resolutionDueAt: string | null };
    readonly acknowledgement: { readonly send: boolean; readonly reason: string | null };
    readonly replies: readonly string[];
    readonly notifications: readonly { readonly to: readonly string[]; readonly template: string }[];
  };
}

export interface DryRunDeps {
  readonly config: Config;
  readonly parse: (raw: Buffer, options: { maxAttachmentBytes: number }) => Promise<ParsedMail>;
  readonly regex: RegexTest;
  /** The live database, when it can be reached; without it every mail counts as a new ticket. */
  readonly store: Store | null;
  readonly now: Date;
  /** The reply extractor ingest uses. */
  readonly extractReply: (text: string) => string;
}

/**
 * What the daemon would do with a mail: classification, threading (against
 * the live database when reachable, reading only), and then the very
 * decide() ingest runs — rules, status, SLA due times, acknowledgement — with
 * nothing saved. A mail stored already is reported as such, with what
 * happened to it then.
 */
export async function dryRunRules(deps: DryRunDeps, raw: Buffer, mailboxName?: string): Promise<DryRunReport> {
  const { config, now } = deps;
  const parsed = await deps.parse(raw, { maxAttachmentBytes: config.limits.maxAttachmentBytes });
  const mailbox = config.mailboxes.find((m) => m.name === mailboxName) ?? recipientMailbox(config, parsed) ?? config.mailboxes[0]!;
  const classification = classifyInbound(parsed.facts, ownAddresses(config));
  const inbound: Inbound = {
    mail: { mailbox: mailbox.name, uid: 0, source: raw, size: raw.length },
    source: raw,
    rawSha256: createHash('sha256').update(raw).digest('hex'),
    truncated: false,
    parsed,
    classification,
    mailbox,
    senderAuth: NOT_CHECKED,
    now,
  };
  const fromAgent = agentByAddress(config.agents, parsed.from?.address ?? null) !== null;
  if (!deps.store) return predict(deps, null, inbound, { kind: 'new', reason: 'no-signal' }, fromAgent, 'database not reachable: threading not checked');
  try {
    return await deps.store.read(async (uow) => predict(deps, uow, inbound, await lookUpThread(uow, config, Buffer.alloc(32), inbound, fromAgent), fromAgent, null));
  } catch (err) {
    return predict(deps, null, inbound, { kind: 'new', reason: 'no-signal' }, fromAgent, `database not reachable: ${(err as Error).message}`);
  }
}

async function predict(deps: DryRunDeps, uow: UnitOfWork | null, inbound: Inbound, thread: ThreadLookup, fromAgent: boolean, note: string | null): Promise<DryRunReport> {
  const { config, now } = deps;
  const { classification, mailbox } = inbound;
  const existing = thread.kind === 'existing' && uow ? await uow.tickets.load(thread.ticketId) : null;
  const threading = {
    decision: thread.kind,
    ticket: thread.kind === 'duplicate' ? thread.stored.ticketNumber : (existing?.number ?? null),
    via: thread.kind === 'existing' ? thread.via : null,
    note: fromAgent && thread.kind !== 'duplicate' ? (note ?? 'mail from an agent: its commands act, no rule runs') : note,
    stored: thread.kind === 'duplicate' ? { ticket: thread.stored.ticketNumber, kind: thread.stored.kind, events: thread.stored.events } : null,
  };
  const base = existing ?? prospectiveTicket(config, mailbox, inbound);
  const runs = classification.kind === 'customer' && !fromAgent && thread.kind !== 'duplicate';
  if (!runs) return report(deps, inbound, threading, null, null, base, unchanged(base), ackWhenNot(thread, classification.kind));

  const trigger: RuleTrigger = existing ? 'customerReply' : 'new';
  const rules = await ruleOutcome(uow?.tickets ?? null, config, deps.regex, inbound, base, trigger);
  const change: TicketChange = existing
    ? { type: 'customer_message', actor: actorOf(inbound), via: thread.kind === 'existing' ? thread.via : 'references', joined: { add: [], heldBack: [] }, notes: [], rules }
    : {
        type: 'opened',
        actor: actorOf(inbound),
        joined: initialParticipants(requesterOf(inbound).address, copiedAddresses(inbound, config), config.limits.participantsPerTicket),
        linkedFrom: null,
        automatedSender: null,
        notes: noteEvents(inbound, config),
        rules,
      };
  let decision = decide(base, change, ticketPolicy(config), now);
  if (decision.effects.some((e) => e.type === 'open_linked_ticket')) {
    const fresh = prospectiveTicket(config, mailbox, inbound);
    const opened = { ...change, type: 'opened', linkedFrom: { id: base.id, number: base.number }, automatedSender: null } as TicketChange;
    decision = decide(fresh, opened, ticketPolicy(config), now);
    threading.note = `ticket #${base.number} is closed longer than the reopen window: a new ticket linked to it would take the mail`;
    threading.ticket = null;
  }
  const ack = acknowledgement(config, inbound, decision, existing === null);
  return report(deps, inbound, threading, trigger, rules?.matches ?? [], decision.ticket, decision, ack);
}

/** The ticket a new mail would open, before the rules: what open-ticket.ts creates. */
function prospectiveTicket(config: Config, mailbox: MailboxConfig, inbound: Inbound): Ticket {
  const { now } = inbound;
  const clock = { priority: mailbox.defaultPriority, department: mailbox.department, sla: newSlaState(now) };
  return {
    id: 0,
    number: 0,
    status: 'new',
    subject: removeTicketTags(inbound.parsed.subject, config.ticketPrefix) || '(no subject)',
    priority: mailbox.defaultPriority,
    department: mailbox.department,
    assignee: null,
    tags: [],
    mailbox: mailbox.name,
    requesterId: 0,
    closedAt: null,
    postponedUntil: null,
    lastActivityAt: now,
    lastCustomerMessageAt: now,
    lastAgentReplyAt: null,
    autoCloseWarnedAt: null,
    language: null,
    deletedAt: null,
    mergedIntoId: null,
    satisfactionAskedAt: null,
    sla: advanceTicketSla(config, clock, [{ type: 'created', at: now }]),
    version: 0,
  };
}

function unchanged(ticket: Ticket): Decision {
  return { ticket, events: [], effects: [], participants: { add: [], remove: [] }, problems: [] };
}

function ackWhenNot(thread: ThreadLookup, kind: string): { send: boolean; reason: string | null } {
  if (thread.kind === 'duplicate') return { send: false, reason: 'the mail is stored already: nothing happens again' };
  return { send: false, reason: kind === 'customer' ? 'only new tickets are acknowledged' : 'not customer mail' };
}

/** Whether the acknowledgement would go out: decide() says whether one is due; the I7 rules say whether it may (no counts: a dry run sends nothing). */
function acknowledgement(config: Config, inbound: Inbound, decision: Decision, isNew: boolean): { send: boolean; reason: string | null } {
  if (!isNew) return { send: false, reason: 'only new tickets are acknowledged' };
  if (!config.autoAcknowledge.enabled) return { send: false, reason: 'acknowledgements are disabled' };
  const skipped = decision.events.find((e) => e.type === 'auto_ack_skipped');
  if (skipped && skipped.type === 'auto_ack_skipped') return { send: false, reason: skipped.data.reason };
  const verdict = decideAutoResponse({
    classification: inbound.classification,
    recipient: inbound.parsed.from?.address ?? null,
    sentToRecipient: 0,
    sentOnTicket: 0,
    sentFromMailbox: 0,
    limits: config.autoAcknowledge.limits,
  });
  return verdict.send ? { send: true, reason: null } : { send: false, reason: verdict.reason };
}

function report(
  deps: DryRunDeps,
  inbound: Inbound,
  threading: DryRunReport['threading'],
  trigger: RuleTrigger | null,
  matches: readonly { readonly rule: string; readonly why: readonly string[] }[] | null,
  ticket: Ticket,
  decision: Decision,
  acknowledgement: { send: boolean; reason: string | null },
): DryRunReport {
  const c = inbound.classification;
  const { parsed } = inbound;
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    mailbox: inbound.mailbox.name,
    classification: { kind: c.kind, suppressAutoResponse: c.suppressAutoResponse, reasons: c.reasons },
    reply: { text: deps.extractReply(parsed.text) },
    bounce: c.bounce ? { originalMessageIds: [...c.bounce.originalMessageIds], status: c.bounce.status } : null,
    delay: c.delay ? { originalMessageIds: [...c.delay.originalMessageIds], status: c.delay.status } : null,
    threading,
    trigger,
    rules: (matches ?? []).map((m) => ({ rule: m.rule, why: m.why })),
    result: {
      priority: ticket.priority,
      department: ticket.department,
      assignee: ticket.assignee,
      tags: [...ticket.tags],
      status: ticket.status,
      sla: { firstResponseDueAt: iso(ticket.sla.firstResponseDueAt), nextResponseDueAt: iso(ticket.sla.nextResponseDueAt), resolutionDueAt: iso(ticket.sla.resolutionDueAt) },
      acknowledgement,
      replies: decision.effects.flatMap((e) => (e.type === 'rule_reply' ? [e.template] : [])),
      notifications: decision.effects.flatMap((e) => (e.type === 'rule_notice' ? [{ to: e.to, template: e.template }] : [])),
    },
  };
}

function recipientMailbox(config: Config, parsed: ParsedMail) {
  const recipients = new Set([...parsed.to, ...parsed.cc].map((a) => normalizeAddress(a.address)));
  return config.mailboxes.find((m) => recipients.has(m.address));
}
