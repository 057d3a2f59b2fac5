import { describe, expect, it } from 'vitest';
import {
  ALWAYS_OPEN,
  addBusinessDays,
  addBusinessTime,
  buildCalendar,
  businessTimeBetween,
  parseLocalDateTime,
} from '../../src/domain/business-time.js';
import type { BusinessCalendar, WeekdayName } from '../../src/domain/business-time.js';

/*
 * The four changes of 2026 (all on a Sunday):
 *   Europe/Amsterdam  2026-03-29 02:00 CET  → 03:00 CEST (+01:00 → +02:00, 23h day)
 *                     2026-10-25 03:00 CEST → 02:00 CET  (+02:00 → +01:00, 25h day)
 *   America/New_York  2026-03-08 02:00 EST  → 03:00 EDT  (−05:00 → −04:00)
 *                     2026-11-01 02:00 EDT  → 01:00 EST  (−04:00 → −05:00)
 * A wall-clock time in the skipped hour is read forward, as clocks move
 * (02:30 CET = 03:30 CEST); a wall-clock time in the repeated hour is read as
 * its first occurrence (the offset before the change).
 */
const MIN = 60_000;
const H = 60 * MIN;
const at = (iso: string): Date => new Date(iso);

type Hours = Partial<Record<WeekdayName, string | readonly string[]>>;
const cal = (timezone: string, hours: Hours, holidays: readonly string[] = []): BusinessCalendar =>
  buildCalendar({ timezone, hours, holidays });
const WORKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const weekdays = (range: string): Hours => Object.fromEntries(WORKDAYS.map((d) => [d, range]));
const allWeek = (timezone: string) => cal(timezone, { ...weekdays('00:00-24:00'), sat: '00:00-24:00', sun: '00:00-24:00' });

const AMS = 'Europe/Amsterdam';
const NY = 'America/New_York';

/** Saturday noon → Monday noon (local) around each change. */
const WEEKENDS = {
  'AMS spring': { zone: AMS, from: '2026-03-28T12:00+01:00', to: '2026-03-30T12:00+02:00' },
  'AMS autumn': { zone: AMS, from: '2026-10-24T12:00+02:00', to: '2026-10-26T12:00+01:00' },
  'NY spring': { zone: NY, from: '2026-03-07T12:00-05:00', to: '2026-03-09T12:00-04:00' },
  'NY autumn': { zone: NY, from: '2026-10-31T12:00-04:00', to: '2026-11-02T12:00-05:00' },
} as const;

describe('business time over the weekend of a DST change', () => {
  it.each([
    { weekend: 'AMS spring', hours: { sun: '00:00-24:00' }, want: 23 * H, why: 'a 24h-open Sunday is 23h' },
    { weekend: 'AMS autumn', hours: { sun: '00:00-24:00' }, want: 25 * H, why: 'a 24h-open Sunday is 25h' },
    { weekend: 'NY spring', hours: { sun: '00:00-24:00' }, want: 23 * H, why: 'a 24h-open Sunday is 23h' },
    { weekend: 'NY autumn', hours: { sun: '00:00-24:00' }, want: 25 * H, why: 'a 24h-open Sunday is 25h' },
    { weekend: 'AMS spring', hours: { sun: '08:00-18:00' }, want: 10 * H, why: '08–18 on the day of the change is still 10h' },
    { weekend: 'AMS autumn', hours: { sun: '08:00-18:00' }, want: 10 * H, why: '08–18 on the day of the change is still 10h' },
    { weekend: 'NY spring', hours: { sun: '08:00-18:00' }, want: 10 * H, why: '08–18 on the day of the change is still 10h' },
    { weekend: 'NY autumn', hours: { sun: '08:00-18:00' }, want: 10 * H, why: '08–18 on the day of the change is still 10h' },
    { weekend: 'AMS spring', hours: { sat: '22:00-06:00' }, want: 7 * H, why: 'a night across the change loses an hour' },
    { weekend: 'AMS autumn', hours: { sat: '22:00-06:00' }, want: 9 * H, why: 'a night across the change gains an hour' },
    { weekend: 'NY spring', hours: { sat: '22:00-06:00' }, want: 7 * H, why: 'a night across the change loses an hour' },
    { weekend: 'NY autumn', hours: { sat: '22:00-06:00' }, want: 9 * H, why: 'a night across the change gains an hour' },
    { weekend: 'AMS spring', hours: { sun: '02:30-06:00' }, want: 2.5 * H, why: 'begins inside the skipped hour: opens 03:30 CEST' },
    { weekend: 'NY spring', hours: { sun: '02:30-06:00' }, want: 2.5 * H, why: 'begins inside the skipped hour: opens 03:30 EDT' },
    { weekend: 'AMS spring', hours: { sun: '02:00-03:00' }, want: 0, why: 'the skipped hour itself never happens' },
    { weekend: 'NY spring', hours: { sun: '02:00-03:00' }, want: 0, why: 'the skipped hour itself never happens' },
    { weekend: 'AMS autumn', hours: { sun: '02:00-03:00' }, want: 2 * H, why: 'the repeated hour is open both times' },
    { weekend: 'NY autumn', hours: { sun: '01:00-02:00' }, want: 2 * H, why: 'the repeated hour is open both times' },
    { weekend: 'AMS autumn', hours: { sun: '02:30-05:00' }, want: 3.5 * H, why: 'begins inside the repeated hour: at the first 02:30' },
    { weekend: 'NY autumn', hours: { sun: '01:30-03:00' }, want: 2.5 * H, why: 'begins inside the repeated hour: at the first 01:30' },
  ] as const)('$weekend, $hours → $want ms ($why)', ({ weekend, hours, want }) => {
    const { zone, from, to } = WEEKENDS[weekend];
    expect(businessTimeBetween(at(from), at(to), cal(zone, hours))).toBe(want);
  });

  it.each(Object.entries(WEEKENDS))('%s: around the clock is wall-clock arithmetic (47h or 49h)', (_, { zone, from, to }) => {
    const elapsed = at(to).getTime() - at(from).getTime();
    expect([47 * H, 49 * H]).toContain(elapsed);
    expect(businessTimeBetween(at(from), at(to), ALWAYS_OPEN)).toBe(elapsed);
    expect(businessTimeBetween(at(from), at(to), { ...ALWAYS_OPEN, timezone: zone })).toBe(elapsed);
    expect(businessTimeBetween(at(from), at(to), allWeek(zone))).toBe(elapsed);
  });
});

