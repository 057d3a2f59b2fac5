import { fullMessageId } from './message-keys.js';
import { redactReplyToken } from '../../usecases/reply-token.js';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
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
  messages: { direction: string; kind: string; from: string | null; to: string[]; subject: string; text: string; messageId: string | null; createdAt: string }[];
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

/** The work queue ("to solve"): New and Open tickets, nearest SLA due time first, then longest waiting. */
export async function ticketsToSolve(db: Db, limit = 1000): Promise<(TicketSummary & { nextDueAt: string | null; waitingSince: string | null })[]> {
  try {
    const nextDue = sql<Date | null>`least(${tickets.firstResponseDueAt}, ${tickets.nextResponseDueAt}, ${tickets.resolutionDueAt})`;
    const rows = await db
      .select({ ...summaryColumns, nextDueAt: nextDue })
      .from(tickets)
      .innerJoin(contacts, eq(contacts.id, tickets.requesterId))
      .where(inArray(tickets.status, ['new', 'open']))
      .orderBy(sql`${nextDue} asc nulls last`, sql`${tickets.lastCustomerMessageAt} asc nulls last`, asc(tickets.number))
      .limit(limit);
    return rows.map((row) => ({
      ...toSummary(row),
      nextDueAt: row.nextDueAt ? new Date(row.nextDueAt).toISOString() : null,
      waitingSince: row.lastCustomerMessageAt?.toISOString() ?? null,
    }));
  } catch (err) {
    throw toAppError(err, 'listing tickets to solve');
  }
}

/** Tickets, newest first; optionally only some statuses. */
export async function listTickets(db: Db, filter: { statuses?: readonly TicketStatus[]; limit?: number } = {}): Promise<TicketSummary[]> {
  try {
    const rows = await db
      .select(summaryColumns)
      .from(tickets)
      .innerJoin(contacts, eq(contacts.id, tickets.requesterId))
      .where(filter.statuses?.length ? inArray(tickets.status, [...filter.statuses]) : undefined)
      .orderBy(desc(tickets.number))
      .limit(filter.limit ?? 1000);
    return rows.map((row) => toSummary(row));
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
