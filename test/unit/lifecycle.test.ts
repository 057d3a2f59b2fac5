import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideTransition, statusesMovedBy } from '../../src/domain/lifecycle.js';
import { problemsOf } from '../support/config-text.js';
import type { LifecycleContext, LifecycleEvent, Transition } from '../../src/domain/lifecycle.js';
import { TICKET_STATUSES } from '../../src/domain/ticket.js';
import type { TicketStatus } from '../../src/domain/ticket.js';

const DAY = 86_400_000;
const WINDOW = 30 * DAY;
const NOW = new Date('2026-03-10T12:00:00Z');
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);
/** A ticket closed yesterday: well inside the window. */
const CTX: LifecycleContext = { now: NOW, closedAt: ago(DAY), reopenWindowMs: WINDOW };

type TableEvent = Exclude<LifecycleEvent['type'], 'agent_set_status'>;
/** `—`: no change. `reopen`: open again inside the reopen window, else a new linked ticket. */
type Cell = TicketStatus | '—' | 'reopen';

const COLUMNS = ['new', 'open', 'answered', 'postponed', 'resolved', 'closed', 'spam'] as const satisfies readonly TicketStatus[];

/** DESIGN.md "Ticket lifecycle", copied cell by cell. */
const DESIGN_TABLE: Record<TableEvent, readonly Cell[]> = {
  //                   new         open        answered    postponed   resolved    closed      spam
  customer_message:   ['new',      'open',     'open',     'open',     'open',     'reopen',   'spam'],
  agent_reply_queued: ['answered', 'answered', 'answered', 'answered', 'answered', 'answered', '—'],
  idle_timeout:       ['—',        '—',        'closed',   '—',        'closed',   '—',        '—'],
  postpone_due:       ['—',        '—',        '—',        'open',     '—',        '—',        '—'],
};

function expected(status: TicketStatus, cell: Cell): Transition {
  if (cell === 'reopen') return { kind: 'changed', from: status, to: 'open', reopened: true };
  if (cell === '—' || cell === status) return { kind: 'unchanged', status };
  return { kind: 'changed', from: status, to: cell, reopened: false };
}

const tableRows = (Object.keys(DESIGN_TABLE) as TableEvent[]).flatMap((event) =>
  COLUMNS.map((status, i) => ({ event, status, cell: DESIGN_TABLE[event][i]! })),
);

describe('decideTransition: the DESIGN.md table', () => {
  it('has a column for every ticket status', () => {
    expect([...COLUMNS].sort()).toEqual([...TICKET_STATUSES].sort());
    expect(tableRows).toHaveLength(4 * 7);
  });

  it.each(tableRows)('$event on $status → $cell', ({ event, status, cell }) => {
    expect(decideTransition(status, { type: event }, CTX)).toEqual(expected(status, cell));
  });

  const statusRows = TICKET_STATUSES.flatMap((status) => TICKET_STATUSES.map((target) => ({ status, target })));

  it.each(statusRows)('agent #status $target on $status → $target', ({ status, target }) => {
    const want: Transition =
      status === target ? { kind: 'unchanged', status } : { kind: 'changed', from: status, to: target, reopened: false };
    expect(decideTransition(status, { type: 'agent_set_status', status: target }, CTX)).toEqual(want);
  });
});

describe('decideTransition: a customer writing to a closed ticket', () => {
  const customer: LifecycleEvent = { type: 'customer_message' };
  const reopened: Transition = { kind: 'changed', from: 'closed', to: 'open', reopened: true };
  const linked: Transition = { kind: 'new_linked_ticket', closedTicketStatus: 'closed' };

  it.each([
    ['closed 10 days ago', ago(10 * DAY), reopened],
    ['closed a moment ago', ago(1), reopened],
    ['closed exactly one window ago (the boundary is inside)', ago(WINDOW), reopened],
    ['closed one window and 1 ms ago', ago(WINDOW + 1), linked],
    ['closed 31 days ago', ago(31 * DAY), linked],
    ['closed a year ago', ago(365 * DAY), linked],
    ['closing time unknown (counts as just closed)', null, reopened],
  ] as const)('%s', (_name, closedAt, want) => {
    expect(decideTransition('closed', customer, { now: NOW, closedAt, reopenWindowMs: WINDOW })).toEqual(want);
  });

  it('an unknown closing time is inside even a zero-length window', () => {
    expect(decideTransition('closed', customer, { now: NOW, closedAt: null, reopenWindowMs: 0 })).toEqual(reopened);
  });

  it('the window applies to closed tickets only: a resolved ticket reopens whenever it was closed', () => {
    const ctx = { now: NOW, closedAt: ago(365 * DAY), reopenWindowMs: WINDOW };
    expect(decideTransition('resolved', customer, ctx)).toEqual({ kind: 'changed', from: 'resolved', to: 'open', reopened: false });
  });

  it('the window does not gate agents: a reply to a long-closed ticket marks it answered', () => {
    const ctx = { now: NOW, closedAt: ago(365 * DAY), reopenWindowMs: WINDOW };
    expect(decideTransition('closed', { type: 'agent_reply_queued' }, ctx)).toEqual({
      kind: 'changed',
      from: 'closed',
      to: 'answered',
      reopened: false,
    });
  });
});

describe('decideTransition: properties', () => {
  const status = fc.constantFrom(...TICKET_STATUSES);
  const event: fc.Arbitrary<LifecycleEvent> = fc.oneof(
    fc.constantFrom<LifecycleEvent>(
      { type: 'customer_message' },
      { type: 'agent_reply_queued' },
      { type: 'idle_timeout' },
      { type: 'postpone_due' },
    ),
    status.map((s): LifecycleEvent => ({ type: 'agent_set_status', status: s })),
  );
  const ctx = fc.record({
    now: fc.constant(NOW),
    closedAt: fc.option(fc.integer({ min: 0, max: 400 }).map((days) => ago(days * DAY))),
    reopenWindowMs: fc.integer({ min: 0, max: 100 }).map((days) => days * DAY),
  });

  it('a "changed" transition always changes the status, and starts from the current one', () => {
    fc.assert(
      fc.property(status, event, ctx, (s, e, c) => {
        const t = decideTransition(s, e, c);
        if (t.kind === 'changed') expect([t.from, t.to === s]).toEqual([s, false]);
        if (t.kind === 'unchanged') expect(t.status).toBe(s);
      }),
    );
  });

  it('only a customer message to a closed ticket can be reopened or start a linked ticket', () => {
    fc.assert(
      fc.property(status, event, ctx, (s, e, c) => {
        const t = decideTransition(s, e, c);
        const special = t.kind === 'new_linked_ticket' || (t.kind === 'changed' && t.reopened);
        if (special) expect([s, e.type]).toEqual(['closed', 'customer_message']);
      }),
    );
  });
});

describe('the rows the schedulers run', () => {
  it('auto-close may close exactly the statuses the idle row moves, and wake-up moves only Postponed', () => {
    expect(statusesMovedBy('idle_timeout')).toEqual(['answered', 'resolved']);
    expect(statusesMovedBy('postpone_due')).toEqual(['postponed']);
  });

  it('a config asking auto-close to close other statuses is a located problem', () => {
    const lines = ['mailboxes:', '  - { name: s, address: s@example.test, imap: { host: h, user: u } }', 'autoClose: { statuses: [answered, open] }'];
    expect(problemsOf(lines)).toEqual([expect.objectContaining({ key: 'autoClose.statuses[1]', message: 'open tickets are never closed for idleness: the lifecycle closes answered and resolved ones' })]);
  });
});
