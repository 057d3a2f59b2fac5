import { resolveTokenKey } from '../adapters/db/settings.js';
import { createStore } from '../adapters/db/store.js';
import { composeMail } from '../adapters/smtp/compose.js';
import type { Priority, TicketStatus } from '../domain/ticket.js';
import { loadConfigOrThrow, readEnvironment } from '../environment.js';
import { createLogger } from '../logging.js';
import { changeTicket, type TicketChanges } from '../usecases/change-ticket.js';
import { withDatabase } from './database.js';

/** `helpdesk tickets set N`: the change an agent's commands would make, recorded as events by "cli". */
export async function runTicketsSet(number: number, opts: { priority?: Priority; status?: TicketStatus; assign?: string; config?: string }): Promise<void> {
  await runChange(number, opts.config, {
    priority: opts.priority,
    status: opts.status,
    assignee: opts.assign === undefined ? undefined : opts.assign === 'none' ? null : opts.assign,
  });
}

/** `helpdesk tickets delete N`: soft-delete (hidden from lists; purged after `retention.deleted`). */
export async function runTicketsDelete(number: number, opts: { config?: string }): Promise<void> {
  await runChange(number, opts.config, { delete: true });
}

/** `helpdesk tickets merge A B`: A into B, which keeps both threads. */
export async function runTicketsMerge(from: number, into: number, opts: { config?: string }): Promise<void> {
  await runChange(from, opts.config, { mergeInto: into });
}

/**
 * One change to one ticket, with the mail it causes written to the outbox:
 * the running daemon's reconciler sends it (within `outbound.reconcileEvery`).
 */
async function runChange(number: number, configFile: string | undefined, changes: TicketChanges): Promise<void> {
  const environment = readEnvironment(configFile);
  const config = await loadConfigOrThrow(environment);
  await withDatabase(async (db) => {
    const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
    const tokenKey = await resolveTokenKey(environment, { db }, log, false);
    const result = await changeTicket({ store: createStore(db), config, now: () => new Date(), log, compose: composeMail, tokenKey }, number, changes);
    if (!result.ok) {
      console.error(result.reason);
      process.exitCode = 1;
      return;
    }
    console.log(result.events.length > 0 ? `#${number}: ${result.events.join(', ')}` : `#${number}: nothing to change`);
  });
}
