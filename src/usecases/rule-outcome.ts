import { agentsOfTicket, chooseAgent } from '../domain/agents.js';
import { isBusinessTime } from '../domain/business-time.js';
import type { RulesResult } from '../domain/decide.js';
import { evaluateRules, type RegexTest, type RuleFacts, type RuleTrigger } from '../domain/rules.js';
import type { Ticket } from '../domain/ticket.js';
import type { Config } from '../config/schema.js';
import type { Inbound } from './inbound.js';
import type { TicketRepository } from './ports.js';
import { calendarOf } from './sla-policy.js';

/** How much of a body a rule sees: enough for any real request, bounded for every pattern. */
export const RULE_BODY_LIMIT = 64 * 1024;

/** What the rules see of this message and its ticket. */
export function ruleFacts(
  inbound: Pick<Inbound, 'parsed' | 'mailbox' | 'now'>,
  config: Config,
  ticket: Pick<Ticket, 'department' | 'priority'>,
  trigger: RuleTrigger,
): RuleFacts {
  const { parsed } = inbound;
  return {
    from: parsed.from?.address ?? null,
    to: parsed.to.map((a) => a.address),
    cc: parsed.cc.map((a) => a.address),
    subject: parsed.subject,
    body: parsed.text.slice(0, RULE_BODY_LIMIT),
    headers: parsed.facts.headers,
    mailbox: inbound.mailbox.name,
    department: ticket.department,
    hasAttachment: parsed.attachments.some((a) => !a.inline),
    isNewTicket: trigger === 'new',
    isCustomerReply: trigger === 'customerReply',
    withinBusinessHours: isBusinessTime(inbound.now, calendarOf(config)),
    priority: ticket.priority,
  };
}

/**
 * The config's rules on a customer mail: which match and why, what they
 * decide, and the agent their `assign` picks — by name, or the next in the
 * department (`round-robin`), or the one with the fewest open tickets
 * (`least-open`), which `tickets` is asked for. Null when none matches.
 */
export async function ruleOutcome(
  tickets: Pick<TicketRepository, 'lastAssignee' | 'openTicketCounts'> | null,
  config: Config,
  regex: RegexTest,
  inbound: Pick<Inbound, 'parsed' | 'mailbox' | 'now'>,
  ticket: Pick<Ticket, 'department' | 'priority' | 'assignee'>,
  trigger: RuleTrigger,
): Promise<RulesResult | null> {
  const { matches, outcome } = evaluateRules(config.rules, ruleFacts(inbound, config, ticket, trigger), regex);
  if (matches.length === 0) return null;
  const how = outcome.assign;
  if (!how) return { matches, outcome, assignee: null };
  const department = outcome.department ?? ticket.department;
  const team = agentsOfTicket(config.agents, { assignee: null, department });
  const facts = {
    lastAssignee: how === 'round-robin' && tickets ? await tickets.lastAssignee(department) : null,
    openTickets: how === 'least-open' && tickets ? await tickets.openTicketCounts(team.map((a) => a.email)) : new Map<string, number>(),
  };
  return { matches, outcome, assignee: chooseAgent(config.agents, department, how, facts) };
}
