import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { spawnDaemon, type DaemonProcess } from '../support/cli.js';
import { DOVECOT_PASSWORD } from '../support/dovecot.js';
import { buildMail } from '../support/mail.js';
import { processAlive } from '../support/process.js';
import { waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let harness: MailboxHarness | null = null;
let daemon: DaemonProcess | null = null;

afterEach(async () => {
  await daemon?.kill('SIGKILL');
  daemon = null;
  await harness?.close();
  harness = null;
});

describe('signals', () => {
  it('SIGTERM to `npm start` stops the daemon within 10 s and leaves no process behind', async () => {
    harness = await mailboxHarness();
    const env = {
      ...process.env,
      HELPDESK_CONFIG: harness.configFile,
      DATABASE_URL: harness.db.url,
      IMAP_PASSWORD: DOVECOT_PASSWORD,
      HELPDESK_QUEUE_PREFIX: harness.queuePrefix,
    };
    const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Record<string, unknown>[] = [];
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    let partial = '';
    npm.stdout.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    try {
      const watching = await waitFor(() => lines.find((l) => l.msg === 'watching mailbox'), { timeoutMs: 60_000, what: 'the daemon watching' });
      const pid = watching.pid as number;
      expect(pid).not.toBe(npm.pid);

      const sent = Date.now();
      npm.kill('SIGTERM');
      await waitFor(() => !processAlive(pid), { timeoutMs: 10_000, what: 'the daemon process gone' });
      expect(Date.now() - sent).toBeLessThan(10_000);
      expect(await exited).toBe(0);
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping: finishing the mail in hand and the sends in flight', 'helpdesk stopped']));
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
    }
  });

  it('waits for a send in flight on the first signal, and exits at once on a second', async () => {
    harness = await mailboxHarness();
    // An SMTP server that accepts the connection and never says a word: the acknowledgement stays in flight.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      const config = await readFile(harness.configFile, 'utf8');
      await writeFile(harness.configFile, config.replace(`port: ${harness.smtp.port}`, `port: ${silentPort}`));
      daemon = spawnDaemon(['--config', harness.configFile], {
        DATABASE_URL: harness.db.url,
        IMAP_PASSWORD: DOVECOT_PASSWORD,
        HELPDESK_QUEUE_PREFIX: harness.queuePrefix,
      });
      await daemon.waitForLog('watching mailbox');
      await harness.append(buildMail().raw);
      await daemon.waitForLog('message ingested');
      const [sending] = await waitFor(async () => {
        const rows = await harness!.db.sql`select id from messages where direction = 'out' and delivery_state = 'sending'`;
        return rows.length > 0 ? rows : null;
      }, { what: 'a send in flight' });
      expect(sending).toBeTruthy();

      daemon.child.kill('SIGINT');
      await daemon.waitForLog('stopping: finishing the mail in hand and the sends in flight');
      expect(daemon.child.exitCode).toBeNull(); // still waiting for the send
      daemon.child.kill('SIGINT');
      expect(await daemon.exited).toBe(130);
      expect(daemon.logs.map((l) => l.msg)).toContain('second signal: exiting at once');
    } finally {
      silent.close();
    }
  });
});
