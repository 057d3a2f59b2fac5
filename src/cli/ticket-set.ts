import { createStore } from '../adapters/db/store.js';
import type { Priority, TicketStatus } from '../domain/ticket.js';
import { loadConfigOrThrow, readEnvironment } from '../environment.js';
import { createLogger } from '../logging.js';
import { changeTicket } from '../usecases/change-ticket.js';
import { withDatabase } from './database.js';

/** `helpdesk tickets set N`: the change an agent's commands would make, recorded as events by "cli". */
export async function runTicketsSet(number: number, opts: { priority?: Priority; status?: TicketStatus; assign?: string; config?: string }): Promise<void> {
  const config = await loadConfigOrThrow(readEnvironment(opts.config));
  await withDatabase(async (db) => {
    const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
    const result = await changeTicket({ store: createStore(db), config, now: () => new Date(), log }, number, {
      priority: opts.priority,
      status: opts.status,
      assignee: opts.assign === undefined ? undefined : opts.assign === 'none' ? null : opts.assign,
    });
    if (!result.ok) {
      console.error(result.reason);
      process.exitCode = 1;
      return;
    }
    console.log(result.events.length > 0 ? `#${number}: ${result.events.join(', ')}` : `#${number}: nothing to change`);
  });
}
