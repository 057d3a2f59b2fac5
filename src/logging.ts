import { pino, type Logger } from 'pino';
import { errorForLog } from './errors.js';

/** Keys whose values never reach a log line (I8), at any depth we log. */
const REDACT = [
  'password',
  'pass',
  'token',
  'secret',
  'authorization',
  '*.password',
  '*.pass',
  '*.token',
  '*.secret',
  '*.*.password',
  '*.*.pass',
  '*.*.token',
  'auth.pass',
  '*.auth.pass',
  'imap.password',
  'smtp.password',
  // OAuth2 credentials (imap.auth, smtp.auth) and the tokens they give.
  ...['clientSecret', 'refreshToken', 'accessToken', 'access_token', 'refresh_token'].flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
];

/** The process logger: JSON lines on stdout, level from LOG_LEVEL (default info). */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'helpdesk' },
      redact: { paths: REDACT, censor: '[redacted]' },
      // Errors are logged as code, bounded message and stack: never causes or attached fields (I8).
      serializers: { err: errorForLog, error: errorForLog },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
