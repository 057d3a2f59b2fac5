import { createHash } from 'node:crypto';
import { normalizeAddress } from '../domain/address.js';
import { agentByAddress, findAgent } from '../domain/agents.js';
import { decideAutoResponse } from '../domain/auto-response.js';
import { classifyInbound } from '../domain/classify.js';
import { evaluateRules, type RegexTest, type RuleTrigger } from '../domain/rules.js';
import { advanceSla, newSlaState } from '../domain/sla.js';
import type { ThreadDecision } from '../domain/threading.js';
import type { Priority } from '../domain/ticket.js';
import type { Config } from '../config/schema.js';
import { ruleFacts } from './apply-rules.js';
import { ownAddresses, type Context } from './ingest-context.js';
import { decideThread } from './ingest-message.js';
import type { ParsedMail } from './parsed-mail.js';
import type { TicketRecord, TicketStore } from './ports.js';
import { slaPolicyFor } from './sla-policy.js';

export interface DryRunReport {
  readonly mailbox: string;
  readonly classification: { readonly kind: string; readonly suppressAutoResponse: boolean; readonly reasons: readonly string[] };
  readonly threading: { readonly decision: string; readonly ticket: number | null; readonly via: string | null; readonly note: string | null };
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
  readonly store: TicketStore | null;
  readonly now: Date;
}

/**
 * What the daemon would do with a mail — classification, threading (against
 * the live database when reachable), every rule that matches and why, and
 * the resulting ticket fields, SLA due times and acknowledgement. Changes nothing.
 */
export async function dryRunRules(deps: DryRunDeps, raw: Buffer, mailboxName?: string): Promise<DryRunReport> {
  const { config, now } = deps;
  const parsed = await deps.parse(raw, { maxAttachmentBytes: config.limits.maxAttachmentBytes });
  const mailbox = config.mailboxes.find((m) => m.name === mailboxName) ?? recipientMailbox(config, parsed) ?? config.mailboxes[0]!;
  const classification = classifyInbound(parsed.facts, ownAddresses(config));
  const lookup = await threadLookup(deps, raw, parsed, mailbox.name, classification);
  const ticket = lookup.ticket;
  const trigger: RuleTrigger | null =
    classification.kind !== 'customer' || lookup.decision.kind === 'duplicate' ? null : lookup.decision.kind === 'existing' ? 'customerReply' : 'new';
  const base = { priority: ticket?.priority ?? mailbox.defaultPriority, department: ticket?.department ?? mailbox.department };
  const ctx = { parsed, mailbox, config, now };
  const { matches, outcome } = trigger ? evaluateRules(config.rules, ruleFacts(ctx, base, trigger), deps.regex) : { matches: [], outcome: null };
  const priority = outcome?.priority ?? base.priority;
  const department = outcome?.department ?? base.department;
  const policy = slaPolicyFor(config, priority, department);
  const sla = ticket ? advanceSla(ticket.sla, { type: 'recompute' }, policy) : advanceSla(newSlaState(now), { type: 'created', at: now }, policy);
  const status = outcome?.status ?? (ticket?.status ?? 'new');
  const ack =
    trigger !== 'new'
      ? { send: false, reason: trigger ? 'only new tickets are acknowledged' : 'not customer mail' }
      : !config.autoAcknowledge.enabled
        ? { send: false, reason: 'acknowledgements are disabled' }
        : outcome && (!outcome.autoAcknowledge || status === 'spam')
          ? { send: false, reason: 'a rule turned the acknowledgement off' }
          : ackDecision(classification, parsed, config);
  return {
    mailbox: mailbox.name,
    classification: { kind: classification.kind, suppressAutoResponse: classification.suppressAutoResponse, reasons: classification.reasons },
    threading: {
      decision: lookup.decision.kind,
      ticket: ticket?.number ?? null,
      via: lookup.decision.kind === 'existing' ? lookup.decision.via : null,
      note: lookup.note,
    },
    trigger,
    rules: matches.map((m) => ({ rule: m.rule, why: m.why })),
    result: {
      priority,
      department,
      assignee: outcome?.assign ? describeAssign(config, outcome.assign, department) : (ticket?.assignee ?? null),
      tags: [...new Set([...(ticket?.tags ?? []).filter((t) => !(outcome?.tagsRemove ?? []).includes(t)), ...(outcome?.tagsAdd ?? [])])],
      status,
      sla: {
        firstResponseDueAt: sla.firstResponseDueAt?.toISOString() ?? null,
        nextResponseDueAt: sla.nextResponseDueAt?.toISOString() ?? null,
        resolutionDueAt: sla.resolutionDueAt?.toISOString() ?? null,
      },
      acknowledgement: ack,
      replies: outcome?.replies.map((r) => r.template) ?? [],
      notifications: outcome?.notifies.map((n) => ({ to: n.to, template: n.template })) ?? [],
    },
  };
}

function recipientMailbox(config: Config, parsed: ParsedMail) {
  const recipients = new Set([...parsed.to, ...parsed.cc].map((a) => normalizeAddress(a.address)));
  return config.mailboxes.find((m) => recipients.has(m.address));
}

function ackDecision(classification: ReturnType<typeof classifyInbound>, parsed: ParsedMail, config: Config): { send: boolean; reason: string | null } {
  const decision = decideAutoResponse({
    classification,
    recipient: parsed.from?.address ?? null,
    sentToRecipient: 0,
    sentOnTicket: 0,
    sentFromMailbox: 0,
    limits: config.autoAcknowledge.limits,
  });
  return decision.send ? { send: true, reason: null } : { send: false, reason: decision.reason };
}

function describeAssign(config: Config, how: string, department: string): string {
  if (how === 'round-robin' || how === 'least-open') return `${how} among the ${department} agents`;
  const agent = findAgent(config.agents, how);
  return agent?.email ?? how;
}

async function threadLookup(
  deps: DryRunDeps,
  source: Buffer,
  parsed: ParsedMail,
  mailbox: string,
  classification: ReturnType<typeof classifyInbound>,
): Promise<{ decision: ThreadDecision; ticket: TicketRecord | null; note: string | null }> {
  if (!deps.store) return { decision: { kind: 'new', reason: 'no-signal' }, ticket: null, note: 'database not reachable: threading not checked' };
  const rawSha256 = createHash('sha256').update(source).digest('hex');
  try {
    return await deps.store.ingestTransaction(`dry-run:${parsed.messageId ?? rawSha256}`, async (tx) => {
      const ctx = {
        deps: { tokenKey: Buffer.alloc(32) },
        tx,
        mail: { mailbox, uid: 0, source, size: source.length },
        source,
        rawSha256,
        truncated: false,
        parsed,
        classification,
        mailbox: deps.config.mailboxes.find((m) => m.name === mailbox)!,
        config: deps.config,
        now: deps.now,
        outboxIds: [],
      } as unknown as Context;
      const decision = await decideThread(ctx, agentByAddress(deps.config.agents, parsed.from?.address ?? null));
      const ticket = decision.kind === 'existing' ? await tx.ticketById(decision.ticketId) : null;
      return { decision, ticket, note: null };
    });
  } catch (err) {
    return { decision: { kind: 'new', reason: 'no-signal' }, ticket: null, note: `database not reachable: ${(err as Error).message}` };
  }
}
