/**
 * The ingest use case wired as in src/main.ts but without IMAP, to split the
 * daemon's per-message time: statements sent, and how long Postgres spent
 * executing them versus waiting inside a transaction for this process.
 */
import { readForwardedText } from '../src/adapters/mime/forwarded-text.js';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from '../src/adapters/db/schema.js';
import { createStore } from '../src/adapters/db/store.js';
import { parseMail } from '../src/adapters/mime/parse-mail.js';
import { loadConfigOrThrow } from '../src/main.js';
import { ingestMails, prepareMail, type IngestDeps } from '../src/usecases/ingest-message.js';
import { htmlForAgents } from '../src/adapters/mime/notice-html.js';
import { agentReplyHtml } from '../src/adapters/mime/reply-html.js';
import { detectLanguage } from '../src/adapters/language/detect-language.js';
import { blockedSenderCache } from '../src/adapters/db/sender-store.js';

/** Mails per transaction, as the daemon's sync fetches them. */
const BATCH = 25;
import { round, timed, type Timed } from './baseline.js';
import { daemonEnvironment, pollUntil } from './services.js';
import { extractReply } from '../src/adapters/mime/extract-reply.js';
import { createSenderVerifier } from '../src/adapters/mailauth/verify-sender.js';
import { re2Test } from '../src/adapters/regex/re2.js';
import { composeMail } from '../src/adapters/smtp/compose.js';

export interface DirectIngest extends Timed {
  /** Statements sent to Postgres per message, BEGIN and COMMIT included. */
  readonly queriesPerMessage: number;
  /** Outbox rows (acknowledgement, agent notifications) the ingest transaction wrote, per message. */
  readonly outboxRowsPerMessage: number;
  readonly outcomes: Record<string, number>;
  /**
   * Per message, from pg_stat_database: Postgres executing statements
   * (`active_time`), and Postgres idle inside an open transaction waiting for
   * the next statement (`idle_in_transaction_time`: round trips plus this
   * process's own work between statements). Null when the counters did not arrive.
   */
  readonly server: { activeMsPerMessage: number; idleInTransactionMsPerMessage: number } | null;
}

interface DatabaseTimes {
  readonly activeMs: number;
  readonly idleInTransactionMs: number;
  readonly commits: number;
}

/** Ingests `sources` into mailbox `direct` in batches, as the daemon does; `observer` reads the statistics. */
export async function directIngest(
  databaseUrl: string,
  configFile: string,
  sources: readonly Buffer[],
  observer: { sql: postgres.Sql; name: string },
): Promise<DirectIngest> {
  let queries = 0;
  const sql = postgres(databaseUrl, { max: 10, onnotice: () => {}, connect_timeout: 10, debug: () => void queries++ });
  let ended = false;
  try {
    const config = await loadConfigOrThrow(daemonEnvironment(databaseUrl, configFile));
    const deps: IngestDeps = {
      store: createStore(drizzle(sql, { schema })),
      config: () => config,
      now: () => new Date(),
      parse: parseMail,
      compose: composeMail,
      // Rows are written as the daemon writes them; sending is measured elsewhere.
      outbox: { enqueue: async () => undefined, requeue: async () => 0 },
      tokenKey: Buffer.alloc(32, 1),
      extractReply,
      regex: re2Test,
      verifySender: createSenderVerifier(),
      mailHtml: { agentReply: agentReplyHtml, forAgents: htmlForAgents },
      readForwardedText,
      detectLanguage,
      blockedSenders: blockedSenderCache(drizzle(sql, { schema })),
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    };
    const before = await databaseTimes(observer);
    const outcomes: Record<string, number> = {};
    const started = performance.now();
    // As the daemon's sync does: batches of 25, prepared (parsed) together, stored in one transaction each.
    for (let start = 0; start < sources.length; start += BATCH) {
      const batch = sources.slice(start, start + BATCH);
      const prepared = await Promise.all(batch.map((source, i) => prepareMail(deps, { mailbox: 'direct', uid: start + i + 1, source, size: source.length })));
      for (const result of await ingestMails(deps, prepared)) outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    }
    const ms = performance.now() - started;
    // A backend reports its session times when it exits at the latest: close, then wait for them.
    await sql.end({ timeout: 5 });
    ended = true;
    const server = await serverTimes(observer, before, sources.length);
    const outbox = await settleOutbox(observer.sql);
    return {
      ...timed(sources.length, ms),
      queriesPerMessage: round(queries / sources.length, 2),
      outboxRowsPerMessage: round(outbox / sources.length, 2),
      outcomes,
      server,
    };
  } finally {
    if (!ended) await sql.end({ timeout: 5 });
  }
}

/**
 * Counts the outbox rows written into mailbox `direct` and marks them failed:
 * nothing sends them here, and a running daemon's reconciler (it re-queues
 * every `queued` row of the database) must not pick them up later in the run.
 */
async function settleOutbox(sql: postgres.Sql): Promise<number> {
  const rows = await sql`
    update messages set delivery_state = 'failed', last_error = 'bench: written by the ingest measurement, never sent'
    where mailbox = 'direct' and direction = 'out' and delivery_state = 'queued' returning id`;
  return rows.length;
}

async function serverTimes(observer: { sql: postgres.Sql; name: string }, before: DatabaseTimes, messages: number): Promise<DirectIngest['server']> {
  try {
    const { value: after } = await pollUntil(
      async () => {
        const now = await databaseTimes(observer);
        return now.commits - before.commits >= Math.ceil(messages / BATCH) ? now : null;
      },
      { timeoutMs: 5_000, intervalMs: 50, what: 'pg_stat_database to count the ingest transactions' },
    );
    return {
      activeMsPerMessage: round((after.activeMs - before.activeMs) / messages, 2),
      idleInTransactionMsPerMessage: round((after.idleInTransactionMs - before.idleInTransactionMs) / messages, 2),
    };
  } catch {
    return null;
  }
}

async function databaseTimes(observer: { sql: postgres.Sql; name: string }): Promise<DatabaseTimes> {
  await observer.sql`select pg_stat_clear_snapshot()`;
  const [row] = await observer.sql<{ active: number; idle: number; commits: number }[]>`
    select active_time::float8 as active, idle_in_transaction_time::float8 as idle, xact_commit::float8 as commits
    from pg_stat_database where datname = ${observer.name}`;
  if (!row) throw new Error(`database ${observer.name} not in pg_stat_database`);
  return { activeMs: row.active, idleInTransactionMs: row.idle, commits: row.commits };
}
