import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { MessageKind } from '../../domain/ticket.js';
import { isAppError } from '../../errors.js';
import type { ClaimedMessage, DeliveryStore } from '../../usecases/ports.js';
import { storeCall, type Db } from './client.js';
import { messages } from './schema.js';

/**
 * Outbox delivery states in Postgres. Every transition is one conditional UPDATE: two senders never
 * both take a row. The claims of concurrently running jobs share one statement, and so do their marks
 * (`batched`): a few statements per batch of mail instead of two per mail.
 */
export function createDeliveryStore(db: Db): DeliveryStore {
  const claim = batched<ClaimRequest, ClaimedMessage | null>((requests) => storeCall(`claiming ${rowsNamed(requests)}`, () => claimRows(db, requests)));
  const markSent = batched<SentRequest, void>((requests) => storeCall(`marking ${rowsNamed(requests)} sent`, () => markRowsSent(db, requests)));
  // Rows whose mail is out but whose mark has not landed (a database outage, retried by the sender):
  // the row still reads `sending`, and once its claim is stale the reconciler queues it again. Whatever
  // the database says then, this process knows the mail went: no claim here takes the row.
  const recording = new Set<number>();
  return {
    claim: async (id, now, stuckBefore) => (recording.has(id) ? null : claim({ id, now, stuckBefore })),
    markSent: async (id, now) => {
      recording.add(id);
      try {
        await markSent({ id, now });
        recording.delete(id);
      } catch (err) {
        // Only an outage is retried; after any other failure the sender gives up on the mark.
        if (!(isAppError(err) && err.retryable)) recording.delete(id);
        throw err;
      }
    },
    release: (id, error) =>
      storeCall(`releasing outbox row ${id}`, async () => {
        await db
          .update(messages)
          .set({ deliveryState: 'queued', lastError: error.slice(0, 1000) })
          .where(and(eq(messages.id, id), eq(messages.deliveryState, 'sending')));
      }),
    stale: (queuedBefore, sendingBefore, limit) =>
      storeCall('listing outbox rows to re-queue', async () => {
        return db
          .select({ id: messages.id, attempts: messages.attempts })
          .from(messages)
          .where(
            or(
              and(eq(messages.deliveryState, 'queued'), lt(messages.createdAt, queuedBefore)),
              and(eq(messages.deliveryState, 'sending'), lt(messages.claimedAt, sendingBefore)),
            ),
          )
          .orderBy(messages.id)
          .limit(limit);
      }),
  };
}

interface ClaimRequest {
  readonly id: number;
  readonly now: Date;
  readonly stuckBefore: Date;
}

interface SentRequest {
  readonly id: number;
  readonly now: Date;
}

type ClaimedRow = {
  readonly id: string | number;
  readonly ticket_id: string | number | null;
  readonly ticket_number: string | number | null;
  readonly kind: MessageKind;
  readonly mailbox: string | null;
  readonly message_id: string | null;
  readonly from_address: string | null;
  readonly to: readonly { address: string }[];
  readonly cc: readonly { address: string }[];
  readonly raw: Buffer | null;
  readonly attempts: number;
};

/*
 * The two statements below are the send path's only ones, run for every batch: plain SQL, built and
 * mapped without the query builder. Each starts with its UPDATE (what pg_stat_activity shows). The
 * parameters go as text: postgres.js, without its type fetch, serialises neither a Date nor an array
 * for a prepared statement's typed parameter.
 */

/**
 * Takes the requested rows: a `queued` one, or a `sending` one whose claim is older than the earliest
 * `stuckBefore` of the batch (its sender died) — so no request takes over a row its own threshold would
 * leave alone. The claim time is the latest of the requests' (they differ by the wait for the
 * statement, milliseconds). A row asked for twice (the same job delivered twice at once) goes to the
 * first request only.
 */