describe('addBusinessTime across a DST change', () => {
  it.each([
    { zone: AMS, hours: { sun: '00:00-24:00' }, start: '2026-03-29T00:00+01:00', ms: 3 * H, want: '2026-03-29T04:00+02:00', why: '02:00–03:00 does not exist' },
    { zone: AMS, hours: { sun: '00:00-24:00' }, start: '2026-03-29T00:00+01:00', ms: 23 * H, want: '2026-03-30T00:00+02:00', why: 'the whole 23h Sunday' },
    { zone: AMS, hours: { sun: '00:00-24:00' }, start: '2026-10-25T00:00+02:00', ms: 3 * H, want: '2026-10-25T02:00+01:00', why: 'the second 02:00' },
    { zone: AMS, hours: { sun: '00:00-24:00' }, start: '2026-10-25T00:00+02:00', ms: 25 * H, want: '2026-10-26T00:00+01:00', why: 'the whole 25h Sunday' },
    { zone: NY, hours: { sun: '00:00-24:00' }, start: '2026-03-08T00:00-05:00', ms: 3 * H, want: '2026-03-08T04:00-04:00', why: '02:00–03:00 does not exist' },
    { zone: NY, hours: { sun: '00:00-24:00' }, start: '2026-11-01T00:00-04:00', ms: 2 * H, want: '2026-11-01T01:00-05:00', why: 'the second 01:00' },
    { zone: AMS, hours: { sun: '02:30-06:00' }, start: '2026-03-28T12:00+01:00', ms: 1 * H, want: '2026-03-29T04:30+02:00', why: 'opens at 02:30 CET = 03:30 CEST' },
    { zone: NY, hours: { sun: '02:30-06:00' }, start: '2026-03-07T12:00-05:00', ms: 1 * H, want: '2026-03-08T04:30-04:00', why: 'opens at 02:30 EST = 03:30 EDT' },
    { zone: AMS, hours: { sun: '02:30-05:00' }, start: '2026-10-24T12:00+02:00', ms: 30 * MIN, want: '2026-10-25T01:00Z', why: 'opens at the first 02:30 (CEST); 30 min on is when clocks go back' },
    { zone: AMS, hours: { sat: '22:00-06:00' }, start: '2026-03-28T21:00+01:00', ms: 7 * H, want: '2026-03-29T06:00+02:00', why: 'the 7h night' },
    { zone: AMS, hours: { sat: '22:00-06:00' }, start: '2026-10-24T21:00+02:00', ms: 9 * H, want: '2026-10-25T06:00+01:00', why: 'the 9h night' },
    { zone: AMS, hours: weekdays('08:00-18:00'), start: '2026-03-27T17:00+01:00', ms: 2 * H, want: '2026-03-30T09:00+02:00', why: 'Fri 1h, Mon 1h: local opening hours, not UTC' },
    { zone: AMS, hours: weekdays('08:00-18:00'), start: '2026-10-23T17:00+02:00', ms: 2 * H, want: '2026-10-26T09:00+01:00', why: 'Fri 1h, Mon 1h: local opening hours, not UTC' },
    { zone: NY, hours: weekdays('09:00-17:00'), start: '2026-03-06T16:00-05:00', ms: 8 * H, want: '2026-03-09T16:00-04:00', why: 'Fri 1h, Mon 7h' },
    { zone: NY, hours: weekdays('09:00-17:00'), start: '2026-10-30T16:00-04:00', ms: 8 * H, want: '2026-11-02T16:00-05:00', why: 'Fri 1h, Mon 7h' },
  ] as const)('$zone $hours: $start + $ms ms → $want ($why)', ({ zone, hours, start, ms, want }) => {
    const calendar = cal(zone, hours);
    expect(addBusinessTime(at(start), ms, calendar).toISOString()).toBe(at(want).toISOString());
    expect(businessTimeBetween(at(start), at(want), calendar)).toBe(ms);
  });

  it('a Mon–Fri week is 40h whether or not its weekend changes the clocks', () => {
    const office = cal(AMS, weekdays('09:00-17:00'));
    expect(businessTimeBetween(at('2026-03-23T00:00+01:00'), at('2026-03-30T00:00+02:00'), office)).toBe(40 * H);
    expect(businessTimeBetween(at('2026-03-27T00:00+01:00'), at('2026-04-03T00:00+02:00'), office)).toBe(40 * H);
    expect(businessTimeBetween(at('2026-10-23T00:00+02:00'), at('2026-10-30T00:00+01:00'), office)).toBe(40 * H);
  });
});

