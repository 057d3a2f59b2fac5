import { execFile, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { freePort } from './dovecot.js';
import { processAlive } from './process.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/**
 * A Postgres cluster of a test's own on a spare loopback port: a fault test
 * may terminate its connections, make it read-only or stop it without touching
 * the machine's shared server. Trust auth, user `postgres`, fsync off.
 */
export interface PrivatePostgres {
  readonly port: number;
  readonly dir: string;
  /** A URL for `database` on this cluster (the daemon creates it on start when missing). */
  url(database: string): string;
  /** A superuser connection to the `postgres` database, for faults and inspection. */
  readonly admin: postgres.Sql;
  /** Stops the cluster (immediate shutdown), waits for the postmaster to exit and removes the directory. */
  stop(): Promise<void>;
}

/** The newest installed server's binaries (Debian layout: /usr/lib/postgresql/<version>/bin). */
function binDir(): string {
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no Postgres server under /usr/lib/postgresql: install postgresql');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

async function lookupIds(name: string): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`user ${name} not found: install postgresql`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** initdb and the server refuse to run as root: as root, they run as the `postgres` OS user. */
function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  if (userInfo().uid !== 0) return [command, [...args]];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', command, ...args]];
}

/** Runs pg_ctl start, which forks the postmaster: waits for pg_ctl only, never for the server's inherited pipes. */
function detached(command: string, args: readonly string[]): Promise<void> {
  const [cmd, argv] = asServerUser(command, args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-pg-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'run');
  await mkdir(sockets);
  await chmod(dir, 0o755);
  if (userInfo().uid === 0) {
    const { uid, gid } = await lookupIds('postgres');
    for (const path of [dir, sockets]) await chown(path, uid, gid);
  }
  const port = await freePort();
  let postmaster: number | null = null;
  const stopServer = async () => {
    const [cmd, argv] = asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop']);
    await run(cmd, argv).catch(() => undefined);
    const pid = postmaster;
    if (pid !== null && processAlive(pid)) {
      process.kill(pid, 'SIGQUIT');
      await waitFor(() => !processAlive(pid), { timeoutMs: 10_000, what: 'the postmaster to exit' });
    }
  };
  try {
    const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await run(initCmd, initArgs);
    const options = [
      `-p ${port}`,
      `-k ${sockets}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=100',
    ].join(' ');
    await detached(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'postgres.log'), '-o', options, '-w', '-t', '30', 'start']);
    postmaster = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch (err) {
    await stopServer();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const admin = postgres(url('postgres'), { max: 2, onnotice: () => {}, connect_timeout: 5 });
  return {
    port,
    dir,
    url,
    admin,
    async stop() {
      await admin.end({ timeout: 2 }).catch(() => undefined);
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
