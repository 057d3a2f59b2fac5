import type { Job } from 'bullmq';
import { autoClose, scanSla, wakePostponed, type ScheduleDeps } from '../src/usecases/scheduled.js';
import { reconcileOutbox, type SendDeps } from '../src/usecases/send-outbound.js';

/** The `maintenance` queue's processor: the scheduled jobs, by name. */
export function maintenanceProcessor(deps: Pick<SendDeps, 'delivery' | 'outbox' | 'config' | 'now' | 'log'> & ScheduleDeps) {
  return async (job: Job): Promise<unknown> => {
    switch (job.name) {
      case 'reconcile':
        return reconcileOutbox(deps);
      case 'sla-scan':
        return { ...(await scanSla(deps)), woken: await wakePostponed(deps) };
      case 'auto-close':
        return autoClose(deps);
      default:
        throw new Error(`unknown maintenance job "${job.name}"`);
    }
  };
}