async function claimRows(db: Db, requests: readonly ClaimRequest[]): Promise<(ClaimedMessage | null)[]> {
  const now = latest(requests.map((r) => r.now));
  const stuckBefore = new Date(Math.min(...requests.map((r) => r.stuckBefore.getTime())));
  const rows = await db.execute<ClaimedRow>(sql`update messages set delivery_state = 'sending', attempts = attempts + 1, claimed_at = ${now.toISOString()}
    where id = any(${idArray(requests)}::text::bigint[]) and direction = 'out'
      and (delivery_state = 'queued' or (delivery_state = 'sending' and claimed_at < ${stuckBefore.toISOString()}))
    returning id, ticket_id, (select number from tickets where tickets.id = messages.ticket_id) as ticket_number,
      kind, mailbox, message_id, from_address, "to", cc, raw, attempts`);
  const claimed = new Map(rows.map((row) => [Number(row.id), row]));
  return requests.map(({ id }) => {
    const row = claimed.get(id);
    claimed.delete(id);
    if (!row || !row.raw || !row.mailbox || !row.message_id) return null;
    return {
      id,
      ticketId: row.ticket_id === null ? null : Number(row.ticket_id),
      ticketNumber: row.ticket_number === null ? null : Number(row.ticket_number),
      kind: row.kind,
      mailbox: row.mailbox,
      messageId: row.message_id,
      from: row.from_address ?? '',
      recipients: [...row.to, ...row.cc].map((a) => a.address),
      raw: row.raw,
      attempts: row.attempts,
    };
  });
}

/** Marks the rows sent, at the latest of their times. */
async function markRowsSent(db: Db, requests: readonly SentRequest[]): Promise<void[]> {
  const now = latest(requests.map((r) => r.now));
  await db.execute(sql`update messages set delivery_state = 'sent', delivered_at = ${now.toISOString()}, last_error = null
    where id = any(${idArray(requests)}::text::bigint[])`);
  return requests.map(() => undefined);
}

/** A bigint[] literal (`{1,2}`): one parameter however many rows, ids ascending so that two statements lock shared rows in one order. */
function idArray(requests: readonly { id: number }[]): string {
  const ids = [...new Set(requests.map((r) => r.id))].sort((a, b) => a - b);
  return `{${ids.join(',')}}`;
}

function latest(times: readonly Date[]): Date {
  return new Date(Math.max(...times.map((t) => t.getTime())));
}

function rowsNamed(requests: readonly { id: number }[]): string {
  return requests.length === 1 ? `outbox row ${requests[0]!.id}` : `${requests.length} outbox rows`;
}

export interface BatchOptions {
  /** Calls one statement carries at most. */
  readonly maxBatch?: number;
  /** Statements in flight before calls wait for one of them: a few jobs at a time never wait for each other. */
  readonly parallel?: number;
  /** A statement in flight this long (a lock wait, a dying connection) no longer holds the next one back. */
  readonly stallMs?: number;
}

/**
 * Group commit: while fewer than `parallel` statements of its kind are in flight, a call goes out at
 * once (with the calls made in the same tick); beyond that, calls wait for one to finish and then go
 * out together, at most `maxBatch` per statement. So a few jobs at a time wait for nothing, and under
 * load the statements per row fall as the load rises. `run` answers each item, in order; a statement's
 * failure is each of its calls' (a mark's caller retries it, send-outbound; a claim's job fails and
 * the queue retries it).
 */
export function batched<In, Out>(run: (items: readonly In[]) => Promise<readonly Out[]>, options: BatchOptions = {}): (item: In) => Promise<Out> {
  const maxBatch = options.maxBatch ?? 64;
  const parallel = options.parallel ?? 2;
  const stallMs = options.stallMs ?? 1_000;
  const waiting: { item: In; resolve(out: Out): void; reject(err: unknown): void }[] = [];
  const inFlight = new Set<{ readonly started: number }>();
  let scheduled = false;
  let timer: NodeJS.Timeout | null = null;

  const schedule = () => {
    if (scheduled || waiting.length === 0) return;
    const youngest = Math.max(-Infinity, ...[...inFlight].map((f) => f.started));
    const wait = inFlight.size < parallel ? 0 : youngest + stallMs - Date.now();
    if (wait > 0) {
      timer ??= setTimeout(() => {
        timer = null;
        schedule();
      }, wait).unref();
      return;
    }
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      void flush();
    });
  };

  const flush = async () => {
    const batch = waiting.splice(0, maxBatch);
    const flight = { started: Date.now() };
    inFlight.add(flight);
    try {
      const out = await run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(out[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      inFlight.delete(flight);
      schedule();
    }
  };

  return (item) =>
    new Promise<Out>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      schedule();
    });
}
