/**
 * Outgoing mail: the daemon's outbound path (outbox rows in Postgres → BullMQ
 * queue `outbound` → its worker → a pooled nodemailer transport) into an
 * in-process SMTP capture, next to what nodemailer alone and BullMQ alone do
 * on this machine in the same run, and the parts of one send measured alone.
 */
import { languagePack } from '../src/config/languages/index.js';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Queue, Worker } from 'bullmq';
import { drizzle } from 'drizzle-orm/postgres-js';
import { Redis } from 'ioredis';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import postgres from 'postgres';
import { createDeliveryStore } from '../src/adapters/db/delivery-store.js';
import * as schema from '../src/adapters/db/schema.js';
import { createQueues, OUTBOUND_QUEUE } from '../src/adapters/queue/queues.js';
import { TEMPLATE_KINDS } from '../src/config/templates.js';
import { ticketVarsOf } from '../src/usecases/outbound-mail.js';
import { composeMail } from '../src/adapters/smtp/compose.js';
import { threadHeaders } from '../src/domain/outbound-headers.js';
import { formatTicketTag } from '../src/domain/subject-tag.js';
import { loadConfigOrThrow } from '../src/main.js';
import { customerMessageNotice } from '../src/usecases/agent-notices.js';
import { GENERATED_HEADERS } from '../src/usecases/outbound-mail.js';
import type { OutboundMail, Ticket } from '../src/usecases/ports.js';
import { makeReplyToken, replyTokenAddress } from '../src/usecases/reply-token.js';
import type { Dovecot } from '../test/support/dovecot.js';
import type { SmtpCapture } from '../test/support/smtp-capture.js';
import { round, timed, type Timed } from './baseline.js';
import { buildCustomerMessages } from './mails.js';
import {
  createBenchDatabase,
  launchDaemon,
  LogSink,
  pollUntil,
  REDIS_URL,
  removeRedisKeysAtEnd,
  startCapture,
  uniqueQueuePrefix,
  withDeadline,
  writeConfig,
  type BenchDaemon,
  type Cleanup,
} from './services.js';

/** Row ids per `outbox.enqueue` call (the ingest transaction queues 2–3 per mail; the reconciler up to 1 000). */
export const ENQUEUE_BATCH = 100;
/** The daemon's worker concurrency (config `outbound.concurrency`, its default) and its transport's pool size (src/adapters/smtp/mailer.ts). */
const WORKER_CONCURRENCY = 3;
const POOL_CONNECTIONS = 5;
const MAILBOX = { name: 'outbound', address: 'outbound@example.test' } as const;

export interface OutgoingMail {
  readonly mail: OutboundMail;
  readonly raw: Buffer;
}

export interface OutboundRun {
  readonly mails: number;
  readonly batchSize: number;
  /** All of it from the first `outbox.enqueue` call (rows were inserted before; that is the ingest transaction's part). */
  readonly enqueueMs: number;
  readonly firstAcceptedMs: number;
  /** The capture has accepted every mail. */
  readonly allAcceptedMs: number;
  /** Every row is `sent` (Postgres polled every 10 ms). */
  readonly allSentMs: number;
  /** Mails per second, first enqueue → every row `sent`. */
  readonly sent: Timed;
  /** Mails per second, first enqueue → every mail accepted by the capture. */
  readonly accepted: Timed;
  /** Rows in `sending` (claimed, not yet marked sent), sampled with each poll while any row was pending. */
  readonly inFlight: { mean: number; max: number; samples: number };
  /** Little's law: mean in flight ÷ throughput, the time one row spends between claim and markSent. */
  readonly msPerRowInFlight: number;
  /** CPU time of this process (daemon, capture and bench) while sending, as a share of one core, and in ms. */
  readonly nodeCpuShare: number;
  readonly nodeCpuMs: number;
  readonly byState: Record<string, number>;
  readonly warnings: Record<string, number>;
}

