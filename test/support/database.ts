import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** Server the tests use; DATABASE_URL's server when set, else the local default. */
const SERVER = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
export const ADMIN_URL = SERVER.toString();
/** Each run migrates its own template, so concurrent runs never share one. */
export function templateName(): string {
  return `helpdesk_tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly sql: postgres.Sql;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template: one per test file or test. */
export async function createTestDatabase(template: string): Promise<TestDatabase> {
  const name = `helpdesk_t_${randomBytes(5).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      const cleanup = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
