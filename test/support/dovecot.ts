import { execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/** A throwaway Dovecot on a loopback port; any user name logs in with PASSWORD. */
export interface Dovecot {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  /** A fresh user name, so tests share nothing. */
  newUser(prefix?: string): string;
  /** Runs doveadm against this instance. */
  doveadm(args: readonly string[]): Promise<string>;
  /** Stops the server and waits for every process of it (sessions too) to exit, keeping its directory, mail and port. */
  down(): Promise<void>;
  /** Starts the server again with the same config (same port, same mail) and waits for it to listen. */
  up(): Promise<void>;
  /**
   * Delivers a message as an MTA would, straight into the user's Maildir
   * (`tmp/`, then renamed into `new/`), readable by the server's user: works
   * while the server is down.
   */
  deliver(user: string, raw: string | Buffer): Promise<void>;
  stop(): Promise<void>;
}

/** Distinctive, so a test can assert it appears in no log line. */
export const DOVECOT_PASSWORD = 'imap-pw-4e1c9b7d';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function lookupUid(name: string): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`user ${name} not found: install dovecot-imapd`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Options of a throwaway Dovecot; none gives the default (any user logs in with DOVECOT_PASSWORD). */
export interface DovecotOptions {
  /**
   * Also an OAuth2 passdb for XOAUTH2 and OAUTHBEARER: a token is good when
   * this RFC 7662 endpoint (POST `token=…`) answers `active: true` and a
   * `username` equal to the login name. PLAIN/LOGIN keep DOVECOT_PASSWORD.
   */
  readonly oauth2?: { readonly introspectionUrl: string };
}

/** The oauth2 passdb's own file (Dovecot 2.3 `dovecot-oauth2.conf.ext`). */
function oauth2Config(introspectionUrl: string): string {
  return `introspection_mode = post
introspection_url = ${introspectionUrl}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
`;
}

/** Passdbs of the oauth2 option: tokens for the OAuth mechanisms, the password for the others. */
function oauth2Passdbs(dir: string): string {
  return `auth_mechanisms = plain login xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/dovecot-oauth2.conf.ext
}
passdb {
  driver = static
  mechanisms = plain login
  args = password=${DOVECOT_PASSWORD}
}`;
}

function config(dir: string, port: number, runAs: string, instance: string, options: DovecotOptions = {}): string {
  const passdb = options.oauth2
    ? oauth2Passdbs(dir)
    : `auth_mechanisms = plain login
passdb {
  driver = static
  args = password=${DOVECOT_PASSWORD}
}`;
  return `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = ${instance}
ssl = no
disable_plaintext_auth = no
default_login_user = ${runAs}
default_internal_user = ${runAs}
default_internal_group = ${runAs}
mail_uid = ${runAs}
mail_gid = ${runAs}
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_fsync = never
maildir_very_dirty_syncs = yes
mail_max_userip_connections = 200
auth_failure_delay = 0
# The command a session is in shows in its process title (e.g. IDLE): tests can wait for it.
verbose_proctitle = yes
${passdb}
userdb {
  driver = static
  args = home=${dir}/mail/%d/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  chroot =
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function processGone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.split(' ')[2] === 'Z';
  } catch {
    return true;
  }
}

/** Processes of one instance: their titles name it (`dovecot-<instance>/imap [...]`). Zombies are gone. */
export async function instanceProcesses(instance: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(`${instance}/`) && !(await processGone(Number(entry)))) pids.push(Number(entry));
  }
  return pids;
}

/** Sends a signal to each process, ignoring those already gone. */
export function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

/** Runs a command that forks a daemon: waits for the foreground process only, not for inherited pipes. */
function daemonize(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/** Starts Dovecot with its own config in a temp dir (recipe: shared/mail-testing.md). */
export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  const isRoot = userInfo().uid === 0;
  const runAs = isRoot ? 'dovecot' : userInfo().username;
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-dovecot-'));
  await chmod(dir, 0o755);
  for (const sub of ['run', 'state', 'mail']) await mkdir(join(dir, sub));
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  const instance = `helpdesk-test-${randomBytes(4).toString('hex')}`;
  await writeFile(conf, config(dir, port, runAs, instance, options));
  const oauth2File = join(dir, 'dovecot-oauth2.conf.ext');
  if (options.oauth2) await writeFile(oauth2File, oauth2Config(options.oauth2.introspectionUrl));
  const owner = isRoot ? await lookupUid(runAs) : null;
  if (owner) {
    for (const path of [dir, join(dir, 'run'), join(dir, 'state'), join(dir, 'mail'), conf]) await chown(path, owner.uid, owner.gid);
    if (options.oauth2) await chown(oauth2File, owner.uid, owner.gid);
  }
  let pid = 0;
  const up = async () => {
    if (isRoot) await daemonize('setpriv', ['--reuid=dovecot', '--regid=dovecot', '--clear-groups', 'dovecot', '-c', conf]);
    else await daemonize('dovecot', ['-c', conf]);
    try {
      await waitFor(() => portOpen(port), { timeoutMs: 10_000, what: `dovecot listening on ${port}` });
      // The master writes its pid file a moment after it starts listening.
      pid = await waitFor(
        async () => {
          const written = Number((await readFile(join(dir, 'run', 'master.pid'), 'utf8')).trim());
          return written !== pid && !(await processGone(written)) ? written : 0;
        },
        { timeoutMs: 10_000, what: 'dovecot master.pid' },
      );
    } catch (err) {
      // Never leave a half-started instance behind.
      await run('pkill', ['-f', conf]).catch(() => undefined);
      throw err;
    }
  };
  const down = async () => {
    signal([pid], 'SIGTERM');
    await waitFor(() => processGone(pid), { timeoutMs: 10_000, what: 'dovecot to stop' });
    // Sessions outlive their master for up to 10 s, still serving their clients (IDLE included):
    // a stopped server is one whose every process is gone.
    signal(await instanceProcesses(instance), 'SIGTERM');
    try {
      await waitFor(async () => (await instanceProcesses(instance)).length === 0, { timeoutMs: 3_000, what: 'dovecot processes to exit' });
    } catch {
      signal(await instanceProcesses(instance), 'SIGKILL');
      await waitFor(async () => (await instanceProcesses(instance)).length === 0, { timeoutMs: 5_000, what: 'dovecot processes to be killed' });
    }
  };
  await up();
  let counter = 0;
  return {
    host: '127.0.0.1',
    port,
    dir,
    newUser: (prefix = 'user') => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}@example.test`,
    async doveadm(args) {
      const cmd = isRoot ? ['setpriv', ['--reuid=dovecot', '--regid=dovecot', '--clear-groups', 'doveadm', '-c', conf, ...args]] : ['doveadm', ['-c', conf, ...args]];
      const { stdout } = await run(cmd[0] as string, cmd[1] as string[]);
      return stdout;
    },
    down,
    up,
    async deliver(user, raw) {
      const [local, domain] = user.split('@') as [string, string];
      // The userdb's home: <dir>/mail/%d/%n; mail_location = maildir:~/Maildir.
      const home = join(dir, 'mail', domain, local);
      const maildir = join(home, 'Maildir');
      const name = `${Date.now()}.M${process.hrtime.bigint()}P${process.pid}R${randomBytes(4).toString('hex')}.helpdesk-test`;
      const created: string[] = [];
      for (const path of [join(dir, 'mail', domain), home, maildir, join(maildir, 'tmp'), join(maildir, 'new'), join(maildir, 'cur')]) {
        if (await mkdir(path, { mode: 0o700 }).then(() => true, () => false)) created.push(path);
      }
      const tmpFile = join(maildir, 'tmp', name);
      await writeFile(tmpFile, raw, { mode: 0o600 });
      if (owner) for (const path of [...created, tmpFile]) await chown(path, owner.uid, owner.gid);
      await rename(tmpFile, join(maildir, 'new', name));
    },
    async stop() {
      await down();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
