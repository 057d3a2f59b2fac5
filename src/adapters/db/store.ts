import { sql } from 'drizzle-orm';
import type { Store, UnitOfWork } from '../../usecases/ports.js';
import { toAppError, type Db } from './client.js';
import { automatedMailCounters, slaNoticeLedger } from './automated-mail-counters.js';
import { messageLog } from './message-log.js';
import { insertBlockedSender } from './sender-store.js';
import { ticketRepository } from './ticket-repository.js';
import { textArray } from './message-keys.js';
import type { Queryable } from './tx.js';

/** Ticket events a transaction saved, told after its commit (never for a transaction rolled back). */
export type CommittedEvents = (events: readonly { readonly type: string; readonly data?: unknown }[]) => void;

/** The Postgres store: one transaction per change, serialised per message by an advisory lock. */
export function createStore(db: Db, onCommit?: CommittedEvents): Store {
  return {
    async transaction(keys, work) {
      // Several keys are taken in one statement, in sorted order: two transactions never wait on each other in a circle.
      const sorted = [...new Set(typeof keys === 'string' ? [keys] : keys)].sort();
      const saved: { type: string; data?: unknown }[] = [];
      try {
        const result = await db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${textArray(sorted)}::text[]) as k`);
          return work(onCommit ? observed(unitOfWork(tx, true), saved) : unitOfWork(tx, true));
        });
        if (saved.length > 0) onCommit?.(saved);
        return result;
      } catch (err) {
        throw toAppError(err, 'storing message');
      }
    },
    async read(work) {
      try {
        return await work(unitOfWork(db, false));
      } catch (err) {
        throw toAppError(err, 'reading');
      }
    },
  };
}

/** The unit of work, noting the events every save writes. */
function observed(uow: UnitOfWork, saved: { type: string; data?: unknown }[]): UnitOfWork {
  const { tickets } = uow;
  return {
    ...uow,
    tickets: {
      ...tickets,
      async save(change) {
        const result = await tickets.save(change);
        saved.push(...change.events);
        return result;
      },
    },
  };
}

function unitOfWork(tx: Queryable, writable: boolean): UnitOfWork {
  return {
    tickets: ticketRepository(tx, writable),
    messages: messageLog(tx),
    counters: automatedMailCounters(tx),
    slaNotices: slaNoticeLedger(tx),
    senders: { block: (entry) => insertBlockedSender(tx, entry) },
  };
}
