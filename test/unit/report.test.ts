import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barChart, niceTop, parseReportQuery } from '../../src/adapters/http/report-page.js';
import { ALWAYS_OPEN, buildCalendar, businessTimeBetween } from '../../src/domain/business-time.js';
import { businessTimeMeasure, formatSpan, localTimeReader } from '../../src/domain/report-clock.js';
import { buildReport, percent, percentiles, type ReportData, type ReportTicket } from '../../src/domain/report.js';
import { backlogAge } from '../../src/domain/report-tallies.js';
import type { SlaTargets } from '../../src/domain/sla.js';
import type { Priority } from '../../src/domain/ticket.js';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const at = (iso: string) => new Date(iso);

/** Mon–Fri 09:00–17:00 in Amsterdam: 08:00–16:00 UTC in February. 2026-02-02 is a Monday. */
const OFFICE = buildCalendar({
  timezone: 'Europe/Amsterdam',
  hours: { mon: '09:00-17:00', tue: '09:00-17:00', wed: '09:00-17:00', thu: '09:00-17:00', fri: '09:00-17:00' },
  holidays: [],
});

const TARGETS: Record<Priority, SlaTargets> = {
  urgent: { firstResponse: 1 * H, resolution: 8 * H },
  high: { firstResponse: 4 * H, nextResponse: 4 * H, resolution: 16 * H },
  medium: { firstResponse: 8 * H, nextResponse: 8 * H, resolution: 40 * H },
  low: {},
};

function ticket(number: number, fields: Partial<ReportTicket> & { createdAt: Date }): ReportTicket {
  return {
    number,
    priority: 'medium',
    department: 'general',
    assignee: null,
    mailbox: 'support',
    agentReplies: [],
    customerReplies: [],
    resolvedAt: [],
    closedAt: [],
    reopenedAt: [],
    slaWarned: [],
    slaBreached: [],
    rating: null,
    ...fields,
  };
}

/**
 * One week, Mon 2 Feb 00:00Z – Mon 9 Feb 00:00Z; local (Amsterdam) times in
 * the comments. Business times are counted by hand.
 */
