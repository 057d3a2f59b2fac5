import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.js';
import { waitFor } from '../support/wait.js';
import { report, waitForAllIngested } from './figures.js';
import { faultRigs, type FaultRig } from './rig.js';

const run = promisify(execFile);
const BEFORE = 20;
const WHILE_DOWN = 10;
const RETRYING = 'mailbox unreachable or connection lost; retrying';

const rigs = faultRigs();

/** True when one of the user's IMAP sessions is in IDLE (Dovecot shows the command in the process title). */
async function idling(rig: FaultRig): Promise<boolean> {
  const { stdout } = await run('ps', ['-eo', 'args']);
  return stdout.split('\n').some((line) => line.includes(rig.user) && / IDLE\]$/.test(line.trim()));
}

describe('Dovecot stopped while the daemon idles, and started again', () => {
  it('reconnects with backoff and ingests the mail that arrived while the server was down', async () => {
    // Polling is slow here: mail must arrive by IDLE, and after the outage by the reconnection.
    const rig = await rigs({ pollInterval: '60s' });
    const ids = await rig.appendBacklog(BEFORE, 'before');
    rig.spawn();
    await waitForAllIngested(rig, BEFORE, 60_000);
    await waitFor(() => idling(rig), { timeoutMs: 15_000, intervalMs: 50, what: 'the daemon in IDLE' });

    await rig.dovecot.down();
    // Delivered as an MTA would while the IMAP server is down: files in the user's Maildir/new.
    for (let i = 0; i < WHILE_DOWN; i++) {
      const mail = buildMail({ from: `Late ${i} <late-${i}@customer.test>`, subject: `while down ${i}` });
      ids.push(mail.messageId!);
      await rig.dovecot.deliver(rig.user, mail.raw);
    }
    // The lost connection and two failed reconnections (backoff about 1 s, then 2 s) before the server comes back.
    await waitFor(() => rig.logs(RETRYING).length >= 3, { timeoutMs: 30_000, intervalMs: 50, what: 'three reconnection attempts logged' });
    const downFor = rig.logs(RETRYING).length;
    // The outage was real: nothing of what arrived meanwhile got in before the server came back.
    expect(await rig.stored()).toBe(BEFORE);
    await rig.dovecot.up();

    await waitForAllIngested(rig, BEFORE + WHILE_DOWN, 60_000);
    const retries = rig.logs(RETRYING);
    const figures = await rig.figures(ids);
    report('dovecot-restart', { whileDown: WHILE_DOWN }, figures, {
      retries: retries.length,
      retryInMs: retries.map((l) => l.retryInMs).join(','),
      reconnected: rig.logs('watching mailbox').length - 1,
    });

    expect(figures).toMatchObject({ in: BEFORE + WHILE_DOWN, stored: BEFORE + WHILE_DOWN, lost: 0, inboundDuplicates: 0, quarantined: 0 });
    expect(figures).toMatchObject({ flagged: BEFORE + WHILE_DOWN, inFolder: BEFORE + WHILE_DOWN });
    // Backoff: attempts counted up, each waiting about twice as long as the one before (±20 % jitter).
    expect(retries.slice(0, downFor).map((l) => l.attempt)).toEqual(Array.from({ length: downFor }, (_, i) => i + 1));
    for (let i = 1; i < downFor; i++) expect(Number(retries[i]!.retryInMs)).toBeGreaterThan(Number(retries[i - 1]!.retryInMs));
    expect(rig.logs('watching mailbox').length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
