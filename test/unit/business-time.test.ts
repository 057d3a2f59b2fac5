import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALWAYS_OPEN,
  addBusinessDays,
  addBusinessTime,
  buildCalendar,
  businessTimeBetween,
  isBusinessTime,
  parseHoursRange,
  parseLocalDateTime,
} from '../../src/domain/business-time.js';
import type { BusinessCalendar, WeekdayName } from '../../src/domain/business-time.js';

const MIN = 60_000;
const H = 60 * MIN;
const at = (iso: string): Date => new Date(iso);

const WORKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const weekdays = (range: string | readonly string[]) => Object.fromEntries(WORKDAYS.map((d) => [d, range]));
const amsterdam = (hours: Partial<Record<WeekdayName, string | readonly string[]>>, holidays: readonly string[] = []) =>
  buildCalendar({ timezone: 'Europe/Amsterdam', hours, holidays });

/** Mon–Fri 09:00–17:00 in Amsterdam (CET, +01:00, in February and December). 2026-02-02 is a Monday. */
const OFFICE = amsterdam(weekdays('09:00-17:00'));
const CHRISTMAS_DAY = amsterdam(weekdays('09:00-17:00'), ['2026-12-25']);
/** Thu 24 Dec 2026 up to and including Fri 1 Jan 2027 off. */
const CHRISTMAS_WEEK = amsterdam(weekdays('09:00-17:00'), [
  '2026-12-24', '2026-12-25', '2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01',
]);
const LUNCH = amsterdam(weekdays(['09:00-12:00', '13:00-17:00']));
const MONDAY_NIGHT = amsterdam({ mon: '22:00-06:00' });
const SUNDAY_NIGHT = amsterdam({ sun: '22:00-06:00', mon: '09:00-17:00' });
const MONDAY_NIGHT_OFF = amsterdam({ mon: '22:00-06:00' }, ['2026-02-02']);
const TUESDAY_OFF = amsterdam({ mon: '22:00-06:00' }, ['2026-02-03']);
/** Monday's night range overlaps Tuesday's early range: Mon 20:00 – Tue 08:00, counted once. */
const OVERLAP = amsterdam({ mon: '20:00-04:00', tue: '00:00-08:00' });

describe('parseHoursRange', () => {
  it.each([
    { text: '09:00-17:00', want: [540, 1020], why: 'an ordinary day' },
    { text: '00:00-24:00', want: [0, 1440], why: 'the whole day' },
    { text: '22:00-06:00', want: [1320, 1800], why: 'crossing midnight: the end runs into the next day' },
    { text: '23:30-00:00', want: [1410, 1440], why: 'ending at midnight written as 00:00' },
    { text: '12:15-12:16', want: [735, 736], why: 'one minute' },
    { text: ' 09:00-17:00 ', want: [540, 1020], why: 'surrounding blanks are trimmed' },
  ])('accepts "$text" → $want ($why)', ({ text, want }) => {
    expect(parseHoursRange(text)).toEqual(want);
  });

  it.each([
    { text: '25:00-26:00', why: 'no 25th hour' },
    { text: '24:00-06:00', why: '24:00 only ends a range' },
    { text: '09:00-09:00', why: 'empty (or a whole day, ambiguous)' },
    { text: '9:00-17:00', why: 'hours have two digits' },
    { text: '09:60-10:00', why: 'no 60th minute' },
    { text: '09:00-24:30', why: 'nothing after 24:00' },
    { text: '09:00 - 17:00', why: 'no blanks inside' },
    { text: '09:00', why: 'no end' },
    { text: '', why: 'empty' },
  ])('rejects "$text" ($why)', ({ text }) => {
    expect(parseHoursRange(text)).toBeNull();
  });
});

describe('buildCalendar', () => {
  it('maps weekday names to ISO weekdays, a string or a list of ranges, holidays as a set', () => {
    const cal = amsterdam({ mon: '09:00-17:00', sun: ['08:00-10:00', '22:00-02:00'] }, ['2026-12-25']);
    expect(cal.timezone).toBe('Europe/Amsterdam');
    expect(cal.hours?.get(1)).toEqual([[540, 1020]]);
    expect(cal.hours?.get(7)).toEqual([[480, 600], [1320, 1560]]);
    expect(cal.hours?.has(2)).toBe(false);
    expect([...cal.holidays]).toEqual(['2026-12-25']);
  });
});

