/** The benchmark's figures: one JSON shape, printed as a summary and written as JSON and Markdown. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { round, type Timed } from './baseline.js';
import type { DirectIngest } from './direct-ingest.js';
import type { CorpusResult } from './corpus.js';
import type { BacklogResult, LatencyResult } from './daemon-runs.js';
import { cliStartLine, type CliStartResult } from './cli-start.js';
import type { OutboundResults } from './outbound.js';
import type { RssResult } from './rss.js';
import { summarizeManyMailboxes, type ManyMailboxesResult } from './many-mailboxes.js';
import type { SlaScanResult } from './sla-scan.js';

/**
 * The figures the project's targets are stated in, one object at the top of
 * latest.json. A figure this bench does not measure yet is null and named in
 * `notMeasured`.
 */
export interface BenchSummary {
  /** Daemon backlog (IMAP → committed and flagged) ÷ imapflow FETCH + mailparser on the same mails. */
  readonly ingestRatio: number;
  /** Daemon outbound ÷ pooled nodemailer to the same capture. */
  readonly outboundRatio: number;
  readonly statementsPerMail: number;
  /** New mail appended while idle → its ticket row. */
  readonly latencyP95Ms: number;
  /** New mail appended while idle → its acknowledgement accepted by the capture. */
  readonly ackLatencyP95Ms: number | null;
  /** A whole SLA scan (20 due) over 10 000 and 1 000 000 tickets, and 1M ÷ 10k. */
  readonly scanMs10k: number;
  readonly scanMs1m: number | null;
  readonly scanRatio: number | null;
  /** VmRSS growth of the daemon process over 10 000 ingested mails, after a 1 000-mail warm-up (MB). */
  readonly rssGrowthMb10k: number | null;
  /**
   * 200 mailboxes on one daemon process: new-mail latency p95 (one probe per
   * mailbox, as `latencyP95Ms`), VmRSS per mailbox next to the same daemon
   * with one, and spawn → all watching.
   */
  readonly manyMailboxes: { readonly count: number; readonly latencyP95Ms: number; readonly rssPerMailboxMb: number; readonly startMs: number } | null;
  /** Spawn → exit of the built CLI, median (ms): `--help`, `tickets list` (200 tickets), `config check` (the example config). */
  readonly cliStartMs: { readonly help: number; readonly ticketsList: number; readonly configCheck: number };
  readonly notMeasured: readonly string[];
}

export function summarize(r: Omit<BenchResults, 'summary'>): BenchSummary {
  const scan = (tickets: number) => r.slaScan.find((s) => s.tickets === tickets)?.scanMs ?? null;
  const scanMs10k = scan(10_000) ?? 0;
  const scanMs1m = scan(1_000_000);
  const summary = {
    ingestRatio: r.backlog.fractionOfFetchParse,
    outboundRatio: r.outbound.fractionOfNodemailer,
    statementsPerMail: r.breakdown.ingestWithoutImap.queriesPerMessage,
    latencyP95Ms: r.latency.p95Ms,
    ackLatencyP95Ms: r.latency.acknowledgement.samplesMs.length > 0 ? r.latency.acknowledgement.p95Ms : null,
    scanMs10k,
    scanMs1m,
    scanRatio: scanMs1m === null || scanMs10k === 0 ? null : Math.round((scanMs1m / scanMs10k) * 100) / 100,
    rssGrowthMb10k: r.rss.mails === 10_000 ? r.rss.growthMb : null,
    manyMailboxes: r.manyMailboxes ? summarizeManyMailboxes(r.manyMailboxes) : null,
    cliStartMs: { help: r.cliStart.help.medianMs, ticketsList: r.cliStart.ticketsList.medianMs, configCheck: r.cliStart.configCheck.medianMs },
  };
  return { ...summary, notMeasured: Object.entries(summary).filter(([, v]) => v === null).map(([k]) => k) };
}

