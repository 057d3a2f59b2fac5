import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, buildCalendar } from '../../src/domain/business-time.js';
import type { BusinessCalendar } from '../../src/domain/business-time.js';
import { advanceSla, dueTimes, newSlaState, slaAlert } from '../../src/domain/sla.js';
import type { SlaEvent, SlaPolicy, SlaState, SlaTargets } from '../../src/domain/sla.js';
import type { TicketStatus } from '../../src/domain/ticket.js';

const MIN = 60_000;
const H = 60 * MIN;
const at = (iso: string): Date => new Date(iso);

/** Mon–Fri 09:00–17:00 Amsterdam (+01:00 in February and December); 2026-02-02 is a Monday. */
const OFFICE = buildCalendar({
  timezone: 'Europe/Amsterdam',
  hours: { mon: '09:00-17:00', tue: '09:00-17:00', wed: '09:00-17:00', thu: '09:00-17:00', fri: '09:00-17:00' },
  holidays: ['2026-12-25'],
});
const URGENT: SlaTargets = { firstResponse: 1 * H, nextResponse: 2 * H, resolution: 8 * H };
const MEDIUM: SlaTargets = { firstResponse: 8 * H, resolution: 40 * H };
const policy = (
  targets: SlaTargets,
  calendar: BusinessCalendar = ALWAYS_OPEN,
  pauseOn: readonly TicketStatus[] = ['answered', 'postponed'],
): SlaPolicy => ({ targets, calendar, pauseOn: new Set(pauseOn) });

/* Around the clock on Mon 2 Feb 2026 (UTC), so that the arithmetic is plain. */
const mon = (hhmm: string) => `2026-02-02T${hhmm}Z`;
const tue = (hhmm: string) => `2026-02-03T${hhmm}Z`;
const created = (t: string): SlaEvent => ({ type: 'created', at: at(t) });
const agent = (t: string): SlaEvent => ({ type: 'agent_replied', at: at(t) });
const customer = (t: string): SlaEvent => ({ type: 'customer_replied', at: at(t) });
const status = (s: TicketStatus, t: string): SlaEvent => ({ type: 'status', status: s, at: at(t) });
const RECOMPUTE: SlaEvent = { type: 'recompute' };

/** Folds events (the first one `created`) into a clock. */
function run(events: readonly SlaEvent[], p: SlaPolicy, from?: SlaState): SlaState {
  const first = events[0];
  const start = from ?? newSlaState(first && 'at' in first ? first.at : at(mon('00:00')));
  return events.reduce((state, event) => advanceSla(state, event, p), start);
}

type Dues = { first: string | null; next: string | null; resolution: string | null };
const dues = (s: SlaState): Dues => ({
  first: s.firstResponseDueAt?.toISOString() ?? null,
  next: s.nextResponseDueAt?.toISOString() ?? null,
  resolution: s.resolutionDueAt?.toISOString() ?? null,
});
const want = (first: string | null, next: string | null, resolution: string | null): Dues => ({
  first: first && at(first).toISOString(),
  next: next && at(next).toISOString(),
  resolution: resolution && at(resolution).toISOString(),
});

describe('newSlaState', () => {
  it('starts the resolution clock at creation, with no due time before a policy applies', () => {
    expect(newSlaState(at(mon('10:00')))).toEqual({
      createdAt: at(mon('10:00')),
      firstRespondedAt: null,
      waitingSince: null,
      resolutionElapsedMs: 0,
      resolutionRunningSince: at(mon('10:00')),
      stopped: false,
      firstResponseDueAt: null,
      nextResponseDueAt: null,
      resolutionDueAt: null,
    });
  });
});

type Row = { name: string; events: SlaEvent[]; want: Dues };
const rows = (p: SlaPolicy, table: Row[]) =>
  it.each(table)('$name', ({ events, want: expected }) => {
    expect(dues(run(events, p))).toEqual(expected);
  });

