import { agentsOfTicket, chooseAgent } from '../domain/agents.js';
import { normalizeAddress } from '../domain/address.js';
import { isBusinessTime } from '../domain/business-time.js';
import { decideTransition } from '../domain/lifecycle.js';
import { evaluateRules, type RuleFacts, type RuleOutcome, type RuleTrigger } from '../domain/rules.js';
import type { AgentConfig, Config } from '../config/schema.js';
import type { Context } from './ingest-context.js';
import { automatedVars, autoRespond, GENERATED_HEADERS, mailboxOf, queueTicketMail, renderNamed, ticketVars } from './outbound-mail.js';
import type { IngestTx, NewEvent, TicketPatch, TicketRecord } from './ports.js';
import { advanceTicketSla, calendarOf } from './sla-policy.js';

/** How much of a body a rule sees: enough for any real request, bounded for every pattern. */
export const RULE_BODY_LIMIT = 64 * 1024;

/** What the rules see of this message and its ticket. */
export function ruleFacts(ctx: Pick<Context, 'parsed' | 'mailbox' | 'config' | 'now'>, ticket: Pick<TicketRecord, 'department' | 'priority'>, trigger: RuleTrigger): RuleFacts {
  const { parsed } = ctx;
  return {
    from: parsed.from?.address ?? null,
    to: parsed.to.map((a) => a.address),
    cc: parsed.cc.map((a) => a.address),
    subject: parsed.subject,
    body: parsed.text.slice(0, RULE_BODY_LIMIT),
    headers: parsed.facts.headers,
    mailbox: ctx.mailbox.name,
    department: ticket.department,
    hasAttachment: parsed.attachments.some((a) => !a.inline),
    isNewTicket: trigger === 'new',
    isCustomerReply: trigger === 'customerReply',
    withinBusinessHours: isBusinessTime(ctx.now, calendarOf(ctx.config)),
    priority: ticket.priority,
  };
}

/**
 * Runs the config's rules on a customer mail and applies what they decide:
 * priority, department, assignee, tags, status, replies and notifications —
 * each applied rule an event naming it and what it changed. Returns the
 * ticket as it is now and whether it may still be acknowledged.
 */
export async function applyRules(ctx: Context, ticket: TicketRecord, trigger: RuleTrigger): Promise<{ ticket: TicketRecord; acknowledge: boolean }> {
  const { matches, outcome } = evaluateRules(ctx.config.rules, ruleFacts(ctx, ticket, trigger), ctx.deps.regex);
  if (matches.length === 0) return { ticket, acknowledge: true };
  const { next, patch, changes } = await decideChanges(ctx, ticket, outcome);
  const events: NewEvent[] = matches.map((m) => ({
    ticketId: ticket.id,
    type: 'rule_applied',
    actor: `rule:${m.rule}`,
    data: { rule: m.rule, why: m.why, then: m.then },
  }));
  for (const [type, data] of changes) events.push({ ticketId: ticket.id, type, actor: `rule:${matches.at(-1)!.rule}`, data });
  if (Object.keys(patch).length > 1) await ctx.tx.updateTicket(ticket.id, patch);
  await ctx.tx.insertEvents(events, ctx.now);
  for (const reply of outcome.replies) await sendRuleReply(ctx, next, reply.rule, reply.template);
  for (const notify of outcome.notifies) await sendRuleNotice(ctx, next, notify.rule, notify.to, notify.template);
  return { ticket: next, acknowledge: outcome.autoAcknowledge && next.status !== 'spam' };
}

type Change = [type: string, data: Record<string, unknown>];