type Row = { start: string; ms: number; want: string; why: string };
const addRows = (cal: BusinessCalendar, rows: Row[]) =>
  it.each(rows)('$start + $ms ms → $want: $why', ({ start, ms, want }) => {
    expect(addBusinessTime(at(start), ms, cal).toISOString()).toBe(at(want).toISOString());
    expect(businessTimeBetween(at(start), at(want), cal)).toBe(ms);
  });

describe('addBusinessTime (and back with businessTimeBetween): Mon–Fri 09–17 Amsterdam', () => {
  addRows(OFFICE, [
    { start: '2026-02-06T15:00+01:00', ms: 4 * H, want: '2026-02-09T11:00+01:00', why: 'Fri 2h, weekend closed, Mon 2h' },
    { start: '2026-02-06T16:00+01:00', ms: 8 * H, want: '2026-02-09T16:00+01:00', why: 'Fri 16–17 is 1h, Mon 09–16 is 7h' },
    { start: '2026-02-02T07:00+01:00', ms: 1 * H, want: '2026-02-02T10:00+01:00', why: 'before opening: counts from 09:00' },
    { start: '2026-02-02T17:30+01:00', ms: 1 * H, want: '2026-02-03T10:00+01:00', why: 'after closing: counts from Tue 09:00' },
    { start: '2026-02-07T12:00+01:00', ms: 1 * H, want: '2026-02-09T10:00+01:00', why: 'on a Saturday: counts from Mon 09:00' },
    { start: '2026-02-08T23:59+01:00', ms: 30 * MIN, want: '2026-02-09T09:30+01:00', why: 'Sunday night: Monday morning' },
    { start: '2026-02-02T09:00+01:00', ms: 8 * H, want: '2026-02-02T17:00+01:00', why: 'a full day ends at closing time, not next morning' },
    { start: '2026-02-02T09:00+01:00', ms: 9 * H, want: '2026-02-03T10:00+01:00', why: 'a day and an hour' },
    { start: '2026-02-02T17:00+01:00', ms: 1, want: '2026-02-03T09:00:00.001+01:00', why: 'closing time is outside' },
    { start: '2026-02-04T12:00+01:00', ms: 80 * H, want: '2026-02-18T12:00+01:00', why: 'two working weeks' },
    { start: '2026-02-02T16:00+01:00', ms: 0, want: '2026-02-02T16:00+01:00', why: 'zero is the start itself' },
  ]);

  it('zero from outside opening hours is still the start itself', () => {
    expect(addBusinessTime(at('2026-02-07T12:00+01:00'), 0, OFFICE)).toEqual(at('2026-02-07T12:00+01:00'));
  });
});

describe('holidays', () => {
  describe('Christmas Day, Fri 2026-12-25', () => {
    addRows(CHRISTMAS_DAY, [
      { start: '2026-12-24T16:00+01:00', ms: 2 * H, want: '2026-12-28T10:00+01:00', why: 'Thu 1h, Christmas and the weekend closed, Mon 1h' },
      { start: '2026-12-25T10:00+01:00', ms: 1 * H, want: '2026-12-28T10:00+01:00', why: 'starting on the holiday' },
      { start: '2026-12-21T09:00+01:00', ms: 32 * H, want: '2026-12-24T17:00+01:00', why: 'Mon–Thu are open' },
    ]);
  });

  describe('Christmas week, Thu 24 Dec – Fri 1 Jan off', () => {
    addRows(CHRISTMAS_WEEK, [
      { start: '2026-12-23T16:00+01:00', ms: 2 * H, want: '2027-01-04T10:00+01:00', why: 'Wed 1h, nothing until Mon 4 Jan' },
      { start: '2026-12-21T00:00+01:00', ms: 24 * H, want: '2026-12-23T17:00+01:00', why: 'only Mon–Wed of that week' },
    ]);

    it('has 24h of business time from Mon 21 Dec to Mon 4 Jan', () => {
      expect(businessTimeBetween(at('2026-12-21T00:00+01:00'), at('2027-01-04T00:00+01:00'), CHRISTMAS_WEEK)).toBe(24 * H);
    });
  });
});

