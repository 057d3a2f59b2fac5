import { readFile } from 'node:fs/promises';
import { openDatabase } from '../adapters/db/client.js';
import { createStore } from '../adapters/db/store.js';
import { parseMail } from '../adapters/mime/parse-mail.js';
import { re2Test } from '../adapters/regex/re2.js';
import { loadConfigOrThrow, readEnvironment } from '../environment.js';
import { dryRunRules } from '../usecases/dry-run.js';
import { formatDryRun } from '../cli-format.js';

/** `helpdesk rules test FILE.eml`: what the rules would do with a mail; changes nothing. */
export async function runRulesTest(file: string, opts: { config?: string; mailbox?: string; json?: boolean }): Promise<void> {
  const env = readEnvironment(opts.config);
  const config = await loadConfigOrThrow(env);
  const raw = await readFile(file);
  const database = openDatabase(env.databaseUrl, { max: 1, connectTimeoutSeconds: 3 });
  try {
    const reachable = await database.sql`select 1`.then(() => true, () => false);
    const report = await dryRunRules(
      { config, parse: parseMail, regex: re2Test, store: reachable ? createStore(database.db) : null, now: new Date() },
      raw,
      opts.mailbox,
    );
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatDryRun(report));
  } finally {
    await database.close();
  }
}