describe('addBusinessDays keeps the wall-clock time across a DST change', () => {
  it.each([
    { zone: AMS, start: '2026-03-27T10:00+01:00', days: 1, want: '2026-03-30T10:00+02:00', why: 'Fri → Mon, 71h later' },
    { zone: AMS, start: '2026-10-23T10:00+02:00', days: 1, want: '2026-10-26T10:00+01:00', why: 'Fri → Mon, 73h later' },
    { zone: NY, start: '2026-03-06T10:00-05:00', days: 1, want: '2026-03-09T10:00-04:00', why: 'Fri → Mon' },
    { zone: NY, start: '2026-10-30T10:00-04:00', days: 1, want: '2026-11-02T10:00-05:00', why: 'Fri → Mon' },
    { zone: AMS, start: '2026-03-23T10:00+01:00', days: 10, want: '2026-04-06T10:00+02:00', why: 'two weeks' },
  ])('$zone: $start + $days → $want ($why)', ({ zone, start, days, want }) => {
    expect(addBusinessDays(at(start), days, cal(zone, weekdays('09:00-17:00'))).toISOString()).toBe(at(want).toISOString());
  });

  it('around the clock in a zone: plain local days (Sat 10:00 → Sun 10:00 is 23h)', () => {
    const zoned = { ...ALWAYS_OPEN, timezone: AMS };
    expect(addBusinessDays(at('2026-03-28T10:00+01:00'), 1, zoned)).toEqual(at('2026-03-29T10:00+02:00'));
  });
});

describe('parseLocalDateTime around a DST change', () => {
  it.each([
    { text: '2026-03-29T02:30', zone: AMS, want: '2026-03-29T03:30+02:00', why: 'the skipped hour reads forward' },
    { text: '2026-03-08T02:30', zone: NY, want: '2026-03-08T03:30-04:00', why: 'the skipped hour reads forward' },
    { text: '2026-03-29T03:00', zone: AMS, want: '2026-03-29T03:00+02:00', why: 'just after the change' },
    { text: '2026-10-25T03:00', zone: AMS, want: '2026-10-25T03:00+01:00', why: 'just after the change' },
  ])('$text in $zone → $want ($why)', ({ text, zone, want }) => {
    expect(parseLocalDateTime(text, zone)?.toISOString()).toBe(at(want).toISOString());
  });

  /*
   * In the repeated hour the answer must not depend on the date the process
   * started (luxon's fromISO guesses the offset from "now"): like the calendar's
   * ranges, it is the first occurrence, always.
   */
  it.each([
    { text: '2026-10-25T02:30', zone: AMS, first: '2026-10-25T02:30+02:00', hours: { sun: '02:30-05:00' }, saturday: '2026-10-24T12:00+02:00' },
    { text: '2026-11-01T01:30', zone: NY, first: '2026-11-01T01:30-04:00', hours: { sun: '01:30-03:00' }, saturday: '2026-10-31T12:00-04:00' },
    { text: '2026-04-05T02:30', zone: 'Australia/Sydney', first: '2026-04-05T02:30+11:00', hours: { sun: '02:30-05:00' }, saturday: '2026-04-04T12:00+11:00' },
  ])('$text in $zone, in the repeated hour, is its first occurrence, as the calendar reads it, whatever today is', ({ text, zone, first, hours, saturday }) => {
    const opening = addBusinessTime(at(saturday), 1, cal(zone, hours)).getTime() - 1;
    expect(new Date(opening).toISOString()).toBe(at(first).toISOString());
    expect(parseLocalDateTime(text, zone)?.toISOString()).toBe(at(first).toISOString());
  });
});
