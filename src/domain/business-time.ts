import { DateTime } from 'luxon';

/**
 * The business calendar and the SLA clock. Pure: instants in, instants out.
 * luxon (time zones, DST) stays inside this module.
 */
export interface BusinessCalendar {
  readonly timezone: string;
  /**
   * Opening hours per ISO weekday (1 = Monday … 7 = Sunday) as minute ranges
   * from local midnight, `[start, end)`; an end past 1440 runs into the next
   * day (a range crossing midnight). Null: open around the clock.
   */
  readonly hours: ReadonlyMap<number, readonly (readonly [number, number])[]> | null;
  /** Local dates (`YYYY-MM-DD`) on which no range starts. */
  readonly holidays: ReadonlySet<string>;
}

/** Open around the clock, no holidays: wall-clock time. */
export const ALWAYS_OPEN: BusinessCalendar = { timezone: 'UTC', hours: null, holidays: new Set() };

const DAY_MS = 86_400_000;
/** How far the clock looks for opening hours before deciding there are none. */
const MAX_DAYS = 3 * 366;

const WEEKDAYS = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 } as const;
export type WeekdayName = keyof typeof WEEKDAYS;

/** Parses `"09:00-17:00"` (or `"22:00-06:00"`, crossing midnight) into minutes; null when malformed. */
export function parseHoursRange(text: string): [number, number] | null {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const [h1, m1, h2, m2] = match.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 24 || m1 > 59 || m2 > 59 || (h2 === 24 && m2 !== 0)) return null;
  const start = h1 * 60 + m1;
  let end = h2 * 60 + m2;
  if (end === start) return null;
  if (end < start) end += 1440;
  return [start, end];
}

/** Builds a calendar from the config's shape (`hours: { mon: "09:00-17:00" | [...] }`). */
export function buildCalendar(input: {
  timezone: string;
  hours: Partial<Record<WeekdayName, string | readonly string[]>>;
  holidays: readonly string[];
}): BusinessCalendar {
  const hours = new Map<number, [number, number][]>();
  for (const [day, value] of Object.entries(input.hours) as [WeekdayName, string | readonly string[]][]) {
    const ranges = (typeof value === 'string' ? [value] : value).map(parseHoursRange).filter((r): r is [number, number] => r !== null);
    hours.set(WEEKDAYS[day], ranges);
  }
  return { timezone: input.timezone, hours, holidays: new Set(input.holidays) };
}

/** Opening intervals (epoch ms, merged, ascending) of the local days from `fromMs`'s day - 1 for `days` days. */
function intervals(cal: BusinessCalendar, fromMs: number, days: number): [number, number][] {
  const out: [number, number][] = [];
  let day = DateTime.fromMillis(fromMs, { zone: cal.timezone }).startOf('day').minus({ days: 1 });
  for (let i = 0; i < days + 1; i++, day = day.plus({ days: 1 })) {
    const ranges = cal.hours!.get(day.weekday) ?? [];
    if (ranges.length === 0 || cal.holidays.has(day.toISODate()!)) continue;
    for (const [start, end] of ranges) {
      const a = wallClock(day, start);
      const b = wallClock(day, end);
      if (b > a) out.push([a, b]);
    }
  }
  out.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const iv of out) {
    const last = merged[merged.length - 1];
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else merged.push([iv[0], iv[1]]);
  }
  return merged;
}

/** The instant of local wall-clock time `minutes` after `day`'s midnight (DST gaps move forward, as clocks do). */
function wallClock(day: DateTime, minutes: number): number {
  const date = day.plus({ days: Math.floor(minutes / 1440) });
  const rest = minutes % 1440;
  return date.set({ hour: Math.floor(rest / 60), minute: rest % 60, second: 0, millisecond: 0 }).toMillis();
}

/** Scans forward in windows of about a month: the opening intervals clipped to `[from, windowEnd)`. */
function* openWindows(cal: BusinessCalendar, startMs: number, endMs: number): Generator<[number, number]> {
  for (let from = startMs; from < endMs; ) {
    const windowEnd = Math.min(endMs, DateTime.fromMillis(from, { zone: cal.timezone }).startOf('day').plus({ days: 30 }).toMillis());
    for (const [a, b] of intervals(cal, from, 31)) {
      const lo = Math.max(a, from);
      const hi = Math.min(b, windowEnd);
      if (hi > lo) yield [lo, hi];
    }
    from = windowEnd;
  }
}

/**
 * The instant at which `ms` of business time has passed since `start`.
 * With `ms` = 0 it is `start` itself.
 */
export function addBusinessTime(start: Date, ms: number, cal: BusinessCalendar): Date {
  if (ms <= 0 || cal.hours === null) return new Date(start.getTime() + Math.max(ms, 0));
  let remaining = ms;
  for (const [lo, hi] of openWindows(cal, start.getTime(), start.getTime() + MAX_DAYS * DAY_MS)) {
    if (remaining <= hi - lo) return new Date(lo + remaining);
    remaining -= hi - lo;
  }
  throw new Error('the business calendar has no opening hours within three years');
}

/** Business time between two instants; negative when `b` is before `a`. */
export function businessTimeBetween(a: Date, b: Date, cal: BusinessCalendar): number {
  if (b.getTime() < a.getTime()) return -businessTimeBetween(b, a, cal);
  if (cal.hours === null) return b.getTime() - a.getTime();
  let total = 0;
  for (const [lo, hi] of openWindows(cal, a.getTime(), b.getTime())) total += hi - lo;
  return total;
}

/** Whether `at` falls inside opening hours. */
export function isBusinessTime(at: Date, cal: BusinessCalendar): boolean {
  if (cal.hours === null) return true;
  const t = at.getTime();
  return intervals(cal, t, 1).some(([a, b]) => t >= a && t < b);
}

/**
 * Reads `2026-12-01`, `2026-12-01T10:00` or `2026-12-01T10:00:30`, without an
 * offset, as wall-clock time in `timezone`; with an offset (`Z`, `+01:00`) as
 * written. Null when it is not such a date.
 */
export function parseLocalDateTime(text: string, timezone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', offset] = match;
  if (offset) {
    const parsed = DateTime.fromISO(text, { setZone: true });
    return parsed.isValid ? parsed.toJSDate() : null;
  }
  // Wall-clock time the way the calendar reads it (wallClock): in a repeated hour, its first occurrence.
  const day = DateTime.fromObject({ year: Number(y), month: Number(mo), day: Number(d) }, { zone: timezone });
  if (!day.isValid || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  return new Date(wallClock(day, Number(h) * 60 + Number(mi)) + Number(sec) * 1000);
}

/**
 * `start` moved forward by `days` whole business days — days with opening
 * hours that are not holidays — keeping its wall-clock time. Around the clock,
 * plain days.
 */
export function addBusinessDays(start: Date, days: number, cal: BusinessCalendar): Date {
  let day = DateTime.fromJSDate(start, { zone: cal.timezone });
  if (cal.hours === null) return day.plus({ days }).toJSDate();
  for (let counted = 0, guard = 0; counted < days && guard < MAX_DAYS; guard++) {
    day = day.plus({ days: 1 });
    if ((cal.hours.get(day.weekday)?.length ?? 0) > 0 && !cal.holidays.has(day.toISODate()!)) counted++;
  }
  return day.toJSDate();
}

/** A time as people read it in a time zone: `2026-12-03 09:00 (Europe/Amsterdam)`. */
export function formatLocal(at: Date, timezone: string): string {
  return `${DateTime.fromJSDate(at, { zone: timezone }).toFormat('yyyy-MM-dd HH:mm')} (${timezone})`;
}
