import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tokenReporter } from '../../src/adapters/oauth/token-reporter.js';
import type { TokenEvent } from '../../src/adapters/oauth/token-provider.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/logging.js';
import { Telemetry, type MailboxHealth } from '../../src/telemetry.js';
import { alertMailboxSignIn, noticeSender } from '../../src/usecases/mailbox-alert.js';
import { parseOk } from '../support/config-text.js';
import { UseCaseRig } from '../support/usecase-rig.js';
import { waitFor } from '../support/wait.js';

const ENV = { REFRESH: 'refresh-a', OTHER_REFRESH: 'refresh-b', PW: 'pw' };
const GRANT = '{ type: oauth2, provider: custom, clientId: c, refreshToken: ${REFRESH}, tokenUrl: "https://id.example.test/token" }';
const OTHER_GRANT = '{ type: oauth2, provider: custom, clientId: c, refreshToken: ${OTHER_REFRESH}, tokenUrl: "https://id.example.test/token" }';

/** Mailboxes from [name, imap extra, smtp block or null] rows; agents Alice and Bob in general, Carol in sales. */
function config(boxes: readonly [name: string, imap: string, smtp: string | null][]) {
  return parseOk(
    [
      'mailboxes:',
      ...boxes.flatMap(([name, imap, smtp]) => [
        `  - name: ${name}`,
        `    address: ${name}@example.test`,
        `    imap: { host: imap.example.test, user: ${name}@example.test, ${imap} }`,
        ...(smtp ? [`    smtp: ${smtp}`] : []),
      ]),
      'agents:',
      '  - { name: Alice, email: alice@example.test, departments: [general] }',
      '  - { name: Bob, email: bob@example.test, departments: [general] }',
      '  - { name: Carol, email: carol@example.test, departments: [sales] }',
    ],
    ENV,
  );
}

describe('noticeSender: whose SMTP carries the notice about a mailbox that cannot sign in', () => {
  const OAUTH = `auth: ${GRANT}`;
  const SMTP_PW = '{ host: smtp.example.test, user: x, password: ${PW} }';
  const SMTP_OAUTH = `{ host: smtp.example.test, auth: ${GRANT} }`;
  const SMTP_OTHER_OAUTH = `{ host: smtp.example.test, auth: ${OTHER_GRANT} }`;
  const table: [what: string, boxes: [string, string, string | null][], expected: string | null][] = [
    ['its own SMTP signs in with a password', [['support', OAUTH, SMTP_PW]], 'support'],
    ['its own SMTP uses the broken grant; another mailbox has a password', [['support', OAUTH, SMTP_OAUTH], ['ops', 'password: ${PW}', SMTP_PW]], 'ops'],
    ['another mailbox on another grant', [['support', OAUTH, SMTP_OAUTH], ['sales', `auth: ${OTHER_GRANT}`, SMTP_OTHER_OAUTH]], 'sales'],
    ['another mailbox on the same grant does not help', [['support', OAUTH, SMTP_OAUTH], ['twin', OAUTH, SMTP_OAUTH]], 'support'],
    ['it has no SMTP; another has', [['support', OAUTH, null], ['ops', 'password: ${PW}', SMTP_PW]], 'ops'],
    ['only the broken SMTP: the notice waits for the grant', [['support', OAUTH, SMTP_OAUTH], ['nosmtp', 'password: ${PW}', null]], 'support'],
    ['no SMTP anywhere', [['support', OAUTH, null]], null],
  ];
  it.each(table)('%s', (_what, boxes, expected) => {
    const c = config(boxes);
    expect(noticeSender(c, c.mailboxes[0]!)?.name ?? null).toBe(expected);
  });
});

