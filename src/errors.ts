/**
 * The one error type that crosses layers. `code` comes from the catalogue
 * below; `retryable` tells the caller whether trying again can help.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'the config file has problems',
  DB_UNAVAILABLE: 'Postgres cannot be reached',
  DB_QUERY: 'a database statement failed',
  IMAP_CONNECT: 'the IMAP server cannot be reached',
  IMAP_AUTH: 'the IMAP server rejected the credentials',
  IMAP_COMMAND: 'an IMAP command failed',
  IMAP_MAILBOX: 'the IMAP folder does not exist or cannot be opened',
  NOT_FOUND: 'no such record',
  SMTP_PERMANENT: 'the SMTP server refused the mail for good (5xx)',
  SMTP_TRANSIENT: 'the SMTP server or network failed for now (4xx, timeout, connection)',
  SMTP_AUTH: 'the SMTP server rejected the credentials',
  SMTP_NOT_CONFIGURED: 'the mailbox has no SMTP server configured',
  QUEUE_UNAVAILABLE: 'Redis (the queue) cannot be reached',
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
