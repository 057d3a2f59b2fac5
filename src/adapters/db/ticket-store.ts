import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { MailAddress } from '../../usecases/parsed-mail.js';
import type {
  IngestTx,
  MailboxStateStore,
  NewEvent,
  NewInboundMessage,
  NewTicket,
  TicketPatch,
  TicketStore,
} from '../../usecases/ports.js';
import { toAppError, type Db } from './client.js';
import { outboxTx } from './outbox-store.js';
import { messageIdColumns, messageIdIn, messageKey } from './message-keys.js';
import { insertAttachments, jsonSafe, type Tx } from './tx.js';
import { scheduleTx } from './schedule-store.js';
import { slaColumns } from './sla-columns.js';
import { ticketColumns, toTicketRecord } from './ticket-columns.js';
import { contacts, events, mailboxState, messages, participants, tickets } from './schema.js';


/** The Postgres side of ingest: one transaction per message, serialised per Message-ID. */
export function createTicketStore(db: Db): TicketStore {
  return {
    async ingestTransaction(lockKey, work) {
      try {
        return await db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`);
          return work(ingestTx(tx));
        });
      } catch (err) {
        throw toAppError(err, 'storing message');
      }
    },
  };
}

function ingestTx(tx: Tx): IngestTx {
  return {
    async isKnownMessage(messageId, rawSha256) {
      const condition = messageId === null ? and(sql`${messages.messageId} is null`, eq(messages.rawSha256, rawSha256)) : eq(messages.messageId, messageKey(messageId));
      const rows = await tx.select({ id: messages.id }).from(messages).where(condition).limit(1);
      return rows.length > 0;
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

    async ticketByNumber(number) {
      const [row] = await tx.select(ticketColumns).from(tickets).where(eq(tickets.number, number));
      if (!row) return null;
      const ticket = toTicketRecord(row);
      const rows = await tx
        .select({ email: contacts.email })
        .from(participants)
        .innerJoin(contacts, eq(contacts.id, participants.contactId))
        .where(eq(participants.ticketId, ticket.id));
      return { ticket, participants: new Set(rows.map((r) => r.email)) };
    },

    async ticketById(id) {
      const [row] = await tx.select(ticketColumns).from(tickets).where(eq(tickets.id, id)).for('update');
      if (!row) throw new Error(`ticket id ${id} not found`);
      return toTicketRecord(row);
    },

    upsertContact: (address) => upsertContact(tx, address),

    async createTicket(t: NewTicket) {
      const [row] = await tx
        .insert(tickets)
        .values({
          subject: t.subject,
          priority: t.priority,
          department: t.department,
          requesterId: t.requesterId,
          mailbox: t.mailbox,
          linkedTicketId: t.linkedTicketId,
          createdAt: t.now,
          updatedAt: t.now,
          lastCustomerMessageAt: t.now,
          lastActivityAt: t.now,
          ...slaColumns(t.sla),
        })
        .returning(ticketColumns);
      return toTicketRecord(row!);
    },

    async updateTicket(id, patch: TicketPatch) {
      await tx
        .update(tickets)
        .set({
          updatedAt: patch.now,
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.closedAt !== undefined ? { closedAt: patch.closedAt } : {}),
          ...(patch.lastCustomerMessageAt !== undefined ? { lastCustomerMessageAt: patch.lastCustomerMessageAt } : {}),
          ...(patch.lastAgentReplyAt !== undefined ? { lastAgentReplyAt: patch.lastAgentReplyAt } : {}),
          ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
          ...(patch.department !== undefined ? { department: patch.department } : {}),
          ...(patch.assignee !== undefined ? { assignee: patch.assignee } : {}),
          ...(patch.tags !== undefined ? { tags: [...patch.tags] } : {}),
          ...(patch.postponedUntil !== undefined ? { postponedUntil: patch.postponedUntil } : {}),
          ...(patch.lastActivityAt !== undefined ? { lastActivityAt: patch.lastActivityAt } : {}),
          ...(patch.sla !== undefined ? slaColumns(patch.sla) : {}),
        })
        .where(eq(tickets.id, id));
    },

    async addParticipants(ticketId, people, role) {
      if (people.length === 0) return [];
      const rows = await tx
        .insert(participants)
        .values(people.map((p) => ({ ticketId, contactId: p.id, role })))
        .onConflictDoNothing()
        .returning({ contactId: participants.contactId });
      const added = new Set(rows.map((r) => r.contactId));
      return people.filter((p) => added.has(p.id)).map((p) => p.address);
    },

    async removeParticipant(ticketId, address) {
      const rows = await tx.execute(sql`
        delete from ${participants} p using ${contacts} c
        where p.ticket_id = ${ticketId} and p.contact_id = c.id and c.email = ${address.toLowerCase()} and p.role = 'cc'
        returning p.contact_id`);
      return rows.length > 0;
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

    insertMessage: (message) => insertMessage(tx, message),
    ...outboxTx(tx),

    async lastAssignee(department) {
      const [row] = await tx
        .select({ assignee: tickets.assignee })
        .from(tickets)
        .where(and(eq(tickets.department, department), sql`${tickets.assignee} is not null`))
        .orderBy(desc(tickets.id))
        .limit(1);
      return row?.assignee ?? null;
    },

    async openTicketCounts(assignees) {
      if (assignees.length === 0) return new Map();
      const rows = await tx
        .select({ assignee: tickets.assignee, n: sql<number>`count(*)::int` })
        .from(tickets)
        .where(and(inArray(tickets.assignee, [...assignees]), inArray(tickets.status, ['new', 'open', 'answered', 'postponed'])))
        .groupBy(tickets.assignee);
      return new Map(rows.map((r) => [r.assignee!, r.n]));
    },
    ...scheduleTx(tx),

    async insertEvents(list: readonly NewEvent[], now) {
      if (list.length === 0) return;
      await tx.insert(events).values(
        list.map((e) => ({
          ticketId: e.ticketId,
          messageId: e.messageId ?? null,
          type: e.type,
          actor: e.actor,
          data: jsonSafe(e.data ?? {}),
          createdAt: now,
        })),
      );
    },
  };
}

async function upsertContact(tx: Tx, address: MailAddress): Promise<number> {
  const email = address.address.toLowerCase();
  const [row] = await tx
    .insert(contacts)
    .values({ email, name: address.name })
    .onConflictDoUpdate({
      target: contacts.email,
      // Keep a known name; learn one when we had none.
      set: { name: sql`case when ${contacts.name} = '' then excluded.name else ${contacts.name} end` },
    })
    .returning({ id: contacts.id });
  return row!.id;
}

async function insertMessage(tx: Tx, m: NewInboundMessage): Promise<number> {
  const [row] = await tx
    .insert(messages)
    .values({
      ticketId: m.ticketId,
      direction: 'in',
      kind: m.kind,
      ...messageIdColumns(m.messageId),
      inReplyTo: m.inReplyTo,
      references: [...m.references],
      fromAddress: m.from?.address ?? null,
      fromName: m.from?.name ?? '',
      to: jsonSafe([...m.to]),
      cc: jsonSafe([...m.cc]),
      subject: m.subject,
      text: m.text,
      html: m.html,
      raw: m.raw,
      rawSha256: m.rawSha256,
      rawSize: m.rawSize,
      truncated: m.truncated,
      parseError: m.parseError,
      mailbox: m.mailbox,
      imapUid: m.imapUid,
      sentDate: m.sentDate,
      threadIndex: m.threadIndex,
      agentEmail: m.agentEmail ?? null,
      createdAt: m.now,
    })
    .returning({ id: messages.id });
  await insertAttachments(tx, row!.id, m.attachments, m.now);
  return row!.id;
}

/** Mailbox resume points in Postgres. */
export function createMailboxStateStore(db: Db): MailboxStateStore {
  return {
    async read(mailbox) {
      try {
        const [row] = await db.select().from(mailboxState).where(eq(mailboxState.mailbox, mailbox));
        return row ? { uidValidity: BigInt(row.uidValidity), lastUid: row.lastUid } : null;
      } catch (err) {
        throw toAppError(err, `reading state of mailbox ${mailbox}`);
      }
    },
    async write(mailbox, state) {
      const values = { mailbox, uidValidity: Number(state.uidValidity), lastUid: state.lastUid, updatedAt: new Date() };
      try {
        await db
          .insert(mailboxState)
          .values(values)
          .onConflictDoUpdate({ target: mailboxState.mailbox, set: { uidValidity: values.uidValidity, lastUid: values.lastUid, updatedAt: values.updatedAt } });
      } catch (err) {
        throw toAppError(err, `saving state of mailbox ${mailbox}`);
      }
    },
  };
}
