import { afterEach, describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.js';
import { mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

let h: MailboxHarness | null = null;

afterEach(async () => {
  await h?.close();
  h = null;
});

describe('a folder recreated with a new UIDVALIDITY', () => {
  it('re-reads the folder without storing any mail twice', async () => {
    const harness = (h = await mailboxHarness({ folder: 'Support', imapExtra: 'pollInterval: 1s' }));
    await harness.start();
    const mails = [buildMail({ subject: 'one' }), buildMail({ subject: 'two' }), buildMail({ subject: 'three' })];
    for (const mail of mails) await harness.append(mail.raw);
    await waitFor(async () => (await harness.messageCount()) === 3, { what: 'three mails stored' });
    const [before] = await harness.db.sql`select uid_validity::text as v from mailbox_state`;

    await harness.imap.mailboxDelete('Support');
    await harness.imap.mailboxCreate('Support');
    for (const mail of mails) await harness.append(mail.raw);
    const fresh = buildMail({ subject: 'four' });
    await harness.append(fresh.raw);

    await waitFor(async () => (await harness.messageCount()) === 4 && (await harness.unseenUids()).length === 0, {
      timeoutMs: 30_000,
      what: 'the new mail stored and every copy flagged',
    });
    const [after] = await harness.db.sql`select uid_validity::text as v, last_uid::int as last from mailbox_state`;
    expect(after!.v).not.toBe(before!.v);
    expect(after!.last).toBe(4);
    expect((await harness.tickets()).map((t) => t.subject)).toEqual(['one', 'two', 'three', 'four']);
    expect(harness.logs.find('UIDVALIDITY changed: re-reading the whole folder; messages already stored are skipped')).toHaveLength(1);
  });
});