export interface DeliveryStoreAlone extends Timed {
  readonly concurrency: number;
  readonly statementsPerRow: number;
  /** Mean time of one call as its caller waits for it, at this concurrency. */
  readonly claimMs: number;
  readonly markSentMs: number;
}

export interface PerMail {
  readonly daemon: number;
  readonly nodemailer: number;
  readonly bullmqWorker: number;
  readonly claimAndMarkSent: number;
  readonly captureParse: number;
}

export interface OutboundResults {
  /** 1, 5 and 15 minute load averages as this section began (the run's own ingest has just ended). */
  readonly loadAverageAtStart: number[];
  readonly mails: { count: number; kind: 'notification'; bytes: number; averageBytes: number; recipients: number };
  readonly daemon: OutboundRun;
  readonly baselines: {
    /** (d) nodemailer, pool of 5 connections, the same raw mails straight to the same capture. */
    readonly nodemailerPooled: Timed;
    /** (e) BullMQ alone on a prefix of its own: addBulk in batches of ENQUEUE_BATCH, the daemon's job options. */
    readonly bullmqAddBulk: Timed;
    /** (e) then a Worker, at the daemon's concurrency, completing them (no-op processor), from its creation. */
    readonly bullmqWorker: Timed;
  };
  /** Daemon (first enqueue → all sent) ÷ (d). */
  readonly fractionOfNodemailer: number;
  readonly breakdown: {
    /** src createDeliveryStore claim + markSent on as many rows, WORKER_CONCURRENCY at a time, no SMTP, no Redis. */
    readonly claimAndMarkSent: DeliveryStoreAlone;
    /** The capture parses every mail it accepts with simpleParser, in this process: that part alone. */
    readonly captureParse: Timed;
    /** Throughput cost per mail of each path measured alone, ms. */
    readonly perMailMs: PerMail;
    /**
     * CPU time of this process per mail on each path (user + system, ms): the
     * daemon, the capture and the bench share one Node thread, so these add up.
     * nodemailer's includes the capture's side (SMTP server and parse).
     */
    readonly nodeCpuMsPerMail: PerMail;
  };
}

/**
 * N notifications to agents as the daemon renders them (src composeMail,
 * customerMessageNotice, reply-token Reply-To, thread headers): ~3 KB each,
 * one recipient each, rendered once and sent by every path below.
 */
export async function buildOutgoingMails(count: number, namespace: string): Promise<OutgoingMail[]> {
  const key = randomBytes(32);
  const now = new Date();
  const messages = buildCustomerMessages(count);
  const out: OutgoingMail[] = [];
  for (const [i, message] of messages.entries()) {
    // The fields the notice and the headers read; the rest of a ticket never reaches the mail.
    const ticket: Pick<Ticket, 'id' | 'number' | 'status' | 'subject' | 'priority' | 'department' | 'assignee' | 'tags' | 'mailbox'> = {
      id: i + 1,
      number: 10_000 + i,
      status: 'new',
      subject: message.subject,
      priority: 'medium',
      department: 'general',
      assignee: null,
      tags: [],
      mailbox: MAILBOX.name,
    };
    const agent = { name: `Agent ${i % 20}`, email: `agent${i % 20}@example.test` };
    const customerMessageId = `${namespace}.customer.${i}@${message.customer.address.split('@')[1]}`;
    const thread = threadHeaders(
      { ticketNumber: ticket.number, subject: ticket.subject, ticketPrefix: '#', chain: [customerMessageId], inReplyTo: customerMessageId, rootThreadIndex: null },
      now,
      randomBytes(21),
    );
    const vars = ticketVarsOf(ticket, '#', MAILBOX, message.customer);
    const notice = customerMessageNotice(TEMPLATE_KINDS.agentNotification, vars, languagePack('en').phrases, {
      kind: 'new',
      from: message.customer,
      text: message.text,
      html: null,
      attachments: [],
      carried: [],
      fetchCommand: `helpdesk attachments ${ticket.number}`,
    });
    const mail: OutboundMail = {
      mailbox: MAILBOX.name,
      kind: 'notification',
      messageId: `${namespace}.out.${i}.${randomBytes(6).toString('hex')}@example.test`,
      from: { address: MAILBOX.address, name: MAILBOX.name },
      to: [{ address: agent.email, name: agent.name }],
      cc: [],
      replyTo: { address: replyTokenAddress(MAILBOX.address, makeReplyToken(key, ticket.number, agent.email, new Date())), name: MAILBOX.name },
      subject: `${formatTicketTag(ticket.number, '#')} ${notice.subject}`,
      text: notice.text,
      html: null,
      inReplyTo: thread.inReplyTo,
      references: thread.references,
      headers: { 'Thread-Topic': thread.threadTopic, 'Thread-Index': thread.threadIndex, ...GENERATED_HEADERS },
      attachments: [],
      date: now,
    };
    out.push({ mail, raw: await composeMail(mail) });
  }
  return out;
}

