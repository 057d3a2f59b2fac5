import type { Agent } from '../domain/agents.js';
import { decide } from '../domain/decide.js';
import { LANGUAGES } from '../config/languages/index.js';
import { detectsLanguage } from '../config/template-choice.js';
import { initialParticipants } from '../domain/participants.js';
import { newSlaState } from '../domain/sla.js';
import { removeTicketTags } from '../domain/subject-tag.js';
import { carryOut, requesterOf } from './effects.js';
import { actorOf, copiedAddresses, namesOf, noteEvents, onThread, stepResult, storedMessage, type IngestDeps, type Inbound, type StepResult } from './inbound.js';
import { pendingMail } from './outbound-mail.js';
import type { Config } from '../config/schema.js';
import type { MailAddress } from './parsed-mail.js';
import type { Ticket, UnitOfWork } from './ports.js';
import { ruleOutcome } from './rule-outcome.js';
import { saveChange } from './save-change.js';
import { advanceTicketSla, ticketPolicy } from './sla-policy.js';

/** A new ticket for a mail in its mailbox: the mailbox's priority and department, the subject without ticket tags, the SLA clock started. */
export function createTicket(
  uow: UnitOfWork,
  config: Config,
  inbound: Pick<Inbound, 'mailbox' | 'now' | 'parsed'>,
  requester: MailAddress,
  extra: { readonly linkedTicketId: number | null; readonly language: string | null },
): Promise<Ticket> {
  const { mailbox, now, parsed } = inbound;
  const clock = { priority: mailbox.defaultPriority, department: mailbox.department, sla: newSlaState(now) };
  return uow.tickets.create({
    subject: removeTicketTags(parsed.subject, config.ticketPrefix) || '(no subject)',
    priority: mailbox.defaultPriority,
    department: mailbox.department,
    requester,
    mailbox: mailbox.name,
    ...extra,
    sla: advanceTicketSla(config, clock, [{ type: 'created', at: now }]),
    now,
  });
}

/**
 * A customer mail that starts a ticket — or continues `linkedFrom`, closed
 * longer than the reopen window. The ticket is created with the mailbox's
 * priority and department (and, with `language: auto`, the customer's
 * language), then decided like any change: participants, rules,
 * acknowledgement, the agents told. `forwardedBy`: an agent forwarded the
 * customer's mail to their personal address (`inbound` is then the
 * forwarded original), and the ticket is theirs.
 */
export async function openTicket(deps: IngestDeps, uow: UnitOfWork, inbound: Inbound, linkedFrom: Ticket | null, forwardedBy?: Agent): Promise<StepResult> {
  const config = deps.config();
  const { mailbox, now, parsed } = inbound;
  const requester = requesterOf(inbound);
  const language = detectsLanguage(config, mailbox)
    ? deps.detectLanguage({ contentLanguage: parsed.facts.headers.get('content-language')?.[0] ?? null, text: parsed.text }, LANGUAGES)
    : null;
  const ticket = await createTicket(uow, config, inbound, requester, { linkedTicketId: linkedFrom?.id ?? null, language });
  const change = {
    type: 'opened',
    actor: actorOf(inbound),
    joined: initialParticipants(requester.address, copiedAddresses(inbound, config), config.limits.participantsPerTicket),
    linkedFrom: linkedFrom && { id: linkedFrom.id, number: linkedFrom.number },
    automatedSender: inbound.classification.suppressAutoResponse ? inbound.classification.reasons : null,
    notes: noteEvents(inbound, config),
    rules: await ruleOutcome(uow.tickets, config, deps.regex, inbound, ticket, 'new'),
    ...(forwardedBy ? { forwardedBy } : {}),
    blocked: inbound.blocked ?? null,
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
