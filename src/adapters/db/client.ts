import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { AppError } from '../../errors.js';
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

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/** True when a Postgres error means "the database is not there right now". */
export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERRORS.has(code)) return true;
  }
  return false;
}

/** Translates a postgres.js / drizzle error into ours, keeping it as `cause`. */
export function toAppError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  if (isConnectionError(err)) {
    return new AppError('DB_UNAVAILABLE', `${what}: database unavailable (${describe(err)})`, { retryable: true, cause: err });
  }
  return new AppError('DB_QUERY', `${what}: ${describe(err)}`, { retryable: false, cause: err });
}

function describe(err: unknown): string {
  const inner = (err as { cause?: unknown }).cause;
  const base = err instanceof Error ? err.message : String(err);
  return inner instanceof Error && inner.message !== base ? `${inner.message}` : base;
}

/** The database name in a connection URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}