describe('advanceSla per event (urgent: first 1h, next 2h, resolution 8h; around the clock)', () => {
  describe('created', () => {
    rows(policy(URGENT), [
      { name: 'sets first response and resolution due, not next response', events: [created(mon('10:00'))], want: want(mon('11:00'), null, mon('18:00')) },
    ]);
  });

  describe('agent_replied and customer_replied', () => {
    rows(policy(URGENT), [
      { name: 'an agent reply clears first response', events: [created(mon('10:00')), agent(mon('10:30'))], want: want(null, null, mon('18:00')) },
      {
        name: 'a customer reply after the agent’s starts next response: due = reply + 2h',
        events: [created(mon('10:00')), agent(mon('10:30')), customer(mon('12:00'))],
        want: want(null, mon('14:00'), mon('18:00')),
      },
      {
        name: 'the next agent reply clears next response',
        events: [created(mon('10:00')), agent(mon('10:30')), customer(mon('12:00')), agent(mon('13:00'))],
        want: want(null, null, mon('18:00')),
      },
      {
        name: 'a second customer reply does not restart the waiting clock',
        events: [created(mon('10:00')), agent(mon('10:30')), customer(mon('12:00')), customer(mon('13:00'))],
        want: want(null, mon('14:00'), mon('18:00')),
      },
      {
        name: 'each answered round starts a new next-response clock',
        events: [created(mon('10:00')), agent(mon('10:30')), customer(mon('12:00')), agent(mon('13:00')), customer(mon('15:00'))],
        want: want(null, mon('17:00'), mon('18:00')),
      },
      {
        name: 'a customer reply before any agent reply does not start next response',
        events: [created(mon('10:00')), customer(mon('10:20'))],
        want: want(mon('11:00'), null, mon('18:00')),
      },
      {
        name: '…nor does it once the agent answers after it',
        events: [created(mon('10:00')), customer(mon('10:20')), agent(mon('10:40'))],
        want: want(null, null, mon('18:00')),
      },
      {
        name: 'first response stays cleared for good (resolve, reopen, more replies)',
        events: [created(mon('10:00')), agent(mon('10:30')), status('resolved', mon('11:00')), status('open', mon('12:00')), customer(mon('12:00')), agent(mon('12:30'))],
        want: want(null, null, mon('19:00')),
      },
    ]);
  });

  describe('status: pauses (answered, postponed) and running statuses', () => {
    rows(policy(URGENT), [
      { name: 'answered pauses resolution; first response still due', events: [created(mon('10:00')), status('answered', mon('12:00'))], want: want(mon('11:00'), null, null) },
      {
        name: 'open resumes with the rest of the budget: 15:00 + (8h − 2h)',
        events: [created(mon('10:00')), status('answered', mon('12:00')), status('open', mon('15:00'))],
        want: want(mon('11:00'), null, mon('21:00')),
      },
      {
        name: 'postponed overnight, woken up: Tue 10:00 + 7h',
        events: [created(mon('10:00')), agent(mon('10:30')), status('postponed', mon('11:00')), status('open', tue('10:00'))],
        want: want(null, null, tue('17:00')),
      },
      {
        name: 'answered → postponed keeps the clock standing: 13:00 + 7h',
        events: [created(mon('10:00')), status('answered', mon('11:00')), status('postponed', mon('12:00')), status('open', mon('13:00'))],
        want: want(mon('11:00'), null, mon('20:00')),
      },
      {
        name: 'new → open → new moves nothing',
        events: [created(mon('10:00')), status('open', mon('11:00')), status('new', mon('12:00')), status('open', mon('13:00'))],
        want: want(mon('11:00'), null, mon('18:00')),
      },
      {
        name: 'a spent budget is due at the moment it resumes (9h ran of 8h)',
        events: [created(mon('10:00')), status('answered', mon('19:00')), status('open', mon('20:00'))],
        want: want(mon('11:00'), null, mon('20:00')),
      },
    ]);

    it('accumulates the elapsed time while paused and stands still', () => {
      const paused = run([created(mon('10:00')), status('answered', mon('12:00'))], policy(URGENT));
      expect(paused.resolutionElapsedMs).toBe(2 * H);
      expect(paused.resolutionRunningSince).toBeNull();
    });

    describe('with pauseOn empty nothing pauses', () => {
      rows(policy(URGENT, ALWAYS_OPEN, []), [
        {
          name: 'answered and postponed leave resolution due where it was',
          events: [created(mon('10:00')), status('answered', mon('12:00')), status('postponed', mon('13:00')), status('open', mon('15:00'))],
          want: want(mon('11:00'), null, mon('18:00')),
        },
      ]);
    });
  });

  describe('status: resolved, closed and spam stop everything', () => {
    it.each(['resolved', 'closed', 'spam'] as const)('%s: no due time at all, waiting cleared', (stop) => {
      const state = run([created(mon('10:00')), agent(mon('10:30')), customer(mon('12:00')), status(stop, mon('12:30'))], policy(URGENT));
      expect(dues(state)).toEqual(want(null, null, null));
      expect(state).toMatchObject({ stopped: true, waitingSince: null, resolutionElapsedMs: 2.5 * H, resolutionRunningSince: null });
    });

    it.each(['resolved', 'closed', 'spam'] as const)('%s before any agent reply: no first response due either', (stop) => {
      expect(dues(run([created(mon('10:00')), status(stop, mon('10:30'))], policy(URGENT)))).toEqual(want(null, null, null));
    });

    rows(policy(URGENT), [
      {
        name: 'reopen resumes resolution with the remaining budget: Tue 09:00 + 6h',
        events: [created(mon('10:00')), agent(mon('10:30')), status('resolved', mon('12:00')), status('open', tue('09:00'))],
        want: want(null, null, tue('15:00')),
      },
      {
        name: 'time paused before the stop is not counted: 13:00 + 7h',
        events: [created(mon('10:00')), agent(mon('10:30')), status('answered', mon('11:00')), status('resolved', mon('12:00')), status('open', mon('13:00'))],
        want: want(null, null, mon('20:00')),
      },
      {
        // Ingest feeds the reopen first, then the reply (a stopped ticket starts no clock).
        name: 'a customer reopening a resolved ticket (open, then reply): next response and resolution run',
        events: [created(mon('10:00')), agent(mon('10:30')), status('resolved', mon('11:00')), status('open', tue('09:00')), customer(tue('09:00'))],
        want: want(null, tue('11:00'), tue('16:00')),
      },
      {
        // A customer message on a spam ticket leaves it spam (DESIGN.md lifecycle): ingest feeds only `customer_replied`.
        name: 'a customer writing to a spam ticket starts no clock',
        events: [created(mon('10:00')), agent(mon('10:30')), status('spam', mon('11:00')), customer(mon('12:00'))],
        want: want(null, null, null),
      },
    ]);
  });
});

