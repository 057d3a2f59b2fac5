import { findAgent } from '../domain/agents.js';
import { decideTransition } from '../domain/lifecycle.js';
import type { Priority, TicketStatus } from '../domain/ticket.js';
import type { Config } from '../config/schema.js';
import type { NewEvent, TicketPatch, TicketStore } from './ports.js';
import { advanceTicketSla } from './sla-policy.js';

export interface TicketChanges {
  readonly priority?: Priority;
  readonly status?: TicketStatus;
  /** An agent's email or name; null unassigns. */
  readonly assignee?: string | null;
}

export type ManageResult = { ok: true; events: string[] } | { ok: false; reason: string };

/**
 * Changes a ticket from the command line (actor `cli`): priority, status,
 * assignee — with events and the SLA clock moved, as an agent's commands would.
 */
export async function changeTicket(
  deps: { store: TicketStore; config: Config; now: () => Date },
  number: number,
  changes: TicketChanges,
): Promise<ManageResult> {
  const { config } = deps;
  return deps.store.ingestTransaction(`ticket-number:${number}`, async (tx) => {
    const found = await tx.ticketByNumber(number);
    if (!found) return { ok: false, reason: `no ticket #${number}` };
    const ticket = await tx.ticketById(found.ticket.id);
    const now = deps.now();
    const events: NewEvent[] = [];
    const patch: { -readonly [K in keyof TicketPatch]: TicketPatch[K] } = { now };
    let current = ticket;
    if (changes.assignee !== undefined) {
      const agent = changes.assignee === null ? null : findAgent(config.agents, changes.assignee);
      if (changes.assignee !== null && !agent) return { ok: false, reason: `no agent "${changes.assignee}" in the config (give an address, a name or the local part of an address; one agent only)` };
      patch.assignee = agent?.email ?? null;
      events.push({ ticketId: ticket.id, type: 'assigned', actor: 'cli', data: { from: ticket.assignee, to: patch.assignee } });
      current = { ...current, assignee: patch.assignee };
    }
    if (changes.priority && changes.priority !== ticket.priority) {
      patch.priority = changes.priority;
      events.push({ ticketId: ticket.id, type: 'priority_changed', actor: 'cli', data: { from: ticket.priority, to: changes.priority } });
      current = { ...current, priority: changes.priority };
    }
    if (changes.status) {
      const t = decideTransition(ticket.status, { type: 'agent_set_status', status: changes.status }, { now, closedAt: ticket.closedAt, reopenWindowMs: config.reopenWindow });
      if (t.kind === 'changed') {
        Object.assign(patch, { status: t.to, closedAt: t.to === 'closed' ? now : null, postponedUntil: null, lastActivityAt: now });
        events.push({ ticketId: ticket.id, type: 'status_changed', actor: 'cli', data: { from: t.from, to: t.to } });
        current = { ...current, status: t.to };
      }
    }
    if (events.length === 0) return { ok: true, events: [] };
    patch.sla = advanceTicketSla(config, current, current.status !== ticket.status ? [{ type: 'status', status: current.status, at: now }] : []);
    await tx.updateTicket(ticket.id, patch);
    await tx.insertEvents(events, now);
    return { ok: true, events: events.map((e) => e.type) };
  });
}
