import { sql, type SQL } from 'drizzle-orm';
import type { PurgeCounts, PurgeCutoffs, PurgedBatch, PurgeReason, PurgeStore } from '../../usecases/purge.js';
import { NO_COUNTS, PURGE_REASONS } from '../../usecases/purge.js';
import { storeCall, type Db } from './client.js';
import { errorCodeOf } from './pg-errors.js';
import { attachmentBlobs, attachments, contacts, events, messages, participants, tickets } from './schema.js';
import type { Tx } from './tx.js';

/**
 * The purge in Postgres, set-based. A batch is one transaction:
 *
 *  1. up to `limit` due tickets, oldest first, `for update skip locked` (one
 *     partial index per reason), none with mail still queued or being sent,
 *     none merged into a live ticket; then the tickets merged into them, at
 *     any depth (they go with their survivor: no stub points at a purged id);
 *  2. their attachments, events, messages (with the raw sources) and
 *     participants deleted, counted; survivors that continued one of them
 *     (`linked_ticket_id`) forget the link; the tickets deleted (their SLA
 *     notices and automated-mail counters go by cascade; events of other
 *     tickets naming one of their messages keep the event, without the message);
 *  3. their contacts that no remaining ticket or participant uses deleted
 *     (personal data: the address and the name);
 *  4. `attachment_blobs` locked against inserts, and the blobs among their
 *     attachments' sha256 that no attachment row uses any more deleted.
 *
 * Step 4's lock is what makes "no attachment uses it" true at commit: an
 * ingest stores the blob (insert … on conflict do nothing) before the
 * attachment row that uses it, so it holds the table in ROW EXCLUSIVE from
 * then until it commits; SHARE ROW EXCLUSIVE waits for such transactions and
 * keeps new ones out until the batch commits — a few milliseconds, at the end.
 */

/** Which tickets are due for a reason: SQL over `tickets t`. */
function dueFor(reason: PurgeReason, cutoff: Date | null): SQL {
  if (cutoff === null) return sql`false`;
  // Raw SQL parameters go to the driver as they are: pass instants as timestamptz text.
  const before = sql`${cutoff.toISOString()}::timestamptz`;
  switch (reason) {
    case 'deleted':
      return sql`t.deleted_at < ${before}`;
    case 'spam':
      return sql`t.status = 'spam' and t.updated_at < ${before}`;
    case 'closed':
      return sql`t.status = 'closed' and t.closed_at < ${before}`;
  }
}

/** The column each reason's index orders by: oldest first, read in index order and stopped at the limit. */
const ORDER: Record<PurgeReason, SQL> = { deleted: sql`t.deleted_at`, spam: sql`t.updated_at`, closed: sql`t.closed_at` };

/**
 * A due ticket the purge may take now: not merged into a ticket that still
 * exists (it goes with that one), and no mail of it queued or being sent (it
 * waits for a later run).
 */
const TAKEABLE = sql`(t.merged_into_id is null or not exists (select 1 from ${tickets} s where s.id = t.merged_into_id))
  and not exists (select 1 from ${messages} m where m.ticket_id = t.id and m.delivery_state in ('queued', 'sending'))`;

