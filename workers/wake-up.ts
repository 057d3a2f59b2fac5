import type { Job } from 'bullmq';
import type { ScheduleDeps } from '../src/usecases/scheduled-change.js';
import { wakePostponed } from '../src/usecases/wake-postponed.js';

/** `wake-up`: postponed tickets whose time has come. */
export function wakeUpProcessor(deps: ScheduleDeps) {
  return async (_job: Job) => ({ woken: await wakePostponed(deps) });
}
