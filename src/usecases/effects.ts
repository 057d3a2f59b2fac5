import { agentByAddress, agentsOfTicket } from '../domain/agents.js';
import { safeFilename } from '../domain/attachment-name.js';
import { normalizeCid } from '../domain/content-id.js';
import { formatLocal } from '../domain/business-time.js';
import { phrasesOf, templateFor, type TemplatePlace } from '../config/template-choice.js';
import { calendarOf } from './sla-policy.js';
import { satisfactionAddress, satisfactionToken } from './satisfaction-token.js';
import type { Decision, Effect, Participant } from '../domain/decide.js';
import { event, type TicketEvent } from '../domain/ticket-events.js';
import type { Ticket } from '../domain/ticket.js';
import { confirmationNotice, customerMessageNotice, forgeryNotice } from './agent-notices.js';
import type { Inbound } from './inbound.js';
import {
  acknowledge,
  automatedVars,
  autoRespond,
  agentPlace,
  customerPlace,
  customerRecipients,
  escapeHtml,
  GENERATED_HEADERS,
  mailboxOf,
  notifyAgent,
  queueTicketMail,
  renderNamed,
  ticketVars,
  type MailContext,
} from './outbound-mail.js';
import type { MailAddress, ParsedAttachment } from './parsed-mail.js';
import type { OutboundAttachment } from './ports.js';
import { RULE_BODY_LIMIT } from './rule-outcome.js';

/** What the effects of a change may need besides the ticket. */
export interface EffectFacts {
  /** The inbound mail the change is about. */
  readonly inbound?: Inbound;
  /** Who is on the ticket after the change (the recipients of a relayed answer). */
  readonly participants?: readonly Participant[];
}

const CUSTOMER = { kind: 'customer', suppressAutoResponse: false, reasons: [] } as const;

/**
 * Renders the mail a decision causes into the change's pending outbox, in
 * the order decided. Returns the events of mail that was not sent (a ceiling,
 * a forged sender), to be saved with the change.
 */
export async function carryOut(ctx: MailContext, decision: Decision, facts: EffectFacts = {}): Promise<TicketEvent[]> {
  if (facts.inbound?.mail.existing) {
    // Old mail, imported: the ticket and its history are kept, nobody is mailed about it now.
    return [event('imported', 'system', { notSent: decision.effects.map((e) => e.type) }, { onMessage: true })];
  }
  const skipped: TicketEvent[] = [];
  for (const effect of decision.effects) {
    const events = await carryOutOne(ctx, decision.ticket, effect, facts);
    skipped.push(...events);
  }
  return skipped;
}

