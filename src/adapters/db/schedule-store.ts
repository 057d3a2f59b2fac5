import { and, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { IngestTx, ScheduleStore } from '../../usecases/ports.js';
import { toAppError, type Db } from './client.js';
import { contacts, slaNotices, tickets } from './schema.js';
import { slaColumns } from './sla-columns.js';
import type { Tx } from './tx.js';

/** The scheduled jobs' reads: each one an index range over what is due, never a scan of all tickets. */
export function createScheduleStore(db: Db): ScheduleStore {
  return {
    async dueSlaTickets(now, horizon, limit) {
      try {
        const rows = await db.execute<{ ticket_id: string; metric: string; due_at: Date }>(sql`
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
          limit ${limit}`);
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
          .where(and(eq(tickets.status, 'postponed'), lte(tickets.postponedUntil, now)))
          .limit(limit);
        return rows.map((r) => r.id);
      } catch (err) {
        throw toAppError(err, 'finding postponed tickets to wake');
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

/** The schedulers' conditional updates, inside a ticket transaction. */
export function scheduleTx(tx: Tx): Pick<IngestTx, 'claimSlaNotice' | 'closeIdle' | 'markCloseWarned' | 'wakePostponed' | 'requester'> {
  return {
    async claimSlaNotice(ticketId, metric, dueAt, kind, target, now) {
      const rows = await tx
        .insert(slaNotices)
        .values({ ticketId, metric, dueAt, kind, target, sentAt: now })
        .onConflictDoNothing()
        .returning({ ticketId: slaNotices.ticketId });
      return rows.length > 0;
    },

    async closeIdle(ticketId, statuses, seenActivity, sla, now) {
      const rows = await tx
        .update(tickets)
        .set({ status: 'closed', closedAt: now, updatedAt: now, postponedUntil: null, ...slaColumns(sla) })
        .where(and(eq(tickets.id, ticketId), inArray(tickets.status, [...statuses]), eq(tickets.lastActivityAt, seenActivity)))
        .returning({ id: tickets.id });
      return rows.length > 0;
    },

    async markCloseWarned(ticketId, statuses, seenActivity, now) {
      const rows = await tx
        .update(tickets)
        .set({ autoCloseWarnedAt: now })
        .where(
          and(
            eq(tickets.id, ticketId),
            inArray(tickets.status, [...statuses]),
            eq(tickets.lastActivityAt, seenActivity),
            or(isNull(tickets.autoCloseWarnedAt), sql`${tickets.autoCloseWarnedAt} < ${tickets.lastActivityAt}`),
          ),
        )
        .returning({ id: tickets.id });
      return rows.length > 0;
    },

    async wakePostponed(ticketId, sla, now) {
      const rows = await tx
        .update(tickets)
        .set({ status: 'open', postponedUntil: null, updatedAt: now, lastActivityAt: now, ...slaColumns(sla) })
        .where(and(eq(tickets.id, ticketId), eq(tickets.status, 'postponed'), lte(tickets.postponedUntil, now)))
        .returning({ id: tickets.id });
      return rows.length > 0;
    },

    async requester(ticketId) {
      const [row] = await tx
        .select({ address: contacts.email, name: contacts.name })
        .from(tickets)
        .innerJoin(contacts, eq(contacts.id, tickets.requesterId))
        .where(eq(tickets.id, ticketId));
      return row!;
    },
  };
}