const WEEK = { from: at('2026-02-02T00:00Z'), to: at('2026-02-09T00:00Z') };
const HISTORY: ReportData = {
  tickets: [
    // Mon 09:30 → answered 10:30 (1h, 1h) → resolved 16:30 (7h, 7h).
    ticket(1, { priority: 'high', assignee: 'alice@example.test', createdAt: at('2026-02-02T08:30Z'), agentReplies: [at('2026-02-02T09:30Z')], resolvedAt: [at('2026-02-02T15:30Z')] }),
    // Fri 16:00 → over the weekend → answered Mon 10:00 after --to: wall 66h, business 1h (Fri) + 1h (Mon) = 2h.
    // The customer wrote again on Saturday, before any answer: no next-response clock ran.
    ticket(2, {
      assignee: 'bob@example.test',
      createdAt: at('2026-02-06T15:00Z'),
      customerReplies: [at('2026-02-07T09:00Z')],
      agentReplies: [at('2026-02-09T09:00Z')],
      slaWarned: ['first_response'],
    }),
    // Tue 20:00 (night) → answered Wed 09:30 (13h30m, 30m) → resolved Wed 11:00 (15h, 2h); reopened Thu, closed Fri.
    ticket(3, {
      priority: 'urgent',
      department: 'billing',
      createdAt: at('2026-02-03T19:00Z'),
      agentReplies: [at('2026-02-04T08:30Z')],
      resolvedAt: [at('2026-02-04T10:00Z')],
      customerReplies: [at('2026-02-05T10:00Z')],
      reopenedAt: [at('2026-02-05T10:00Z')],
      closedAt: [at('2026-02-06T12:00Z')],
      slaWarned: ['first_response', 'resolution'],
      slaBreached: ['first_response'],
    }),
    // Saturday, never answered.
    ticket(4, { priority: 'low', assignee: 'alice@example.test', createdAt: at('2026-02-07T10:00Z') }),
    // Created before the period; resolved Tue, auto-closed Sun, inside it.
    ticket(5, {
      priority: 'high',
      assignee: 'alice@example.test',
      createdAt: at('2026-01-28T10:00Z'),
      agentReplies: [at('2026-01-28T11:00Z')],
      resolvedAt: [at('2026-02-03T10:00Z')],
      closedAt: [at('2026-02-08T10:00Z')],
    }),
    // Mon 13:00 → answered 14:00 (1h, 1h); the customer 15:00, answered Tue 09:00 (next response met);
    // resolved Tue 10:00: wall 21h, business 4h (Mon) + 1h (Tue) = 5h.
    ticket(6, {
      assignee: 'bob@example.test',
      createdAt: at('2026-02-02T12:00Z'),
      agentReplies: [at('2026-02-02T13:00Z'), at('2026-02-03T08:00Z')],
      customerReplies: [at('2026-02-02T14:00Z')],
      resolvedAt: [at('2026-02-03T09:00Z')],
    }),
    // Resolved in January, reopened Thu inside the period.
    ticket(7, { priority: 'low', createdAt: at('2026-01-20T10:00Z'), resolvedAt: [at('2026-01-21T10:00Z')], reopenedAt: [at('2026-02-05T12:00Z')] }),
    // Nothing of it falls in the period: not counted.
    ticket(8, { createdAt: at('2026-01-10T10:00Z'), resolvedAt: [at('2026-01-11T10:00Z')] }),
  ],
  customerMail: [
    { at: at('2026-02-02T08:30Z'), count: 1 }, // Mon 09
    { at: at('2026-02-02T12:00Z'), count: 1 }, // Mon 13
    { at: at('2026-02-02T14:00Z'), count: 1 }, // Mon 15
    { at: at('2026-02-03T19:00Z'), count: 1 }, // Tue 20
    { at: at('2026-02-05T10:00Z'), count: 1 }, // Thu 11
    { at: at('2026-02-06T15:00Z'), count: 1 }, // Fri 16
    { at: at('2026-02-07T09:00Z'), count: 1 }, // Sat 10
    { at: at('2026-02-07T10:00Z'), count: 3 }, // Sat 11 (a quarter hour of three)
    { at: at('2026-02-09T10:00Z'), count: 5 }, // after the period
  ],
  backlog: [
    { status: 'new', createdAt: at('2026-02-07T10:00Z') }, // 1d 14h
    { status: 'open', createdAt: at('2026-02-06T15:00Z') }, // 2d 9h
    { status: 'open', createdAt: at('2026-01-20T10:00Z') }, // 19d
    { status: 'answered', createdAt: at('2026-02-08T12:00Z') }, // 12h
    { status: 'postponed', createdAt: at('2026-02-04T00:00Z') }, // exactly 5d
    { status: 'closed', createdAt: at('2026-02-01T00:00Z') }, // not backlog
    { status: 'open', createdAt: at('2026-02-09T00:00Z') }, // created at the end: not yet
  ],
};

const settings = (by: 'priority' | 'agent' | null = null) => ({ calendar: OFFICE, targetsOf: (p: Priority) => TARGETS[p], by });

