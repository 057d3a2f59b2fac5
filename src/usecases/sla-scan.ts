import { slaAlert } from '../domain/sla.js';
import type { UnitOfWork } from './ports.js';
import { BATCH, changeScheduled, type ScheduleDeps } from './scheduled-change.js';

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
  const tickets: number[] = [];
  for (const item of due) {
    const kind = slaAlert(item.dueAt, now, config.sla.warnBefore);
    if (!kind) continue;
    // The '*' notice says the ticket's alert was decided; each target's own notice is claimed as it is sent.
    const claim = (uow: UnitOfWork) => uow.slaNotices.claim(item.ticketId, item.metric, item.dueAt, kind, '*', deps.now());
    const number = await changeScheduled(deps, item.ticketId, { type: 'sla_alert', kind, metric: item.metric, dueAt: item.dueAt }, claim);
    if (number === null) continue;
    counts[kind === 'breach' ? 'breaches' : 'warnings']++;
    tickets.push(number);
  }
  if (counts.warnings + counts.breaches > 0) deps.log.info({ ...counts, tickets }, 'SLA notices sent');
  return counts;
}
