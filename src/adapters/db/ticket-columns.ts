import type { TicketRecord } from '../../usecases/ports.js';
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
  lastActivityAt: tickets.lastActivityAt,
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
  status: TicketRecord['status'];
  subject: string;
  priority: TicketRecord['priority'];
  department: string;
  assignee: string | null;
  tags: string[];
  mailbox: string;
  requesterId: number;
  closedAt: Date | null;
  lastActivityAt: Date;
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

/** A ticket row as the use cases see it: the SLA columns gathered into its clock. */
export function toTicketRecord(row: TicketRow): TicketRecord {
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
    lastActivityAt: row.lastActivityAt,
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


