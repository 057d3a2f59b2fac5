import { createHash } from 'node:crypto';
import { agentByAddress, type Agent } from '../domain/agents.js';
import { classifyInbound } from '../domain/classify.js';
import { NOT_CHECKED } from '../domain/sender-auth.js';
import { agentMail, type PersonalMail } from './agent-mail.js';
import { blockedSender } from './blocked-sender.js';
import { satisfactionComment, surveyTicketOf } from './satisfaction.js';
import { findForwarded } from './forwarded-mail.js';
import { attachAutomatic } from './automated-mail.js';
import { customerReply } from './customer-reply.js';
import { ownAddresses, personalAddressOf, stepResult, type Inbound, type InboundMail, type IngestDeps, type IngestResult, type StepResult } from './inbound.js';
import { openTicket } from './open-ticket.js';
import type { UnitOfWork } from './ports.js';
import { runChange } from './save-change.js';
import { lookUpThread } from './thread-lookup.js';

export type { InboundMail, IngestDeps, IngestOutcome, IngestResult } from './inbound.js';

/** A mail read, classified and its signatures checked: ready for its transaction. */
export interface PreparedMail {
  readonly inbound: Inbound;
  readonly agent: Agent | null;
  /** An agent's mail to their personal address: what it forwards, read before the transaction. */
  readonly personal: PersonalMail | null;
  /** What its transaction locks: its Message-ID, else its raw hash. */
  readonly key: string;
}

/**
 * Turns one fetched message into a ticket change, in one transaction (see
 * ingestMails). Idempotent (I2): a message already stored changes nothing.
 */
export async function ingestMessage(deps: IngestDeps, mail: InboundMail): Promise<IngestResult> {
  const [result] = await ingestMails(deps, [await prepareMail(deps, mail)]);
  return result!;
}

/**
 * Reads a mail outside any transaction: cut at `limits.maxMessageBytes`,
 * parsed (in the parser's worker threads), classified, and — for the mail
 * whose sender matters — its signatures checked (DNS lookups).
 */
export async function prepareMail(deps: IngestDeps, mail: InboundMail): Promise<PreparedMail> {
  const config = deps.config();
  const mailbox = config.mailboxes.find((m) => m.name === mail.mailbox);
  if (!mailbox) throw new Error(`mailbox "${mail.mailbox}" is not configured`);
  const cap = config.limits.maxMessageBytes;
  const source = mail.source.length > cap ? mail.source.subarray(0, cap) : mail.source;
  const parsed = await deps.parse(source, { maxAttachmentBytes: config.limits.maxAttachmentBytes });
  const classification = classifyInbound(parsed.facts, ownAddresses(config));
  const agent = agentByAddress(config.agents, parsed.from?.address ?? null);
  // An agent's signature matters in the DKIM modes; a customer's for participants and acknowledgements.
  const senderAuth =
    classification.kind === 'customer' && parsed.from && (agent === null || config.agentAuth !== 'token') ? await deps.verifySender(source) : NOT_CHECKED;
  const rawSha256 = createHash('sha256').update(source).digest('hex');
  const blocked = classification.kind === 'customer' && agent === null ? await blockedSender(deps, parsed.from?.address ?? null) : null;
  const inbound: Inbound = { mail, source, rawSha256, truncated: mail.size > source.length, parsed, classification, mailbox, senderAuth, blocked, now: deps.now() };
  const personal = agent && personalAddressOf(inbound, config, deps.tokenKey) ? { forwarded: await findForwarded(parsed, (raw) => deps.parse(raw, { maxAttachmentBytes: config.limits.maxAttachmentBytes }), deps.readForwardedText) } : null;
  return { inbound, agent, personal, key: parsed.messageId ?? rawSha256 };
}

/**
 * Ingests prepared mails in one transaction (group commit): each is
 * threaded, then handed to the use case for what it is — a customer's new
 * ticket or reply, an agent's mail, an auto-reply or bounce — which loads,
 * decides and saves. Either all are stored or none; the outbox rows they
 * wrote are queued after commit (I3), and the caller flags the mails only
 * then (I1). A mail later in the batch sees what the earlier ones stored.
 */
export async function ingestMails(deps: IngestDeps, mails: readonly PreparedMail[]): Promise<IngestResult[]> {
  if (mails.length === 0) return [];
  const { steps } = await runChange(
    deps,
    mails.map((m) => m.key),
    async (uow) => {
      const done: StepResult[] = [];
      for (const mail of mails) done.push(await ingestOne(deps, uow, mail));
      return { steps: done, outboxIds: done.flatMap((s) => s.outboxIds) };
    },
  );
  // Committed: a `#spam block` counts for the very next mail.
  if (steps.some((s) => s.sendersChanged)) deps.blockedSenders.invalidate();
  return mails.map(({ inbound }, i) => {
    const { outcome, kind, ticketNumber, via, outboxIds } = steps[i]!;
    const { parsed, truncated } = inbound;
    return { outcome, kind, ticketNumber, messageId: parsed.messageId, via, parseError: parsed.parseError, truncated, queued: outboxIds.length };
  });
}

async function ingestOne(deps: IngestDeps, uow: UnitOfWork, { inbound, agent, personal }: PreparedMail): Promise<StepResult> {
  const config = deps.config();
  const thread = await lookUpThread(uow, config, deps.tokenKey, inbound, agent !== null);
  if (thread.kind === 'duplicate') return stepResult(inbound, 'duplicate', null, null, []);
  if (inbound.classification.kind !== 'customer') return attachAutomatic(deps, uow, inbound, thread);
  if (agent) return agentMail(deps, uow, inbound, agent, thread, personal);
  // A blocked sender's mail is never a comment: it goes where blocked mail goes.
  const survey = inbound.blocked ? null : surveyTicketOf(inbound, config, deps.tokenKey);
  const comment = survey === null ? null : await satisfactionComment(deps, uow, inbound, survey);
  if (comment) return comment;
  if (thread.kind === 'new') return openTicket(deps, uow, inbound, null);
  return customerReply(deps, uow, inbound, thread.ticketId, thread.via);
}
