import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { describe, expect, it, onTestFailed } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { startDaemon } from '../../src/main.js';
import { LogCapture } from '../support/harness.js';
import { buildMail } from '../support/mail.js';
import { poisonMails } from '../support/poison.js';
import { waitFor } from '../support/wait.js';
import { folderFlags, printDiagnostics, report } from './figures.js';
import { seededRandom } from '../support/random.js';
import { faultRigs, faultSeed } from './rig.js';

const NORMAL = 30;
const LEASE_MS = 3_000;

const rigs = faultRigs();

interface Appended {
  readonly name: string;
  readonly uid: number;
  readonly messageId: string;
  readonly poison: boolean;
}

describe('poison mails in a backlog, the daemon in this process', () => {
  it(`makes every normal mail a ticket, keeps or quarantines every poison mail, and stays responsive with its lease held`, async () => {
    const seed = faultSeed();
    const random = seededRandom(seed);
    const rig = await rigs();

    // The poison mails at seeded places among the normal ones.
    const entries: { name: string; raw: Buffer | string; messageId: string; poison: boolean }[] = Array.from({ length: NORMAL }, (_, i) => {
      const mail = buildMail({ from: `Customer ${i} <poison-${i}@customer.test>`, subject: `normal ${i}` });
      return { name: `normal-${i}`, raw: mail.raw, messageId: mail.messageId!, poison: false };
    });
    for (const poison of poisonMails()) {
      entries.splice(Math.floor(random() * (entries.length + 1)), 0, { name: poison.name, raw: poison.raw, messageId: poison.messageId, poison: true });
    }
    const appended: Appended[] = [];
    for (const entry of entries) {
      const result = await rig.imap.append('INBOX', entry.raw);
      if (!result || !result.uid) throw new Error(`APPEND of ${entry.name} returned no UID`);
      appended.push({ name: entry.name, uid: result.uid, messageId: entry.messageId, poison: entry.poison });
    }

    // Watched from the start of the daemon to the end of the run.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    const leaseKey = `${rig.queuePrefix}:lease:mailbox:support`;
    const redis = new Redis(rig.redis.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    rig.defer(async () => redis.disconnect());
    const owners: (string | null)[] = [];
    let watching = true;
    const leaseWatch = (async () => {
      while (watching) {
        owners.push(await redis.get(leaseKey).catch(() => 'redis error'));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    rig.defer(async () => {
      watching = false;
      await leaseWatch;
    });

    const logs = new LogCapture();
    let missing: string[] = [];
    onTestFailed(() => {
      console.log(`DIAGNOSTICS not stored or quarantined: ${missing.join(', ') || '-'}`);
      printDiagnostics([logs.lines]);
    });
    delay.enable();
    const daemon = await startDaemon(rig.environment(LEASE_MS), createLogger('info', logs.stream));
    rig.defer(() => daemon.stop());

    const settled = async () => {
      const stored = await rig.sql`select imap_uid::int as uid from messages where direction = 'in' and mailbox = 'support'`;
      const held = await rig.sql`select uid::int as uid from quarantine where mailbox = 'support'`;
      const done = new Set([...stored, ...held].map((r) => r.uid as number));
      missing = appended.filter((a) => !done.has(a.uid)).map((a) => `${a.name} (uid ${a.uid})`);
      return missing.length === 0 && (await folderFlags(rig)).unseen.length === 0;
    };
    await waitFor(settled, { timeoutMs: 90_000, intervalMs: 200, what: 'every mail stored or quarantined, and flagged' });
    delay.disable();
    watching = false;
    await leaseWatch;

    const stored = await rig.sql`
      select imap_uid::int as uid, ticket_id, kind::text as kind, coalesce(message_id_full, message_id) as message_id
      from messages where direction = 'in'`;
    const quarantined = await rig.sql`select uid::int as uid, error_code from quarantine`;
    const storedByUid = new Map(stored.map((r) => [r.uid as number, r]));
    const heldByUid = new Map(quarantined.map((r) => [r.uid as number, r]));
    const maxDelayMs = delay.max / 1e6;
    const held = owners.slice(owners.findIndex((o) => o !== null));
    const poisonFate = appended
      .filter((a) => a.poison)
      .map((a) => `${a.name}:${storedByUid.has(a.uid) ? 'stored' : heldByUid.has(a.uid) ? `quarantined(${heldByUid.get(a.uid)!.error_code})` : 'missing'}`);
    const figures = await rig.figures(appended.map((a) => a.messageId));
    report('poison', { seed, poison: appended.length - NORMAL }, figures, {
      storedRows: stored.length,
      maxLoopDelayMs: maxDelayMs.toFixed(0),
      leasePolls: held.length,
      leaseOwners: new Set(held).size,
      fates: poisonFate.join(','),
    });

    // Every normal mail a ticket.
    for (const mail of appended.filter((a) => !a.poison)) {
      expect(storedByUid.get(mail.uid), mail.name).toMatchObject({ kind: 'customer', message_id: mail.messageId });
      expect(storedByUid.get(mail.uid)!.ticket_id, mail.name).not.toBeNull();
    }
    // Every poison mail a stored message or a quarantine entry, and every mail flagged.
    expect(poisonFate.filter((f) => f.endsWith(':missing'))).toEqual([]);
    expect(await folderFlags(rig)).toMatchObject({ flagged: appended.length, inFolder: appended.length, unseen: [] });
    // Responsive throughout: the event loop never stalled for a second, and the lease never changed hands or lapsed.
    expect(maxDelayMs).toBeLessThan(1_000);
    expect(held.length).toBeGreaterThan(0);
    expect(held.filter((owner) => owner !== held[0])).toEqual([]);
  }, 120_000);
});