describe('alertMailboxSignIn: one notice through the outbox per streak', () => {
  const rig = () => new UseCaseRig(config([['support', `auth: ${GRANT}`, '{ host: smtp.example.test, password: ${PW}, user: x }']]));
  const alert = { mailbox: 'support', reason: 'mailbox support: token endpoint answered 400 invalid_grant' };

  it('queues one mail to every agent of the department, once', async () => {
    const r = rig();
    expect(await alertMailboxSignIn(r.deps, { ...alert, since: null })).toBe('queued');
    const [notice, ...more] = r.store.outbox();
    expect(more).toEqual([]);
    expect(notice).toMatchObject({ kind: 'notification', ticketId: null, from: 'support@example.test', to: ['alice@example.test', 'bob@example.test'], deliveryState: 'queued' });
    expect(notice!.subject).toBe('Mailbox support@example.test cannot sign in');
    expect(notice!.text).toContain('token endpoint answered 400 invalid_grant');
    expect(r.outbox.queued).toEqual([notice!.id]);
    r.later(60_000);
    expect(await alertMailboxSignIn(r.deps, { ...alert, since: null })).toBe('already-told');
    expect(r.store.outbox()).toHaveLength(1);
  });

  it('tells them again once signing in worked in between', async () => {
    const r = rig();
    await alertMailboxSignIn(r.deps, { ...alert, since: null });
    r.later(60_000);
    const worked = r.now;
    r.later(60_000);
    expect(await alertMailboxSignIn(r.deps, { ...alert, since: worked })).toBe('queued');
    expect(r.store.outbox()).toHaveLength(2);
  });

  it('writes nothing for a department without agents', async () => {
    const r = rig();
    r.config = { ...r.config, agents: r.config.agents.filter((a) => a.departments.includes('sales')) };
    expect(await alertMailboxSignIn(r.deps, { ...alert, since: null })).toBe('no-agents');
    expect(r.store.outbox()).toEqual([]);
  });
});

describe('tokenReporter: health, metric, logs and the notice from token events', () => {
  function reporterRig() {
    const telemetry = new Telemetry({ defaultMetrics: false });
    const health: MailboxHealth = telemetry.mailbox('support', 'support@example.test');
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
        done();
      },
    });
    const alerts: { mailbox: string; since: Date | null }[] = [];
    const report = tokenReporter({
      health: (name) => (name === 'support' ? health : null),
      countFailure: (mailbox) => telemetry.oauthRefreshFailures.inc({ mailbox }),
      alert: async (mailbox, _reason, since) => void alerts.push({ mailbox, since }),
      log: createLogger('info', stream),
      now: () => new Date('2026-11-30T10:00:00Z'),
    });
    const failures = async () => (await telemetry.oauthRefreshFailures.get()).values.find((v) => v.labels.mailbox === 'support')?.value ?? 0;
    return { health, lines, alerts, report, failures };
  }
  const refused = new AppError('OAUTH_TOKEN', 'mailbox support: token endpoint answered 400 invalid_grant');
  const busy = new AppError('OAUTH_TOKEN', 'mailbox support: token endpoint answered 503', { retryable: true });
  const failed = (error: AppError, streak: number, validUntil: Date | null): TokenEvent => ({ type: 'failed', error, permanent: !error.retryable, streak, retryInMs: 1000, validUntil });
  const expiresAt = new Date('2026-11-30T11:00:00Z');

  it('a refused grant: error in health, counted every time, logged and alerted once per streak, cleared when it works again', async () => {
    const r = reporterRig();
    r.report('support', { type: 'refreshed', expiresAt, rotated: false });
    expect(r.health.oauth).toEqual({ expiresAt, error: null });
    for (const streak of [1, 2, 3]) r.report('support', failed(refused, streak, expiresAt));
    expect(r.health.oauth).toEqual({ expiresAt, error: refused.message });
    expect(await r.failures()).toBe(3);
    expect(r.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(r.alerts).toEqual([{ mailbox: 'support', since: new Date('2026-11-30T10:00:00Z') }]);
    r.report('support', { type: 'refreshed', expiresAt, rotated: false });
    expect(r.health.oauth).toEqual({ expiresAt, error: null });
    expect(r.lines.map((l) => l.msg)).toContain('OAuth2 token refresh works again');
    r.report('support', failed(refused, 1, expiresAt));
    expect(r.alerts).toHaveLength(2); // a new streak
    await waitFor(() => r.lines.filter((l) => l.msg === 'agents told that the mailbox cannot sign in').length === 2, { what: 'both alerts logged' });
  });

  it('a passing failure while the token still works is a warning, no notice; once no token is left, the notice', () => {
    const r = reporterRig();
    r.report('support', failed(busy, 1, expiresAt));
    r.report('support', failed(busy, 2, expiresAt));
    expect(r.alerts).toEqual([]);
    expect(r.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['OAuth2 token refresh failed; retrying with backoff']);
    r.report('support', failed(busy, 3, null));
    r.report('support', failed(busy, 4, null));
    expect(r.alerts).toHaveLength(1);
    expect(r.health.oauth).toEqual({ expiresAt: null, error: busy.message });
  });

  it('a rotated refresh token is announced once, without the token', () => {
    const r = reporterRig();
    r.report('support', { type: 'refreshed', expiresAt, rotated: true });
    r.report('support', { type: 'refreshed', expiresAt, rotated: true });
    const warned = r.lines.filter((l) => l.level === 'warn');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.msg).toMatch(/issued a new refresh token: it is used from now on but kept in memory only/);
  });
});