describe('buildReport over a hand-counted week', () => {
  const report = buildReport(HISTORY, WEEK, settings());

  it('counts tickets created, resolved and closed (tickets, not events), and reopened ones against those resolved or closed', () => {
    expect(report.total).toMatchObject({ created: 5, resolved: 4, closed: 2, resolvedOrClosed: 4, reopened: 2, reopenRatePct: 50 });
  });

  it('first response: median and p90 by nearest rank, in business time across a night and a weekend, and wall time', () => {
    // Business 30m, 1h, 1h, 2h; wall 1h, 1h, 13h30m, 66h.
    expect(report.total.firstResponse).toEqual({ count: 4, business: { medianMs: 1 * H, p90Ms: 2 * H }, wall: { medianMs: 1 * H, p90Ms: 66 * H } });
  });

  it('resolution: from creation to the first resolved or closed', () => {
    // Business 2h, 5h, 7h; wall 7h, 15h, 21h.
    expect(report.total.resolution).toEqual({ count: 3, business: { medianMs: 5 * H, p90Ms: 7 * H }, wall: { medianMs: 15 * H, p90Ms: 21 * H } });
  });

  it('SLA per target over the created tickets that have it: breach over warning, met only when done, shares of the decided', () => {
    expect(report.total.sla.firstResponse).toEqual({ met: 2, warned: 1, breached: 1, pending: 0, metPct: 50, warnedPct: 25, breachedPct: 25 });
    // #6 answered a reply that waited; #1 and #2 never had one wait (#2's came before the first answer).
    expect(report.total.sla.nextResponse).toEqual({ met: 1, warned: 0, breached: 0, pending: 2, metPct: 100, warnedPct: 0, breachedPct: 0 });
    expect(report.total.sla.resolution).toEqual({ met: 2, warned: 1, breached: 0, pending: 1, metPct: 66.7, warnedPct: 33.3, breachedPct: 0 });
  });

  it('the backlog at --to by status and age, without closed tickets or ones created later', () => {
    expect(report.backlog.asOf).toBe('2026-02-09T00:00:00.000Z');
    expect(report.backlog.total).toBe(5);
    expect(report.backlog.byAge).toEqual({ under_1d: 1, '1d_3d': 2, '3d_7d': 1, '7d_plus': 1 });
    expect(report.backlog.byStatus).toEqual([
      { status: 'new', total: 1, byAge: { under_1d: 0, '1d_3d': 1, '3d_7d': 0, '7d_plus': 0 } },
      { status: 'open', total: 2, byAge: { under_1d: 0, '1d_3d': 1, '3d_7d': 0, '7d_plus': 1 } },
      { status: 'answered', total: 1, byAge: { under_1d: 1, '1d_3d': 0, '3d_7d': 0, '7d_plus': 0 } },
      { status: 'postponed', total: 1, byAge: { under_1d: 0, '1d_3d': 0, '3d_7d': 1, '7d_plus': 0 } },
      { status: 'resolved', total: 0, byAge: { under_1d: 0, '1d_3d': 0, '3d_7d': 0, '7d_plus': 0 } },
    ]);
  });

  it('busiest hours and weekdays in the calendar’s zone, only inside the period', () => {
    const byHour = new Array(24).fill(0);
    for (const [hour, n] of [[9, 1], [13, 1], [15, 1], [20, 1], [11, 4], [16, 1], [10, 1]] as const) byHour[hour] += n;
    expect(report.busiestHours).toEqual({ total: 10, byHour, byWeekday: [3, 1, 0, 1, 1, 4, 0] });
  });

  it('per local day: created, resolved and closed (the last day is the hour after local midnight before --to)', () => {
    expect(report.daily).toEqual([
      { date: '2026-02-02', created: 2, resolved: 1, closed: 0 },
      { date: '2026-02-03', created: 1, resolved: 2, closed: 0 },
      { date: '2026-02-04', created: 0, resolved: 1, closed: 0 },
      { date: '2026-02-05', created: 0, resolved: 0, closed: 0 },
      { date: '2026-02-06', created: 1, resolved: 0, closed: 1 },
      { date: '2026-02-07', created: 1, resolved: 0, closed: 0 },
      { date: '2026-02-08', created: 0, resolved: 0, closed: 1 },
      { date: '2026-02-09', created: 0, resolved: 0, closed: 0 },
    ]);
  });

  it('the period and zone as given; no groups without --by', () => {
    expect(report.period).toEqual({ from: '2026-02-02T00:00:00.000Z', to: '2026-02-09T00:00:00.000Z', timeZone: 'Europe/Amsterdam' });
    expect(report.by).toBeNull();
    expect(report.groups).toEqual([]);
  });
});