/** Outbox rows as the ingest transaction writes them (src outbox-store insertOutbound), `queued`, in one statement per 200. */
export async function insertOutboxRows(sql: postgres.Sql, mails: readonly OutgoingMail[], mailbox: string, messageIdPrefix = ''): Promise<number[]> {
  const db = drizzle(sql, { schema });
  const ids: number[] = [];
  const now = new Date();
  for (let i = 0; i < mails.length; i += 200) {
    const rows = mails.slice(i, i + 200).map(({ mail, raw }) => ({
      ticketId: null,
      direction: 'out' as const,
      kind: mail.kind,
      messageId: `${messageIdPrefix}${mail.messageId}`,
      inReplyTo: mail.inReplyTo,
      references: [...mail.references],
      fromAddress: mail.from.address,
      fromName: mail.from.name,
      to: [...mail.to],
      cc: [...mail.cc],
      subject: mail.subject,
      text: mail.text,
      raw,
      rawSha256: null,
      rawSize: raw.length,
      mailbox,
      sentDate: mail.date,
      threadIndex: mail.headers['Thread-Index'] ?? null,
      agentEmail: null,
      deliveryState: 'queued' as const,
      createdAt: now,
    }));
    const inserted = await db.insert(schema.messages).values(rows).returning({ id: schema.messages.id });
    ids.push(...inserted.map((r) => r.id));
  }
  return ids;
}