async function carryOutOne(ctx: MailContext, ticket: Ticket, effect: Effect, facts: EffectFacts): Promise<TicketEvent[]> {
  const { inbound } = facts;
  switch (effect.type) {
    case 'acknowledge': {
      const notSent = await acknowledge(ctx, need(inbound), ticket, requesterOf(need(inbound)));
      return notSent ? [event('auto_ack_skipped', 'system', { reason: notSent }, { onMessage: true })] : [];
    }
    case 'notify_agents': {
      const { parsed } = need(inbound);
      const place = agentPlace(ctx.config, ticket);
      const carried = carriedAttachments(parsed.attachments, ctx.config.notifications.attachmentsMaxBytes);
      const notice = customerMessageNotice(templateOrThrow(ctx, 'agentNotification', place), ticketVars(ctx, ticket, parsed.from), phrasesOf(place.language), {
        kind: effect.about,
        from: parsed.from,
        text: parsed.text,
        html: parsed.html === null || !ctx.deps.mailHtml ? null : ctx.deps.mailHtml.forAgents(parsed.html),
        attachments: parsed.attachments,
        carried: carried.map((a) => a.sha256),
        fetchCommand: `helpdesk attachments ${ticket.number}`,
        heldBack: effect.heldBack,
      });
      for (const address of effect.to) {
        const agent = agentByAddress(ctx.config.agents, address);
        if (agent) await notifyAgent(ctx, ticket, agent, notice.subject, notice.text, { ...(notice.html ? { html: notice.html } : {}), attachments: carried });
      }
      return [];
    }
    case 'relay_reply':
      await relayReply(ctx, ticket, effect, need(inbound), facts.participants ?? []);
      return [];
    case 'assignment_notice': {
      const place = agentPlace(ctx.config, ticket);
      const by = effect.by.startsWith('agent:') ? effect.by.slice('agent:'.length) : effect.by.startsWith('rule:') ? `rule "${effect.by.slice('rule:'.length)}"` : effect.by === 'cli' ? 'the command line' : effect.by;
      const vars = { ...ticketVars(ctx, ticket, null), 'agent.name': effect.agent.name, 'agent.email': effect.agent.email, 'assigned.by': by };
      const { subject, text } = renderNamed(ctx.config, 'assigned', { ...vars, 'ticket.tag': undefined }, place);
      await notifyAgent(ctx, ticket, effect.agent, subject, text);
      return [];
    }
    case 'block_sender':
      await ctx.uow.senders.block({ pattern: effect.address, reason: effect.reason, addedBy: 'agent', now: ctx.now });
      return [];
    case 'confirm': {
      const notice = confirmationNotice(ticket, effect.done, effect.problems, effect.replied, effect.notice);
      await notifyAgent(ctx, ticket, effect.agent, notice.subject, notice.text);
      return [];
    }
    case 'forgery_notice': {
      const notice = forgeryNotice(ticket, effect.from, effect.subject, effect.reason);
      await notifyAgent(ctx, ticket, effect.agent, notice.subject, notice.text);
      return [];
    }
    case 'rule_reply': {
      const { parsed, classification } = need(inbound);
      // To the sender, who may be anyone: ticket fields only (REPLY_PLACEHOLDERS), bounded.
      const mail = renderNamed(ctx.config, effect.template, automatedVars({ ...ticketVars(ctx, ticket, parsed.from), 'rule.name': effect.rule }), customerPlace(ctx.config, ticket));
      const notSent = await autoRespond(ctx, ticket, parsed.from, classification, mail, `rule:${effect.rule}`);
      return notSent ? [event('notice_skipped', `rule:${effect.rule}`, { kind: 'rule_reply', reason: notSent })] : [];
    }
    case 'rule_notice': {
      const { parsed } = need(inbound);
      const mailbox = mailboxOf(ctx.config, ticket.mailbox);
      const vars = { ...ticketVars(ctx, ticket, parsed.from), 'rule.name': effect.rule, 'message.from': parsed.from?.address ?? '', 'message.text': parsed.text.slice(0, RULE_BODY_LIMIT) };
      const mail = renderNamed(ctx.config, effect.template, vars, agentPlace(ctx.config, ticket));
      for (const address of effect.to) {
        await queueTicketMail(ctx, ticket, { kind: 'notification', from: { address: mailbox.address, name: mailbox.name }, to: [{ address, name: '' }], ...mail, headers: GENERATED_HEADERS });
      }
      return [];
    }
    case 'customer_notice': {
      const requester = await ctx.uow.tickets.requester(ticket.id);
      const place = customerPlace(ctx.config, ticket);
      const until = ticket.postponedUntil ? formatLocal(ticket.postponedUntil, calendarOf(ctx.config).timezone) : '';
      const mail = renderNamed(ctx.config, effect.template, { ...automatedVars(ticketVars(ctx, ticket, requester)), 'postponed.until': until }, place);
      // Auto-close's notices predate the check for an automated requester; the notices of an agent's change make it.
      return noticeToRequester(ctx, ticket, inbound, requester, effect.kind, mail, effect.kind === 'resolved' || effect.kind === 'postponed');
    }
    case 'due_notice': {
      for (const agent of agentsOfTicket(ctx.config.agents, ticket)) {
        await notifyAgent(ctx, ticket, agent, `Postponed ticket is due: ${ticket.subject}`, `Ticket ${ticket.number} was postponed until now and is Open again.`);
      }
      return [];
    }
    case 'sla_notice': {
      for (const target of effect.targets) {
        if (!(await ctx.uow.slaNotices.claim(ticket.id, effect.metric, effect.dueAt, effect.kind, target, ctx.now))) continue;
        await slaNotice(ctx, ticket, target, effect);
      }
      return [];
    }
    case 'open_linked_ticket':
    case 'merge': // carried out by the use case, with the change (merge-tickets.ts)
      return [];
    case 'satisfaction_request':
      return askSatisfaction(ctx, ticket, inbound);
  }
}

