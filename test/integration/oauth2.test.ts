import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMailboxTokens } from '../../src/adapters/oauth/mailbox-tokens.js';
import { createMailer } from '../../src/adapters/smtp/mailer.js';
import { createLogger } from '../../src/logging.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import type { MailboxHealth } from '../../src/telemetry.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { DOVECOT_PASSWORD, startDovecot, type Dovecot } from '../support/dovecot.js';
import { deleteRedisKeys, LogCapture } from '../support/harness.js';
import { parseOk } from '../support/config-text.js';
import { buildMail } from '../support/mail.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.js';
import { waitFor } from '../support/wait.js';

/**
 * A mailbox that signs in with OAuth2, end to end: the daemon's real watcher
 * logs in to a Dovecot whose oauth2 passdb checks each token with our local
 * authorization server, its SMTP signs in with XOAUTH2 to a server that
 * checks the same way; then the grant is refused and mended.
 */

const SECRET = `client-secret-${randomBytes(6).toString('hex')}`;
const REFRESH = `refresh-${randomBytes(6).toString('hex')}`;

interface OAuthSmtp {
  readonly port: number;
  readonly mails: { readonly to: readonly string[]; readonly raw: string }[];
  readonly logins: { readonly user: string; readonly token: string; readonly ok: boolean }[];
  close(): Promise<void>;
}