/** A Postgres array literal as one parameter: `{1,2,3}` or `{"a","b"}`. */
function pgArray(values: readonly (number | string)[], type: 'bigint' | 'text'): SQL {
  const items = values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/["\\]/g, '\\$&')}"`));
  return type === 'bigint' ? sql`${`{${items.join(',')}}`}::bigint[]` : sql`${`{${items.join(',')}}`}::text[]`;
}

export function createPurgeStore(db: Db): PurgeStore {
  return {
    purgeBatch: (reason, cutoff, limit) => storeCall(`purging ${reason} tickets`, () => db.transaction((tx) => purgeBatch(tx, reason, cutoff, limit))),
    preview: (cutoffs) => storeCall('counting what the purge would delete', () => preview(db, cutoffs)),
  };
}

async function purgeBatch(tx: Tx, reason: PurgeReason, cutoff: Date, limit: number): Promise<PurgedBatch> {
  const roots = await tx.execute<{ id: string }>(sql`
    select t.id from ${tickets} t
    where ${dueFor(reason, cutoff)} and ${TAKEABLE}
    order by ${ORDER[reason]}
    limit ${limit}
    for update of t skip locked`);
  if (roots.length === 0) return { ...NO_COUNTS, numbers: [] };
  const rootIds = roots.map((r) => Number(r.id));
  const group = await tx.execute<{ id: string; number: string }>(sql`
    with recursive grp(id) as (
      select unnest(${pgArray(rootIds, 'bigint')})
      union
      select t.id from ${tickets} t join grp on t.merged_into_id = grp.id
    )
    select t.id, t.number from ${tickets} t where t.id in (select id from grp) order by t.id
    for update of t`);
  const ids = pgArray(group.map((g) => Number(g.id)), 'bigint');
  const people = await tx.execute<{ id: string }>(sql`
    select contact_id as id from ${participants} where ticket_id = any(${ids})
    union select requester_id from ${tickets} where id = any(${ids})`);
  const files = await tx.execute<{ sha256: string; n: number }>(sql`
    with gone as (delete from ${attachments} a using ${messages} m where a.message_id = m.id and m.ticket_id = any(${ids}) returning a.sha256)
    select sha256, count(*)::int as n from gone group by sha256`);
  const [history] = await tx.execute<{ n: number }>(sql`
    with gone as (delete from ${events} where ticket_id = any(${ids}) returning 1) select count(*)::int as n from gone`);
  const [mail] = await tx.execute<{ n: number; bytes: number }>(sql`
    with gone as (delete from ${messages} where ticket_id = any(${ids}) returning coalesce(octet_length(raw), 0) as size)
    select count(*)::int as n, coalesce(sum(size), 0)::float8 as bytes from gone`);
  const [joined] = await tx.execute<{ n: number }>(sql`
    with gone as (delete from ${participants} where ticket_id = any(${ids}) returning 1) select count(*)::int as n from gone`);
  await tx.execute(sql`update ${tickets} set linked_ticket_id = null where linked_ticket_id = any(${ids})`);
  await tx.execute(sql`delete from ${tickets} where id = any(${ids})`);
  const freedContacts = await deleteUnusedContacts(tx, people.map((p) => Number(p.id)));
  const blobs = await deleteUnusedBlobs(tx, files.map((f) => f.sha256));
  return {
    tickets: group.length,
    merged: group.length - rootIds.length,
    messages: mail!.n,
    events: history!.n,
    participants: joined!.n,
    attachments: files.reduce((sum, f) => sum + f.n, 0),
    blobs: blobs.n,
    blobBytes: blobs.bytes,
    sourceBytes: mail!.bytes,
    contacts: freedContacts,
    numbers: group.map((g) => Number(g.number)),
  };
}

/**
 * Contacts among `candidates` that no ticket or participant uses. A contact an
 * ingest is using right now is locked (its upsert, or the key share of a new
 * participant row): skipped, it is in use. One that became used between this
 * statement's snapshot and its lock fails the foreign key check: the statement
 * is undone (a savepoint) and run again on a fresh snapshot.
 */
async function deleteUnusedContacts(tx: Tx, candidates: readonly number[]): Promise<number> {
  if (candidates.length === 0) return 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await tx.transaction(async (savepoint) => {
        const [row] = await savepoint.execute<{ n: number }>(sql`
          with gone as (
            delete from ${contacts} where id in (
              select c.id from ${contacts} c
              where c.id = any(${pgArray(candidates, 'bigint')})
                and not exists (select 1 from ${tickets} t where t.requester_id = c.id)
                and not exists (select 1 from ${participants} p where p.contact_id = c.id)
              for update skip locked)
            returning 1)
          select count(*)::int as n from gone`);
        return row!.n;
      });
    } catch (err) {
      if (errorCodeOf(err) !== '23503' || attempt >= 3) throw err;
    }
  }
}

/** Blobs among `sha256s` that no attachment row uses, under the lock described at the top. */
async function deleteUnusedBlobs(tx: Tx, sha256s: readonly string[]): Promise<{ n: number; bytes: number }> {
  if (sha256s.length === 0) return { n: 0, bytes: 0 };
  await tx.execute(sql`lock table ${attachmentBlobs} in share row exclusive mode`);
  const [row] = await tx.execute<{ n: number; bytes: number }>(sql`
    with gone as (
      delete from ${attachmentBlobs} b
      where b.sha256 = any(${pgArray(sha256s, 'text')}) and not exists (select 1 from ${attachments} a where a.sha256 = b.sha256)
      returning b.size)
    select count(*)::int as n, coalesce(sum(size), 0)::float8 as bytes from gone`);
  return row!;
}

/**
 * The dry run: the same due set (every reason's rule, the same exclusions,
 * the merged stubs with their survivor), counted in one read. Each ticket
 * counts under the first reason that takes it; a blob or contact under the
 * last reason among the tickets using it, as the purge frees it then.
 */
async function preview(db: Db, cutoffs: PurgeCutoffs): Promise<Readonly<Record<PurgeReason, PurgeCounts>>> {
  const [deleted, spam, closed] = PURGE_REASONS.map((r) => dueFor(r, cutoffs[r]));
  const rows = await db.execute<{ rank: number } & Record<keyof PurgeCounts, number>>(sql`
    with recursive roots as (
      select t.id, case when ${deleted} then 1 when ${spam} then 2 else 3 end as rank
      from ${tickets} t where (${deleted} or ${spam} or ${closed}) and ${TAKEABLE}
    ),
    grp(id, rank, stub) as (
      select id, rank, false from roots
      union
      select t.id, g.rank, true from ${tickets} t join grp g on t.merged_into_id = g.id
    ),
    msg as (select m.id, g.rank, coalesce(octet_length(m.raw), 0) as size from ${messages} m join grp g on g.id = m.ticket_id),
    att as (select a.sha256, msg.rank from ${attachments} a join msg on msg.id = a.message_id),
    blob as (
      select b.sha256, max(b.size) as size, max(att.rank) as rank from ${attachmentBlobs} b join att on att.sha256 = b.sha256
      where not exists (select 1 from ${attachments} x where x.sha256 = b.sha256 and x.message_id not in (select id from msg))
      group by b.sha256
    ),
    who as (
      select p.contact_id as id, g.rank from ${participants} p join grp g on g.id = p.ticket_id
      union select t.requester_id, g.rank from ${tickets} t join grp g on g.id = t.id
    ),
    person as (
      select w.id, max(w.rank) as rank from who w
      where not exists (select 1 from ${participants} p where p.contact_id = w.id and p.ticket_id not in (select id from grp))
        and not exists (select 1 from ${tickets} t where t.requester_id = w.id and t.id not in (select id from grp))
      group by w.id
    )
    select r.rank,
      (select count(*) from grp where grp.rank = r.rank)::int as tickets,
      (select count(*) from grp where grp.rank = r.rank and grp.stub)::int as merged,
      (select count(*) from msg where msg.rank = r.rank)::int as messages,
      (select count(*) from ${events} e join grp g on g.id = e.ticket_id where g.rank = r.rank)::int as events,
      (select count(*) from ${participants} p join grp g on g.id = p.ticket_id where g.rank = r.rank)::int as participants,
      (select count(*) from att where att.rank = r.rank)::int as attachments,
      (select count(*) from blob where blob.rank = r.rank)::int as blobs,
      (select coalesce(sum(size), 0) from blob where blob.rank = r.rank)::float8 as "blobBytes",
      (select coalesce(sum(size), 0) from msg where msg.rank = r.rank)::float8 as "sourceBytes",
      (select count(*) from person where person.rank = r.rank)::int as contacts
    from (values (1), (2), (3)) as r(rank)
    order by r.rank`);
  const counts = (rank: number): PurgeCounts => {
    const { rank: _rank, ...row } = rows.find((r) => r.rank === rank)!;
    return row;
  };
  return { deleted: counts(1), spam: counts(2), closed: counts(3) };
}
