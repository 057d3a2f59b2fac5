import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './dovecot.js';
import { waitFor } from './wait.js';

/** A private Redis for a test that must flush or stop it without touching anyone else's queues. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  flushAll(): Promise<void>;
  /**
   * Stops the server and waits for it to exit, keeping the port: nothing is
   * kept on disk, so a later `up()` starts it empty (a Redis that lost its data).
   */
  down(): Promise<void>;
  /** Starts the server again on the same port and waits for it to answer. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => undefined);
  let child: ChildProcess | null = null;

  const up = async () => {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    child = server;
    try {
      await waitFor(
        async () => {
          if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}`);
          if (client.status === 'wait' || client.status === 'end') await client.connect().catch(() => undefined);
          return (await client.ping().catch(() => null)) === 'PONG';
        },
        { what: 'redis-server to answer' },
      );
    } catch (err) {
      server.kill('SIGKILL');
      await exited(server);
      throw err;
    }
  };
  const down = async () => {
    const server = child;
    child = null;
    if (!server) return;
    server.kill('SIGTERM');
    await exited(server);
  };

  await up();
  return {
    url,
    port,
    async flushAll() {
      await client.flushall();
    },
    down,
    up,
    async stop() {
      client.disconnect();
      await down();
    },
  };
}
