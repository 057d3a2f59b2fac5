import { isAppError } from '../../errors.js';

/**
 * A watcher's turn to log in to its server. End it once the login is done:
 * `succeeded` (the server answered and let us in), `failed` (the server
 * refused or failed the connection) or `release` (neither: the mailbox's own
 * problem, or no attempt was made). Only the first call counts.
 */
export interface LoginTurn {
  /** How long the turn was waited for (queue and server backoff), ms. */
  readonly waitedMs: number;
  succeeded(): void;
  failed(): void;
  release(): void;
}

export interface ConnectionGateOptions {
  /** Logins in flight at once to one server; read at every grant, so a reload applies. */
  readonly perServer: () => number;
  /** The shared backoff of a failing server: initialMs after its first failure, doubling up to maxMs. */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** In [0, 1): the jitter (±20 %); Math.random unless a test fixes it. */
  readonly random?: () => number;
}

export interface ServerSnapshot {
  readonly inFlight: number;
  readonly waiting: number;
  /** Consecutive failed logins (attempts that fail together count once); 0 after any success. */
  readonly failures: number;
  /** ms until the next login may start; 0 when it may start now. */
  readonly retryInMs: number;
}

interface Waiter {
  readonly since: number;
  readonly grant: (turn: LoginTurn) => void;
}

interface Server {
  inFlight: number;
  readonly queue: Waiter[];
  failures: number;
  /** No login starts before this time (Date.now()). */
  notBefore: number;
  /**
   * Bumped by every success and every counted failure: a turn that fails after
   * either (it was granted before) is not counted, so a wave of attempts that
   * fail together counts once, and a failure beside successes not at all.
   */
  generation: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Admits IMAP logins per server (host:port): at most `perServer()` in flight,
 * the rest wait in arrival order. After a failed login the server backs off
 * for everyone: no login starts until its (jittered, doubling) delay has
 * passed, and then only one at a time — a probe — until one succeeds, which
 * resets it. So a server that refuses us sees one attempt per backoff period,
 * however many mailboxes it holds.
 */
export class ConnectionGate {
  private readonly options: ConnectionGateOptions;
  private readonly servers = new Map<string, Server>();

  constructor(options: ConnectionGateOptions) {
    this.options = options;
  }

  /** Waits for a turn to log in to `server`; rejects with an AbortError when `signal` aborts first. */
  turn(server: string, signal?: AbortSignal): Promise<LoginTurn> {
    if (signal?.aborted) return Promise.reject(abortError());
    const state = this.server(server);
    return new Promise<LoginTurn>((resolve, reject) => {
      const onAbort = () => {
        const index = state.queue.indexOf(waiter);
        if (index >= 0) state.queue.splice(index, 1);
        this.pump(server, state);
        reject(abortError());
      };
      const waiter: Waiter = {
        since: Date.now(),
        grant: (turn) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(turn);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      state.queue.push(waiter);
      this.pump(server, state);
    });
  }

  snapshot(server: string): ServerSnapshot {
    const state = this.servers.get(server);
    if (!state) return { inFlight: 0, waiting: 0, failures: 0, retryInMs: 0 };
    return { inFlight: state.inFlight, waiting: state.queue.length, failures: state.failures, retryInMs: Math.max(0, state.notBefore - Date.now()) };
  }

  private server(key: string): Server {
    let state = this.servers.get(key);
    if (!state) {
      state = { inFlight: 0, queue: [], failures: 0, notBefore: 0, generation: 0, timer: null };
      this.servers.set(key, state);
    }
    return state;
  }

  /** Grants turns while the server's limit and backoff allow; else arms one timer for the end of the backoff. */
  private pump(key: string, state: Server): void {
    const limit = state.failures > 0 ? 1 : Math.max(1, this.options.perServer());
    while (state.queue.length > 0 && state.inFlight < limit) {
      const wait = state.notBefore - Date.now();
      if (wait > 0) {
        if (!state.timer) {
          state.timer = setTimeout(() => {
            state.timer = null;
            this.pump(key, state);
          }, wait);
        }
        return;
      }
      const waiter = state.queue.shift()!;
      state.inFlight++;
      waiter.grant(this.grant(key, state, waiter.since));
    }
    if (state.queue.length === 0 && state.timer) {
      clearTimeout(state.timer);
      state.timer = null;
    }
    if (state.queue.length === 0 && state.inFlight === 0 && state.failures === 0) this.servers.delete(key);
  }

  private grant(key: string, state: Server, since: number): LoginTurn {
    const generation = state.generation;
    let ended = false;
    const end = (outcome: 'succeeded' | 'failed' | 'released') => {
      if (ended) return;
      ended = true;
      state.inFlight--;
      if (outcome === 'succeeded') {
        state.failures = 0;
        state.notBefore = 0;
        state.generation++;
      } else if (outcome === 'failed' && generation === state.generation) {
        state.failures++;
        state.generation++;
        state.notBefore = Date.now() + this.delay(state.failures);
      }
      this.pump(key, state);
    };
    return {
      waitedMs: Date.now() - since,
      succeeded: () => end('succeeded'),
      failed: () => end('failed'),
      release: () => end('released'),
    };
  }

  private delay(failures: number): number {
    const { initialMs, maxMs } = this.options.backoff;
    const base = Math.min(maxMs, initialMs * 2 ** (failures - 1));
    return Math.round(base * (0.8 + (this.options.random ?? Math.random)() * 0.4));
  }
}

/**
 * Whether a failed login is the server's doing (refused, timed out, dropped,
 * answered BYE) and so backs off everyone on it, or the mailbox's own (its
 * credentials, its folder), which backs off that mailbox alone.
 */
export function isServerFault(err: unknown): boolean {
  return isAppError(err, 'IMAP_CONNECT') || isAppError(err, 'IMAP_COMMAND');
}

/** The gate's key of a server. */
export function serverKey(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}

function abortError(): Error {
  return Object.assign(new Error('waiting for a login turn was aborted'), { name: 'AbortError' });
}
