import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { Database } from './adapters/db/client.js';
import { createDeliveryStore } from './adapters/db/delivery-store.js';
import { createPurgeStore } from './adapters/db/purge.js';
import { createScheduleStore } from './adapters/db/schedule-store.js';
import { createStore, type CommittedEvents } from './adapters/db/store.js';
import { sentFolderCopier } from './adapters/imap/sent-folder.js';
import { createQueues, createWorker, ensureSchedulers, MAINTENANCE_QUEUE, OUTBOUND_QUEUE } from './adapters/queue/queues.js';
import { composeMail } from './adapters/smtp/compose.js';
import { createMailer } from './adapters/smtp/mailer.js';
import type { MailboxTokens } from './adapters/oauth/mailbox-tokens.js';
import type { OutboxQueue } from './usecases/ports.js';
import { recomputeDueTimes } from './usecases/recompute-due-times.js';
import type { ScheduleDeps } from './usecases/scheduled-change.js';
import type { SendDeps } from './usecases/send-outbound.js';
import { maintenanceProcessor } from '../workers/maintenance.js';
import type { PurgeJobDeps } from '../workers/purge.js';
import { outboundProcessor } from '../workers/outbound.js';

/** The queues, their workers and the schedules of the daemon: how outgoing mail and the scheduled jobs run. */

/** Where the queues live (Redis) and under which key prefix. */
export interface QueueEnvironment {
  readonly redisUrl: string;
  readonly queuePrefix: string;
}

export interface Outbound {
  readonly outbox: OutboxQueue;
  /** Schedules the maintenance jobs at the config's current intervals. */
  reschedule(): Promise<void>;
  /** Recomputes SLA due times for the config now in force. */
  recompute(): Promise<void>;
  stop(): Promise<void>;
}

/** The outbound queue, its worker, and the reconciler schedule (re-ensured periodically: a flushed Redis loses it). */
export function startOutbound(
  config: () => Config,
  environment: QueueEnvironment,
  database: Database,
  tokenKey: Buffer,
  log: Logger,
  /** OAuth2 access tokens for mailboxes that sign in with them (SMTP, sent-folder copies). */
  tokens?: MailboxTokens,
  /** Told the events each scheduled change commits (metrics: SLA alerts). */
  onCommit?: CommittedEvents,
): Outbound {
  const settings = {
    redisUrl: environment.redisUrl,
    prefix: environment.queuePrefix,
    attempts: config().outbound.maxAttempts,
    retryDelayMs: config().outbound.retryDelay,
  };
  const queues = createQueues(settings);
  const mailer = createMailer(config, tokens);
  let stopping = false;
  const deps: SendDeps & ScheduleDeps & PurgeJobDeps = {
    schedule: createScheduleStore(database.db),
    delivery: createDeliveryStore(database.db),
    store: createStore(database.db, onCommit),
    purge: createPurgeStore(database.db),
    // A purge in progress ends after its batch in hand when the daemon stops.
    stopping: () => stopping,
    mailer,
    compose: composeMail,
    outbox: queues.outbox,
    copyToSent: sentFolderCopier(config, tokens),
    config,
    now: () => new Date(),
    tokenKey,
    log,
  };
  // Due times follow the SLA config: recompute them in the background if it changed since they were computed.
  const recompute = () =>
    recomputeDueTimes(deps).then(
      () => undefined,
      (err: Error) => log.warn({ error: { message: err.message } }, 'could not recompute SLA due times; they will follow on the next change'),
    );
  void recompute();
  const sender = createWorker(OUTBOUND_QUEUE, settings, outboundProcessor(deps), config().outbound.concurrency);
  const maintenance = createWorker(MAINTENANCE_QUEUE, settings, maintenanceProcessor(deps), 1);
  let lastWorkerError = 0;
  for (const worker of [sender, maintenance]) {
    worker.on('error', (err) => {
      // A Redis outage makes every reconnect attempt an error: one line per 30 s says it.
      if (Date.now() - lastWorkerError < 30_000) return;
      lastWorkerError = Date.now();
      log.warn({ error: { message: err.message }, redis: redactUrl(environment.redisUrl) }, 'queue worker error (Redis unavailable?); retrying');
    });
  }
  sender.on('failed', (job, err) => log.warn({ outbox: job?.data, attempts: job?.attemptsMade, error: { message: err.message } }, 'outbound job failed'));
  maintenance.on('failed', (job, err) => log.error({ job: job?.name, error: { message: err.message } }, 'scheduled job failed; it runs again at its next time'));
  const every = () => ({ reconcile: config().outbound.reconcileEvery, slaScan: config().schedules.slaScanEvery, autoClose: config().schedules.autoCloseEvery, purge: config().schedules.purgeEvery });
  const schedule = () =>
    ensureSchedulers(queues, every()).catch((err: Error) => log.warn({ error: { message: err.message } }, 'could not schedule the maintenance jobs; will retry'));
  void schedule();
  const timer = setInterval(schedule, Math.max(Math.min(...Object.values(every())), 1_000));
  return {
    outbox: queues.outbox,
    reschedule: schedule,
    recompute,
    async stop() {
      stopping = true;
      clearInterval(timer);
      // Let jobs in progress finish, but never hang a shutdown on an absent Redis.
      await within(10_000, Promise.allSettled([sender.close(), maintenance.close()]));
      await within(2_000, Promise.allSettled([sender.close(true), maintenance.close(true)]));
      await within(5_000, queues.close());
      mailer.close();
    },
  };
}

/** Waits for `work` at most `ms`; a shutdown step that cannot finish is abandoned, not awaited forever. */
export async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'invalid url';
  }
}
