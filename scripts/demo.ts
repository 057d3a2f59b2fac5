/**
 * `npm run demo` [-- --exit]: one ticket's whole life on this machine, through
 * the real daemon, then the daemon left running for more mail until Ctrl-C,
 * which removes everything the demo made. `--exit` plays the life, cleans up
 * and exits (0 when every step happened): for tests and CI.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { Cleanup } from './demo/cleanup.js';
import { CLI, logProblems } from './demo/daemon.js';
import { playTicketLife } from './demo/life.js';
import type { RelayedMail } from './demo/mail-relay.js';
import { AGENT, CUSTOMER, DemoFailure, SUPPORT, demoNames, setUpStage, type DemoNames, type Stage } from './demo/stage.js';

const run = promisify(execFile);
const USAGE = 'usage: npm run demo [-- --exit]\n  --exit  play the ticket\'s life, clean up and exit (0 when every step happened)';

const print = (line = '') => console.log(line);
const say = (label: string, value: string) => print(`   ${label.padEnd(19)} ${value}`);
const short = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

const cleanup = new Cleanup();
let names: DemoNames | null = null;
let stopping = false;

async function main(exitAfter: boolean): Promise<void> {
  print('helpdesk demo: one ticket\'s whole life, through the real daemon on this machine');
  if (!existsSync(CLI)) throw new DemoFailure(`${short(CLI)} is missing: run \`npm run build\` (npm run demo does it)`);
  print('\nSetting up');
  names = demoNames();
  const stage = await setUpStage(names, cleanup, (label, value) => say(label, value.startsWith('/') ? short(value) : value));
  const sql = postgres(names.databaseUrl, { max: 1, onnotice: () => {} });
  await cleanup.add('', () => sql.end({ timeout: 5 }));

  const number = await playTicketLife({ relay: stage.relay, sql, print, daemonExit: () => stage.daemon.exit() });
  await showFromCli(number, names);

  if (exitAfter) {
    await shutDown(0);
    return;
  }
  printRunning(stage, number);
  await keepRunning(stage, sql);
}

/** Until Ctrl-C: every mail through the relay and every ticket change, a line each; a daemon that dies ends the demo. */
async function keepRunning(stage: Stage, sql: postgres.Sql): Promise<void> {
  stage.relay.onMail(printMail);
  const statuses = new Map<number, string>();
  const tickets = () => sql<{ number: number; status: string; subject: string }[]>`select number::int, status::text, subject from tickets order by number`;
  for (const t of await tickets()) statuses.set(t.number, t.status);
  let busy = false;
  const timer = setInterval(() => {
    if (stopping || busy) return;
    if (!stage.daemon.running()) {
      print(`\n✗ the daemon exited (${stage.daemon.exit()}); see ${short(stage.names.logFile)}`);
      void shutDown(1);
      return;
    }
    busy = true;
    tickets()
      .then((rows) => {
        for (const t of rows.filter((r) => statuses.get(r.number) !== r.status)) {
          print(`   ● ${clock()}  ticket #${t.number} "${t.subject}": ${statuses.has(t.number) ? `${statuses.get(t.number)} → ` : ''}${t.status}`);
          statuses.set(t.number, t.status);
        }
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 1_000);
  await cleanup.add('', async () => clearInterval(timer));
}

/** The ticket as `helpdesk tickets show N --json` reads it: the CLI a user would run. */
async function showFromCli(number: number, n: DemoNames): Promise<void> {
  const { stdout } = await run(process.execPath, [CLI, 'tickets', 'show', String(number), '--json'], { env: { ...process.env, DATABASE_URL: n.databaseUrl } });
  const ticket = JSON.parse(stdout) as { status: string; priority: string; messages: { kind: string }[]; events: { type: string; data: { from?: unknown; to?: unknown } }[] };
  // `status_changed {from: new, to: answered}` reads as `status new→answered`.
  const event = (e: (typeof ticket.events)[number]) => (e.type.endsWith('_changed') && e.data.from && e.data.to ? `${e.type.replace(/_changed$/, '')} ${String(e.data.from)}→${String(e.data.to)}` : e.type);
  print(`\n\`helpdesk tickets show ${number} --json\` says: status ${ticket.status}, priority ${ticket.priority}`);
  print(wrap(`   messages (${ticket.messages.length}): `, ticket.messages.map((m) => m.kind)));
  print(wrap(`   history (${ticket.events.length}): `, ticket.events.map(event)));
}

function wrap(head: string, words: readonly string[], width = 92): string {
  const lines = [head];
  for (const [i, word] of words.entries()) {
    const piece = `${word}${i < words.length - 1 ? ',' : ''}`;
    if (lines.at(-1)!.length + piece.length + 1 > width) lines.push(`${' '.repeat(head.length)}${piece}`);
    else lines[lines.length - 1] += `${lines.at(-1)!.endsWith(' ') ? '' : ' '}${piece}`;
  }
  return lines.join('\n');
}

function printRunning(stage: Stage, number: number): void {
  const cli = `node ${short(CLI)}`;
  const db = `DATABASE_URL=${stage.names.databaseUrl}`;
  print('\nThe daemon keeps running. Try it:');
  if (stage.web) {
    print(`   web view    ${stage.web.url}tickets/${number}`);
    print(`               log in with the token ${stage.web.token}`);
  } else {
    print('   web view    not available (the daemon\'s HTTP server did not start; see the log)');
  }
  print(`   new mail    ${cli} demo send "My invoice is wrong"`);
  print(`   tickets     ${db} ${cli} tickets list`);
  print(`               ${db} ${cli} tickets show ${number}`);
  print(`   mailboxes   IMAP 127.0.0.1:${stage.dovecot.port}: any address logs in with password ${stage.state.imap.password}`);
  print(`               SMTP 127.0.0.1:${stage.relay.port}: no login, delivers to those mailboxes`);
  print(`               as ${AGENT.email} in a mail client, reply to a notification to answer as the agent`);
  print(`   daemon log  ${short(stage.names.logFile)}`);
  print('Mail and ticket changes show up below. Ctrl-C stops everything and removes what the demo made.\n');
}

const clock = () => new Date().toTimeString().slice(0, 8);

function printMail(mail: RelayedMail): void {
  const from = mail.parsed.from?.value[0]?.address ?? mail.from;
  const who = (address: string) => (address === CUSTOMER.email ? `${address} (customer)` : address === AGENT.email ? `${address} (agent)` : address);
  const to = mail.to.map((a) => (a.startsWith('support+') ? SUPPORT : a)).map(who).join(', ');
  print(`   ✉ ${clock()}  ${who(from)} → ${to}: "${mail.parsed.subject ?? ''}"`);
}

async function shutDown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  print('\nCleaning up');
  const failures = await cleanup.run((what, problem) => print(problem ? `   ✗ ${what}: ${problem}` : `   ✓ ${what}`));
  if (names) print(`   kept for reading: ${short(names.logFile)}, ${short(names.configFile)}`);
  process.exit(failures.length > 0 ? 1 : code);
}

async function fail(err: unknown): Promise<void> {
  if (stopping) return;
  if (err instanceof DemoFailure) {
    print(`\n✗ ${err.message}`);
    for (const detail of err.details) print(`     ${detail}`);
  } else {
    print(`\n✗ the demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  if (names && existsSync(names.logFile)) {
    const problems = err instanceof DemoFailure && err.details.length > 0 ? [] : await logProblems(names.logFile);
    if (problems.length > 0) print('   the last problems in the daemon\'s log:');
    for (const problem of problems) print(`     ${problem}`);
    print(`   the daemon's log: ${short(names.logFile)}`);
  }
  await shutDown(1);
}

const args = process.argv.slice(2);
if (args.some((a) => a !== '--exit')) {
  console.error(USAGE);
  process.exit(2);
}
// Ctrl-C ends the demo the normal way: the cleanup runs and the exit is clean. npm passes the signal on
// too, so a second one while cleaning up is expected and ignored.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    print(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping`);
    void shutDown(0);
  });
}
// A closed terminal or pipe must not end the demo before its cleanup; anything unexpected goes through it too.
process.stdout.on('error', () => undefined);
process.on('uncaughtException', (err) => void fail(err));
main(args.includes('--exit')).catch(fail);
