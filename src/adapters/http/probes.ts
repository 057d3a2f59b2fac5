import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Config } from '../../config/schema.js';
import { errorForLog } from '../../errors.js';
import type { Telemetry } from '../../telemetry.js';
import type { Db } from '../db/client.js';
import { pingDatabase } from '../db/web-queries.js';
import { judgeMailboxes, judgeReadiness, READY_GRACE_MS, type MailboxCheck, type ProbeResult, type Readiness } from './readiness.js';
import { send, sendJson } from './respond.js';

/** How long `/readyz` waits for Postgres and for Redis. */
export const PROBE_TIMEOUT_MS = 2_000;

export interface ProbeDeps {
  readonly config: () => Config;
  readonly telemetry: Telemetry;
  readonly db: Db;
  readonly pingRedis: () => Promise<void>;
}

/** `/healthz`: the process is alive and its event loop answers. */
export function healthz(res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' });
}

function pollIntervals(config: Config): Record<string, number> {
  return Object.fromEntries(config.mailboxes.map((m) => [m.name, m.imap.pollInterval]));
}

/** Postgres and Redis asked at once, then the rule of readiness.ts. */
export async function checkReadiness(deps: ProbeDeps, startedAt: Date): Promise<Readiness> {
  const [postgres, redis] = await Promise.all([probe(() => pingDatabase(deps.db)), probe(deps.pingRedis)]);
  const pollIntervalMs = pollIntervals(deps.config());
  return judgeReadiness({ now: new Date(), startedAt, postgres, redis, mailboxes: deps.telemetry.mailboxes(), pollIntervalMs, graceMs: READY_GRACE_MS });
}

/** The mailbox part of readiness alone, without asking Postgres or Redis. */
export function checkMailboxes(deps: Pick<ProbeDeps, 'config' | 'telemetry'>, startedAt: Date): MailboxCheck[] {
  return judgeMailboxes({ now: new Date(), startedAt, mailboxes: deps.telemetry.mailboxes(), pollIntervalMs: pollIntervals(deps.config()), graceMs: READY_GRACE_MS });
}

/** `/readyz`: 200 with the checks when ready, else 503 with the reasons too. */
export async function readyz(res: ServerResponse, deps: ProbeDeps, startedAt: Date): Promise<void> {
  const readiness = await checkReadiness(deps, startedAt);
  const { status, reasons, checks } = readiness;
  if (readiness.ready) sendJson(res, 200, { status, checks });
  else sendJson(res, 503, { status, reasons, checks });
}

/** `/metrics`: the Prometheus text exposition. */
export async function metrics(res: ServerResponse, telemetry: Telemetry): Promise<void> {
  const { contentType, body } = await telemetry.scrape();
  send(res, 200, contentType, body);
}

/** Runs one check with a deadline; never throws. */
export async function probe(check: () => Promise<void>, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), deadline]);
    return { ok: true, ms: elapsed() };
  } catch (err) {
    return { ok: false, ms: elapsed(), error: errorForLog(err).message };
  } finally {
    clearTimeout(timer);
  }
}
