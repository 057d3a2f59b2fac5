import type { MailboxHealth } from '../../telemetry.js';

/**
 * The readiness rule of `/readyz`, as one pure function of what the probes saw.
 *
 * Ready when all of these hold:
 * - Postgres answered `select 1` in time;
 * - Redis answered PING in time;
 * - every mailbox is being read, or is allowed not to be:
 *   - `watching` (connected to its folder) and `standby` (another instance holds
 *     its lease and reads it) are fine;
 *   - `starting` and `retrying` are fine for a while: until the mailbox has gone
 *     unread (no sync completed since its last one, or since the server started
 *     when it never synced) for longer than its poll interval plus the grace;
 *   - an OAuth2 refresh error is not ready at once (it will not mend itself),
 *     except on standby, where this instance does not read the mailbox;
 *   - `stopped` is not ready: the daemon is shutting down.
 *
 * A watching mailbox whose syncs fail (the database refused, say) stays ready
 * here: the Postgres check says so, and its error streak shows in the checks.
 */

/** Added to a mailbox's poll interval: how long a starting or reconnecting mailbox may go unread. */
export const READY_GRACE_MS = 120_000;

/** What one probe of a dependency saw. */
export interface ProbeResult {
  readonly ok: boolean;
  /** How long it took to answer (or to give up). */
  readonly ms: number;
  readonly error?: string;
}

export interface ReadinessInput {
  readonly now: Date;
  /** When the HTTP server started: the clock of a mailbox that never synced. */
  readonly startedAt: Date;
  readonly postgres: ProbeResult;
  readonly redis: ProbeResult;
  readonly mailboxes: readonly MailboxHealth[];
  /** Each mailbox's poll interval (ms), from the config; a mailbox not listed gets none. */
  readonly pollIntervalMs: Readonly<Record<string, number>>;
  readonly graceMs: number;
}

export interface MailboxCheck {
  readonly name: string;
  readonly address: string;
  readonly ok: boolean;
  readonly state: MailboxHealth['state'];
  readonly connected: boolean;
  readonly lastSyncAt: string | null;
  readonly errorStreak: number;
  readonly lastError: { readonly code?: string; readonly message: string; readonly at: string } | null;
  readonly oauth: { readonly expiresAt: string | null; readonly error: string | null } | null;
  /** Why it is not ready, or what is being tolerated. */
  readonly note?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly status: 'ready' | 'not ready';
  /** One line per failed check; empty when ready. */
  readonly reasons: readonly string[];
  readonly checks: {
    readonly postgres: ProbeResult;
    readonly redis: ProbeResult;
    readonly mailboxes: readonly MailboxCheck[];
  };
}

/** The readiness verdict and the facts behind it (the body of `/readyz`). */
export function judgeReadiness(input: ReadinessInput): Readiness {
  const reasons: string[] = [];
  if (!input.postgres.ok) reasons.push(`postgres: ${input.postgres.error ?? 'no answer'}`);
  if (!input.redis.ok) reasons.push(`redis: ${input.redis.error ?? 'no answer'}`);
  const mailboxes = judgeMailboxes(input);
  for (const box of mailboxes) if (!box.ok) reasons.push(`mailbox ${box.name}: ${box.note}`);
  const ready = reasons.length === 0;
  return { ready, status: ready ? 'ready' : 'not ready', reasons, checks: { postgres: input.postgres, redis: input.redis, mailboxes } };
}

/** The mailbox part of the rule alone (the web view's health panel). */
export function judgeMailboxes(input: Pick<ReadinessInput, 'now' | 'startedAt' | 'mailboxes' | 'pollIntervalMs' | 'graceMs'>): MailboxCheck[] {
  return input.mailboxes.map((box) =>
    mailboxCheck(box, mailboxVerdict(box, input.now, input.startedAt, (input.pollIntervalMs[box.name] ?? 0) + input.graceMs)),
  );
}

/** Whether one mailbox is read (or allowed not to be), with a note when something is off. */
export function mailboxVerdict(box: MailboxHealth, now: Date, startedAt: Date, allowanceMs: number): { ok: boolean; note?: string } {
  switch (box.state) {
    case 'standby':
      return { ok: true, note: 'another instance reads it' };
    case 'stopped':
      return { ok: false, note: 'stopped (the daemon is shutting down)' };
    default:
      break;
  }
  if (box.oauth?.error) return { ok: false, note: `OAuth2 token refresh failed: ${box.oauth.error}` };
  if (box.state === 'watching') return { ok: true };
  const since = box.lastSyncAt ?? startedAt;
  const unreadMs = Math.max(0, now.getTime() - since.getTime());
  const what = `${box.state}${box.lastError ? `: ${box.lastError.code ? `${box.lastError.code} ` : ''}${box.lastError.message}` : ''}`;
  const streak = box.errorStreak > 0 ? `, ${box.errorStreak} failure${box.errorStreak === 1 ? '' : 's'} in a row` : '';
  const unread = `unread for ${formatSeconds(unreadMs)}`;
  if (unreadMs > allowanceMs) return { ok: false, note: `not being read (${what}${streak}), ${unread}` };
  return { ok: true, note: `${what}${streak}; tolerated for ${formatSeconds(allowanceMs - unreadMs)} more` };
}

function mailboxCheck(box: MailboxHealth, verdict: { ok: boolean; note?: string }): MailboxCheck {
  return {
    name: box.name,
    address: box.address,
    ok: verdict.ok,
    state: box.state,
    connected: box.connected,
    lastSyncAt: box.lastSyncAt?.toISOString() ?? null,
    errorStreak: box.errorStreak,
    lastError: box.lastError ? { ...box.lastError, at: box.lastError.at.toISOString() } : null,
    oauth: box.oauth ? { expiresAt: box.oauth.expiresAt?.toISOString() ?? null, error: box.oauth.error } : null,
    ...(verdict.note ? { note: verdict.note } : {}),
  };
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s` : `${Math.round(s / 60)}m`;
}
