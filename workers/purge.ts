import type { Job } from 'bullmq';
import { purgeExpired, type PurgeDeps } from '../src/usecases/purge.js';

/** How long one run may hold the maintenance queue (the SLA scan waits behind it); what is left goes at the next run. */
export const PURGE_RUN_MS = 20_000;

export interface PurgeJobDeps extends PurgeDeps {
  /** True once the daemon is stopping: the run ends after the batch in hand. */
  readonly stopping?: () => boolean;
}

/** `purge`: tickets past their retention deleted for good, batch by batch, for at most PURGE_RUN_MS. */
export function purgeProcessor(deps: PurgeJobDeps) {
  return (_job: Job) => {
    const until = deps.now().getTime() + PURGE_RUN_MS;
    return purgeExpired(deps, { stopping: () => deps.now().getTime() >= until || (deps.stopping?.() ?? false) });
  };
}
