/**
 * Which Postgres failures are worth waiting out and which are a message's own
 * fault. One table, read by SQLSTATE code, then by its class (the first two
 * characters), then by the driver's and the socket's own codes.
 *
 * - `retryable`: the database is away, busy or read-only for now (failover,
 *   too many connections, disk full, deadlock, cancel). Ingest pauses and
 *   tries the same mail again; it never counts against the mail.
 * - `fatal`: the database refuses us until an operator acts (credentials,
 *   missing schema, privileges, corruption). Also never counts against a mail;
 *   logged as an error and retried with backoff.
 * - `message-fault`: a value in this mail cannot be stored (data exception,
 *   constraint, program limit). After a few attempts the mail is quarantined.
 */
export type PgErrorClass = 'retryable' | 'fatal' | 'message-fault';

/** Exact SQLSTATE codes that differ from their class. */
const BY_CODE: Readonly<Record<string, PgErrorClass>> = {
  '25006': 'retryable', // read_only_sql_transaction: a failover left us on a replica
  '25P03': 'retryable', // idle_in_transaction_session_timeout
  '55P03': 'retryable', // lock_not_available
  '55006': 'retryable', // object_in_use
  '57014': 'retryable', // query_canceled: statement_timeout or an admin's cancel
  '57P01': 'retryable', // admin_shutdown (pg_terminate_backend)
  '57P02': 'retryable', // crash_shutdown
  '57P03': 'retryable', // cannot_connect_now (starting up, recovery)
  '57P04': 'fatal', // database_dropped
  '57P05': 'retryable', // idle_session_timeout
  '3D000': 'fatal', // invalid_catalog_name: the database does not exist
  '0A000': 'fatal', // feature_not_supported: our statement, not the mail
  XX000: 'message-fault', // internal_error, usually tied to one statement's values
  XX001: 'fatal', // data_corrupted
  XX002: 'fatal', // index_corrupted
};

/** SQLSTATE classes (RFC: the PostgreSQL manual, appendix A). */
const BY_CLASS: Readonly<Record<string, PgErrorClass>> = {
  '08': 'retryable', // connection exception
  '22': 'message-fault', // data exception: bad value (NUL, out-of-range date, encoding)
  '23': 'message-fault', // integrity constraint violation
  '25': 'retryable', // invalid transaction state (read-only, timeouts)
  '28': 'fatal', // invalid authorization specification: credentials
  '40': 'retryable', // transaction rollback: serialization failure, deadlock
  '42': 'fatal', // syntax error or access rule violation: schema not migrated, privileges
  '53': 'retryable', // insufficient resources: disk full, out of memory, too many connections
  '54': 'message-fault', // program limit exceeded: index row too large, too many parameters
  '55': 'fatal', // object not in prerequisite state
  '57': 'retryable', // operator intervention
  '58': 'retryable', // system error (I/O) outside Postgres
  F0: 'fatal', // configuration file error
  HV: 'fatal', // foreign data wrapper error
  P0: 'fatal', // PL/pgSQL error
  XX: 'fatal', // internal error
};

/** Codes of the socket and of postgres.js itself, which are not SQLSTATEs. */
const BY_DRIVER_CODE: Readonly<Record<string, PgErrorClass>> = {
  ECONNREFUSED: 'retryable',
  ECONNRESET: 'retryable',
  ETIMEDOUT: 'retryable',
  ENOTFOUND: 'retryable',
  EAI_AGAIN: 'retryable',
  EPIPE: 'retryable',
  EHOSTUNREACH: 'retryable',
  ENETUNREACH: 'retryable',
  CONNECT_TIMEOUT: 'retryable',
  CONNECTION_CLOSED: 'retryable',
  CONNECTION_ENDED: 'retryable',
  CONNECTION_DESTROYED: 'retryable',
  MAX_PARAMETERS_EXCEEDED: 'message-fault',
  UNDEFINED_VALUE: 'message-fault',
  SASL_SIGNATURE_MISMATCH: 'fatal',
  AUTH_TYPE_NOT_IMPLEMENTED: 'fatal',
  NOT_TAGGED_CALL: 'fatal',
};

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The first code found along the error's cause chain (drizzle wraps the driver's error). */
export function errorCodeOf(err: unknown): string | null {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
  }
  return null;
}

/** Classifies a code: a SQLSTATE, a socket code or a postgres.js code; null for none. */
export function classifyPgCode(code: string | null): PgErrorClass {
  if (code === null) return 'message-fault'; // no code: thrown by our own code while handling this mail
  if (BY_DRIVER_CODE[code]) return BY_DRIVER_CODE[code];
  if (!SQLSTATE.test(code)) return 'message-fault';
  return BY_CODE[code] ?? BY_CLASS[code.slice(0, 2)] ?? 'message-fault';
}

/** Classifies an error thrown by postgres.js or drizzle (or anything else a transaction threw). */
export function classifyPgError(err: unknown): PgErrorClass {
  return classifyPgCode(errorCodeOf(err));
}
