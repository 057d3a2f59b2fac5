import { and, asc, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { MessageLog } from '../../usecases/ports.js';
import { fullMessageId, messageIdIn, messageKey } from './message-keys.js';
import { events, messages, tickets } from './schema.js';
import type { Queryable } from './tx.js';

/** The messages in Postgres: dedupe, thread lookup, a ticket's thread, our outgoing rows. */
export function messageLog(tx: Queryable): MessageLog {
  return {
    async find(messageId, rawSha256) {
      const condition = messageId === null ? and(sql`${messages.messageId} is null`, eq(messages.rawSha256, rawSha256)) : eq(messages.messageId, messageKey(messageId));
      const [row] = await tx
        .select({ id: messages.id, ticketId: messages.ticketId, ticketNumber: tickets.number, kind: messages.kind })
        .from(messages)
        .leftJoin(tickets, eq(tickets.id, messages.ticketId))
        .where(condition)
        .orderBy(asc(messages.id))
        .limit(1);
      if (!row) return null;
      const recorded = await tx.select({ type: events.type }).from(events).where(eq(events.messageId, row.id)).orderBy(asc(events.id));
      return { ...row, events: recorded.map((e) => e.type) };
    },

    async ticketIdsByMessageIds(ids) {
      if (ids.length === 0) return new Map();
      const rows = await tx
        .select({ key: messages.messageId, ticketId: messages.ticketId })
        .from(messages)
        .where(and(messageIdIn(ids), sql`${messages.ticketId} is not null`));
      const byKey = new Map(rows.map((r) => [r.key!, r.ticketId!]));
      const found = new Map<string, number>();
      for (const id of ids) {
        const ticketId = byKey.get(messageKey(id));
        if (ticketId !== undefined) found.set(id, ticketId);
      }
      return found;
    },

    async correspondents(ticketId, ids) {
      if (ids.length === 0) return new Set();
      const rows = await tx
        .select({ direction: messages.direction, from: messages.fromAddress, to: messages.to, cc: messages.cc })
        .from(messages)
        .where(and(eq(messages.ticketId, ticketId), messageIdIn(ids)));
      const found = new Set<string>();
      for (const row of rows) {
        if (row.direction === 'in' && row.from) found.add(row.from.toLowerCase());
        if (row.direction === 'out') for (const a of [...row.to, ...row.cc]) found.add(a.address.toLowerCase());
      }
      return found;
    },

    async thread(ticketId) {
      const rows = await tx
        .select({ messageId: fullMessageId, direction: messages.direction, kind: messages.kind, threadIndex: messages.threadIndex })
        .from(messages)
        .where(and(eq(messages.ticketId, ticketId), isNotNull(messages.messageId)))
        .orderBy(asc(messages.id));
      return rows.map((r) => ({ ...r, messageId: r.messageId! }));
    },

    async outboundByMessageIds(ids) {
      if (ids.length === 0) return [];
      const rows = await tx
        .select({ id: messages.id, ticketId: messages.ticketId, kind: messages.kind, messageId: fullMessageId, deliveryState: messages.deliveryState })
        .from(messages)
        .where(and(eq(messages.direction, 'out'), messageIdIn(ids)))
        .orderBy(desc(messages.id));
      return rows.map((r) => ({ ...r, messageId: r.messageId! }));
    },

    async outboundById(id) {
      const [row] = await tx
        .select({ id: messages.id, ticketId: messages.ticketId, kind: messages.kind, messageId: fullMessageId, deliveryState: messages.deliveryState, to: messages.to, cc: messages.cc })
        .from(messages)
        .where(and(eq(messages.id, id), eq(messages.direction, 'out')));
      if (!row) return null;
      const { to, cc, ...rest } = row;
      return { ...rest, messageId: rest.messageId!, recipients: [...to, ...cc].map((a) => a.address) };
    },
  };
}