export interface BenchResults {
  readonly summary: BenchSummary;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    postgres: string;
    dovecot: string;
    /** 1, 5 and 15 minute load averages when the run started and ended: other work on the machine skews every figure. */
    loadAverage: { start: number[]; end: number[] };
  };
  readonly mails: {
    count: number;
    bytes: number;
    averageBytes: number;
    withHtml: number;
    replies: number;
    /** Mails with an attachment (one in ten), and its size before base64. */
    withAttachment: number;
    attachmentBytes: number;
    append: Timed;
  };
  readonly baselines: {
    /** (a) imapflow FETCH of every source, one command. */
    readonly imapFetch: Timed;
    /** (b) (a) plus mailparser simpleParser on each. */
    readonly imapFetchParse: Timed;
    /** (c) postgres.js, one ~2 KB row per transaction. */
    readonly pgInsertPerTransaction: Timed;
    /** `select 1`, sequential: one round trip. */
    readonly pgRoundTrip: Timed;
  };
  readonly backlog: BacklogResult & { readonly fractionOfFetchParse: number; readonly fractionOfFetchParseAfterConnect: number };
  readonly breakdown: {
    /** src parseMail alone (mailparser + sanitize-html), no I/O. */
    readonly parseMail: Timed;
    /** ingestMessage as the daemon wires it, without IMAP. */
    readonly ingestWithoutImap: DirectIngest;
    readonly perMessageMs: {
      daemon: number;
      ingestWithoutImap: number;
      parse: number;
      transaction: number;
      /** Of the transaction: Postgres executing statements, and Postgres waiting for this process inside it. */
      postgresExecuting: number | null;
      postgresWaitingInTransaction: number | null;
      imapAndLoop: number;
      roundTrip: number;
    };
  };
  readonly latency: LatencyResult & { readonly note: string };
  /** Outgoing mail: the daemon's outbound path next to nodemailer alone (d) and BullMQ alone (e). */
  readonly outbound: OutboundResults;
  /** The daemon as a process of its own over 10 000 mails of the same mix: its resident set size as it goes. */
  readonly rss: RssResult;
  /** Many mailboxes on one daemon process: start-up, memory per mailbox and new-mail latency next to the same daemon with one. */
  readonly manyMailboxes: ManyMailboxesResult;
  /** The SLA scan at 10k and 1M tickets, 20 of them due: the cost follows what is due. */
  readonly slaScan: readonly SlaScanResult[];
  readonly corpus: CorpusResult | { readonly skipped: string };
  /** How long the built CLI takes to start and finish its most typed commands. */
  readonly cliStart: CliStartResult;
}

export const LATENCY_NOTE =
  'Dovecot announces new mail to an IDLE client ~500 ms after it arrives (hard-coded notify delay), so ~500 ms is the floor of this latency.';

/** Splits one message's cost in the daemon from the measured parts. */
export function perMessage(backlog: BacklogResult, parse: Timed, direct: DirectIngest, roundTrip: Timed): BenchResults['breakdown']['perMessageMs'] {
  const ms = (t: Timed) => t.ms / t.count;
  const daemon = ms(backlog.afterConnect);
  return {
    daemon: round(daemon, 2),
    ingestWithoutImap: round(ms(direct), 2),
    parse: round(ms(parse), 2),
    transaction: round(ms(direct) - ms(parse), 2),
    postgresExecuting: direct.server?.activeMsPerMessage ?? null,
    postgresWaitingInTransaction: direct.server?.idleInTransactionMsPerMessage ?? null,
    imapAndLoop: round(daemon - ms(direct), 2),
    roundTrip: round(ms(roundTrip), 3),
  };
}

export async function writeResults(results: BenchResults, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(dir, 'latest.md'), markdown(results));
}

function rate(t: Timed, unit = 'mails/s'): string {
  return `${t.perSecond.toLocaleString('en')} ${unit} (${t.count} in ${Math.round(t.ms)} ms)`;
}

