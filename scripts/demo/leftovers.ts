import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoState } from '../../src/cli/demo.js';
import { instanceProcesses, signal } from '../../test/support/dovecot.js';

/**
 * What a demo killed without its cleanup (SIGKILL, a crash) left running: its
 * daemon and its Dovecot, found through the state file it wrote. Its database
 * and Redis keys are reset by the next demo anyway.
 */
export async function clearLeftovers(old: DemoState): Promise<void> {
  // Only the process that is still that daemon: a pid may have been reused since.
  const cmdline = await readFile(`/proc/${old.daemonPid}/cmdline`, 'utf8').catch(() => '');
  if (cmdline.includes(old.configFile)) signal([old.daemonPid], 'SIGKILL');

  const conf = await readFile(join(old.imap.dir, 'dovecot.conf'), 'utf8').catch(() => '');
  const instance = /^instance_name = (\S+)$/m.exec(conf)?.[1];
  const master = Number((await readFile(join(old.imap.dir, 'run', 'master.pid'), 'utf8').catch(() => '')).trim());
  if (master > 0 && (await commandLine(master)).includes(old.imap.dir)) signal([master], 'SIGTERM');
  if (instance) {
    // Its sessions outlive the master for a while (test/support/dovecot.ts): wait, then insist.
    const deadline = Date.now() + 5_000;
    while ((await instanceProcesses(instance)).length > 0 && Date.now() < deadline) await pause(100);
    signal(await instanceProcesses(instance), 'SIGKILL');
  }
  await rm(old.imap.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

async function commandLine(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
