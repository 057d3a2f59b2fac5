/**
 * `npm run bench`: the daemon's ingest throughput, new-mail and
 * acknowledgement latency, outgoing-mail throughput, memory over 10 000 mails
 * (as a process of its own) and the SLA scan at 10k and 1M tickets, against a
 * throwaway Dovecot, its own Postgres databases, Redis queue prefixes and
 * in-process SMTP captures, next to what the raw libraries do on the same
 * mails. Writes bench/results/latest.{json,md}. See bench/README.md.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ImapFlow } from 'imapflow';
import { startDovecot, type Dovecot } from '../test/support/dovecot.js';
import { imapBaselines, parseOnly, postgresBaselines, round, timed, type Timed } from './baseline.js';
import { directIngest } from './direct-ingest.js';
import { runCorpus } from './corpus.js';
import { runBacklog, runLatency } from './daemon-runs.js';
import { benchCliStart, cliStartLine } from './cli-start.js';
import { buildCustomerMails, type BenchMail } from './mails.js';
import { benchManyMailboxes } from './many-mailboxes.js';
import { benchOutbound } from './outbound.js';
import { assertDaemonBuilt, benchRss } from './rss.js';
import { benchSlaScan } from './sla-scan.js';
import { LATENCY_NOTE, perMessage, printSummary, summarize, writeResults, type BenchResults } from './report.js';
import {
  Cleanup,
  createBenchDatabase,
  errorText,
  imapClient,
  rewriteConfig,
  startCapture,
  withDeadline,
  writeConfig,
  type BenchDatabase,
  type MailboxSpec,
} from './services.js';

const BACKLOG_MAILS = 500;
const LATENCY_PROBES = 20;
const OUTBOUND_MAILS = 2_000;
const DIRECT_SEED = 20_240_611;
/** The memory run: this many mails of the same mix through the daemon as a process of its own, RSS read after WARM_UP. */
const RSS_MAILS = 10_000;
const RSS_WARM_UP = 1_000;
const RSS_SEED = 20_240_612;
/** The SLA scan at these ticket counts, SLA_DUE of them due. */
const SLA_TICKETS = [10_000, 1_000_000];
const SLA_DUE = 20;
/** Mailboxes (Dovecot users) on one daemon process in the many-mailboxes section. */
const MANY_MAILBOXES = 200;
/**
 * For the latency probes only (the backlog runs under the defaults): each
 * probe's acknowledgement must not be rate-limited, and the backlog has used
 * up the default 300 automated mails per mailbox per hour.
 */
const PROBE_ACK_LIMITS = { perSender: 5, perTicket: 3, perMailbox: 100_000 } as const;
const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

