#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { formatProblem, loadConfigFile } from './config/load.js';
import { openDatabase } from './adapters/db/client.js';
import { listTickets, showTicket, ticketsToSolve } from './adapters/db/ticket-queries.js';
import { createStore } from './adapters/db/store.js';
import { changeTicket } from './usecases/change-ticket.js';
import { dryRunRules } from './usecases/dry-run.js';
import { parseMail } from './adapters/mime/parse-mail.js';
import { re2Test } from './adapters/regex/re2.js';
import { readFile } from 'node:fs/promises';
import { isAppError } from './errors.js';
import { createLogger } from './logging.js';
import { loadConfigOrThrow, openIngest, prepareDatabase, readEnvironment, startDaemon } from './main.js';
import { createQuarantine } from './adapters/db/quarantine-store.js';
import { ingestMessage, type InboundMail } from './usecases/ingest-message.js';
import { replayQuarantined, type ReplayResult } from './usecases/replay-quarantine.js';
import { isTicketStatus, PRIORITIES, TICKET_STATUSES, type Priority, type TicketStatus } from './domain/ticket.js';
import { formatDryRun, formatQuarantine, formatReplay, formatTicketDetail, formatTicketTable, formatToSolveTable } from './cli-format.js';

/** `helpdesk start` stops within this after SIGTERM/SIGINT, whatever hangs. */
const STOP_DEADLINE_MS = 9_000;

const program = new Command()
  .name('helpdesk')
  .description('Email-driven support ticketing daemon')
  .showHelpAfterError();

program
  .command('start')
  .description('run the daemon (creates and migrates the database first)')
  .option('--config <file>', 'config file (default: $HELPDESK_CONFIG or ./helpdesk.yaml)')
  .action(async (opts: { config?: string }) => {
    const log = createLogger(process.env.LOG_LEVEL);
    // A stray rejection is logged, not fatal; an uncaught exception leaves unknown state: log and exit
    // (the supervisor restarts us, and nothing unflagged is lost).
    process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
    process.on('uncaughtException', (err) => {
      log.fatal({ err }, 'uncaught exception; exiting');
      process.exit(1);
    });
    const daemon = await startDaemon(readEnvironment(opts.config), log);
    let stopping = false;
    const shutdown = (signal: string) => {
      // A second signal means "now": no waiting for the mail in hand or the sends in flight.
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting at once');
        process.exit(130);
      }
      stopping = true;
      log.info({ signal }, 'stopping: finishing the mail in hand and the sends in flight');
      // Whatever hangs, the process is gone within the deadline; nothing unflagged is lost.
      setTimeout(() => {
        log.error({ afterMs: STOP_DEADLINE_MS }, 'shutdown took too long; exiting');
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      daemon.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'error while stopping');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGHUP', () => {
      log.info({ signal: 'SIGHUP' }, 'reloading the config');
      void daemon.reload();
    });
  });

program
  .command('migrate')
  .description('create the database if needed and apply pending migrations')
  .action(async () => {
    const env = readEnvironment();
    await prepareDatabase(env.databaseUrl, createLogger(process.env.LOG_LEVEL ?? 'warn'), () => true);
    console.log('migrations applied');
  });

program
  .command('config')
  .description('config file tools')
  .command('check')
  .description('validate the config file; exit 0 when valid, 1 with located errors')
  .option('--config <file>', 'config file (default: $HELPDESK_CONFIG or ./helpdesk.yaml)')
  .action(async (opts: { config?: string }) => {
    const env = readEnvironment(opts.config);
    const result = await loadConfigFile(env.configFile, env.env);
    if (!result.ok) {
      for (const problem of result.problems) console.error(formatProblem(problem));
      console.error(`${env.configFile}: ${result.problems.length} problem(s)`);
      process.exitCode = 1;
      return;
    }
    const c = result.config;
    console.log(`${env.configFile}: OK (${c.mailboxes.length} mailbox(es), ${c.agents.length} agent(s), ${c.rules.length} rule(s))`);
  });

const tickets = program.command('tickets').description('read tickets');

