import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { WithSubquery } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { MailAddress } from '../../usecases/parsed-mail.js';
import type { NewInboundMessage, NewTicket, TicketRepository, TicketSave } from '../../usecases/ports.js';
import { messageIdColumns, messageKey } from './message-keys.js';
import { attachmentBlobs, attachments, autoResponses, contacts, events, messages, participants, tickets } from './schema.js';
import { slaColumns } from './sla-columns.js';
import { changedColumns, ticketColumns, toTicket } from './ticket-columns.js';
import { insertAttachments, jsonSafe, type AttachmentInput, type Queryable } from './tx.js';

/** Tickets in Postgres: plain reads (no row locks), and one save conditional on the version loaded. */
export function ticketRepository(tx: Queryable, writable: boolean): TicketRepository {
  return {
    async load(id) {
      const [row] = await tx.select(ticketColumns).from(tickets).where(eq(tickets.id, id));
      if (!row) throw new AppError('NOT_FOUND', `ticket id ${id} not found`);
      return toTicket(row);
    },

    async findByNumber(number) {
      const [row] = await tx.select(ticketColumns).from(tickets).where(eq(tickets.number, number));
      return row ? toTicket(row) : null;
    },

    async participants(ticketId) {
      return tx
        .select({ address: contacts.email, name: contacts.name, role: participants.role })
        .from(participants)
        .innerJoin(contacts, eq(contacts.id, participants.contactId))
        .where(eq(participants.ticketId, ticketId))
        .orderBy(asc(participants.addedAt), asc(contacts.id));
    },

    async requester(ticketId) {
      const [row] = await tx
        .select({ address: contacts.email, name: contacts.name })
        .from(tickets)
        .innerJoin(contacts, eq(contacts.id, tickets.requesterId))
        .where(eq(tickets.id, ticketId));
      if (!row) throw new AppError('NOT_FOUND', `ticket id ${ticketId} not found`);
      return row;
    },

    async automatedRequester(ticketId) {
      const [row] = await tx
        .select({ reasons: sql<unknown>`${events.data} -> 'automatedSender'` })
        .from(events)
        .where(and(eq(events.ticketId, ticketId), eq(events.type, 'created')))
        .limit(1);
      return Array.isArray(row?.reasons) ? row.reasons.map(String) : null;
    },

    async create(t: NewTicket) {
      refuseUnlessWritable(writable);
      // One statement: the requester as a contact (known or new), the ticket, the requester on it.
      const requester = tx.$with('requester').as(
        tx
          .insert(contacts)
          .values({ email: t.requester.address.toLowerCase(), name: t.requester.name })
          .onConflictDoUpdate({ target: contacts.email, set: { name: KEEP_KNOWN_NAME } })
          .returning({ id: contacts.id }),
      );
      const created = tx.$with('created').as(
        tx
          .insert(tickets)
          .values({
            subject: t.subject,
            priority: t.priority,
            department: t.department,
            requesterId: sql.raw('(select id from "requester")'),
            mailbox: t.mailbox,
            linkedTicketId: t.linkedTicketId,
            language: t.language,
            createdAt: t.now,
            updatedAt: t.now,
            lastCustomerMessageAt: t.now,
            lastActivityAt: t.now,
            ...slaColumns(t.sla),
          })
          .returning(ticketColumns),
      );
      const joined = tx
        .$with('joined')
        .as(tx.insert(participants).values({ ticketId: sql.raw('(select id from "created")'), contactId: sql.raw('(select id from "requester")'), role: 'requester' }));
      const [row] = await tx.with(requester, created, joined).select().from(created);
      return toTicket(row!);
    },

    async save(change) {
      refuseUnlessWritable(writable);
      if (change.ticket) await saveTicket(tx, change);
      if (change.participants) await saveParticipants(tx, change.participants);
      const messageRowId = await insertMessageWithEvents(tx, change);
      const outboxIds = await insertOutbound(tx, change);
      for (const failed of change.failedOutbound ?? []) {
        await tx.update(messages).set({ deliveryState: 'failed', lastError: failed.reason.slice(0, 1000), deliveredAt: null }).where(eq(messages.id, failed.id));
      }
      return { messageRowId, outboxIds };
    },

    async moveHistory(fromId, intoId) {
      refuseUnlessWritable(writable);
      // One statement: the messages, the events, and the people who were not on the survivor yet.
      await tx.execute(sql`
        with moved_messages as (update ${messages} set ticket_id = ${intoId} where ticket_id = ${fromId} returning 1),
             moved_events as (update ${events} set ticket_id = ${intoId} where ticket_id = ${fromId} returning 1),
             copied as (
               insert into ${participants} (ticket_id, contact_id, role, added_at)
               select ${intoId}, contact_id, 'cc', added_at from ${participants} where ticket_id = ${fromId}
               on conflict do nothing returning 1)
        select (select count(*) from moved_messages), (select count(*) from moved_events), (select count(*) from copied)`);
    },

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
  };
}

function refuseUnlessWritable(writable: boolean): void {
  if (!writable) throw new Error('a read-only unit of work cannot write');
}

/** The ticket's changed columns, only if nobody saved it since it was loaded. */
async function saveTicket(tx: Queryable, change: TicketSave): Promise<void> {
  const { before, after } = change.ticket!;
  const rows = await tx
    .update(tickets)
    .set({ ...changedColumns(before, after), updatedAt: change.now, version: sql`${tickets.version} + 1` })
    .where(and(eq(tickets.id, before.id), eq(tickets.version, before.version)))
    .returning({ id: tickets.id });
  if (rows.length === 0) {
    throw new AppError('TICKET_CHANGED', `ticket ${before.number} changed since it was read (version ${before.version})`, { retryable: true });
  }
}

