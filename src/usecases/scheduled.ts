import { agentByAddress, agentsOfTicket } from '../domain/agents.js';
import { createHash } from 'node:crypto';
import { normalizeAddress } from '../domain/address.js';
import { addBusinessDays } from '../domain/business-time.js';
import { decideTransition } from '../domain/lifecycle.js';
import { slaAlert, type SlaMetric } from '../domain/sla.js';
import type { Config } from '../config/schema.js';
import { automatedVars, autoRespond, GENERATED_HEADERS, mailboxOf, notifyAgent, queueTicketMail, renderNamed, ticketVars, type MailContext } from './outbound-mail.js';
import type { ComposeMail, Logger, OutboxQueue, ScheduleStore, TicketRecord, TicketStore } from './ports.js';
import { advanceTicketSla, calendarOf } from './sla-policy.js';

export interface ScheduleDeps {
  readonly store: TicketStore;
  readonly schedule: ScheduleStore;
  readonly config: () => Config;
  readonly now: () => Date;
  readonly compose: ComposeMail;
  readonly tokenKey: Buffer;
  readonly outbox: OutboxQueue;
  readonly log: Logger;
}

const BATCH = 500;
const METRIC_NAMES: Record<SlaMetric, string> = { first_response: 'first response', next_response: 'next response', resolution: 'resolution' };

/** Runs `work` in a ticket's transaction (locked per ticket), then queues the mail it wrote. */
async function inTicket(deps: ScheduleDeps, ticketId: number, work: (ctx: MailContext) => Promise<void>): Promise<void> {
  const outboxIds: number[] = [];
  await deps.store.ingestTransaction(`ticket:${ticketId}`, (tx) => work({ tx, config: deps.config(), now: deps.now(), deps, outboxIds }));
  if (outboxIds.length > 0) {
    await deps.outbox.enqueue(outboxIds).catch((err: Error) => deps.log.warn({ outbox: outboxIds, error: { message: err.message } }, 'queue unavailable; the reconciler will send these'));
  }
}

/**
 * The SLA scan: a warning `warnBefore` ahead of each due time and a breach at
 * it, to the `sla.notify` targets — each at most once per ticket, metric, due
 * time and target, however many daemons scan (a conditional insert decides, I4).
 */
export async function scanSla(deps: ScheduleDeps): Promise<{ warnings: number; breaches: number }> {
  const config = deps.config();
  const now = deps.now();
  const due = await deps.schedule.dueSlaTickets(now, new Date(now.getTime() + config.sla.warnBefore), BATCH);
  const counts = { warnings: 0, breaches: 0 };
  for (const item of due) {
    const kind = slaAlert(item.dueAt, now, config.sla.warnBefore);
    if (!kind) continue;
    await inTicket(deps, item.ticketId, async (ctx) => {
      if (!(await ctx.tx.claimSlaNotice(item.ticketId, item.metric, item.dueAt, kind, '*', ctx.now))) return;
      const ticket = await ctx.tx.ticketById(item.ticketId);
      const type = kind === 'breach' ? 'sla_breach' : 'sla_warning';
      await ctx.tx.insertEvents([{ ticketId: ticket.id, type, actor: 'system', data: { metric: item.metric, dueAt: item.dueAt.toISOString() } }], ctx.now);
      for (const target of slaTargets(ctx.config, ticket)) {
        if (!(await ctx.tx.claimSlaNotice(item.ticketId, item.metric, item.dueAt, kind, target, ctx.now))) continue;
        await sendSlaNotice(ctx, ticket, target, kind, item.metric, item.dueAt);
      }
      counts[kind === 'breach' ? 'breaches' : 'warnings']++;
    });
  }
  if (counts.warnings + counts.breaches > 0) deps.log.info({ ...counts }, 'SLA notices sent');
  return counts;
}

/** `assignee` (else the department, when nobody is assigned), `department`, or a listed address. */
function slaTargets(config: Config, ticket: TicketRecord): string[] {
  const out = new Set<string>();
  for (const target of config.sla.notify) {
    if (target === 'assignee' || target === 'department') {
      const agents = target === 'assignee' && ticket.assignee ? [ticket.assignee] : agentsOfTicket(config.agents, { ...ticket, assignee: null }).map((a) => a.email);
      for (const a of agents) out.add(a);
    } else out.add(normalizeAddress(target));
  }
  return [...out];
}

