import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { AppError, errorForLog } from '../../errors.js';
import { classifyPgCode, errorCodeOf } from './pg-errors.js';
import * as schema from './schema.js';

export type Db = PostgresJsDatabase<typeof schema>;

export interface Database {
  readonly db: Db;
  readonly sql: postgres.Sql;
  close(): Promise<void>;
}

/** Opens a pool. Nothing connects until the first query. */
export function openDatabase(url: string, options: { max?: number; connectTimeoutSeconds?: number } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    idle_timeout: 60,
    // postgres.js would read the array types on every new connection and leave that query's
    // failure unhandled when Postgres goes away at that moment; drizzle parses our arrays itself.
    fetch_types: false,
    connection: { application_name: 'helpdesk' },
  });
  return { db: drizzle(sql, { schema }), sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * Translates a postgres.js / drizzle error into ours, keeping it as `cause`,
 * by the table in pg-errors.ts. The message is the server's own, bounded: never
 * drizzle's, which quotes the query and every parameter (the mail itself).
 */
export function toAppError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const code = errorCodeOf(err);
  const detail = `${code ? `${code} ` : ''}${errorForLog(err).message}`;
  switch (classifyPgCode(code)) {
    case 'retryable':
      return new AppError('DB_UNAVAILABLE', `${what}: database unavailable for now (${detail})`, { retryable: true, cause: err });
    case 'fatal':
      return new AppError('DB_REFUSED', `${what}: database refused (${detail})`, { retryable: true, cause: err });
    case 'message-fault':
      return new AppError('DB_QUERY', `${what}: ${detail}`, { retryable: false, cause: err });
  }
}

/** The database name in a connection URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Runs a store call, translating whatever it throws (toAppError). */
export async function storeCall<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toAppError(err, what);
  }
}
