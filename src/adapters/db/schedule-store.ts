import { and, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { ScheduleStore } from '../../usecases/ports.js';
import { toAppError, type Db } from './client.js';
import { settings, slaNotices, tickets } from './schema.js';
import { ticketColumns, toTicket } from './ticket-columns.js';
import { slaColumns } from './sla-columns.js';

/**
 * Tickets with a due time up to `horizon` whose notice is not out yet: three
 * range scans on the partial due-time indexes, so the cost follows what is
 * due, not the number of tickets. Exported for the query-plan test.
 */
export function dueSlaQuery(nowDate: Date, horizonDate: Date, limit: number) {
  // Raw SQL parameters go to the driver as they are: pass instants as timestamptz text.
  const now = sql`${nowDate.toISOString()}::timestamptz`;
  const horizon = sql`${horizonDate.toISOString()}::timestamptz`;
  return sql`
    with due as (
      select id, 'first_response' as metric, first_response_due_at as due_at from ${tickets} where first_response_due_at <= ${horizon}
      union all
      select id, 'next_response', next_response_due_at from ${tickets} where next_response_due_at <= ${horizon}
      union all
      select id, 'resolution', resolution_due_at from ${tickets} where resolution_due_at <= ${horizon}
    )
    select d.id as ticket_id, d.metric, d.due_at from due d
    where not exists (
      select 1 from ${slaNotices} n
      where n.ticket_id = d.id and n.metric = d.metric and n.due_at = d.due_at and n.target = '*'
        and n.kind = case when d.due_at <= ${now} then 'breach' else 'warning' end)
    order by d.due_at
    limit ${limit}`;
}

/** The scheduled jobs' reads: each one an index range over what is due, never a scan of all tickets. */
export function createScheduleStore(db: Db): ScheduleStore {
  return {
    async dueSlaTickets(now, horizon, limit) {
      try {
        const rows = await db.execute<{ ticket_id: string; metric: string; due_at: Date }>(dueSlaQuery(now, horizon, limit));
        return rows.map((r) => ({ ticketId: Number(r.ticket_id), metric: r.metric as never, dueAt: new Date(r.due_at) }));
      } catch (err) {
        throw toAppError(err, 'finding tickets due for an SLA notice');
      }
    },

    async postponedDue(now, limit) {
      try {
        const rows = await db
          .select({ id: tickets.id })
          .from(tickets)
          .where(and(eq(tickets.status, 'postponed'), lte(tickets.postponedUntil, now), isNull(tickets.deletedAt), isNull(tickets.mergedIntoId)))
          .limit(limit);
        return rows.map((r) => r.id);
      } catch (err) {
        throw toAppError(err, 'finding postponed tickets to wake');
      }
    },

    async clockedTickets(afterId, limit) {
      try {
        const rows = await db
          .select(ticketColumns)
          .from(tickets)
          .where(and(gt(tickets.id, afterId), eq(tickets.slaStopped, false)))
          .orderBy(tickets.id)
          .limit(limit);
        return rows.map(toTicket);
      } catch (err) {
        throw toAppError(err, 'reading tickets to recompute');
      }
    },

    async saveSla(ticketId, sla, seenActivity) {
      try {
        await db.update(tickets).set(slaColumns(sla)).where(and(eq(tickets.id, ticketId), sameInstant(seenActivity)));
      } catch (err) {
        throw toAppError(err, `saving due times of ticket ${ticketId}`);
      }
    },

    async setting(key) {
      try {
        const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
        return row?.value ?? null;
      } catch (err) {
        throw toAppError(err, `reading setting ${key}`);
      }
    },

    async saveSetting(key, value) {
      try {
        await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
      } catch (err) {
        throw toAppError(err, `saving setting ${key}`);
      }
    },

    async idleTickets(statuses, before, unwarnedOnly, limit) {
      try {
        const rows = await db
          .select({ ticketId: tickets.id, lastActivityAt: tickets.lastActivityAt })
          .from(tickets)
          .where(
            and(
              inArray(tickets.status, [...statuses]),
              lte(tickets.lastActivityAt, before),
              // Deleted and merged tickets are left alone: left in, a pile of them would fill every batch.
              isNull(tickets.deletedAt),
              isNull(tickets.mergedIntoId),
              unwarnedOnly ? or(isNull(tickets.autoCloseWarnedAt), sql`${tickets.autoCloseWarnedAt} < ${tickets.lastActivityAt}`) : undefined,
            ),
          )
          .orderBy(tickets.lastActivityAt)
          .limit(limit);
        return rows;
      } catch (err) {
        throw toAppError(err, 'finding idle tickets');
      }
    },
  };
}

/** Postgres keeps microseconds, JavaScript milliseconds: "unchanged since the scan" compares at millisecond precision. */
function sameInstant(seen: Date) {
  return sql`date_trunc('milliseconds', ${tickets.lastActivityAt}) = ${seen.toISOString()}::timestamptz`;
}
