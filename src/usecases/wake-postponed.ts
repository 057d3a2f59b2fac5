import { BATCH, changeScheduled, type ScheduleDeps } from './scheduled-change.js';

/** Postponed tickets whose time has come: Open again (lifecycle table, `postpone_due`), the agents told. Once each. */
export async function wakePostponed(deps: ScheduleDeps): Promise<number> {
  let woken = 0;
  for (const ticketId of await deps.schedule.postponedDue(deps.now(), BATCH)) {
    if (await changeScheduled(deps, ticketId, { type: 'postpone_due' })) woken++;
  }
  return woken;
}
