import { decide } from '../domain/decide.js';
import { initialParticipants } from '../domain/participants.js';
import { newSlaState } from '../domain/sla.js';
import { removeTicketTags } from '../domain/subject-tag.js';
import { carryOut, requesterOf } from './effects.js';
import { actorOf, copiedAddresses, namesOf, noteEvents, onThread, stepResult, storedMessage, type IngestDeps, type Inbound, type StepResult } from './inbound.js';
import { pendingMail } from './outbound-mail.js';
import type { Ticket, UnitOfWork } from './ports.js';
import { ruleOutcome } from './rule-outcome.js';
import { saveChange } from './save-change.js';
import { advanceTicketSla, ticketPolicy } from './sla-policy.js';

/**
 * A customer mail that starts a ticket — or continues `linkedFrom`, closed
 * longer than the reopen window. The ticket is created with the mailbox's
 * priority and department, then decided like any change: participants,
 * rules, acknowledgement, the agents told.
 */
export async function openTicket(deps: IngestDeps, uow: UnitOfWork, inbound: Inbound, linkedFrom: Ticket | null): Promise<StepResult> {
  const config = deps.config();
  const { mailbox, now, parsed } = inbound;
  const requester = requesterOf(inbound);
  const clock = { priority: mailbox.defaultPriority, department: mailbox.department, sla: newSlaState(now) };
  const ticket = await uow.tickets.create({
    subject: removeTicketTags(parsed.subject, config.ticketPrefix) || '(no subject)',
    priority: mailbox.defaultPriority,
    department: mailbox.department,
    requester,
    mailbox: mailbox.name,
    linkedTicketId: linkedFrom?.id ?? null,
    sla: advanceTicketSla(config, clock, [{ type: 'created', at: now }]),
    now,
  });
  const change = {
    type: 'opened',
    actor: actorOf(inbound),
    joined: initialParticipants(requester.address, copiedAddresses(inbound, config), config.limits.participantsPerTicket),
    linkedFrom: linkedFrom && { id: linkedFrom.id, number: linkedFrom.number },
    automatedSender: inbound.classification.suppressAutoResponse ? inbound.classification.reasons : null,
    notes: noteEvents(inbound, config),
    rules: await ruleOutcome(uow.tickets, config, deps.regex, inbound, ticket, 'new'),
  } as const;
  const decision = decide(ticket, change, ticketPolicy(config), now);
  const inboundOnThread = onThread(inbound, ticket.id, 'customer');
  const pending = pendingMail(inboundOnThread);
  // A new ticket's thread is this mail alone: nothing to read.
  pending.threads.set(ticket.id, inboundOnThread ? [inboundOnThread.entry] : []);
  const skipped = await carryOut({ uow, config, now, deps, pending }, decision, { inbound });
  const names = namesOf(inbound);
  const message = storedMessage(inbound, ticket.id, 'customer');
  const saved = await saveChange(uow, { before: ticket, decision, extraEvents: skipped, message, names, pending, now });
  return stepResult(inbound, 'created', ticket.number, null, saved.outboxIds);
}
