import { describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import { buildMail } from '../support/mail.js';
import { runningHarness, type MailboxHarness } from '../support/harness.js';
import { runCli } from '../support/cli.js';
import { DOVECOT_PASSWORD } from '../support/dovecot.js';
import { waitFor } from '../support/wait.js';

const running = runningHarness();

const MARKER = 'MARKER-b0d1e5-a11';

/** A trigger that refuses to store any mail whose subject says so: a mail that can never be stored, for real. */
async function refuseMarkedMail(h: MailboxHarness): Promise<void> {
  await h.db.sql.unsafe(`
    create function refuse_marked() returns trigger language plpgsql as $$
    begin
      if new.direction = 'in' and new.subject like '%REFUSE-ME%' then
        raise exception 'refused by the test trigger' using errcode = '22023';
      end if;
      return new;
    end $$;
    create trigger refuse_marked before insert on messages for each row execute function refuse_marked();`);
}

async function quarantineRows(h: MailboxHarness) {
  return h.db.sql`select id::int, mailbox, uid::int, error_code, attempts, octet_length(raw) as stored from quarantine order by id`;
}

async function folderCount(h: MailboxHarness, folder: string): Promise<number> {
  const status = await h.imap.status(folder, { messages: true });
  return status ? (status.messages ?? 0) : 0;
}

function cliEnv(h: MailboxHarness): Record<string, string> {
  return { DATABASE_URL: h.db.url, IMAP_PASSWORD: DOVECOT_PASSWORD, HELPDESK_QUEUE_PREFIX: h.queuePrefix, REDIS_URL: h.redisUrl };
}

describe('a mail that cannot be stored goes to the quarantine, and nothing is passed over (I6)', () => {
  it('keeps it with its source before moving on, moves it to the quarantine folder, lists it, and replays it once fixed', async () => {
    const h = await running({ extraConfig: 'limits: { ingestAttempts: 2 }', imapExtra: 'quarantineFolder: Quarantine' });
    await refuseMarkedMail(h);
    const poison = buildMail({ subject: `REFUSE-ME ${MARKER}`, body: `the body ${MARKER}`, headers: { 'X-Marker': MARKER } });
    await h.append(poison.raw);
    await h.append(buildMail({ subject: 'an ordinary question', from: 'dan@customer.test' }).raw);

    await waitFor(async () => (await quarantineRows(h)).length === 1 && (await h.tickets()).length === 1, {
      timeoutMs: 30_000,
      what: 'the refused mail quarantined and the next one ingested',
    });
    const [entry] = await quarantineRows(h);
    expect(entry).toMatchObject({ mailbox: 'support', uid: 1, error_code: 'DB_QUERY', attempts: 2, stored: Buffer.byteLength(poison.raw) });
    expect((await h.tickets()).map((t) => t.subject)).toEqual(['an ordinary question']);
    // Moved out of the watched folder only after it was kept; the resume point is past both mails.
    await waitFor(async () => (await folderCount(h, 'Quarantine')) === 1 && (await folderCount(h, 'INBOX')) === 1, { what: 'the mail moved to Quarantine' });
    await waitFor(async () => (await h.db.sql`select last_uid::int from mailbox_state`)[0]?.last_uid === 2, { what: 'the resume point past both' });
    expect(h.logs.find('message quarantined after repeated failures (helpdesk mail failed lists it, helpdesk mail replay retries it)')).toHaveLength(1);
    // The mail's text is in no log line, although drizzle's error carried every parameter.
    expect(h.logs.raw.filter((line) => line.includes(MARKER))).toEqual([]);

    const listed = await runCli(['mail', 'failed', '--json'], cliEnv(h));
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: entry!.id, mailbox: 'support', uid: 1, errorCode: 'DB_QUERY', attempts: 2 })]);
    const table = await runCli(['mail', 'failed'], cliEnv(h));
    expect(table.stdout).toMatch(/DB_QUERY: storing message: 22023 refused by the test trigger/);

    const stillRefused = await runCli(['mail', 'replay', String(entry!.id), '--config', h.configFile], cliEnv(h));
    expect(stillRefused.code).toBe(1);
    expect(stillRefused.stdout).toMatch(/still failing \(DB_QUERY/);
    expect(await h.db.sql`select replay_attempts::int from quarantine`).toEqual([{ replay_attempts: 1 }]);

    await h.db.sql`drop trigger refuse_marked on messages`;
    const replayed = await runCli(['mail', 'replay', '--all', '--config', h.configFile], cliEnv(h));
    expect(replayed.stderr).toBe('');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toMatch(/created on ticket #\d+; removed from the quarantine/);
    expect(await quarantineRows(h)).toEqual([]);
    expect((await h.tickets()).map((t) => t.subject).sort()).toEqual(['REFUSE-ME MARKER-b0d1e5-a11', 'an ordinary question']);
    // Its acknowledgement, written by the replay, is sent by the running daemon.
    await h.smtp.waitForMail((m) => m.envelope.to.includes('carol@customer.test'), 'the replayed mail acknowledged');
  });
});

