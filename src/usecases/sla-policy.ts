import { normalizeAddress } from '../domain/address.js';
import type { TicketPolicy } from '../domain/decide.js';
import { ALWAYS_OPEN, buildCalendar, type BusinessCalendar } from '../domain/business-time.js';
import { advanceSla, type SlaEvent, type SlaPolicy, type SlaState } from '../domain/sla.js';
import type { Priority, TicketStatus } from '../domain/ticket.js';
import type { Config } from '../config/schema.js';

const calendars = new WeakMap<Config, BusinessCalendar>();

/** The business calendar of a config (24/7 without one, or one with no hours). */
export function calendarOf(config: Config): BusinessCalendar {
  let calendar = calendars.get(config);
  if (!calendar) {
    const c = config.sla.calendar;
    calendar = c && Object.keys(c.hours).length > 0 ? buildCalendar(c) : { ...ALWAYS_OPEN, timezone: c?.timezone ?? 'UTC', holidays: new Set(c?.holidays ?? []) };
    calendars.set(config, calendar);
  }
  return calendar;
}

/** The SLA policy for a priority: the department's targets when it has its own, else the general ones. */
export function slaPolicyFor(config: Config, priority: Priority, department: string): SlaPolicy {
  const targets = config.sla.departments[department]?.[priority] ?? config.sla.policies[priority] ?? {};
  return { targets, calendar: calendarOf(config), pauseOn: new Set<TicketStatus>(config.sla.pauseOn) };
}

/** Folds clock events under the policy of the ticket's (current) priority and department. */
export function advanceTicketSla(
  config: Config,
  ticket: { readonly priority: Priority; readonly department: string; readonly sla: SlaState },
  events: readonly SlaEvent[],
): SlaState {
  const policy = slaPolicyFor(config, ticket.priority, ticket.department);
  return [...events, { type: 'recompute' } as const].reduce((state, event) => advanceSla(state, event, policy), ticket.sla);
}

const policies = new WeakMap<Config, TicketPolicy>();

/** What decide() needs of a config. */
export function ticketPolicy(config: Config): TicketPolicy {
  let policy = policies.get(config);
  if (!policy) {
    policy = {
      reopenWindowMs: config.reopenWindow,
      agents: config.agents,
      sla: (priority, department) => slaPolicyFor(config, priority, department),
      acknowledge: config.autoAcknowledge.enabled,
      notifyAgents: config.notifications.enabled,
      autoCloseNotice: config.autoClose.notifyCustomer,
      slaNotify: config.sla.notify,
      internal: new Set([...config.mailboxes.map((m) => normalizeAddress(m.address)), ...config.agents.map((a) => normalizeAddress(a.email))]),
      assignOnReply: config.assignOnReply,
      afterAssign: config.notifications.afterAssign,
      customerNotices: config.customerNotices,
      satisfaction: config.satisfaction.enabled,
    };
    policies.set(config, policy);
  }
  return policy;
}
