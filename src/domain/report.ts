import type { BusinessCalendar } from './business-time.js';
import { businessTimeMeasure, type BusinessTimeMeasure } from './report-clock.js';
import { backlogAt, busiestHours, dailyCounts, type Backlog, type BusiestHours, type DayCounts } from './report-tallies.js';
import type { SlaMetric, SlaTargets } from './sla.js';
import { PRIORITIES, type Priority, type TicketStatus } from './ticket.js';

/**
 * A helpdesk's numbers over a period, computed from the tickets and the events
 * already recorded (README, "Reports"). Pure: the rows are read elsewhere,
 * the calendar and the SLA targets are parameters.
 */

export const REPORT_GROUPINGS = ['priority', 'department', 'agent', 'mailbox'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

/** `[from, to)`. */
export interface ReportPeriod {
  readonly from: Date;
  readonly to: Date;
}

/**
 * A ticket the period touched (created in it, or resolved, closed or reopened
 * in it) with the times of its events of each kind, any time. Deleted and
 * merged tickets are not given.
 */
export interface ReportTicket {
  readonly number: number;
  readonly priority: Priority;
  readonly department: string;
  readonly assignee: string | null;
  readonly mailbox: string;
  readonly createdAt: Date;
  readonly agentReplies: readonly Date[];
  readonly customerReplies: readonly Date[];
  /** `status_changed` to resolved; to closed (auto-close included). */
  readonly resolvedAt: readonly Date[];
  readonly closedAt: readonly Date[];
  readonly reopenedAt: readonly Date[];
  /** The metrics with an `sla_warning`; with an `sla_breach`. */
  readonly slaWarned: readonly SlaMetric[];
  readonly slaBreached: readonly SlaMetric[];
  /** The requester's last answer to "How did we do?", and when. */
  readonly rating: { readonly value: 'good' | 'bad'; readonly at: Date } | null;
}

export interface ReportData {
  readonly tickets: readonly ReportTicket[];
  /** Customer mail in the period (`created` and `customer_replied` by `customer:…`, or `customer` for a mail without a From address), counted per instant (or per quarter hour). */
  readonly customerMail: readonly { readonly at: Date; readonly count: number }[];
  /** Tickets open at the period's end: status then, and creation. */
  readonly backlog: readonly { readonly status: TicketStatus; readonly createdAt: Date }[];
}

export interface ReportSettings {
  readonly calendar: BusinessCalendar;
  /** The SLA targets a ticket of this priority and department has. */
  readonly targetsOf: (priority: Priority, department: string) => SlaTargets;
  readonly by: ReportGrouping | null;
}

export interface Percentiles {
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
}

export interface DurationFigures {
  readonly count: number;
  readonly business: Percentiles;
  readonly wall: Percentiles;
}

export interface SlaFigures {
  readonly met: number;
  readonly warned: number;
  readonly breached: number;
  readonly pending: number;
  readonly metPct: number | null;
  readonly warnedPct: number | null;
  readonly breachedPct: number | null;
}

export interface GroupFigures {
  readonly created: number;
  readonly resolved: number;
  readonly closed: number;
  readonly resolvedOrClosed: number;
  readonly reopened: number;
  readonly reopenRatePct: number | null;
  readonly firstResponse: DurationFigures;
  readonly resolution: DurationFigures;
  readonly sla: { readonly firstResponse: SlaFigures; readonly nextResponse: SlaFigures; readonly resolution: SlaFigures };
  /** The tickets whose last satisfaction answer came in the period: good, bad, and the share of good. */
  readonly satisfaction: { readonly good: number; readonly bad: number; readonly goodPct: number | null };
}

export interface Report {
  readonly period: { readonly from: string; readonly to: string; readonly timeZone: string };
  readonly by: ReportGrouping | null;
  readonly total: GroupFigures;
  readonly groups: readonly ({ readonly key: string } & GroupFigures)[];
  readonly backlog: Backlog;
  readonly busiestHours: BusiestHours;
  readonly daily: readonly DayCounts[];
}

export const UNASSIGNED = '(unassigned)';

/** What one ticket adds to its group's figures. */
interface TicketFacts {
  readonly key: string;
  readonly createdAt: Date;
  readonly created: boolean;
  readonly resolvedAt: Date | null;
  readonly closedAt: Date | null;
  readonly reopened: boolean;
  readonly firstResponse: { readonly wall: number; readonly business: number } | null;
  readonly resolution: { readonly wall: number; readonly business: number } | null;
  readonly sla: Readonly<Record<SlaMetric, SlaOutcome | null>>;
  readonly rated: 'good' | 'bad' | null;
}

type SlaOutcome = 'met' | 'warned' | 'breached' | 'pending';

/** The report of a period. */
export function buildReport(data: ReportData, period: ReportPeriod, settings: ReportSettings): Report {
  const [from, to] = [period.from.getTime(), period.to.getTime()];
  const inPeriod = (at: Date) => at.getTime() >= from && at.getTime() < to;
  const measure = measureFor(data.tickets, period, settings.calendar);
  const facts = data.tickets.map((t) => ticketFacts(t, inPeriod, measure, settings));
  const touched = facts.filter((f) => f.created || f.resolvedAt || f.closedAt || f.reopened || f.rated);
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString(), timeZone: settings.calendar.timezone },
    by: settings.by,
    total: figures(touched),
    groups: settings.by === null ? [] : groupKeys(touched, settings.by).map((key) => ({ key, ...figures(touched.filter((f) => f.key === key)) })),
    backlog: backlogAt(data.backlog, period.to),
    busiestHours: busiestHours(data.customerMail, inPeriod, settings.calendar.timezone),
    daily: dailyCounts(touched, period, settings.calendar.timezone),
  };
}

