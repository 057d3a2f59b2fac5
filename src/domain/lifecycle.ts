import type { TicketStatus } from './ticket.js';

/** What can happen to a ticket (docs/lifecycle.md). */
export type LifecycleEvent =
  | { readonly type: 'customer_message' }
  | { readonly type: 'agent_reply_queued' }
  | { readonly type: 'agent_set_status'; readonly status: TicketStatus }
  | { readonly type: 'idle_timeout' }
  | { readonly type: 'postpone_due' };

type TableEvent = Exclude<LifecycleEvent['type'], 'agent_set_status'>;

/** `keep`: no change; `reopen`: closed ticket, reopened inside the window or replaced by a linked one. */
type Cell = TicketStatus | 'keep' | 'reopen';

/**
 * The lifecycle table, row per event, column per current status.
 * `agent_set_status` is not a row: an agent's `#status X` always yields X.
 */
const TABLE: Readonly<Record<TableEvent, Readonly<Record<TicketStatus, Cell>>>> = {
  //                   new         open        answered    postponed   resolved    closed      spam
  customer_message:   { new: 'new', open: 'open', answered: 'open', postponed: 'open', resolved: 'open', closed: 'reopen', spam: 'spam' },
  agent_reply_queued: { new: 'answered', open: 'answered', answered: 'answered', postponed: 'answered', resolved: 'answered', closed: 'answered', spam: 'keep' },
  idle_timeout:       { new: 'keep', open: 'keep', answered: 'closed', postponed: 'keep', resolved: 'closed', closed: 'keep', spam: 'keep' },
  postpone_due:       { new: 'keep', open: 'keep', answered: 'keep', postponed: 'open', resolved: 'keep', closed: 'keep', spam: 'keep' },
};

/** The statuses a row of the table moves (e.g. `idle_timeout`: the ones auto-close may close). */
export function statusesMovedBy(event: TableEvent): TicketStatus[] {
  return (Object.entries(TABLE[event]) as [TicketStatus, Cell][]).filter(([status, cell]) => cell !== 'keep' && cell !== status).map(([status]) => status);
}

export interface LifecycleContext {
  readonly now: Date;
  /** When the ticket was closed; null if unknown (then it counts as just closed). */
  readonly closedAt: Date | null;
  readonly reopenWindowMs: number;
}

/** The change to a ticket's status, and the events that record it. */
export type Transition =
  | { readonly kind: 'unchanged'; readonly status: TicketStatus }
  | {
      readonly kind: 'changed';
      readonly from: TicketStatus;
      readonly to: TicketStatus;
      /** A closed ticket opened again by a customer inside the reopen window. */
      readonly reopened: boolean;
    }
  /** The ticket was closed longer than the reopen window: the message starts a new ticket linked to it. */
  | { readonly kind: 'new_linked_ticket'; readonly closedTicketStatus: TicketStatus };

/** Decides a ticket's next status. Pure: everything it needs is in its arguments. */
export function decideTransition(status: TicketStatus, event: LifecycleEvent, ctx: LifecycleContext): Transition {
  const cell: Cell = event.type === 'agent_set_status' ? event.status : TABLE[event.type][status];
  if (cell === 'keep' || cell === status) return { kind: 'unchanged', status };
  if (cell === 'reopen') {
    const closedFor = ctx.closedAt ? ctx.now.getTime() - ctx.closedAt.getTime() : 0;
    return closedFor <= ctx.reopenWindowMs
      ? { kind: 'changed', from: status, to: 'open', reopened: true }
      : { kind: 'new_linked_ticket', closedTicketStatus: status };
  }
  return { kind: 'changed', from: status, to: cell, reopened: false };
}
