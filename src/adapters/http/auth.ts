import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Who may see the web view and the metrics: whoever shows `http.token`, as
 * `Authorization: Bearer <token>` or as the session cookie the login form sets.
 *
 * The cookie holds an expiry and an HMAC of it keyed with the token, never the
 * token itself: it cannot be made without the token, it stops working at its
 * expiry or when the token changes, and any instance with the same config
 * accepts it. Every comparison is constant-time.
 */

export const SESSION_COOKIE = 'helpdesk_session';
/** How long a login lasts. */
export const SESSION_TTL_MS = 12 * 3600_000;

/** Constant-time equality of two secrets of any lengths (both are hashed to 32 bytes first). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(authorization: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return match ? match[1]! : null;
}

function sessionMac(token: string, expires: string): string {
  return createHmac('sha256', token).update(`helpdesk web view session until ${expires}`).digest('base64url');
}

/** The session cookie's value for a login at `now`: `<expiry in Unix seconds>.<HMAC>`. */
export function sessionValue(token: string, now: Date, ttlMs = SESSION_TTL_MS): string {
  const expires = String(Math.floor((now.getTime() + ttlMs) / 1000));
  return `${expires}.${sessionMac(token, expires)}`;
}

/** True when `value` is a session cookie made with `token` that has not expired at `now`. */
export function sessionValid(value: string | undefined, token: string, now: Date): boolean {
  const match = /^(\d{1,12})\.([\w-]{43})$/.exec(value ?? '');
  if (!match) return false;
  const [, expires, mac] = match as unknown as [string, string, string];
  const macOk = secretsEqual(mac, sessionMac(token, expires));
  return macOk && Number(expires) * 1000 > now.getTime();
}

/** Cookies of a `Cookie` header by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/** Whether a request shows the token: as a bearer token, or as a valid session cookie. */
export function isAuthorized(headers: { readonly authorization?: string; readonly cookie?: string }, token: string, now: Date): boolean {
  const bearer = bearerToken(headers.authorization);
  if (bearer !== null) return secretsEqual(bearer, token);
  return sessionValid(parseCookies(headers.cookie).get(SESSION_COOKIE), token, now);
}

/** `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, whole site; Secure when the client came over HTTPS. */
export function sessionCookie(value: string, secure: boolean, ttlMs = SESSION_TTL_MS): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${Math.floor(ttlMs / 1000)}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** `Set-Cookie` that ends the session. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/**
 * Where to go after logging in: a path of this site only (`/…`, not `//host`
 * or `/\host`, which browsers read as another host), else the ticket list.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/tickets';
  if (/\p{Cc}/u.test(next) || next.length > 2000) return '/tickets';
  return next;
}
