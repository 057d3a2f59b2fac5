import type { Job } from 'bullmq';
import { reconcileOutbox, type SendDeps } from '../src/usecases/send-outbound.js';

/** The `maintenance` queue's processor: scheduled jobs by name. */
export function maintenanceProcessor(deps: Pick<SendDeps, 'delivery' | 'outbox' | 'config' | 'now' | 'log'>) {
  return async (job: Job): Promise<number> => {
    switch (job.name) {
      case 'reconcile':
        return reconcileOutbox(deps);
      default:
        throw new Error(`unknown maintenance job "${job.name}"`);
    }
  };
}
