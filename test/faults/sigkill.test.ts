import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { report, waitForAllIngested, waitForOutboxDrained } from './figures.js';
import { seededRandom } from '../support/random.js';
import { faultRigs, faultSeed } from './rig.js';

const BACKLOG = 300;
const KILLS = 10;
/** `outbound.concurrency`'s default, which the rig keeps: the sends a daemon has in flight at once. */
const SENDS_IN_FLIGHT = 3;

const rigs = faultRigs();

describe('a daemon SIGKILLed again and again while it works through a backlog', () => {
  it(
    `loses nothing, stores each of ${BACKLOG} mails once and sends each outbox row under its own Message-ID, at most one extra copy per send in flight at each kill`,
    async () => {
      const seed = faultSeed();
      const random = seededRandom(seed);
      const rig = await rigs();
      const ids = await rig.appendBacklog(BACKLOG, 'kill');

      // Progress: mails stored plus rows sent (each mail causes an acknowledgement and a notification).
      const total = BACKLOG * 3;
      const progress = async () => (await rig.stored()) + (await rig.sent());
      const targets = Array.from({ length: KILLS }, () => 1 + Math.floor(random() * total * 0.95)).sort((a, b) => a - b);
      const killedAt: number[] = [];
      for (const target of targets) {
        const daemon = rig.spawn();
        // Each daemon gets to do something before it dies, even when the next point is already passed.
        const goal = Math.max(target, (killedAt.at(-1) ?? 0) + 1);
        await waitFor(async () => (await progress()) >= goal, { timeoutMs: 60_000, intervalMs: 5, what: `progress ${goal} before kill ${killedAt.length + 1}` });
        await daemon.kill('SIGKILL');
        killedAt.push(await progress());
      }

      rig.spawn();
      await waitForAllIngested(rig, BACKLOG, 90_000);
      await waitForOutboxDrained(rig, BACKLOG * 2, 90_000);

      const figures = await rig.figures(ids);
      const duplicates = rig.smtp.duplicates();
      report('sigkill-backlog', { seed, kills: killedAt.length }, figures, {
        duplicatedIds: [...duplicates.keys()].join(',') || '-',
        killedAt: killedAt.join(','),
      });

      // Nothing lost, nothing stored twice, everything flagged.
      expect(figures).toMatchObject({ in: BACKLOG, stored: BACKLOG, lost: 0, inboundDuplicates: 0, quarantined: 0, flagged: BACKLOG, inFolder: BACKLOG });
      // One acknowledgement and one notification per ticket.
      const perTicket = await rig.sql`
        select t.id,
               count(m.id) filter (where m.kind = 'auto_ack')::int as acks,
               count(m.id) filter (where m.kind = 'notification')::int as notifications,
               count(m.id)::int as out
        from tickets t left join messages m on m.ticket_id = t.id and m.direction = 'out'
        group by t.id`;
      expect(perTicket).toHaveLength(BACKLOG);
      expect(perTicket.filter((t) => t.acks !== 1 || t.notifications !== 1 || t.out !== 2)).toEqual([]);
      // Every outbox row sent, each under its own Message-ID, and that Message-ID is what the SMTP server got.
      const rows = await rig.sql`select message_id, delivery_state::text as state from messages where direction = 'out'`;
      expect(rows.filter((r) => r.state !== 'sent')).toEqual([]);
      const rowIds = rows.map((r) => r.message_id as string);
      expect(new Set(rowIds).size).toBe(rowIds.length);
      const capturedIds = new Set(rig.smtp.mails.map((m) => (m.parsed.messageId ?? '').replace(/^<|>$/g, '')));
      expect([...capturedIds].sort()).toEqual([...rowIds].sort());
      // A mail in flight at the instant of a kill may go out again (README, outbound.concurrency):
      // at most one extra copy per send in flight at each kill.
      expect(figures.duplicated).toBeLessThanOrEqual(killedAt.length * SENDS_IN_FLIGHT);
    },
    // Ten restarts of a few seconds each; rows a killed worker held are queued again once their claim is
    // older than stuckAfter (3 s here), under a job id of their next claim.
    180_000,
  );
});
