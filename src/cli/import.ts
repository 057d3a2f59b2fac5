import { formatDuration } from '../domain/duration.js';
import { createLogger } from '../logging.js';
import { openIngest, prepareDatabase, readEnvironment } from '../main.js';
import { AppError } from '../errors.js';
import { openBacklog } from '../adapters/imap/backlog.js';
import { createMailboxTokens, signIn } from '../adapters/oauth/mailbox-tokens.js';
import { ingestMails, ingestMessage, prepareMail } from '../usecases/ingest-message.js';
import { importBacklog, type ImportProgress, type ImportReport } from '../usecases/import-backlog.js';

export interface ImportOptions {
  readonly mailbox: string;
  readonly folder?: string;
  readonly since?: Date;
  readonly config?: string;
}

/** Non-TTY progress: one log line this often. */
const LOG_EVERY_MS = 5_000;

/**
 * `helpdesk import`: a backlog of a mailbox's folder into tickets, quietly
 * (nobody is mailed), resumable: Ctrl-C finishes the mails in hand and keeps
 * the place; the same command goes on from there.
 */
export async function runImport(opts: ImportOptions): Promise<void> {
  const log = createLogger(process.env.LOG_LEVEL || 'info', process.stderr);
  // Per-mail lines would drown the progress: the sync itself speaks at warn unless asked for more.
  const syncLog = process.env.LOG_LEVEL ? log : log.child({}, { level: 'warn' });
  const environment = readEnvironment(opts.config);
  await prepareDatabase(environment.databaseUrl, log, () => true);
  const ingest = await openIngest(environment, syncLog);
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('\nstopping after the mails in hand; run the same command again to resume\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const mailbox = ingest.config.mailboxes.find((m) => m.name === opts.mailbox);
    if (!mailbox) {
      throw new AppError('CONFIG_INVALID', `no mailbox "${opts.mailbox}" in ${environment.configFile}; configured: ${ingest.config.mailboxes.map((m) => m.name).join(', ')}`);
    }
    const folder = opts.folder ?? mailbox.imap.folder;
    const tokens = mailbox.imap.auth ? createMailboxTokens() : undefined;
    const credentials = async () => (await signIn(mailbox.name, mailbox.imap, tokens)).credentials;
    let backlog: Awaited<ReturnType<typeof openBacklog>>;
    try {
      backlog = await openBacklog(mailbox, folder, opts.since ?? null, { log: syncLog, credentials });
    } finally {
      // The token is only needed to sign in; no refreshing in the background for a command.
      tokens?.close();
    }
    const what = `${mailbox.name} ${folder}${opts.since ? ` since ${opts.since.toISOString().slice(0, 10)}` : ''}`;
    log.info({ mailbox: mailbox.name, folder, since: opts.since?.toISOString() ?? null, messages: backlog.messages }, `importing ${what}: ${backlog.messages} messages in the folder`);
    const show = progressDisplay(log, process.stderr);
    let report: ImportReport;
    try {
      report = await importBacklog(backlog.session, {
        sync: {
          mailbox: mailbox.name,
          state: ingest.state,
          ingest: (mail) => ingestMessage(ingest.deps, mail),
          group: { prepare: (mail) => prepareMail(ingest.deps, mail), commit: (mails) => ingestMails(ingest.deps, mails) },
          quarantine: ingest.quarantine,
          log: syncLog,
          now: () => new Date(),
          maxMessageBytes: ingest.config.limits.maxMessageBytes,
          maxAttempts: ingest.config.limits.ingestAttempts,
          failures: new Map(),
        },
        folder,
        since: opts.since ?? null,
        stopping: () => stopping,
        onProgress: show.update,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        clock: () => Date.now(),
      });
    } finally {
      show.end();
      await backlog.close();
    }
    const seconds = (Date.now() - report.startedAt) / 1000;
    const summary = {
      mailbox: mailbox.name,
      folder,
      done: report.done,
      created: report.created,
      alreadyStored: report.duplicates,
      quarantined: report.quarantined,
      seconds: Math.round(seconds * 10) / 10,
      perSecond: seconds > 0 ? Math.round(report.done / seconds) : null,
    };
    if (report.stopped) {
      log.warn(summary, `import stopped after ${report.done} of ${report.total} mails; run the same command again to resume`);
      process.exitCode = 130;
    } else if (report.quarantined > 0) {
      log.error(summary, `import done, but ${report.quarantined} mails could not be stored: helpdesk mail failed lists them`);
      process.exitCode = 1;
    } else {
      log.info(summary, `import done: ${report.done} mails, ${report.created} new tickets, ${report.duplicates} already stored`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await ingest.close();
  }
}

/** A progress bar on a terminal; a log line every few seconds otherwise. */
function progressDisplay(log: ReturnType<typeof createLogger>, out: NodeJS.WriteStream): { update(p: ImportProgress): void; end(): void } {
  let lastLog = 0;
  let drawn = false;
  return {
    update(p) {
      const line = progressLine(p, Date.now());
      if (out.isTTY) {
        out.write(`\r${line.text.padEnd(out.columns ? Math.min(out.columns - 1, 100) : 80)}`);
        drawn = true;
      } else if (Date.now() - lastLog >= LOG_EVERY_MS || p.done >= p.total) {
        lastLog = Date.now();
        log.info(line.fields, line.text);
      }
    },
    end() {
      if (drawn) out.write('\n');
    },
  };
}

/** `[#####-----] 1234/5000 25% · 85 mails/s · ETA 44s`, and the same as log fields. */
export function progressLine(p: ImportProgress, now: number): { text: string; fields: Record<string, number | null> } {
  const seconds = Math.max(0.001, (now - p.startedAt) / 1000);
  const rate = p.done / seconds;
  const total = Math.max(p.total, p.done);
  const share = total > 0 ? p.done / total : 1;
  const eta = rate > 0 ? Math.round((total - p.done) / rate) : null;
  const width = 20;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const text = `${bar} ${p.done}/${total} ${Math.floor(share * 100)}% · ${rate.toFixed(rate < 10 ? 1 : 0)} mails/s · ETA ${eta === null ? '?' : formatDuration(eta * 1000)}${p.quarantined ? ` · ${p.quarantined} quarantined` : ''}`;
  return { text, fields: { done: p.done, total, percent: Math.floor(share * 100), perSecond: Math.round(rate * 10) / 10, etaSeconds: eta } };
}