describe('buildReport --by', () => {
  it('priority: most urgent first, each group its own figures', () => {
    const report = buildReport(HISTORY, WEEK, settings('priority'));
    expect(report.groups.map((g) => [g.key, g.created, g.resolved, g.closed, g.reopened, g.reopenRatePct])).toEqual([
      ['urgent', 1, 1, 1, 1, 100],
      ['high', 1, 2, 1, 0, 0],
      ['medium', 2, 1, 0, 0, 0],
      ['low', 1, 0, 0, 1, null],
    ]);
    const medium = report.groups.find((g) => g.key === 'medium')!;
    // #2 (business 2h, wall 66h) and #6 (1h, 1h): the lower middle is the median of two.
    expect(medium.firstResponse).toEqual({ count: 2, business: { medianMs: 1 * H, p90Ms: 2 * H }, wall: { medianMs: 1 * H, p90Ms: 66 * H } });
    expect(report.groups.find((g) => g.key === 'low')!.sla.firstResponse).toMatchObject({ met: 0, pending: 0, metPct: null });
  });

  it('agent: by assignee, unassigned last; the total stays the whole', () => {
    const report = buildReport(HISTORY, WEEK, settings('agent'));
    expect(report.groups.map((g) => [g.key, g.created])).toEqual([
      ['alice@example.test', 2],
      ['bob@example.test', 2],
      ['(unassigned)', 1],
    ]);
    expect(report.total.created).toBe(5);
  });
});

describe('satisfaction', () => {
  it('counts each ticket by its last answer given in the period, also for tickets the period did not otherwise touch', () => {
    const before = at('2026-01-20T10:00Z');
    const data = {
      tickets: [
        // Created and answered good in the week.
        ticket(1, { createdAt: at('2026-02-02T09:00Z'), resolvedAt: [at('2026-02-02T12:00Z')], rating: { value: 'good', at: at('2026-02-03T08:00Z') } }),
        // Created before the week, resolved before it; answered bad in the week: counted, nothing else about it is.
        ticket(2, { createdAt: before, priority: 'high', resolvedAt: [before], rating: { value: 'bad', at: at('2026-02-04T08:00Z') } }),
        // Answered before the week: not counted.
        ticket(3, { createdAt: at('2026-02-02T09:00Z'), rating: { value: 'good', at: at('2026-02-09T00:00Z') } }),
        ticket(4, { createdAt: at('2026-02-02T10:00Z'), rating: { value: 'good', at: at('2026-02-08T23:59Z') } }),
      ],
      customerMail: [],
      backlog: [],
    } satisfies ReportData;
    const report = buildReport(data, WEEK, settings('priority'));
    expect(report.total.satisfaction).toEqual({ good: 2, bad: 1, goodPct: 66.7 });
    expect(report.total.created).toBe(3);
    expect(report.groups.find((g) => g.key === 'high')?.satisfaction).toEqual({ good: 0, bad: 1, goodPct: 0 });
    expect(report.groups.find((g) => g.key === 'medium')?.satisfaction).toEqual({ good: 2, bad: 0, goodPct: 100 });
  });
});

describe('nearest-rank percentiles and shares', () => {
  it.each([
    { values: [], median: null, p90: null },
    { values: [5], median: 5, p90: 5 },
    { values: [4, 1], median: 1, p90: 4 },
    { values: [3, 1, 2], median: 2, p90: 3 },
    { values: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], median: 5, p90: 9 },
    // 90% of 30 is 27 exactly: rank 27, not 28 (no floating-point creep).
    { values: Array.from({ length: 30 }, (_, i) => i + 1), median: 15, p90: 27 },
  ])('$values → median $median, p90 $p90', ({ values, median, p90 }) => {
    expect(percentiles(values)).toEqual({ medianMs: median, p90Ms: p90 });
  });

  it('percent: one decimal, null over nothing', () => {
    expect([percent(1, 3), percent(2, 3), percent(0, 5), percent(3, 0)]).toEqual([33.3, 66.7, 0, null]);
  });

  it('backlog ages: < 1 d, 1–3 d, 3–7 d, ≥ 7 d', () => {
    expect([0, D - 1, D, 3 * D - 1, 3 * D, 7 * D - 1, 7 * D, 90 * D].map(backlogAge)).toEqual([
      'under_1d', 'under_1d', '1d_3d', '1d_3d', '3d_7d', '3d_7d', '7d_plus', '7d_plus',
    ]);
  });

  it.each([
    { ms: null, text: '-' },
    { ms: 0, text: '0s' },
    { ms: 45_000, text: '45s' },
    { ms: 45 * MIN, text: '45m' },
    { ms: 2 * H + 15 * MIN, text: '2h 15m' },
    { ms: 2 * H, text: '2h' },
    { ms: 3 * D + 4 * H + 59 * MIN, text: '3d 4h' },
    { ms: D + 5 * MIN, text: '1d' },
  ])('formatSpan($ms) = $text', ({ ms, text }) => {
    expect(formatSpan(ms)).toBe(text);
  });
});

