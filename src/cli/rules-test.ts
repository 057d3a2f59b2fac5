import { readFile } from 'node:fs/promises';
import { openDatabase } from '../adapters/db/client.js';
import { createStore } from '../adapters/db/store.js';
import { extractReply } from '../adapters/mime/extract-reply.js';
import { parseMail } from '../adapters/mime/parse-mail.js';
import { re2Test } from '../adapters/regex/re2.js';
import { loadConfigOrThrow, readEnvironment } from '../environment.js';
import { dryRunRules, type DryRunReport } from '../usecases/dry-run.js';
import { formatDryRun } from '../cli-format.js';

/** One file's answer: its report, or why it could not be read. */
type Entry = ({ readonly file: string } & DryRunReport) | { readonly file: string; readonly error: string };

/**
 * `helpdesk rules test FILE.eml [FILE.eml …]`: what the daemon would do with
 * each mail; changes nothing. One file prints one report; several print an
 * array, one entry per file, in order. A file that cannot be read is an entry
 * with its error, and the command exits 1.
 */
export async function runRulesTest(files: readonly string[], opts: { config?: string; mailbox?: string; json?: boolean }): Promise<void> {
  const env = readEnvironment(opts.config);
  const config = await loadConfigOrThrow(env);
  const database = openDatabase(env.databaseUrl, { max: 1, connectTimeoutSeconds: 3 });
  try {
    const reachable = await database.sql`select 1`.then(() => true, () => false);
    const deps = { config, parse: parseMail, regex: re2Test, store: reachable ? createStore(database.db) : null, now: new Date(), extractReply };
    const entries: Entry[] = [];
    for (const file of files) {
      let raw: Buffer;
      try {
        raw = await readFile(file);
      } catch (err) {
        entries.push({ file, error: (err as Error).message });
        continue;
      }
      entries.push({ file, ...(await dryRunRules(deps, raw, opts.mailbox)) });
    }
    if (entries.some((e) => 'error' in e)) process.exitCode = 1;
    if (opts.json) {
      console.log(JSON.stringify(files.length === 1 ? entries[0] : entries, null, 2));
      return;
    }
    for (const entry of entries) {
      if (files.length > 1) console.log(`== ${entry.file}`);
      console.log('error' in entry ? `cannot read it: ${entry.error}` : formatDryRun(entry));
      if (files.length > 1) console.log('');
    }
  } finally {
    await database.close();
  }
}
