import { normalizeAddress } from '../domain/address.js';
import { findTicketTag } from '../domain/subject-tag.js';
import { resolveThread, type ThreadDecision } from '../domain/threading.js';
import type { Config } from '../config/schema.js';
import { replyTokenOf, type Inbound } from './inbound.js';
import type { StoredMessage, UnitOfWork } from './ports.js';

/** A mail already stored, or the ticket it belongs to by the threading order of docs/lifecycle.md. */
export type ThreadLookup = { readonly kind: 'duplicate'; readonly stored: StoredMessage } | Exclude<ThreadDecision, { kind: 'duplicate' }>;

/**
 * Threading, from what the message log knows: a stored Message-ID (or raw
 * hash) is a duplicate; else the reply token (an agent's own, unexpired),
 * In-Reply-To, References, the subject tag. Reads only.
 */
export async function lookUpThread(uow: UnitOfWork, config: Config, tokenKey: Buffer, inbound: Pick<Inbound, 'parsed' | 'rawSha256' | 'classification' | 'now'>, fromAgent: boolean): Promise<ThreadLookup> {
  const { parsed } = inbound;
  const stored = await uow.messages.find(parsed.messageId, inbound.rawSha256);
  if (stored) return { kind: 'duplicate', stored };
  // A bounce or a delay notice names the message it returns: that id is its strongest thread signal.
  const returned = inbound.classification.bounce ?? inbound.classification.delay;
  const inReplyTo = returned ? [...returned.originalMessageIds, ...parsed.inReplyTo] : parsed.inReplyTo;
  const subjectTag = findTicketTag(parsed.subject, config.ticketPrefix);
  const tagged = subjectTag === null ? null : await uow.tickets.findByNumber(subjectTag);
  const token = fromAgent ? replyTokenOf(inbound, config, tokenKey) : null;
  const tokenTicket = token && !token.expired ? await uow.tickets.findByNumber(token.ticketNumber) : null;
  const decision = resolveThread(
    { inReplyTo, references: parsed.references, subjectTag, from: parsed.from?.address ?? null },
    {
      duplicate: false,
      tokenTicketId: tokenTicket?.id ?? null,
      ticketByMessageId: await uow.messages.ticketIdsByMessageIds([...inReplyTo, ...parsed.references]),
      taggedTicket: tagged && { id: tagged.id, participants: new Set((await uow.tickets.participants(tagged.id)).map((p) => normalizeAddress(p.address))) },
    },
  );
  if (decision.kind === 'duplicate') throw new Error('unreachable: duplicates are found above');
  return decision;
}
