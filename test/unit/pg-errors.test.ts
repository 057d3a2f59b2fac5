import { describe, expect, it } from 'vitest';
import { toAppError } from '../../src/adapters/db/client.js';
import { classifyPgCode, classifyPgError, type PgErrorClass } from '../../src/adapters/db/pg-errors.js';

/** A Postgres error as postgres.js throws it, wrapped the way drizzle wraps it. */
function drizzleError(code: string, message: string): Error {
  const pg = Object.assign(new Error(message), { name: 'PostgresError', code, detail: 'Key (message_id)=(SECRET-PARAM) already exists.' });
  return Object.assign(new Error(`Failed query: insert into "messages" values ($1)\nparams: SECRET-PARAM`), { params: ['SECRET-PARAM'], cause: pg });
}

describe('classifyPgCode: which Postgres failures count against a mail', () => {
  const table: [code: string | null, expected: PgErrorClass, what: string][] = [
    // The failures the review reproduced: each used to skip the mail after three tries.
    ['25006', 'retryable', 'read_only_sql_transaction (failover to a replica)'],
    ['53300', 'retryable', 'too_many_connections'],
    ['53100', 'retryable', 'disk_full'],
    ['53200', 'retryable', 'out_of_memory'],
    ['53400', 'retryable', 'configuration_limit_exceeded'],
    ['40P01', 'retryable', 'deadlock_detected'],
    ['40001', 'retryable', 'serialization_failure'],
    ['40003', 'retryable', 'statement_completion_unknown'],
    ['57014', 'retryable', 'query_canceled (statement timeout, admin cancel)'],
    ['57P01', 'retryable', 'admin_shutdown (pg_terminate_backend)'],
    ['57P02', 'retryable', 'crash_shutdown'],
    ['57P03', 'retryable', 'cannot_connect_now'],
    ['57P05', 'retryable', 'idle_session_timeout'],
    ['25P03', 'retryable', 'idle_in_transaction_session_timeout'],
    ['55P03', 'retryable', 'lock_not_available'],
    ['58030', 'retryable', 'io_error'],
    ['08000', 'retryable', 'connection_exception'],
    ['08006', 'retryable', 'connection_failure'],
    ['08001', 'retryable', 'sqlclient_unable_to_establish_sqlconnection'],
    ['08P01', 'retryable', 'protocol_violation'],
    // The database refuses us until someone acts: never the mail's fault either.
    ['28P01', 'fatal', 'invalid_password'],
    ['28000', 'fatal', 'invalid_authorization_specification'],
    ['3D000', 'fatal', 'invalid_catalog_name (no such database)'],
    ['42P01', 'fatal', 'undefined_table (not migrated)'],
    ['42703', 'fatal', 'undefined_column'],
    ['42501', 'fatal', 'insufficient_privilege'],
    ['57P04', 'fatal', 'database_dropped'],
    ['0A000', 'fatal', 'feature_not_supported'],
    ['XX001', 'fatal', 'data_corrupted'],
    ['XX002', 'fatal', 'index_corrupted'],
    ['F0000', 'fatal', 'config_file_error'],
    // Values in this mail that cannot be stored: counted, then quarantined.
    ['22021', 'message-fault', 'character_not_in_repertoire (NUL byte)'],
    ['22P05', 'message-fault', 'untranslatable_character'],
    ['22008', 'message-fault', 'datetime_field_overflow'],
    ['22001', 'message-fault', 'string_data_right_truncation'],
    ['22P02', 'message-fault', 'invalid_text_representation'],
    ['23505', 'message-fault', 'unique_violation'],
    ['23502', 'message-fault', 'not_null_violation'],
    ['54000', 'message-fault', 'program_limit_exceeded (index row too large)'],
    ['54001', 'message-fault', 'statement_too_complex'],
    ['XX000', 'message-fault', 'internal_error'],
    // The socket's and the driver's own codes.
    ['ECONNREFUSED', 'retryable', 'connection refused'],
    ['ECONNRESET', 'retryable', 'connection reset'],
    ['ETIMEDOUT', 'retryable', 'socket timeout'],
    ['EAI_AGAIN', 'retryable', 'DNS not answering'],
    ['CONNECT_TIMEOUT', 'retryable', 'postgres.js connect timeout'],
    ['CONNECTION_CLOSED', 'retryable', 'postgres.js connection closed'],
    ['CONNECTION_ENDED', 'retryable', 'postgres.js pool ended'],
    ['CONNECTION_DESTROYED', 'retryable', 'postgres.js connection destroyed'],
    ['MAX_PARAMETERS_EXCEEDED', 'message-fault', 'more than 65 534 parameters'],
    ['SASL_SIGNATURE_MISMATCH', 'fatal', 'server signature mismatch'],
    [null, 'message-fault', 'no code: thrown by our code while handling the mail'],
    ['ERR_INVALID_ARG_TYPE', 'message-fault', 'a Node error code'],
  ];
  it.each(table)('%s → %s (%s)', (code, expected) => {
    expect(classifyPgCode(code)).toBe(expected);
  });

  it('reads the code through drizzle\'s wrapper', () => {
    expect(classifyPgError(drizzleError('25006', 'cannot execute INSERT in a read-only transaction'))).toBe('retryable');
    expect(classifyPgError(drizzleError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'))).toBe('message-fault');
  });
});

describe('toAppError', () => {
  it('makes an outage retryable, a refusal retryable but loud, a value error the mail\'s', () => {
    expect(toAppError(drizzleError('53300', 'sorry, too many clients already'), 'storing')).toMatchObject({ code: 'DB_UNAVAILABLE', retryable: true });
    expect(toAppError(drizzleError('28P01', 'password authentication failed'), 'storing')).toMatchObject({ code: 'DB_REFUSED', retryable: true });
    expect(toAppError(drizzleError('54000', 'index row size 3016 exceeds btree version 4 maximum 2704'), 'storing')).toMatchObject({
      code: 'DB_QUERY',
      retryable: false,
    });
  });

  it('says what the server said, never the query, its parameters or the detail', () => {
    const err = toAppError(drizzleError('23505', 'duplicate key value violates unique constraint "messages_message_id_key"'), 'storing message');
    expect(err.message).toBe('storing message: 23505 duplicate key value violates unique constraint "messages_message_id_key"');
    expect(err.message).not.toContain('SECRET-PARAM');
  });
});
