import { sql } from 'drizzle-orm';
import type { Store, UnitOfWork } from '../../usecases/ports.js';
import { toAppError, type Db } from './client.js';
import { automatedMailCounters, slaNoticeLedger } from './automated-mail-counters.js';
import { messageLog } from './message-log.js';
import { ticketRepository } from './ticket-repository.js';
import { textArray } from './message-keys.js';
import type { Queryable } from './tx.js';

/** The Postgres store: one transaction per change, serialised per message by an advisory lock. */
export function createStore(db: Db): Store {
  return {
    async transaction(keys, work) {
      // Several keys are taken in one statement, in sorted order: two transactions never wait on each other in a circle.
      const sorted = [...new Set(typeof keys === 'string' ? [keys] : keys)].sort();
      try {
        return await db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${textArray(sorted)}::text[]) as k`);
          return work(unitOfWork(tx, true));
        });
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

function unitOfWork(tx: Queryable, writable: boolean): UnitOfWork {
  return { tickets: ticketRepository(tx, writable), messages: messageLog(tx), counters: automatedMailCounters(tx), slaNotices: slaNoticeLedger(tx) };
}
