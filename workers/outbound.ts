import { UnrecoverableError, type Job } from 'bullmq';
import { outboundJob } from '../src/adapters/queue/queues.js';
import { isAppError } from '../src/errors.js';
import { sendOutbound, type SendDeps } from '../src/usecases/send-outbound.js';

/** BullMQ's exponential backoff: the configured delay, doubled for each attempt made before. */
function retryDelay(job: Job): number | undefined {
  const backoff = job.opts.backoff;
  if (typeof backoff !== 'object' || backoff.type !== 'exponential' || backoff.delay === undefined) return undefined;
  return backoff.delay * 2 ** job.attemptsMade;
}

/** The `outbound` queue's processor: one outbox row per job; permanent failures are not retried. */
export function outboundProcessor(deps: SendDeps) {
  return async (job: Job): Promise<string> => {
    const { messageRowId } = outboundJob.parse(job.data);
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      return await sendOutbound(deps, messageRowId, { final, retryInMs: retryDelay(job) });
    } catch (err) {
      if (isAppError(err) && !err.retryable) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}
