import { BATCH, changeScheduled, type ScheduleDeps } from './scheduled-change.js';

/** Postponed tickets whose time has come: Open again (lifecycle table, `postpone_due`), the agents told. Once each. */
export async function wakePostponed(deps: ScheduleDeps): Promise<number> {
  const woken: number[] = [];
  for (const ticketId of await deps.schedule.postponedDue(deps.now(), BATCH)) {
    const number = await changeScheduled(deps, ticketId, { type: 'postpone_due' });
    if (number !== null) woken.push(number);
  }
  if (woken.length > 0) deps.log.info({ woken: woken.length, tickets: woken }, 'postponed tickets woke up');
  return woken.length;
}
