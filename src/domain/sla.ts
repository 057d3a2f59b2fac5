import { addBusinessTime, businessTimeBetween, type BusinessCalendar } from './business-time.js';
import type { TicketStatus } from './ticket.js';

/** SLA targets of one policy, in business milliseconds. */
export interface SlaTargets {
  readonly firstResponse?: number;
  readonly nextResponse?: number;
  readonly resolution?: number;
}

export interface SlaPolicy {
  readonly targets: SlaTargets;
  readonly calendar: BusinessCalendar;
  /** Statuses in which the resolution clock stands still (waiting on the customer). */
  readonly pauseOn: ReadonlySet<TicketStatus>;
}

/** The SLA clock of one ticket, as stored on it. */
export interface SlaState {
  readonly createdAt: Date;
  readonly firstRespondedAt: Date | null;
  /** Since when a customer reply waits for an agent (the next-response clock), after the first response. */
  readonly waitingSince: Date | null;
  /** Business time the resolution clock ran before `resolutionRunningSince`. */
  readonly resolutionElapsedMs: number;
  /** Null while the resolution clock stands (paused or stopped). */
  readonly resolutionRunningSince: Date | null;
  /** The ticket is resolved, closed or spam: no clock runs. */
  readonly stopped: boolean;
  readonly firstResponseDueAt: Date | null;
  readonly nextResponseDueAt: Date | null;
  readonly resolutionDueAt: Date | null;
}

/** What moves the clock. `status` is the ticket's status after the change. */
export type SlaEvent =
  | { readonly type: 'created'; readonly at: Date }
  | { readonly type: 'agent_replied'; readonly at: Date }
  | { readonly type: 'customer_replied'; readonly at: Date }
  | { readonly type: 'status'; readonly status: TicketStatus; readonly at: Date }
  /** The policy changed (priority, department, config): due times again from the same anchors. */
  | { readonly type: 'recompute' };

const STOPPED: ReadonlySet<TicketStatus> = new Set(['resolved', 'closed', 'spam']);

/** A fresh clock for a ticket created at `at` (before any policy applies). */
export function newSlaState(at: Date): SlaState {
  return {
    createdAt: at,
    firstRespondedAt: null,
    waitingSince: null,
    resolutionElapsedMs: 0,
    resolutionRunningSince: at,
    stopped: false,
    firstResponseDueAt: null,
    nextResponseDueAt: null,
    resolutionDueAt: null,
  };
}

/**
 * Moves a ticket's SLA clock. First response is due `firstResponse` business
 * time after creation until an agent answers; next response `nextResponse`
 * after each customer reply that waits for an agent; resolution counts only
 * while the ticket is neither paused (`pauseOn`) nor stopped (resolved,
 * closed, spam). Pure.
 */
export function advanceSla(state: SlaState, event: SlaEvent, policy: SlaPolicy): SlaState {
  const next = move(state, event, policy);
  return withDueTimes(next, policy);
}

function move(state: SlaState, event: SlaEvent, policy: SlaPolicy): SlaState {
  switch (event.type) {
    case 'created':
      return newSlaState(event.at);
    case 'agent_replied':
      return { ...state, firstRespondedAt: state.firstRespondedAt ?? event.at, waitingSince: null };
    case 'customer_replied':
      // A stopped ticket (spam, or resolved/closed not reopened) starts no clock.
      return state.firstRespondedAt && !state.waitingSince && !state.stopped ? { ...state, waitingSince: event.at } : state;
    case 'status': {
      const stopped = STOPPED.has(event.status);
      const runs = !stopped && !policy.pauseOn.has(event.status);
      const base = { ...state, stopped, ...(stopped ? { waitingSince: null } : {}) };
      if (runs && !state.resolutionRunningSince) return { ...base, resolutionRunningSince: event.at };
      if (!runs && state.resolutionRunningSince) {
        const ran = businessTimeBetween(state.resolutionRunningSince, event.at, policy.calendar);
        return { ...base, resolutionElapsedMs: state.resolutionElapsedMs + Math.max(0, ran), resolutionRunningSince: null };
      }
      return base;
    }
    case 'recompute':
      return state;
  }
}

function withDueTimes(state: SlaState, policy: SlaPolicy): SlaState {
  const { targets, calendar } = policy;
  const due = (from: Date | null, ms: number | undefined) => (from && ms !== undefined ? addBusinessTime(from, ms, calendar) : null);
  const open = state.resolutionRunningSince !== null;
  return {
    ...state,
    firstResponseDueAt: state.firstRespondedAt || state.stopped ? null : due(state.createdAt, targets.firstResponse),
    nextResponseDueAt: due(state.waitingSince, targets.nextResponse),
    resolutionDueAt:
      open && targets.resolution !== undefined
        ? addBusinessTime(state.resolutionRunningSince!, Math.max(0, targets.resolution - state.resolutionElapsedMs), calendar)
        : null,
  };
}

export type SlaMetric = 'first_response' | 'next_response' | 'resolution';

/** The due times of a ticket's clock, by metric, that are set. */
export function dueTimes(state: Pick<SlaState, 'firstResponseDueAt' | 'nextResponseDueAt' | 'resolutionDueAt'>): { metric: SlaMetric; dueAt: Date }[] {
  const out: { metric: SlaMetric; dueAt: Date }[] = [];
  if (state.firstResponseDueAt) out.push({ metric: 'first_response', dueAt: state.firstResponseDueAt });
  if (state.nextResponseDueAt) out.push({ metric: 'next_response', dueAt: state.nextResponseDueAt });
  if (state.resolutionDueAt) out.push({ metric: 'resolution', dueAt: state.resolutionDueAt });
  return out;
}

/** Whether a due time calls for a warning or a breach notice now. Pure. */
export function slaAlert(dueAt: Date, now: Date, warnBeforeMs: number): 'breach' | 'warning' | null {
  if (dueAt.getTime() <= now.getTime()) return 'breach';
  if (dueAt.getTime() - warnBeforeMs <= now.getTime()) return 'warning';
  return null;
}