/** An SMTP server that takes only XOAUTH2, each token checked at the introspection endpoint (as Dovecot does). */
async function startOAuthSmtp(introspectUrl: string): Promise<OAuthSmtp> {
  const mails: { to: string[]; raw: string }[] = [];
  const logins: { user: string; token: string; ok: boolean }[] = [];
  const server = new SMTPServer({
    authMethods: ['XOAUTH2'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    onAuth(auth, _session, callback) {
      const token = auth.accessToken ?? '';
      fetch(introspectUrl, { method: 'POST', body: new URLSearchParams({ token }) })
        .then((res) => res.json() as Promise<{ active?: boolean; username?: string }>)
        .then((answer) => {
          const ok = answer.active === true && answer.username === auth.username;
          logins.push({ user: auth.username ?? '', token, ok });
          if (ok) callback(null, { user: auth.username });
          else callback(null, { data: { status: '401', schemes: 'bearer' } });
        }, callback);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    mails,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('OAuth2 mailbox: Dovecot oauth2 passdb, XOAUTH2 SMTP, a refused grant', () => {
  let endpoint: TokenEndpoint;
  let dovecot: Dovecot;
  let oauthSmtp: OAuthSmtp;
  let opsSmtp: SmtpCapture;
  let db: TestDatabase;
  let daemon: Daemon;
  const logs = new LogCapture();
  const queuePrefix = `hdtest-${randomBytes(5).toString('hex')}`;
  const support = `oauth-${process.pid}-${Date.now().toString(36)}@example.test`;
  const ops = `ops-${process.pid}-${Date.now().toString(36)}@example.test`;

  const health = (): MailboxHealth => daemon.telemetry.mailboxes().find((m) => m.name === 'support')!;
  const refreshFailures = async () => (await daemon.telemetry.oauthRefreshFailures.get()).values.find((v) => v.labels.mailbox === 'support')?.value ?? 0;
  const notices = () => db.sql`select id::int, mailbox, "to", subject, text from messages where direction = 'out' and kind = 'notification' and ticket_id is null order by id`;

  beforeAll(async () => {
    endpoint = await startTokenEndpoint({ clientId: 'helpdesk-app', clientSecret: SECRET, refreshToken: REFRESH, user: support, expiresIn: 2 });
    dovecot = await startDovecot({ oauth2: { introspectionUrl: endpoint.introspectUrl } });
    oauthSmtp = await startOAuthSmtp(endpoint.introspectUrl);
    opsSmtp = await startSmtpCapture();
    db = await createTestDatabase(inject('templateDb'));
    const dir = await mkdtemp(join(tmpdir(), 'helpdesk-oauth-'));
    const configFile = join(dir, 'helpdesk.yaml');
    await writeFile(
      configFile,
      [
        'mailboxes:',
        '  - name: support',
        '    address: support@example.test',
        '    imap:',
        `      { host: 127.0.0.1, port: ${dovecot.port}, secure: false, user: "${support}",`,
        `        auth: &grant { type: oauth2, provider: custom, clientId: helpdesk-app, clientSecret: \${OAUTH_CLIENT_SECRET}, refreshToken: \${OAUTH_REFRESH_TOKEN}, tokenUrl: "${endpoint.tokenUrl}" } }`,
        `    smtp: { host: 127.0.0.1, port: ${oauthSmtp.port}, secure: false, auth: *grant }`,
        '  - name: ops',
        '    address: ops@example.test',
        '    department: ops',
        `    imap: { host: 127.0.0.1, port: ${dovecot.port}, secure: false, user: "${ops}", password: \${IMAP_PASSWORD} }`,
        `    smtp: { host: 127.0.0.1, port: ${opsSmtp.port}, secure: false }`,
        'agents:',
        '  - { name: Alice, email: alice@example.test, departments: [general] }',
        '  - { name: Bob, email: bob@example.test, departments: [general] }',
        '  - { name: Olga, email: olga@example.test, departments: [ops] }',
      ].join('\n'),
    );
    daemon = await startDaemon(
      {
        databaseUrl: db.url,
        redisUrl: 'redis://127.0.0.1:6379',
        queuePrefix,
        tokenKey: null,
        configFile,
        env: { OAUTH_CLIENT_SECRET: SECRET, OAUTH_REFRESH_TOKEN: REFRESH, IMAP_PASSWORD: DOVECOT_PASSWORD },
        oauthRetry: { initialMs: 100, maxMs: 2_000 },
      },
      createLogger('info', logs.stream),
    );
  });

  /** APPENDs as the mailbox's user with the password passdb (PLAIN), on a connection of its own (the test kicks sessions). */
  async function append(raw: string): Promise<void> {
    const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: support, pass: DOVECOT_PASSWORD }, logger: false });
    await client.connect();
    try {
      await client.append('INBOX', raw);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  afterAll(async () => {
    await daemon?.stop();
    await Promise.all([oauthSmtp?.close(), opsSmtp?.close(), dovecot?.stop()]);
    await endpoint?.close();
    await deleteRedisKeys('redis://127.0.0.1:6379', queuePrefix);
    await db?.drop();
  });

  const watching = () => waitFor(() => health().state === 'watching', { timeoutMs: 15_000, what: 'the support mailbox to be watched' });

  it('signs in to IMAP with a token from the endpoint, ingests a mail, and answers through XOAUTH2 SMTP', async () => {
    await watching();
    expect(Object.fromEntries(endpoint.refreshes[0]!)).toMatchObject({ grant_type: 'refresh_token', client_id: 'helpdesk-app', client_secret: SECRET, refresh_token: REFRESH });
    // Dovecot's oauth2 passdb asked our endpoint about a token we issued, and took it.
    expect(endpoint.introspections.some((i) => i.active && endpoint.issued.includes(i.token))).toBe(true);
    expect(health().oauth).toMatchObject({ error: null, expiresAt: expect.any(Date) });

    await append(buildMail({ subject: 'Printer on fire', from: 'Carol <carol@customer.test>' }).raw);
    await waitFor(async () => (await db.sql`select 1 from tickets where subject = 'Printer on fire'`).length === 1, { timeoutMs: 15_000, what: 'the ticket' });
    // The acknowledgement went out through the mailbox's SMTP, signed in with a token of the same grant.
    await waitFor(() => oauthSmtp.mails.some((m) => m.to.includes('carol@customer.test')), { timeoutMs: 15_000, what: 'the acknowledgement' });
    expect(oauthSmtp.logins.length).toBeGreaterThan(0);
    expect(oauthSmtp.logins.every((l) => l.ok && l.user === support && endpoint.issued.includes(l.token))).toBe(true);
    // The token is kept fresh in the background (expires_in 2 s).
    const refreshed = endpoint.refreshes.length;
    await waitFor(() => endpoint.refreshes.length > refreshed + 1, { timeoutMs: 10_000, what: 'background refreshes' });
  });

  it('a refused grant: health and metric show it, one error log, one notice to the department through another mailbox', async () => {
    endpoint.refuse('invalid_grant');
    await waitFor(async () => (await refreshFailures()) >= 3, { timeoutMs: 20_000, what: 'three failed refreshes' });
    expect(health().oauth?.error).toMatch(/mailbox support: OAuth2 token refresh at 127\.0\.0\.1:\d+: token endpoint answered 400 invalid_grant/);
    // The watcher cannot sign in again: its next connection fails for want of a token.
    await dovecot.doveadm(['kick', support]);
    await waitFor(() => health().state === 'retrying' && health().lastError?.code === 'OAUTH_TOKEN', { timeoutMs: 15_000, what: 'the watcher to fail for want of a token' });
    const failuresSoFar = await refreshFailures();
    await waitFor(async () => (await refreshFailures()) > failuresSoFar, { timeoutMs: 10_000, what: 'another failed refresh' });

    const rows = await notices();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ mailbox: 'ops', subject: 'Mailbox support@example.test cannot sign in' });
    expect((rows[0]!.to as { address: string }[]).map((a) => a.address)).toEqual(['alice@example.test', 'bob@example.test']);
    expect(rows[0]!.text).toContain('invalid_grant');
    await opsSmtp.waitForMail((m) => m.envelope.to.includes('alice@example.test'), 'the notice through the ops mailbox');
    expect(logs.find('OAuth2 token refresh refused: the mailbox cannot sign in once its token expires until an operator authorizes it again')).toHaveLength(1);
    expect(logs.find('agents told that the mailbox cannot sign in')).toHaveLength(1);
  });

  it('works again when the grant does: error cleared, mail read; a new breakage is told once more', async () => {
    endpoint.respond(null);
    await waitFor(() => health().oauth?.error === null, { timeoutMs: 15_000, what: 'a refresh to work again' });
    expect(logs.find('OAuth2 token refresh works again')).toHaveLength(1);
    await watching();
    await append(buildMail({ subject: 'Second fire', from: 'Dan <dan@customer.test>' }).raw);
    await waitFor(async () => (await db.sql`select 1 from tickets where subject = 'Second fire'`).length === 1, { timeoutMs: 15_000, what: 'the second ticket' });

    endpoint.refuse('invalid_grant');
    await waitFor(async () => (await notices()).length === 2, { timeoutMs: 20_000, what: 'the notice about the new breakage' });
    endpoint.respond(null);
  });

  it('never logs the client secret, the refresh token or an access token', () => {
    const text = logs.raw.join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(REFRESH);
    for (const token of endpoint.issued) expect(text).not.toContain(token);
  });
});

describe('the mailer with OAuth2 (XOAUTH2 through nodemailer)', () => {
  let endpoint: TokenEndpoint;
  let smtp: OAuthSmtp;
  const user = 'support@example.test';

  beforeAll(async () => {
    endpoint = await startTokenEndpoint({ clientId: 'helpdesk-app', clientSecret: SECRET, refreshToken: REFRESH, user });
    smtp = await startOAuthSmtp(endpoint.introspectUrl);
  });
  afterAll(async () => {
    await smtp?.close();
    await endpoint?.close();
  });

  function mailer() {
    const config = parseOk(
      [
        'mailboxes:',
        '  - name: support',
        `    address: ${user}`,
        `    imap: { host: 127.0.0.1, user: ${user}, auth: &grant { type: oauth2, provider: custom, clientId: helpdesk-app, clientSecret: \${S}, refreshToken: \${R}, tokenUrl: "${endpoint.tokenUrl}" } }`,
        `    smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false, auth: *grant }`,
      ],
      { S: SECRET, R: REFRESH },
    );
    const tokens = createMailboxTokens();
    const sender = createMailer(() => config, tokens);
    return { sender, tokens, grant: config.mailboxes[0]!.imap.auth!, close: () => (sender.close(), tokens.close()) };
  }
  const raw = Buffer.from(buildMail({ from: user, to: 'carol@customer.test' }).raw);

  it('signs in with a token of the grant, as the mailbox user; a token the server refuses is replaced and the mail goes', async () => {
    const m = mailer();
    try {
      // A token in hand that the server no longer takes (revoked early): nodemailer asks again with renew, and gets a new one.
      const stale = await m.tokens.provider('support', m.grant).accessToken();
      endpoint.revokeIssued();
      const result = await m.sender.send('support', { from: user, to: ['carol@customer.test'] }, raw);
      expect(result.accepted).toEqual(['carol@customer.test']);
      expect(smtp.logins.map((l) => [l.token === stale.token, l.ok])).toEqual([
        [true, false],
        [false, true],
      ]);
      expect(smtp.logins.every((l) => l.user === user)).toBe(true);
    } finally {
      m.close();
    }
  });

  it('a refused grant fails the send retryably: the mail waits in the outbox for the grant to be mended', async () => {
    const m = mailer();
    endpoint.refuse('invalid_grant');
    try {
      const err = await m.sender.send('support', { from: user, to: ['carol@customer.test'] }, raw).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'OAUTH_TOKEN', retryable: true, message: expect.stringContaining('invalid_grant') });
    } finally {
      endpoint.respond(null);
      m.close();
    }
  });
});