describe('several ranges a day: 09–12 and 13–17', () => {
  addRows(LUNCH, [
    { start: '2026-02-02T11:00+01:00', ms: 2 * H, want: '2026-02-02T14:00+01:00', why: 'the lunch break is skipped' },
    { start: '2026-02-02T11:00+01:00', ms: 1 * H, want: '2026-02-02T12:00+01:00', why: 'ends at the end of the morning range' },
    { start: '2026-02-02T12:30+01:00', ms: 30 * MIN, want: '2026-02-02T13:30+01:00', why: 'starting in the break' },
    { start: '2026-02-02T09:00+01:00', ms: 7 * H, want: '2026-02-02T17:00+01:00', why: 'a day is 7h' },
  ]);
});

describe('ranges crossing midnight', () => {
  describe('Monday 22:00–06:00', () => {
    addRows(MONDAY_NIGHT, [
      { start: '2026-02-02T23:00+01:00', ms: 2 * H, want: '2026-02-03T01:00+01:00', why: 'runs into Tuesday' },
      { start: '2026-02-02T21:00+01:00', ms: 8 * H, want: '2026-02-03T06:00+01:00', why: 'the whole range' },
      { start: '2026-02-03T05:00+01:00', ms: 2 * H, want: '2026-02-09T23:00+01:00', why: 'Tue 05–06, then next Monday night' },
      { start: '2026-02-03T03:00+01:00', ms: 1 * H, want: '2026-02-03T04:00+01:00', why: 'starting on Tuesday, inside Monday’s range' },
    ]);
  });

  describe('Sunday 22:00–06:00 and Monday 09:00–17:00', () => {
    addRows(SUNDAY_NIGHT, [
      { start: '2026-02-08T21:00+01:00', ms: 10 * H, want: '2026-02-09T11:00+01:00', why: 'Sun 22 – Mon 06, then Mon 09–11' },
      { start: '2026-02-09T05:00+01:00', ms: 2 * H, want: '2026-02-09T10:00+01:00', why: 'Monday morning belongs to Sunday’s range' },
    ]);
  });

  describe('a holiday on the start date removes the whole range', () => {
    addRows(MONDAY_NIGHT_OFF, [
      { start: '2026-02-02T21:00+01:00', ms: 1 * H, want: '2026-02-09T23:00+01:00', why: 'Mon 2 Feb off: its night, Tuesday’s part included, is gone' },
    ]);

    it('has no business time in Tuesday’s early hours after a Monday holiday', () => {
      expect(businessTimeBetween(at('2026-02-02T00:00+01:00'), at('2026-02-04T00:00+01:00'), MONDAY_NIGHT_OFF)).toBe(0);
      expect(isBusinessTime(at('2026-02-03T03:00+01:00'), MONDAY_NIGHT_OFF)).toBe(false);
    });
  });

  describe('a holiday on the end date does not cut the range', () => {
    addRows(TUESDAY_OFF, [
      { start: '2026-02-02T21:00+01:00', ms: 8 * H, want: '2026-02-03T06:00+01:00', why: 'Tue 3 Feb off, but Monday’s range still runs into it' },
    ]);
  });

  describe('a crossing range overlapping the next day’s range counts once', () => {
    addRows(OVERLAP, [
      { start: '2026-02-02T19:00+01:00', ms: 12 * H, want: '2026-02-03T08:00+01:00', why: 'Mon 20:00 – Tue 08:00 is 12h, not 8h + 8h' },
      { start: '2026-02-02T19:00+01:00', ms: 12 * H + 1, want: '2026-02-09T20:00:00.001+01:00', why: 'then next Monday' },
    ]);
  });
});

describe('isBusinessTime', () => {
  it.each([
    { cal: 'OFFICE', t: '2026-02-02T09:00+01:00', want: true, why: 'opening time is inside' },
    { cal: 'OFFICE', t: '2026-02-02T16:59:59.999+01:00', want: true, why: 'the last millisecond' },
    { cal: 'OFFICE', t: '2026-02-02T17:00+01:00', want: false, why: 'closing time is outside' },
    { cal: 'OFFICE', t: '2026-02-07T12:00+01:00', want: false, why: 'Saturday' },
    { cal: 'CHRISTMAS_DAY', t: '2026-12-25T12:00+01:00', want: false, why: 'a holiday' },
    { cal: 'LUNCH', t: '2026-02-02T12:30+01:00', want: false, why: 'the lunch break' },
    { cal: 'MONDAY_NIGHT', t: '2026-02-03T03:00+01:00', want: true, why: 'Tuesday, in Monday’s night range' },
    { cal: 'TUESDAY_OFF', t: '2026-02-03T03:00+01:00', want: true, why: 'a holiday on the end date' },
    { cal: 'MONDAY_NIGHT', t: '2026-02-02T03:00+01:00', want: false, why: 'Monday early: Sunday has no range' },
    { cal: 'ALWAYS_OPEN', t: '2026-02-07T03:00+01:00', want: true, why: 'around the clock' },
  ] as const)('$cal at $t → $want ($why)', ({ cal, t, want }) => {
    const calendars = { OFFICE, CHRISTMAS_DAY, LUNCH, MONDAY_NIGHT, TUESDAY_OFF, ALWAYS_OPEN };
    expect(isBusinessTime(at(t), calendars[cal])).toBe(want);
  });
});

