import { decide, type Decision } from '../domain/decide.js';
import type { Config } from '../config/schema.js';
import { pendingMail } from './outbound-mail.js';
import type { Ticket, UnitOfWork } from './ports.js';
import { saveChange } from './save-change.js';
import { ticketPolicy } from './sla-policy.js';

/**
 * A change that merges `merged` into another ticket (its `merge` effect),
 * before that change is saved: the messages, events and people so far move to
 * the survivor, and the survivor records the merge. The merged ticket keeps
 * only what the merge itself writes (the `merged_into` event, its closing, the
 * agent's mail that asked for it). Same transaction as the change. Mail on
 * either old thread then lands on the survivor: by Message-ID (the messages
 * moved), and by subject tag or reply token (the merged ticket points to it).
 */
export async function completeMerge(uow: UnitOfWork, config: Config, merged: Ticket, decision: Decision, actor: string, now: Date): Promise<readonly number[]> {
  const merge = decision.effects.find((e) => e.type === 'merge');
  if (!merge) return [];
  await uow.tickets.moveHistory(merged.id, merge.into.id);
  const survivor = await uow.tickets.load(merge.into.id);
  const change = decide(survivor, { type: 'merged_in', actor, from: { number: merged.number, tags: merged.tags } }, ticketPolicy(config), now);
  const { outboxIds } = await saveChange(uow, { before: survivor, decision: change, pending: pendingMail(), now });
  return outboxIds;
}

/** The ticket mail on `ticketId`'s thread belongs to: itself, or the ticket it was merged into (and so on). */
export async function loadFollowingMerges(uow: UnitOfWork, ticketId: number): Promise<Ticket> {
  let ticket = await uow.tickets.load(ticketId);
  for (let hops = 0; ticket.mergedIntoId !== null && hops < 20; hops++) ticket = await uow.tickets.load(ticket.mergedIntoId);
  return ticket;
}
