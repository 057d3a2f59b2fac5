import { fullMessageId } from './message-keys.js';
import { redactReplyToken } from '../../usecases/reply-token.js';
import { and, asc, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { TicketStatus } from '../../domain/ticket.js';
import { toAppError, type Db } from './client.js';
import { contacts, events, messages, tickets } from './schema.js';

/** The `tickets list --json` object (README, "JSON output"): scripts depend on these fields. */
export interface TicketSummary {
  number: number;
  subject: string;
  status: TicketStatus;
  priority: string;
  department: string;
  assignee: string | null;
  customer: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
  nextResponseDueAt: string | null;
  /** A due time has passed (the SLA is breached). */
  slaBreached: boolean;
}

export interface TicketDetail extends TicketSummary {
  /** `id`: the message's number in the database (`helpdesk attachments --message`). */
  messages: { id: number; direction: string; kind: string; from: string | null; to: string[]; subject: string; text: string; messageId: string | null; createdAt: string }[];
  events: { type: string; actor: string; data: Record<string, unknown>; createdAt: string }[];
}

/** The `mail unthreaded --json` object: a stored inbound mail that belongs to no ticket. */
export interface UnthreadedMail {
  id: number;
  mailbox: string | null;
  /** What it was stored as: `auto_reply`, `bounce`, or `note` (mail in an agent's name that proved nothing). */
  kind: string;
  from: string | null;
  subject: string;
  /** Its Date header, ISO 8601; null when it had none. */
  date: string | null;
  /** When it was stored. */
  receivedAt: string;
}

const summaryColumns = {
  id: tickets.id,
  number: tickets.number,
  subject: tickets.subject,
  status: tickets.status,
  priority: tickets.priority,
  department: tickets.department,
  assignee: tickets.assignee,
  customer: contacts.email,
  tags: tickets.tags,
  createdAt: tickets.createdAt,
  updatedAt: tickets.updatedAt,
  firstResponseDueAt: tickets.firstResponseDueAt,
  resolutionDueAt: tickets.resolutionDueAt,
  nextResponseDueAt: tickets.nextResponseDueAt,
  lastCustomerMessageAt: tickets.lastCustomerMessageAt,
};

type SummaryRow = { id: number } & Omit<TicketSummary, 'createdAt' | 'updatedAt' | 'firstResponseDueAt' | 'resolutionDueAt' | 'nextResponseDueAt' | 'slaBreached'> & {
  createdAt: Date;
  updatedAt: Date;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  nextResponseDueAt: Date | null;
  lastCustomerMessageAt: Date | null;
};

function toSummary(row: SummaryRow, now = new Date()): TicketSummary {
  const due = [row.firstResponseDueAt, row.nextResponseDueAt, row.resolutionDueAt].filter((d): d is Date => d !== null);
  return {
    number: row.number,
    subject: row.subject,
    status: row.status,
    priority: row.priority,
    department: row.department,
    assignee: row.assignee,
    customer: row.customer,
    tags: row.tags,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    firstResponseDueAt: row.firstResponseDueAt?.toISOString() ?? null,
    resolutionDueAt: row.resolutionDueAt?.toISOString() ?? null,
    nextResponseDueAt: row.nextResponseDueAt?.toISOString() ?? null,
    slaBreached: due.some((d) => d.getTime() <= now.getTime()),
  };
}

/** What `tickets list` narrows by: every filter given must hold. */
export interface TicketFilter {
  readonly statuses?: readonly TicketStatus[];
  /** The assignee's address (any case), or `none` for unassigned tickets. */
  readonly assignee?: string;
  /** Tickets carrying every one of these tags. */
  readonly tags?: readonly string[];
  /** The requester's address (any case). */
  readonly customer?: string;
  readonly mailbox?: string;
  /** Full text over the subject and what people wrote (ticketSearch). */
  readonly search?: string;
}

/** A page of tickets; `next` is the `after` cursor of the following page, null on the last. */
export interface TicketPage<T> {
  readonly tickets: T[];
  readonly next: number | null;
}

/**
 * Tickets whose subject, or the text of one of their customer mails, agent
 * replies or notes, matches `text` as a web search (words, "a phrase", `or`,
 * `-word`; `websearch_to_tsquery` accepts any input without error). The
 * 'simple' configuration: mail is multilingual, so words are lower-cased, not
 * stemmed. Both arms read a GIN index (schema.ts, `*_search_idx`) whose
 * expression and predicate are repeated here exactly.
 */
export function ticketSearch(text: string): SQL {
  const query = sql`websearch_to_tsquery('simple', ${text})`;
  return sql`${tickets.id} in (
    select id from tickets where to_tsvector('simple', subject) @@ ${query}
    union
    select ticket_id from messages
     where kind in ('customer', 'agent_reply', 'note') and to_tsvector('simple', left(text, 100000)) @@ ${query})`;
}

function filterWhere(filter: TicketFilter): SQL | undefined {
  // Deleted tickets and those merged into another are not listed (`tickets show` still finds them).
  const conditions: (SQL | undefined)[] = [isNull(tickets.deletedAt), isNull(tickets.mergedIntoId)];
  if (filter.statuses?.length) conditions.push(inArray(tickets.status, [...filter.statuses]));
  if (filter.assignee?.toLowerCase() === 'none') conditions.push(isNull(tickets.assignee));
  else if (filter.assignee) conditions.push(sql`lower(${tickets.assignee}) = ${filter.assignee.toLowerCase()}`);
  for (const tag of filter.tags ?? []) conditions.push(sql`${tag} = any(${tickets.tags})`);
  if (filter.customer) conditions.push(sql`lower(${contacts.email}) = ${filter.customer.toLowerCase()}`);
  if (filter.mailbox) conditions.push(eq(tickets.mailbox, filter.mailbox));
  if (filter.search?.trim()) conditions.push(ticketSearch(filter.search));
  return and(...conditions);
}

/** The work queue ("to solve"): New and Open tickets (of `statuses`, when given), nearest SLA due time first, then longest waiting. */
export async function ticketsToSolve(
  db: Db,
  filter: TicketFilter = {},
  limit = 1000,
): Promise<{ tickets: (TicketSummary & { nextDueAt: string | null; waitingSince: string | null })[]; more: boolean }> {
  try {
    const nextDue = sql<Date | null>`least(${tickets.firstResponseDueAt}, ${tickets.nextResponseDueAt}, ${tickets.resolutionDueAt})`;
    const rows = await db
      .select({ ...summaryColumns, nextDueAt: nextDue })
      .from(tickets)
      .innerJoin(contacts, eq(contacts.id, tickets.requesterId))
      .where(and(inArray(tickets.status, ['new', 'open']), filterWhere(filter)))
      .orderBy(sql`${nextDue} asc nulls last`, sql`${tickets.lastCustomerMessageAt} asc nulls last`, asc(tickets.number))
      .limit(limit + 1);
    return {
      more: rows.length > limit,
      tickets: rows.slice(0, limit).map((row) => ({
        ...toSummary(row),
        nextDueAt: row.nextDueAt ? new Date(row.nextDueAt).toISOString() : null,
        waitingSince: row.lastCustomerMessageAt?.toISOString() ?? null,
      })),
    };
  } catch (err) {
    throw toAppError(err, 'listing tickets to solve');
  }
}

/** Tickets, newest (highest number) first, `limit` at a time; `after` is the last number of the previous page. */
export async function listTickets(db: Db, filter: TicketFilter & { limit?: number; after?: number } = {}): Promise<TicketPage<TicketSummary>> {
  const limit = filter.limit ?? 1000;
  try {
    const rows = await db
      .select(summaryColumns)
      .from(tickets)
      .innerJoin(contacts, eq(contacts.id, tickets.requesterId))
      .where(and(filterWhere(filter), filter.after === undefined ? undefined : lt(tickets.number, filter.after)))
      .orderBy(desc(tickets.number))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    return { tickets: page.map((row) => toSummary(row)), next: rows.length > limit ? page.at(-1)!.number : null };
  } catch (err) {
    throw toAppError(err, 'listing tickets');
  }
}

/** One ticket with its messages and events, oldest first; null when no ticket has that number. */
export async function showTicket(db: Db, number: number): Promise<TicketDetail | null> {
  try {
    const [row] = await db
      .select(summaryColumns)
      .from(tickets)
      .innerJoin(contacts, eq(contacts.id, tickets.requesterId))
      .where(eq(tickets.number, number));
    if (!row) return null;
    const messageRows = await db
      .select({
        id: messages.id,
        direction: messages.direction,
        kind: messages.kind,
        from: messages.fromAddress,
        to: messages.to,
        subject: messages.subject,
        text: messages.text,
        messageId: fullMessageId,
        createdAt: messages.createdAt,
      })
      .from(messages)
      .where(eq(messages.ticketId, row.id))
      .orderBy(asc(messages.id));
    const eventRows = await db
      .select({ type: events.type, actor: events.actor, data: events.data, createdAt: events.createdAt })
      .from(events)
      .where(eq(events.ticketId, row.id))
      .orderBy(asc(events.id));
    return {
      ...toSummary(row),
      // Reply tokens are credentials: shown without their secret part.
      messages: messageRows.map((m) => ({ ...m, to: m.to.map((a) => redactReplyToken(a.address)), createdAt: m.createdAt.toISOString() })),
      events: eventRows.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
    };
  } catch (err) {
    throw toAppError(err, `reading ticket ${number}`);
  }
}

/** Inbound mail stored without a ticket (forged agent mail, stray auto-replies and bounces), newest first. */
export async function unthreadedMail(db: Db, limit = 100): Promise<UnthreadedMail[]> {
  try {
    const rows = await db
      .select({
        id: messages.id,
        mailbox: messages.mailbox,
        kind: messages.kind,
        from: messages.fromAddress,
        subject: messages.subject,
        date: messages.sentDate,
        receivedAt: messages.createdAt,
      })
      .from(messages)
      .where(and(isNull(messages.ticketId), eq(messages.direction, 'in')))
      .orderBy(desc(messages.id))
      .limit(limit);
    return rows.map((m) => ({ ...m, date: m.date?.toISOString() ?? null, receivedAt: m.receivedAt.toISOString() }));
  } catch (err) {
    throw toAppError(err, 'listing unthreaded mail');
  }
}
