import { sql } from 'drizzle-orm';
import { BACKLOG_AGES, BACKLOG_STATUSES } from '../../domain/report-tallies.js';
import type { StoredCounts } from '../../telemetry.js';
import type { Db } from './client.js';

/** A backlog ticket's age bucket (domain/report.ts, BACKLOG_AGES) in SQL: the first bucket its age is under. */
const BACKLOG_AGE = sql.raw(
  `case ${BACKLOG_AGES.filter((a) => Number.isFinite(a.below))
    .map((a) => `when created_at > now() - interval '${a.below / 1000} seconds' then '${a.key}'`)
    .join(' ')} else '${BACKLOG_AGES[BACKLOG_AGES.length - 1]!.key}' end`,
);

/**
 * Tickets by status, the backlog (tickets not closed, spam, deleted or merged)
 * by status and age, outgoing mail by delivery state, and the quarantine's
 * size: one round trip.
 */
export async function storedCounts(db: Db): Promise<StoredCounts> {
  const rows = await db.execute<{ what: string; key: string; n: string }>(sql`
    select 'ticket' as what, status::text as key, count(*)::text as n from tickets group by status
    union all
    select 'outbox', delivery_state::text, count(*)::text from messages where delivery_state is not null group by delivery_state
    union all
    select 'quarantine', '', count(*)::text from quarantine
    union all
    select 'backlog', status::text || ' ' || ${BACKLOG_AGE}, count(*)::text from tickets
    where status not in ('closed', 'spam') and deleted_at is null and merged_into_id is null group by 2`);
  const backlog = new Map(BACKLOG_STATUSES.flatMap((status) => BACKLOG_AGES.map((a) => [`${status} ${a.key}`, { status, age: a.key, count: 0 }])));
  const ticketsByStatus: Record<string, number> = {};
  const outboxByStatus: Record<string, number> = {};
  let quarantined = 0;
  for (const row of rows) {
    if (row.what === 'ticket') ticketsByStatus[row.key] = Number(row.n);
    else if (row.what === 'outbox') outboxByStatus[row.key] = Number(row.n);
    else if (row.what === 'quarantine') quarantined = Number(row.n);
    else if (backlog.has(row.key)) backlog.get(row.key)!.count = Number(row.n);
  }
  return { ticketsByStatus, outboxByStatus, quarantined, backlog: [...backlog.values()] };
}