describe('ALWAYS_OPEN is wall-clock arithmetic', () => {
  it.each([
    { a: '2026-02-06T15:00Z', ms: 4 * H },
    { a: '2026-12-25T00:00Z', ms: 30 * 24 * H },
    { a: '2026-03-28T23:30Z', ms: 1 },
  ])('$a + $ms ms', ({ a, ms }) => {
    const want = new Date(at(a).getTime() + ms);
    expect(addBusinessTime(at(a), ms, ALWAYS_OPEN)).toEqual(want);
    expect(businessTimeBetween(at(a), want, ALWAYS_OPEN)).toBe(ms);
    expect(businessTimeBetween(want, at(a), ALWAYS_OPEN)).toBe(-ms);
  });

  it('a negative amount is clamped to the start', () => {
    expect(addBusinessTime(at('2026-02-06T15:00Z'), -H, OFFICE)).toEqual(at('2026-02-06T15:00Z'));
  });

  it('between is negative when b is before a, in business hours too', () => {
    expect(businessTimeBetween(at('2026-02-09T11:00+01:00'), at('2026-02-06T15:00+01:00'), OFFICE)).toBe(-4 * H);
  });
});

describe('addBusinessDays', () => {
  it.each([
    { cal: 'OFFICE', start: '2026-02-06T10:00+01:00', days: 1, want: '2026-02-09T10:00+01:00', why: 'Fri → Mon' },
    { cal: 'OFFICE', start: '2026-02-07T12:00+01:00', days: 1, want: '2026-02-09T12:00+01:00', why: 'Sat → Mon, time kept' },
    { cal: 'OFFICE', start: '2026-02-02T10:00+01:00', days: 5, want: '2026-02-09T10:00+01:00', why: 'a week' },
    { cal: 'OFFICE', start: '2026-02-02T10:00+01:00', days: 0, want: '2026-02-02T10:00+01:00', why: 'zero days' },
    { cal: 'CHRISTMAS_DAY', start: '2026-12-23T14:00+01:00', days: 1, want: '2026-12-24T14:00+01:00', why: 'Wed → Thu' },
    { cal: 'CHRISTMAS_DAY', start: '2026-12-23T14:00+01:00', days: 2, want: '2026-12-28T14:00+01:00', why: 'skips Christmas and the weekend' },
    { cal: 'CHRISTMAS_WEEK', start: '2026-12-23T14:00+01:00', days: 1, want: '2027-01-04T14:00+01:00', why: 'skips the week off' },
    { cal: 'ALWAYS_OPEN', start: '2026-02-06T10:00Z', days: 1, want: '2026-02-07T10:00Z', why: 'around the clock: plain days' },
  ] as const)('$cal: $start + $days → $want ($why)', ({ cal, start, days, want }) => {
    const calendars = { OFFICE, CHRISTMAS_DAY, CHRISTMAS_WEEK, ALWAYS_OPEN };
    expect(addBusinessDays(at(start), days, calendars[cal]).toISOString()).toBe(at(want).toISOString());
  });
});

