import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  clearedSessionCookie,
  isAuthorized,
  parseCookies,
  safeNextPath,
  secretsEqual,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sessionCookie,
  sessionValid,
  sessionValue,
} from '../../src/adapters/http/auth.js';

const TOKEN = 'correct-horse-battery-staple';
const NOW = new Date('2026-11-23T10:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

describe('secretsEqual', () => {
  it.each([
    [TOKEN, TOKEN, true],
    [`${TOKEN}x`, TOKEN, false],
    ['', TOKEN, false],
    ['', '', true],
    ['Correct-horse-battery-staple', TOKEN, false],
  ])('%j vs %j → %s', (given, expected, equal) => {
    expect(secretsEqual(given, expected)).toBe(equal);
  });
});

describe('bearerToken', () => {
  it.each([
    [`Bearer ${TOKEN}`, TOKEN],
    [`bearer   ${TOKEN} `, TOKEN],
    [`Basic ${TOKEN}`, null],
    ['Bearer', null],
    ['Bearer a b', null],
    [undefined, null],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('the session cookie', () => {
  const value = sessionValue(TOKEN, NOW);

  it('holds an expiry and an HMAC, never the token', () => {
    expect(value).toMatch(/^\d+\.[\w-]{43}$/);
    expect(value).not.toContain(TOKEN);
    expect(Number(value.split('.')[0]) * 1000).toBe(NOW.getTime() + SESSION_TTL_MS);
  });

  it.each([
    ['valid until its expiry', value, TOKEN, later(SESSION_TTL_MS - 1_000), true],
    ['expired', value, TOKEN, later(SESSION_TTL_MS), false],
    ['made with another token (the token changed)', value, 'another-token', NOW, false],
    ['expiry pushed forward by hand', value.replace(/^\d+/, (e) => String(Number(e) + 3600)), TOKEN, NOW, false],
    ['MAC changed', `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`, TOKEN, NOW, false],
    ['the token itself as the cookie', TOKEN, TOKEN, NOW, false],
    ['empty', '', TOKEN, NOW, false],
    ['absent', undefined, TOKEN, NOW, false],
  ])('%s', (_name, cookie, token, now, valid) => {
    expect(sessionValid(cookie, token, now)).toBe(valid);
  });

  it('is set HttpOnly, SameSite=Strict for the whole site, Secure only over HTTPS, and cleared likewise', () => {
    expect(sessionCookie(value, false)).toBe(`${SESSION_COOKIE}=${value}; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict`);
    expect(sessionCookie(value, true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toBe(`${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`);
  });
});

describe('parseCookies', () => {
  it('reads names and values, trims, keeps the first of a repeated name', () => {
    const cookies = parseCookies(' a=1; helpdesk_session=x.y ;a=2; junk; b= ');
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['helpdesk_session', 'x.y'],
      ['b', ''],
    ]);
    expect(parseCookies(undefined).size).toBe(0);
  });
});

describe('isAuthorized', () => {
  const cookie = `${SESSION_COOKIE}=${sessionValue(TOKEN, NOW)}`;
  it.each([
    ['the bearer token', { authorization: `Bearer ${TOKEN}` }, true],
    ['a wrong bearer token, even with a valid cookie', { authorization: 'Bearer nope', cookie }, false],
    ['a valid session cookie', { cookie: `theme=dark; ${cookie}` }, true],
    ['the token as a cookie value', { cookie: `${SESSION_COOKIE}=${TOKEN}` }, false],
    ['nothing', {}, false],
  ])('%s → %s', (_name, headers, ok) => {
    expect(isAuthorized(headers, TOKEN, NOW)).toBe(ok);
  });
});

describe('safeNextPath', () => {
  it.each([
    ['/tickets/1042', '/tickets/1042'],
    ['/tickets?view=all&q=a%20b', '/tickets?view=all&q=a%20b'],
    ['//evil.example/', '/tickets'],
    ['/\\evil.example', '/tickets'],
    ['https://evil.example/', '/tickets'],
    ['javascript:alert(1)', '/tickets'],
    ['/tickets\r\nSet-Cookie: x=1', '/tickets'],
    ['', '/tickets'],
    [null, '/tickets'],
  ])('%j → %j', (next, path) => {
    expect(safeNextPath(next)).toBe(path);
  });
});
