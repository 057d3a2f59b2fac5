import { AppError } from '../../errors.js';

interface ImapLibError {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
}

/** Translates an imapflow / socket error into ours. Never carries credentials. */
export function toImapError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as ImapLibError;
  const detail = e.responseText || e.message || String(err);
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new AppError('IMAP_AUTH', `${what}: login rejected by the server (${detail})`, { retryable: true, cause: err });
  }
  if (e.serverResponseCode === 'NONEXISTENT' || /mailbox doesn't exist|no such mailbox/i.test(detail)) {
    return new AppError('IMAP_MAILBOX', `${what}: folder not found (${detail})`, { retryable: true, cause: err });
  }
  if (e.code && /^(E[A-Z]+|CONNECT_TIMEOUT|NoConnection|ETIMEOUT|GREETING_TIMEOUT)$/.test(e.code)) {
    return new AppError('IMAP_CONNECT', `${what}: ${e.code} ${e.message ?? ''}`.trim(), { retryable: true, cause: err });
  }
  return new AppError('IMAP_COMMAND', `${what}: ${detail}`, { retryable: true, cause: err });
}
