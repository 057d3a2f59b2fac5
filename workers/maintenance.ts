import type { Job } from 'bullmq';
import { reconcileOutbox, type SendDeps } from '../src/usecases/send-outbound.js';
import type { ScheduleDeps } from '../src/usecases/scheduled-change.js';
import { autoCloseProcessor } from './auto-close.js';
import { purgeProcessor, type PurgeJobDeps } from './purge.js';
import { slaScanProcessor } from './sla-scan.js';
import { wakeUpProcessor } from './wake-up.js';

/** The `maintenance` queue's processor: each scheduled job, by name, to its own processor. */
export function maintenanceProcessor(deps: Pick<SendDeps, 'delivery' | 'outbox' | 'config' | 'now' | 'log'> & ScheduleDeps & PurgeJobDeps) {
  const processors: Record<string, (job: Job) => Promise<unknown>> = {
    reconcile: () => reconcileOutbox(deps),
    'sla-scan': slaScanProcessor(deps),
    'wake-up': wakeUpProcessor(deps),
    'auto-close': autoCloseProcessor(deps),
    purge: purgeProcessor(deps),
  };
  return async (job: Job): Promise<unknown> => {
    const processor = processors[job.name];
    if (!processor) throw new Error(`unknown maintenance job "${job.name}"`);
    return processor(job);
  };
}
