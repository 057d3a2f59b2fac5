#!/usr/bin/env node
import { Command, Option } from 'commander';
import { isAppError } from './errors.js';
import { PRIORITIES, TICKET_STATUSES, type Priority, type TicketStatus } from './domain/ticket.js';
import { parseDate, parseId, parseLimit, parsePriority, parseStatus, parseStatusList, parseTicketNumber } from './cli/arguments.js';
import { packageVersion } from './cli/version.js';
import type { TicketsListOptions } from './cli/tickets.js';
import type { ReportOptions } from './cli/report.js';
import type { ReportGrouping } from './domain/report.js';

/*
 * The command table. Each action loads its own module (`./cli/<command>.js`)
 * when it runs: `helpdesk --help` or `tickets list` never load the daemon,
 * the mail parser or the queue. Keep static imports here to commander and
 * modules that import nothing heavy.
 */

const CONFIG_HELP = 'config file (default: $HELPDESK_CONFIG or ./helpdesk.yaml)';

const program = new Command()
  .name('helpdesk')
  .description('Email-driven support ticketing daemon')
  .version(packageVersion())
  .showHelpAfterError();

program
  .command('start')
  .description('run the daemon (creates and migrates the database first)')
  .option('--config <file>', CONFIG_HELP)
  .action(async (opts: { config?: string }) => (await import('./cli/start.js')).runStart(opts));

program
  .command('migrate')
  .description('create the database if needed and apply pending migrations')
  .action(async () => (await import('./cli/migrate.js')).runMigrate());

program
  .command('config')
  .description('config file tools')
  .command('check')
  .description('validate the config file; exit 0 when valid, 1 with located errors')
  .option('--config <file>', CONFIG_HELP)
  .action(async (opts: { config?: string }) => (await import('./cli/config-check.js')).runConfigCheck(opts));

const tickets = program.command('tickets').description('read tickets');

tickets
  .command('list')
  .description('list tickets, newest first')
  .option('--status <status>', 'only these statuses (comma-separated or repeated)', parseStatusList)
  .option('--to-solve', 'the work queue: New and Open tickets, nearest SLA due time first, then longest waiting')
  .option('--assignee <agent>', 'assigned to this agent (email address), or "none" for unassigned')
  .option('--tag <tag>', 'carrying this tag (repeat: all of them)', (tag: string, previous: string[] = []) => [...previous, tag])
  .option('--customer <address>', "the requester's email address")
  .option('--mailbox <name>', 'arrived in this mailbox')
  .option('--search <text>', 'words in the subject or in a message ("a phrase", or, -word)')
  .option('--limit <n>', 'at most this many; when there are more, the next page\'s --after is printed on stderr', parseLimit, 1000)
  .option('--after <cursor>', 'the page after this cursor (as printed: "next page: --after N"); not with --to-solve', parseTicketNumber)
  .option('--json', 'print JSON')
  .action(async (opts: TicketsListOptions) => (await import('./cli/tickets.js')).runTicketsList(opts));

tickets
  .command('set')
  .description('change a ticket: priority, status, assignee (recorded as events by "cli")')
  .argument('<number>', 'ticket number', parseTicketNumber)
  .option('--priority <priority>', `one of ${PRIORITIES.join(', ')}`, parsePriority)
  .option('--status <status>', `one of ${TICKET_STATUSES.join(', ')}`, parseStatus)
  .option('--assign <agent>', 'agent email or name; "none" unassigns')
  .option('--config <file>', CONFIG_HELP)
  .action(async (number: number, opts: { priority?: Priority; status?: TicketStatus; assign?: string; config?: string }) =>
    (await import('./cli/ticket-set.js')).runTicketsSet(number, opts),
  );

tickets
  .command('delete')
  .description('soft-delete a ticket: hidden from lists and scans, purged after retention.deleted; mail on its thread starts a new ticket')
  .argument('<number>', 'ticket number', parseTicketNumber)
  .option('--config <file>', CONFIG_HELP)
  .action(async (number: number, opts: { config?: string }) => (await import('./cli/ticket-set.js')).runTicketsDelete(number, opts));

tickets
  .command('merge')
  .description("merge ticket A into ticket B (the same requester's): A's messages and history move to B, and mail on either thread lands in B")
  .argument('<a>', 'the ticket merged away', parseTicketNumber)
  .argument('<b>', 'the ticket that stays', parseTicketNumber)
  .option('--config <file>', CONFIG_HELP)
  .action(async (a: number, b: number, opts: { config?: string }) => (await import('./cli/ticket-set.js')).runTicketsMerge(a, b, opts));

tickets
  .command('show')
  .description('one ticket with its messages and events')
  .argument('<number>', 'ticket number', parseTicketNumber)
  .option('--json', 'print JSON')
  .action(async (number: number, opts: { json?: boolean }) => (await import('./cli/tickets.js')).runTicketsShow(number, opts));

program
  .command('attachments')
  .description("save a ticket's attachments (or one message's) into a folder, with safe file names")
  .argument('<ticket>', 'ticket number', parseTicketNumber)
  .option('--message <id>', 'only this message (its id as `tickets show --json` prints it)', parseId)
  .option('--out <dir>', 'the folder to write into (created if missing)', '.')
  .option('--json', 'print what was saved as JSON')
  .action(async (ticket: number, opts: { message?: number; out: string; json?: boolean }) => (await import('./cli/attachments.js')).runAttachments(ticket, opts));

const senders = program.command('senders').description("senders blocked from the helpdesk: the database's list (the config's senders.block is listed too)");

