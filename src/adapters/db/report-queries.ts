import { sql } from 'drizzle-orm';
import type { ReportData, ReportPeriod, ReportTicket } from '../../domain/report.js';
import type { SlaMetric } from '../../domain/sla.js';
import { isTicketStatus, type Priority } from '../../domain/ticket.js';
import { toAppError, type Db } from './client.js';

/**
 * What `helpdesk report` and `/reports` read: three set-based queries bounded
 * by the period, none per ticket. Deleted and merged tickets are left out
 * everywhere. Instants travel as epoch milliseconds (lists as text joined by
 * commas), so nothing depends on the driver's array or date parsing.
 */

const SLA_METRICS: ReadonlySet<string> = new Set<SlaMetric>(['first_response', 'next_response', 'resolution']);

interface TicketRow extends Record<string, unknown> {
  number: number;
  priority: string;
  department: string;
  assignee: string | null;
  mailbox: string;
  created_ms: number;
  agent_replies: string | null;
  customer_replies: string | null;
  resolved: string | null;
  closed: string | null;
  reopened: string | null;
  warned: string | null;
  breached: string | null;
  rating: string | null;
  rated_ms: string | null;
}

const ms = (column: string) => sql.raw(`floor(extract(epoch from ${column}) * 1000)::float8`);
const times = (list: string | null): Date[] => (list ? list.split(',').map((t) => new Date(Number(t))) : []);
const metrics = (list: string | null): SlaMetric[] => (list ? (list.split(',').filter((m) => SLA_METRICS.has(m)) as SlaMetric[]) : []);

/**
 * The tickets the period touched — created in it, or with a status change to
 * resolved or closed or a reopening in it — each with the times of its
 * replies, resolutions, closings and reopenings and its SLA alerts (any time).
 */
async function touchedTickets(db: Db, from: string, to: string): Promise<ReportTicket[]> {
  const rows = await db.execute<TicketRow>(sql`
    with touched as (
      select id from tickets where created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz
      union
      select ticket_id from events
      where created_at >= ${from}::timestamptz and created_at < ${to}::timestamptz
        and (type in ('reopened', 'satisfaction_rated') or (type = 'status_changed' and data->>'to' in ('resolved', 'closed')))
    )
    select t.number::float8 as number, t.priority::text as priority, t.department, t.assignee, t.mailbox, ${ms('t.created_at')} as created_ms,
      string_agg(e.ms, ',') filter (where e.type = 'agent_replied') as agent_replies,
      string_agg(e.ms, ',') filter (where e.type = 'customer_replied') as customer_replies,
      string_agg(e.ms, ',') filter (where e.type = 'status_changed' and e.data->>'to' = 'resolved') as resolved,
      string_agg(e.ms, ',') filter (where e.type = 'status_changed' and e.data->>'to' = 'closed') as closed,
      string_agg(e.ms, ',') filter (where e.type = 'reopened') as reopened,
      string_agg(distinct e.data->>'metric', ',') filter (where e.type = 'sla_warning') as warned,
      string_agg(distinct e.data->>'metric', ',') filter (where e.type = 'sla_breach') as breached,
      (array_agg(e.data->>'rating' order by e.ms::bigint desc) filter (where e.type = 'satisfaction_rated'))[1] as rating,
      max(e.ms::bigint) filter (where e.type = 'satisfaction_rated')::text as rated_ms
    from tickets t
    join touched on touched.id = t.id
    left join lateral (
      select e.type, e.data, ${ms('e.created_at')}::bigint::text as ms
      from events e
      where e.ticket_id = t.id
        and e.type in ('agent_replied', 'customer_replied', 'status_changed', 'reopened', 'sla_warning', 'sla_breach', 'satisfaction_rated')
    ) e on true
    where t.deleted_at is null and t.merged_into_id is null
    group by t.id`);
  return rows.map((r) => ({
    number: Number(r.number),
    priority: r.priority as Priority,
    department: r.department,
    assignee: r.assignee,
    mailbox: r.mailbox,
    createdAt: new Date(Number(r.created_ms)),
    agentReplies: times(r.agent_replies),
    customerReplies: times(r.customer_replies),
    resolvedAt: times(r.resolved),
    closedAt: times(r.closed),
    reopenedAt: times(r.reopened),
    slaWarned: metrics(r.warned),
    slaBreached: metrics(r.breached),
    rating: (r.rating === 'good' || r.rating === 'bad') && r.rated_ms ? { value: r.rating, at: new Date(Number(r.rated_ms)) } : null,
  }));
}

/** Customer mail in the period per quarter hour (each quarter at its first mail): what the busiest hours count. */
async function customerMail(db: Db, from: string, to: string): Promise<ReportData['customerMail']> {
  const rows = await db.execute<{ at_ms: number; n: number }>(sql`
    select ${ms('min(e.created_at)')} as at_ms, count(*)::float8 as n
    from events e
    join tickets t on t.id = e.ticket_id
    where e.created_at >= ${from}::timestamptz and e.created_at < ${to}::timestamptz
      and e.type in ('created', 'customer_replied') and (e.actor like 'customer:%' or e.actor = 'customer')
      and t.deleted_at is null and t.merged_into_id is null
    group by floor(extract(epoch from e.created_at) / 900)`);
  return rows.map((r) => ({ at: new Date(Number(r.at_ms)), count: Number(r.n) }));
}

/**
 * The tickets open at `to` (created before it, not closed or spam then): a
 * ticket's status at `to` is the `from` of its first status change after
 * `to`, or its status now when it has none.
 */
async function backlogAt(db: Db, to: string): Promise<ReportData['backlog']> {
  const rows = await db.execute<{ status: string; created_ms: number }>(sql`
    with later as (
      select distinct on (ticket_id) ticket_id, data->>'from' as status
      from events
      where type = 'status_changed' and created_at >= ${to}::timestamptz
      order by ticket_id, created_at, id
    )
    select coalesce(later.status, t.status::text) as status, ${ms('t.created_at')} as created_ms
    from tickets t
    left join later on later.ticket_id = t.id
    where t.created_at < ${to}::timestamptz and t.deleted_at is null and t.merged_into_id is null
      and coalesce(later.status, t.status::text) not in ('closed', 'spam')`);
  return rows.flatMap((r) => (isTicketStatus(r.status) ? [{ status: r.status, createdAt: new Date(Number(r.created_ms)) }] : []));
}

/** Everything a report of `period` needs, read in parallel. */
export async function readReportData(db: Db, period: ReportPeriod): Promise<ReportData> {
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  try {
    const [tickets, mail, backlog] = await Promise.all([touchedTickets(db, from, to), customerMail(db, from, to), backlogAt(db, to)]);
    return { tickets, customerMail: mail, backlog };
  } catch (err) {
    throw toAppError(err, 'report');
  }
}