async function slaNotice(ctx: MailContext, ticket: Ticket, target: string, effect: Extract<Effect, { type: 'sla_notice' }>): Promise<void> {
  const place = agentPlace(ctx.config, ticket);
  const vars = { ...ticketVars(ctx, ticket, null), 'sla.metric': phrasesOf(place.language).metric[effect.metric], 'sla.dueAt': effect.dueAt.toISOString() };
  const { subject, text } = renderNamed(ctx.config, effect.kind === 'breach' ? 'slaBreach' : 'slaWarning', { ...vars, 'ticket.tag': undefined }, place);
  const agent = agentByAddress(ctx.config.agents, target);
  if (agent) {
    await notifyAgent(ctx, ticket, agent, subject, text);
    return;
  }
  const mailbox = mailboxOf(ctx.config, ticket.mailbox);
  await queueTicketMail(ctx, ticket, {
    kind: 'notification',
    from: { address: mailbox.address, name: mailbox.name },
    to: [{ address: target, name: '' }],
    subject: `[${ctx.config.ticketPrefix}${ticket.number}] ${subject}`,
    text,
    headers: GENERATED_HEADERS,
  });
}

/**
 * An agent's answer to the customers on the ticket: the text without command
 * lines, and — when the agent wrote HTML — the HTML without quoted history or
 * command lines, its `cid:` images inline; both wrapped by the `agentReply`
 * template (by default, no wrapping). The agent's other attachments go along.
 */
async function relayReply(ctx: MailContext, ticket: Ticket, effect: Extract<Effect, { type: 'relay_reply' }>, inbound: Inbound, participants: readonly Participant[]): Promise<void> {
  const mailbox = mailboxOf(ctx.config, ticket.mailbox);
  const { to, cc } = customerRecipients(ctx.config, participants);
  const { parsed } = inbound;
  const html = parsed.html === null || !ctx.deps.mailHtml ? null : ctx.deps.mailHtml.agentReply(parsed.html);
  const shown = new Set(html?.cids ?? []);
  // Inline images go only when the HTML still shows them (not those of the quoted history or a signature cut away).
  const attachments: OutboundAttachment[] = parsed.attachments.flatMap((a) =>
    a.content && (!a.inline || (a.contentId !== null && shown.has(normalizeCid(a.contentId)))) ? [{ ...a, content: a.content, filename: a.filename && safeFilename(a.filename, a.contentType, 1) }] : [],
  );
  const vars = { ...ticketVars(ctx, ticket, to[0] ?? null), 'agent.name': effect.agent.name, 'agent.email': effect.agent.email, 'reply.text': effect.text };
  const mail = renderNamed(ctx.config, 'agentReply', vars, customerPlace(ctx.config, ticket), { 'reply.html': html?.html ?? textAsHtml(effect.text) });
  await queueTicketMail(ctx, ticket, {
    kind: 'agent_reply',
    from: { address: mailbox.address, name: effect.agent.name },
    to,
    cc,
    replyTo: { address: mailbox.address, name: mailbox.name },
    // The thread's `Re: subject [#N]` unless the agentReply template names its own subject.
    ...(hasOwnSubject(ctx, ticket) ? { subject: mail.subject } : {}),
    text: mail.text,
    ...(html && mail.html ? { html: mail.html } : {}),
    attachments,
    agentEmail: effect.agent.email,
  });
}