/** Everything for the outbound section: baselines first, then a daemon of its own on a database of its own. */
export async function benchOutbound(dovecot: Dovecot, count: number, namespace: string, cleanup: Cleanup, step: (text: string) => void): Promise<OutboundResults> {
  const loadAverageAtStart = loadavg().map((l) => round(l, 2));
  const mails = await buildOutgoingMails(count, namespace);
  const bytes = mails.reduce((sum, m) => sum + m.raw.length, 0);
  const capture = await startCapture(cleanup);

  const cpu = { daemon: 0, nodemailer: 0, bullmqWorker: 0, claimAndMarkSent: 0, captureParse: 0 };
  const captureParse = await parseAlone(mails, cpu);
  const nodemailerPooled = await withDeadline(nodemailerBaseline(capture, mails, cpu), 120_000, 'nodemailer baseline');
  const bullmq = await withDeadline(bullmqBaseline(count, cleanup, cpu), 120_000, 'BullMQ baseline');
  step(`outbound baselines: nodemailer ${nodemailerPooled.perSecond}/s, BullMQ addBulk ${bullmq.addBulk.perSecond}/s, worker ${bullmq.worker.perSecond}/s`);

  const db = await createBenchDatabase(cleanup);
  const user = dovecot.newUser('bench-outbound');
  const configFile = await writeConfig(dovecot, { ...MAILBOX, user, smtpPort: capture.port }, cleanup);
  const logs = new LogSink();
  const daemon = await launchDaemon(db.url, configFile, logs, cleanup);
  await pollUntil(async () => (daemon.watchers[0]?.state === 'watching' ? true : null), {
    timeoutMs: 30_000,
    intervalMs: 20,
    what: 'the outbound daemon to watch its (empty) mailbox',
  });
  const ids = await insertOutboxRows(db.sql, mails, MAILBOX.name);
  const run = await withDeadline(runOutbound({ daemon, capture, sql: db.sql, ids, logs }, cleanup), 300_000, `the daemon sending ${count} mails`);
  await daemon.stop();
  step(`outbound: ${count} sent by the daemon in ${run.allSentMs} ms (${run.sent.perSecond} mails/s)`);

  const claimAndMarkSent = await deliveryStoreAlone(db.url, db.sql, mails, cpu);
  cpu.daemon = run.nodeCpuMs;
  const perMail = (t: Timed) => round(t.ms / t.count, 3);
  return {
    loadAverageAtStart,
    mails: { count, kind: 'notification', bytes, averageBytes: round(bytes / count), recipients: 1 },
    daemon: run,
    baselines: { nodemailerPooled, bullmqAddBulk: bullmq.addBulk, bullmqWorker: bullmq.worker },
    fractionOfNodemailer: round(run.sent.perSecond / nodemailerPooled.perSecond, 3),
    breakdown: {
      claimAndMarkSent,
      captureParse,
      perMailMs: {
        daemon: perMail(run.sent),
        nodemailer: perMail(nodemailerPooled),
        bullmqWorker: perMail(bullmq.worker),
        claimAndMarkSent: perMail(claimAndMarkSent),
        captureParse: perMail(captureParse),
      },
      nodeCpuMsPerMail: {
        daemon: round(cpu.daemon / count, 3),
        nodemailer: round(cpu.nodemailer / count, 3),
        bullmqWorker: round(cpu.bullmqWorker / count, 3),
        claimAndMarkSent: round(cpu.claimAndMarkSent / count, 3),
        captureParse: round(cpu.captureParse / count, 3),
      },
    },
  };
}

interface RunInput {
  readonly daemon: BenchDaemon;
  readonly capture: SmtpCapture;
  readonly sql: postgres.Sql;
  readonly ids: readonly number[];
  readonly logs: LogSink;
}