/** One business-time index over the span the cohort's durations cover. */
function measureFor(tickets: readonly ReportTicket[], period: ReportPeriod, calendar: BusinessCalendar): BusinessTimeMeasure {
  let last = period.to.getTime();
  const later = (at: Date | undefined) => {
    if (at && at.getTime() > last) last = at.getTime();
  };
  for (const t of tickets) {
    later(earliest(t.agentReplies) ?? undefined);
    t.resolvedAt.forEach(later);
    t.closedAt.forEach(later);
  }
  return businessTimeMeasure(calendar, period.from, new Date(last));
}

function groupKey(t: ReportTicket, by: ReportGrouping | null): string {
  switch (by) {
    case 'priority':
      return t.priority;
    case 'department':
      return t.department;
    case 'agent':
      return t.assignee ?? UNASSIGNED;
    case 'mailbox':
      return t.mailbox;
    case null:
      return '';
  }
}

/** Priorities most urgent first; other keys alphabetically, `(unassigned)` last. */
function groupKeys(facts: readonly TicketFacts[], by: ReportGrouping): string[] {
  const keys = [...new Set(facts.map((f) => f.key))];
  if (by === 'priority') return [...PRIORITIES].reverse().filter((p) => keys.includes(p));
  return keys.sort((a, b) => Number(a === UNASSIGNED) - Number(b === UNASSIGNED) || (a < b ? -1 : a > b ? 1 : 0));
}

function earliest(times: readonly Date[], keep: (t: Date) => boolean = () => true): Date | null {
  let best: Date | null = null;
  for (const t of times) if (keep(t) && (best === null || t < best)) best = t;
  return best;
}

function earlier(a: Date | null, b: Date | null): Date | null {
  return a === null || (b !== null && b < a) ? b : a;
}

