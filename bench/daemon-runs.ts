/**
 * The daemon under measurement: backlog ingest from a fresh start, and the
 * latency of one new mail while it sits in IDLE.
 */
import type { ImapFlow } from 'imapflow';
import type postgres from 'postgres';
import type { Daemon } from '../src/main.js';
import type { SmtpCapture } from '../test/support/smtp-capture.js';
import { buildProbeMail } from './mails.js';
import { round, timed, type Timed } from './baseline.js';
import { daemonIdling, launchDaemon, LogSink, pollUntil, sleep, unseenCount, type BenchCapture, type Cleanup } from './services.js';

export interface BacklogResult {
  readonly messages: number;
  readonly tickets: number;
  /** startDaemon called → its promise resolved (config, create-if-missing, migrations). */
  readonly startDaemonMs: number;
  /** startDaemon called → the watcher reports `watching` (connected, folder open). */
  readonly watchingMs: number;
  /** startDaemon called → all messages are rows. */
  readonly storedMs: number;
  /** startDaemon called → nothing left unseen in INBOX. */
  readonly seenMs: number;
  /** Messages per second over the whole span from start to all stored. */
  readonly fromStart: Timed;
  /** Messages per second from `watching` to all stored: ingest alone, without migrations and login. */
  readonly afterConnect: Timed;
  /** CPU time of this Node process (user + system) while ingesting, as a share of one core. */
  readonly nodeCpuShare: number;
  /**
   * The mail the ingest caused: every ingest transaction now also writes outbox
   * rows (acknowledgement, agent notifications), and the daemon sends them
   * while it ingests, into the bench's SMTP capture.
   */
  readonly outbound: {
    readonly rows: number;
    readonly byKind: Record<string, number>;
    readonly byState: Record<string, number>;
    /** Mails the capture accepted. */
    readonly accepted: number;
    /** startDaemon called → no outbox row of this mailbox left `queued` or `sending`. */
    readonly allSentMs: number;
  };
  readonly warnings: Record<string, number>;
}

export interface BacklogInput {
  readonly databaseUrl: string;
  readonly configFile: string;
  readonly sql: postgres.Sql;
  readonly status: ImapFlow;
  readonly expected: number;
  readonly mailbox: string;
  /** The SMTP capture the mailbox sends through. */
  readonly capture: SmtpCapture;
}

/** Starts the daemon on a full INBOX and times it until every message is stored and flagged. */
export async function runBacklog(input: BacklogInput, cleanup: Cleanup): Promise<{ result: BacklogResult; daemon: Daemon }> {
  const logs = new LogSink();
  const { sql, expected, mailbox } = input;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const daemon = await launchDaemon(input.databaseUrl, input.configFile, logs, cleanup);
  const startDaemonMs = performance.now() - t0;
  let watchingAt: number | null = null;
  const stored = await pollUntil(
    async () => {
      if (watchingAt === null && daemon.watchers[0]?.state === 'watching') watchingAt = performance.now();
      // Inbound rows only: the same transactions also write outbox rows (direction 'out') for this mailbox.
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from messages where mailbox = ${mailbox} and direction = 'in'`;
      return row!.n >= expected ? row!.n : null;
    },
    { timeoutMs: 300_000, intervalMs: 10, what: `${expected} messages stored by the daemon` },
  );
  const cpu = process.cpuUsage(cpu0);
  // Every outbox row exists once the last inbound row does (same transaction); wait for both ends.
  let seenAt: number | null = null;
  let sentAt: number | null = null;
  await pollUntil(
    async () => {
      if (seenAt === null && (await unseenCount(input.status)) === 0) seenAt = performance.now();
      if (sentAt === null) {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from messages where mailbox = ${mailbox} and direction = 'out' and delivery_state in ('queued', 'sending')`;
        if (row!.n === 0) sentAt = performance.now();
      }
      return seenAt !== null && sentAt !== null ? true : null;
    },
    { timeoutMs: 120_000, intervalMs: 10, what: 'the daemon to flag every message \\Seen and to send every outbox row' },
  );
  const watching = watchingAt ?? stored.at;
  const [tickets] = await sql<{ n: number }[]>`select count(*)::int as n from tickets where mailbox = ${mailbox}`;
  const result: BacklogResult = {
    messages: stored.value,
    tickets: tickets!.n,
    startDaemonMs: round(startDaemonMs),
    watchingMs: round(watching - t0),
    storedMs: round(stored.at - t0),
    seenMs: round(seenAt! - t0),
    fromStart: timed(stored.value, stored.at - t0),
    afterConnect: timed(stored.value, stored.at - watching),
    nodeCpuShare: round((cpu.user + cpu.system) / 1000 / (stored.at - t0), 2),
    outbound: { ...(await outboxRows(sql, mailbox)), accepted: input.capture.mails.length, allSentMs: round(sentAt! - t0) },
    warnings: logs.summary(),
  };
  return { result, daemon };
}

/** Outbox rows of `mailbox`, by kind and by delivery state. */
export async function outboxRows(sql: postgres.Sql, mailbox: string): Promise<{ rows: number; byKind: Record<string, number>; byState: Record<string, number> }> {
  const kinds = await sql<{ k: string; n: number }[]>`
    select kind::text as k, count(*)::int as n from messages where mailbox = ${mailbox} and direction = 'out' group by 1 order by 1`;
  const states = await sql<{ k: string; n: number }[]>`
    select coalesce(delivery_state::text, 'none') as k, count(*)::int as n from messages where mailbox = ${mailbox} and direction = 'out' group by 1 order by 1`;
  return {
    rows: kinds.reduce((sum, k) => sum + k.n, 0),
    byKind: Object.fromEntries(kinds.map((k) => [k.k, k.n])),
    byState: Object.fromEntries(states.map((k) => [k.k, k.n])),
  };
}

