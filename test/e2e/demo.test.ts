import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { ADMIN_URL } from '../support/database.js';
import { waitFor } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The demo plays a whole life (auto-close included) and cleans up: minutes are plenty even on a loaded machine. */
const DEMO_TIMEOUT_MS = 240_000;

interface DemoRun {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  readonly stateFile: string;
  readonly database: string;
  readonly queuePrefix: string;
  /** Filled in while the demo runs: its Dovecot's directory and instance name. */
  readonly dovecot: { dir: string; instance: string } | null;
}

let dir: string | null = null;
let running: DemoRun | null = null;

afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGINT');
    await Promise.race([running.exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  }
  running = null;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

/** `scripts/demo.ts` as `npm run demo` runs it (after the build), with its own state file and database. */
async function startDemo(args: string[]): Promise<DemoRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it)`);
  dir = await mkdtemp(join(tmpdir(), 'helpdesk-demo-test-'));
  const stateFile = join(dir, 'state.json');
  const database = `helpdesk_demo_t_${randomBytes(4).toString('hex')}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, HELPDESK_DEMO_STATE: stateFile, HELPDESK_DEMO_DATABASE: database },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const run = { child, output: () => output, exited, stateFile, database, queuePrefix: database.replace(/_/g, '-'), dovecot: null as DemoRun['dovecot'] };
  // The state file exists while the demo runs (the life takes seconds): it names the demo's Dovecot.
  void (async () => {
    while (child.exitCode === null && !run.dovecot) {
      // Read while the demo may be writing it: a half-written file is read again on the next turn.
      const state = await readFile(stateFile, 'utf8').then(
        (t) => {
          try {
            return JSON.parse(t) as { imap: { dir: string } };
          } catch {
            return null;
          }
        },
        () => null,
      );
      const conf = state ? await readFile(join(state.imap.dir, 'dovecot.conf'), 'utf8').catch(() => '') : '';
      const instance = /^instance_name = (\S+)$/m.exec(conf)?.[1];
      if (state && instance) run.dovecot = { dir: state.imap.dir, instance };
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  running = run;
  return run;
}

async function exitCode(run: DemoRun): Promise<number | null> {
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), DEMO_TIMEOUT_MS));
  const code = await Promise.race([run.exited, timeout]);
  if (code === 'timeout') throw new Error(`the demo did not exit within ${DEMO_TIMEOUT_MS / 1000} s:\n${run.output()}`);
  return code;
}

/** Live processes whose command line names the instance or its directory (zombies are gone). */
async function dovecotProcesses(dovecot: { dir: string; instance: string }): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const state = (await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')).split(' ')[2];
    if ((cmdline.includes(`${dovecot.instance}/`) || cmdline.includes(dovecot.dir)) && state && state !== 'Z') pids.push(Number(entry));
  }
  return pids;
}

async function expectCleanedUp(run: DemoRun): Promise<void> {
  expect(run.dovecot, 'the demo wrote its state file while it ran').not.toBeNull();
  expect(await dovecotProcesses(run.dovecot!)).toEqual([]);
  expect(existsSync(run.dovecot!.dir)).toBe(false);
  expect(existsSync(run.stateFile)).toBe(false);
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    expect(await admin`select datname from pg_database where datname = ${run.database}`).toHaveLength(0);
  } finally {
    await admin.end();
  }
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  try {
    const [, keys] = await redis.scan('0', 'MATCH', `${run.queuePrefix}:*`, 'COUNT', 10_000);
    expect(keys).toEqual([]);
  } finally {
    redis.disconnect();
  }
}

/** The statuses the printed steps report, in order. */
function statuses(output: string): string[] {
  return [...output.matchAll(/✓ ticket #\d+: status (\w+), priority/g)].map((m) => m[1]!);
}

describe('npm run demo', () => {
  it('--exit: plays a ticket\'s whole life through the daemon, then leaves no Dovecot, database or Redis keys behind', { timeout: DEMO_TIMEOUT_MS + 60_000 }, async () => {
    const run = await startDemo(['--exit']);
    const code = await exitCode(run);
    const output = run.output();
    expect(code, output).toBe(0);

    expect(statuses(output)).toEqual(['new', 'answered', 'open', 'resolved', 'closed']);
    const order = [
      /Carol got the acknowledgement: "Re: Printer on fire \[#\d+\]"/,
      /Alice \(agent\) got the notification: "\[#\d+\] New ticket: Printer on fire"/,
      /Reply-To carries the reply token: support\+t\d+-[0-9a-z]+-[0-9a-z]+@demo\.test/,
      /status answered, priority high/,
      /Carol got the answer: /,
      /status open/,
      /status resolved/,
      /status closed/,
      /Carol got the notice: /,
      /tickets show \d+ --json` says: status closed, priority high/,
      /✓ daemon stopped/,
      /✓ Dovecot stopped/,
      /✓ database helpdesk_demo_t_\w+ dropped/,
    ].map((pattern) => output.search(pattern));
    expect(order.every((at) => at >= 0), output).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(output).not.toMatch(/✗/);
    await expectCleanedUp(run);
  });

  it('keeps running for `helpdesk demo send`, and Ctrl-C cleans everything up', { timeout: DEMO_TIMEOUT_MS + 60_000 }, async () => {
    const run = await startDemo([]);
    await waitFor(() => /Ctrl-C stops everything/.test(run.output()) || run.child.exitCode !== null, { timeoutMs: DEMO_TIMEOUT_MS, intervalMs: 200 });
    expect(run.child.exitCode, run.output()).toBeNull();
    expect(run.output()).toMatch(/new mail {4}node dist\/src\/cli\.js demo send "/);

    const env = { HELPDESK_DEMO_STATE: run.stateFile };
    const sent = await runCli(['demo', 'send', 'Second ticket', '--body', 'Sent by the demo test.'], env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain('sent "Second ticket"');
    await waitFor(() => /ticket #\d+ "Second ticket": new/.test(run.output()), { timeoutMs: 90_000, intervalMs: 200, what: 'the new ticket in the demo output' });

    run.child.kill('SIGINT');
    expect(await exitCode(run), run.output()).toBe(0);
    expect(run.output()).toMatch(/Cleaning up[\s\S]*✓ state file removed[\s\S]*✓ database helpdesk_demo_t_\w+ dropped/);
    await expectCleanedUp(run);

    const after = await runCli(['demo', 'send', 'Too late'], env);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('no demo is running');
  });
});
