import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import fc from 'fast-check';
import { openDatabase, type Database } from '../../src/adapters/db/client.js';
import { createMailboxStateStore } from '../../src/adapters/db/mailbox-state-store.js';
import { createQuarantine } from '../../src/adapters/db/quarantine-store.js';
import { createParserPool, type MailParser } from '../../src/adapters/mime/parser-pool.js';
import { createQueues, type Queues } from '../../src/adapters/queue/queues.js';
import { parseConfig } from '../../src/config/load.js';
import { ingestDeps } from '../../src/main.js';
import { ingestMessage } from '../../src/usecases/ingest-message.js';
import { syncMailbox } from '../../src/usecases/sync-mailbox.js';
import type { MailboxSession } from '../../src/usecases/ports.js';
import { createLogger } from '../../src/logging.js';
import { corpusFiles, describeCorpus, readCorpus } from '../support/corpus.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { deleteRedisKeys, LogCapture } from '../support/harness.js';

/**
 * Mails mutated from the corpus through the real parse → ingest → Postgres
 * path (I6): whatever the bytes, never an unhandled error, and every mail ends
 * as a stored message (or a known duplicate) or a quarantine entry.
 * Seeded and bounded; HELPDESK_FUZZ_RUNS / HELPDESK_FUZZ_SEED for a longer run.
 */
const RUNS = Number(process.env.HELPDESK_FUZZ_RUNS ?? 40);
const SEED = Number(process.env.HELPDESK_FUZZ_SEED ?? 20261130);
const FILES = corpusFiles('.eml');

type Mutation = (raw: Buffer) => Buffer;

const latin = (raw: Buffer) => raw.toString('latin1');
const fromLatin = (text: string) => Buffer.from(text, 'latin1');
const headerEnd = (text: string) => {
  const i = text.search(/\r?\n\r?\n/);
  return i < 0 ? text.length : i;
};
const withHeader = (raw: Buffer, line: string) => fromLatin(`${line}\r\n${latin(raw)}`);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // truncated anywhere, e.g. inside a MIME part or a boundary line
  fc.double({ min: 0, max: 1, noNaN: true }).map((at) => (raw: Buffer) => raw.subarray(0, Math.floor(raw.length * at))),
  // closing boundaries removed
  fc.constant((raw: Buffer) => fromLatin(latin(raw).replace(/^--.*--\s*$/gm, ''))),
  // bytes that are no valid UTF-8, and unknown charsets
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('\xc3\x28', '\xff\xfe', '\xed\xa0\x80', '\xe2\x82')).map(
    ([at, bytes]) =>
      (raw: Buffer) => {
        const text = latin(raw);
        const i = Math.floor(text.length * at);
        return fromLatin(text.slice(0, i) + bytes + text.slice(i));
      },
  ),
  fc.constantFrom('x-unknown-42', 'utf-7', '"', 'iso-8859-99').map((charset) => (raw: Buffer) => fromLatin(latin(raw).replace(/charset="?[^";\s]*"?/gi, `charset=${charset}`))),
  // NUL bytes, in the header block and in the body
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 20 })).map(([at, n]) => (raw: Buffer) => {
    const text = latin(raw);
    const i = Math.floor(text.length * at);
    return fromLatin(text.slice(0, i) + '\0'.repeat(n) + text.slice(i));
  }),
  fc.constant((raw: Buffer) => fromLatin(latin(raw).replace(/^(Subject|From|To|Content-Type):/im, '$1:\0'))),
  // deep MIME nesting around the original body
  fc.integer({ min: 50, max: 400 }).map((depth) => (raw: Buffer) => {
    const text = latin(raw);
    const end = headerEnd(text);
    const head = text.slice(0, end).replace(/^Content-Type:.*(\r?\n[ \t].*)*$/gim, '');
    let body = text.slice(end);
    for (let i = 0; i < depth; i++) body = `\r\n--n${i}\r\nContent-Type: multipart/mixed; boundary="n${i + 1}"\r\n${body}\r\n--n${i}--\r\n`;
    return fromLatin(`${head}\r\nContent-Type: multipart/mixed; boundary="n0"\r\n${body}`);
  }),
  // huge headers: one long value, or very many lines
  fc.integer({ min: 64 * 1024, max: 1024 * 1024 }).map((size) => (raw: Buffer) => withHeader(raw, `X-Huge: ${'a'.repeat(size)}`)),
  fc.integer({ min: 1_000, max: 20_000 }).map((lines) => (raw: Buffer) => withHeader(raw, Array.from({ length: lines }, (_, i) => `X-Line-${i}: v`).join('\r\n'))),
  // dates no calendar has
  fc.constantFrom('1 Jan 200000 00:00:00 +0000', '0000-00-00', 'Mon, 99 Foo 99999 99:99:99 +9999', '', '-271821-04-19', 'Tue, 31 Dec 9999 23:59:60 -2400').map(
    (date) => (raw: Buffer) => withHeader(fromLatin(latin(raw).replace(/^Date:.*$/im, '')), `Date: ${date}`),
  ),
  // giant reference lists, and overlong ids and addresses
  fc.integer({ min: 1_000, max: 70_000 }).map((n) => (raw: Buffer) => withHeader(raw, `References: ${Array.from({ length: n }, (_, i) => `<r${i}@fuzz.test>`).join(' ')}`)),
  fc.constant((raw: Buffer) => withHeader(fromLatin(latin(raw).replace(/^Message-ID:.*$/im, '')), `Message-ID: <${Buffer.from('漢'.repeat(900), 'utf8').toString('latin1')}@fuzz.test>`)),
  fc.constant((raw: Buffer) => withHeader(fromLatin(latin(raw).replace(/^From:.*$/im, '')), `From: "${'n'.repeat(5000)}" <${'x'.repeat(400)}@fuzz.test>`)),
);

