import type { AppError } from '../../errors.js';
import { tokenError, type TokenFailure } from './token-errors.js';

/** What the daemon needs to ask a token endpoint for access tokens (the config's `auth` block). */
export interface OAuth2Grant {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly refreshToken: string;
  readonly scope?: string;
}

export interface AccessToken {
  readonly token: string;
  readonly expiresAt: Date;
}

/** What happened at the token endpoint; the reporter turns these into health, metrics, logs and the agents' notice. */
export type TokenEvent =
  | {
      readonly type: 'refreshed';
      readonly expiresAt: Date;
      /** The endpoint issued a new refresh token (kept in memory from now on). */
      readonly rotated: boolean;
    }
  | {
      readonly type: 'failed';
      readonly error: AppError;
      readonly permanent: boolean;
      /** Failed refreshes in a row, this one included. */
      readonly streak: number;
      readonly retryInMs: number;
      /** Until when the token in hand still works; null when there is none. */
      readonly validUntil: Date | null;
    };

export interface TokenProviderOptions {
  readonly grant: OAuth2Grant;
  /** Names the mailbox in error messages. */
  readonly label: string;
  readonly onEvent?: (event: TokenEvent) => void;
  /** One request to the token endpoint, answer included (default 15 s). */
  readonly timeoutMs?: number;
  /**
   * Wait after a failed refresh, doubling per failure up to `maxMs`; a
   * permanent failure waits ten times longer (default 5 s, 30 min).
   */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
  /** Keeps the token fresh in the background once it was first asked for (default true). */
  readonly background?: boolean;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

/** Access tokens for one OAuth2 grant. */
export interface TokenProvider {
  /**
   * A token valid now: the one in hand until 80% of its lifetime, then a new
   * one — a single refresh however many callers ask at once. While refreshes
   * fail, the token in hand is returned as long as it is valid; after that,
   * the refresh's error (AppError OAUTH_TOKEN, `retryable` unless permanent).
   * Within the backoff after a failure the endpoint is not asked again.
   */
  accessToken(): Promise<AccessToken>;
  /** A server refused this token (revoked early): the next accessToken() gets a new one. */
  invalidate(token: string): void;
  /** Stops the background refresh. */
  close(): void;
}

/** Share of a token's lifetime after which it is refreshed. */
const REFRESH_AT = 0.8;
/** Lifetime assumed when the endpoint does not say (`expires_in` is only RECOMMENDED, RFC 6749 §5.1). */
const DEFAULT_LIFETIME_S = 3600;
const PERMANENT_FACTOR = 10;

interface Held {
  readonly token: string;
  readonly expiresAt: number;
  readonly refreshAt: number;
}

/** A TokenProvider on the refresh_token grant (RFC 6749 §6). */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const retry = options.retry ?? { initialMs: 5_000, maxMs: 30 * 60_000 };
  let refreshToken = options.grant.refreshToken;
  let held: Held | null = null;
  let inflight: Promise<AccessToken> | null = null;
  let failures = 0;
  let retryAt = 0;
  let lastError: AppError | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const view = (h: Held): AccessToken => ({ token: h.token, expiresAt: new Date(h.expiresAt) });

  /** The token in hand while it is valid, else the last refresh's error. */
  const heldOrThrow = (): AccessToken => {
    if (held && now() < held.expiresAt) return view(held);
    throw lastError!;
  };

