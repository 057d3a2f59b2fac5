import { decide } from '../domain/decide.js';
import type { Priority, TicketStatus } from '../domain/ticket.js';
import type { Config } from '../config/schema.js';
import type { Logger, Store } from './ports.js';
import { runChange, saveChange } from './save-change.js';
import { pendingMail } from './outbound-mail.js';
import { ticketPolicy } from './sla-policy.js';

export interface TicketChanges {
  readonly priority?: Priority;
  readonly status?: TicketStatus;
  /** An agent's address, name or the local part of the address (one meaning, as `#assign`); null unassigns. */
  readonly assignee?: string | null;
}

export type ManageResult = { ok: true; events: string[] } | { ok: false; reason: string };

/**
 * `helpdesk tickets set`: priority, status, assignee (actor `cli`) — decided
 * as an agent's commands are, with events and the SLA clock moved.
 */
export async function changeTicket(
  deps: { readonly store: Store; readonly config: Config; readonly now: () => Date; readonly log: Logger },
  number: number,
  changes: TicketChanges,
): Promise<ManageResult> {
  const result = await runChange(deps, `ticket-number:${number}`, async (uow) => {
    const ticket = await uow.tickets.findByNumber(number);
    if (!ticket) return { result: { ok: false, reason: `no ticket #${number}` } as ManageResult, outboxIds: [] };
    const now = deps.now();
    const decision = decide(ticket, { type: 'cli', ...changes }, ticketPolicy(deps.config), now);
    if (decision.problems.length > 0) return { result: { ok: false, reason: decision.problems.join('; ') } as ManageResult, outboxIds: [] };
    if (decision.events.length === 0) return { result: { ok: true, events: [] } as ManageResult, outboxIds: [] };
    const saved = await saveChange(uow, { before: ticket, decision, pending: pendingMail(), now });
    return { result: { ok: true, events: decision.events.map((e) => e.type) } as ManageResult, outboxIds: saved.outboxIds };
  });
  return result.result;
}