function rows(r: BenchResults): [string, string][] {
  const { baselines: b, backlog, latency: l, breakdown } = r;
  const out: [string, string][] = [
    [`daemon backlog, start → ${backlog.messages} stored`, rate(backlog.fromStart)],
    ['daemon backlog, connected → all stored', rate(backlog.afterConnect)],
    ['(a) imapflow FETCH, one command (median of 3)', rate(b.imapFetch)],
    ['(b) FETCH + simpleParser (median of 3)', rate(b.imapFetchParse)],
    ['(c) postgres.js 2 KB insert, 1 per transaction', `${b.pgInsertPerTransaction.perSecond.toLocaleString('en')} rows/s`],
    ['daemon ÷ (b), from start / after connect', `${backlog.fractionOfFetchParse} / ${backlog.fractionOfFetchParseAfterConnect}`],
    ['src parseMail alone', rate(breakdown.parseMail)],
    [`ingestMessage without IMAP (${breakdown.ingestWithoutImap.queriesPerMessage} statements/mail)`, rate(breakdown.ingestWithoutImap)],
    [`new-mail latency, ${l.samplesMs.length} probes (min / median / p95 / max)`, `${l.minMs} / ${l.medianMs} / ${l.p95Ms} / ${l.maxMs} ms`],
    [
      `acknowledgement latency, same probes (min / median / p95 / max)`,
      `${l.acknowledgement.minMs} / ${l.acknowledgement.medianMs} / ${l.acknowledgement.p95Ms} / ${l.acknowledgement.maxMs} ms`,
    ],
    ...outboundRows(r.outbound),
    [`daemon process, ${r.rss.mails.toLocaleString('en')} mails (${r.rss.withAttachment} with attachment)`, rate(r.rss.ingest)],
    [
      `daemon process VmRSS: idle / after ${r.rss.warmUpMails.toLocaleString('en')} / end / drained (peak)`,
      `${r.rss.rssMb.idle} / ${r.rss.rssMb.afterWarmUp} / ${r.rss.rssMb.end} / ${r.rss.rssMb.drained} MB (${r.rss.rssMb.peak}); growth ${r.rss.growthMb} MB`,
    ],
    ...manyMailboxesRows(r.manyMailboxes),
    ...r.slaScan.map((x): [string, string] => [
      `SLA scan, ${x.tickets.toLocaleString('en')} tickets (${x.due} due)`,
      `query ${x.queryMs} ms, whole scan ${x.scanMs} ms (${x.noticesSent} notices); ${x.planOnTickets.join(', ')}`,
    ]),
  ];
  out.push(['CLI spawn → exit: --help, tickets list, config check', cliStartLine(r.cliStart)]);
  const c = r.corpus;
  if ('skipped' in c) out.push(['corpus', c.skipped]);
  else
    out.push([
      `corpus (${c.appended} of ${c.files} .eml appended)`,
      `${rate(c.ingest)}; ${c.rows} rows, ${c.duplicates} shared a Message-ID with an earlier file, ${c.failures.length} not stored; ` +
        `${c.outbound.rows} outgoing mails ${JSON.stringify(c.outbound.byState)}`,
    ]);
  return out;
}

function manyMailboxesRows(m: ManyMailboxesResult): [string, string][] {
  return [
    [`daemon process with ${m.count} mailboxes / 1 mailbox: spawn → all watching`, `${m.many.startMs} / ${m.single.startMs} ms`],
    [
      `  VmRSS idle, ${m.count} / 1 mailbox (after their probes)`,
      `${m.many.rssMb} / ${m.single.rssMb} MB (${m.many.rssAfterMailMb} / ${m.single.rssAfterMailMb}): ${m.rssPerMailboxMb} MB per mailbox (${m.rssPerMailboxAfterMailMb})`,
    ],
    [
      `  new-mail latency, one probe per mailbox / ${m.single.latency.samplesMs.length} on 1 mailbox (median / p95)`,
      `${m.many.latency.medianMs} / ${m.many.latency.p95Ms} ms vs ${m.single.latency.medianMs} / ${m.single.latency.p95Ms} ms`,
    ],
    [`  a mail to each of the ${m.count} at once (Maildir delivery): median / p95 / all stored`, `${m.many.burst.medianMs} / ${m.many.burst.p95Ms} / ${m.many.burst.allStoredMs} ms`],
  ];
}

