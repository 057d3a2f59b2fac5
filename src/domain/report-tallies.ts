import { datesBetween, localTimeReader } from './report-clock.js';
import { TICKET_STATUSES, type TicketStatus } from './ticket.js';

/**
 * The parts of a report that count the whole helpdesk rather than tickets by
 * group: the backlog at the period's end, customer mail by hour and weekday,
 * and tickets created, resolved and closed per day. Pure.
 */

export const BACKLOG_STATUSES = TICKET_STATUSES.filter((s) => s !== 'closed' && s !== 'spam');

const DAY_MS = 86_400_000;
/** Backlog age buckets since creation: `[from, below)`. */
export const BACKLOG_AGES = [
  { key: 'under_1d', label: '< 1 d', below: DAY_MS },
  { key: '1d_3d', label: '1–3 d', below: 3 * DAY_MS },
  { key: '3d_7d', label: '3–7 d', below: 7 * DAY_MS },
  { key: '7d_plus', label: '≥ 7 d', below: Infinity },
] as const;
export type BacklogAge = (typeof BACKLOG_AGES)[number]['key'];

export function backlogAge(ageMs: number): BacklogAge {
  return BACKLOG_AGES.find((a) => ageMs < a.below)!.key;
}

export interface Backlog {
  readonly asOf: string;
  readonly total: number;
  readonly byAge: Readonly<Record<BacklogAge, number>>;
  readonly byStatus: readonly { readonly status: TicketStatus; readonly total: number; readonly byAge: Readonly<Record<BacklogAge, number>> }[];
}

/** Customer mail: `byHour` 0–23, `byWeekday` Monday (0) to Sunday (6). */
export interface BusiestHours {
  readonly total: number;
  readonly byHour: readonly number[];
  readonly byWeekday: readonly number[];
}

export interface DayCounts {
  readonly date: string;
  readonly created: number;
  readonly resolved: number;
  readonly closed: number;
}

function ageCounts(): Record<BacklogAge, number> {
  return Object.fromEntries(BACKLOG_AGES.map((a) => [a.key, 0])) as Record<BacklogAge, number>;
}

/** The tickets open at `asOf` by status and age; rows in other statuses, or created later, are not counted. */
export function backlogAt(rows: readonly { readonly status: TicketStatus; readonly createdAt: Date }[], asOf: Date): Backlog {
  const byAge = ageCounts();
  const byStatus = new Map<TicketStatus, Record<BacklogAge, number>>(BACKLOG_STATUSES.map((s) => [s, ageCounts()]));
  let total = 0;
  for (const row of rows) {
    const counts = byStatus.get(row.status);
    if (!counts || row.createdAt >= asOf) continue;
    const age = backlogAge(asOf.getTime() - row.createdAt.getTime());
    counts[age]++;
    byAge[age]++;
    total++;
  }
  const sum = (counts: Record<BacklogAge, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return { asOf: asOf.toISOString(), total, byAge, byStatus: [...byStatus].map(([status, counts]) => ({ status, total: sum(counts), byAge: counts })) };
}

/** Customer mail in the period by local hour and weekday. */
export function busiestHours(mail: readonly { readonly at: Date; readonly count: number }[], inPeriod: (at: Date) => boolean, timeZone: string): BusiestHours {
  const local = localTimeReader(timeZone);
  const byHour = new Array<number>(24).fill(0);
  const byWeekday = new Array<number>(7).fill(0);
  let total = 0;
  for (const { at, count } of mail) {
    if (!inPeriod(at)) continue;
    const { hour, weekday } = local(at);
    byHour[hour]! += count;
    byWeekday[weekday - 1]! += count;
    total += count;
  }
  return { total, byHour, byWeekday };
}

/**
 * Created, resolved and closed per local day of the period: each ticket on
 * the day it was created, and on the day it was first resolved, first closed,
 * in the period (null: not in the period).
 */
export function dailyCounts(
  tickets: readonly { readonly created: boolean; readonly createdAt: Date; readonly resolvedAt: Date | null; readonly closedAt: Date | null }[],
  period: { readonly from: Date; readonly to: Date },
  timeZone: string,
): DayCounts[] {
  if (period.to <= period.from) return [];
  const local = localTimeReader(timeZone);
  const dates = datesBetween(local(period.from).date, local(new Date(period.to.getTime() - 1)).date);
  const days = new Map(dates.map((date) => [date, { date, created: 0, resolved: 0, closed: 0 }]));
  const day = (at: Date) => days.get(local(at).date) ?? { created: 0, resolved: 0, closed: 0 };
  for (const f of tickets) {
    if (f.created) day(f.createdAt).created++;
    if (f.resolvedAt) day(f.resolvedAt).resolved++;
    if (f.closedAt) day(f.closedAt).closed++;
  }
  return [...days.values()];
}
