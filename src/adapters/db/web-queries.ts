import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { TicketStatus } from '../../domain/ticket.js';
import { toAppError, type Db } from './client.js';
import { fullMessageId } from './message-keys.js';
import { ticketSearch } from './ticket-queries.js';
import { attachmentBlobs, attachments, contacts, events, messages, participants, tickets } from './schema.js';

/**
 * The reads of the read-only web view. Nothing here writes; every failure
 * comes back as an AppError (toAppError), so the server answers 500 with a
 * log line and never the driver's message.
 */

/** Which tickets the list shows: `to-solve` is New and Open, nearest SLA due time first. */
export type TicketView = 'to-solve' | 'all' | TicketStatus;

export interface TicketListFilter {
  readonly view: TicketView;
  /** An agent's address, `none` for unassigned tickets, null for any. */
  readonly assignee: string | null;
  readonly tag: string | null;
  /** Full text over subject and message text, as `tickets list --search` (ticketSearch); also the number when it is `#N` or all digits. */
  readonly search: string | null;
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
}

export interface TicketListRow {
  readonly number: number;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly priority: string;
  readonly department: string;
  readonly assignee: string | null;
  readonly tags: readonly string[];
  readonly requester: { readonly email: string; readonly name: string };
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly firstResponseDueAt: Date | null;
  readonly nextResponseDueAt: Date | null;
  readonly resolutionDueAt: Date | null;
}

const listColumns = {
  number: tickets.number,
  subject: tickets.subject,
  status: tickets.status,
  priority: tickets.priority,
  department: tickets.department,
  assignee: tickets.assignee,
  tags: tickets.tags,
  requesterEmail: contacts.email,
  requesterName: contacts.name,
  createdAt: tickets.createdAt,
  updatedAt: tickets.updatedAt,
  firstResponseDueAt: tickets.firstResponseDueAt,
  nextResponseDueAt: tickets.nextResponseDueAt,
  resolutionDueAt: tickets.resolutionDueAt,
};

function toListRow(r: Omit<TicketListRow, 'requester'> & { requesterEmail: string; requesterName: string }): TicketListRow {
  const { requesterEmail, requesterName, ...rest } = r;
  return { ...rest, requester: { email: requesterEmail, name: requesterName } };
}

function listWhere(filter: TicketListFilter): SQL | undefined {
  const conditions: (SQL | undefined)[] = [isNull(tickets.deletedAt), isNull(tickets.mergedIntoId)];
  if (filter.view === 'to-solve') conditions.push(inArray(tickets.status, ['new', 'open']));
  else if (filter.view !== 'all') conditions.push(eq(tickets.status, filter.view));
  if (filter.assignee === 'none') conditions.push(isNull(tickets.assignee));
  else if (filter.assignee) conditions.push(eq(tickets.assignee, filter.assignee));
  if (filter.tag) conditions.push(sql`${filter.tag} = any(${tickets.tags})`);
  const search = filter.search?.trim();
  if (search) {
    const number = /^#?(\d{1,15})$/.exec(search);
    conditions.push(number ? or(ticketSearch(search), eq(tickets.number, Number(number[1]))) : ticketSearch(search));
  }
  return and(...conditions);
}

/** One page of tickets, and whether another follows. */
export async function ticketListPage(db: Db, filter: TicketListFilter): Promise<{ rows: TicketListRow[]; hasMore: boolean }> {
  const nextDue = sql`least(${tickets.firstResponseDueAt}, ${tickets.nextResponseDueAt}, ${tickets.resolutionDueAt})`;
  const order =
    filter.view === 'to-solve'
      ? [sql`${nextDue} asc nulls last`, sql`${tickets.lastCustomerMessageAt} asc nulls last`, asc(tickets.number)]
      : [desc(tickets.number)];
  try {
    const rows = await db
      .select(listColumns)
      .from(tickets)
      .innerJoin(contacts, eq(contacts.id, tickets.requesterId))
      .where(listWhere(filter))
      .orderBy(...order)
      .limit(filter.pageSize + 1)
      .offset((filter.page - 1) * filter.pageSize);
    return { rows: rows.slice(0, filter.pageSize).map(toListRow), hasMore: rows.length > filter.pageSize };
  } catch (err) {
    throw toAppError(err, 'listing tickets for the web view');
  }
}