function outboundRows(o: OutboundResults): [string, string][] {
  const b = o.baselines;
  const d = o.daemon;
  const c = o.breakdown.claimAndMarkSent;
  return [
    [`daemon outbound, enqueue → ${d.mails} rows sent`, rate(d.sent)],
    [`daemon outbound, enqueue → ${d.mails} accepted by the capture`, rate(d.accepted)],
    ['(d) nodemailer pooled ×5 → capture, same mails', rate(b.nodemailerPooled)],
    [`(e) BullMQ addBulk (batches of ${d.batchSize}) / Worker ×10, no-op jobs`, `${b.bullmqAddBulk.perSecond.toLocaleString('en')} / ${b.bullmqWorker.perSecond.toLocaleString('en')} jobs/s`],
    ['daemon outbound ÷ (d)', String(o.fractionOfNodemailer)],
    [`outbox claim + markSent alone, ${c.concurrency} at a time (${c.statementsPerRow} statements/row)`, rate(c, 'rows/s')],
    ["capture's simpleParser alone (its in-process cost per mail)", rate(o.breakdown.captureParse)],
  ];
}

/**
 * A warning when something else was using the CPUs as the run began (the load
 * at the end includes the run itself, so only the start is judged).
 */
function busyNote(r: BenchResults): string | null {
  const load = r.machine.loadAverage.start[0] ?? 0;
  return load > 0.5 * r.machine.cpus
    ? `NOTE: the machine was busy when the run began (1-min load ${load} on ${r.machine.cpus} CPUs): figures are noisy; compare within this run only.`
    : null;
}

function markdown(r: BenchResults): string {
  const lines = [
    `# helpdesk benchmark — ${r.startedAt}`,
    '',
    `${r.machine.cpus} × ${r.machine.cpuModel}; Node ${r.machine.node}; ${r.machine.postgres}; Dovecot ${r.machine.dovecot}.`,
    `${r.mails.count} synthetic mails, ${Math.round(r.mails.averageBytes)} bytes on average, ${r.mails.withHtml} with HTML, ${r.mails.replies} replies, ` +
      `${r.mails.withAttachment} with a ${Math.round(r.mails.attachmentBytes / 1024)} KB attachment.`,
    `Load average (1/5/15 min) at start ${r.machine.loadAverage.start.join(' / ')}, at end ${r.machine.loadAverage.end.join(' / ')}.`,
    '',
    `Summary: \`${JSON.stringify(r.summary)}\``,
    ...(busyNote(r) ? ['', busyNote(r)!] : []),
    '',
    '| measurement | result |',
    '|---|---|',
    ...rows(r).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    `Per message in the daemon (ms): ${JSON.stringify(r.breakdown.perMessageMs)}`,
    '',
    `Backlog: the ingest transaction now also writes outbox rows (${r.breakdown.ingestWithoutImap.outboxRowsPerMessage} per mail without IMAP); ` +
      `the daemon sent the backlog's ${r.backlog.outbound.rows} (${JSON.stringify(r.backlog.outbound.byKind)}) while ingesting, all sent at ${r.backlog.outbound.allSentMs} ms.`,
    '',
    `Outbound: ${r.outbound.mails.count} notifications of ${Math.round(r.outbound.mails.averageBytes)} bytes on average, one recipient each; ` +
      `load average when the section began ${r.outbound.loadAverageAtStart.join(' / ')}. ` +
      `Daemon timeline (ms from the first enqueue): all enqueued ${r.outbound.daemon.enqueueMs}, first accepted ${r.outbound.daemon.firstAcceptedMs}, ` +
      `all accepted ${r.outbound.daemon.allAcceptedMs}, all sent ${r.outbound.daemon.allSentMs}; rows in flight (sending) mean ${r.outbound.daemon.inFlight.mean}, ` +
      `max ${r.outbound.daemon.inFlight.max} → ${r.outbound.daemon.msPerRowInFlight} ms per row from claim to markSent; Node CPU ${Math.round(r.outbound.daemon.nodeCpuShare * 100)}% of one core.`,
    `Per mail, each path alone (ms): ${JSON.stringify(r.outbound.breakdown.perMailMs)}; Node CPU per mail (ms): ${JSON.stringify(r.outbound.breakdown.nodeCpuMsPerMail)}; claim ${r.outbound.breakdown.claimAndMarkSent.claimMs} ms + markSent ${r.outbound.breakdown.claimAndMarkSent.markSentMs} ms as the caller waits.`,
    '',
    `Memory: ${rssLine(r.rss)}`,
    '',
    `Many mailboxes: ${r.manyMailboxes.count} Dovecot users in one config, the daemon as a process of its own, next to the same daemon with one mailbox (each on a fresh database); ` +
      `VmRSS read idle (settled, median of 5) before any mail, and again after each daemon's probes; latency as above, one probe at a time, each to the next mailbox; ` +
      `load average as the section began ${r.manyMailboxes.loadAverage.start.join(' / ')}.`,
    '',
    LATENCY_NOTE,
    '',
  ];
  return lines.join('\n');
}

