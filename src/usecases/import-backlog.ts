import { isAppError } from '../errors.js';
import type { MailboxSession } from './ports.js';
import { syncMailbox, type SyncDeps } from './sync-mailbox.js';

export interface ImportProgress {
  /** Mails stored so far by this run (duplicates of mail already stored included). */
  readonly done: number;
  /** Mails this run has to do in all, as far as it knows now. */
  readonly total: number;
  readonly quarantined: number;
  readonly startedAt: number;
}

export interface ImportReport extends ImportProgress {
  readonly created: number;
  readonly duplicates: number;
  /** True when the run was stopped before the end; running it again resumes. */
  readonly stopped: boolean;
}

export interface ImportDeps {
  /** The sync's dependencies; its resume point, first-start and mail-out settings are the import's own. */
  readonly sync: Omit<SyncDeps, 'stateKey' | 'allExisting' | 'existingMail' | 'onPending' | 'onIngested' | 'stopping'>;
  /** The folder imported, and from which day: each folder and day keeps its own resume point. */
  readonly folder: string;
  readonly since: Date | null;
  readonly stopping: () => boolean;
  readonly onProgress: (progress: ImportProgress) => void;
  /** Waits out an outage before the next attempt. */
  readonly sleep: (ms: number) => Promise<void>;
  readonly clock: () => number;
  /** Attempts through a database outage before the import gives up; its progress is kept. */
  readonly maxOutageAttempts?: number;
}

/**
 * Where an import of a mailbox's folder resumes (kept beside the mailboxes'
 * own resume points). An import from another day is another import: one from
 * 2025 does not stand in for one of the whole folder.
 */
export function importStateKey(mailbox: string, folder: string, since: Date | null): string {
  return `import:${mailbox}:${folder}${since ? `:since=${since.toISOString().slice(0, 10)}` : ''}`;
}

/**
 * Imports a folder's backlog as old mail: every message becomes a ticket or
 * joins its thread, and nobody is mailed about it. It is the mailbox sync with
 * a resume point of its own, so a stopped import goes on where it stopped and
 * mail already stored is skipped. A mail that keeps failing goes to the
 * quarantine like any other; an outage is waited out, then retried.
 */
export async function importBacklog(session: MailboxSession, deps: ImportDeps): Promise<ImportReport> {
  const startedAt = deps.clock();
  const counts = { done: 0, total: 0, quarantined: 0, created: 0, duplicates: 0 };
  const progress = () => deps.onProgress({ done: counts.done, total: counts.total, quarantined: counts.quarantined, startedAt });
  const maxOutages = deps.maxOutageAttempts ?? 8;
  let outages = 0;
  // Each failing mail fails at most `maxAttempts` times before the quarantine takes it; more means something else is wrong.
  let mailFailures = 0;
  for (;;) {
    try {
      const report = await syncMailbox(session, {
        ...deps.sync,
        stateKey: importStateKey(deps.sync.mailbox, deps.folder, deps.since),
        allExisting: true,
        stopping: deps.stopping,
        onPending: (pending) => {
          counts.total = counts.done + pending;
          progress();
        },
        onIngested: () => {
          counts.done++;
          if (counts.done % 25 === 0) progress();
        },
      });
      counts.duplicates += report.duplicates;
      counts.created += report.created;
      counts.quarantined += report.quarantined;
      progress();
      return { ...counts, startedAt, stopped: deps.stopping() };
    } catch (err) {
      if (deps.stopping()) return { ...counts, startedAt, stopped: true };
      // The IMAP connection is gone: the caller reports it; running the import again resumes.
      if (!isAppError(err) || err.code.startsWith('IMAP')) throw err;
      if (!err.retryable) {
        // A mail that failed for a reason of its own: tried again at once, until the quarantine takes it.
        if (++mailFailures > 100 * deps.sync.maxAttempts) throw err;
        continue;
      }
      if (++outages > maxOutages) throw err;
      const delay = Math.min(30_000, 1_000 * 2 ** (outages - 1));
      deps.sync.log.warn({ mailbox: deps.sync.mailbox, folder: deps.folder, attempt: outages, retryInMs: delay, error: { code: err.code, message: err.message } }, 'import interrupted by an outage; retrying');
      await deps.sleep(delay);
    }
  }
}
