import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTransport } from 'nodemailer';

export interface DemoSendOptions {
  readonly from?: string;
  readonly body?: string;
}

/** What a running `npm run demo` writes for `helpdesk demo send` (and for a later demo to clean up after a crashed one). */
export interface DemoState {
  /** The demo process; the state is stale when it is gone. */
  readonly pid: number;
  readonly daemonPid: number;
  readonly startedAt: string;
  readonly support: string;
  readonly agent: string;
  readonly customer: string;
  /** The demo's mail relay: accepts any mail and delivers it into the Dovecot mailboxes. */
  readonly smtp: { readonly host: string; readonly port: number };
  /** The demo's Dovecot: every address logs in with this password (a throwaway, not a secret). */
  readonly imap: { readonly host: string; readonly port: number; readonly password: string; readonly dir: string };
  readonly databaseUrl: string;
  readonly queuePrefix: string;
  readonly configFile: string;
  readonly logFile: string;
  /** The web view, when the daemon's HTTP server started. */
  readonly web: { readonly url: string; readonly token: string } | null;
}

/**
 * Where the demo keeps its state: `HELPDESK_DEMO_STATE` (tests run demos of
 * their own beside a user's), else `.demo/state.json` in the repository.
 */
export function demoStatePath(): string {
  if (process.env.HELPDESK_DEMO_STATE) return process.env.HELPDESK_DEMO_STATE;
  // This file runs from src/cli (tsx) or dist/src/cli (built): the repository is the nearest folder with a package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, '.demo', 'state.json');
}

/** The state of the demo running now, or why there is none. */
export async function readDemoState(path = demoStatePath()): Promise<{ ok: true; state: DemoState } | { ok: false; problem: string; stale?: DemoState }> {
  let state: DemoState;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as DemoState;
  } catch {
    return { ok: false, problem: `no demo is running (${shortPath(path)} does not exist): start one with \`npm run demo\`` };
  }
  if (!alive(state.pid)) {
    return { ok: false, problem: `the demo that wrote ${shortPath(path)} (pid ${state.pid}) is not running any more: start one with \`npm run demo\``, stale: state };
  }
  return { ok: true, state };
}

/** `helpdesk demo send SUBJECT`: a customer mail into the running demo's support mailbox. */
export async function runDemoSend(subject: string, opts: DemoSendOptions): Promise<void> {
  const found = await readDemoState();
  if (!found.ok) {
    console.error(found.problem);
    process.exitCode = 1;
    return;
  }
  const { state } = found;
  const from = opts.from ?? `Carol Customer <${state.customer}>`;
  const transport = createTransport({ host: state.smtp.host, port: state.smtp.port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({
      from,
      to: state.support,
      subject,
      text: opts.body ?? `Hello,\n\nthis mail was sent with \`helpdesk demo send\`.\n\n${addressOf(from)}`,
    });
  } catch (err) {
    console.error(`the demo's mail relay (${state.smtp.host}:${state.smtp.port}) did not take the mail: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
    return;
  } finally {
    transport.close();
  }
  console.log(`sent "${subject}" from ${addressOf(from)} to ${state.support} (the demo's relay delivers it to the support mailbox)`);
  console.log('the daemon makes it a ticket within seconds; the demo terminal shows the mail it sends');
  console.log(`  tickets:  DATABASE_URL=${state.databaseUrl} node dist/src/cli.js tickets list`);
  console.log(`  log:      ${shortPath(state.logFile)}`);
}

function addressOf(mailbox: string): string {
  return /<([^>]+)>/.exec(mailbox)?.[1] ?? mailbox.trim();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
