import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { DeliveryStore } from '../../usecases/ports.js';
import { storeCall, type Db } from './client.js';
import { messages } from './schema.js';

/** Outbox delivery states in Postgres. Every transition is one conditional UPDATE: two senders never both take a row. */
export function createDeliveryStore(db: Db): DeliveryStore {
  return {
    claim: (id, now, stuckBefore) =>
      storeCall(`claiming outbox row ${id}`, async () => {
        // A row `sending` is someone's send in flight: taken over only once its claim is stale (the sender died).
        const [row] = await db
          .update(messages)
          .set({ deliveryState: 'sending', attempts: sql`${messages.attempts} + 1`, claimedAt: now })
          .where(
            and(
              eq(messages.id, id),
              eq(messages.direction, 'out'),
              or(eq(messages.deliveryState, 'queued'), and(eq(messages.deliveryState, 'sending'), lt(messages.claimedAt, stuckBefore))),
            ),
          )
          .returning({
            id: messages.id,
            ticketId: messages.ticketId,
            kind: messages.kind,
            mailbox: messages.mailbox,
            messageId: messages.messageId,
            from: messages.fromAddress,
            to: messages.to,
            cc: messages.cc,
            raw: messages.raw,
            attempts: messages.attempts,
          });
        if (!row || !row.raw || !row.mailbox || !row.messageId) return null;
        return {
          id: row.id,
          ticketId: row.ticketId,
          kind: row.kind,
          mailbox: row.mailbox,
          messageId: row.messageId,
          from: row.from ?? '',
          recipients: [...row.to, ...row.cc].map((a) => a.address),
          raw: row.raw,
          attempts: row.attempts,
        };
      }),
    markSent: (id, now) =>
      storeCall(`marking outbox row ${id} sent`, async () => {
        await db.update(messages).set({ deliveryState: 'sent', deliveredAt: now, lastError: null }).where(eq(messages.id, id));
      }),
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
