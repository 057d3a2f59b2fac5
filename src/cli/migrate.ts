import { readEnvironment } from '../environment.js';
import { createLogger } from '../logging.js';
import { prepareDatabase } from '../main.js';

/** `helpdesk migrate`: the database created if needed, pending migrations applied. */
export async function runMigrate(): Promise<void> {
  const env = readEnvironment();
  await prepareDatabase(env.databaseUrl, createLogger(process.env.LOG_LEVEL ?? 'warn'), () => true);
  console.log('migrations applied');
}
