import type { Job } from 'bullmq';
import type { ScheduleDeps } from '../src/usecases/scheduled-change.js';
import { scanSla } from '../src/usecases/sla-scan.js';

/** `sla-scan`: SLA warnings and breaches due now. */
export function slaScanProcessor(deps: ScheduleDeps) {
  return (_job: Job) => scanSla(deps);
}