async function benchmark(cleanup: Cleanup): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const began = performance.now();
  const loadAtStart = loadavg();
  assertDaemonBuilt();
  const dovecot = await withDeadline(startDovecot(), 30_000, 'starting Dovecot');
  cleanup.add('stop Dovecot', () => dovecot.stop());
  const db = await createBenchDatabase(cleanup);
  const run = randomBytes(3).toString('hex');
  step(`Dovecot on 127.0.0.1:${dovecot.port}, database ${db.name}`);

  const user = dovecot.newUser('bench-support');
  const mails = buildCustomerMails(BACKLOG_MAILS, { namespace: `imap-${run}` });
  const appender = await imapClient(dovecot, user, cleanup);
  const status = await imapClient(dovecot, user, cleanup);
  const append = await appendMails(appender, mails);
  step(`APPENDed ${mails.length} mails to ${user}: ${append.perSecond} mails/s`);

  const sources = mails.map((m) => Buffer.from(m.raw));
  const imap = await imapBaselines(dovecot, user, mails.length, cleanup);
  const pg = await postgresBaselines(db.sql, mails.map((m) => m.raw));
  const parse = await parseOnly(sources);
  step(`baselines: FETCH ${imap.fetch.perSecond}/s, FETCH+parse ${imap.fetchParse.perSecond}/s, insert ${pg.insert.perSecond} rows/s`);

  const capture = await startCapture(cleanup);
  const support: MailboxSpec = { name: 'support', address: 'support@example.test', user, smtpPort: capture.port };
  const configFile = await writeConfig(dovecot, support, cleanup);
  const { result: backlog, daemon } = await runBacklog(
    { databaseUrl: db.url, configFile, sql: db.sql, status, expected: mails.length, mailbox: 'support', capture },
    cleanup,
  );
  step(
    `backlog: ${backlog.messages} stored in ${backlog.storedMs} ms from start (${backlog.fromStart.perSecond} mails/s); ` +
      `its ${backlog.outbound.rows} outgoing mails sent by ${backlog.outbound.allSentMs} ms`,
  );

  const direct = await ingestWithoutImap(dovecot, db, run, cleanup);
  step(`ingest without IMAP: ${direct.perSecond} mails/s, ${direct.queriesPerMessage} statements per mail`);

  // Raise the acknowledgement limits in the running daemon's config (a reload, as an operator would), then probe.
  await rewriteConfig(configFile, dovecot, { ...support, ackLimits: PROBE_ACK_LIMITS });
  if (!(await daemon.reload())) throw new Error('the daemon rejected the config with raised autoAcknowledge.limits');
  const latency = await runLatency({
    daemon,
    appender,
    status,
    sql: db.sql,
    probes: LATENCY_PROBES,
    namespace: run,
    mailbox: support.name,
    capture,
    ackLimits: PROBE_ACK_LIMITS,
  });
  step(
    `latency: median ${latency.medianMs} ms (p95 ${latency.p95Ms}) to the ticket row, median ${latency.acknowledgement.medianMs} ms ` +
      `(p95 ${latency.acknowledgement.p95Ms}) to the acknowledgement at the capture, over ${LATENCY_PROBES} probes`,
  );
  await daemon.stop();

  const outbound = await benchOutbound(dovecot, OUTBOUND_MAILS, run, cleanup, step);

  const rss = await benchRss(dovecot, { mails: RSS_MAILS, warmUp: RSS_WARM_UP, sampleEvery: 1_000, namespace: `rss-${run}`, seed: RSS_SEED }, cleanup, step);
  step(
    `rss: ${rss.mails} mails through the daemon process at ${rss.ingest.perSecond} mails/s; VmRSS ${rss.rssMb.afterWarmUp} MB after ${rss.warmUpMails}, ` +
      `${rss.rssMb.end} MB at the end: growth ${rss.growthMb} MB`,
  );

  const manyMailboxes = await benchManyMailboxes(dovecot, { count: MANY_MAILBOXES, singleProbes: LATENCY_PROBES, namespace: `many-${run}` }, cleanup, step);
  step(
    `many mailboxes: ${manyMailboxes.count} watched ${manyMailboxes.many.startMs} ms after spawn; latency p95 ${manyMailboxes.many.latency.p95Ms} ms ` +
      `(one mailbox: ${manyMailboxes.single.latency.p95Ms} ms); ${manyMailboxes.rssPerMailboxMb} MB VmRSS per mailbox`,
  );

  const slaScan = [];
  for (const count of SLA_TICKETS) {
    const result = await benchSlaScan(count, SLA_DUE, cleanup);
    step(
      `SLA scan over ${count} tickets (${SLA_DUE} due, seeded in ${result.seedMs} ms): query ${result.queryMs} ms, whole scan ${result.scanMs} ms, ` +
        `plan ${result.planOnTickets.join(', ')}`,
    );
    slaScan.push(result);
  }

  const cliStart = await benchCliStart(cleanup);
  step(`cli start: ${cliStartLine(cliStart)}`);

  const corpusDir = process.env.HELPDESK_CORPUS;
  const corpus = corpusDir ? await runCorpus(dovecot, db.url, db.sql, corpusDir, cleanup) : { skipped: 'HELPDESK_CORPUS not set' };
  if (corpusDir) step(`corpus done`);

  const results = {
    startedAt,
    durationMs: round(performance.now() - began),
    machine: await machine(db, loadAtStart),
    mails: describeMails(mails, append),
    baselines: { imapFetch: imap.fetch, imapFetchParse: imap.fetchParse, pgInsertPerTransaction: pg.insert, pgRoundTrip: pg.roundTrip },
    backlog: {
      ...backlog,
      fractionOfFetchParse: round(backlog.fromStart.perSecond / imap.fetchParse.perSecond, 3),
      fractionOfFetchParseAfterConnect: round(backlog.afterConnect.perSecond / imap.fetchParse.perSecond, 3),
    },
    breakdown: { parseMail: parse, ingestWithoutImap: direct, perMessageMs: perMessage(backlog, parse, direct, pg.roundTrip) },
    latency: { ...latency, note: LATENCY_NOTE },
    outbound,
    rss,
    manyMailboxes,
    slaScan,
    corpus,
    cliStart,
  };
  return { summary: summarize(results), ...results };
}

