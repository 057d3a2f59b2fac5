import { createQuarantine } from '../adapters/db/quarantine-store.js';
import { unthreadedMail } from '../adapters/db/ticket-queries.js';
import { formatQuarantine, formatUnthreaded } from '../cli-format.js';
import { withDatabase } from './database.js';

/** `helpdesk mail failed`: the quarantine, each entry kept with its source. */
export async function runMailFailed(opts: { json?: boolean }): Promise<void> {
  await withDatabase(async (db) => {
    const entries = await createQuarantine(db).list();
    if (opts.json) console.log(JSON.stringify(entries.map((e) => ({ ...e, uidValidity: String(e.uidValidity) })), null, 2));
    else console.log(formatQuarantine(entries));
  });
}

/** `helpdesk mail unthreaded`: stored mail that belongs to no ticket, newest first. */
export async function runMailUnthreaded(opts: { json?: boolean; limit: number }): Promise<void> {
  await withDatabase(async (db) => {
    const rows = await unthreadedMail(db, opts.limit);
    console.log(opts.json ? JSON.stringify(rows, null, 2) : formatUnthreaded(rows));
  });
}
