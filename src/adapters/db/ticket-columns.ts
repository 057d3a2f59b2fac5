import type { Ticket } from '../../domain/ticket.js';
import { slaColumns } from './sla-columns.js';
import { tickets } from './schema.js';

export const ticketColumns = {
  id: tickets.id,
  number: tickets.number,
  status: tickets.status,
  subject: tickets.subject,
  priority: tickets.priority,
  department: tickets.department,
  assignee: tickets.assignee,
  tags: tickets.tags,
  mailbox: tickets.mailbox,
  requesterId: tickets.requesterId,
  closedAt: tickets.closedAt,
  postponedUntil: tickets.postponedUntil,
  lastActivityAt: tickets.lastActivityAt,
  lastCustomerMessageAt: tickets.lastCustomerMessageAt,
  lastAgentReplyAt: tickets.lastAgentReplyAt,
  autoCloseWarnedAt: tickets.autoCloseWarnedAt,
  language: tickets.language,
  deletedAt: tickets.deletedAt,
  mergedIntoId: tickets.mergedIntoId,
  satisfactionAskedAt: tickets.satisfactionAskedAt,
  version: tickets.version,
  createdAt: tickets.createdAt,
  firstRespondedAt: tickets.firstRespondedAt,
  waitingSince: tickets.waitingSince,
  slaElapsedMs: tickets.slaElapsedMs,
  slaRunningSince: tickets.slaRunningSince,
  slaStopped: tickets.slaStopped,
  firstResponseDueAt: tickets.firstResponseDueAt,
  nextResponseDueAt: tickets.nextResponseDueAt,
  resolutionDueAt: tickets.resolutionDueAt,
};

interface TicketRow {
  id: number;
  number: number;
  status: Ticket['status'];
  subject: string;
  priority: Ticket['priority'];
  department: string;
  assignee: string | null;
  tags: string[];
  mailbox: string;
  requesterId: number;
  closedAt: Date | null;
  postponedUntil: Date | null;
  lastActivityAt: Date;
  lastCustomerMessageAt: Date | null;
  lastAgentReplyAt: Date | null;
  autoCloseWarnedAt: Date | null;
  language: string | null;
  deletedAt: Date | null;
  mergedIntoId: number | null;
  satisfactionAskedAt: Date | null;
  version: number;
  createdAt: Date;
  firstRespondedAt: Date | null;
  waitingSince: Date | null;
  slaElapsedMs: number;
  slaRunningSince: Date | null;
  slaStopped: boolean;
  firstResponseDueAt: Date | null;
  nextResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
}

/** A ticket row as the domain sees it: the SLA columns gathered into its clock. */
export function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    subject: row.subject,
    priority: row.priority,
    department: row.department,
    assignee: row.assignee,
    tags: row.tags,
    mailbox: row.mailbox,
    requesterId: row.requesterId,
    closedAt: row.closedAt,
    postponedUntil: row.postponedUntil,
    lastActivityAt: row.lastActivityAt,
    lastCustomerMessageAt: row.lastCustomerMessageAt,
    lastAgentReplyAt: row.lastAgentReplyAt,
    autoCloseWarnedAt: row.autoCloseWarnedAt,
    language: row.language,
    deletedAt: row.deletedAt,
    mergedIntoId: row.mergedIntoId,
    satisfactionAskedAt: row.satisfactionAskedAt,
    version: row.version,
    sla: {
      createdAt: row.createdAt,
      firstRespondedAt: row.firstRespondedAt,
      waitingSince: row.waitingSince,
      resolutionElapsedMs: row.slaElapsedMs,
      resolutionRunningSince: row.slaRunningSince,
      stopped: row.slaStopped,
      firstResponseDueAt: row.firstResponseDueAt,
      nextResponseDueAt: row.nextResponseDueAt,
      resolutionDueAt: row.resolutionDueAt,
    },
  };
}

/** The columns a change altered: what a save writes. */
export function changedColumns(before: Ticket, after: Ticket) {
  const columns = {
    status: after.status,
    subject: after.subject,
    priority: after.priority,
    department: after.department,
    assignee: after.assignee,
    tags: [...after.tags],
    closedAt: after.closedAt,
    postponedUntil: after.postponedUntil,
    lastActivityAt: after.lastActivityAt,
    lastCustomerMessageAt: after.lastCustomerMessageAt,
    lastAgentReplyAt: after.lastAgentReplyAt,
    autoCloseWarnedAt: after.autoCloseWarnedAt,
    deletedAt: after.deletedAt,
    mergedIntoId: after.mergedIntoId,
    satisfactionAskedAt: after.satisfactionAskedAt,
    ...slaColumns(after.sla),
  };
  const old: Record<string, unknown> = {
    status: before.status,
    subject: before.subject,
    priority: before.priority,
    department: before.department,
    assignee: before.assignee,
    tags: [...before.tags],
    closedAt: before.closedAt,
    postponedUntil: before.postponedUntil,
    lastActivityAt: before.lastActivityAt,
    lastCustomerMessageAt: before.lastCustomerMessageAt,
    lastAgentReplyAt: before.lastAgentReplyAt,
    autoCloseWarnedAt: before.autoCloseWarnedAt,
    deletedAt: before.deletedAt,
    mergedIntoId: before.mergedIntoId,
    satisfactionAskedAt: before.satisfactionAskedAt,
    ...slaColumns(before.sla),
  };
  return Object.fromEntries(Object.entries(columns).filter(([key, value]) => !same(value, old[key]))) as Partial<typeof columns>;
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
