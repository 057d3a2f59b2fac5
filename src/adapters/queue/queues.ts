import { Queue, Worker, type Job, type Processor } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { OutboxQueue } from '../../usecases/ports.js';

/** Queue names: the meaning of each queue lives here, its storage in Redis. */
export const OUTBOUND_QUEUE = 'outbound';
export const MAINTENANCE_QUEUE = 'maintenance';
/** Fixed scheduler ids: one schedule however many daemons run. */
export const SCHEDULERS = { reconcile: 'outbox-reconcile', slaScan: 'sla-scan', wakeUp: 'wake-up', autoClose: 'auto-close', purge: 'purge' } as const;

/** Jobs carry ids, not content. */
export const outboundJob = z.strictObject({ messageRowId: z.number().int().positive() });
export type OutboundJob = z.infer<typeof outboundJob>;

export interface QueueSettings {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly attempts: number;
  readonly retryDelayMs: number;
}

export interface Queues {
  readonly outbound: Queue<OutboundJob>;
  readonly maintenance: Queue;
  readonly outbox: OutboxQueue;
  close(): Promise<void>;
}

const ENQUEUE_TIMEOUT_MS = 3_000;

function connection(url: string, options: RedisOptions): Redis {
  // Redis is reached lazily; errors are reported through the queue calls, not thrown from the socket.
  const redis = new Redis(url, { lazyConnect: false, ...options });
  redis.on('error', () => undefined);
  return redis;
}

/** Producer side. `enqueue` fails fast (a few seconds) when Redis is away: the reconciler catches up later. */
export function createQueues(settings: QueueSettings): Queues {
  const producer = connection(settings.redisUrl, { maxRetriesPerRequest: 1 });
  const outbound = new Queue<OutboundJob>(OUTBOUND_QUEUE, { connection: producer, prefix: settings.prefix });
  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: producer, prefix: settings.prefix });
  outbound.on('error', () => undefined);
  maintenance.on('error', () => undefined);
  const jobOptions = (jobId: string) => ({
    jobId,
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.retryDelayMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
  const outbox: OutboxQueue = {
    async enqueue(rowIds) {
      if (rowIds.length === 0) return;
      // The row id; BullMQ refuses purely numeric custom ids.
      const jobs = rowIds.map((id) => ({ name: 'send', data: outboundJob.parse({ messageRowId: id }), opts: jobOptions(`msg-${id}`) }));
      await withTimeout(outbound.addBulk(jobs), ENQUEUE_TIMEOUT_MS, 'queueing outgoing mail');
    },
    // A job id still held by a finished (failed or completed) job would make the add a no-op: such a job is
    // removed first; a waiting, delayed or active one of this generation is left alone. One a killed worker
    // still holds (active until BullMQ's stalled-job check) has another generation's id, so it blocks nothing.
    async requeue(rows) {
      const added: { name: string; data: OutboundJob; opts: ReturnType<typeof jobOptions> }[] = [];
      for (const row of rows) {
        const jobId = `msg-${row.id}-r${row.attempts}`;
        const job = await withTimeout(outbound.getJob(jobId), ENQUEUE_TIMEOUT_MS, 'reading a queued job');
        if (job && ((await job.isFailed()) || (await job.isCompleted()))) await job.remove();
        else if (job) continue;
        added.push({ name: 'send', data: outboundJob.parse({ messageRowId: row.id }), opts: jobOptions(jobId) });
      }
      if (added.length > 0) await withTimeout(outbound.addBulk(added), ENQUEUE_TIMEOUT_MS, 'queueing outgoing mail again');
      return added.length;
    },
  };
  return {
    outbound,
    maintenance,
    outbox,
    async close() {
      producer.disconnect();
      await Promise.allSettled([outbound.close(), maintenance.close()]);
    },
  };
}

/** (Re)creates the fixed-id schedulers; idempotent, so every daemon may call it (and must after a Redis flush). */
export async function ensureSchedulers(queues: Queues, every: { reconcile: number; slaScan: number; autoClose: number; purge: number }): Promise<void> {
  const opts = { removeOnComplete: true, removeOnFail: 100 };
  await withTimeout(
    Promise.all([
      queues.maintenance.upsertJobScheduler(SCHEDULERS.reconcile, { every: every.reconcile }, { name: 'reconcile', opts }),
      queues.maintenance.upsertJobScheduler(SCHEDULERS.slaScan, { every: every.slaScan }, { name: 'sla-scan', opts }),
      // Postponed tickets are woken as often as the SLA is scanned.
      queues.maintenance.upsertJobScheduler(SCHEDULERS.wakeUp, { every: every.slaScan }, { name: 'wake-up', opts }),
      queues.maintenance.upsertJobScheduler(SCHEDULERS.autoClose, { every: every.autoClose }, { name: 'auto-close', opts }),
      queues.maintenance.upsertJobScheduler(SCHEDULERS.purge, { every: every.purge }, { name: 'purge', opts }),
    ]),
    ENQUEUE_TIMEOUT_MS,
    'scheduling the maintenance jobs',
  );
}

/**
 * Consumer side: a worker with its own blocking connection (BullMQ needs
 * maxRetriesPerRequest: null). BullMQ does not close a connection it was
 * given, so closing the worker closes it here.
 */
export function createWorker<T>(name: string, settings: QueueSettings, processor: Processor<T>, concurrency: number): Worker<T> {
  const redis = connection(settings.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<T>(name, processor, { connection: redis, prefix: settings.prefix, concurrency });
  worker.on('closed', () => redis.disconnect());
  return worker;
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('QUEUE_UNAVAILABLE', `${what}: Redis did not answer within ${ms} ms`, { retryable: true })), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (err) {
    throw err instanceof AppError ? err : new AppError('QUEUE_UNAVAILABLE', `${what}: ${(err as Error).message}`, { retryable: true, cause: err });
  } finally {
    clearTimeout(timer);
  }
}

export type { Job };
