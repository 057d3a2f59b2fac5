import { newSlaState } from '../../src/domain/sla.js';
import type { Ticket } from '../../src/domain/ticket.js';

/** A ticket for the pure and use-case tests: open, medium, unassigned, its clock started at `at`; `fields` override. */
export function aTicket(at: Date, fields: Partial<Ticket> = {}): Ticket {
  return {
    id: 7,
    number: 1007,
    status: 'open',
    subject: 'Printer on fire',
    priority: 'medium',
    department: 'general',
    assignee: null,
    tags: [],
    mailbox: 'support',
    requesterId: 1,
    closedAt: null,
    postponedUntil: null,
    lastActivityAt: at,
    lastCustomerMessageAt: at,
    lastAgentReplyAt: null,
    autoCloseWarnedAt: null,
    language: null,
    deletedAt: null,
    mergedIntoId: null,
    satisfactionAskedAt: null,
    sla: newSlaState(at),
    version: 3,
    ...fields,
  };
}
