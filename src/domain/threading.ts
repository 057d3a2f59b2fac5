import { normalizeAddress } from './address.js';

/** The thread signals read from one inbound message. */
export interface ThreadSignals {
  readonly inReplyTo: readonly string[];
  /** In header order, oldest first (RFC 5322 §3.6.4). */
  readonly references: readonly string[];
  /** Ticket number from the subject tag, if any. */
  readonly subjectTag: number | null;
  readonly from: string | null;
}

/** What the store knows about those signals, looked up by the use case. */
export interface ThreadFacts {
  /** The Message-ID (or raw hash) is already stored. */
  readonly duplicate: boolean;
  /** Ticket id named by a verified reply token in a recipient address. */
  readonly tokenTicketId: number | null;
  /** Stored message ids among In-Reply-To/References, mapped to their ticket id. */
  readonly ticketByMessageId: ReadonlyMap<string, number>;
  /** The ticket the subject tag names, with its participants' addresses; null if no such ticket. */
  readonly taggedTicket: { readonly id: number; readonly participants: ReadonlySet<string> } | null;
}

export type ThreadVia = 'token' | 'in-reply-to' | 'references' | 'subject-tag';

export type ThreadDecision =
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'existing'; readonly ticketId: number; readonly via: ThreadVia }
  | { readonly kind: 'new'; readonly reason: 'no-signal' | 'tag-sender-not-participant' };

/**
 * Decides which ticket a message belongs to, in the order of docs/lifecycle.md: duplicate,
 * reply token, In-Reply-To, References newest first, subject tag (only when the
 * sender is a participant of that ticket), else a new ticket.
 */
export function resolveThread(signals: ThreadSignals, facts: ThreadFacts): ThreadDecision {
  if (facts.duplicate) return { kind: 'duplicate' };
  if (facts.tokenTicketId !== null) return { kind: 'existing', ticketId: facts.tokenTicketId, via: 'token' };

  for (const id of signals.inReplyTo) {
    const ticketId = facts.ticketByMessageId.get(id);
    if (ticketId) return { kind: 'existing', ticketId, via: 'in-reply-to' };
  }
  for (const id of [...signals.references].reverse()) {
    const ticketId = facts.ticketByMessageId.get(id);
    if (ticketId) return { kind: 'existing', ticketId, via: 'references' };
  }

  if (signals.subjectTag !== null && facts.taggedTicket) {
    const sender = signals.from ? normalizeAddress(signals.from) : null;
    if (sender && facts.taggedTicket.participants.has(sender)) {
      return { kind: 'existing', ticketId: facts.taggedTicket.id, via: 'subject-tag' };
    }
    return { kind: 'new', reason: 'tag-sender-not-participant' };
  }
  return { kind: 'new', reason: 'no-signal' };
}
