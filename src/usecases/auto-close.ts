import { addBusinessDays } from '../domain/business-time.js';
import type { Config } from '../config/schema.js';
import { BATCH, changeScheduled, type ScheduleDeps } from './scheduled-change.js';
import { calendarOf } from './sla-policy.js';

/**
 * Auto-close: tickets in `autoClose.statuses` idle for `after` (calendar time,
 * or business days) move as the lifecycle table's `idle_timeout` row says —
 * Closed — with an event and, if `notifyCustomer`, a notice to the requester;
 * optionally a "will close" notice `warnBefore` ahead. A ticket that moved
 * since the scan saw it is left alone (decide() checks, the save is conditional).
 */
export async function autoClose(deps: ScheduleDeps): Promise<{ closed: number; warned: number }> {
  const config = deps.config();
  const { after, statuses, warnBefore } = config.autoClose;
  const now = deps.now();
  const counts = { closed: 0, warned: 0 };
  const tickets = { closed: [] as number[], warned: [] as number[] };
  if (statuses.length === 0) return counts;
  for (const idle of await deps.schedule.idleTickets(statuses, new Date(now.getTime() - after), false, BATCH)) {
    if (!idleLongEnough(config, idle.lastActivityAt, after, now)) continue;
    const number = await changeScheduled(deps, idle.ticketId, { type: 'idle_timeout', statuses, idleSince: idle.lastActivityAt });
    if (number !== null) tickets.closed.push(number);
  }
  if (warnBefore !== undefined && warnBefore < after) {
    for (const idle of await deps.schedule.idleTickets(statuses, new Date(now.getTime() - (after - warnBefore)), true, BATCH)) {
      if (!idleLongEnough(config, idle.lastActivityAt, after - warnBefore, now)) continue;
      const number = await changeScheduled(deps, idle.ticketId, { type: 'close_warning', statuses, idleSince: idle.lastActivityAt });
      if (number !== null) tickets.warned.push(number);
    }
  }
  counts.closed = tickets.closed.length;
  counts.warned = tickets.warned.length;
  if (counts.closed + counts.warned > 0) deps.log.info({ ...counts, tickets }, 'auto-close ran');
  return counts;
}

function idleLongEnough(config: Config, since: Date, ms: number, now: Date): boolean {
  if (!config.autoClose.businessDays) return now.getTime() - since.getTime() >= ms;
  return addBusinessDays(since, Math.max(1, Math.round(ms / 86_400_000)), calendarOf(config)).getTime() <= now.getTime();
}
