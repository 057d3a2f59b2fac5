import { describe, expect, it } from 'vitest';
import { judgeReadiness, mailboxVerdict, READY_GRACE_MS, type ProbeResult } from '../../src/adapters/http/readiness.js';
import type { MailboxHealth } from '../../src/telemetry.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const STARTED = new Date('2026-11-23T09:00:00Z');
const POLL = 60_000;
const ALLOWANCE = POLL + READY_GRACE_MS;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const UP: ProbeResult = { ok: true, ms: 3 };

function box(overrides: Partial<MailboxHealth> = {}): MailboxHealth {
  return { name: 'support', address: 'support@example.test', state: 'watching', connected: true, lastSyncAt: ago(5_000), lastError: null, errorStreak: 0, oauth: null, ...overrides };
}

const failure = { code: 'IMAP_CONNECT', message: 'connect ECONNREFUSED', at: ago(1_000) };

describe('mailboxVerdict: is the mailbox being read, or allowed not to be?', () => {
  const cases: [string, Partial<MailboxHealth>, boolean, RegExp | null][] = [
    ['watching', {}, true, null],
    ['watching with failing syncs (the Postgres check speaks for those)', { errorStreak: 3, lastError: failure }, true, null],
    ['watching, never synced yet (first sync in progress)', { lastSyncAt: null }, true, null],
    ['standby: another instance reads it', { state: 'standby', connected: false, lastSyncAt: null }, true, /another instance/],
    ['standby even with an OAuth error: this instance does not read it', { state: 'standby', connected: false, oauth: { expiresAt: null, error: 'invalid_grant' } }, true, /another instance/],
    ['stopped: shutting down', { state: 'stopped', connected: false }, false, /^stopped/],
    ['watching with an OAuth refresh error', { oauth: { expiresAt: ago(60_000), error: 'invalid_grant' } }, false, /^OAuth2 token refresh failed: invalid_grant$/],
    ['watching with an expired token but no error (refreshed on the next connect)', { oauth: { expiresAt: ago(60_000), error: null } }, true, null],
    ['retrying, last sync within the allowance', { state: 'retrying', connected: false, lastSyncAt: ago(ALLOWANCE - 1_000), errorStreak: 2, lastError: failure }, true, /^retrying: IMAP_CONNECT connect ECONNREFUSED, 2 failures in a row; tolerated for 1s more$/],
    ['retrying, unread exactly the allowance', { state: 'retrying', connected: false, lastSyncAt: ago(ALLOWANCE), errorStreak: 5, lastError: failure }, true, /tolerated for 0s more/],
    ['retrying, unread past the allowance', { state: 'retrying', connected: false, lastSyncAt: ago(ALLOWANCE + 1_000), errorStreak: 5, lastError: failure }, false, /^not being read \(retrying: IMAP_CONNECT connect ECONNREFUSED, 5 failures in a row\), unread for 3m$/],
    ['retrying, never synced, started long ago', { state: 'retrying', connected: false, lastSyncAt: null, errorStreak: 40, lastError: failure }, false, /unread for 60m$/],
    ['starting, never synced, started long ago', { state: 'starting', connected: false, lastSyncAt: null }, false, /^not being read \(starting\), unread for 60m$/],
    ['retrying with one failure and no error text', { state: 'retrying', connected: false, lastSyncAt: ago(1_000), errorStreak: 1 }, true, /^retrying, 1 failure in a row; tolerated/],
  ];
  it.each(cases)('%s', (_name, overrides, ok, note) => {
    const verdict = mailboxVerdict(box(overrides), NOW, STARTED, ALLOWANCE);
    expect(verdict.ok).toBe(ok);
    if (note) expect(verdict.note).toMatch(note);
    else expect(verdict.note).toBeUndefined();
  });

  it('measures a mailbox that never synced from the server start', () => {
    const justStarted = ago(30_000);
    expect(mailboxVerdict(box({ state: 'starting', connected: false, lastSyncAt: null }), NOW, justStarted, ALLOWANCE).ok).toBe(true);
  });
});

describe('judgeReadiness', () => {
  const input = (overrides: Partial<Parameters<typeof judgeReadiness>[0]> = {}) =>
    judgeReadiness({ now: NOW, startedAt: STARTED, postgres: UP, redis: UP, mailboxes: [box()], pollIntervalMs: { support: POLL }, graceMs: READY_GRACE_MS, ...overrides });

  const cases: [string, Partial<Parameters<typeof judgeReadiness>[0]>, string[]][] = [
    ['everything up', {}, []],
    ['no mailboxes at all', { mailboxes: [] }, []],
    ['Postgres down', { postgres: { ok: false, ms: 2000, error: 'no answer within 2000 ms' } }, ['postgres: no answer within 2000 ms']],
    ['Redis down', { redis: { ok: false, ms: 5, error: 'connect ECONNREFUSED' } }, ['redis: connect ECONNREFUSED']],
    ['Redis down without a message', { redis: { ok: false, ms: 5 } }, ['redis: no answer']],
    [
      'both down and a mailbox stopped: every reason, in order',
      { postgres: { ok: false, ms: 1, error: 'a' }, redis: { ok: false, ms: 1, error: 'b' }, mailboxes: [box({ state: 'stopped' })] },
      ['postgres: a', 'redis: b', 'mailbox support: stopped (the daemon is shutting down)'],
    ],
    ['one of two mailboxes on standby, the other watching', { mailboxes: [box(), box({ name: 'sales', state: 'standby', connected: false })] }, []],
    [
      'the poll interval widens the allowance per mailbox',
      {
        mailboxes: [box({ name: 'slow', state: 'retrying', connected: false, lastSyncAt: ago(30 * 60_000) }), box({ name: 'fast', state: 'retrying', connected: false, lastSyncAt: ago(30 * 60_000) })],
        pollIntervalMs: { slow: 60 * 60_000, fast: POLL },
      },
      ['mailbox fast: not being read (retrying), unread for 30m'],
    ],
  ];
  it.each(cases)('%s', (_name, overrides, reasons) => {
    const result = input(overrides);
    expect(result.reasons).toEqual(reasons);
    expect(result.ready).toBe(reasons.length === 0);
    expect(result.status).toBe(reasons.length === 0 ? 'ready' : 'not ready');
  });

  it('reports each mailbox with its facts as JSON-ready values', () => {
    const oauth = { expiresAt: new Date('2026-11-23T11:00:00Z'), error: null };
    const result = input({ mailboxes: [box({ errorStreak: 1, lastError: failure, oauth })] });
    expect(result.checks.mailboxes).toEqual([
      {
        name: 'support',
        address: 'support@example.test',
        ok: true,
        state: 'watching',
        connected: true,
        lastSyncAt: '2026-11-23T09:59:55.000Z',
        errorStreak: 1,
        lastError: { code: 'IMAP_CONNECT', message: 'connect ECONNREFUSED', at: '2026-11-23T09:59:59.000Z' },
        oauth: { expiresAt: '2026-11-23T11:00:00.000Z', error: null },
      },
    ]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});
