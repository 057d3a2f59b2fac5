import type { SlaState } from './sla.js';

/** The standard helpdesk statuses (docs/lifecycle.md). */
export const TICKET_STATUSES = ['new', 'open', 'answered', 'postponed', 'resolved', 'closed', 'spam'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** What a stored message is, from the ticket's point of view. */
export const MESSAGE_KINDS = [
  'customer',
  'agent_reply',
  'note',
  'auto_ack',
  /** An automated notice to the customer that answers no mail of theirs (auto-close, its warning). */
  'auto_notice',
  'notification',
  'auto_reply',
  'bounce',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];


export function isTicketStatus(value: string): value is TicketStatus {
  return (TICKET_STATUSES as readonly string[]).includes(value);
}

/**
 * A ticket: what decide() reads and returns. `version` is the one it was
 * loaded at; a save succeeds only while the stored ticket is still at it.
 */
export interface Ticket {
  readonly id: number;
  readonly number: number;
  readonly status: TicketStatus;
  readonly subject: string;
  readonly priority: Priority;
  readonly department: string;
  readonly assignee: string | null;
  readonly tags: readonly string[];
  readonly mailbox: string;
  readonly requesterId: number;
  readonly closedAt: Date | null;
  readonly postponedUntil: Date | null;
  readonly lastActivityAt: Date;
  readonly lastCustomerMessageAt: Date | null;
  readonly lastAgentReplyAt: Date | null;
  /** When the requester was told the ticket will close for inactivity (auto-close's warning). */
  readonly autoCloseWarnedAt: Date | null;
  /** The language of mail to the customer, chosen when the ticket opened (`language: auto`); null: the mailbox's. */
  readonly language: string | null;
  /** Soft-deleted: hidden from lists, purged after `retention.deleted`; mail on its thread starts a new ticket. */
  readonly deletedAt: Date | null;
  /** Merged into this ticket (its id): mail on this one's thread lands there. */
  readonly mergedIntoId: number | null;
  /** When the requester was asked how we did: at most once per ticket. */
  readonly satisfactionAskedAt: Date | null;
  /** The SLA clock (domain/sla.ts). */
  readonly sla: SlaState;
  readonly version: number;
}