async function decideChanges(ctx: Context, ticket: TicketRecord, outcome: RuleOutcome) {
  let next = ticket;
  const patch: { -readonly [K in keyof TicketPatch]: TicketPatch[K] } = { now: ctx.now };
  const changes: Change[] = [];
  if (outcome.priority && outcome.priority !== next.priority) {
    changes.push(['priority_changed', { from: next.priority, to: outcome.priority }]);
    next = { ...next, priority: outcome.priority };
    patch.priority = outcome.priority;
  }
  if (outcome.department && outcome.department !== next.department) {
    changes.push(['department_changed', { from: next.department, to: outcome.department }]);
    next = { ...next, department: outcome.department };
    patch.department = outcome.department;
  }
  if (outcome.assign) {
    const agent = await pickAgent(ctx.config, ctx.tx, next, outcome.assign);
    if (agent && agent.email !== next.assignee) {
      changes.push(['assigned', { from: next.assignee, to: agent.email, how: outcome.assign }]);
      next = { ...next, assignee: agent.email };
      patch.assignee = agent.email;
    }
  }
  const tags = [...new Set([...next.tags.filter((t) => !outcome.tagsRemove.includes(t)), ...outcome.tagsAdd])];
  if (tags.join('\u0000') !== next.tags.join('\u0000')) {
    for (const tag of outcome.tagsAdd.filter((t) => !next.tags.includes(t))) changes.push(['tagged', { tag }]);
    for (const tag of outcome.tagsRemove.filter((t) => next.tags.includes(t))) changes.push(['untagged', { tag }]);
    next = { ...next, tags };
    patch.tags = tags;
  }
  let statusChanged = false;
  if (outcome.status) {
    const t = decideTransition(next.status, { type: 'agent_set_status', status: outcome.status }, { now: ctx.now, closedAt: next.closedAt, reopenWindowMs: ctx.config.reopenWindow });
    if (t.kind === 'changed') {
      changes.push(['status_changed', { from: t.from, to: t.to }]);
      next = { ...next, status: t.to, closedAt: t.to === 'closed' ? ctx.now : null };
      Object.assign(patch, { status: t.to, closedAt: next.closedAt });
      statusChanged = true;
    }
  }
  if (patch.priority || patch.department || statusChanged) {
    patch.sla = advanceTicketSla(ctx.config, next, statusChanged ? [{ type: 'status', status: next.status, at: ctx.now }] : []);
    next = { ...next, sla: patch.sla };
  }
  return { next, patch, changes };
}

/** A named agent, or the next in the department (`round-robin`) or the one with the fewest open tickets (`least-open`). */
async function pickAgent(config: Config, tx: IngestTx, ticket: TicketRecord, how: string): Promise<AgentConfig | null> {
  const team = agentsOfTicket(config.agents, { assignee: null, department: ticket.department });
  const facts = {
    lastAssignee: how === 'round-robin' ? await tx.lastAssignee(ticket.department) : null,
    openTickets: how === 'least-open' ? await tx.openTicketCounts(team.map((a) => a.email)) : new Map<string, number>(),
  };
  return chooseAgent(config.agents, ticket.department, how, facts);
}

/** A rule's templated reply to the requester: automated mail, so I7 and the rate limits apply. */
async function sendRuleReply(ctx: Context, ticket: TicketRecord, rule: string, template: string): Promise<void> {
  // To the sender, who may be anyone: ticket fields only (REPLY_PLACEHOLDERS), bounded.
  const mail = renderNamed(ctx.config, template, automatedVars({ ...ticketVars(ctx, ticket, ctx.parsed.from), 'rule.name': rule }));
  const notSent = await autoRespond(ctx, ticket, ctx.parsed.from, ctx.classification, mail, `rule:${rule}`);
  if (notSent) {
    await ctx.tx.insertEvents([{ ticketId: ticket.id, type: 'notice_skipped', actor: `rule:${rule}`, data: { kind: 'rule_reply', reason: notSent } }], ctx.now);
  }
}

/** A rule's notification to addresses, the assignee or the department's agents. */
async function sendRuleNotice(ctx: Context, ticket: TicketRecord, rule: string, targets: readonly string[], template: string): Promise<void> {
  const to = new Set<string>();
  for (const target of targets) {
    if (target === 'assignee' && ticket.assignee) to.add(ticket.assignee);
    else if (target === 'assignee' || target === 'department') for (const a of agentsOfTicket(ctx.config.agents, { ...ticket, assignee: null })) to.add(a.email);
    else to.add(normalizeAddress(target));
  }
  const mailbox = mailboxOf(ctx.config, ticket.mailbox);
  const mail = renderNamed(ctx.config, template, ruleVars(ctx, ticket, rule));
  for (const address of to) {
    await queueTicketMail(ctx, ticket, {
      kind: 'notification',
      from: { address: mailbox.address, name: mailbox.name },
      to: [{ address, name: '' }],
      ...mail,
      headers: GENERATED_HEADERS,
    });
  }
}

function ruleVars(ctx: Context, ticket: TicketRecord, rule: string) {
  return {
    ...ticketVars(ctx, ticket, ctx.parsed.from),
    'rule.name': rule,
    'message.from': ctx.parsed.from?.address ?? '',
    'message.text': ctx.parsed.text.slice(0, RULE_BODY_LIMIT),
  };
}
