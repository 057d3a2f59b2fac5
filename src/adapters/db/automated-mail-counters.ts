import { and, eq, gte, sql } from 'drizzle-orm';
import type { AutomatedMailCounters, SlaNotices } from '../../usecases/ports.js';
import { autoResponses, slaNotices } from './schema.js';
import type { Queryable } from './tx.js';

/** Automated mails and internal notices sent lately, for the ceilings (I7, I9). */
export function automatedMailCounters(tx: Queryable): AutomatedMailCounters {
  return {
    async countAutoResponses({ address, ticketId, mailbox, since }) {
      const customerFacing = sql`${autoResponses.kind} not like 'notice:%'`;
      const [row] = await tx
        .select({
          toAddress: sql<number>`count(*) filter (where ${autoResponses.address} = ${address} and ${customerFacing})::int`,
          onTicket: ticketId === null ? sql<number>`0` : sql<number>`count(*) filter (where ${autoResponses.ticketId} = ${ticketId} and ${customerFacing})::int`,
          fromMailbox: sql<number>`count(*) filter (where ${autoResponses.mailbox} = ${mailbox} and ${customerFacing})::int`,
        })
        .from(autoResponses)
        .where(
          and(
            gte(autoResponses.sentAt, since),
            sql`(${autoResponses.address} = ${address} or ${autoResponses.ticketId} = ${ticketId ?? -1} or ${autoResponses.mailbox} = ${mailbox})`,
          ),
        );
      return { toAddress: row?.toAddress ?? 0, onTicket: row?.onTicket ?? 0, fromMailbox: row?.fromMailbox ?? 0 };
    },

    async countNotices(kind, key, since) {
      const [row] = await tx
        .select({
          sameKey: sql<number>`count(*) filter (where ${autoResponses.address} = ${key})::int`,
          sameKind: sql<number>`count(*)::int`,
        })
        .from(autoResponses)
        .where(and(eq(autoResponses.kind, kind), gte(autoResponses.sentAt, since)));
      return { sameKey: row?.sameKey ?? 0, sameKind: row?.sameKind ?? 0 };
    },
  };
}

/** SLA notices: a conditional insert decides which daemon sends one (I4). */
export function slaNoticeLedger(tx: Queryable): SlaNotices {
  return {
    async claim(ticketId, metric, dueAt, kind, target, now) {
      const rows = await tx
        .insert(slaNotices)
        .values({ ticketId, metric, dueAt, kind, target, sentAt: now })
        .onConflictDoNothing()
        .returning({ ticketId: slaNotices.ticketId });
      return rows.length > 0;
    },
  };
}
