import { afterEach, describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.js';
import { runningHarness, type MailboxHarness } from '../support/harness.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

let proxy: TcpProxy | null = null;

const running = runningHarness();

afterEach(async () => {
  await proxy?.close();
  proxy = null;
});

async function eventTypes(harness: MailboxHarness): Promise<string[]> {
  const rows = await harness.db.sql`select type from events order by id`;
  return rows.map((r) => r.type as string);
}

describe('when Postgres goes away', () => {
  it('keeps running, leaves the mail unflagged, and ingests it once Postgres is back', async () => {
    proxy = await startTcpProxy(5432);
    const viaProxy = (url: string) => {
      const u = new URL(url);
      u.port = String(proxy!.port);
      return u.toString();
    };
    const harness = await running({ daemonDatabaseUrl: viaProxy });
    await harness.append(buildMail({ subject: 'before the outage' }).raw);
    await waitFor(async () => (await harness.tickets()).length === 1, { what: 'the first ticket' });

    await proxy.cut();
    await harness.append(buildMail({ subject: 'during the outage' }).raw);
    await waitFor(() => harness.logs.find('sync interrupted; messages stay unflagged and will be retried').length > 0, {
      what: 'the outage to be logged',
    });
    expect(await harness.unseenUids()).toEqual([2]);

    await proxy.restore();
    await waitFor(async () => (await harness.tickets()).length === 2 && (await harness.unseenUids()).length === 0, {
      timeoutMs: 60_000,
      what: 'the mail ingested and flagged after the outage',
    });
    expect((await harness.tickets()).map((t) => t.subject)).toEqual(['before the outage', 'during the outage']);
  });
});

describe('mailbox behaviours', () => {
  it('polls when IDLE is off', async () => {
    const harness = await running({ imapExtra: 'idle: false, pollInterval: 1s' });
    await harness.append(buildMail({ subject: 'polled' }).raw);
    await waitFor(async () => (await harness.tickets()).length === 1, { what: 'the polled mail' });
    expect(harness.logs.find('watching mailbox')[0]).toMatchObject({ idle: false });
  });

  it('moves processed mail to processedFolder instead of flagging it', async () => {
    const harness = await running({ imapExtra: 'processedFolder: Processed' });
    await harness.append(buildMail({ subject: 'move me' }).raw);
    await waitFor(async () => (await harness.unseenUids()).length === 0 && (await harness.unseenUids('Processed')).length === 1, {
      what: 'the mail moved, still unread, to Processed',
    });
    expect(await harness.tickets()).toHaveLength(1);
    expect(await harness.imap.status('INBOX', { messages: true })).toMatchObject({ messages: 0 });
  });
});

describe('oversized and unparseable mail', () => {
  it('stores an oversized mail truncated at the cap, with a note, and an oversized attachment as metadata', async () => {
    const harness = await running({ extraConfig: 'limits: { maxMessageBytes: 64KB, maxAttachmentBytes: 1KB }' });
    const big = buildMail({ subject: 'huge log', body: 'log line\r\n'.repeat(20_000) });
    await harness.append(big.raw);
    const boundary = 'b1';
    const withAttachment = [
      'From: carol@customer.test',
      'To: support@example.test',
      'Subject: screenshot',
      'Message-ID: <att-1@customer.test>',
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      'See attached.',
      `--${boundary}`,
      'Content-Type: application/octet-stream; name="dump.bin"',
      'Content-Disposition: attachment; filename="dump.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(4096, 7).toString('base64').replace(/(.{76})/g, '$1\r\n'),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    await harness.append(withAttachment);
    await waitFor(async () => (await harness.tickets()).length === 2, { what: 'both tickets' });

    const [message] = await harness.db.sql`select truncated, raw_size, octet_length(raw) as stored from messages where message_id = ${big.messageId}`;
    expect(message).toMatchObject({ truncated: true, stored: 64 * 1024 });
    expect(message!.raw_size).toBeGreaterThan(64 * 1024);
    const [attachment] = await harness.db.sql`select filename, size, stored from attachments`;
    expect(attachment).toEqual({ filename: 'dump.bin', size: 4096, stored: false });
    expect(await harness.db.sql`select count(*)::int as n from attachment_blobs`).toEqual([{ n: 0 }]);
    expect(await eventTypes(harness)).toEqual(['created', 'message_truncated', 'created', 'attachment_omitted']);
  });

  it('turns a mail the MIME parser rejects into a ticket with a parse_error event and the raw source', async () => {
    const harness = await running();
    const parts = Array.from({ length: 20_000 }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}`).join('\r\n');
    const raw = ['From: Carol <carol@customer.test>', 'To: support@example.test', 'Subject: nested to death', 'Message-ID: <nested-1@customer.test>', parts, ''].join('\r\n');
    await harness.append(raw);
    await waitFor(async () => (await harness.tickets()).length === 1, { what: 'the ticket' });

    expect((await harness.tickets())[0]).toMatchObject({ subject: 'nested to death', status: 'new' });
    const [message] = await harness.db.sql`select parse_error, octet_length(raw) as stored, message_id from messages where direction = 'in'`;
    expect(message!.parse_error).toMatch(/child nodes/);
    expect(message).toMatchObject({ stored: Buffer.byteLength(raw), message_id: 'nested-1@customer.test' });
    expect(await eventTypes(harness)).toEqual(['created', 'parse_error']);
    await waitFor(async () => (await harness.unseenUids()).length === 0, { what: 'the mail flagged' });
  });
});
