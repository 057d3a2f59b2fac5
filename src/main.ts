import { readForwardedText } from './adapters/mime/forwarded-text.js';
import type { Logger } from 'pino';
import { diffConfig, isUnchanged } from './config/diff.js';
import { formatProblem, loadConfigFile } from './config/load.js';
import { loadConfigOrThrow, type Environment } from './environment.js';
import { watchConfigFile } from './config/watch.js';
import type { Config } from './config/schema.js';
import { openDatabase, type Database } from './adapters/db/client.js';
import { ensureDatabase, runMigrations } from './adapters/db/migrate.js';
import { createMailboxStateStore } from './adapters/db/mailbox-state-store.js';
import { createStore } from './adapters/db/store.js';
import { MailboxWatcher } from './adapters/imap/mailbox-watcher.js';
import { ConnectionGate, serverKey } from './adapters/imap/connection-gate.js';
import { logWhenStarted } from './adapters/imap/watch-summary.js';
import { createParserPool } from './adapters/mime/parser-pool.js';
import { createSenderVerifier, type DnsResolver } from './adapters/mailauth/verify-sender.js';
import { createQuarantine } from './adapters/db/quarantine-store.js';
import { extractReply } from './adapters/mime/extract-reply.js';
import { htmlForAgents } from './adapters/mime/notice-html.js';
import { agentReplyHtml } from './adapters/mime/reply-html.js';
import { detectLanguage } from './adapters/language/detect-language.js';
import { blockedSenderCache } from './adapters/db/sender-store.js';
import { re2Test } from './adapters/regex/re2.js';
import { resolveTokenKey } from './adapters/db/settings.js';
import { createQueues } from './adapters/queue/queues.js';
import { redactUrl, startOutbound, within } from './queues-and-workers.js';
import { composeMail } from './adapters/smtp/compose.js';
import { redisLeases } from './adapters/queue/lease.js';
import type { MailboxStateStore, OutboxQueue, Quarantine } from './usecases/ports.js';
import { isAppError } from './errors.js';
import { ingestMails, ingestMessage, prepareMail, type IngestDeps } from './usecases/ingest-message.js';
import { syncMailbox } from './usecases/sync-mailbox.js';
import { Telemetry } from './telemetry.js';
import { startHttpServer, type HttpServer } from './adapters/http/server.js';
import { storedCounts } from './adapters/db/stored-counts.js';
import { createMailboxTokens, type MailboxTokens } from './adapters/oauth/mailbox-tokens.js';
import { tokenReporter } from './adapters/oauth/token-reporter.js';
import { alertMailboxSignIn } from './usecases/mailbox-alert.js';

export { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, loadConfigOrThrow, readEnvironment, type Environment } from './environment.js';