export function printSummary(r: BenchResults): void {
  const width = Math.max(...rows(r).map(([k]) => k.length));
  console.log(`\nhelpdesk benchmark — ${r.machine.cpus} CPUs (${r.machine.cpuModel}), Node ${r.machine.node}`);
  const busy = busyNote(r);
  if (busy) console.log(busy);
  console.log(
    `${r.mails.count} mails, avg ${Math.round(r.mails.averageBytes)} B, ${r.mails.withHtml} with HTML, ${r.mails.replies} replies, ` +
      `${r.mails.withAttachment} with a ${Math.round(r.mails.attachmentBytes / 1024)} KB attachment; APPEND ${rate(r.mails.append)}\n`,
  );
  for (const [k, v] of rows(r)) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log(`\n  summary: ${JSON.stringify(r.summary)}`);
  const b = r.backlog;
  console.log(
    `\n  backlog timeline (ms from startDaemon): migrated+started ${b.startDaemonMs}, watching ${b.watchingMs}, all stored ${b.storedMs}, all \\Seen ${b.seenMs}; ` +
      `${b.tickets} tickets; Node CPU ${Math.round(b.nodeCpuShare * 100)}% of one core`,
  );
  const p = r.breakdown.perMessageMs;
  console.log(
    `  per message: daemon ${p.daemon} ms = parse ${p.parse} + transaction ${p.transaction} (${r.breakdown.ingestWithoutImap.queriesPerMessage} statements, ` +
      `round trip ${p.roundTrip}) + IMAP/loop ${p.imapAndLoop}`,
  );
  if (p.postgresExecuting !== null) {
    console.log(
      `  of the transaction: Postgres executing ${p.postgresExecuting} ms, Postgres idle in the open transaction waiting for Node ${p.postgresWaitingInTransaction} ms (pg_stat_database)`,
    );
  }
  console.log(
    `  backlog outbound: the ingest transactions wrote ${b.outbound.rows} outbox rows ${JSON.stringify(b.outbound.byKind)} ` +
      `(${r.breakdown.ingestWithoutImap.outboxRowsPerMessage} per mail without IMAP), sent while ingesting: ${JSON.stringify(b.outbound.byState)}, ` +
      `${b.outbound.accepted} accepted by the capture, all sent ${b.outbound.allSentMs} ms from startDaemon`,
  );
  if (Object.keys(b.warnings).length > 0) console.log(`  daemon warnings during backlog: ${JSON.stringify(b.warnings)}`);
  console.log(`  latency samples (ms): ${r.latency.samplesMs.join(', ')}${r.latency.idleVerified ? '' : ' (IDLE not observable; 1 s pauses used)'}`);
  console.log(
    `  acknowledgement samples (ms): ${r.latency.acknowledgement.samplesMs.join(', ')} (one sender per probe; limits ${JSON.stringify(r.latency.acknowledgement.ackLimits)})`,
  );
  console.log(`  note: ${LATENCY_NOTE}`);
  const o = r.outbound;
  const d = o.daemon;
  console.log(`  outbound: ${o.mails.count} mails of ${Math.round(o.mails.averageBytes)} B on average; load average as the section began ${o.loadAverageAtStart.join(' / ')}`);
  console.log(
    `  outbound timeline (ms from the first enqueue): all ${d.mails} enqueued ${d.enqueueMs}, first accepted ${d.firstAcceptedMs}, all accepted ${d.allAcceptedMs}, all sent ${d.allSentMs}; ` +
      `Node CPU ${Math.round(d.nodeCpuShare * 100)}% of one core`,
  );
  console.log(
    `  outbound in flight: mean ${d.inFlight.mean} rows in 'sending' (max ${d.inFlight.max}, worker concurrency: outbound.concurrency) → ${d.msPerRowInFlight} ms from claim to markSent per row`,
  );
  const pm = o.breakdown.perMailMs;
  console.log(
    `  outbound per mail, each path alone: daemon ${pm.daemon} ms; nodemailer ${pm.nodemailer} (of which the capture's parse ${pm.captureParse}); ` +
      `BullMQ worker ${pm.bullmqWorker}; claim + markSent ${pm.claimAndMarkSent} (claim ${o.breakdown.claimAndMarkSent.claimMs} + markSent ${o.breakdown.claimAndMarkSent.markSentMs} ms waited, 10 at a time)`,
  );
  const cm = o.breakdown.nodeCpuMsPerMail;
  console.log(
    `  outbound Node CPU per mail: daemon ${cm.daemon} ms; nodemailer + capture ${cm.nodemailer} (capture's parse alone ${cm.captureParse}); BullMQ worker ${cm.bullmqWorker}; ` +
      `claim + markSent ${cm.claimAndMarkSent}`,
  );
  if (Object.keys(d.warnings).length > 0) console.log(`  daemon warnings during outbound: ${JSON.stringify(d.warnings)}`);
  console.log(`  memory: ${rssLine(r.rss)}`);
  if (Object.keys(r.rss.warnings).length > 0) console.log(`  daemon process warnings during the memory run: ${JSON.stringify(r.rss.warnings)}`);
  const m = r.manyMailboxes;
  console.log(
    `  many mailboxes: load average ${m.loadAverage.start.join(' / ')} as the section began; VmRSS readings (MB) ${m.count} mailboxes ${m.many.rssReadingsMb.join(', ')}, ` +
      `1 mailbox ${m.single.rssReadingsMb.join(', ')}; ${m.count}-mailbox daemon exit code ${m.many.exitCode}` +
      (Object.keys(m.many.warnings).length > 0 ? `; its warnings ${JSON.stringify(m.many.warnings)}` : ''),
  );
  if (!('skipped' in r.corpus)) {
    for (const f of r.corpus.failures) console.log(`  corpus failure: ${f.file} (uid ${f.uid}): ${f.error ?? 'no error logged'}`);
    for (const f of r.corpus.appendFailures) console.log(`  corpus APPEND refused: ${f.file}: ${f.error}`);
  }
}

function rssLine(x: RssResult): string {
  return (
    `the daemon as a process of its own ingested ${x.mails} mails (${x.withAttachment} with attachment, ${Math.round(x.bytes / 1024 / 1024)} MB), APPENDed at most ${x.lead} ahead of it, ` +
    `at ${x.ingest.perSecond} mails/s (${x.ingestAfterWarmUp.perSecond} after the warm-up; its CPU ${Math.round(x.daemonCpuShare * 100)}% of one core); ` +
    `VmRSS (MB) by mails stored: ${x.samples.map((s) => `${s.stored}: ${s.rssMb}`).join(', ')}; ` +
    `growth after the first ${x.warmUpMails}: ${x.growthMb} MB (least-squares slope ${x.slopeMbPer1k} MB per 1 000 mails); outgoing ${JSON.stringify(x.outbound.byKind)}, ${x.outbound.accepted} accepted; exit code ${x.exitCode}.`
  );
}
