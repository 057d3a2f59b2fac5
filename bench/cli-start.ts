/**
 * How long the built CLI takes from spawn to exit for the commands people
 * type most: `--help`, `tickets list` (against a bench database of seeded
 * tickets) and `config check` (the example config). Each command's module is
 * loaded only when it runs, so none of them should load the daemon.
 * Standalone: `npm run build && node --import tsx bench/cli-start.ts`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runMigrations } from '../src/adapters/db/migrate.js';
import { CLI } from '../test/support/cli.js';
import { seedTickets } from '../test/support/seed-tickets.js';
import { round } from './baseline.js';
import { Cleanup, createBenchDatabase, errorText } from './services.js';

/** Runs of each command; the median is the figure. */
const RUNS = 15;
/** Tickets in the database `tickets list` reads (it prints up to 1 000). */
const TICKETS = 200;
const EXAMPLE_CONFIG = fileURLToPath(new URL('../helpdesk.example.yaml', import.meta.url));

export interface CommandTiming {
  readonly args: readonly string[];
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samplesMs: readonly number[];
}

export interface CliStartResult {
  readonly runs: number;
  readonly tickets: number;
  /** `node -e 0`: what any Node process costs here, for scale. */
  readonly nodeBaselineMs: number;
  readonly help: CommandTiming;
  readonly ticketsList: CommandTiming;
  readonly configCheck: CommandTiming;
}

/** Spawn → exit of `node <args>`, in ms; a failing run is an error (its stderr says why). */
function timeOnce(args: readonly string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.trim().slice(0, 500)}`));
    });
  });
}

async function timeCommand(args: readonly string[], env: Record<string, string>, runs: number): Promise<CommandTiming> {
  await timeOnce(args, env); // warm the file cache
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await timeOnce(args, env));
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    args,
    medianMs: round(sorted[Math.floor(sorted.length / 2)]!, 1),
    minMs: round(sorted[0]!, 1),
    maxMs: round(sorted.at(-1)!, 1),
    samplesMs: samples.map((s) => round(s, 1)),
  };
}

/** The three start times, median of `runs` each, against a fresh database of seeded tickets. */
export async function benchCliStart(cleanup: Cleanup, runs = RUNS): Promise<CliStartResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const db = await createBenchDatabase(cleanup);
  try {
    await runMigrations(db.url);
    await seedTickets(db.sql, TICKETS, 0);
    const env = { DATABASE_URL: db.url, SUPPORT_IMAP_PASSWORD: 'bench-unused', LOG_LEVEL: 'warn' };
    const node = await timeCommand(['-e', '0'], env, runs);
    return {
      runs,
      tickets: TICKETS,
      nodeBaselineMs: node.medianMs,
      help: await timeCommand([CLI, '--help'], env, runs),
      ticketsList: await timeCommand([CLI, 'tickets', 'list'], env, runs),
      configCheck: await timeCommand([CLI, 'config', 'check', '--config', EXAMPLE_CONFIG], env, runs),
    };
  } finally {
    await db.drop();
  }
}

/** One line for the bench's table. */
export function cliStartLine(r: CliStartResult): string {
  return (
    `median of ${r.runs}: --help ${r.help.medianMs} ms, tickets list (${r.tickets} tickets) ${r.ticketsList.medianMs} ms, ` +
    `config check ${r.configCheck.medianMs} ms; node -e 0 alone ${r.nodeBaselineMs} ms`
  );
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  try {
    const result = await benchCliStart(cleanup);
    console.log(`cli start: ${cliStartLine(result)}`);
    console.log(JSON.stringify(result, null, 2));
  } catch (err) {
    console.error(`cli start bench failed: ${errorText(err)}`);
    process.exitCode = 1;
  } finally {
    await cleanup.run();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
