import type { Decision } from '../domain/decide.js';
import type { TicketEvent } from '../domain/ticket-events.js';
import { isAppError } from '../errors.js';
import type { PendingMail } from './outbound-mail.js';
import type { Logger, NewInboundMessage, OutboxQueue, Store, Ticket, UnitOfWork } from './ports.js';

/** What a use case saves: the ticket as loaded, the decision on it, and what came with it. */
export interface Change {
  readonly before: Ticket;
  readonly decision: Decision;
  /** Events of carrying the decision out (mail not sent and why). */
  readonly extraEvents?: readonly TicketEvent[];
  readonly message?: NewInboundMessage;
  /** Display names of the addresses that join, as the mail gave them. */
  readonly names?: ReadonlyMap<string, string>;
  readonly pending: PendingMail;
  readonly failedOutbound?: readonly { readonly id: number; readonly reason: string }[];
  readonly now: Date;
}

/** Saves a decided change in one save, conditional on the version loaded. Returns the outbox rows to queue. */
export async function saveChange(uow: UnitOfWork, change: Change): Promise<{ messageRowId: number | null; outboxIds: readonly number[] }> {
  const { before, decision } = change;
  const { add, remove } = decision.participants;
  return uow.tickets.save({
    now: change.now,
    ...(decision.ticket !== before ? { ticket: { before, after: decision.ticket } } : {}),
    ...(change.message ? { message: change.message } : {}),
    ...(add.length + remove.length > 0
      ? { participants: { ticketId: before.id, add: add.map((p) => ({ ...p, name: change.names?.get(p.address) ?? '' })), remove } }
      : {}),
    events: [...decision.events, ...(change.extraEvents ?? [])].map((e) => ({ ticketId: e.ticketId ?? before.id, onMessage: e.onMessage ?? false, type: e.type, actor: e.actor, data: e.data })),
    outbox: change.pending.outbox,
    automated: change.pending.automated,
    ...(change.failedOutbound ? { failedOutbound: change.failedOutbound } : {}),
  });
}

/** How often a change is decided again when its ticket keeps changing under it. */
const DECIDE_ATTEMPTS = 5;

/**
 * Runs a change in one transaction (locked on `key`s) and, when a ticket
 * changed between load and save (TICKET_CHANGED), runs it again on the
 * ticket as it is now. Outbox rows are queued after commit (I3): a queue
 * outage loses nothing, the reconciler queues rows left `queued` (so does
 * the daemon for a command line that has no queue).
 */
export async function runChange<T extends { readonly outboxIds: readonly number[] }>(
  deps: { readonly store: Store; readonly outbox?: OutboxQueue; readonly log: Logger },
  key: string | readonly string[],
  work: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let result: T;
    try {
      result = await deps.store.transaction(key, work);
    } catch (err) {
      if (!isAppError(err, 'TICKET_CHANGED') || attempt >= DECIDE_ATTEMPTS) throw err;
      deps.log.debug({ key, attempt, reason: err.message }, 'ticket changed meanwhile; deciding again');
      continue;
    }
    await enqueueAfterCommit(deps, result.outboxIds);
    return result;
  }
}

async function enqueueAfterCommit(deps: { readonly outbox?: OutboxQueue; readonly log: Logger }, ids: readonly number[]): Promise<void> {
  if (ids.length === 0 || !deps.outbox) return;
  try {
    await deps.outbox.enqueue(ids);
  } catch (err) {
    deps.log.warn({ outbox: ids, error: { message: (err as Error).message } }, 'queue unavailable; the outbox reconciler will send these');
  }
}
