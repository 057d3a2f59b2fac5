import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { databaseName, toAppError } from './client.js';

/** Lock id that serialises migrations when several daemons start at once. */
const MIGRATION_LOCK = 72_340_517;

/** The project's `drizzle/` folder, found from this file whether run from source or from dist/. */
export function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'drizzle', 'meta', '_journal.json');
    if (existsSync(candidate)) return join(dir, 'drizzle');
    dir = dirname(dir);
  }
  throw new Error('drizzle/ migrations folder not found next to the installed package');
}

/** Creates the database named in `url` unless it exists. Returns true when it was created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url);
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    if (rows.length > 0) return false;
    try {
      await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === '42P04') return false; // created by a concurrent start
      throw err;
    }
  } catch (err) {
    throw toAppError(err, `creating database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Applies pending migrations, holding an advisory lock so concurrent starts take turns. */
export async function runMigrations(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(sql), { migrationsFolder: migrationsFolder() });
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } catch (err) {
    throw toAppError(err, 'running migrations');
  } finally {
    await sql.end({ timeout: 5 });
  }
}