describe('local time of customer mail', () => {
  it.each([
    { zone: 'Asia/Kolkata', iso: '2026-02-02T18:15Z', date: '2026-02-02', hour: 23, weekday: 1, why: '+05:30: 23:45 Monday' },
    { zone: 'Asia/Kolkata', iso: '2026-02-02T18:45Z', date: '2026-02-03', hour: 0, weekday: 2, why: '+05:30: 00:15 Tuesday' },
    { zone: 'America/New_York', iso: '2026-03-08T06:59Z', date: '2026-03-08', hour: 1, weekday: 7, why: 'EST, just before the spring change' },
    { zone: 'America/New_York', iso: '2026-03-08T07:00Z', date: '2026-03-08', hour: 3, weekday: 7, why: 'EDT: 02:00 does not exist' },
    { zone: 'UTC', iso: '2026-02-08T23:59Z', date: '2026-02-08', hour: 23, weekday: 7, why: 'Sunday night' },
  ])('$zone $iso → $date $hour:xx ($why)', ({ zone, iso, date, hour, weekday }) => {
    expect(localTimeReader(zone)(at(iso))).toEqual({ date, hour, weekday });
  });

  it('reads every instant as Intl does, DST days included', () => {
    const ZONES = ['Europe/Amsterdam', 'America/New_York', 'Australia/Sydney', 'America/Santiago', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.array(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }), { minLength: 1, maxLength: 50 }), (zone, instants) => {
        const read = localTimeReader(zone);
        const intl = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23', weekday: 'short' });
        for (const t of [...instants].sort((a, b) => a - b)) {
          const p = Object.fromEntries(intl.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
          const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday!) + 1;
          expect(read(new Date(t))).toEqual({ date: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour), weekday });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the busiest hours move with the calendar’s zone', () => {
    const data: ReportData = { tickets: [], backlog: [], customerMail: [{ at: at('2026-02-02T18:45Z'), count: 2 }] };
    const kolkata = buildReport(data, WEEK, { ...settings(), calendar: { ...ALWAYS_OPEN, timezone: 'Asia/Kolkata' } });
    expect(kolkata.busiestHours.byHour[0]).toBe(2);
    expect(kolkata.busiestHours.byWeekday).toEqual([0, 2, 0, 0, 0, 0, 0]);
    const utc = buildReport(data, WEEK, { ...settings(), calendar: ALWAYS_OPEN });
    expect(utc.busiestHours.byHour[18]).toBe(2);
    expect(utc.busiestHours.byWeekday).toEqual([2, 0, 0, 0, 0, 0, 0]);
  });
});