async function sendSlaNotice(ctx: MailContext, ticket: TicketRecord, target: string, kind: 'warning' | 'breach', metric: SlaMetric, dueAt: Date): Promise<void> {
  const vars = { ...ticketVars(ctx, ticket, null), 'sla.metric': METRIC_NAMES[metric], 'sla.dueAt': dueAt.toISOString() };
  const { subject, text } = renderNamed(ctx.config, kind === 'breach' ? 'slaBreach' : 'slaWarning', { ...vars, 'ticket.tag': undefined });
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

/** Postponed tickets whose time has come: Open again, the agents told. Once each (conditional update). */
export async function wakePostponed(deps: ScheduleDeps): Promise<number> {
  let woken = 0;
  for (const ticketId of await deps.schedule.postponedDue(deps.now(), BATCH)) {
    await inTicket(deps, ticketId, async (ctx) => {
      const ticket = await ctx.tx.ticketById(ticketId);
      const t = decideTransition(ticket.status, { type: 'postpone_due' }, lifecycleOf(ctx, ticket));
      if (t.kind !== 'changed') return;
      const sla = advanceTicketSla(ctx.config, ticket, [{ type: 'status', status: t.to, at: ctx.now }]);
      if (!(await ctx.tx.wakePostponed(ticketId, t.to, sla, ctx.now))) return;
      await ctx.tx.insertEvents(
        [
          { ticketId, type: 'status_changed', actor: 'system', data: { from: t.from, to: t.to } },
          { ticketId, type: 'woke_up', actor: 'system', data: {} },
        ],
        ctx.now,
      );
      const open = { ...ticket, status: t.to };
      for (const agent of agentsOfTicket(ctx.config.agents, open)) {
        await notifyAgent(ctx, open, agent, `Postponed ticket is due: ${ticket.subject}`, `Ticket ${ticket.number} was postponed until now and is Open again.`);
      }
      woken++;
    });
  }
  return woken;
}

/**
 * Auto-close: tickets in `autoClose.statuses` idle for `after` (calendar time,
 * or business days) become Closed, with an event and — if `notifyCustomer` —
 * a notice to the requester; optionally a "will close" notice `warnBefore`
 * ahead. A conditional update on the idle time makes each happen once.
 */
export async function autoClose(deps: ScheduleDeps): Promise<{ closed: number; warned: number }> {
  const config = deps.config();
  const { after, statuses, warnBefore } = config.autoClose;
  const now = deps.now();
  const counts = { closed: 0, warned: 0 };
  if (statuses.length === 0) return counts;
  for (const idle of await deps.schedule.idleTickets(statuses, new Date(now.getTime() - after), false, BATCH)) {
    if (!idleLongEnough(config, idle.lastActivityAt, after, now)) continue;
    await inTicket(deps, idle.ticketId, async (ctx) => {
      const ticket = await ctx.tx.ticketById(idle.ticketId);
      const t = decideTransition(ticket.status, { type: 'idle_timeout' }, lifecycleOf(ctx, ticket));
      if (t.kind !== 'changed') return;
      const sla = advanceTicketSla(ctx.config, ticket, [{ type: 'status', status: t.to, at: ctx.now }]);
      if (!(await ctx.tx.closeIdle(ticket.id, statuses, idle.lastActivityAt, t.to, sla, ctx.now))) return;
      await ctx.tx.insertEvents(
        [
          { ticketId: ticket.id, type: 'status_changed', actor: 'system', data: { from: t.from, to: t.to } },
          { ticketId: ticket.id, type: 'auto_closed', actor: 'system', data: { idleSince: idle.lastActivityAt.toISOString() } },
        ],
        ctx.now,
      );
      if (ctx.config.autoClose.notifyCustomer) await noticeCustomer(ctx, { ...ticket, status: t.to }, 'autoClose', 'auto_close');
      counts.closed++;
    });
  }
  if (warnBefore !== undefined && warnBefore < after) {
    for (const idle of await deps.schedule.idleTickets(statuses, new Date(now.getTime() - (after - warnBefore)), true, BATCH)) {
      if (!idleLongEnough(config, idle.lastActivityAt, after - warnBefore, now)) continue;
      await inTicket(deps, idle.ticketId, async (ctx) => {
        if (!(await ctx.tx.markCloseWarned(idle.ticketId, statuses, idle.lastActivityAt, ctx.now))) return;
        const ticket = await ctx.tx.ticketById(idle.ticketId);
        await ctx.tx.insertEvents([{ ticketId: ticket.id, type: 'auto_close_warned', actor: 'system', data: {} }], ctx.now);
        await noticeCustomer(ctx, ticket, 'autoCloseWarning', 'auto_close_warning');
        counts.warned++;
      });
    }
  }
  if (counts.closed + counts.warned > 0) deps.log.info({ ...counts }, 'auto-close ran');
  return counts;
}

/** What the lifecycle table needs to know about a ticket, under the config in force. */
function lifecycleOf(ctx: MailContext, ticket: TicketRecord) {
  return { now: ctx.now, closedAt: ticket.closedAt, reopenWindowMs: ctx.config.reopenWindow };
}

function idleLongEnough(config: Config, since: Date, ms: number, now: Date): boolean {
  if (!config.autoClose.businessDays) return now.getTime() - since.getTime() >= ms;
  return addBusinessDays(since, Math.max(1, Math.round(ms / 86_400_000)), calendarOf(config)).getTime() <= now.getTime();
}

/** An automated notice to the requester (I7 and the rate limits apply); a skipped one is an event. */
async function noticeCustomer(ctx: MailContext, ticket: TicketRecord, template: 'autoClose' | 'autoCloseWarning', kind: string): Promise<void> {
  const requester = await ctx.tx.requester(ticket.id);
  const mail = renderNamed(ctx.config, template, automatedVars(ticketVars(ctx, ticket, requester)));
  const notSent = await autoRespond(ctx, ticket, requester, { kind: 'customer', suppressAutoResponse: false, reasons: [] }, mail, kind, GENERATED_HEADERS, 'auto_notice');
  if (notSent) await ctx.tx.insertEvents([{ ticketId: ticket.id, type: 'notice_skipped', actor: 'system', data: { kind, reason: notSent } }], ctx.now);
}

const SLA_FINGERPRINT = 'sla_fingerprint';

/** What due times depend on in the config: when it changes, every clocked ticket's due times are recomputed. */
export function slaFingerprint(config: Config): string {
  return createHash('sha256').update(JSON.stringify({ sla: config.sla })).digest('hex');
}

/**
 * After an SLA config change (at start, or on reload): due times of every
 * ticket whose clock is not stopped, again from the same anchors under the new
 * policies. Batched, resumable; a no-op when the config is unchanged.
 */
export async function recomputeDueTimes(deps: Pick<ScheduleDeps, 'schedule' | 'config' | 'log'>): Promise<number> {
  const config = deps.config();
  const fingerprint = slaFingerprint(config);
  if ((await deps.schedule.setting(SLA_FINGERPRINT)) === fingerprint) return 0;
  let updated = 0;
  for (let afterId = 0; ; ) {
    const batch = await deps.schedule.clockedTickets(afterId, BATCH);
    if (batch.length === 0) break;
    for (const ticket of batch) {
      const sla = advanceTicketSla(config, ticket, []);
      const same = (['firstResponseDueAt', 'nextResponseDueAt', 'resolutionDueAt'] as const).every(
        (k) => (sla[k]?.getTime() ?? null) === (ticket.sla[k]?.getTime() ?? null),
      );
      if (!same) {
        await deps.schedule.saveSla(ticket.id, sla, ticket.lastActivityAt);
        updated++;
      }
    }
    afterId = batch[batch.length - 1]!.id;
    deps.log.info({ afterTicketId: afterId, updated }, 'recomputing SLA due times');
  }
  await deps.schedule.saveSetting(SLA_FINGERPRINT, fingerprint);
  deps.log.info({ updated }, 'SLA due times recomputed for the current config');
  return updated;
}