/** Queues the rows through src createQueues(...).outbox.enqueue on the daemon's prefix, and times them until sent. */
async function runOutbound(input: RunInput, cleanup: Cleanup): Promise<OutboundRun> {
  const { daemon, capture, sql, ids } = input;
  const config = await loadConfigOrThrow(daemon.environment);
  const queues = createQueues({
    redisUrl: daemon.environment.redisUrl,
    prefix: daemon.environment.queuePrefix,
    attempts: config.outbound.maxAttempts,
    retryDelayMs: config.outbound.retryDelay,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await queues.close();
  };
  cleanup.add('close the bench outbox producer', close);
  try {
    const acceptedBefore = capture.mails.length;
    const accepted = () => capture.mails.length - acceptedBefore;
    const inFlight: number[] = [];
    // Moments seen from the closures below (performance.now()).
    const at: { enqueued: number | null; firstAccepted: number | null; allAccepted: number | null; enqueueFailed: unknown } = {
      enqueued: null,
      firstAccepted: null,
      allAccepted: null,
      enqueueFailed: null,
    };

    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const enqueueing = (async () => {
      for (let i = 0; i < ids.length; i += ENQUEUE_BATCH) await queues.outbox.enqueue(ids.slice(i, i + ENQUEUE_BATCH));
      at.enqueued = performance.now();
    })();
    enqueueing.catch((err: unknown) => (at.enqueueFailed = err ?? new Error('enqueue failed')));
    const done = await pollUntil(
      async () => {
        if (at.enqueueFailed) throw at.enqueueFailed;
        const now = performance.now();
        const n = accepted();
        if (at.firstAccepted === null && n > 0) at.firstAccepted = now;
        if (at.allAccepted === null && n >= ids.length) at.allAccepted = now;
        const [row] = await sql<{ sending: number; pending: number }[]>`
          select count(*) filter (where delivery_state = 'sending')::int as sending, count(*)::int as pending
          from messages where delivery_state in ('queued', 'sending') and mailbox = ${MAILBOX.name}`;
        if (row!.pending > 0) inFlight.push(row!.sending);
        return row!.pending === 0 && at.allAccepted !== null && at.enqueued !== null ? true : null;
      },
      { timeoutMs: 240_000, intervalMs: 10, what: `${ids.length} outbox rows sent and accepted by the capture` },
    );
    const cpu = process.cpuUsage(cpu0);
    await enqueueing;

    const states = await sql<{ state: string; n: number }[]>`
      select coalesce(delivery_state::text, 'none') as state, count(*)::int as n from messages where mailbox = ${MAILBOX.name} group by 1`;
    const byState = Object.fromEntries(states.map((s) => [s.state, s.n]));
    if (byState.sent !== ids.length) throw new Error(`expected ${ids.length} rows sent, found ${JSON.stringify(byState)}`);
    if (accepted() !== ids.length) throw new Error(`the capture accepted ${accepted()} mails, expected ${ids.length}`);

    const allSentMs = done.at - t0;
    const sent = timed(ids.length, allSentMs);
    const meanInFlight = inFlight.length > 0 ? inFlight.reduce((a, b) => a + b, 0) / inFlight.length : 0;
    return {
      mails: ids.length,
      batchSize: ENQUEUE_BATCH,
      enqueueMs: round(at.enqueued! - t0),
      firstAcceptedMs: round(at.firstAccepted! - t0),
      allAcceptedMs: round(at.allAccepted! - t0),
      allSentMs: round(allSentMs),
      sent,
      accepted: timed(ids.length, at.allAccepted! - t0),
      inFlight: { mean: round(meanInFlight, 2), max: Math.max(0, ...inFlight), samples: inFlight.length },
      msPerRowInFlight: round((meanInFlight / sent.perSecond) * 1000, 2),
      nodeCpuShare: round((cpu.user + cpu.system) / 1000 / allSentMs, 2),
      nodeCpuMs: round((cpu.user + cpu.system) / 1000),
      byState,
      warnings: input.logs.summary(),
    };
  } finally {
    await close();
  }
}

/** (d) nodemailer pooled (5 connections, as the daemon's mailer) sending every raw mail at once to the capture. */
async function nodemailerBaseline(capture: SmtpCapture, mails: readonly OutgoingMail[], cpu: { nodemailer: number }): Promise<Timed> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: capture.port, secure: false, pool: true, maxConnections: POOL_CONNECTIONS });
  try {
    const before = capture.mails.length;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const infos = await Promise.all(
      mails.map(({ mail, raw }) => transport.sendMail({ envelope: { from: mail.from.address, to: mail.to.map((a) => a.address) }, raw })),
    );
    const ms = performance.now() - started;
    cpu.nodemailer = cpuMs(cpu0);
    const refused = infos.filter((info) => (info.accepted ?? []).length === 0).length;
    if (refused > 0) throw new Error(`nodemailer baseline: ${refused} mails refused`);
    if (capture.mails.length - before !== mails.length) throw new Error(`nodemailer baseline: the capture accepted ${capture.mails.length - before} of ${mails.length}`);
    return timed(mails.length, ms);
  } finally {
    transport.close();
  }
}

/**
 * (e) BullMQ alone on a prefix of its own: addBulk of `count` jobs with the
 * daemon's job options, in batches like the daemon's enqueue; then a Worker
 * (the daemon's concurrency) with a no-op processor, timed from its creation to the last
 * `completed` event.
 */