async function appendMails(client: ImapFlow, mails: readonly BenchMail[]): Promise<Timed> {
  const started = performance.now();
  for (const mail of mails) {
    if (!(await client.append('INBOX', mail.raw))) throw new Error(`APPEND of ${mail.messageId} failed`);
  }
  return timed(mails.length, performance.now() - started);
}

/** The same kind of mail, with other Message-IDs, through ingestMessage straight into mailbox `direct`. */
async function ingestWithoutImap(dovecot: Dovecot, db: BenchDatabase, run: string, cleanup: Cleanup) {
  // No smtp block: the outbox rows this ingest writes are never queued (see directIngest).
  const configFile = await writeConfig(dovecot, { name: 'direct', address: 'support@example.test', user: 'unused@example.test' }, cleanup);
  // Another seed: other customers, so the acknowledgement rate limits (per address, shared database) see fresh senders as the backlog did.
  const sources = buildCustomerMails(BACKLOG_MAILS, { namespace: `direct-${run}`, seed: DIRECT_SEED }).map((m) => Buffer.from(m.raw));
  return withDeadline(directIngest(db.url, configFile, sources, db), 300_000, 'ingestMessage without IMAP');
}

function describeMails(mails: readonly BenchMail[], append: Timed): BenchResults['mails'] {
  const bytes = mails.reduce((sum, m) => sum + Buffer.byteLength(m.raw), 0);
  return {
    count: mails.length,
    bytes,
    averageBytes: round(bytes / mails.length),
    withHtml: mails.filter((m) => m.html).length,
    replies: mails.filter((m) => m.replyTo).length,
    withAttachment: mails.filter((m) => m.attachmentBytes > 0).length,
    attachmentBytes: Math.max(0, ...mails.map((m) => m.attachmentBytes)),
    append,
  };
}

async function machine(db: BenchDatabase, loadAtStart: number[]): Promise<BenchResults['machine']> {
  const [row] = await db.sql<{ v: string }[]>`select version() as v`;
  const dovecot = await promisify(execFile)('dovecot', ['--version']).then(
    (r) => r.stdout.trim(),
    () => 'unknown',
  );
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    node: process.versions.node,
    postgres: row!.v.split(' on ')[0]!,
    dovecot,
    loadAverage: { start: loadAtStart.map((l) => round(l, 2)), end: loadavg().map((l) => round(l, 2)) },
  };
}

function step(text: string): void {
  console.log(`[bench] ${text}`);
}

async function main(): Promise<void> {
  const began = performance.now();
  const cleanup = new Cleanup();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: cleaning up`);
      void cleanup.run().finally(() => process.exit(130));
    });
  }
  try {
    const results = await benchmark(cleanup);
    await writeResults(results, RESULTS_DIR);
    printSummary(results);
    console.log(`\nwritten: ${join(RESULTS_DIR, 'latest.json')}, latest.md`);
  } catch (err) {
    if (interrupted) return;
    console.error(`\nbenchmark failed: ${errorText(err)}`);
    if (err instanceof Error && err.stack) console.error(err.stack);
    process.exitCode = 1;
  } finally {
    await cleanup.run();
    console.log(`\nbench: ${process.exitCode ? 'failed' : 'finished'} in ${round((performance.now() - began) / 1000)} s (cleanup included; the build before it is not)`);
  }
  // Everything is closed; if a library still holds a handle, do not hang the shell.
  setTimeout(() => {
    console.error('bench: a handle stayed open after cleanup; exiting anyway');
    process.exit(process.exitCode ?? 0);
  }, 3_000).unref();
}

await main();