describe('parseLocalDateTime', () => {
  it.each([
    { text: '2026-12-01', zone: 'Europe/Amsterdam', want: '2026-12-01T00:00+01:00', why: 'a date is local midnight' },
    { text: '2026-12-01T10:00', zone: 'Europe/Amsterdam', want: '2026-12-01T10:00+01:00', why: 'winter: CET' },
    { text: '2026-07-01T10:00:30', zone: 'Europe/Amsterdam', want: '2026-07-01T10:00:30+02:00', why: 'summer: CEST' },
    { text: '2026-12-01T10:00', zone: 'America/New_York', want: '2026-12-01T10:00-05:00', why: 'the zone given' },
    { text: '2026-12-01T10:00Z', zone: 'Europe/Amsterdam', want: '2026-12-01T10:00Z', why: 'Z as written' },
    { text: '2026-12-01T10:00+05:00', zone: 'Europe/Amsterdam', want: '2026-12-01T10:00+05:00', why: 'an offset as written' },
    { text: '2026-12-01T10:00-0300', zone: 'Europe/Amsterdam', want: '2026-12-01T10:00-03:00', why: 'an offset without colon' },
  ])('$text in $zone → $want ($why)', ({ text, zone, want }) => {
    expect(parseLocalDateTime(text, zone)?.toISOString()).toBe(at(want).toISOString());
  });

  it.each(['tomorrow', '2026-13-01', '2026-02-30', '2026-12-01 10:00', '2026-12-01T10', '2026-12-01T25:00', ''])(
    'rejects "%s"',
    (text) => {
      expect(parseLocalDateTime(text, 'Europe/Amsterdam')).toBeNull();
    },
  );
});

/* ---------------------------------------------------------------------------
 * Properties over random calendars: a zone (some with DST, one changing at
 * midnight, one half-hour offset), 0–2 ranges per weekday (some crossing
 * midnight, some 24h), up to 12 holidays in 2026–2027; instants in 2026–2027,
 * biased towards the DST changes.
 * ------------------------------------------------------------------------- */
const DAY = 24 * H;
const ZONES = ['UTC', 'Europe/Amsterdam', 'America/New_York', 'Australia/Sydney', 'America/Santiago', 'Asia/Kolkata'] as const;
const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** A range as the config writes it, with its nominal length in minutes. */
const rangeArb = fc
  .record({
    start: fc.oneof(fc.constantFrom(0, 90, 120, 150, 180, 540, 1020, 1320, 1410), fc.integer({ min: 0, max: 1439 })),
    length: fc.oneof(fc.constantFrom(30, 60, 180, 480, 600, 1440), fc.integer({ min: 1, max: 1439 })),
  })
  .filter(({ start, length }) => length < 1440 || start === 0)
  .map(({ start, length }) => {
    const end = start + length;
    return { text: `${hhmm(start)}-${end === 1440 ? '24:00' : hhmm(end % 1440)}`, length };
  });

const holidayArb = fc.integer({ min: 0, max: 729 }).map((d) => new Date(Date.UTC(2026, 0, 1) + d * DAY).toISOString().slice(0, 10));

const calendarArb = fc
  .record({
    timezone: fc.constantFrom(...ZONES),
    days: fc.tuple(...DAY_NAMES.map(() => fc.array(rangeArb, { maxLength: 2 }))),
    holidays: fc.array(holidayArb, { maxLength: 12 }),
  })
  .filter(({ days }) => days.some((ranges) => ranges.length > 0))
  .map(({ timezone, days, holidays }) => {
    const hours = Object.fromEntries(DAY_NAMES.map((name, i) => [name, days[i]!.map((r) => r.text)]));
    const weeklyMs = days.flat().reduce((sum, r) => sum + r.length * MIN, 0);
    return { spec: { timezone, hours, holidays }, weeklyMs };
  });

const DST_CHANGES = [
  '2026-03-08T07:00Z', '2026-11-01T06:00Z', // New York
  '2026-03-29T01:00Z', '2026-10-25T01:00Z', // Amsterdam
  '2026-04-04T16:00Z', '2026-10-03T16:00Z', // Sydney
  '2026-04-05T03:00Z', '2026-09-06T04:00Z', // Santiago (at midnight)
  '2027-03-28T01:00Z', '2027-10-31T01:00Z',
].map((iso) => Date.parse(iso));
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2028, 0, 1);
const instantArb = fc
  .oneof(
    fc.integer({ min: FROM, max: TO }),
    fc.integer({ min: FROM / MIN, max: TO / MIN }).map((m) => m * MIN),
    fc.tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -3 * DAY / MIN, max: 3 * DAY / MIN })).map(([t, m]) => t + m * MIN),
  )
  .map((t) => new Date(t));

/** A business duration of up to `weeks` weeks of the calendar’s opening hours (6 weeks: about 30 business days). */
const durationArb = (weeklyMs: number, weeks = 6) =>
  fc.oneof(fc.integer({ min: 0, max: weeks * weeklyMs }), fc.integer({ min: 0, max: Math.floor((weeks * weeklyMs) / MIN) }).map((m) => m * MIN));
