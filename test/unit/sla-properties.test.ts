import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, buildCalendar } from '../../src/domain/business-time.js';
import { advanceSla, newSlaState } from '../../src/domain/sla.js';
import type { SlaEvent, SlaPolicy, SlaState } from '../../src/domain/sla.js';
import { TICKET_STATUSES } from '../../src/domain/ticket.js';
import type { TicketStatus } from '../../src/domain/ticket.js';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const STOPPED: readonly TicketStatus[] = ['resolved', 'closed', 'spam'];

const CALENDARS = {
  always: ALWAYS_OPEN,
  office: buildCalendar({
    timezone: 'Europe/Amsterdam',
    hours: { mon: '09:00-17:00', tue: '09:00-17:00', wed: '09:00-17:00', thu: '09:00-17:00', fri: '09:00-17:00' },
    holidays: ['2026-03-30', '2026-12-25', '2027-01-01'],
  }),
  nights: buildCalendar({ timezone: 'America/New_York', hours: { sun: '22:00-06:00', mon: ['08:00-12:00', '22:00-06:00'], wed: '00:00-24:00' }, holidays: ['2026-11-02'] }),
} as const;

const targetArb = fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 16 * H })), { nil: undefined });
const policyArb = fc
  .record({
    calendar: fc.constantFrom(...(Object.keys(CALENDARS) as (keyof typeof CALENDARS)[])),
    firstResponse: targetArb,
    nextResponse: targetArb,
    resolution: targetArb,
    pauseOn: fc.subarray([...TICKET_STATUSES]),
  })
  .map(({ calendar, pauseOn, ...targets }): SlaPolicy => ({ targets, calendar: CALENDARS[calendar], pauseOn: new Set(pauseOn) }));

type Step = { kind: 'agent_replied' | 'customer_replied' | 'status' | 'recompute'; status: TicketStatus; gapMs: number; policy: 0 | 1 };
const stepArb = (statuses: readonly TicketStatus[]) =>
  fc.record({
    kind: fc.constantFrom('agent_replied', 'customer_replied', 'status', 'status', 'recompute') as fc.Arbitrary<Step['kind']>,
    status: fc.constantFrom(...statuses),
    gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 0, max: 12 * 4 }).map((q) => q * 15 * MIN)),
    policy: fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>,
  });
/** Creation in 2026–2027 (near the Amsterdam spring change, sometimes). */
const createdArb = fc
  .oneof(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 1) }), fc.integer({ min: Date.parse('2026-03-26T00:00Z'), max: Date.parse('2026-03-30T00:00Z') }))
  .map((t) => new Date(Math.floor(t / MIN) * MIN));

/** Events at non-decreasing times after `created`. */
function toEvents(createdAt: Date, steps: readonly Step[]): { event: SlaEvent; policy: 0 | 1 }[] {
  let t = createdAt.getTime();
  return steps.map((s) => {
    t += s.gapMs;
    const at = new Date(t);
    const event: SlaEvent = s.kind === 'status' ? { type: 'status', status: s.status, at } : s.kind === 'recompute' ? { type: 'recompute' } : { type: s.kind, at };
    return { event, policy: s.policy };
  });
}

const RUNS = { numRuns: 100 };
const ge = (due: Date | null, start: Date | null) => due === null || (start !== null && due.getTime() >= start.getTime());

describe('properties of the SLA clock', () => {
  it('a due time is null or no earlier than the start of the clock it belongs to (policies may change between events)', () => {
    fc.assert(
      fc.property(createdArb, fc.tuple(policyArb, policyArb), fc.array(stepArb(TICKET_STATUSES), { maxLength: 8 }), (createdAt, policies, steps) => {
        let state: SlaState = advanceSla(newSlaState(createdAt), { type: 'created', at: createdAt }, policies[0]);
        /** The model: when each clock last started, from the events alone. */
        let answered = false;
        let waitingFrom: Date | null = null;
        let running = true;
        let runningFrom: Date | null = createdAt;
        for (const { event, policy: i } of toEvents(createdAt, steps)) {
          const policy = policies[i];
          state = advanceSla(state, event, policy);
          if (event.type === 'agent_replied') [answered, waitingFrom] = [true, null];
          if (event.type === 'customer_replied' && answered) waitingFrom ??= event.at;
          if (event.type === 'status') {
            const runs = !STOPPED.includes(event.status) && !policy.pauseOn.has(event.status);
            if (runs && !running) runningFrom = event.at;
            running = runs;
          }
          expect(ge(state.firstResponseDueAt, createdAt)).toBe(true);
          expect(ge(state.nextResponseDueAt, waitingFrom)).toBe(true);
          expect(ge(state.resolutionDueAt, running ? runningFrom : null)).toBe(true);
          if (answered) expect(state.firstResponseDueAt).toBeNull();
          if (running && policy.targets.resolution !== undefined) expect(state.resolutionDueAt).not.toBeNull();
        }
      }),
      RUNS,
    );
  });

  it('with pauseOn empty, resolution due never changes on status changes between new, open and answered', () => {
    fc.assert(
      fc.property(createdArb, policyArb, fc.array(stepArb(['new', 'open', 'answered']), { maxLength: 8 }), (createdAt, p, steps) => {
        const policy: SlaPolicy = { ...p, pauseOn: new Set() };
        let state = advanceSla(newSlaState(createdAt), { type: 'created', at: createdAt }, policy);
        const due = state.resolutionDueAt?.toISOString() ?? null;
        for (const { event } of toEvents(createdAt, steps)) {
          state = advanceSla(state, event, policy);
          expect(state.resolutionDueAt?.toISOString() ?? null).toBe(due);
        }
      }),
      RUNS,
    );
  });

  it('under one policy, a set due time never moves earlier (pauses only push resolution out)', () => {
    fc.assert(
      fc.property(createdArb, policyArb, fc.array(stepArb(TICKET_STATUSES), { maxLength: 8 }), (createdAt, policy, steps) => {
        let state = advanceSla(newSlaState(createdAt), { type: 'created', at: createdAt }, policy);
        let latest = state.resolutionDueAt?.getTime() ?? -Infinity;
        const first = state.firstResponseDueAt?.getTime() ?? null;
        for (const { event } of toEvents(createdAt, steps)) {
          state = advanceSla(state, event, policy);
          if (state.resolutionDueAt) {
            expect(state.resolutionDueAt.getTime()).toBeGreaterThanOrEqual(latest);
            latest = state.resolutionDueAt.getTime();
          }
          if (state.firstResponseDueAt) expect(state.firstResponseDueAt.getTime()).toBe(first);
        }
      }),
      RUNS,
    );
  });

  /* A customer reply on a stopped ticket (a spam ticket stays spam) must not start the next-response clock. */
  it('a stopped clock (resolved, closed, spam) has no due time until the ticket runs again', () => {
    fc.assert(
      fc.property(createdArb, policyArb, fc.array(stepArb(TICKET_STATUSES), { maxLength: 8 }), (createdAt, policy, steps) => {
        let state = advanceSla(newSlaState(createdAt), { type: 'created', at: createdAt }, policy);
        for (const { event } of toEvents(createdAt, steps)) {
          state = advanceSla(state, event, policy);
          if (state.stopped) {
            expect([state.firstResponseDueAt, state.nextResponseDueAt, state.resolutionDueAt]).toEqual([null, null, null]);
          }
        }
      }),
      RUNS,
    );
  });
});
