import { decide } from '../domain/decide.js';
import type { Priority, TicketStatus } from '../domain/ticket.js';
import type { Config } from '../config/schema.js';
import { carryOut } from './effects.js';
import { completeMerge } from './merge-tickets.js';
import type { ComposeMail, Logger, OutboxQueue, Store } from './ports.js';
import { runChange, saveChange } from './save-change.js';
import { pendingMail } from './outbound-mail.js';
import { ticketPolicy } from './sla-policy.js';

export interface TicketChanges {
  readonly priority?: Priority;
  readonly status?: TicketStatus;
  /** An agent's address, name or the local part of the address (one meaning, as `#assign`); null unassigns. */
  readonly assignee?: string | null;
  /** `tickets delete`: soft-delete. */
  readonly delete?: boolean;
  /** `tickets merge A B`: merge this ticket into ticket B (its number). */
  readonly mergeInto?: number;
}

export type ManageResult = { ok: true; events: string[] } | { ok: false; reason: string };

export interface ChangeTicketDeps {
  readonly store: Store;
  readonly config: Config;
  readonly now: () => Date;
  readonly log: Logger;
  /** The mail a change causes (an assignment notice, the resolved notice) is rendered into the outbox… */
  readonly compose: ComposeMail;
  readonly tokenKey: Buffer;
  /** …and queued when a queue is at hand; else the running daemon's reconciler sends it. */
  readonly outbox?: OutboxQueue;
}

/**
 * `helpdesk tickets set|delete|merge`: priority, status, assignee, soft
 * delete, merge (actor `cli`) — decided as an agent's commands are, with
 * events, the SLA clock moved, and the mail they cause.
 */
export async function changeTicket(deps: ChangeTicketDeps, number: number, changes: TicketChanges): Promise<ManageResult> {
  const result = await runChange(deps, `ticket-number:${number}`, async (uow) => {
    const ticket = await uow.tickets.findByNumber(number);
    if (!ticket) return { result: { ok: false, reason: `no ticket #${number}` } as ManageResult, outboxIds: [] };
    const now = deps.now();
    const { mergeInto, ...rest } = changes;
    const change = { type: 'cli', ...rest, ...(mergeInto !== undefined ? { mergeInto: { number: mergeInto, target: await uow.tickets.findByNumber(mergeInto) } } : {}) } as const;
    const decision = decide(ticket, change, ticketPolicy(deps.config), now);
    if (decision.problems.length > 0) return { result: { ok: false, reason: decision.problems.join('; ') } as ManageResult, outboxIds: [] };
    if (decision.events.length === 0) return { result: { ok: true, events: [] } as ManageResult, outboxIds: [] };
    const pending = pendingMail();
    const skipped = await carryOut({ uow, config: deps.config, now, deps, pending }, decision);
    const merged = await completeMerge(uow, deps.config, ticket, decision, 'cli', now);
    const saved = await saveChange(uow, { before: ticket, decision, extraEvents: skipped, pending, now });
    return { result: { ok: true, events: decision.events.map((e) => e.type) } as ManageResult, outboxIds: [...saved.outboxIds, ...merged] };
  });
  return result.result;
}
