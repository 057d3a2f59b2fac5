/**
 * What the libraries alone do on this machine, on the same mails: the ceilings
 * the daemon is measured against, and the daemon's own parser alone.
 */
import { simpleParser } from 'mailparser';
import type postgres from 'postgres';
import { parseMail } from '../src/adapters/mime/parse-mail.js';
import type { Dovecot } from '../test/support/dovecot.js';
import { closeImap, imapClient, type Cleanup } from './services.js';

export interface Timed {
  readonly count: number;
  readonly ms: number;
  readonly perSecond: number;
  /** When repeated: each run's time; the figures above are the median run's. */
  readonly runsMs?: readonly number[];
}

export function timed(count: number, ms: number): Timed {
  return { count, ms: round(ms), perSecond: round((count * 1000) / ms) };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Rounds of each IMAP baseline; one FETCH of 500 small mails takes tens of ms, so one round is noisy. */
const ROUNDS = 3;

/**
 * (a) one FETCH of every source in INBOX, and (b) the same with simpleParser
 * on each; the median of ROUNDS rounds each. An untimed FETCH first, so both
 * (and the daemon after them) see a warm Dovecot cache.
 */
export async function imapBaselines(dovecot: Dovecot, user: string, expected: number, cleanup: Cleanup): Promise<{ fetch: Timed; fetchParse: Timed }> {
  const client = await imapClient(dovecot, user, cleanup);
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    await fetchAll(client, async () => {});
    const fetchRuns: Timed[] = [];
    const parseRuns: Timed[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      fetchRuns.push(await fetchAll(client, async () => {}));
      parseRuns.push(
        await fetchAll(client, async (source) => {
          await simpleParser(source);
        }),
      );
    }
    for (const run of [...fetchRuns, ...parseRuns]) {
      if (run.count !== expected) throw new Error(`IMAP baseline saw ${run.count} messages, expected ${expected}`);
    }
    return { fetch: medianOf(fetchRuns), fetchParse: medianOf(parseRuns) };
  } finally {
    await closeImap(client);
  }
}

/** The run with the median time, with every run's time alongside. */
function medianOf(runs: readonly Timed[]): Timed {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return { ...sorted[Math.floor(sorted.length / 2)]!, runsMs: runs.map((r) => r.ms) };
}

async function fetchAll(client: Awaited<ReturnType<typeof imapClient>>, each: (source: Buffer) => Promise<void>): Promise<Timed> {
  const started = performance.now();
  let count = 0;
  // One FETCH command; nothing else is sent on this connection until it ends.
  for await (const message of client.fetch('1:*', { uid: true, source: true })) {
    if (!message.source) throw new Error(`FETCH returned no source for UID ${message.uid}`);
    await each(message.source);
    count++;
  }
  return timed(count, performance.now() - started);
}

/** (c) `rows` inserts of ~2 KB, one per transaction; plus a bare `select 1` round trip for scale. */
export async function postgresBaselines(sql: postgres.Sql, bodies: readonly string[]): Promise<{ insert: Timed; roundTrip: Timed }> {
  await sql`create table bench_baseline_rows (id bigserial primary key, created_at timestamptz not null default now(), body text not null)`;
  try {
    const rows = bodies.map((b) => (b.length >= 2048 ? b.slice(0, 2048) : b.padEnd(2048, ' .')));
    let started = performance.now();
    for (const body of rows) await sql.begin((tx) => tx`insert into bench_baseline_rows (body) values (${body})`);
    const insert = timed(rows.length, performance.now() - started);
    started = performance.now();
    for (let i = 0; i < rows.length; i++) await sql`select 1`;
    const roundTrip = timed(rows.length, performance.now() - started);
    return { insert, roundTrip };
  } finally {
    await sql`drop table if exists bench_baseline_rows`;
  }
}

/** The daemon's own parser (mailparser + header handling + sanitize-html) on each source. */
export async function parseOnly(sources: readonly Buffer[]): Promise<Timed> {
  const started = performance.now();
  for (const source of sources) await parseMail(source, { maxAttachmentBytes: 25 * 1024 * 1024 });
  return timed(sources.length, performance.now() - started);
}
