import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { runMigrations } from '../../src/adapters/db/migrate.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { ADMIN_URL, TEMPLATE_DB, databaseUrl } from './database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dovecotPort: number;
  }
}

let dovecot: Dovecot | null = null;

/** Once per run: a migrated template database and one Dovecot for every test file. */
export async function setup(project: TestProject): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${TEMPLATE_DB} with (force)`);
    await admin.unsafe(`create database ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  await runMigrations(databaseUrl(TEMPLATE_DB));
  dovecot = await startDovecot();
  project.provide('dovecotPort', dovecot.port);
}

export async function teardown(): Promise<void> {
  await dovecot?.stop();
}
