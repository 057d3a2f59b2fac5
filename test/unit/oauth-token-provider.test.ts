import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { createTokenProvider, type TokenEvent, type TokenProvider, type TokenProviderOptions } from '../../src/adapters/oauth/token-provider.js';
import { freePort } from '../support/dovecot.js';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint.js';
import { waitFor } from '../support/wait.js';

const CLIENT = { clientId: 'helpdesk-client', clientSecret: 'client-secret-9f2e', refreshToken: 'refresh-1-b7c4', user: 'support@example.test' };

let endpoint: TokenEndpoint | null = null;
const providers: TokenProvider[] = [];
afterEach(async () => {
  for (const p of providers.splice(0)) p.close();
  await endpoint?.close();
  endpoint = null;
});

/** A provider on a fake clock (no background refresh) against a real local token endpoint. */
async function rig(options: { expiresIn?: number; provider?: Partial<TokenProviderOptions> } = {}) {
  endpoint = await startTokenEndpoint({ ...CLIENT, expiresIn: options.expiresIn ?? 100 });
  const clock = { now: 1_000_000 };
  const events: TokenEvent[] = [];
  const provider = createTokenProvider({
    grant: { tokenUrl: endpoint.tokenUrl, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, refreshToken: CLIENT.refreshToken, scope: 'mail offline_access' },
    label: 'mailbox support',
    onEvent: (e) => events.push(e),
    now: () => clock.now,
    background: false,
    retry: { initialMs: 1_000, maxMs: 60_000 },
    ...options.provider,
  });
  providers.push(provider);
  return { endpoint, clock, events, provider };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('token provider: refresh_token grant against a real endpoint', () => {
  it('posts the grant as a form and caches the token', async () => {
    const { endpoint, provider } = await rig();
    const first = await provider.accessToken();
    const again = await provider.accessToken();
    expect(again.token).toBe(first.token);
    expect(endpoint.refreshes).toHaveLength(1);
    expect(Object.fromEntries(endpoint.refreshes[0]!)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: CLIENT.refreshToken,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      scope: 'mail offline_access',
    });
    expect(first.token).toBe(endpoint.issued[0]);
  });

  it('refreshes at 80% of the lifetime, before the token expires', async () => {
    const { endpoint, clock, provider, events } = await rig({ expiresIn: 100 });
    const first = await provider.accessToken();
    expect(first.expiresAt.getTime()).toBe(clock.now + 100_000);
    clock.now += 79_000;
    expect((await provider.accessToken()).token).toBe(first.token);
    expect(endpoint.refreshes).toHaveLength(1);
    clock.now += 2_000; // 81 s: still valid for 19 s, but due
    const second = await provider.accessToken();
    expect(second.token).not.toBe(first.token);
    expect(endpoint.refreshes).toHaveLength(2);
    expect(events.map((e) => e.type)).toEqual(['refreshed', 'refreshed']);
  });

  it('makes one request however many callers ask at once (single flight)', async () => {
    const { endpoint, provider } = await rig();
    const release = endpoint.hold();
    const asked = Array.from({ length: 8 }, () => provider.accessToken());
    await waitFor(() => endpoint.refreshes.length === 1, { what: 'the refresh to reach the endpoint' });
    release();
    const tokens = await Promise.all(asked);
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(endpoint.refreshes).toHaveLength(1);
  });

  it('uses a rotated refresh token from then on, and says it rotated', async () => {
    const { endpoint, clock, provider, events } = await rig({ expiresIn: 100 });
    endpoint.rotate('refresh-2-e81a');
    await provider.accessToken();
    clock.now += 90_000;
    await provider.accessToken(); // the old refresh token no longer works at the endpoint
    expect(endpoint.refreshes.map((f) => f.get('refresh_token'))).toEqual([CLIENT.refreshToken, 'refresh-2-e81a']);
    expect(events).toMatchObject([
      { type: 'refreshed', rotated: true },
      { type: 'refreshed', rotated: false },
    ]);
  });

  it('a refused grant is permanent: an OAUTH_TOKEN error, then no request until the backoff has passed', async () => {
    const { endpoint, clock, provider, events } = await rig();
    endpoint.refuse('invalid_grant');
    const err = await rejection(provider.accessToken());
    expect(isAppError(err, 'OAUTH_TOKEN')).toBe(true);
    expect(err).toMatchObject({ retryable: false });
    expect((err as Error).message).toMatch(/mailbox support: OAuth2 token refresh at 127\.0\.0\.1:\d+: token endpoint answered 400 invalid_grant/);
    expect(events).toMatchObject([{ type: 'failed', permanent: true, streak: 1, retryInMs: 10_000, validUntil: null }]);
    // Within the backoff: the same error at once, the endpoint left alone.
    clock.now += 9_000;
    expect(await rejection(provider.accessToken())).toBe(err);
    expect(endpoint.refreshes).toHaveLength(1);
    clock.now += 2_000;
    await rejection(provider.accessToken());
    expect(endpoint.refreshes).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'failed', streak: 2, retryInMs: 20_000 });
    endpoint.respond(null);
    clock.now += 20_000;
    await provider.accessToken();
    expect(events.at(-1)).toMatchObject({ type: 'refreshed' });
  });

  it('keeps handing out the token in hand while refreshes fail, until it expires', async () => {
    const { endpoint, clock, provider, events } = await rig({ expiresIn: 100 });
    const held = await provider.accessToken();
    endpoint.respond({ status: 503, body: { error: 'temporarily_unavailable' } });
    clock.now += 85_000;
    expect((await provider.accessToken()).token).toBe(held.token);
    expect(events.at(-1)).toMatchObject({ type: 'failed', permanent: false, validUntil: held.expiresAt });
    clock.now += 20_000; // expired, and past the 1 s backoff
    const err = await rejection(provider.accessToken());
    expect(err).toMatchObject({ code: 'OAUTH_TOKEN', retryable: true });
    expect(events.at(-1)).toMatchObject({ type: 'failed', validUntil: null, streak: 2 });
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    const { endpoint, provider, events } = await rig();
    endpoint.respond({ status: 429, body: {}, headers: { 'retry-after': '7' } });
    await rejection(provider.accessToken());
    expect(events).toMatchObject([{ type: 'failed', permanent: false, retryInMs: 7_000 }]);
  });

  it('an endpoint that cannot be reached, or does not answer in time, is a transient failure', async () => {
    const port = await freePort();
    const unreachable = createTokenProvider({
      grant: { tokenUrl: `http://127.0.0.1:${port}/token`, clientId: 'c', clientSecret: null, refreshToken: 'r' },
      label: 'mailbox support',
      background: false,
    });
    expect(await rejection(unreachable.accessToken())).toMatchObject({ code: 'OAUTH_TOKEN', retryable: true, message: expect.stringContaining('unreachable: ECONNREFUSED') });
    const { endpoint, provider } = await rig({ provider: { timeoutMs: 200 } });
    const release = endpoint.hold();
    expect(await rejection(provider.accessToken())).toMatchObject({ retryable: true, message: expect.stringContaining('no answer within 200 ms') });
    release();
  });

  it('a 200 without an access_token is a failure, not a token', async () => {
    const { endpoint, provider } = await rig();
    endpoint.respond({ status: 200, body: { token_type: 'Bearer' } });
    expect(await rejection(provider.accessToken())).toMatchObject({ retryable: true, message: expect.stringContaining('without an access_token') });
  });

  it('a token a server refused is not handed out again', async () => {
    const { endpoint, provider } = await rig();
    const first = await provider.accessToken();
    provider.invalidate('some-other-token');
    expect((await provider.accessToken()).token).toBe(first.token);
    provider.invalidate(first.token);
    expect((await provider.accessToken()).token).not.toBe(first.token);
    expect(endpoint.refreshes).toHaveLength(2);
  });

  it('never puts the refresh token or the client secret in an error', async () => {
    const { endpoint, provider } = await rig();
    endpoint.refuse('invalid_client', 401);
    const err = (await rejection(provider.accessToken())) as Error;
    expect(err.message).not.toContain(CLIENT.refreshToken);
    expect(err.message).not.toContain(CLIENT.clientSecret);
  });

  it('keeps the token fresh in the background once used', async () => {
    endpoint = await startTokenEndpoint({ ...CLIENT, expiresIn: 1 });
    const provider = createTokenProvider({
      grant: { tokenUrl: endpoint.tokenUrl, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, refreshToken: CLIENT.refreshToken },
      label: 'mailbox support',
    });
    providers.push(provider);
    expect(endpoint.refreshes).toHaveLength(0); // nothing before first use
    await provider.accessToken();
    // 80% of 1 s: the next refreshes come without anyone asking.
    await waitFor(() => endpoint!.refreshes.length >= 3, { timeoutMs: 5_000, what: 'background refreshes' });
    const latest = await provider.accessToken();
    expect(endpoint.issued).toContain(latest.token);
  });
});
