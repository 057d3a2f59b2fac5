import { normalizeAddress } from './address.js';
import type { ThreadVia } from './threading.js';

/** What decides whether a customer's mail may add people to a ticket (I9). */
export interface JoinFacts {
  /** How the mail found the ticket. */
  readonly via: ThreadVia;
  /** Its From address; null when it has none. */
  readonly sender: string | null;
  /** The ticket's participants now. */
  readonly participants: ReadonlySet<string>;
  /**
   * Addresses the messages it references (In-Reply-To, References) on this
   * ticket were exchanged with: the recipients of our mail, the sender of theirs.
   */
  readonly correspondents: ReadonlySet<string>;
  /** Its From is proven by a signature (DKIM/DMARC pass, verified by us or our receiving server). */
  readonly senderProven: boolean;
  /** The sender and the To/Cc addresses, ours and our agents' left out. */
  readonly candidates: readonly string[];
  /** At most this many participants per ticket. */
  readonly cap: number;
}

export interface HeldBack {
  readonly addresses: readonly string[];
  readonly reason: string;
}

export interface JoinDecision {
  readonly add: readonly string[];
  readonly heldBack: readonly HeldBack[];
}

/**
 * Who a customer mail on an existing ticket adds as participants — the people
 * who receive the agents' answers. From is written by the sender and proves
 * nothing, so a newcomer is added only by a mail that proves it belongs to the
 * thread: it references a message we exchanged with its sender (our Message-IDs
 * are not guessable), or its From is proven by a signature. A mail matched by
 * its subject tag alone, or referencing a message its sender never had, joins
 * the ticket but adds nobody. The requester is never replaced; the cap holds.
 */
export function decideNewParticipants(facts: JoinFacts): JoinDecision {
  const newcomers = [...new Set(facts.candidates.map(normalizeAddress))].filter((a) => !facts.participants.has(a));
  if (newcomers.length === 0) return { add: [], heldBack: [] };
  const unproven = whyUnproven(facts);
  if (unproven !== null) return { add: [], heldBack: [{ addresses: newcomers, reason: unproven }] };
  const room = Math.max(0, facts.cap - facts.participants.size);
  const add = newcomers.slice(0, room);
  const over = newcomers.slice(room);
  return { add, heldBack: over.length > 0 ? [{ addresses: over, reason: `the ticket has its limit of ${facts.cap} participants` }] : [] };
}

/** Null when the mail proves it belongs to the thread; else why not. */
function whyUnproven(facts: JoinFacts): string | null {
  if (facts.senderProven) return null;
  const sender = facts.sender === null ? null : normalizeAddress(facts.sender);
  if (sender === null) return 'the mail has no sender address';
  if (facts.via === 'subject-tag') return 'it matched the ticket by its subject tag only, which anyone can write';
  if (facts.via === 'token') return null;
  return facts.correspondents.has(sender) ? null : `it references no message we exchanged with ${sender}`;
}

/** Participants a new ticket starts with: the requester first, then To/Cc within the cap. */
export function initialParticipants(requester: string, copies: readonly string[], cap: number): JoinDecision {
  const others = [...new Set(copies.map(normalizeAddress))].filter((a) => a !== normalizeAddress(requester));
  const room = Math.max(0, cap - 1);
  const over = others.slice(room);
  return { add: others.slice(0, room), heldBack: over.length > 0 ? [{ addresses: over, reason: `the ticket has its limit of ${cap} participants` }] : [] };
}