/** Tags in use and assignees with tickets, for the list's filters (at most 200 each). */
export async function filterChoices(db: Db): Promise<{ tags: string[]; assignees: string[] }> {
  try {
    const tagRows = await db.execute<{ tag: string }>(sql`select distinct unnest(tags) as tag from tickets order by 1 limit 200`);
    const assigneeRows = await db
      .selectDistinct({ assignee: tickets.assignee })
      .from(tickets)
      .where(sql`${tickets.assignee} is not null`)
      .orderBy(asc(tickets.assignee))
      .limit(200);
    return { tags: tagRows.map((r) => r.tag), assignees: assigneeRows.map((r) => r.assignee!).filter(Boolean) };
  } catch (err) {
    throw toAppError(err, 'reading the ticket filters');
  }
}

export interface TicketAttachment {
  readonly id: number;
  readonly filename: string | null;
  readonly contentType: string;
  readonly size: number;
  /** False when it was over the size cap: only its metadata was kept. */
  readonly stored: boolean;
  readonly contentId: string | null;
}

export interface TicketMessage {
  readonly id: number;
  readonly direction: 'in' | 'out';
  readonly kind: string;
  readonly messageId: string | null;
  readonly from: { readonly address: string | null; readonly name: string };
  readonly to: readonly { readonly address: string; readonly name: string }[];
  readonly cc: readonly { readonly address: string; readonly name: string }[];
  readonly subject: string;
  readonly text: string;
  /** Sanitised at ingest; the web view sanitises again before showing it. */
  readonly html: string | null;
  readonly agentEmail: string | null;
  readonly deliveryState: string | null;
  readonly lastError: string | null;
  readonly truncated: boolean;
  readonly sentDate: Date | null;
  readonly createdAt: Date;
  readonly attachments: readonly TicketAttachment[];
}

export interface TicketEventRow {
  readonly type: string;
  readonly actor: string;
  readonly data: Record<string, unknown>;
  readonly createdAt: Date;
}

export interface TicketPage extends TicketListRow {
  readonly mailbox: string;
  readonly closedAt: Date | null;
  readonly postponedUntil: Date | null;
  readonly linkedTicket: number | null;
  readonly participants: readonly { readonly email: string; readonly name: string; readonly role: string }[];
  readonly messages: readonly TicketMessage[];
  /** True when the ticket has more messages than MAX_MESSAGES: the oldest are left out. */
  readonly messagesCut: boolean;
  readonly events: readonly TicketEventRow[];
}

/** The newest messages and events shown on one page; a ticket longer than that shows its latest. */
export const MAX_MESSAGES = 500;
const MAX_EVENTS = 1000;

/** A ticket with its participants, thread (with attachment metadata) and events; null when no ticket has the number. */
export async function ticketPage(db: Db, number: number): Promise<TicketPage | null> {
  try {
    const [row] = await db
      .select({ ...listColumns, id: tickets.id, mailbox: tickets.mailbox, closedAt: tickets.closedAt, postponedUntil: tickets.postponedUntil, linkedTicketId: tickets.linkedTicketId })
      .from(tickets)
      .innerJoin(contacts, eq(contacts.id, tickets.requesterId))
      .where(eq(tickets.number, number));
    if (!row) return null;
    const [people, thread, timeline, linked] = await Promise.all([
      db
        .select({ email: contacts.email, name: contacts.name, role: participants.role })
        .from(participants)
        .innerJoin(contacts, eq(contacts.id, participants.contactId))
        .where(eq(participants.ticketId, row.id))
        .orderBy(asc(participants.addedAt)),
      threadOf(db, row.id),
      db
        .select({ type: events.type, actor: events.actor, data: events.data, createdAt: events.createdAt })
        .from(events)
        .where(eq(events.ticketId, row.id))
        .orderBy(asc(events.id))
        .limit(MAX_EVENTS),
      row.linkedTicketId === null ? Promise.resolve([]) : db.select({ number: tickets.number }).from(tickets).where(eq(tickets.id, row.linkedTicketId)),
    ]);
    const { id: _id, mailbox, closedAt, postponedUntil, linkedTicketId: _linked, ...list } = row;
    return {
      ...toListRow(list),
      mailbox,
      closedAt,
      postponedUntil,
      linkedTicket: linked[0]?.number ?? null,
      participants: people,
      ...thread,
      events: timeline,
    };
  } catch (err) {
    throw toAppError(err, `reading ticket ${number} for the web view`);
  }
}

