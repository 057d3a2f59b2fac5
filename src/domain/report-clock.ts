import { businessTimeBetween, formatLocal, parseLocalDateTime, type BusinessCalendar } from './business-time.js';

/**
 * Time as a report needs it, for thousands of tickets at once: business time
 * between many pairs of instants, and the local hour, weekday and date of an
 * instant in the calendar's zone. Pure.
 */

/** Business time between two instants (negative when `b` is before `a`). */
export type BusinessTimeMeasure = (a: Date, b: Date) => number;

const DAY_MS = 86_400_000;

/**
 * A measure that equals `businessTimeBetween(a, b, calendar)` and answers in
 * O(log n) inside `[from, to]`. The clock itself scans about a month of
 * opening hours per call, too slow for thousands of tickets; here the opening
 * intervals of the span are laid out once, the way the clock lays them out
 * (each local day's ranges unless it is a holiday, wall-clock times read by
 * the calendar's own `parseLocalDateTime`, overlaps merged), and summed up
 * front. Outside the span it asks the clock.
 */
export function businessTimeMeasure(calendar: BusinessCalendar, from: Date, to: Date): BusinessTimeMeasure {
  const hours = calendar.hours;
  if (hours === null) return (a, b) => b.getTime() - a.getTime();
  const lo = from.getTime();
  const hi = Math.max(lo, to.getTime());
  const merged = openIntervals(calendar, hours, lo, hi);
  const before: number[] = [];
  let sum = 0;
  for (const [start, end] of merged) {
    before.push(sum);
    sum += end - start;
  }
  /** Business time in `[lo, t)` for `lo <= t <= hi`. */
  const upTo = (t: number): number => {
    let left = 0;
    let right = merged.length;
    while (left < right) {
      const mid = (left + right) >> 1;
      if (merged[mid]![0] < t) left = mid + 1;
      else right = mid;
    }
    if (left === 0) return 0;
    const [start, end] = merged[left - 1]!;
    return before[left - 1]! + Math.min(t, end) - start;
  };
  return (a, b) => {
    const x = a.getTime();
    const y = b.getTime();
    if (Math.min(x, y) < lo || Math.max(x, y) > hi) return businessTimeBetween(a, b, calendar);
    return upTo(y) - upTo(x);
  };
}

type Hours = NonNullable<BusinessCalendar['hours']>;

/** The opening intervals clipped to `[lo, hi)`: merged, ascending. From the day before (a range may cross midnight). */
function openIntervals(calendar: BusinessCalendar, hours: Hours, lo: number, hi: number): [number, number][] {
  const localDate = (t: number) => formatLocal(new Date(t), calendar.timezone).slice(0, 10);
  const all: [number, number][] = [];
  for (const date of datesBetween(shiftDate(localDate(lo), -1), localDate(hi))) {
    const ranges = hours.get(isoWeekday(date)) ?? [];
    if (ranges.length === 0 || calendar.holidays.has(date)) continue;
    for (const [startMinute, endMinute] of ranges) {
      const start = wallClock(date, startMinute, calendar.timezone);
      const end = wallClock(date, endMinute, calendar.timezone);
      if (start !== null && end !== null && end > start) all.push([start, end]);
    }
  }
  all.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of all) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged.map(([start, end]): [number, number] => [Math.max(start, lo), Math.min(end, hi)]).filter(([start, end]) => end > start);
}

/** The instant of `minutes` after local midnight of `date` (past 1440: the next days), as the calendar reads wall-clock time. */
function wallClock(date: string, minutes: number, timeZone: string): number | null {
  const rest = minutes % 1440;
  const hhmm = `${String(Math.floor(rest / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  return parseLocalDateTime(`${shiftDate(date, Math.floor(minutes / 1440))}T${hhmm}`, timeZone)?.getTime() ?? null;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a date `YYYY-MM-DD`. */
function isoWeekday(date: string): number {
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** An instant as the calendar's zone reads it: `date` `YYYY-MM-DD`, `hour` 0–23, `weekday` 1 (Monday) – 7 (Sunday). */
export interface LocalTime {
  readonly date: string;
  readonly hour: number;
  readonly weekday: number;
}

const MINUTE_MS = 60_000;
const QUARTER_HOUR_MS = 900_000;

/**
 * Reads instants in a time zone (Intl, no library). A zone's offset changes
 * at most a few times a year, so it is read once per UTC day, at the day's
 * first and last minute; a day where the two differ (a DST change) is read
 * per quarter hour — every zone's offset is a whole number of quarter hours.
 */
export function localTimeReader(timeZone: string): (at: Date) => LocalTime {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  });
  /** Local wall-clock time minus UTC at `t` (a whole minute). */
  const offsetAt = (t: number): number => {
    const p = Object.fromEntries(format.formatToParts(new Date(t)).map((part) => [part.type, Number(part.value)]));
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!) - t;
  };
  const dayOffsets = new Map<number, number | null>();
  const quarterOffsets = new Map<number, number>();
  const offset = (t: number): number => {
    const day = Math.floor(t / DAY_MS);
    let known = dayOffsets.get(day);
    if (known === undefined) {
      const first = offsetAt(day * DAY_MS);
      known = first === offsetAt((day + 1) * DAY_MS - MINUTE_MS) ? first : null;
      dayOffsets.set(day, known);
    }
    if (known !== null) return known;
    const quarter = Math.floor(t / QUARTER_HOUR_MS);
    let exact = quarterOffsets.get(quarter);
    if (exact === undefined) {
      exact = offsetAt(quarter * QUARTER_HOUR_MS);
      quarterOffsets.set(quarter, exact);
    }
    return exact;
  };
  const dates = new Map<number, string>();
  return (at) => {
    const local = at.getTime() + offset(at.getTime());
    const day = Math.floor(local / DAY_MS);
    let date = dates.get(day);
    if (date === undefined) {
      date = new Date(day * DAY_MS).toISOString().slice(0, 10);
      dates.set(day, date);
    }
    // Day 0, 1970-01-01, was a Thursday (ISO 4).
    return { date, hour: Math.floor((local - day * DAY_MS) / 3_600_000), weekday: (((day + 3) % 7) + 7) % 7 + 1 };
  };
}

/** The dates from `first` to `last` (`YYYY-MM-DD`, both included), in order. */
export function datesBetween(first: string, last: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`), end = Date.parse(`${last}T00:00:00Z`); t <= end; t += DAY_MS) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

/** A duration as a report shows it: its two largest units, `2h 15m`, `3d 4h`, `45m`, `30s`; `-` for none. */
export function formatSpan(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 60_000) return `${Math.max(0, Math.floor(ms / 1000))}s`;
  const units = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
  }
  return parts.slice(0, 2).filter((p) => !/^0/.test(p)).join(' ') || '0m';
}
