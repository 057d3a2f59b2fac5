import { decide, type TicketChange } from '../domain/decide.js';
import type { Config } from '../config/schema.js';
import { carryOut } from './effects.js';
import { pendingMail } from './outbound-mail.js';
import type { ComposeMail, Logger, OutboxQueue, ScheduleStore, Store, UnitOfWork } from './ports.js';
import { runChange, saveChange } from './save-change.js';
import { ticketPolicy } from './sla-policy.js';

/** What the scheduled jobs need. */
export interface ScheduleDeps {
  readonly store: Store;
  readonly schedule: ScheduleStore;
  readonly config: () => Config;
  readonly now: () => Date;
  readonly compose: ComposeMail;
  readonly tokenKey: Buffer;
  readonly outbox: OutboxQueue;
  readonly log: Logger;
}

/** How many due tickets one run of a job takes on; the rest wait for its next run. */
export const BATCH = 500;

/**
 * A scheduled change to one ticket: load, decide, carry out, save — decided
 * again if the ticket changed meanwhile, so a scan's stale view never
 * overwrites anything (I4). `guard` runs first in the same transaction (e.g.
 * claiming an SLA notice); false skips the change. The ticket's number when it
 * changed the ticket (for the logs: people know tickets by number), else null.
 */
export async function changeScheduled(deps: ScheduleDeps, ticketId: number, change: TicketChange, guard?: (uow: UnitOfWork) => Promise<boolean>): Promise<number | null> {
  const result = await runChange(deps, `ticket:${ticketId}`, async (uow) => {
    if (guard && !(await guard(uow))) return { changed: null, outboxIds: [] };
    const config = deps.config();
    const now = deps.now();
    const ticket = await uow.tickets.load(ticketId);
    const decision = decide(ticket, change, ticketPolicy(config), now);
    if (decision.events.length === 0) return { changed: null, outboxIds: [] };
    const pending = pendingMail();
    const skipped = await carryOut({ uow, config, now, deps, pending }, decision);
    const saved = await saveChange(uow, { before: ticket, decision, extraEvents: skipped, pending, now });
    return { changed: ticket.number, outboxIds: saved.outboxIds };
  });
  return result.changed;
}
