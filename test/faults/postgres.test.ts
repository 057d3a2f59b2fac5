import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { folderFlags, report, waitForAllIngested, waitForOutboxDrained } from './figures.js';
import { seededRandom } from '../support/random.js';
import { faultRigs, faultSeed, type FaultRig } from './rig.js';

const BACKLOG = 300;
const TERMINATIONS = 5;
const INTERRUPTED = 'sync interrupted; messages stay unflagged and will be retried';

const rigs = faultRigs();

/** Every mail stored once, nothing quarantined, nothing left unflagged: the guarantee both tests name. */
async function expectEveryMailOnce(rig: FaultRig, ids: readonly string[]): Promise<void> {
  const figures = await rig.figures(ids);
  expect(figures).toMatchObject({ in: ids.length, stored: ids.length, lost: 0, inboundDuplicates: 0, quarantined: 0, flagged: ids.length, inFolder: ids.length });
  const [row] = await rig.sql`select count(*)::int as n from messages where direction = 'in'`;
  expect(row!.n).toBe(ids.length);
  expect((await folderFlags(rig)).unseen).toEqual([]);
}

/** The outbox is not what these tests are about; its state is reported once it settled (or after a bounded wait). */
async function outboxSettled(rig: FaultRig, rows: number): Promise<string> {
  return waitForOutboxDrained(rig, rows, 30_000).then(
    () => 'yes',
    () => 'no',
  );
}

