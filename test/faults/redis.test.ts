import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { report, waitForAllIngested, waitForOutboxDrained } from './figures.js';
import { faultRigs } from './rig.js';

const BACKLOG = 150;
/**
 * Five connections at 400 ms a mail (12.5 mails/s): slower than ingest queues them (two rows a mail)
 * even on a loaded machine, so the queue holds rows when Redis goes.
 */
const SMTP_DELAY_MS = 400;

const rigs = faultRigs();

/** What the daemon says when Redis goes away: its worker's connection, the queueing after a commit, the lease. */
const REDIS_TROUBLE = [
  'queue worker error (Redis unavailable?); retrying',
  'queue unavailable; the outbox reconciler will send these',
  'mailbox lease unavailable (Redis); watching without it',
];

describe('Redis restarted empty while outbox rows are being sent', () => {
  it(`delivers each of ${BACKLOG * 2} outbox rows exactly once: the reconciler queues again what the lost queue held`, async () => {
    // A slow SMTP server keeps the queue full while Redis goes away.
    const rig = await rigs({ smtpDelayMs: SMTP_DELAY_MS });
    const ids = await rig.appendBacklog(BACKLOG, 'redis');
    rig.spawn();
    await waitFor(
      async () => {
        const [row] = await rig.sql`
          select count(*) filter (where delivery_state = 'sent')::int as sent,
                 count(*) filter (where delivery_state = 'queued')::int as queued
          from messages where direction = 'out'`;
        return row!.sent >= 20 && row!.queued >= 20;
      },
      { timeoutMs: 60_000, intervalMs: 10, what: 'sending under way with rows still queued' },
    );
    const [atStop] = await rig.sql`
      select count(*) filter (where delivery_state = 'sent')::int as sent,
             count(*) filter (where delivery_state in ('queued', 'sending'))::int as pending
      from messages where direction = 'out'`;
    await rig.redis.down();
    await waitFor(() => REDIS_TROUBLE.some((msg) => rig.logs(msg).length > 0), { timeoutMs: 30_000, intervalMs: 20, what: 'the daemon to notice Redis is gone' });
    const noticed = REDIS_TROUBLE.filter((msg) => rig.logs(msg).length > 0).length;
    await rig.redis.up();

    await waitForAllIngested(rig, BACKLOG, 60_000);
    await waitForOutboxDrained(rig, BACKLOG * 2, 60_000);
    const figures = await rig.figures(ids);
    report('redis-restart', { delayMs: SMTP_DELAY_MS }, figures, {
      sentAtStop: atStop!.sent as number,
      pendingAtStop: atStop!.pending as number,
      noticed,
      requeued: rig.logs('outbox rows queued again').reduce((n, l) => n + Number(l.outbox), 0),
    });

    const rows = await rig.sql`select message_id, delivery_state::text as state from messages where direction = 'out'`;
    expect(rows).toHaveLength(BACKLOG * 2);
    expect(rows.filter((r) => r.state !== 'sent')).toEqual([]);
    // Exactly once: every row's Message-ID at the SMTP server, none twice, nothing else.
    expect(rig.smtp.duplicates()).toEqual(new Map());
    const captured = rig.smtp.mails.map((m) => (m.parsed.messageId ?? '').replace(/^<|>$/g, '')).sort();
    expect(captured).toEqual(rows.map((r) => r.message_id as string).sort());
  }, 120_000);
});