export interface Daemon {
  readonly watchers: readonly MailboxWatcher[];
  readonly telemetry: Telemetry;
  /** The HTTP server (health, metrics, web view) when `http` is configured. */
  readonly http: HttpServer | null;
  /** Reads the config file again; a valid one applies to the next mail, an invalid one is logged and ignored. */
  reload(): Promise<boolean>;
  stop(): Promise<void>;
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

/** Starts the daemon: database, queues and their workers, then one watcher per mailbox. */
export async function startDaemon(environment: Environment, log: Logger): Promise<Daemon> {
  let config = await loadConfigOrThrow(environment);
  const current = () => config;
  await prepareDatabase(environment.databaseUrl, log);
  const database = openDatabase(environment.databaseUrl);
  const tokenKey = await resolveTokenKey(environment, database, log);
  const parser = createParserPool({ budgetMs: () => current().limits.parseTimeout });
  // One token provider per OAuth2 grant, shared by the watchers, the mailer and the sent-folder copies.
  const tokens = createMailboxTokens(environment.oauthRetry ? { retry: environment.oauthRetry } : {});
  const telemetry = new Telemetry();
  const outbound = startOutbound(current, environment, database, tokenKey, log, tokens, (events) => telemetry.eventsCommitted(events));
  const leases = redisLeases(environment.redisUrl, environment.queuePrefix, environment.mailboxLeaseMs);
  telemetry.readCountsWith(() => storedCounts(database.db));
  const ingest = ingestDeps({ config: current, database, outbox: outbound.outbox, tokenKey, parse: parser.parse, dnsResolver: environment.dnsResolver, log, telemetry });
  tokens.listen(
    tokenReporter({
      health: (name) => {
        const mailbox = current().mailboxes.find((m) => m.name === name);
        return mailbox ? telemetry.mailbox(mailbox.name, mailbox.address) : null;
      },
      countFailure: (name) => telemetry.oauthRefreshFailures.inc({ mailbox: name }),
      alert: (mailbox, reason, since) => alertMailboxSignIn(ingest, { mailbox, reason, since }),
      log,
    }),
  );
  const watchers = startWatchers(current, database, ingest, leases, telemetry, log, tokens);
  const http = config.http
    ? await startHttpServer({
        config: current,
        telemetry,
        db: database.db,
        pingRedis: () => leases.ping(),
        log,
        satisfaction: { store: ingest.store, config: current, now: ingest.now, log, tokenKey },
      })
    : null;
  const reload = async (): Promise<boolean> => {
    let loaded: Awaited<ReturnType<typeof loadConfigFile>>;
    try {
      loaded = await loadConfigFile(environment.configFile, environment.env);
    } catch (err) {
      // The loader reports problems as values; anything thrown is a bug, and must not end the daemon.
      log.error({ err }, 'config change could not be read; the last good config stays in force');
      return false;
    }
    if (!loaded.ok) {
      log.error({ file: environment.configFile, problems: loaded.problems.map(formatProblem) }, 'config change rejected; the last good config stays in force');
      return false;
    }
    const changes = diffConfig(config, loaded.config);
    if (isUnchanged(changes)) return true;
    config = loaded.config;
    log.info({ file: environment.configFile, ...changes }, 'config reloaded');
    if (changes.mailboxesChanged.length > 0) log.warn({ mailboxes: changes.mailboxesChanged }, 'mailbox connection settings take effect after a restart');
    await outbound.reschedule();
    if (changes.slaChanged) await outbound.recompute();
    return true;
  };
  const fileWatch = watchConfigFile(environment.configFile, () => void reload());
  log.info(
    {
      mailboxes: config.mailboxes.map((m) => `${m.name} <${m.address}> ${m.imap.host}:${m.imap.port ?? (m.imap.secure ? 993 : 143)}/${m.imap.folder}`),
      redis: redactUrl(environment.redisUrl),
      queuePrefix: environment.queuePrefix,
    },
    'helpdesk started',
  );
  return {
    watchers,
    telemetry,
    http,
    reload,
    async stop() {
      fileWatch.close();
      await http?.close();
      await Promise.all(watchers.map((w) => w.stop()));
      leases.close();
      await outbound.stop();
      tokens.close();
      await parser.close();
      await database.close();
      log.info({}, 'helpdesk stopped');
    },
  };
}


/**
 * Ingest outside the daemon, for `helpdesk mail replay`: the same parsing,
 * threading and storing, with a queue producer for the mail it causes (a
 * Redis outage leaves those rows to the daemon's reconciler).
 */
export async function openIngest(
  environment: Environment,
  log: Logger,
): Promise<{ deps: IngestDeps; quarantine: Quarantine; state: MailboxStateStore; config: Config; close(): Promise<void> }> {
  const config = await loadConfigOrThrow(environment);
  const database = openDatabase(environment.databaseUrl, { max: 2 });
  try {
    const tokenKey = await resolveTokenKey(environment, database, log, false);
    const parser = createParserPool({ budgetMs: () => config.limits.parseTimeout, threads: 1 });
    const queues = createQueues({
      redisUrl: environment.redisUrl,
      prefix: environment.queuePrefix,
      attempts: config.outbound.maxAttempts,
      retryDelayMs: config.outbound.retryDelay,
    });
    const deps = ingestDeps({ config: () => config, database, outbox: queues.outbox, tokenKey, parse: parser.parse, dnsResolver: environment.dnsResolver, log });
    return {
      deps,
      quarantine: createQuarantine(database.db),
      state: createMailboxStateStore(database.db),
      config,
      async close() {
        await within(5_000, queues.close());
        await parser.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** What ingest needs, for the daemon and for `helpdesk mail replay` alike. */
export function ingestDeps(parts: {
  config: () => Config;
  database: Database;
  outbox: OutboxQueue;
  tokenKey: Buffer;
  parse: IngestDeps['parse'];
  dnsResolver?: DnsResolver;
  log: Logger;
  /** Counts rule hits and SLA alerts from the events each transaction commits. */
  telemetry?: Telemetry;
}): IngestDeps {
  const telemetry = parts.telemetry;
  return {
    store: createStore(parts.database.db, telemetry ? (events) => telemetry.eventsCommitted(events) : undefined),
    config: parts.config,
    now: () => new Date(),
    parse: parts.parse,
    compose: composeMail,
    outbox: parts.outbox,
    tokenKey: parts.tokenKey,
    extractReply,
    regex: re2Test,
    verifySender: createSenderVerifier({ resolver: parts.dnsResolver }),
    mailHtml: { agentReply: agentReplyHtml, forAgents: htmlForAgents },
    readForwardedText,
    detectLanguage,
    blockedSenders: blockedSenderCache(parts.database.db),
    log: parts.log,
  };
}

function startWatchers(
  config: () => Config,
  database: Database,
  deps: IngestDeps,
  leases: ReturnType<typeof redisLeases>,
  telemetry: Telemetry,
  log: Logger,
  tokens: MailboxTokens,
): MailboxWatcher[] {
  const state = createMailboxStateStore(database.db);
  const quarantine = createQuarantine(database.db);
  // One gate for every mailbox: logins per server are bounded, and a failing server backs off for all its mailboxes.
  const gate = new ConnectionGate({ perServer: () => config().imapLogins.perServer, backoff: { initialMs: 1_000, maxMs: 60_000 } });
  const server = (m: Config['mailboxes'][number]) => serverKey(m.imap.host, m.imap.port ?? (m.imap.secure ? 993 : 143));
  const watchers = config().mailboxes.map((mailbox) => {
    const failures = new Map<number, number>();
    const watcher: MailboxWatcher = new MailboxWatcher({
      mailbox,
      log,
      lease: leases.lease(mailbox.name),
      health: telemetry.mailbox(mailbox.name, mailbox.address),
      onReconnect: () => telemetry.imapReconnects.inc({ mailbox: mailbox.name }),
      tokens,
      gate,
      onStateChange: () => started.stateChanged(),
      sync: (session) =>
        syncMailbox(session, {
          mailbox: mailbox.name,
          state,
          ingest: (mail) => ingestMessage(deps, mail),
          group: { prepare: (mail) => prepareMail(deps, mail), commit: (mails) => ingestMails(deps, mails) },
          quarantine,
          log,
          now: () => new Date(),
          maxMessageBytes: config().limits.maxMessageBytes,
          maxAttempts: config().limits.ingestAttempts,
          failures,
          stopping: () => watcher.stopping,
          existingMail: mailbox.imap.existingMail,
          onIngested: (mail, result) => {
            if (result.outcome !== 'duplicate') telemetry.ingested(mailbox.name, result.kind, mail.arrivedAt, new Date());
          },
        }),
    });
    return watcher;
  });
  const started = logWhenStarted(
    watchers.map((w, i) => ({ name: config().mailboxes[i]!.name, server: server(config().mailboxes[i]!), state: () => w.state })),
    log,
  );
  for (const watcher of watchers) watcher.start();
  return watchers;
}
