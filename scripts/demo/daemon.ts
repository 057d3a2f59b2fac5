import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm run demo` builds it first). */
export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

/** `helpdesk start` as a child process of the demo, its output appended to a log file. */
export interface DaemonChild {
  readonly pid: number;
  running(): boolean;
  /** How it ended ("exit code 1", "killed by SIGKILL"), null while it runs. */
  exit(): string | null;
  /** SIGTERM (the daemon finishes what it has in hand), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnDaemon(configFile: string, logFile: string, env: Record<string, string>): DaemonChild {
  const fd = openSync(logFile, 'a');
  // Its own process group: a Ctrl-C in the terminal reaches the demo, which stops the daemon in its turn.
  const child = spawn(process.execPath, [CLI, 'start', '--config', configFile], {
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid ?? 0,
    running,
    exit: () => (running() ? null : child.signalCode ? `killed by ${child.signalCode}` : `exit code ${child.exitCode ?? '?'}`),
    async stop(graceMs = 12_000) {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

/** The daemon's log so far: JSON lines parsed, anything else (a crash's stack) as `{ msg, raw: true }`. */
export async function readLog(logFile: string): Promise<LogLine[]> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return { msg: line, raw: true };
      }
    });
}

/** Waits for a log line with this `msg` (counting only lines after `from`); null when the daemon exits or the deadline passes. */
export async function waitForLog(daemon: DaemonChild, logFile: string, msg: string, timeoutMs: number, from = 0): Promise<LogLine | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = !daemon.running();
    const found = (await readLog(logFile)).slice(from).find((l) => l.msg === msg);
    if (found) return found;
    if (exited || Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The last problems in the log, one short line each, for a failure message. */
export async function logProblems(logFile: string, from = 0, max = 4): Promise<string[]> {
  const lines = (await readLog(logFile)).slice(from);
  const problems = lines.filter((l) => l.raw || l.level === 'error' || l.level === 'fatal' || l.level === 'warn');
  return problems.slice(-max).map(summary);
}

/** What a daemon that crashed on start printed (a stack's first line, or the CLI's `CODE: message`), if anything. */
export async function crashMessage(logFile: string, from = 0): Promise<string | null> {
  const line = (await readLog(logFile)).slice(from).find((l) => l.raw && !String(l.msg).startsWith('(node:'));
  return line ? String(line.msg).slice(0, 200) : null;
}

function summary(l: LogLine): string {
  const error = l.error ?? l.err;
  const detail = error && typeof error === 'object' && 'message' in error ? `: ${String(error.message)}` : '';
  return `${l.raw ? '' : `${l.level} `}${String(l.msg)}${detail}`.slice(0, 200);
}