describe('businessTimeMeasure', () => {
  it('across a night and a weekend, as counted by hand', () => {
    const measure = businessTimeMeasure(OFFICE, WEEK.from, at('2026-02-10T00:00Z'));
    expect(measure(at('2026-02-03T19:00Z'), at('2026-02-04T08:30Z'))).toBe(30 * MIN);
    expect(measure(at('2026-02-06T15:00Z'), at('2026-02-09T09:00Z'))).toBe(2 * H);
    expect(measure(at('2026-02-07T00:00Z'), at('2026-02-08T23:00Z'))).toBe(0);
    expect(measure(at('2026-02-04T08:30Z'), at('2026-02-03T19:00Z'))).toBe(-30 * MIN);
    // Outside the span it asks the clock.
    expect(measure(at('2026-01-30T15:00Z'), at('2026-02-02T09:00Z'))).toBe(2 * H);
  });

  it('is the business clock: random calendars (DST zones, ranges across midnight, holidays), random pairs', () => {
    const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
    const hhmm = (m: number) => `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const range = fc.tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 1, max: 95 })).map(([s, l]) => `${hhmm(s * 15)}-${hhmm((s * 15 + l * 15) % 1440)}`);
    const calendar = fc.record({
      timezone: fc.constantFrom('UTC', 'Europe/Amsterdam', 'America/New_York', 'Australia/Sydney', 'America/Santiago', 'Asia/Kolkata'),
      days: fc.tuple(...DAY_NAMES.map(() => fc.array(range, { maxLength: 2 }))),
      holidays: fc.array(fc.integer({ min: 0, max: 90 }).map((d) => new Date(Date.UTC(2026, 2, 1) + d * D).toISOString().slice(0, 10)), { maxLength: 4 }),
    });
    const SPAN_FROM = Date.UTC(2026, 2, 1);
    const SPAN_TO = Date.UTC(2026, 5, 1);
    const instant = fc.integer({ min: SPAN_FROM, max: SPAN_TO });
    fc.assert(
      fc.property(calendar, fc.array(fc.tuple(instant, instant), { minLength: 1, maxLength: 4 }), (c, pairs) => {
        const cal = buildCalendar({ timezone: c.timezone, hours: Object.fromEntries(DAY_NAMES.map((d, i) => [d, c.days[i]!])), holidays: c.holidays });
        const measure = businessTimeMeasure(cal, new Date(SPAN_FROM), new Date(SPAN_TO));
        // `+ 0`: the clock answers -0 for an empty span backwards.
        for (const [a, b] of pairs) expect(measure(new Date(a), new Date(b)) + 0).toBe(businessTimeBetween(new Date(a), new Date(b), cal) + 0);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the /reports page model', () => {
  it.each([
    [0, 1], [1, 1], [3, 3], [5, 5], [7, 8], [9, 10], [22, 30], [51, 60], [250, 300], [1200, 2000],
  ])('niceTop(%d) = %d', (max, top) => {
    expect(niceTop(max)).toBe(top);
  });

  it('lays bars out on a baseline, scaled to the top, with gridlines and about a dozen labels', () => {
    const slots = Array.from({ length: 24 }, (_, h) => ({ label: String(h), values: [h === 12 ? 8 : 2], title: `${h}` }));
    const chart = barChart('by hour', 560, [{ cls: 'bar-mail', text: 'mails' }], slots);
    expect(chart.bars).toHaveLength(24);
    const noon = chart.bars[12]!;
    const two = chart.bars[0]!;
    // Top 8: the noon bar spans the whole plot (200 - 10 - 22 = 168), a 2 a quarter of it, both on the baseline at 178.
    expect([noon.y, noon.h, two.y, two.h]).toEqual([10, 168, 136, 42]);
    expect(chart.grid.map((g) => [g.y, g.text])).toEqual([[178, '0'], [94, '4'], [10, '8']]);
    expect(chart.ticks.map((t) => t.text)).toEqual(['0', '2', '4', '6', '8', '10', '12', '14', '16', '18', '20', '22']);
  });

  it('reads the form: dates as midnight UTC, a row per grouping; anything unusable falls back to the last 30 days and says so', () => {
    const now = at('2026-03-01T12:00Z');
    expect(parseReportQuery(new URLSearchParams('from=2026-02-01&to=2026-02-08&by=agent'), now)).toEqual({
      request: { from: at('2026-02-01T00:00Z'), to: at('2026-02-08T00:00Z'), by: 'agent' },
      from: '2026-02-01', to: '2026-02-08', by: 'agent', problem: null,
    });
    expect(parseReportQuery(new URLSearchParams('by=weather'), now)).toMatchObject({ request: { by: null }, problem: null });
    expect(parseReportQuery(new URLSearchParams('from=2026-02-30'), now).problem).toBe('Dates are written 2026-01-31.');
    expect(parseReportQuery(new URLSearchParams('from=2026-02-08&to=2026-02-01'), now).problem).toBe('“From” must be before “To”.');
    expect(parseReportQuery(new URLSearchParams('from=2024-01-01'), now)).toMatchObject({ request: { by: null }, problem: expect.stringContaining('at most 366 days') });
  });
});
