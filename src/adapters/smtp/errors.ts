import { AppError } from '../../errors.js';

interface SmtpLibError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/**
 * nodemailer errors carry the protocol facts: the SMTP reply code tells a
 * permanent refusal (5xx) from a transient one (4xx); EAUTH is a credentials
 * problem; socket-level codes are network trouble, worth retrying.
 */
export function toSmtpError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as SmtpLibError;
  const detail = (e.response || e.message || String(err)).slice(0, 500);
  const where = e.command ? ` after ${e.command}` : '';
  if (e.code === 'EAUTH') return new AppError('SMTP_AUTH', `${what}: authentication failed${where}: ${detail}`, { cause: err });
  if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
    return new AppError('SMTP_PERMANENT', `${what}: ${e.responseCode}${where}: ${detail}`, { cause: err });
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return new AppError('SMTP_TRANSIENT', `${what}: ${e.responseCode}${where}: ${detail}`, { retryable: true, cause: err });
  }
  return new AppError('SMTP_TRANSIENT', `${what}: ${e.code ?? 'error'}${where}: ${detail}`, { retryable: true, cause: err });
}
