import { and, asc, desc, eq, gte, isNotNull, sql } from 'drizzle-orm';
import type { IngestTx } from '../../usecases/ports.js';
import { autoResponses, contacts, messages, participants } from './schema.js';
import { fullMessageId, messageIdColumns, messageIdIn } from './message-keys.js';
import { insertAttachments, type Tx } from './tx.js';

/** The outbox half of a ticket transaction: threads, participants, outgoing rows, rate-limit counts. */
export function outboxTx(
  tx: Tx,
): Pick<
  IngestTx,
  | 'participants'
  | 'thread'
  | 'insertOutbound'
  | 'countAutoResponses'
  | 'recordAutoResponse'
  | 'countNotices'
  | 'outboundByMessageIds'
  | 'outboundById'
  | 'markOutboundFailed'
> {
  return {
    async participants(ticketId) {
      const rows = await tx
        .select({ address: contacts.email, name: contacts.name, role: participants.role })
        .from(participants)
        .innerJoin(contacts, eq(contacts.id, participants.contactId))
        .where(eq(participants.ticketId, ticketId))
        .orderBy(asc(participants.addedAt), asc(contacts.id));
      return rows;
    },

    async thread(ticketId) {
      const rows = await tx
        .select({ messageId: fullMessageId, direction: messages.direction, kind: messages.kind, threadIndex: messages.threadIndex })
        .from(messages)
        .where(and(eq(messages.ticketId, ticketId), isNotNull(messages.messageId)))
        .orderBy(asc(messages.id));
      // Notifications and notes are between us and the agents: not part of the customer's thread.
      const customerThread = rows.filter((r) => r.kind !== 'notification' && r.kind !== 'note');
      const lastCustomer = [...rows].reverse().find((r) => r.direction === 'in' && r.kind === 'customer');
      return {
        chain: customerThread.map((r) => r.messageId!),
        lastCustomerMessageId: lastCustomer?.messageId ?? null,
        rootThreadIndex: customerThread.find((r) => r.threadIndex)?.threadIndex?.slice(0, 30) ?? null,
      };
    },

    async insertOutbound({ ticketId, mail, raw, agentEmail, threadIndex }, now) {
      const [row] = await tx
        .insert(messages)
        .values({
          ticketId,
          direction: 'out',
          kind: mail.kind,
          ...messageIdColumns(mail.messageId),
          inReplyTo: mail.inReplyTo,
          references: [...mail.references],
          fromAddress: mail.from.address,
          fromName: mail.from.name,
          to: [...mail.to],
          cc: [...mail.cc],
          subject: mail.subject,
          text: mail.text,
          raw,
          rawSha256: null,
          rawSize: raw.length,
          mailbox: mail.mailbox,
          sentDate: mail.date,
          threadIndex,
          agentEmail,
          deliveryState: 'queued',
          createdAt: now,
        })
        .returning({ id: messages.id });
      await insertAttachments(tx, row!.id, mail.attachments, now);
      return row!.id;
    },

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

    async recordAutoResponse(address, ticketId, kind, mailbox, now) {
      await tx.insert(autoResponses).values({ address, ticketId, kind, mailbox, sentAt: now });
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
      const rows = await tx
        .select({ id: messages.id, ticketId: messages.ticketId, kind: messages.kind, messageId: fullMessageId, deliveryState: messages.deliveryState, to: messages.to, cc: messages.cc })
        .from(messages)
        .where(and(eq(messages.id, id), eq(messages.direction, 'out')))
        .for('update');
      return rows.map(({ to, cc, ...r }) => ({ ...r, messageId: r.messageId!, recipients: [...to, ...cc].map((a) => a.address) }));
    },

    async markOutboundFailed(id, reason) {
      await tx
        .update(messages)
        .set({ deliveryState: 'failed', lastError: reason.slice(0, 1000), deliveredAt: null })
        .where(eq(messages.id, id));
    },
  };
}
