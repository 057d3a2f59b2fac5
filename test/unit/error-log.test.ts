import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { AppError, bounded, errorForLog } from '../../src/errors.js';
import { createLogger } from '../../src/logging.js';

const MARKER = 'BODY-MARKER-7f3a';

/** A drizzle query error as it reaches a catch block: the query, every parameter, and the driver's error as cause. */
function drizzleFailure(): Error {
  const pg = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { name: 'PostgresError', code: '22021', detail: MARKER, parameters: [MARKER] });
  return Object.assign(new Error(`Failed query: insert into "messages" ("text") values ($1)\nparams: ${MARKER.repeat(1000)}`), { query: 'insert …', params: [MARKER], cause: pg });
}

describe('errorForLog: code, bounded message, bounded stack — never causes or parameters', () => {
  it('takes the driver\'s message instead of drizzle\'s, which quotes every parameter', () => {
    const logged = errorForLog(drizzleFailure());
    expect(logged).toMatchObject({ code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' });
    expect(JSON.stringify(logged)).not.toContain(MARKER);
  });

  it('keeps an AppError\'s code and message but not its cause', () => {
    const err = new AppError('DB_QUERY', 'storing message: 22021 invalid byte sequence', { cause: drizzleFailure() });
    const logged = errorForLog(err);
    expect(logged.code).toBe('DB_QUERY');
    expect(JSON.stringify(logged)).not.toContain(MARKER);
    expect(logged.stack?.split('\n').length).toBeLessThanOrEqual(6);
  });

  it('bounds a message to one line of 300 characters and elides long quoted values', () => {
    expect(bounded(`x${'y'.repeat(1000)}`)).toHaveLength(301);
    expect(bounded(`first line\nsecond ${MARKER}`)).toBe('first line');
    expect(bounded(`invalid input syntax for type json: "${'z'.repeat(60)}"`)).toBe('invalid input syntax for type json: "…"');
  });

  it('handles anything thrown', () => {
    expect(errorForLog('plain string')).toEqual({ message: 'plain string' });
    expect(errorForLog(undefined)).toEqual({ message: 'undefined' });
    expect(errorForLog({ code: 'X', message: 'object' })).toEqual({ code: 'X', message: 'object' });
  });

  it('is what the logger writes for `err` and `error` keys', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const log = createLogger('info', sink);
    log.error({ err: drizzleFailure() }, 'storing failed');
    log.warn({ error: drizzleFailure() }, 'storing failed');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(MARKER);
      expect(JSON.parse(line)).toMatchObject({ msg: 'storing failed' });
    }
  });
});

describe('the logger redacts credentials', () => {
  it('never writes a password, a token or an OAuth2 secret, however deep a config object puts it', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const log = createLogger('info', sink);
    const auth = { type: 'oauth2', clientId: 'client-1', clientSecret: MARKER, refreshToken: MARKER, accessToken: MARKER };
    log.info({ password: MARKER, token: MARKER, imap: { password: MARKER, auth }, mailbox: { imap: { auth } }, response: { access_token: MARKER, refresh_token: MARKER } }, 'config');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(MARKER);
    expect(JSON.parse(lines[0]!).imap.auth.clientId).toBe('client-1');
  });
});
