import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { DOVECOT_PASSWORD } from '../support/dovecot.js';
import { mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { buildMail } from '../support/mail.js';
import { waitFor } from '../support/wait.js';

let harness: MailboxHarness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

function env(h: MailboxHarness): Record<string, string> {
  return { DATABASE_URL: h.db.url, IMAP_PASSWORD: DOVECOT_PASSWORD, HELPDESK_QUEUE_PREFIX: h.queuePrefix, LOG_LEVEL: '' };
}

/** JSON log lines of a CLI run's stderr. */
function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function archive(h: MailboxHarness, mails: { subject: string; date?: string }[]): Promise<void> {
  await h.imap.mailboxCreate('Archive').catch(() => undefined);
  for (const mail of mails) {
    const raw = buildMail({ subject: mail.subject, from: 'old-customer@customer.test' }).raw;
    await h.imap.append('Archive', raw, [], mail.date ? new Date(mail.date) : undefined);
  }
}

describe('helpdesk import', () => {
  it('imports a folder quietly: tickets, no mail out, nothing flagged; a second run finds everything stored', async () => {
    const h = (harness = await mailboxHarness());
    await archive(h, [{ subject: 'from 2024', date: '2024-03-01T10:00:00Z' }, { subject: 'from 2025 a', date: '2025-06-01T10:00:00Z' }, { subject: 'from 2025 b', date: '2025-07-01T10:00:00Z' }]);

    const since = await runCli(['import', '--mailbox', 'support', '--folder', 'Archive', '--since', '2025-01-01', '--config', h.configFile], env(h));
    expect(since.stderr).not.toContain('"level":"error"');
    expect(since.code).toBe(0);
    expect((await h.tickets()).map((t) => t.subject)).toEqual(['from 2025 a', 'from 2025 b']);
    const done = logLines(since.stderr).find((l) => String(l.msg).startsWith('import done'));
    expect(done).toMatchObject({ mailbox: 'support', folder: 'Archive', done: 2, created: 2, alreadyStored: 0, quarantined: 0 });

    const all = await runCli(['import', '--mailbox', 'support', '--folder', 'Archive', '--config', h.configFile], env(h));
    expect(all.code).toBe(0);
    // Its own resume point: the run without --since reads the folder again from the start, skipping what is stored.
    expect(logLines(all.stderr).find((l) => String(l.msg).startsWith('import done'))).toMatchObject({ done: 3, created: 1, alreadyStored: 2 });
    expect((await h.tickets()).map((t) => t.subject).sort()).toEqual(['from 2024', 'from 2025 a', 'from 2025 b']);

    const [out] = await h.db.sql`select count(*)::int as n from messages where direction = 'out'`;
    expect(out!.n).toBe(0);
    const [imported] = await h.db.sql`select count(*)::int as n from events where type = 'imported'`;
    expect(imported!.n).toBe(3);
    await h.imap.mailboxOpen('Archive', { readOnly: true });
    expect(await h.imap.search({ seen: false }, { uid: true })).toEqual([1, 2, 3]);
    await h.imap.mailboxClose();

    const third = await runCli(['import', '--mailbox', 'support', '--folder', 'Archive', '--config', h.configFile], env(h));
    expect(logLines(third.stderr).find((l) => String(l.msg).startsWith('import done'))).toMatchObject({ done: 0 });
  });

  it('stops on Ctrl-C with its place kept, and the same command finishes the rest', async () => {
    const h = (harness = await mailboxHarness());
    await archive(h, Array.from({ length: 400 }, (_, i) => ({ subject: `backlog ${i}` })));
    const child = spawn(process.execPath, [CLI, 'import', '--mailbox', 'support', '--folder', 'Archive', '--config', h.configFile], {
      env: { ...process.env, ...env(h) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await waitFor(async () => ((await h.tickets()).length >= 25 ? true : null), { timeoutMs: 60_000, what: 'the import under way' });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const stopped = logLines(stderr).find((l) => String(l.msg).startsWith('import stopped'));
    expect(stopped).toBeDefined();
    const first = (await h.tickets()).length;
    expect(first).toBeLessThan(400);
    expect(stopped!.done).toBe(first);

    const rest = await runCli(['import', '--mailbox', 'support', '--folder', 'Archive', '--config', h.configFile], env(h));
    expect(rest.code).toBe(0);
    const done = logLines(rest.stderr).find((l) => String(l.msg).startsWith('import done'));
    expect(done).toMatchObject({ created: 400 - first, alreadyStored: 0 });
    expect((await h.tickets()).length).toBe(400);
    // Without a terminal, progress is a log line with counts, rate and ETA.
    expect(logLines(rest.stderr).some((l) => typeof l.total === 'number' && 'perSecond' in l && 'etaSeconds' in l)).toBe(true);
  });

  it('names the configured mailboxes when the one asked for does not exist', async () => {
    const h = (harness = await mailboxHarness());
    const result = await runCli(['import', '--mailbox', 'nope', '--config', h.configFile], env(h));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no mailbox "nope"');
    expect(result.stderr).toContain('configured: support');
  });
});
