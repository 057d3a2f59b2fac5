import { afterEach, describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.js';
import { mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

let h: MailboxHarness | null = null;

afterEach(async () => {
  await h?.close();
  h = null;
});

async function outgoing(harness: MailboxHarness): Promise<{ kind: string; to: string }[]> {
  return harness.db.sql`select kind::text, "to"->0->>'address' as to from messages where direction = 'out' order by id`;
}

describe('mail already in the folder at the first start', () => {
  it('import (the default): becomes tickets, flagged, with nobody mailed; mail arriving later is acknowledged', async () => {
    const harness = (h = await mailboxHarness({ imapExtra: 'existingMail: import' }));
    for (const subject of ['old one', 'old two', 'old three']) await harness.append(buildMail({ subject, from: 'carol@customer.test' }).raw);
    await harness.start();
    await waitFor(async () => (await harness.tickets()).length === 3 && (await harness.unseenUids()).length === 0, { what: 'the old mail imported and flagged' });

    expect(await outgoing(harness)).toEqual([]);
    const imported = await harness.db.sql`select data from events where type = 'imported' order by id`;
    expect(imported).toHaveLength(3);
    expect(imported[0]!.data).toEqual({ notSent: ['acknowledge', 'notify_agents'] });
    expect(harness.logs.find('first start: 3 messages already in the folder; importing them as tickets without acknowledging or notifying anyone')).toHaveLength(1);

    await harness.append(buildMail({ subject: 'new one', from: 'dave@customer.test' }).raw);
    await waitFor(async () => (await outgoing(harness)).length === 2, { what: 'the new mail acknowledged and notified' });
    expect(await outgoing(harness)).toEqual([
      { kind: 'auto_ack', to: 'dave@customer.test' },
      { kind: 'notification', to: 'alice@example.test' },
    ]);
    expect((await harness.tickets()).map((t) => t.subject)).toEqual(['old one', 'old two', 'old three', 'new one']);
  });

  it('import: a daemon restarted in the middle still takes the rest of the old mail as old', async () => {
    const harness = (h = await mailboxHarness({ imapExtra: 'existingMail: import' }));
    for (const subject of ['old one', 'old two']) await harness.append(buildMail({ subject }).raw);
    await harness.start();
    await waitFor(async () => (await harness.tickets()).length === 2, { what: 'the old mail imported' });
    await harness.stopDaemon();
    // As if the first run had stopped after the first mail: its resume point is back at 1, the old mail's boundary kept.
    await harness.db.sql`update mailbox_state set last_uid = 1`;
    await harness.db.sql`delete from tickets where subject = 'old two'`;
    await harness.append(buildMail({ subject: 'arrived while stopped' }).raw);
    await harness.start();
    await waitFor(async () => (await harness.tickets()).length === 3, { what: 'the rest imported and the new mail stored' });
    await waitFor(async () => (await outgoing(harness)).length === 2, { what: 'the new mail acknowledged and notified' });
    const acknowledged = await harness.db.sql`
      select t.subject from messages m join tickets t on t.id = m.ticket_id where m.direction = 'out' and m.kind = 'auto_ack'`;
    expect(acknowledged.map((r) => r.subject)).toEqual(['arrived while stopped']);
  });

  it('skip: leaves the old mail alone and unflagged; only new mail becomes tickets', async () => {
    const harness = (h = await mailboxHarness({ imapExtra: 'existingMail: skip' }));
    for (const subject of ['old one', 'old two']) await harness.append(buildMail({ subject }).raw);
    await harness.start();
    await harness.append(buildMail({ subject: 'new one' }).raw);
    await waitFor(async () => (await harness.tickets()).length === 1, { what: 'the new mail stored' });
    expect((await harness.tickets()).map((t) => t.subject)).toEqual(['new one']);
    expect(await harness.unseenUids()).toEqual([1, 2]);
    const [state] = await harness.db.sql`select last_uid::int as last, existing_up_to::int as existing from mailbox_state`;
    expect(state).toEqual({ last: 3, existing: 0 });
  });

  it('ingest: old mail is taken as new, acknowledgements and notifications included', async () => {
    const harness = (h = await mailboxHarness({ imapExtra: 'existingMail: ingest' }));
    await harness.append(buildMail({ subject: 'old one', from: 'erin@customer.test' }).raw);
    await harness.start();
    await waitFor(async () => (await outgoing(harness)).length === 2, { what: 'the old mail acknowledged and notified' });
    expect((await outgoing(harness)).map((m) => m.kind)).toEqual(['auto_ack', 'notification']);
  });
});