describe('Postgres faults in the middle of a backlog', () => {
  it(`stores each of ${BACKLOG} mails once, quarantines none and flags all when the daemon's connections are terminated ${TERMINATIONS} times`, async () => {
    const seed = faultSeed();
    const random = seededRandom(seed);
    const rig = await rigs();
    const ids = await rig.appendBacklog(BACKLOG, 'terminate');
    // Fault points: numbers of mails stored, spread over the first two thirds of the backlog.
    const points = Array.from({ length: TERMINATIONS }, () => 10 + Math.floor(random() * BACKLOG * 0.6)).sort((a, b) => a - b);

    rig.spawn();
    const faults: { stored: number; backends: number }[] = [];
    for (const point of points) {
      // Each fault after the daemon has made progress again since the last one.
      const goal = Math.min(BACKLOG, Math.max(point, (faults.at(-1)?.stored ?? 0) + 10));
      await waitFor(async () => (await rig.stored()) >= goal, { timeoutMs: 60_000, intervalMs: 5, what: `${goal} mails stored` });
      const terminated = await rig.pg.admin`select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = 'helpdesk'`;
      faults.push({ stored: await rig.stored(), backends: terminated.filter((t) => t.done).length });
    }

    await waitForAllIngested(rig, BACKLOG, 90_000);
    await expectEveryMailOnce(rig, ids);

    const drained = await outboxSettled(rig, BACKLOG * 2);
    const figures = await rig.figures(ids);
    report('pg-terminate', { seed, terminations: faults.length }, figures, {
      drained,
      interrupted: rig.logs(INTERRUPTED).length,
      'storedAt/backendsKilled': faults.map((f) => `${f.stored}/${f.backends}`).join(','),
    });
    // A connection cut between the SMTP server's "accepted" and the row's "sent" is retried: no mail goes twice.
    expect(drained).toBe('yes');
    expect(figures.duplicated).toBe(0);
  }, 120_000);

  it(`stores each of ${BACKLOG} mails once, quarantines and skips none and flags all when the database turns read-only for a while`, async () => {
    const rig = await rigs();
    const ids = await rig.appendBacklog(BACKLOG, 'readonly');
    rig.spawn();
    await waitFor(async () => (await rig.stored()) >= BACKLOG / 3, { timeoutMs: 60_000, intervalMs: 5, what: 'a third of the backlog stored' });

    const before = rig.logs(INTERRUPTED).length;
    await rig.pg.admin`alter system set default_transaction_read_only = on`;
    await rig.pg.admin`select pg_reload_conf()`;
    const since = Date.now();
    const storedAtFault = await rig.stored();
    // The fault lasts until the daemon has run into it and kept retrying for a while: until its own
    // reports of the read-only database span 8 s (its retries come with backoff and with every poll).
    const readOnlyReports = () => rig.logs(INTERRUPTED).slice(before).filter((l) => /25006|read-only/.test(JSON.stringify(l.error)));
    await waitFor(
      () => {
        const reports = readOnlyReports().map((l) => Date.parse(l.time as string));
        return reports.length >= 3 && reports.at(-1)! - reports[0]! >= 8_000;
      },
      { timeoutMs: 40_000, intervalMs: 50, what: 'the daemon to keep reporting the read-only database for 8 s' },
    );
    const readOnlyMs = Date.now() - since;
    const storedWhileReadOnly = (await rig.stored()) - storedAtFault;
    await rig.pg.admin`alter system reset default_transaction_read_only`;
    await rig.pg.admin`select pg_reload_conf()`;

    await waitForAllIngested(rig, BACKLOG, 90_000);
    await expectEveryMailOnce(rig, ids);
    const [quarantine] = await rig.sql`select count(*)::int as n from quarantine`;
    expect(quarantine!.n).toBe(0);
    // None skipped: the resume point is the last UID, and every UID up to it is a stored message.
    const [state] = await rig.sql`select last_uid::int as last from mailbox_state where mailbox = 'support'`;
    const uids = await rig.sql`select imap_uid::int as uid from messages where direction = 'in' order by imap_uid`;
    expect(uids.map((u) => u.uid)).toEqual(Array.from({ length: BACKLOG }, (_, i) => i + 1));
    expect(state!.last).toBe(BACKLOG);

    const drained = await outboxSettled(rig, BACKLOG * 2);
    report('pg-read-only', { readOnlyS: (readOnlyMs / 1000).toFixed(1) }, await rig.figures(ids), {
      drained,
      storedWhileReadOnly,
      interrupted: readOnlyReports().length,
    });
  }, 120_000);

  it('sends a mail once when the connection marking it sent is cut after the SMTP server accepted it', async () => {
    // The first mail the SMTP server gets: before it answers, its outbox row is locked, so the daemon's
    // "mark sent" waits on that lock; that waiting connection is then terminated (a failover, a reset).
    let intercepted: { messageId: string; release: () => void; locked: Promise<void> } | null = null;
    let rig: FaultRig | null = null;
    rig = await rigs({
      beforeAnswer: async (mail) => {
        if (intercepted || !rig) return;
        const messageId = (mail.parsed.messageId ?? '').replace(/^<|>$/g, '');
        let release = () => {};
        const released = new Promise<void>((resolve) => (release = resolve));
        let onLocked = () => {};
        const locked = new Promise<void>((resolve) => (onLocked = resolve));
        intercepted = { messageId, release, locked };
        void rig.sql.begin(async (tx) => {
          await tx`select id from messages where message_id = ${messageId} for update`;
          onLocked();
          await released;
        });
        await locked;
      },
    });
    const ids = await rig.appendBacklog(1, 'reset');
    rig.spawn();
    const current = await waitFor(() => intercepted, { timeoutMs: 30_000, what: 'the first mail at the SMTP server' });
    await current.locked;
    const [waiting] = await waitFor(
      async () => {
        const rows = await rig!.pg.admin`
          select pid from pg_stat_activity
          where application_name = 'helpdesk' and wait_event_type = 'Lock' and query ilike 'update%messages%'`;
        return rows.length > 0 ? rows : null;
      },
      { timeoutMs: 15_000, what: 'the daemon marking the row sent, waiting on the lock' },
    );
    await rig.pg.admin`select pg_terminate_backend(${waiting!.pid as number})`;
    current.release();

    await waitForAllIngested(rig, 1, 30_000);
    await waitForOutboxDrained(rig, 2, 30_000);
    const figures = await rig.figures(ids);
    report('pg-reset-after-smtp', { intercepted: current.messageId }, figures, { captured: figures.captured });
    expect(figures.sent).toBe(2);
    // The SMTP server took the mail; the daemon must not send it again.
    expect(rig.smtp.duplicates()).toEqual(new Map());
    expect(figures.captured).toBe(2);
  }, 60_000);
});