  const schedule = (at: number) => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (closed || options.background === false) return;
    // A timer may fire a millisecond before Date.now() reaches `at`: then it is set again, or the refreshing would stop.
    const wake = () => (now() < at ? schedule(at) : void provider.accessToken().catch(() => undefined));
    timer = setTimeout(wake, Math.max(0, at - now()));
    timer.unref();
  };

  const backoff = (permanent: boolean, retryAfterMs: number | null): number => {
    const base = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(30, failures - 1));
    const delay = permanent ? Math.min(retry.maxMs, base * PERMANENT_FACTOR) : base;
    return Math.max(delay, retryAfterMs ?? 0);
  };

  const refresh = async (): Promise<AccessToken> => {
    try {
      const answer = await requestToken(doFetch, options.grant, refreshToken, options.label, options.timeoutMs ?? 15_000);
      const issuedAt = now();
      held = { token: answer.accessToken, expiresAt: issuedAt + answer.lifetimeS * 1000, refreshAt: issuedAt + answer.lifetimeS * 1000 * REFRESH_AT };
      const rotated = answer.refreshToken !== null && answer.refreshToken !== refreshToken;
      if (rotated) refreshToken = answer.refreshToken!;
      failures = 0;
      retryAt = 0;
      lastError = null;
      schedule(held.refreshAt);
      options.onEvent?.({ type: 'refreshed', expiresAt: new Date(held.expiresAt), rotated });
      return view(held);
    } catch (err) {
      const error = err instanceof RefreshError ? err : new RefreshError(tokenError(options.label, { network: true }, (err as Error).message, err), null);
      failures++;
      lastError = error.appError;
      const permanent = !error.appError.retryable;
      const delay = backoff(permanent, error.retryAfterMs);
      retryAt = now() + delay;
      schedule(retryAt);
      const validUntil = held && now() < held.expiresAt ? new Date(held.expiresAt) : null;
      options.onEvent?.({ type: 'failed', error: error.appError, permanent, streak: failures, retryInMs: delay, validUntil });
      return heldOrThrow();
    }
  };

  const provider: TokenProvider = {
    accessToken() {
      if (held && now() < held.refreshAt) return Promise.resolve(view(held));
      if (inflight) return inflight;
      if (lastError && now() < retryAt) {
        try {
          return Promise.resolve(heldOrThrow());
        } catch (err) {
          return Promise.reject(err as Error);
        }
      }
      inflight = refresh().finally(() => (inflight = null));
      return inflight;
    },
    invalidate(token) {
      if (held?.token === token) held = null;
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
  return provider;
}

interface TokenAnswer {
  readonly accessToken: string;
  readonly lifetimeS: number;
  readonly refreshToken: string | null;
}

/** A failed refresh: our error, and how long the endpoint asked us to wait (Retry-After). */
class RefreshError extends Error {
  constructor(
    readonly appError: AppError,
    readonly retryAfterMs: number | null,
  ) {
    super(appError.message);
  }
}

/** One refresh_token grant request: a form POST, the JSON answer checked. */
async function requestToken(doFetch: typeof fetch, grant: OAuth2Grant, refreshToken: string, label: string, timeoutMs: number): Promise<TokenAnswer> {
  const what = `${label}: OAuth2 token refresh at ${new URL(grant.tokenUrl).host}`;
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: grant.clientId });
  if (grant.clientSecret) body.set('client_secret', grant.clientSecret);
  if (grant.scope) body.set('scope', grant.scope);
  const fail = (failure: TokenFailure, detail: string, cause?: unknown, retryAfterMs: number | null = null) =>
    new RefreshError(tokenError(what, failure, detail, cause), retryAfterMs);
  let response: Response;
  let text: string;
  try {
    response = await doFetch(grant.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message ?? String(err));
    throw fail({ network: true }, `token endpoint unreachable: ${reason}`, err);
  }
  const json = parseJson(text);
  if (!response.ok) {
    const error = typeof json?.error === 'string' ? json.error : undefined;
    const description = typeof json?.error_description === 'string' ? `: ${json.error_description}` : '';
    throw fail({ status: response.status, error }, `token endpoint answered ${response.status}${error ? ` ${error}` : ''}${description}`, undefined, retryAfter(response));
  }
  if (typeof json?.access_token !== 'string' || json.access_token === '') {
    throw fail({ status: response.status }, `token endpoint answered ${response.status} without an access_token`);
  }
  const expiresIn = Number(json.expires_in);
  return {
    accessToken: json.access_token,
    lifetimeS: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_LIFETIME_S,
    refreshToken: typeof json.refresh_token === 'string' && json.refresh_token !== '' ? json.refresh_token : null,
  };
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Retry-After in seconds (RFC 9110 §10.2.3; the date form is rare from token endpoints), capped at an hour. */
function retryAfter(response: Response): number | null {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) * 1000 : null;
}
