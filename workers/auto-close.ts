import type { Job } from 'bullmq';
import { autoClose } from '../src/usecases/auto-close.js';
import type { ScheduleDeps } from '../src/usecases/scheduled-change.js';

/** `auto-close`: idle tickets closed, and warned ahead when configured. */
export function autoCloseProcessor(deps: ScheduleDeps) {
  return (_job: Job) => autoClose(deps);
}