async function bullmqBaseline(count: number, cleanup: Cleanup, cpu: { bullmqWorker: number }): Promise<{ addBulk: Timed; worker: Timed }> {
  const prefix = `${uniqueQueuePrefix()}-bullmq`;
  removeRedisKeysAtEnd(prefix, cleanup);
  const producer = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const consumer = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  producer.on('error', () => undefined);
  consumer.on('error', () => undefined);
  const queue = new Queue(OUTBOUND_QUEUE, { connection: producer, prefix });
  let worker: Worker | null = null;
  try {
    await queue.waitUntilReady();
    const jobs = Array.from({ length: count }, (_, i) => ({
      name: 'send',
      data: { messageRowId: i + 1 },
      opts: {
        jobId: `msg-${i + 1}`,
        attempts: 8,
        backoff: { type: 'exponential', delay: 30_000 },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    }));
    let started = performance.now();
    for (let i = 0; i < jobs.length; i += ENQUEUE_BATCH) await queue.addBulk(jobs.slice(i, i + ENQUEUE_BATCH));
    const addBulk = timed(count, performance.now() - started);

    let completed = 0;
    let failed = 0;
    let finish!: () => void;
    const allDone = new Promise<void>((resolve) => (finish = resolve));
    const cpu0 = process.cpuUsage();
    started = performance.now();
    worker = new Worker(OUTBOUND_QUEUE, async () => 'ok', { connection: consumer, prefix, concurrency: WORKER_CONCURRENCY });
    worker.on('error', () => undefined);
    worker.on('failed', () => {
      failed++;
    });
    worker.on('completed', () => {
      if (++completed >= count) finish();
    });
    await withDeadline(allDone, 120_000, `the BullMQ worker to complete ${count} jobs (${completed} completed, ${failed} failed)`);
    const worked = timed(count, performance.now() - started);
    cpu.bullmqWorker = cpuMs(cpu0);
    return { addBulk, worker: worked };
  } finally {
    await worker?.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    consumer.disconnect();
    producer.disconnect();
  }
}

/**
 * src createDeliveryStore on its own pool of 10 (as openDatabase): claim then
 * markSent for every row of another copy of the mails (mailbox `claim-only`,
 * never queued), WORKER_CONCURRENCY rows at a time like the worker, no SMTP.
 */
async function deliveryStoreAlone(databaseUrl: string, sql: postgres.Sql, mails: readonly OutgoingMail[], cpu: { claimAndMarkSent: number }): Promise<DeliveryStoreAlone> {
  const ids = await insertOutboxRows(sql, mails, 'claim-only', 'claim-');
  let statements = 0;
  const pool = postgres(databaseUrl, { max: 10, onnotice: () => {}, connect_timeout: 10, debug: () => void statements++ });
  try {
    const store = createDeliveryStore(drizzle(pool, { schema }));
    await pool`select 1`;
    statements = 0;
    let next = 0;
    let claimMs = 0;
    let markMs = 0;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WORKER_CONCURRENCY }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const t0 = performance.now();
          const row = await store.claim(id, new Date(), new Date(Date.now() - 600_000));
          const t1 = performance.now();
          if (!row) throw new Error(`claim of outbox row ${id} returned nothing`);
          await store.markSent(id, new Date());
          claimMs += t1 - t0;
          markMs += performance.now() - t1;
        }
      }),
    );
    const ms = performance.now() - started;
    cpu.claimAndMarkSent = cpuMs(cpu0);
    return {
      ...timed(ids.length, ms),
      concurrency: WORKER_CONCURRENCY,
      statementsPerRow: round(statements / ids.length, 2),
      claimMs: round(claimMs / ids.length, 3),
      markSentMs: round(markMs / ids.length, 3),
    };
  } finally {
    await pool.end({ timeout: 5 });
  }
}

/** What the capture does per accepted mail besides SMTP: simpleParser on it. */
async function parseAlone(mails: readonly OutgoingMail[], cpu: { captureParse: number }): Promise<Timed> {
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (const { raw } of mails) await simpleParser(raw);
  const result = timed(mails.length, performance.now() - started);
  cpu.captureParse = cpuMs(cpu0);
  return result;
}

/** This process's CPU time (user + system) since `since`, ms. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}
