import { agentByAddress, agentsOfTicket } from '../domain/agents.js';
import type { Decision, Effect, Participant } from '../domain/decide.js';
import type { SlaMetric } from '../domain/sla.js';
import { event, type TicketEvent } from '../domain/ticket-events.js';
import type { Ticket } from '../domain/ticket.js';
import { confirmationNotice, customerMessageNotice, forgeryNotice } from './agent-notices.js';
import type { Inbound } from './inbound.js';
import {
  acknowledge,
  automatedVars,
  autoRespond,
  customerRecipients,
  GENERATED_HEADERS,
  mailboxOf,
  notifyAgent,
  queueTicketMail,
  renderNamed,
  ticketVars,
  type MailContext,
} from './outbound-mail.js';
import type { MailAddress } from './parsed-mail.js';
import type { OutboundAttachment } from './ports.js';
import { RULE_BODY_LIMIT } from './rule-outcome.js';

/** What the effects of a change may need besides the ticket. */
export interface EffectFacts {
  /** The inbound mail the change is about. */
  readonly inbound?: Inbound;
  /** Who is on the ticket after the change (the recipients of a relayed answer). */
  readonly participants?: readonly Participant[];
}

const METRIC_NAMES: Record<SlaMetric, string> = { first_response: 'first response', next_response: 'next response', resolution: 'resolution' };

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
      const template = ctx.config.templates['agentNotification']!;
      const notice = customerMessageNotice(template, ticketVars(ctx, ticket, parsed.from), effect.about, parsed.from, parsed.text, parsed.attachments, effect.heldBack);
      for (const agent of agentsOfTicket(ctx.config.agents, ticket)) await notifyAgent(ctx, ticket, agent, notice.subject, notice.text);
      return [];
    }
    case 'relay_reply': {
      const mailbox = mailboxOf(ctx.config, ticket.mailbox);
      const { to, cc } = customerRecipients(ctx.config, facts.participants ?? []);
      const attachments: OutboundAttachment[] = need(inbound).parsed.attachments.flatMap((a) => (a.content ? [{ ...a, content: a.content }] : []));
      await queueTicketMail(ctx, ticket, {
        kind: 'agent_reply',
        from: { address: mailbox.address, name: effect.agent.name },
        to,
        cc,
        replyTo: { address: mailbox.address, name: mailbox.name },
        text: effect.text,
        attachments,
        agentEmail: effect.agent.email,
      });
      return [];
    }
    case 'confirm': {
      const notice = confirmationNotice(ticket, effect.done, effect.problems, effect.replied);
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
      const mail = renderNamed(ctx.config, effect.template, automatedVars({ ...ticketVars(ctx, ticket, parsed.from), 'rule.name': effect.rule }));
      const notSent = await autoRespond(ctx, ticket, parsed.from, classification, mail, `rule:${effect.rule}`);
      return notSent ? [event('notice_skipped', `rule:${effect.rule}`, { kind: 'rule_reply', reason: notSent })] : [];
    }
    case 'rule_notice': {
      const { parsed } = need(inbound);
      const mailbox = mailboxOf(ctx.config, ticket.mailbox);
      const vars = { ...ticketVars(ctx, ticket, parsed.from), 'rule.name': effect.rule, 'message.from': parsed.from?.address ?? '', 'message.text': parsed.text.slice(0, RULE_BODY_LIMIT) };
      const mail = renderNamed(ctx.config, effect.template, vars);
      for (const address of effect.to) {
        await queueTicketMail(ctx, ticket, { kind: 'notification', from: { address: mailbox.address, name: mailbox.name }, to: [{ address, name: '' }], ...mail, headers: GENERATED_HEADERS });
      }
      return [];
    }
    case 'customer_notice': {
      const requester = await ctx.uow.tickets.requester(ticket.id);
      const mail = renderNamed(ctx.config, effect.template, automatedVars(ticketVars(ctx, ticket, requester)));
      const customer = { kind: 'customer', suppressAutoResponse: false, reasons: [] } as const;
      const notSent = await autoRespond(ctx, ticket, requester, customer, mail, effect.kind, GENERATED_HEADERS, 'auto_notice');
      return notSent ? [event('notice_skipped', 'system', { kind: effect.kind, reason: notSent })] : [];
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
      return [];
  }
}

async function slaNotice(ctx: MailContext, ticket: Ticket, target: string, effect: Extract<Effect, { type: 'sla_notice' }>): Promise<void> {
  const vars = { ...ticketVars(ctx, ticket, null), 'sla.metric': METRIC_NAMES[effect.metric], 'sla.dueAt': effect.dueAt.toISOString() };
  const { subject, text } = renderNamed(ctx.config, effect.kind === 'breach' ? 'slaBreach' : 'slaWarning', { ...vars, 'ticket.tag': undefined });
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

/** Who a new ticket's mail came from: From, else Reply-To. */
export function requesterOf(inbound: Pick<Inbound, 'parsed'>): MailAddress {
  return inbound.parsed.from ?? inbound.parsed.replyTo[0] ?? { address: 'unknown@unknown.invalid', name: '' };
}

function need(inbound: Inbound | undefined): Inbound {
  if (!inbound) throw new Error('this effect needs the inbound mail');
  return inbound;
}
