import { describe, expect, it } from 'vitest';
import { classifyTokenFailure, tokenError, type TokenFailure, type TokenFailureClass } from '../../src/adapters/oauth/token-errors.js';

describe('classifyTokenFailure: whether asking the token endpoint again can help', () => {
  const table: [failure: TokenFailure, expected: TokenFailureClass, what: string][] = [
    // The grant or the client is refused: an operator must act.
    [{ status: 400, error: 'invalid_grant' }, 'permanent', 'refresh token expired or revoked (Google, Microsoft AADSTS70008)'],
    [{ status: 401, error: 'invalid_client' }, 'permanent', 'client secret wrong or expired'],
    [{ status: 400, error: 'invalid_client' }, 'permanent', 'Google answers invalid_client with 400'],
    [{ status: 400, error: 'unauthorized_client' }, 'permanent', 'client may not use this grant'],
    [{ status: 400, error: 'unsupported_grant_type' }, 'permanent', 'grant type unknown to the server'],
    [{ status: 400, error: 'invalid_scope' }, 'permanent', 'scope beyond what was granted'],
    [{ status: 400, error: 'invalid_request' }, 'permanent', 'a parameter missing: our settings'],
    [{ status: 400, error: 'interaction_required' }, 'permanent', 'Microsoft conditional access wants the user'],
    [{ status: 400 }, 'permanent', 'a 4xx without a known code'],
    [{ status: 403 }, 'permanent', 'forbidden'],
    [{ status: 404 }, 'permanent', 'wrong tokenUrl'],
    // The endpoint is in trouble, or busy: retry with backoff.
    [{ status: 500 }, 'transient', 'server error'],
    [{ status: 502 }, 'transient', 'bad gateway'],
    [{ status: 503, error: 'temporarily_unavailable' }, 'transient', 'temporarily unavailable'],
    [{ status: 500, error: 'invalid_grant' }, 'transient', 'a 5xx says nothing about the grant, whatever its body'],
    [{ status: 429 }, 'transient', 'rate limited'],
    [{ status: 429, error: 'invalid_grant' }, 'transient', 'rate limited, odd body'],
    [{ status: 408 }, 'transient', 'request timeout'],
    [{ status: 400, error: 'slow_down' }, 'transient', 'slow down'],
    [{ status: 400, error: 'server_error' }, 'transient', 'server_error as a 400'],
    [{ network: true }, 'transient', 'refused, reset, DNS, timeout'],
    [{ status: 200 }, 'transient', 'a 200 without a token'],
    [{}, 'transient', 'nothing known'],
  ];
  it.each(table)('%o → %s (%s)', (failure, expected) => {
    expect(classifyTokenFailure(failure)).toBe(expected);
  });
});

describe('tokenError', () => {
  it('is an OAUTH_TOKEN AppError, retryable exactly when transient, and says when an operator must act', () => {
    expect(tokenError('mailbox a', { status: 400, error: 'invalid_grant' }, 'token endpoint answered 400 invalid_grant')).toMatchObject({
      code: 'OAUTH_TOKEN',
      retryable: false,
      message: expect.stringMatching(/^mailbox a: token endpoint answered 400 invalid_grant \(needs an operator/),
    });
    expect(tokenError('mailbox a', { status: 503 }, 'token endpoint answered 503')).toMatchObject({ retryable: true, message: 'mailbox a: token endpoint answered 503' });
  });
});
