import { AppError, bounded } from '../../errors.js';

/**
 * Whether sending again can help: `transient` failures are retried with
 * backoff, `permanent` ones fail the outbox row at once.
 */
export type SmtpErrorClass = 'transient' | 'permanent';

/** The protocol facts nodemailer puts on its errors. */
export interface SmtpFailure {
  readonly code?: string;
  readonly responseCode?: number;
}

/**
 * nodemailer's error codes without an SMTP reply (its catalogue, errors.js).
 * A reply code, when there is one, decides instead (see classifySmtpFailure).
 */
const BY_CODE: Readonly<Record<string, SmtpErrorClass>> = {
  ECONNECTION: 'transient', // connection closed unexpectedly
  ETIMEDOUT: 'transient', // connection or command timed out
  ESOCKET: 'transient', // socket error
  EDNS: 'transient', // the server's name did not resolve (now)
  EPROTOCOL: 'transient', // a garbled reply: try a new connection
  EMAXLIMIT: 'transient', // pool connection used up: the next one takes it
  EPROXY: 'transient',
  EABORT: 'transient', // aborted by a shutdown: the next daemon sends it
  ECONNREFUSED: 'transient',
  ECONNRESET: 'transient',
  EHOSTUNREACH: 'transient',
  ENETUNREACH: 'transient',
  ENOTFOUND: 'transient',
  EAI_AGAIN: 'transient',
  EPIPE: 'transient',
  EAUTH: 'permanent', // credentials refused: an admin must act
  ENOAUTH: 'permanent', // no credentials configured
  EOAUTH2: 'permanent',
  ETLS: 'permanent', // TLS handshake or certificate refused: a setting, not the network
  EREQUIRETLS: 'permanent',
  ECONFIG: 'permanent', // our transport settings are invalid
  EENVELOPE: 'permanent', // no sender or no recipient address the server takes
  EMAXRECIPIENTS: 'permanent',
  EMESSAGE: 'permanent', // the message itself cannot be sent
  ESTREAM: 'permanent', // the message source cannot be read
};

/**
 * Transient or permanent, from the reply code first (RFC 5321 §4.2.1: 4yz
 * transient, 5yz permanent — except 503, a bad command sequence that a new
 * connection cures), then from nodemailer's code; an unknown failure is
 * transient, bounded by the attempt limit.
 */
export function classifySmtpFailure(failure: SmtpFailure): SmtpErrorClass {
  const reply = failure.responseCode;
  if (typeof reply === 'number' && reply >= 400 && reply < 600) {
    if (reply === 503) return 'transient';
    return reply >= 500 ? 'permanent' : 'transient';
  }
  return (failure.code && BY_CODE[failure.code]) || 'transient';
}

interface SmtpLibError extends SmtpFailure {
  readonly message?: string;
  readonly response?: string;
  readonly command?: string;
}

/** Translates a nodemailer error into ours by classifySmtpFailure, keeping it as `cause`. */
export function toSmtpError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as SmtpLibError;
  const detail = bounded(e.response || e.message || String(err), 500);
  const where = e.command ? ` after ${e.command}` : '';
  const label = typeof e.responseCode === 'number' ? String(e.responseCode) : (e.code ?? 'error');
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') return new AppError('SMTP_AUTH', `${what}: authentication failed${where}: ${detail}`, { cause: err });
  const permanent = classifySmtpFailure(e) === 'permanent';
  return new AppError(permanent ? 'SMTP_PERMANENT' : 'SMTP_TRANSIENT', `${what}: ${label}${where}: ${detail}`, { retryable: !permanent, cause: err });
}
