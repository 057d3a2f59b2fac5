/**
 * Optional: the shared corpus of real-world mail (every .eml under
 * $HELPDESK_CORPUS) through a second daemon, counting what was not stored.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type postgres from 'postgres';
import type { Dovecot } from '../test/support/dovecot.js';
import { timed, type Timed } from './baseline.js';
import { outboxRows } from './daemon-runs.js';
import { imapClient, launchDaemon, LogSink, pollUntil, startCapture, unseenCount, writeConfig, errorText, type Cleanup } from './services.js';

export interface CorpusResult {
  readonly dir: string;
  readonly files: number;
  readonly bytes: number;
  readonly appended: number;
  /** Files Dovecot refused to APPEND (never reached the daemon). */
  readonly appendFailures: { file: string; error: string }[];
  /** Inbound rows in `messages`; fewer than appended when files share a Message-ID (stored once, by design). */
  readonly rows: number;
  readonly rowsByKind: Record<string, number>;
  readonly parseErrors: number;
  readonly tickets: number;
  /** Appended but still unflagged at the end: the daemon gave up on them. */
  readonly failures: { file: string; uid: number; error: string | null }[];
  /** Appended, flagged, no row of their own: same Message-ID as an earlier file. */
  readonly duplicates: number;
  readonly ingest: Timed;
  /** Outbox rows the ingest wrote (acknowledgements, notifications), sent to an SMTP capture before the daemon stopped. */
  readonly outbound: { rows: number; byKind: Record<string, number>; byState: Record<string, number>; accepted: number };
  readonly warnings: Record<string, number>;
}

const SKIPPED = 'message skipped after repeated failures; it stays unflagged on the server';

export async function runCorpus(dovecot: Dovecot, databaseUrl: string, sql: postgres.Sql, dir: string, cleanup: Cleanup): Promise<CorpusResult> {
  const files = (await listEml(dir)).sort();
  if (files.length === 0) throw new Error(`HELPDESK_CORPUS=${dir} holds no .eml files`);
  const user = dovecot.newUser('bench-corpus');
  const appender = await imapClient(dovecot, user, cleanup);
  const uploaded = await appendAll(appender, dir, files);
  const status = await imapClient(dovecot, user, cleanup);
  const capture = await startCapture(cleanup);
  const configFile = await writeConfig(dovecot, { name: 'corpus', address: 'corpus@example.test', user, smtpPort: capture.port }, cleanup);
  const logs = new LogSink();
  const t0 = performance.now();
  const daemon = await launchDaemon(databaseUrl, configFile, logs, cleanup);
  // Done when every message left unseen is one the daemon said it gave up on.
  const done = await pollUntil(
    async () => {
      const unseen = await unseenCount(status);
      return unseen === logs.count(SKIPPED) ? unseen : null;
    },
    { timeoutMs: 900_000, intervalMs: 25, what: 'the corpus daemon to finish (unseen = skipped)' },
  );
  const ms = done.at - t0;
  await pollUntil(
    async () => {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from messages where mailbox = 'corpus' and direction = 'out' and delivery_state in ('queued', 'sending')`;
      return row!.n === 0 ? true : null;
    },
    { timeoutMs: 300_000, intervalMs: 50, what: 'the corpus daemon to send every outbox row' },
  );
  await daemon.stop();
  const failures = await unflagged(status, uploaded.byUid, logs);
  const stats = await corpusRows(sql);
  return {
    dir,
    files: files.length,
    bytes: uploaded.bytes,
    appended: uploaded.byUid.size,
    appendFailures: uploaded.failures,
    ...stats,
    failures,
    duplicates: uploaded.byUid.size - stats.rows - failures.length,
    ingest: timed(uploaded.byUid.size, ms),
    outbound: { ...(await outboxRows(sql, 'corpus')), accepted: capture.mails.length },
    warnings: logs.summary(),
  };
}

async function listEml(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.eml')).map((e) => relative(dir, join(e.parentPath, e.name)));
}

async function appendAll(client: Awaited<ReturnType<typeof imapClient>>, dir: string, files: readonly string[]) {
  const byUid = new Map<number, string>();
  const failures: { file: string; error: string }[] = [];
  let bytes = 0;
  for (const file of files) {
    const raw = await readFile(join(dir, file));
    bytes += raw.length;
    try {
      const response = await client.append('INBOX', raw);
      if (!response || response.uid === undefined) throw new Error('APPEND returned no UID');
      byUid.set(response.uid, file);
    } catch (err) {
      failures.push({ file, error: errorText(err) });
    }
  }
  return { byUid, failures, bytes };
}

async function unflagged(client: Awaited<ReturnType<typeof imapClient>>, byUid: ReadonlyMap<number, string>, logs: LogSink) {
  const lock = await client.getMailboxLock('INBOX');
  try {
    const uids = (await client.search({ seen: false }, { uid: true })) || [];
    return uids.map((uid) => {
      const line = logs.lines.filter((l) => l.uid === uid && l.err).at(-1);
      const err = line?.err as { message?: string } | undefined;
      return { file: byUid.get(uid) ?? '?', uid, error: err?.message ?? null };
    });
  } finally {
    lock.release();
  }
}

async function corpusRows(sql: postgres.Sql) {
  const kinds = await sql<{ kind: string; n: number }[]>`
    select kind::text, count(*)::int as n from messages where mailbox = 'corpus' and direction = 'in' group by kind order by kind`;
  const [row] = await sql<{ parse_errors: number; tickets: number }[]>`
    select (select count(*)::int from messages where mailbox = 'corpus' and direction = 'in' and parse_error is not null) as parse_errors,
           (select count(*)::int from tickets where mailbox = 'corpus') as tickets`;
  const rowsByKind = Object.fromEntries(kinds.map((k) => [k.kind, k.n]));
  return {
    rows: kinds.reduce((sum, k) => sum + k.n, 0),
    rowsByKind,
    parseErrors: row!.parse_errors,
    tickets: row!.tickets,
  };
}
