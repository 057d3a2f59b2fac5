import { pino, type Logger } from 'pino';

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
];

/** The process logger: JSON lines on stdout, level from LOG_LEVEL (default info). */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'helpdesk' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
