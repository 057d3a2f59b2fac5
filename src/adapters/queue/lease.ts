import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Lease } from '../../usecases/ports.js';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Leases in Redis: SET NX PX to take, compare-and-extend to renew, compare-and-delete to give back. */
export function redisLeases(redisUrl: string, prefix: string, ttlMs = 30_000): { lease(name: string): Lease; ping(): Promise<void>; close(): void } {
  // Commands wait for the connection (the first ones at start-up), but fail after one reconnect attempt.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false });
  redis.on('error', () => undefined);
  const timed = <T>(work: Promise<T>): Promise<T> =>
    Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('Redis did not answer within 3 s')), 3_000).unref())]);
  const token = randomUUID();
  return {
    lease(name) {
      const key = `${prefix}:lease:mailbox:${name}`;
      return {
        ttlMs,
        async acquire() {
          if ((await timed(redis.set(key, token, 'PX', ttlMs, 'NX'))) === 'OK') return true;
          return (await timed(redis.eval(RENEW, 1, key, token, ttlMs))) === 1;
        },
        async renew() {
          return (await timed(redis.eval(RENEW, 1, key, token, ttlMs))) === 1;
        },
        async release() {
          await timed(redis.eval(RELEASE, 1, key, token)).catch(() => undefined);
        },
      };
    },
    async ping() {
      await timed(redis.ping());
    },
    close() {
      redis.disconnect();
    },
  };
}
