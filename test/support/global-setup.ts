import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { runMigrations } from '../../src/adapters/db/migrate.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { ADMIN_URL, databaseUrl, templateName } from './database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dovecotPort: number;
    templateDb: string;
  }
}

let dovecot: Dovecot | null = null;
const TEMPLATE_DB = templateName();

async function dropTemplate(): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${TEMPLATE_DB} with (force)`);
  } finally {
    await admin.end();
  }
}

/** Once per run: a migrated template database and one Dovecot for every test file. */
export async function setup(project: TestProject): Promise<void> {
  if (!process.env.HELPDESK_CORPUS && process.env.CI !== 'true') {
    console.warn('\n  The mail corpus suites will not run: HELPDESK_CORPUS is not set (bash .ci/run sets it from ../shared/corpus).\n');
  }
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  await runMigrations(databaseUrl(TEMPLATE_DB));
  dovecot = await startDovecot();
  project.provide('dovecotPort', dovecot.port);
  project.provide('templateDb', TEMPLATE_DB);
}

export async function teardown(): Promise<void> {
  await dovecot?.stop();
  await dropTemplate();
}
