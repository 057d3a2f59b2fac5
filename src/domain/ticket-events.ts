import type { SlaMetric } from './sla.js';
import type { ThreadVia } from './threading.js';
import type { MessageKind, Priority, TicketStatus } from './ticket.js';

/** What proved an agent's mail: a reply token, their personal address, or a DKIM/DMARC pass. */
export type AgentVia = 'token' | 'personal' | 'dkim';

/** What each event of a ticket's timeline records (README, "Events"). */
export interface EventData {
  /** `openedBy`: an agent's `#new`; `forwardedBy`: an agent forwarded the customer's mail. */
  created: {
    readonly mailbox: string;
    readonly linkedFrom?: number;
    readonly automatedSender?: readonly string[];
    readonly openedBy?: string;
    readonly forwardedBy?: string;
  };
  /** On a closed ticket whose customer wrote after the reopen window: the ticket that continues it. */
  followed_up: { readonly newTicket: number };
  customer_replied: { readonly via: ThreadVia };
  agent_replied: { readonly via: AgentVia };
  note_added: { readonly via: AgentVia };
  /** `#status deleted`, `tickets delete`: soft-deleted. */
  deleted: Record<string, never>;
  /** This ticket was merged into ticket `into` (its messages and history moved there). */
  merged_into: { readonly into: number };
  /** Ticket `from` was merged into this one. */
  merged: { readonly from: number };
  /** The requester answered the satisfaction mail's question. */
  satisfaction_rated: { readonly rating: 'good' | 'bad'; readonly comment?: string };
  /** The requester replied to the satisfaction mail (the reply is the message of this event). */
  satisfaction_comment: Record<string, never>;
  /** `#spam block`: the requester's address joined the database's blocklist. */
  sender_blocked: { readonly pattern: string };
  /** Mail from a blocked sender (config `senders.block` or the database's list), stored as spam. */
  sender_was_blocked: { readonly pattern: string; readonly source: 'config' | 'database' };
  status_changed: { readonly from: TicketStatus; readonly to: TicketStatus };
  reopened: { readonly from: TicketStatus };
  postponed: { readonly until: string };
  woke_up: Record<string, never>;
  auto_closed: { readonly idleSince: string };
  auto_close_warned: Record<string, never>;
  priority_changed: { readonly from: Priority; readonly to: Priority };
  department_changed: { readonly from: string; readonly to: string };
  assigned: { readonly from: string | null; readonly to: string | null; readonly how?: string };
  tagged: { readonly tag: string };
  untagged: { readonly tag: string };
  participant_added: { readonly address: string };
  participant_removed: { readonly address: string };
  participants_held_back: { readonly addresses: readonly string[]; readonly reason: string };
  rule_applied: { readonly rule: string; readonly why: readonly string[]; readonly then: unknown };
  auto_ack_skipped: { readonly reason: string };
  notice_skipped: { readonly kind: string; readonly reason: string };
  /** Mail that was in the folder before the first start, or a backlog import: the mail it would have caused was not sent. */
  imported: { readonly notSent: readonly string[] };
  forged_agent_mail: { readonly from: string; readonly subject: string; readonly reason: string };
  sla_warning: { readonly metric: SlaMetric; readonly dueAt: string };
  sla_breach: { readonly metric: SlaMetric; readonly dueAt: string };
  auto_reply_received: { readonly reasons: readonly string[]; readonly returnedMessageIds: readonly string[] };
  bounce_received: { readonly reasons: readonly string[]; readonly returnedMessageIds: readonly string[] };
  own_mail_received: { readonly reasons: readonly string[]; readonly returnedMessageIds: readonly string[] };
  send_failed: { readonly outboundMessageId: string; readonly kind: MessageKind; readonly reason: string; readonly via?: 'bounce'; readonly why?: string };
  /** A delay notice names a mail of ours: still being retried, not failed. `status` as the notice gives it (4.4.1…). */
  delivery_delayed: { readonly outboundMessageId: string; readonly kind: MessageKind; readonly recipients: readonly string[]; readonly status: string | null };
  // Notes on a message that was hard to read.
  parse_error: { readonly error: string };
  message_truncated: { readonly size: number; readonly storedBytes: number };
  input_bounded: { readonly adjustments: readonly unknown[] };
  html_dropped: { readonly reason: string };
  attachment_omitted: Readonly<Record<string, unknown>>;
}

export type EventType = keyof EventData;

/**
 * One entry of a ticket's timeline. `onMessage`: it is about the message
 * stored with the same change (the save links them). `ticketId`: it belongs
 * to another ticket than the one changed (e.g. `followed_up`).
 */
export type TicketEvent = {
  [T in EventType]: {
    readonly type: T;
    readonly actor: string;
    readonly data: EventData[T];
    readonly onMessage?: boolean;
    readonly ticketId?: number;
  };
}[EventType];

/** An event of a type, typed by it. */
export function event<T extends EventType>(type: T, actor: string, data: EventData[T], options: { onMessage?: boolean; ticketId?: number } = {}): TicketEvent {
  return { type, actor, data, ...options } as TicketEvent;
}
