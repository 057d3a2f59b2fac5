import type { Config } from '../config/schema.js';
import { AppError, errorForLog, isAppError } from '../errors.js';
import { pendingMail, type MailContext } from './outbound-mail.js';
import { recordSendFailure } from './record-send-failure.js';
import { runChange } from './save-change.js';
import type { ComposeMail, CopyToSentFolder, DeliveryStore, Logger, Mailer, OutboxQueue, Store } from './ports.js';

export interface SendDeps {
  readonly delivery: DeliveryStore;
  readonly store: Store;
  readonly mailer: Mailer;
  readonly compose: ComposeMail;
  readonly outbox: OutboxQueue;
  readonly copyToSent: CopyToSentFolder;
  readonly config: () => Config;
  readonly now: () => Date;
  readonly tokenKey: Buffer;
  readonly log: Logger;
}

export type SendOutcome = 'sent' | 'skipped';

/** Where this send stands among the queue's attempts. */
export interface SendAttempt {
  /** The last attempt: a transient failure now fails the mail. */
  readonly final: boolean;
  /** When the queue tries again after a transient failure (for the log line). */
  readonly retryInMs?: number;
}

/** Kinds whose copy goes to the sent folder and whose failure an agent must hear about. */
const CUSTOMER_FACING = new Set(['agent_reply', 'auto_ack', 'auto_notice']);

/**
 * Sends one outbox row. A row already `sent` (or `failed`) is never sent again.
 * A transient failure (4xx, network) puts the row back to `queued` and throws
 * for the queue to retry; a permanent one (5xx, auth, no SMTP), or the last
 * attempt, marks it failed, records an event and tells the agents — then throws.
 */
export async function sendOutbound(deps: SendDeps, rowId: number, attempt: SendAttempt): Promise<SendOutcome> {
  const now = deps.now();
  const row = await deps.delivery.claim(rowId, now, new Date(now.getTime() - deps.config().outbound.stuckAfter));
  if (!row) return 'skipped';
  try {
    const result = await deps.mailer.send(row.mailbox, { from: row.from, to: row.recipients }, row.raw);
    if (result.accepted.length === 0) throw new AppError('SMTP_PERMANENT', `every recipient was refused: ${result.rejected.join(', ')}`);
  } catch (err) {
    const permanent = isAppError(err) && !err.retryable;
    const reason = errorForLog(err).message;
    if (permanent || attempt.final) {
      await failDelivery(deps, rowId, reason, permanent ? 'refused' : 'retries exhausted');
    } else {
      await deps.delivery.release(rowId, reason);
    }
    const final = permanent || attempt.final;
    const fields = { outbox: rowId, ticket: row.ticketNumber, kind: row.kind, messageId: row.messageId, attempts: row.attempts, permanent, final, error: { message: reason } };
    if (final) deps.log.warn(fields, permanent ? 'delivery refused; the mail failed and will not be retried' : 'delivery failed on the last attempt; the mail failed');
    else if (attempt.retryInMs !== undefined) deps.log.warn({ ...fields, retryInMs: attempt.retryInMs, retryAt: new Date(now.getTime() + attempt.retryInMs).toISOString() }, `delivery failed; retrying in ${describeDelay(attempt.retryInMs)}`);
    else deps.log.warn(fields, 'delivery failed; it will be retried');
    throw err;
  }
  await markSent(deps, rowId);
  deps.log.info({ outbox: rowId, ticket: row.ticketNumber, messageId: row.messageId, kind: row.kind, attempts: row.attempts }, 'mail sent');
  if (CUSTOMER_FACING.has(row.kind)) {
    await deps.copyToSent(row.mailbox, row.raw).catch((err: unknown) =>
      deps.log.warn({ outbox: rowId, ticket: row.ticketNumber, error: errorForLog(err) }, 'could not copy the mail to the sent folder'),
    );
  }
  return 'sent';
}

/** `45 s`, `8 min`, `2 h 8 min`. */
export function describeDelay(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * Records a mail the SMTP server accepted as sent. It is out: a database outage
 * now must not make it go again, so the update is retried (backoff up to 5 s)
 * until the database answers. Only if the process ends first, or the outage
 * outlasts `outbound.stuckAfter` (another sender then takes the row over), is
 * it sent again — under the same Message-ID.
 */
async function markSent(deps: SendDeps, rowId: number): Promise<void> {
  for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      await deps.delivery.markSent(rowId, deps.now());
      return;
    } catch (err) {
      if (!(isAppError(err) && err.retryable)) throw err;
      deps.log.warn({ outbox: rowId, error: errorForLog(err), retryInMs: delay }, 'mail sent, but recording it failed; retrying so it is not sent again');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Marks the row failed, records `send_failed` on its ticket and, for customer-facing mail, tells the agents (record-send-failure.ts). */
async function failDelivery(deps: SendDeps, rowId: number, reason: string, why: string): Promise<void> {
  await runChange(deps, `outbox:${rowId}`, async (uow) => {
    const row = await uow.messages.outboundById(rowId);
    if (!row || row.deliveryState === 'sent') return { outboxIds: [] };
    const now = deps.now();
    const ctx: MailContext = { uow, config: deps.config(), now, deps, pending: pendingMail() };
    const recorded = await recordSendFailure(ctx, row, { reason, via: { bounce: false, why, recipients: row.recipients }, onMessage: false });
    const events = recorded.events.map((e) => ({ ticketId: e.ticketId!, type: e.type, actor: e.actor, data: e.data }));
    return uow.tickets.save({ now, events, outbox: ctx.pending.outbox, automated: ctx.pending.automated, failedOutbound: [recorded.failed] });
  });
}

/** Finds outbox rows a flushed or absent queue lost, and queues them again (jobs dedupe by row id). */
export async function reconcileOutbox(deps: Pick<SendDeps, 'delivery' | 'outbox' | 'config' | 'now' | 'log'>): Promise<number> {
  const now = deps.now().getTime();
  const { stuckAfter, reconcileEvery } = deps.config().outbound;
  // A row queued a moment ago is normally in flight to Redis already; give it that moment.
  const grace = Math.min(10_000, reconcileEvery);
  const rows = await deps.delivery.stale(new Date(now - grace), new Date(now - stuckAfter), 1000);
  if (rows.length === 0) return 0;
  const added = await deps.outbox.requeue(rows);
  if (added > 0) deps.log.info({ outbox: added, stale: rows.length }, 'outbox rows queued again');
  return added;
}
