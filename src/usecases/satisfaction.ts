import { decide } from '../domain/decide.js';
import type { Config } from '../config/schema.js';
import { actorOf, ownAddresses, stepResult, storedMessage, type IngestDeps, type Inbound, type StepResult } from './inbound.js';
import { pendingMail } from './outbound-mail.js';
import type { Logger, Store, UnitOfWork } from './ports.js';
import { runChange, saveChange } from './save-change.js';
import { satisfactionTicketOf, verifySatisfactionToken } from './satisfaction-token.js';
import { ticketPolicy } from './sla-policy.js';

/** A comment beyond this many characters is cut (it is the customer's, and shown to agents). */
export const MAX_COMMENT_CHARS = 2000;

export type SatisfactionResult = { readonly ok: true; readonly ticketNumber: number } | { readonly ok: false; readonly reason: string };

/**
 * The requester's answer to "How did we do?", from the satisfaction page:
 * recorded as a `satisfaction_rated` event when the token is one we made for
 * a ticket whose requester was asked; a later answer counts over an earlier one.
 */
export async function recordSatisfaction(
  deps: { readonly store: Store; readonly config: () => Config; readonly now: () => Date; readonly log: Logger; readonly tokenKey: Buffer },
  token: string,
  rating: 'good' | 'bad',
  comment: string | null,
): Promise<SatisfactionResult> {
  const number = verifySatisfactionToken(deps.tokenKey, token);
  if (number === null) return { ok: false, reason: 'this link is not valid' };
  const text = comment?.trim().slice(0, MAX_COMMENT_CHARS) || null;
  const { result } = await runChange(deps, `ticket-number:${number}`, async (uow) => {
    const ticket = await uow.tickets.findByNumber(number);
    if (!ticket || ticket.deletedAt !== null || ticket.mergedIntoId !== null || ticket.satisfactionAskedAt === null) {
      return { result: { ok: false, reason: 'this ticket takes no answer' } as SatisfactionResult, outboxIds: [] };
    }
    const now = deps.now();
    const requester = await uow.tickets.requester(ticket.id);
    const decision = decide(ticket, { type: 'satisfaction', actor: `customer:${requester.address}`, rating, comment: text }, ticketPolicy(deps.config()), now);
    await saveChange(uow, { before: ticket, decision, pending: pendingMail(), now });
    return { result: { ok: true, ticketNumber: number } as SatisfactionResult, outboxIds: [] };
  });
  deps.log.info({ ticket: number, rating, ok: result.ok }, result.ok ? 'satisfaction answer recorded' : 'satisfaction answer refused');
  return result;
}

/** The ticket a customer's mail comments on: sent to the satisfaction address of its survey mail. */
export function surveyTicketOf(inbound: Pick<Inbound, 'parsed'>, config: Config, tokenKey: Buffer): number | null {
  const recipients = [...inbound.parsed.to, ...inbound.parsed.cc].map((a) => a.address);
  return satisfactionTicketOf(tokenKey, recipients, ownAddresses(config));
}

/**
 * A reply to the satisfaction mail: kept on the ticket as the customer's
 * comment (`satisfaction_comment`), the ticket unmoved and nobody mailed.
 * Null when the ticket is gone: the mail is then handled as any other.
 */
export async function satisfactionComment(deps: IngestDeps, uow: UnitOfWork, inbound: Inbound, number: number): Promise<StepResult | null> {
  const ticket = await uow.tickets.findByNumber(number);
  if (!ticket || ticket.deletedAt !== null || ticket.mergedIntoId !== null) return null;
  const decision = decide(ticket, { type: 'satisfaction_comment', actor: actorOf(inbound) }, ticketPolicy(deps.config()), inbound.now);
  const saved = await saveChange(uow, { before: ticket, decision, message: storedMessage(inbound, ticket.id, 'customer'), pending: pendingMail(), now: inbound.now });
  return stepResult(inbound, 'appended', ticket.number, null, saved.outboxIds);
}