/** Whether the agentReply template in force sets a subject of its own (the built-in ones keep the thread's). */
function hasOwnSubject(ctx: MailContext, ticket: Ticket): boolean {
  const template = templateOrThrow(ctx, 'agentReply', customerPlace(ctx.config, ticket));
  return template.subject.trim() !== 'Re: {{ticket.subject}}';
}

function textAsHtml(text: string): string {
  return `<div style="white-space:pre-wrap">${escapeHtml(text)}</div>`;
}

/** The attachments that ride along with a notification: in order, while the total stays within the limit. */
function carriedAttachments(attachments: readonly ParsedAttachment[], maxBytes: number): OutboundAttachment[] {
  const carried: OutboundAttachment[] = [];
  let total = 0;
  for (const a of attachments) {
    if (!a.content || total + a.size > maxBytes) continue;
    total += a.size;
    carried.push({ ...a, content: a.content, filename: a.filename === null ? null : safeFilename(a.filename, a.contentType, carried.length + 1) });
  }
  return carried;
}

function templateOrThrow(ctx: MailContext, name: string, place: TemplatePlace) {
  const template = templateFor(ctx.config, name, place);
  if (!template) throw new Error(`no template "${name}"`);
  return template;
}

/**
 * "How did we do?": good / bad links to the HTTP server's satisfaction page,
 * and a Reply-To that takes a comment — all carrying the ticket's signed
 * token. Automated mail, under the same limits as any notice to a customer.
 */
async function askSatisfaction(ctx: MailContext, ticket: Ticket, inbound: Inbound | undefined): Promise<TicketEvent[]> {
  const url = ctx.config.satisfaction.url;
  if (!url) return [event('notice_skipped', 'system', { kind: 'satisfaction', reason: 'satisfaction.url is not set' })];
  const requester = await ctx.uow.tickets.requester(ticket.id);
  const token = satisfactionToken(ctx.deps.tokenKey, ticket.number);
  const link = (rating: 'good' | 'bad') => `${url.replace(/\/+$/, '')}/satisfaction/${token}?rating=${rating}`;
  const vars = { ...automatedVars(ticketVars(ctx, ticket, requester)), 'satisfaction.good': link('good'), 'satisfaction.bad': link('bad') };
  const mail = renderNamed(ctx.config, 'satisfaction', vars, customerPlace(ctx.config, ticket));
  const mailbox = mailboxOf(ctx.config, ticket.mailbox);
  const replyTo = { address: satisfactionAddress(mailbox.address, token), name: mailbox.name };
  return noticeToRequester(ctx, ticket, inbound, requester, 'satisfaction', { ...mail, replyTo }, true);
}

/**
 * An automated notice to the ticket's requester, under the automated-mail
 * limits; never in answer to automatic mail, nor (`checkAutomated`) to a
 * requester whose first mail came from an automated sender. The events of
 * mail not sent.
 */
async function noticeToRequester(
  ctx: MailContext,
  ticket: Ticket,
  inbound: Inbound | undefined,
  requester: MailAddress,
  kind: string,
  mail: Parameters<typeof autoRespond>[4],
  checkAutomated: boolean,
): Promise<TicketEvent[]> {
  const classification = inbound === undefined || inbound.classification.kind === 'customer' ? CUSTOMER : inbound.classification;
  const automated = checkAutomated ? await ctx.uow.tickets.automatedRequester(ticket.id) : null;
  const notSent = automated
    ? `the requester is an automated sender (${automated.join('; ')})`
    : await autoRespond(ctx, ticket, requester, classification, mail, kind, GENERATED_HEADERS, 'auto_notice');
  return notSent ? [event('notice_skipped', 'system', { kind, reason: notSent })] : [];
}

/** Who a new ticket's mail came from: From, else Reply-To. */
export function requesterOf(inbound: Pick<Inbound, 'parsed'>): MailAddress {
  return inbound.parsed.from ?? inbound.parsed.replyTo[0] ?? { address: 'unknown@unknown.invalid', name: '' };
}

function need(inbound: Inbound | undefined): Inbound {
  if (!inbound) throw new Error('this effect needs the inbound mail');
  return inbound;
}
