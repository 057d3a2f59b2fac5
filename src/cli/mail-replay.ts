import { readEnvironment } from '../environment.js';
import { createLogger } from '../logging.js';
import { openIngest } from '../main.js';
import { ingestMessage, type InboundMail } from '../usecases/ingest-message.js';
import { replayQuarantined, type ReplayResult } from '../usecases/replay-quarantine.js';
import { formatReplay } from '../cli-format.js';

/**
 * `helpdesk mail replay`: the normal ingest on kept sources; entries that
 * succeed are removed, and the exit code is 1 while one still fails.
 * `ids` null: every entry.
 */
export async function runMailReplay(ids: readonly number[] | null, opts: { config?: string; json?: boolean }): Promise<void> {
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr);
  const ingest = await openIngest(readEnvironment(opts.config), log);
  try {
    const entries = ids ?? (await ingest.quarantine.list()).map((e) => e.id);
    const deps = { quarantine: ingest.quarantine, ingest: (m: InboundMail) => ingestMessage(ingest.deps, m), now: () => new Date(), log };
    const results: ReplayResult[] = [];
    for (const entry of entries) {
      const result = await replayQuarantined(deps, entry);
      results.push(result);
      if (!opts.json) console.log(formatReplay(result));
    }
    if (opts.json) console.log(JSON.stringify(results, null, 2));
    else if (entries.length === 0) console.log('the quarantine is empty');
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  } finally {
    await ingest.close();
  }
}