async function saveParticipants(tx: Queryable, change: NonNullable<TicketSave['participants']>): Promise<void> {
  if (change.add.length > 0) {
    const ids = await upsertContacts(tx, change.add);
    await tx
      .insert(participants)
      .values(change.add.map((p) => ({ ticketId: change.ticketId, contactId: ids.get(p.address.toLowerCase())!, role: p.role })))
      .onConflictDoNothing();
  }
  for (const address of change.remove) {
    await tx.execute(sql`
      delete from ${participants} p using ${contacts} c
      where p.ticket_id = ${change.ticketId} and p.contact_id = c.id and c.email = ${address.toLowerCase()} and p.role = 'cc'`);
  }
}

/** Contacts by address, created when new: a known name is kept, a missing one learnt. */
export async function upsertContacts(tx: Queryable, addresses: readonly MailAddress[]): Promise<Map<string, number>> {
  const unique = new Map(addresses.map((a) => [a.address.toLowerCase(), a.name]));
  const rows = await tx
    .insert(contacts)
    .values([...unique].map(([email, name]) => ({ email, name })))
    .onConflictDoUpdate({ target: contacts.email, set: { name: KEEP_KNOWN_NAME } })
    .returning({ id: contacts.id, email: contacts.email });
  return new Map(rows.map((r) => [r.email, r.id]));
}

/** Keep a known name; learn one when we had none. */
const KEEP_KNOWN_NAME = sql`case when ${contacts.name} = '' then excluded.name else ${contacts.name} end`;

/** The inbound message, its attachments and the change's events, in one statement; the message's row id. */
async function insertMessageWithEvents(tx: Queryable, change: TicketSave): Promise<number | null> {
  const eventRows = (messageId: SQL | null) =>
    change.events.map((e) => ({
      ticketId: e.ticketId,
      messageId: e.onMessage ? messageId : null,
      type: e.type,
      actor: e.actor,
      data: jsonSafe(e.data as Record<string, unknown>),
      createdAt: change.now,
    }));
  const m = change.message;
  if (!m) {
    if (change.events.length > 0) await tx.insert(events).values(eventRows(null));
    return null;
  }
  const inbound = tx.$with('inbound').as(tx.insert(messages).values(inboundRow(m)).returning({ id: messages.id }));
  const inboundId = sql.raw('(select id from "inbound")');
  const parts: WithSubquery[] = [inbound];
  const blobs = m.attachments.filter((a) => a.content !== null);
  if (blobs.length > 0) {
    parts.push(tx.$with('blobs').as(tx.insert(attachmentBlobs).values(blobs.map((a) => ({ sha256: a.sha256, size: a.size, content: a.content!, createdAt: m.now }))).onConflictDoNothing()));
  }
  if (m.attachments.length > 0) parts.push(tx.$with('files').as(tx.insert(attachments).values(m.attachments.map((a) => attachmentRow(a, inboundId)))));
  if (change.events.length > 0) parts.push(tx.$with('recorded').as(tx.insert(events).values(eventRows(inboundId))));
  const [row] = await tx.with(...parts).select({ id: inbound.id }).from(inbound);
  return row!.id;
}

function inboundRow(m: NewInboundMessage) {
  return {
    ticketId: m.ticketId,
    direction: 'in' as const,
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
  };
}

function attachmentRow(a: AttachmentInput, messageId: SQL | number) {
  return { messageId, sha256: a.sha256, stored: a.content !== null, filename: a.filename, contentType: a.contentType, size: a.size, contentId: a.contentId, inline: a.inline };
}

/**
 * Outbox rows in state `queued` and the automated-mail counters, in one
 * statement; the rows' ids in the order given. Attachments of outgoing mail
 * (an agent's answer, the customer's files in a notification) follow: at most
 * two statements, whatever the number of rows.
 */
async function insertOutbound(tx: Queryable, change: TicketSave): Promise<number[]> {
  const { outbox: rows, automated, now } = change;
  if (rows.length === 0) {
    if (automated.length > 0) await tx.insert(autoResponses).values(automated.map((a) => ({ ...a, sentAt: now })));
    return [];
  }
  const outbox = tx.$with('outbox').as(
    tx
      .insert(messages)
      .values(
        rows.map(({ ticketId, mail, raw, agentEmail, threadIndex }) => ({
          ticketId,
          direction: 'out' as const,
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
          deliveryState: 'queued' as const,
          createdAt: now,
        })),
      )
      .returning({ id: messages.id, key: messages.messageId }),
  );
  const parts: WithSubquery[] = [outbox];
  if (automated.length > 0) parts.push(tx.$with('counted').as(tx.insert(autoResponses).values(automated.map((a) => ({ ...a, sentAt: now })))));
  const inserted = await tx.with(...parts).select().from(outbox);
  // Matched by Message-ID: the order RETURNING gives is not promised.
  const byKey = new Map(inserted.map((r) => [r.key, r.id]));
  const ids = rows.map((row) => byKey.get(messageKey(row.mail.messageId))!);
  // Every row's attachments in one go; a customer's file that a notification carries is stored once, with the inbound message.
  const stored = new Set((change.message?.attachments ?? []).filter((a) => a.content !== null).map((a) => a.sha256));
  const files = rows.flatMap((row, i) => row.mail.attachments.map((attachment) => ({ messageRowId: ids[i]!, attachment })));
  await insertAttachments(tx, files, now, stored);
  return ids;
}
