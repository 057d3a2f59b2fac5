import { normalizeAddress, withoutSubaddress } from '../domain/address.js';
import { decide, type Participant } from '../domain/decide.js';
import { decideNewParticipants, type JoinDecision } from '../domain/participants.js';
import type { ThreadVia } from '../domain/threading.js';
import type { Config } from '../config/schema.js';
import { carryOut } from './effects.js';
import { actorOf, copiedAddresses, internalAddresses, namesOf, noteEvents, onThread, stepResult, storedMessage, type IngestDeps, type Inbound, type StepResult } from './inbound.js';
import { loadFollowingMerges } from './merge-tickets.js';
import { openTicket } from './open-ticket.js';
import { pendingMail } from './outbound-mail.js';
import type { UnitOfWork } from './ports.js';
import { ruleOutcome } from './rule-outcome.js';
import { saveChange } from './save-change.js';
import { senderProven } from './sender-proof.js';
import { ticketPolicy } from './sla-policy.js';

/**
 * What happens when a customer replies to their ticket.
 *
 * 1. Load the ticket and who is on it.
 * 2. Work out whom the mail may add (domain/participants.ts): only a mail
 *    that proves it belongs to the thread adds anyone.
 * 3. Run the rules on it (rule-outcome.ts).
 * 4. decide() (domain/decide.ts, `customer_message`): the lifecycle table
 *    moves the status — Answered, Resolved or Postponed become Open, a Closed
 *    ticket reopens inside the reopen window; after it, a new ticket linked to
 *    this one takes the mail (open-ticket.ts) — the next-response clock
 *    starts, the rules apply, and the agents are to hear of it.
 * 5. Render that mail (effects.ts) and save everything in one save,
 *    conditional on the version loaded: if the ticket changed meanwhile, the
 *    whole change is decided again (save-change.ts, runChange).
 */
export async function customerReply(deps: IngestDeps, uow: UnitOfWork, inbound: Inbound, ticketId: number, via: ThreadVia): Promise<StepResult> {
  const config = deps.config();
  const now = inbound.now;
  const ticket = await loadFollowingMerges(uow, ticketId);
  // A deleted ticket is gone for the customer too: their mail starts a new one.
  if (ticket.deletedAt !== null) return openTicket(deps, uow, inbound, null);
  const participants = await uow.tickets.participants(ticket.id);
  const change = {
    type: 'customer_message',
    actor: actorOf(inbound),
    via,
    joined: await whoJoins(uow, config, inbound, ticket.id, via, participants),
    notes: noteEvents(inbound, config),
    rules: await ruleOutcome(uow.tickets, config, deps.regex, inbound, ticket, 'customerReply'),
    blocked: inbound.blocked ?? null,
  } as const;
  const decision = decide(ticket, change, ticketPolicy(config), now);
  if (decision.effects.some((e) => e.type === 'open_linked_ticket')) return openTicket(deps, uow, inbound, ticket);

  const pending = pendingMail(onThread(inbound, ticket.id, 'customer'));
  const skipped = await carryOut({ uow, config, now, deps, pending }, decision, { inbound });
  const message = storedMessage(inbound, ticket.id, 'customer');
  const saved = await saveChange(uow, { before: ticket, decision, extraEvents: skipped, message, names: namesOf(inbound), pending, now });
  return stepResult(inbound, 'appended', ticket.number, via, saved.outboxIds);
}

/** The sender and the people copied, where the mail proves it belongs to the thread (I9); the requester is never replaced. */
async function whoJoins(uow: UnitOfWork, config: Config, inbound: Inbound, ticketId: number, via: ThreadVia, participants: readonly Participant[]): Promise<JoinDecision> {
  const sender = inbound.parsed.from?.address ?? null;
  const internal = internalAddresses(config);
  const candidates = [...(sender && !internal.has(withoutSubaddress(sender)) ? [normalizeAddress(sender)] : []), ...copiedAddresses(inbound, config)];
  const present = new Set(participants.map((p) => normalizeAddress(p.address)));
  if (candidates.every((a) => present.has(a))) return { add: [], heldBack: [] };
  const referenced = [...inbound.parsed.inReplyTo, ...inbound.parsed.references];
  return decideNewParticipants({
    via,
    sender,
    participants: present,
    correspondents: via === 'in-reply-to' || via === 'references' ? await uow.messages.correspondents(ticketId, referenced) : new Set(),
    senderProven: senderProven(inbound, config),
    candidates,
    cap: config.limits.participantsPerTicket,
  });
}
