import { AppError, bounded } from '../../errors.js';

/**
 * Whether asking the token endpoint again can help: `transient` failures are
 * retried with backoff; `permanent` ones need an operator (a new refresh
 * token, a new client secret, consent granted again) — they are retried only
 * rarely, in case the endpoint was wrong about itself.
 */
export type TokenFailureClass = 'transient' | 'permanent';

/** What a failed refresh tells: the HTTP status, the OAuth2 `error` code, or no answer at all. */
export interface TokenFailure {
  readonly status?: number;
  /** RFC 6749 §5.2 `error`, when the body was JSON and had one. */
  readonly error?: string;
  /** No HTTP answer: connection refused or reset, DNS, timeout. */
  readonly network?: boolean;
}

/** RFC 6749 §5.2 error codes (and the ones Google and Microsoft add), each with what it means for us. */
const BY_ERROR: Readonly<Record<string, TokenFailureClass>> = {
  invalid_grant: 'permanent', // refresh token expired, revoked, or the user's password changed: consent again
  invalid_client: 'permanent', // client id unknown or secret wrong/expired
  unauthorized_client: 'permanent', // this client may not use the refresh_token grant
  unsupported_grant_type: 'permanent',
  invalid_scope: 'permanent', // `scope` asks for more than was granted
  invalid_request: 'permanent', // a parameter missing or malformed: our settings
  access_denied: 'permanent',
  interaction_required: 'permanent', // Microsoft: conditional access wants the user
  consent_required: 'permanent',
  server_error: 'transient',
  temporarily_unavailable: 'transient',
  slow_down: 'transient',
};

/**
 * Transient or permanent: no answer, 408, 429 and 5xx are transient whatever
 * the body says (an overloaded server says nothing about our grant); then the
 * `error` code decides; then any other 4xx is permanent (the endpoint refuses
 * the request as we make it). An answer without a token is transient.
 */
export function classifyTokenFailure(failure: TokenFailure): TokenFailureClass {
  const status = failure.status;
  if (failure.network || status === undefined) return 'transient';
  if (status === 408 || status === 429 || status >= 500) return 'transient';
  const byError = failure.error ? BY_ERROR[failure.error] : undefined;
  if (byError) return byError;
  return status >= 400 ? 'permanent' : 'transient';
}

/**
 * The AppError of a failed refresh: `retryable` unless permanent. The message
 * names the mailbox and what the endpoint said — never the token or secret.
 */
export function tokenError(what: string, failure: TokenFailure, detail: string, cause?: unknown): AppError {
  const failureClass = classifyTokenFailure(failure);
  const hint = failureClass === 'permanent' ? ' (needs an operator: authorize the mailbox again or fix the client credentials)' : '';
  return new AppError('OAUTH_TOKEN', `${what}: ${bounded(detail, 300)}${hint}`, { retryable: failureClass === 'transient', cause });
}
