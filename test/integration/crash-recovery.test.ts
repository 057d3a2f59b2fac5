import { afterEach, describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.js';
import { mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { spawnDaemon, type DaemonProcess } from '../support/cli.js';
import { DOVECOT_PASSWORD } from '../support/dovecot.js';
import { waitFor } from '../support/wait.js';

const BACKLOG = 500;

let h: MailboxHarness | null = null;
let daemon: DaemonProcess | null = null;

afterEach(async () => {
  await daemon?.kill('SIGKILL');
  daemon = null;
  await h?.close();
  h = null;
});

function start(harness: MailboxHarness): DaemonProcess {
  daemon = spawnDaemon(['--config', harness.configFile], {
    DATABASE_URL: harness.db.url,
    IMAP_PASSWORD: DOVECOT_PASSWORD,
    LOG_LEVEL: 'info',
    HELPDESK_QUEUE_PREFIX: harness.queuePrefix,
    // The killed daemon's hold on the mailbox must expire before the next one takes over.
    HELPDESK_MAILBOX_LEASE: '2s',
  });
  return daemon;
}

describe('a daemon killed in the middle of a backlog', () => {
  it('stores each of 500 mails exactly once and flags them all after a restart', async () => {
    const harness = (h = await mailboxHarness());
    const ids: string[] = [];
    for (let i = 0; i < BACKLOG; i++) {
      const mail = buildMail({ subject: `Backlog mail ${i}`, body: `Mail number ${i}.\n${'Some text. '.repeat(50)}` });
      ids.push(mail.messageId!);
      await harness.append(mail.raw);
    }

    const first = start(harness);
    await waitFor(async () => (await harness.messageCount()) >= 100, { timeoutMs: 60_000, intervalMs: 5, what: '100 mails stored' });
    await first.kill('SIGKILL');
    const storedAtKill = await harness.messageCount();
    expect(storedAtKill).toBeLessThan(BACKLOG);
    expect((await harness.unseenUids()).length).toBeGreaterThan(0);

    const second = start(harness);
    await waitFor(async () => (await harness.messageCount()) === BACKLOG && (await harness.unseenUids()).length === 0, {
      timeoutMs: 90_000,
      intervalMs: 50,
      what: 'every mail stored and flagged',
    });
    const [counts] = await harness.db.sql`
      select count(*)::int as messages, count(distinct message_id)::int as distinct_ids,
             (select count(*)::int from tickets) as tickets
      from messages where direction = 'in'`;
    expect(counts).toEqual({ messages: BACKLOG, distinct_ids: BACKLOG, tickets: BACKLOG });
    const stored = await harness.db.sql`select message_id from messages where direction = 'in'`;
    expect(new Set(stored.map((r) => r.message_id as string))).toEqual(new Set(ids));

    expect(await second.kill('SIGTERM')).toBe(0);
  });
});
