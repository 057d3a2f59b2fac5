import { sql } from 'drizzle-orm';
import type { StoredCounts } from '../../telemetry.js';
import type { Db } from './client.js';

/** Tickets by status, outgoing mail by delivery state, and the quarantine's size: one round trip. */
export async function storedCounts(db: Db): Promise<StoredCounts> {
  const rows = await db.execute<{ what: string; key: string; n: string }>(sql`
    select 'ticket' as what, status::text as key, count(*)::text as n from tickets group by status
    union all
    select 'outbox', delivery_state::text, count(*)::text from messages where delivery_state is not null group by delivery_state
    union all
    select 'quarantine', '', count(*)::text from quarantine`);
  const ticketsByStatus: Record<string, number> = {};
  const outboxByStatus: Record<string, number> = {};
  let quarantined = 0;
  for (const row of rows) {
    if (row.what === 'ticket') ticketsByStatus[row.key] = Number(row.n);
    else if (row.what === 'outbox') outboxByStatus[row.key] = Number(row.n);
    else quarantined = Number(row.n);
  }
  return { ticketsByStatus, outboxByStatus, quarantined };
}
