/** The standard helpdesk statuses (DESIGN.md, "Ticket lifecycle"). */
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
