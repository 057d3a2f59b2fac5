import type { Logger } from 'pino';
import { errorForLog } from '../../errors.js';
import type { MailboxHealth } from '../../telemetry.js';
import type { MailboxTokenEvents } from './mailbox-tokens.js';

export interface TokenReporterDeps {
  /** The mailbox's health record (`oauth` is kept up to date for /readyz, /metrics and the web view). */
  readonly health: (mailbox: string) => MailboxHealth | null;
  /** Counts one failed refresh (helpdesk_oauth_refresh_failures_total). */
  readonly countFailure: (mailbox: string) => void;
  /**
   * Tells the agents the mailbox cannot sign in. `since`: when a refresh last
   * worked in this process, so a notice already written in this streak (by
   * another daemon too) is not written again. Throws when it could not.
   */
  readonly alert: (mailbox: string, reason: string, since: Date | null) => Promise<unknown>;
  readonly log: Logger;
  readonly now?: () => Date;
}

interface Streak {
  failures: number;
  loggedPermanent: boolean;
  alerted: boolean;
  lastSuccessAt: Date | null;
  rotations: number;
}

/**
 * Turns token events into what people see: the health record on every
 * refresh and failure, a metric per failure, log lines once per streak of
 * failures (not per retry), and one notice to the agents per streak — when
 * the grant is refused, or when no valid token is left.
 */
export function tokenReporter(deps: TokenReporterDeps): MailboxTokenEvents {
  const now = deps.now ?? (() => new Date());
  const streaks = new Map<string, Streak>();
  const streakOf = (mailbox: string): Streak => {
    let streak = streaks.get(mailbox);
    if (!streak) streaks.set(mailbox, (streak = { failures: 0, loggedPermanent: false, alerted: false, lastSuccessAt: null, rotations: 0 }));
    return streak;
  };

  return (mailbox, event) => {
    const streak = streakOf(mailbox);
    const health = deps.health(mailbox);
    const log = deps.log.child({ mailbox });
    if (event.type === 'refreshed') {
      if (health) health.oauth = { expiresAt: event.expiresAt, error: null };
      if (streak.failures > 0) log.info({ failures: streak.failures }, 'OAuth2 token refresh works again');
      Object.assign(streak, { failures: 0, loggedPermanent: false, alerted: false, lastSuccessAt: now() });
      if (event.rotated) {
        streak.rotations++;
        // The new refresh token is never logged: it is a secret. Microsoft rotates on every refresh; say it loudly once.
        log[streak.rotations === 1 ? 'warn' : 'debug'](
          { rotations: streak.rotations },
          'the token endpoint issued a new refresh token: it is used from now on but kept in memory only, so a restart goes back to the configured one; if the provider expires the configured token, authorize the mailbox again and store the new refresh token',
        );
      }
      return;
    }
    deps.countFailure(mailbox);
    if (health) health.oauth = { expiresAt: event.validUntil, error: event.error.message };
    streak.failures = event.streak;
    const fields = { failures: event.streak, permanent: event.permanent, retryInMs: event.retryInMs, tokenValidUntil: event.validUntil?.toISOString() ?? null, error: summary(event.error) };
    if (event.permanent && !streak.loggedPermanent) {
      streak.loggedPermanent = true;
      log.error(fields, 'OAuth2 token refresh refused: the mailbox cannot sign in once its token expires until an operator authorizes it again');
    } else if (event.streak === 1) {
      log.warn(fields, 'OAuth2 token refresh failed; retrying with backoff');
    } else {
      log.debug(fields, 'OAuth2 token refresh failed again');
    }
    if (streak.alerted || (!event.permanent && event.validUntil !== null)) return;
    streak.alerted = true;
    deps.alert(mailbox, event.error.message, streak.lastSuccessAt).then(
      (outcome) => log.info({ outcome }, 'agents told that the mailbox cannot sign in'),
      (err: unknown) => {
        streak.alerted = false; // tried again at the next failure
        log.warn({ error: summary(err) }, 'could not write the notice to the agents; trying again at the next failed refresh');
      },
    );
  };
}

/** Code and bounded message: what a log line shows of an error. */
function summary(err: unknown): { code?: string; message: string } {
  const { code, message } = errorForLog(err);
  return code ? { code, message } : { message };
}