function ticketFacts(t: ReportTicket, inPeriod: (at: Date) => boolean, measure: BusinessTimeMeasure, settings: ReportSettings): TicketFacts {
  const created = inPeriod(t.createdAt);
  const firstReply = earliest(t.agentReplies);
  const firstDone = earlier(earliest(t.resolvedAt), earliest(t.closedAt));
  const span = (end: Date | null) => (created && end ? { wall: end.getTime() - t.createdAt.getTime(), business: measure(t.createdAt, end) } : null);
  const targets = settings.targetsOf(t.priority, t.department);
  const outcome = (metric: SlaMetric, target: number | undefined, completed: boolean): SlaOutcome | null => {
    if (!created || target === undefined) return null;
    if (t.slaBreached.includes(metric)) return 'breached';
    if (t.slaWarned.includes(metric)) return 'warned';
    return completed ? 'met' : 'pending';
  };
  return {
    key: groupKey(t, settings.by),
    createdAt: t.createdAt,
    created,
    resolvedAt: earliest(t.resolvedAt, inPeriod),
    closedAt: earliest(t.closedAt, inPeriod),
    reopened: t.reopenedAt.some(inPeriod),
    rated: t.rating && inPeriod(t.rating.at) ? t.rating.value : null,
    firstResponse: span(firstReply),
    resolution: span(firstDone),
    sla: {
      first_response: outcome('first_response', targets.firstResponse, firstReply !== null),
      next_response: outcome('next_response', targets.nextResponse, answeredAfterWaiting(t, firstReply)),
      resolution: outcome('resolution', targets.resolution, firstDone !== null),
    },
  };
}

/** Next response completed: an agent replied after a customer reply that came after the first agent reply (one the clock waited on). */
function answeredAfterWaiting(t: ReportTicket, firstReply: Date | null): boolean {
  if (firstReply === null) return false;
  const waiting = earliest(t.customerReplies, (c) => c > firstReply);
  return waiting !== null && t.agentReplies.some((a) => a > waiting);
}

function figures(facts: readonly TicketFacts[]): GroupFigures {
  let [created, resolved, closed, resolvedOrClosed, reopened, good, bad] = [0, 0, 0, 0, 0, 0, 0];
  const firstResponses: { wall: number; business: number }[] = [];
  const resolutions: { wall: number; business: number }[] = [];
  const sla = { first_response: SLA_OUTCOMES(), next_response: SLA_OUTCOMES(), resolution: SLA_OUTCOMES() };
  for (const f of facts) {
    if (f.created) created++;
    if (f.resolvedAt) resolved++;
    if (f.closedAt) closed++;
    if (f.resolvedAt || f.closedAt) resolvedOrClosed++;
    if (f.reopened) reopened++;
    if (f.rated === 'good') good++;
    if (f.rated === 'bad') bad++;
    if (f.firstResponse) firstResponses.push(f.firstResponse);
    if (f.resolution) resolutions.push(f.resolution);
    for (const metric of ['first_response', 'next_response', 'resolution'] as const) {
      const outcome = f.sla[metric];
      if (outcome) sla[metric][outcome]++;
    }
  }
  return {
    created,
    resolved,
    closed,
    resolvedOrClosed,
    reopened,
    reopenRatePct: percent(reopened, resolvedOrClosed),
    firstResponse: durations(firstResponses),
    resolution: durations(resolutions),
    sla: { firstResponse: slaFigures(sla.first_response), nextResponse: slaFigures(sla.next_response), resolution: slaFigures(sla.resolution) },
    satisfaction: { good, bad, goodPct: percent(good, good + bad) },
  };
}

function durations(spans: readonly { readonly wall: number; readonly business: number }[]): DurationFigures {
  return { count: spans.length, business: percentiles(spans.map((s) => s.business)), wall: percentiles(spans.map((s) => s.wall)) };
}

/** Median and p90 by the nearest-rank method: the value at rank ⌈p·n/100⌉ of the sorted values (an even count's median is the lower middle). */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { medianMs: null, p90Ms: null };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.ceil((p * sorted.length) / 100) - 1]!;
  return { medianMs: rank(50), p90Ms: rank(90) };
}

/** A share in percent with one decimal; null when there is nothing to share. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part * 1000) / whole) / 10;
}

const SLA_OUTCOMES = (): Record<SlaOutcome, number> => ({ met: 0, warned: 0, breached: 0, pending: 0 });

function slaFigures({ met, warned, breached, pending }: Record<SlaOutcome, number>): SlaFigures {
  const decided = met + warned + breached;
  return { met, warned, breached, pending, metPct: percent(met, decided), warnedPct: percent(warned, decided), breachedPct: percent(breached, decided) };
}