senders
  .command('list')
  .description('blocked senders: from the database (#spam block, senders block) and from the config')
  .option('--json', 'print JSON')
  .option('--config <file>', CONFIG_HELP)
  .action(async (opts: { json?: boolean; config?: string }) => (await import('./cli/senders.js')).runSendersList(opts));

senders
  .command('block')
  .description('block an address, a domain (example.com) or a glob (*@*.example.com): their mail is stored as spam, answered by nobody')
  .argument('<pattern>', 'address, domain or glob')
  .option('--reason <text>', 'why, for the list')
  .action(async (pattern: string, opts: { reason?: string }) => (await import('./cli/senders.js')).runSendersBlock(pattern, opts));

senders
  .command('unblock')
  .description('remove an entry from the database list')
  .argument('<pattern>', 'as listed')
  .action(async (pattern: string) => (await import('./cli/senders.js')).runSendersUnblock(pattern));

const mail = program.command('mail').description('mail that could not be ingested (the quarantine), or that belongs to no ticket');

mail
  .command('failed')
  .description('list quarantined mail: kept with its source after failing to be ingested')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => (await import('./cli/mail.js')).runMailFailed(opts));

const replay = mail
  .command('replay')
  .description('ingest quarantined mail again from its kept source; an entry that succeeds is removed')
  .argument('[id]', 'quarantine entry id (see `helpdesk mail failed`)', parseId)
  .option('--all', 'replay every entry')
  .option('--config <file>', CONFIG_HELP)
  .option('--json', 'print JSON')
  .action(async (id: number | undefined, opts: { all?: boolean; config?: string; json?: boolean }) => {
    if ((id === undefined) === !opts.all) replay.error('error: give an entry id or --all');
    await (await import('./cli/mail-replay.js')).runMailReplay(opts.all ? null : [id!], opts);
  });

mail
  .command('unthreaded')
  .description('stored mail that threads to no ticket (forged agent mail, stray auto-replies and bounces), newest first')
  .option('--limit <n>', 'at most this many', parseLimit, 100)
  .option('--json', 'print JSON')
  .action(async (opts: { limit: number; json?: boolean }) => (await import('./cli/mail.js')).runMailUnthreaded(opts));

program
  .command('rules')
  .description('the rules in the config')
  .command('test')
  .description('what the daemon would do with each mail: classification, the new text, threading, rule matches and why, resulting ticket; changes nothing')
  .argument('<files...>', 'raw mails (.eml); several print a JSON array with --json, one entry per file, in order')
  .option('--config <file>', CONFIG_HELP)
  .option('--mailbox <name>', 'the mailbox it arrived in (default: the one it is addressed to, else the first)')
  .option('--json', 'print JSON')
  .action(async (files: string[], opts: { config?: string; mailbox?: string; json?: boolean }) => (await import('./cli/rules-test.js')).runRulesTest(files, opts));

program
  .command('import')
  .description("turn a backlog of a mailbox's folder into tickets, quietly; resumable")
  .requiredOption('--mailbox <name>', 'the configured mailbox to import for')
  .option('--folder <folder>', "the folder to read (default: the mailbox's watched folder)")
  .option('--since <date>', 'only mail since this date: 2026-01-31 or 2026-01-31T09:00 (UTC unless an offset is given)', parseDate)
  .option('--config <file>', CONFIG_HELP)
  .action(async (opts: { mailbox: string; folder?: string; since?: Date; config?: string }) =>
    (await import('./cli/import.js')).runImport({ mailbox: opts.mailbox, folder: opts.folder, since: opts.since, config: opts.config }),
  );

program
  .command('report')
  .description('the helpdesk in numbers over a period: tickets created, resolved, closed; response and resolution times; SLA compliance; reopen rate; backlog; busiest hours')
  .option('--from <date>', 'start, inclusive (default: 30 days before --to): 2026-01-31 or 2026-01-31T09:00 (UTC unless an offset is given)', parseDate)
  .option('--to <date>', 'end, exclusive (default: now)', parseDate)
  .addOption(new Option('--by <what>', 'a row per priority, department, agent (the assignee) or mailbox, and the total').choices(['priority', 'department', 'agent', 'mailbox'] satisfies ReportGrouping[]))
  .option('--json', 'print JSON')
  .option('--csv', 'print CSV: a header row and a row per group and the total')
  .option('--config <file>', CONFIG_HELP)
  .action(async (opts: ReportOptions) => (await import('./cli/report.js')).runReport(opts));

program
  .command('purge')
  .description('delete tickets past their retention (config retention: spam, deleted, closed) for good, with their mail, events and unused attachments; in batches, resumable')
  .option('--dry-run', 'count what would be deleted, delete nothing')
  .option('--config <file>', CONFIG_HELP)
  .option('--json', 'print the summary as JSON')
  .action(async (opts: { dryRun?: boolean; config?: string; json?: boolean }) => (await import('./cli/purge.js')).runPurge(opts));

program
  .command('demo')
  .description('try the helpdesk out')
  .command('send')
  .description("send a customer mail into the running demo's support mailbox")
  .argument('<subject>', 'the subject of the mail')
  .option('--from <address>', 'the customer sending it')
  .option('--body <text>', 'the text of the mail')
  .action(async (subject: string, opts: { from?: string; body?: string }) => (await import('./cli/demo.js')).runDemoSend(subject, { from: opts.from, body: opts.body }));

program.parseAsync().catch((err: unknown) => {
  if (isAppError(err)) {
    console.error(err.code === 'CONFIG_INVALID' ? `config invalid:\n${err.message}` : `${err.code}: ${err.message}`);
  } else {
    console.error(err instanceof Error ? err.stack : String(err));
  }
  process.exit(1);
});