export interface Percentiles {
  readonly samplesMs: number[];
  readonly minMs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export interface LatencyResult extends Percentiles {
  /** How long the APPEND command itself took, median. */
  readonly appendMedianMs: number;
  /** Whether every probe started with the daemon's connection seen in IDLE. */
  readonly idleVerified: boolean;
  /**
   * The same probes, APPEND done → the acknowledgement to the probe's sender
   * accepted by the SMTP capture (the moment the capture recorded it). Each
   * probe is a new ticket from an address of its own, under the limits in
   * `ackLimits`, so none is rate-limited (the bench checks every probe's
   * ticket has its acknowledgement row).
   */
  readonly acknowledgement: Percentiles & { readonly ackLimits: AckLimits };
}

export interface AckLimits {
  readonly perSender: number;
  readonly perTicket: number;
  readonly perMailbox: number;
}

export interface LatencyInput {
  readonly daemon: Daemon;
  readonly appender: ImapFlow;
  readonly status: ImapFlow;
  readonly sql: postgres.Sql;
  readonly probes: number;
  readonly namespace: string;
  /** The mailbox the daemon watches (its outbox rows must all be sent before each probe). */
  readonly mailbox: string;
  /** The capture the mailbox sends through. */
  readonly capture: BenchCapture;
  /** The acknowledgement limits in force (raised by the caller so no probe is rate-limited). */
  readonly ackLimits: AckLimits;
}

/**
 * APPENDs one mail at a time and times APPEND done → its ticket row visible
 * (Postgres polled every 5 ms), then APPEND done → its acknowledgement
 * accepted by the capture (noted by the capture itself, polled every 2 ms).
 */
export async function runLatency(input: LatencyInput): Promise<LatencyResult> {
  const samples: number[] = [];
  const ackSamples: number[] = [];
  const appends: number[] = [];
  let idleVerified = true;
  for (let i = 0; i < input.probes; i++) {
    idleVerified = (await waitForIdle(input)) && idleVerified;
    const mail = buildProbeMail(i, input.namespace);
    const from = input.capture.mails.length;
    const before = performance.now();
    await input.appender.append('INBOX', mail.raw);
    const appended = performance.now();
    const visible = await pollUntil(
      async () => {
        const rows = await input.sql<{ id: number }[]>`select t.id from messages m join tickets t on t.id = m.ticket_id where m.message_id = ${mail.messageId}`;
        return rows.length > 0 ? rows[0]!.id : null;
      },
      { timeoutMs: 15_000, intervalMs: 5, what: `probe ${i} to become a ticket` },
    );
    appends.push(appended - before);
    samples.push(round(visible.at - appended));
    // The acknowledgement row is written by the ticket's own transaction: without it, none will come.
    const [ackRow] = await input.sql<{ n: number }[]>`
      select count(*)::int as n from messages where ticket_id = ${visible.value} and direction = 'out' and kind = 'auto_ack'`;
    if (ackRow!.n !== 1) {
      throw new Error(`probe ${i} (${mail.sender}): its ticket has ${ackRow!.n} acknowledgement rows, expected 1 (rate-limited? see autoAcknowledge.limits)`);
    }
    const acked = await pollUntil(
      async () => input.capture.mails.slice(from).find((m) => m.envelope.to.includes(mail.sender)) ?? null,
      { timeoutMs: 15_000, intervalMs: 2, what: `the acknowledgement of probe ${i} to reach the capture` },
    );
    ackSamples.push(round((input.capture.acceptedAt(acked.value) ?? acked.at) - appended));
  }
  return {
    ...percentiles(samples),
    appendMedianMs: round(median([...appends].sort((a, b) => a - b))),
    idleVerified,
    acknowledgement: { ...percentiles(ackSamples), ackLimits: input.ackLimits },
  };
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samplesMs: samples,
    minMs: sorted[0]!,
    medianMs: round(median(sorted)),
    p95Ms: sorted[Math.ceil(0.95 * sorted.length) - 1]!,
    maxMs: sorted[sorted.length - 1]!,
  };
}

/**
 * Waits until the previous probe is flagged, every outgoing mail of the
 * mailbox is sent (the probe's acknowledgement and agent notification: the
 * daemon is caught up) and the daemon's connection is back in IDLE (it
 * re-enters IDLE 250 ms after its last command). Returns false when IDLE
 * could not be observed; then a 1 s pause stands in for it.
 */
async function waitForIdle(input: LatencyInput): Promise<boolean> {
  await pollUntil(async () => ((await unseenCount(input.status)) === 0 ? true : null), {
    timeoutMs: 15_000,
    intervalMs: 20,
    what: 'the previous probe to be flagged \\Seen',
  });
  await pollUntil(
    async () => {
      const [row] = await input.sql<{ n: number }[]>`
        select count(*)::int as n from messages where mailbox = ${input.mailbox} and direction = 'out' and delivery_state in ('queued', 'sending')`;
      return row!.n === 0 ? true : null;
    },
    { timeoutMs: 15_000, intervalMs: 20, what: `every outgoing mail of ${input.mailbox} to be sent before the next probe` },
  );
  if (daemonIdling(input.daemon) === null) {
    await sleep(1_000);
    return false;
  }
  await pollUntil(async () => (daemonIdling(input.daemon) === true ? true : null), {
    timeoutMs: 10_000,
    intervalMs: 10,
    what: "the daemon's IMAP connection to enter IDLE",
  });
  // A little margin: the IDLE command is sent, but Dovecot may not have answered "+ idling" yet.
  await sleep(50);
  return true;
}

function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
