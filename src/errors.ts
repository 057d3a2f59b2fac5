/**
 * The one error type that crosses layers. `code` comes from the catalogue
 * below; `retryable` tells the caller whether trying again can help.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'the config file has problems',
  DB_UNAVAILABLE: 'Postgres cannot be reached, or is busy or read-only for now: wait and retry',
  DB_REFUSED: 'Postgres refuses us until an operator acts (credentials, schema, privileges, corruption)',
  DB_QUERY: 'a database statement failed on the values it was given',
  IMAP_CONNECT: 'the IMAP server cannot be reached',
  IMAP_AUTH: 'the IMAP server rejected the credentials',
  IMAP_COMMAND: 'an IMAP command failed',
  IMAP_MAILBOX: 'the IMAP folder does not exist or cannot be opened',
  NOT_FOUND: 'no such record',
  TICKET_CHANGED: 'the ticket changed while a change to it was decided: decide again on what it is now',
  SMTP_PERMANENT: 'the SMTP server refused the mail for good (5xx), or it can never be sent as it is',
  SMTP_TRANSIENT: 'the SMTP server or network failed for now (4xx, timeout, connection)',
  SMTP_AUTH: 'the SMTP server rejected the credentials',
  SMTP_NOT_CONFIGURED: 'the mailbox has no SMTP server configured',
  OAUTH_TOKEN: 'the OAuth2 token endpoint did not issue an access token (refused: an operator must act; failed: retried)',
  QUEUE_UNAVAILABLE: 'Redis (the queue) cannot be reached',
  PARSE_BUDGET: 'parsing a mail took longer than its time budget',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** What a log line may show of an error. */
export interface LoggedError {
  readonly code?: string;
  readonly message: string;
  readonly stack?: string;
}

const MAX_MESSAGE = 300;
const STACK_FRAMES = 6;

/**
 * An error as a log line may show it (I8): its code, a bounded message and a
 * bounded stack — never its causes, never fields a library attached (drizzle
 * attaches every query parameter, i.e. the mail itself). The message of a
 * wrapper that quotes its query is replaced by the driver's own.
 */
export function errorForLog(err: unknown): LoggedError {
  if (err === null || err === undefined) return { message: String(err) };
  if (typeof err !== 'object') return { message: bounded(String(err)) };
  const e = err as { code?: unknown; message?: unknown; stack?: unknown };
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code) : codeInChain(err);
  const message = bounded(safeMessage(err));
  const stack = typeof e.stack === 'string' ? boundedStack(e.stack) : undefined;
  return { ...(code ? { code } : {}), message, ...(stack ? { stack } : {}) };
}

/** A wrapper's message names its query and parameters: take the first message in the chain that does not. */
function safeMessage(err: unknown): string {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const message = (e as { message?: unknown }).message;
    if (typeof message !== 'string') continue;
    if (/^Failed query:/.test(message) || 'params' in (e as object)) continue;
    return message;
  }
  return 'error (details withheld)';
}

function codeInChain(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e: unknown = (err as { cause?: unknown }).cause; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Caps a message and elides long quoted values (servers quote the offending input). */
export function bounded(message: string, max = MAX_MESSAGE): string {
  const elided = message.replace(/"[^"\n]{48,}"/g, '"…"').replace(/'[^'\n]{48,}'/g, "'…'");
  const oneLine = elided.split('\n')[0] ?? '';
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** The frames of a stack (they name our code, never data), without its message line. */
function boundedStack(stack: string): string | undefined {
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line)).slice(0, STACK_FRAMES);
  return frames.length > 0 ? frames.map((f) => f.trim()).join('\n') : undefined;
}