async function threadOf(db: Db, ticketId: number): Promise<{ messages: TicketMessage[]; messagesCut: boolean }> {
  const rows = await db
    .select({
      id: messages.id,
      direction: messages.direction,
      kind: messages.kind,
      messageId: fullMessageId,
      fromAddress: messages.fromAddress,
      fromName: messages.fromName,
      to: messages.to,
      cc: messages.cc,
      subject: messages.subject,
      text: messages.text,
      html: messages.html,
      agentEmail: messages.agentEmail,
      deliveryState: messages.deliveryState,
      lastError: messages.lastError,
      truncated: messages.truncated,
      sentDate: messages.sentDate,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(eq(messages.ticketId, ticketId))
    .orderBy(desc(messages.id))
    .limit(MAX_MESSAGES + 1);
  const shown = rows.slice(0, MAX_MESSAGES).reverse();
  const files = shown.length
    ? await db
        .select({
          id: attachments.id,
          messageId: attachments.messageId,
          filename: attachments.filename,
          contentType: attachments.contentType,
          size: attachments.size,
          stored: attachments.stored,
          contentId: attachments.contentId,
        })
        .from(attachments)
        .where(inArray(attachments.messageId, shown.map((m) => m.id)))
        .orderBy(asc(attachments.id))
    : [];
  return {
    messagesCut: rows.length > MAX_MESSAGES,
    messages: shown.map(({ fromAddress, fromName, ...m }) => ({
      ...m,
      from: { address: fromAddress, name: fromName },
      attachments: files.filter((f) => f.messageId === m.id).map(({ messageId: _m, ...f }) => f),
    })),
  };
}

/** An attachment's bytes, only when it belongs to a message of ticket `number`; `kept: false` for one over the size cap. */
export async function attachmentContent(
  db: Db,
  number: number,
  attachmentId: number,
): Promise<{ kept: true; filename: string | null; contentType: string; content: Buffer } | { kept: false; filename: string | null } | null> {
  try {
    const [row] = await db
      .select({ filename: attachments.filename, contentType: attachments.contentType, stored: attachments.stored, content: attachmentBlobs.content })
      .from(attachments)
      .innerJoin(messages, eq(messages.id, attachments.messageId))
      .innerJoin(tickets, eq(tickets.id, messages.ticketId))
      .leftJoin(attachmentBlobs, eq(attachmentBlobs.sha256, attachments.sha256))
      .where(and(eq(attachments.id, attachmentId), eq(tickets.number, number)));
    if (!row) return null;
    if (!row.stored || !row.content) return { kept: false, filename: row.filename };
    return { kept: true, filename: row.filename, contentType: row.contentType, content: row.content };
  } catch (err) {
    throw toAppError(err, `reading attachment ${attachmentId} of ticket ${number}`);
  }
}

/** `select 1`: resolves when Postgres answers. */
export async function pingDatabase(db: Db): Promise<void> {
  try {
    await db.execute(sql`select 1`);
  } catch (err) {
    throw toAppError(err, 'readiness check');
  }
}