function parseTicketNumber(value: string): number {
  const n = Number(value.replace(/^#/, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a ticket number');
  return n;
}

function parseStatus(value: string, previous: TicketStatus[] = []): TicketStatus[] {
  const statuses = value.toLowerCase().split(',').map((s) => s.trim());
  for (const status of statuses) {
    if (!isTicketStatus(status)) throw new InvalidArgumentError(`"${status}" is not a status: use ${TICKET_STATUSES.join(', ')}`);
  }
  return [...previous, ...(statuses as TicketStatus[])];
}

tickets
  .command('list')
  .description('list tickets, newest first')
  .option('--status <status>', 'only these statuses (comma-separated or repeated)', parseStatus)
  .option('--to-solve', 'the work queue: New and Open tickets, nearest SLA due time first, then longest waiting')
  .option('--json', 'print JSON')
  .action(async (opts: { status?: TicketStatus[]; toSolve?: boolean; json?: boolean }) => {
    await withDatabase(async (db) => {
      if (opts.toSolve) {
        const rows = await ticketsToSolve(db);
        console.log(opts.json ? JSON.stringify(rows, null, 2) : formatToSolveTable(rows));
        return;
      }
      const rows = await listTickets(db, { statuses: opts.status });
      console.log(opts.json ? JSON.stringify(rows, null, 2) : formatTicketTable(rows));
    });
  });

tickets
  .command('set')
  .description('change a ticket: priority, status, assignee (recorded as events by "cli")')
  .argument('<number>', 'ticket number', parseTicketNumber)
  .option('--priority <priority>', `one of ${PRIORITIES.join(', ')}`, (v) => {
    if (!(PRIORITIES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${PRIORITIES.join(', ')}`);
    return v as Priority;
  })
  .option('--status <status>', `one of ${TICKET_STATUSES.join(', ')}`, (v) => {
    if (!isTicketStatus(v)) throw new InvalidArgumentError(`expected one of ${TICKET_STATUSES.join(', ')}`);
    return v;
  })
  .option('--assign <agent>', 'agent email or name; "none" unassigns')
  .option('--config <file>', 'config file (default: $HELPDESK_CONFIG or ./helpdesk.yaml)')
  .action(async (number: number, opts: { priority?: Priority; status?: TicketStatus; assign?: string; config?: string }) => {
    const env = readEnvironment(opts.config);
    const config = await loadConfigOrThrow(env);
    await withDatabase(async (db) => {
      const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
      const result = await changeTicket({ store: createStore(db), config, now: () => new Date(), log }, number, {
        priority: opts.priority,
        status: opts.status,
        assignee: opts.assign === undefined ? undefined : opts.assign === 'none' ? null : opts.assign,
      });
      if (!result.ok) {
        console.error(result.reason);
        process.exitCode = 1;
        return;
      }
      console.log(result.events.length > 0 ? `#${number}: ${result.events.join(', ')}` : `#${number}: nothing to change`);
    });
  });

tickets
  .command('show')
  .description('one ticket with its messages and events')
  .argument('<number>', 'ticket number', parseTicketNumber)
  .option('--json', 'print JSON')
  .action(async (number: number, opts: { json?: boolean }) => {
    await withDatabase(async (db) => {
      const ticket = await showTicket(db, number);
      if (!ticket) {
        console.error(`no ticket #${number}`);
        process.exitCode = 1;
        return;
      }
      console.log(opts.json ? JSON.stringify(ticket, null, 2) : formatTicketDetail(ticket));
    });
  });

const mail = program.command('mail').description('mail that could not be ingested (the quarantine)');

mail
  .command('failed')
  .description('list quarantined mail: kept with its source after failing to be ingested')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    await withDatabase(async (db) => {
      const entries = await createQuarantine(db).list();
      if (opts.json) console.log(JSON.stringify(entries.map((e) => ({ ...e, uidValidity: String(e.uidValidity) })), null, 2));
      else console.log(formatQuarantine(entries));
    });
  });

mail
  .command('replay')
  .description('ingest quarantined mail again from its kept source; an entry that succeeds is removed')
  .argument('[id]', 'quarantine entry id (see `helpdesk mail failed`)', (v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected an entry id');
    return n;
  })
  .option('--all', 'replay every entry')
  .option('--config <file>', 'config file (default: $HELPDESK_CONFIG or ./helpdesk.yaml)')
  .option('--json', 'print JSON')
  .action(async (id: number | undefined, opts: { all?: boolean; config?: string; json?: boolean }) => {
    if ((id === undefined) === !opts.all) throw new InvalidArgumentError('give an entry id or --all');
    const log = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr);
    const ingest = await openIngest(readEnvironment(opts.config), log);
    try {
      const ids = opts.all ? (await ingest.quarantine.list()).map((e) => e.id) : [id!];
      const deps = { quarantine: ingest.quarantine, ingest: (m: InboundMail) => ingestMessage(ingest.deps, m), now: () => new Date(), log };
      const results: ReplayResult[] = [];
      for (const entry of ids) {
        const result = await replayQuarantined(deps, entry);
        results.push(result);
        if (!opts.json) console.log(formatReplay(result));
      }
      if (opts.json) console.log(JSON.stringify(results, null, 2));
      else if (ids.length === 0) console.log('the quarantine is empty');
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    } finally {
      await ingest.close();
    }
  });

const rules = program.command('rules').description('the rules in the config');

rules
  .command('test')
  .description('what the rules would do with a mail: classification, threading, matches and why, resulting ticket; changes nothing')
  .argument('<file>', 'a raw mail (.eml)')
  .option('--config <file>', 'config file (default: $HELPDESK_CONFIG or ./helpdesk.yaml)')
  .option('--mailbox <name>', 'the mailbox it arrived in (default: the one it is addressed to, else the first)')
  .option('--json', 'print JSON')
  .action(async (file: string, opts: { config?: string; mailbox?: string; json?: boolean }) => {
    const env = readEnvironment(opts.config);
    const config = await loadConfigOrThrow(env);
    const raw = await readFile(file);
    const database = openDatabase(env.databaseUrl, { max: 1, connectTimeoutSeconds: 3 });
    try {
      const reachable = await database.sql`select 1`.then(() => true, () => false);
      const report = await dryRunRules(
        { config, parse: parseMail, regex: re2Test, store: reachable ? createStore(database.db) : null, now: new Date() },
        raw,
        opts.mailbox,
      );
      console.log(opts.json ? JSON.stringify(report, null, 2) : formatDryRun(report));
    } finally {
      await database.close();
    }
  });

async function withDatabase(work: (db: ReturnType<typeof openDatabase>['db']) => Promise<void>): Promise<void> {
  const database = openDatabase(readEnvironment().databaseUrl, { max: 2 });
  try {
    await work(database.db);
  } finally {
    await database.close();
  }
}

program.parseAsync().catch((err: unknown) => {
  if (isAppError(err)) {
    console.error(err.code === 'CONFIG_INVALID' ? `config invalid:\n${err.message}` : `${err.code}: ${err.message}`);
  } else {
    console.error(err instanceof Error ? err.stack : String(err));
  }
  process.exit(1);
});