describe('advanceSla: missing targets leave their due time null', () => {
  const waiting = [created(mon('10:00')), agent(mon('10:30')), customer(mon('12:00'))];
  it.each([
    { name: 'no targets, new ticket', targets: {}, events: [created(mon('10:00'))], want: want(null, null, null) },
    { name: 'no targets, customer waiting', targets: {}, events: waiting, want: want(null, null, null) },
    { name: 'first response only', targets: { firstResponse: H }, events: [created(mon('10:00'))], want: want(mon('11:00'), null, null) },
    { name: 'resolution only', targets: { resolution: 8 * H }, events: [created(mon('10:00'))], want: want(null, null, mon('18:00')) },
    { name: 'next response only', targets: { nextResponse: 2 * H }, events: waiting, want: want(null, mon('14:00'), null) },
    { name: 'no next response (medium: 40h from Mon 10:00)', targets: MEDIUM, events: waiting, want: want(null, null, '2026-02-04T02:00Z') },
  ])('$name', ({ targets, events, want: expected }) => {
    expect(dues(run(events, policy(targets)))).toEqual(expected);
  });
});

describe('advanceSla in business hours (Mon–Fri 09–17 Amsterdam)', () => {
  it.each([
    {
      name: 'first response 8h from Fri 16:00: Fri 1h + Mon 7h → Mon 16:00',
      targets: { firstResponse: 8 * H },
      events: [created('2026-02-06T16:00+01:00')],
      want: want('2026-02-09T16:00+01:00', null, null),
    },
    {
      name: 'first response 8h from a Saturday: all of Monday',
      targets: { firstResponse: 8 * H },
      events: [created('2026-02-07T10:00+01:00')],
      want: want('2026-02-09T17:00+01:00', null, null),
    },
    {
      name: 'first response 8h from Thu 24 Dec 16:00: Christmas Day and the weekend closed',
      targets: { firstResponse: 8 * H },
      events: [created('2026-12-24T16:00+01:00')],
      want: want('2026-12-28T16:00+01:00', null, null),
    },
    {
      name: 'next response 2h from Fri 16:30 → Mon 10:30',
      targets: { nextResponse: 2 * H },
      events: [created('2026-02-06T09:00+01:00'), agent('2026-02-06T10:00+01:00'), customer('2026-02-06T16:30+01:00')],
      want: want(null, '2026-02-09T10:30+01:00', null),
    },
    {
      name: 'resolution 16h from Fri 15:00, paused Mon 10:00 (3h ran) → Wed 12:00: 13h left → Thu 17:00',
      targets: { resolution: 16 * H },
      events: [created('2026-02-06T15:00+01:00'), status('answered', '2026-02-09T10:00+01:00'), status('open', '2026-02-11T12:00+01:00')],
      want: want(null, null, '2026-02-12T17:00+01:00'),
    },
  ])('$name', ({ targets, events, want: expected }) => {
    expect(dues(run(events, policy(targets, OFFICE)))).toEqual(expected);
  });

  it('counts the paused stretch in business time (Fri 15:00 → Mon 10:00 is 3h)', () => {
    const state = run([created('2026-02-06T15:00+01:00'), status('answered', '2026-02-09T10:00+01:00')], policy({ resolution: 16 * H }, OFFICE));
    expect(state.resolutionElapsedMs).toBe(3 * H);
  });
});

