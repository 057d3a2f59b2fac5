import type { Logger } from 'pino';
import { formatProblem, loadConfigFile } from './config/load.js';
import type { Config } from './config/schema.js';
import { openDatabase, type Database } from './adapters/db/client.js';
import { ensureDatabase, runMigrations } from './adapters/db/migrate.js';
import { createMailboxStateStore, createTicketStore } from './adapters/db/ticket-store.js';
import { MailboxWatcher } from './adapters/imap/mailbox-watcher.js';
import { parseMail } from './adapters/mime/parse-mail.js';
import { AppError, isAppError } from './errors.js';
import { ingestMessage, type IngestDeps } from './usecases/ingest-message.js';
import { syncMailbox } from './usecases/sync-mailbox.js';

/** Settings that come from the environment (DESIGN.md, "Config shape"). */
export interface Environment {
  readonly databaseUrl: string;
  readonly configFile: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/helpdesk';

/** Reads the process environment. The only place that does. */
export function readEnvironment(configOption?: string): Environment {
  return {
    databaseUrl: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    configFile: configOption ?? process.env.HELPDESK_CONFIG ?? 'helpdesk.yaml',
    env: process.env,
  };
}

export interface Daemon {
  readonly watchers: readonly MailboxWatcher[];
  stop(): Promise<void>;
}

/** Loads and validates the config, or throws CONFIG_INVALID listing every problem. */
export async function loadConfigOrThrow(environment: Environment): Promise<Config> {
  const loaded = await loadConfigFile(environment.configFile, environment.env);
  if (!loaded.ok) {
    throw new AppError('CONFIG_INVALID', loaded.problems.map(formatProblem).join('\n'));
  }
  return loaded.config;
}

/**
 * Prepares the database (creating it if needed, then migrating), retrying
 * while Postgres is unreachable: a daemon started before its database waits for it.
 */
export async function prepareDatabase(databaseUrl: string, log: Logger, shouldStop: () => boolean = () => false): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (await ensureDatabase(databaseUrl)) log.info({ database: new URL(databaseUrl).pathname.slice(1) }, 'database created');
      await runMigrations(databaseUrl);
      return;
    } catch (err) {
      if (!(isAppError(err, 'DB_UNAVAILABLE')) || shouldStop()) throw err;
      const delay = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
      log.warn({ err: { code: err.code, message: err.message }, attempt, retryInMs: delay }, 'Postgres unreachable; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Starts the daemon: database, then one watcher per mailbox. */
export async function startDaemon(environment: Environment, log: Logger): Promise<Daemon> {
  const config = await loadConfigOrThrow(environment);
  await prepareDatabase(environment.databaseUrl, log);
  const database = openDatabase(environment.databaseUrl);
  const watchers = startWatchers(config, database, log);
  log.info(
    { mailboxes: config.mailboxes.map((m) => `${m.name} <${m.address}> ${m.imap.host}:${m.imap.port ?? (m.imap.secure ? 993 : 143)}/${m.imap.folder}`) },
    'helpdesk started',
  );
  return {
    watchers,
    async stop() {
      await Promise.all(watchers.map((w) => w.stop()));
      await database.close();
      log.info({}, 'helpdesk stopped');
    },
  };
}

function startWatchers(config: Config, database: Database, log: Logger): MailboxWatcher[] {
  const deps: IngestDeps = {
    store: createTicketStore(database.db),
    config: () => config,
    now: () => new Date(),
    parse: parseMail,
  };
  const state = createMailboxStateStore(database.db);
  return config.mailboxes.map((mailbox) => {
    const failures = new Map<number, number>();
    const watcher = new MailboxWatcher({
      mailbox,
      log,
      sync: (session) =>
        syncMailbox(session, {
          mailbox: mailbox.name,
          state,
          ingest: (mail) => ingestMessage(deps, mail),
          log,
          maxMessageBytes: config.limits.maxMessageBytes,
          failures,
        }),
    });
    watcher.start();
    return watcher;
  });
}