/** A wall-clock span of up to 30 days. */
const spanArb = fc.oneof(fc.integer({ min: 0, max: 30 * DAY }), fc.integer({ min: 0, max: 30 * 24 * 4 }).map((q) => q * 15 * MIN));

const RUNS = { numRuns: 150 };
const withDuration = calendarArb.chain((c) => fc.record({ c: fc.constant(c), a: instantArb, x: durationArb(c.weeklyMs) }));
const withTwoDurations = calendarArb.chain((c) =>
  fc.record({ c: fc.constant(c), a: instantArb, x: durationArb(c.weeklyMs, 3), y: durationArb(c.weeklyMs, 3) }),
);

describe('properties of the business clock', () => {
  it('(a) businessTimeBetween(a, addBusinessTime(a, x)) === x', () => {
    fc.assert(
      fc.property(withDuration, ({ c, a, x }) => {
        const cal = buildCalendar(c.spec);
        expect(businessTimeBetween(a, addBusinessTime(a, x, cal), cal)).toBe(x);
      }),
      RUNS,
    );
  });

  it('(b) addBusinessTime is strictly increasing in the duration', () => {
    fc.assert(
      fc.property(withTwoDurations, ({ c, a, x, y }) => {
        const cal = buildCalendar(c.spec);
        const [lo, hi] = [Math.min(x, y), Math.max(x, y)];
        const [p, q] = [addBusinessTime(a, lo, cal).getTime(), addBusinessTime(a, hi, cal).getTime()];
        if (lo === hi) expect(p).toBe(q);
        else expect(p).toBeLessThan(q);
      }),
      RUNS,
    );
  });

  it('(c) addBusinessTime(addBusinessTime(a, x), y) === addBusinessTime(a, x + y)', () => {
    fc.assert(
      fc.property(withTwoDurations, ({ c, a, x, y }) => {
        const cal = buildCalendar(c.spec);
        expect(addBusinessTime(addBusinessTime(a, x, cal), y, cal).toISOString()).toBe(addBusinessTime(a, x + y, cal).toISOString());
      }),
      RUNS,
    );
  });

  it('(d) businessTimeBetween(a, c) === between(a, b) + between(b, c) for a ≤ b ≤ c', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, spanArb, spanArb, (c, a, d1, d2) => {
        const cal = buildCalendar(c.spec);
        const b = new Date(a.getTime() + d1);
        const end = new Date(b.getTime() + d2);
        expect(businessTimeBetween(a, end, cal)).toBe(businessTimeBetween(a, b, cal) + businessTimeBetween(b, end, cal));
      }),
      RUNS,
    );
  });

  it('(e) 0 ≤ between(a, b) ≤ b − a, and === b − a around the clock (ALWAYS_OPEN or 7 × 00:00–24:00 in any zone)', () => {
    const allWeek = (timezone: string) => buildCalendar({ timezone, hours: Object.fromEntries(DAY_NAMES.map((d) => [d, '00:00-24:00'])), holidays: [] });
    fc.assert(
      fc.property(calendarArb, fc.constantFrom(...ZONES), instantArb, spanArb, (c, zone, a, d) => {
        const b = new Date(a.getTime() + d);
        const between = businessTimeBetween(a, b, buildCalendar(c.spec));
        expect(between).toBeGreaterThanOrEqual(0);
        expect(between).toBeLessThanOrEqual(d);
        expect(businessTimeBetween(a, b, ALWAYS_OPEN)).toBe(d);
        expect(businessTimeBetween(a, b, allWeek(zone))).toBe(d);
        expect(addBusinessTime(a, d, allWeek(zone)).getTime()).toBe(b.getTime());
      }),
      RUNS,
    );
  });

  it('(f) a positive amount ends inside business time or at the end of a range (result − 1 ms is business time)', () => {
    fc.assert(
      fc.property(withDuration, ({ c, a, x }) => {
        const cal = buildCalendar(c.spec);
        const end = addBusinessTime(a, Math.max(1, x), cal);
        expect(isBusinessTime(new Date(end.getTime() - 1), cal)).toBe(true);
      }),
      RUNS,
    );
  });

  it('(g) isBusinessTime(t) exactly when the millisecond after t counts', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, (c, t) => {
        const cal = buildCalendar(c.spec);
        expect(isBusinessTime(t, cal)).toBe(businessTimeBetween(t, new Date(t.getTime() + 1), cal) === 1);
      }),
      RUNS,
    );
  });
});