describe('advanceSla recompute: a new policy moves due times from the same anchors', () => {
  const office = (targets: SlaTargets) => policy(targets, OFFICE);
  const createdMon = [created('2026-02-02T10:00+01:00')];
  const pausedAndBack = [...createdMon, status('answered', '2026-02-02T14:00+01:00'), status('open', '2026-02-03T10:00+01:00')];

  it.each([
    { name: 'medium as created', events: createdMon, from: MEDIUM, to: MEDIUM, want: want('2026-02-03T10:00+01:00', null, '2026-02-09T10:00+01:00') },
    { name: 'raised to urgent: from creation, 1h and 8h', events: createdMon, from: MEDIUM, to: URGENT, want: want('2026-02-02T11:00+01:00', null, '2026-02-03T10:00+01:00') },
    {
      name: 'medium after a pause: 4h ran, the rest (36h) from Tue 10:00',
      events: pausedAndBack,
      from: MEDIUM,
      to: MEDIUM,
      want: want('2026-02-03T10:00+01:00', null, '2026-02-09T14:00+01:00'),
    },
    { name: 'raised to urgent after a pause: 8h − 4h from Tue 10:00', events: pausedAndBack, from: MEDIUM, to: URGENT, want: want('2026-02-02T11:00+01:00', null, '2026-02-03T14:00+01:00') },
    { name: 'lowered below the time already run: due at the resume', events: pausedAndBack, from: MEDIUM, to: { resolution: 2 * H }, want: want(null, null, '2026-02-03T10:00+01:00') },
    { name: 'a policy without targets: nothing due', events: pausedAndBack, from: MEDIUM, to: {}, want: want(null, null, null) },
  ])('$name', ({ events, from, to, want: expected }) => {
    const state = run(events, office(from));
    expect(dues(advanceSla(state, RECOMPUTE, office(to)))).toEqual(expected);
  });

  it('moves next response from the customer reply it waits on', () => {
    const state = run([created(mon('10:00')), agent(mon('10:30')), customer(mon('12:00'))], policy(URGENT));
    expect(dues(advanceSla(state, RECOMPUTE, policy({ ...URGENT, nextResponse: 4 * H })))).toEqual(want(null, mon('16:00'), mon('18:00')));
  });

  it('leaves a paused resolution clock paused', () => {
    const state = run([created(mon('10:00')), status('answered', mon('12:00'))], policy(MEDIUM));
    expect(advanceSla(state, RECOMPUTE, policy(URGENT)).resolutionDueAt).toBeNull();
  });

  it('is idempotent under the same policy, and does not touch its input', () => {
    const state = Object.freeze(run([created(mon('10:00')), agent(mon('10:30')), customer(mon('12:00'))], policy(URGENT)));
    expect(advanceSla(state, RECOMPUTE, policy(URGENT))).toEqual(state);
  });
});

describe('dueTimes', () => {
  const d = (hhmm: string | null) => (hhmm === null ? null : at(mon(hhmm)));
  const s = (first: string | null, next: string | null, resolution: string | null) => ({
    firstResponseDueAt: d(first),
    nextResponseDueAt: d(next),
    resolutionDueAt: d(resolution),
  });
  it.each([
    { name: 'all three, in order', state: s('11:00', '14:00', '18:00'), want: ['first_response', 'next_response', 'resolution'] },
    { name: 'only those set', state: s(null, '14:00', null), want: ['next_response'] },
    { name: 'none', state: s(null, null, null), want: [] },
  ])('$name', ({ state, want: metrics }) => {
    const out = dueTimes(state);
    expect(out.map((x) => x.metric)).toEqual(metrics);
    for (const { metric, dueAt } of out) {
      const key = ({ first_response: 'firstResponseDueAt', next_response: 'nextResponseDueAt', resolution: 'resolutionDueAt' } as const)[metric];
      expect(dueAt).toBe(state[key]);
    }
  });
});

describe('slaAlert (due 12:00, warn 30 min ahead)', () => {
  const DUE = at(mon('12:00'));
  it.each([
    { now: mon('13:00'), warn: 30 * MIN, want: 'breach', why: 'past due' },
    { now: mon('12:00:00.001'), warn: 30 * MIN, want: 'breach', why: 'a millisecond late' },
    { now: mon('12:00'), warn: 30 * MIN, want: 'breach', why: 'exactly at due' },
    { now: mon('11:59:59.999'), warn: 30 * MIN, want: 'warning', why: 'a millisecond early' },
    { now: mon('11:30'), warn: 30 * MIN, want: 'warning', why: 'exactly warnBefore ahead' },
    { now: mon('11:29:59.999'), warn: 30 * MIN, want: null, why: 'just before the warning window' },
    { now: mon('08:00'), warn: 30 * MIN, want: null, why: 'well ahead' },
    { now: mon('11:59:59.999'), warn: 0, want: null, why: 'no warning window' },
    { now: mon('12:00'), warn: 0, want: 'breach', why: 'no warning window, at due' },
  ] as const)('now $now, warn $warn ms → $want ($why)', ({ now, warn, want: expected }) => {
    expect(slaAlert(DUE, at(now), warn)).toBe(expected);
  });
});