const fuzzedMail = () => fc.record({
  file: fc.constantFrom(...FILES),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  freshId: fc.boolean(),
  n: fc.nat(),
});

describeCorpus('fuzzed corpus mail through parse → ingest → Postgres', () => {
  let db: TestDatabase;
  let database: Database;
  let parser: MailParser;
  let queues: Queues;
  const prefix = `hdfuzz-${process.pid}`;

  beforeAll(async () => {
    db = await createTestDatabase(inject('templateDb'));
    database = openDatabase(db.url, { max: 4 });
    parser = createParserPool({ budgetMs: () => 3_000, threads: 2 });
    queues = createQueues({ redisUrl: 'redis://127.0.0.1:6379', prefix, attempts: 1, retryDelayMs: 1_000 });
  });

  afterAll(async () => {
    await parser?.close();
    await queues?.close();
    await deleteRedisKeys('redis://127.0.0.1:6379', prefix);
    await database?.close();
    await db?.drop();
  });

  it(`ends every one of ${RUNS} mutated mails as a stored message or a quarantine entry, with no unhandled error (seed ${SEED})`, async () => {
    const loaded = parseConfig(
      ['mailboxes:', '  - { name: support, address: support@example.test, imap: { host: 127.0.0.1, user: u } }', 'agents: [{ name: Alice, email: alice@example.test, departments: [general] }]'].join('\n'),
      'helpdesk.yaml',
      {},
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const config = loaded.config;
    const logs = new LogCapture();
    const log = createLogger('info', logs.stream);
    const deps = ingestDeps({ config: () => config, database, outbox: queues.outbox, tokenKey: Buffer.alloc(32, 7), parse: parser.parse, log });
    const state = createMailboxStateStore(database.db);
    const quarantine = createQuarantine(database.db);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);

    // The IMAP side is not under test: an in-memory folder hands the mutated bytes to the real sync.
    const folder: { uid: number; source: Buffer }[] = [];
    const session: MailboxSession = {
      uidValidity: 1n,
      listNewMessages: async (after) => folder.filter((m) => m.uid > after).map((m) => ({ uid: m.uid, size: m.source.length })),
      fetchSources: async (uids) => folder.filter((m) => uids.includes(m.uid)).map((m) => ({ uid: m.uid, size: m.source.length, source: m.source })),
      markProcessed: async () => {},
      markQuarantined: async () => {},
    };
    const failures = new Map<number, number>();
    const sync = () =>
      syncMailbox(session, { mailbox: 'support', state, ingest: (m) => ingestMessage(deps, m), quarantine, log, now: () => new Date(), maxMessageBytes: 50 * 1024 * 1024, failures, maxAttempts: 2 });

    let uid = 0;
    const outcomes = { stored: 0, duplicate: 0, quarantined: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(fuzzedMail(), async ({ file, mutations, freshId, n }) => {
          let raw = readCorpus(file);
          for (const mutate of mutations) raw = mutate(raw);
          if (freshId) raw = withHeader(fromLatin(latin(raw).replace(/^Message-ID:.*$/gim, '')), `Message-ID: <fuzz-${n}-${uid}@fuzz.test>`);
          folder.push({ uid: ++uid, source: raw });
          // A mail that fails for a reason of its own stops the sync until its attempts are spent.
          for (let attempt = 0; attempt < 3; attempt++) {
            try {
              await sync();
              break;
            } catch (err) {
              if ((err as { retryable?: boolean }).retryable) throw err; // the database is up: an "outage" here is a bug
            }
          }
          const [row] = await db.sql`select last_uid::int from mailbox_state where mailbox = 'support'`;
          expect(row?.last_uid).toBe(uid);
          const [stored] = await db.sql`select count(*)::int as n from messages where direction = 'in' and imap_uid = ${uid}`;
          const [held] = await db.sql`select count(*)::int as n from quarantine where uid = ${uid}`;
          const ingested = logs.find('message ingested').filter((l) => l.uid === uid);
          const duplicate = ingested.some((l) => l.outcome === 'duplicate');
          expect(stored!.n + held!.n + (duplicate ? 1 : 0)).toBe(1);
          outcomes[held!.n === 1 ? 'quarantined' : duplicate ? 'duplicate' : 'stored']++;
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    console.log(`FUZZ seed=${SEED} runs=${RUNS}: stored=${outcomes.stored} duplicate=${outcomes.duplicate} quarantined=${outcomes.quarantined}`);
  });
});