describe('an outage never counts against a mail', () => {
  it('keeps retrying while the database is read-only, then stores every mail; none is quarantined or skipped', async () => {
    const h = await running({ extraConfig: 'limits: { ingestAttempts: 2 }' });
    await h.db.sql.unsafe(`alter database ${h.db.name} set default_transaction_read_only = on`);
    // Sessions pick the setting up when they start: end the daemon's.
    await h.db.sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${h.db.name} and application_name = 'helpdesk'`;
    for (let i = 0; i < 3; i++) await h.append(buildMail({ subject: `during the failover ${i}`, from: `c${i}@customer.test` }).raw);
    // Far more failures than ingestAttempts: before, the third one skipped the mail for good.
    await waitFor(() => h.logs.find('sync interrupted; messages stay unflagged and will be retried').length >= 4, {
      timeoutMs: 60_000,
      what: 'four interrupted syncs',
    });
    expect(await h.tickets()).toEqual([]);
    expect(await quarantineRows(h)).toEqual([]);
    expect(h.logs.find('sync interrupted; messages stay unflagged and will be retried')[0]).toMatchObject({ error: { code: 'DB_UNAVAILABLE' } });

    await h.db.sql.unsafe(`alter database ${h.db.name} reset default_transaction_read_only`);
    await h.db.sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${h.db.name} and application_name = 'helpdesk'`;
    await waitFor(async () => (await h.tickets()).length === 3 && (await h.unseenUids()).length === 0, { timeoutMs: 60_000, what: 'all three stored and flagged' });
    expect(await quarantineRows(h)).toEqual([]);
    expect(h.logs.find('message could not be stored; will retry')).toEqual([]);
  });
});

describe('logs hold no bodies and no secrets (I8)', () => {
  it('never writes the mail\'s text, the IMAP or SMTP password or the token key, even at debug level and when storing fails', async () => {
    const smtpPassword = 'smtp-pw-93ac1f0e';
    const tokenKey = 'token-key-5d2b8a7c41e6';
    const h = await running({
      logLevel: 'debug',
      tokenKey,
      smtpExtra: 'user: helpdesk, password: ${SMTP_PASSWORD}',
      env: { SMTP_PASSWORD: smtpPassword },
      extraConfig: 'limits: { ingestAttempts: 2 }',
    });
    await refuseMarkedMail(h);
    await h.append(buildMail({ subject: `REFUSE-ME ${MARKER}`, body: `body ${MARKER}`, headers: { 'X-Marker': MARKER } }).raw);
    await h.append(buildMail({ subject: `question ${MARKER}`, body: `body ${MARKER}`, from: 'erin@customer.test' }).raw);
    await waitFor(async () => (await quarantineRows(h)).length === 1 && h.smtp.to('erin@customer.test').length === 1, {
      timeoutMs: 30_000,
      what: 'one mail quarantined, the other acknowledged through an authenticated SMTP session',
    });
    expect(h.logs.raw.length).toBeGreaterThan(20);
    for (const secret of [MARKER, DOVECOT_PASSWORD, smtpPassword, tokenKey]) {
      expect(h.logs.raw.filter((line) => line.includes(secret)), secret).toEqual([]);
    }
  });
});

describe('the quarantine folder', () => {
  it('is created when missing', async () => {
    const h = await running({ imapExtra: 'quarantineFolder: Held' });
    const client = new ImapFlow({ host: '127.0.0.1', port: h.port, secure: false, auth: { user: h.user, pass: DOVECOT_PASSWORD }, logger: false });
    await client.connect();
    try {
      await waitFor(async () => (await client.list()).some((box) => box.path === 'Held'), { what: 'the Held folder' });
    } finally {
      await client.logout();
    }
  });
});
