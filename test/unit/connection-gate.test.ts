import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionGate, isServerFault, serverKey, type LoginTurn } from '../../src/adapters/imap/connection-gate.js';
import { toImapError } from '../../src/adapters/imap/errors.js';
import { describeWatchers, logWhenStarted } from '../../src/adapters/imap/watch-summary.js';
import type { WatcherState } from '../../src/adapters/imap/mailbox-watcher.js';
import { AppError } from '../../src/errors.js';

const SERVER = 'imap.example.test:993';
const BACKOFF = { initialMs: 1_000, maxMs: 60_000 };

/** A gate with no jitter (random 0.5 → factor 1.0) and `perServer` logins at once. */
function gate(perServer = 2) {
  return new ConnectionGate({ perServer: () => perServer, backoff: BACKOFF, random: () => 0.5 });
}

/** Asks for `n` turns, recording the order in which they are granted. */
function ask(g: ConnectionGate, n: number, server = SERVER, signal?: AbortSignal) {
  const granted: { index: number; turn: LoginTurn }[] = [];
  const settled = Array.from({ length: n }, (_, index) =>
    g.turn(server, signal).then(
      (turn) => void granted.push({ index, turn }),
      (err: Error) => err,
    ),
  );
  return { granted, settled, order: () => granted.map((g) => g.index) };
}

/** Lets granted promises run their callbacks. */
const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionGate: bounded concurrency', () => {
  it('never lets more than perServer logins be in flight, and grants the rest in arrival order', async () => {
    const g = gate(3);
    const asked = ask(g, 10);
    await flush();
    expect(asked.order()).toEqual([0, 1, 2]);
    expect(g.snapshot(SERVER)).toMatchObject({ inFlight: 3, waiting: 7 });

    // End them in another order than they started: the next waiter in line gets each freed slot.
    let maxInFlight = 0;
    for (const pick of [1, 0, 2, 4, 3, 6, 5, 7, 9, 8]) {
      const entry = await vi.waitUntil(() => asked.granted.find((x) => x.index === pick));
      entry.turn.succeeded();
      await flush();
      maxInFlight = Math.max(maxInFlight, g.snapshot(SERVER).inFlight);
    }
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(asked.order()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(g.snapshot(SERVER)).toMatchObject({ inFlight: 0, waiting: 0, failures: 0 });
  });

  it('keeps servers apart: a full server does not hold up another', async () => {
    const g = gate(1);
    const a = ask(g, 2, 'a.example.test:143');
    const b = ask(g, 1, 'b.example.test:143');
    await flush();
    expect(a.order()).toEqual([0]);
    expect(b.order()).toEqual([0]);
  });

  it('reads the limit at every grant, so a reloaded config applies', async () => {
    let limit = 1;
    const g = new ConnectionGate({ perServer: () => limit, backoff: BACKOFF, random: () => 0.5 });
    const asked = ask(g, 4);
    await flush();
    expect(asked.order()).toEqual([0]);
    limit = 3;
    asked.granted[0]!.turn.succeeded();
    await flush();
    expect(asked.order()).toEqual([0, 1, 2, 3]);
  });

  it('ends a turn once: a second end does not free another slot', async () => {
    const g = gate(1);
    const asked = ask(g, 3);
    await flush();
    const first = asked.granted[0]!.turn;
    first.succeeded();
    first.release();
    first.failed();
    await flush();
    expect(asked.order()).toEqual([0, 1]);
    expect(g.snapshot(SERVER)).toMatchObject({ inFlight: 1, failures: 0 });
  });

  it('takes a waiter out of line when its signal aborts (a watcher stopping)', async () => {
    const g = gate(1);
    const first = ask(g, 1);
    const controller = new AbortController();
    const aborted = ask(g, 1, SERVER, controller.signal);
    const third = ask(g, 1);
    await flush();
    controller.abort();
    const [err] = await Promise.all(aborted.settled);
    expect(err).toMatchObject({ name: 'AbortError' });
    first.granted[0]!.turn.release();
    await flush();
    expect(third.order()).toEqual([0]);
    expect(g.snapshot(SERVER)).toMatchObject({ inFlight: 1, waiting: 0 });
  });

  it('rejects at once when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(gate().turn(SERVER, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('ConnectionGate: shared backoff per server', () => {
  /** Fails logins one after another, each as soon as it is granted; returns when each was granted (ms since start). */
  async function failInTurn(g: ConnectionGate, times: number): Promise<number[]> {
    const start = Date.now();
    const grantedAt: number[] = [];
    for (let i = 0; i < times; i++) {
      const turn = g.turn(SERVER);
      await vi.runOnlyPendingTimersAsync();
      const t = await turn;
      grantedAt.push(Date.now() - start);
      t.failed();
    }
    return grantedAt;
  }

  it('delays the next login after each failure, doubling up to the maximum', async () => {
    const g = gate(8);
    const grantedAt = await failInTurn(g, 9);
    const gaps = grantedAt.slice(1).map((t, i) => t - grantedAt[i]!);
    expect(gaps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(g.snapshot(SERVER).failures).toBe(9);
  });

  it('admits only one login at a time while the server is failing, and all of them again after a success', async () => {
    const g = gate(4);
    const first = await g.turn(SERVER);
    first.failed();
    const asked = ask(g, 6);
    await flush();
    expect(asked.order()).toEqual([]);
    expect(g.snapshot(SERVER)).toMatchObject({ failures: 1, waiting: 6, retryInMs: 1_000 });

    await vi.advanceTimersByTimeAsync(999);
    expect(asked.order()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked.order()).toEqual([0]); // the probe

    asked.granted[0]!.turn.succeeded();
    await flush();
    expect(asked.order()).toEqual([0, 1, 2, 3, 4]);
    expect(g.snapshot(SERVER)).toMatchObject({ failures: 0, retryInMs: 0, inFlight: 4 });
  });

  it('counts logins that fail together once (one outage, not one per mailbox)', async () => {
    const g = gate(4);
    const asked = ask(g, 4);
    await flush();
    for (const { turn } of asked.granted) turn.failed();
    expect(g.snapshot(SERVER)).toMatchObject({ failures: 1, retryInMs: 1_000 });
  });

  it('does not count a failure that ends beside a success, nor a mailbox of its own refusing', async () => {
    const g = gate(4);
    const asked = ask(g, 3);
    await flush();
    asked.granted[0]!.turn.succeeded();
    asked.granted[1]!.turn.failed(); // granted before that success
    asked.granted[2]!.turn.release(); // e.g. its credentials were rejected
    expect(g.snapshot(SERVER)).toMatchObject({ failures: 0, retryInMs: 0 });
  });

  it('resets after a success: the next failure starts the backoff over', async () => {
    const g = gate(2);
    await failInTurn(g, 4);
    expect(g.snapshot(SERVER).failures).toBe(4);
    const probe = g.turn(SERVER);
    await vi.runOnlyPendingTimersAsync();
    (await probe).succeeded();
    expect(g.snapshot(SERVER)).toMatchObject({ failures: 0, retryInMs: 0 });
    (await g.turn(SERVER)).failed();
    expect(g.snapshot(SERVER)).toMatchObject({ failures: 1, retryInMs: 1_000 });
  });

  it('jitters each delay by ±20 %', async () => {
    for (const [random, expected] of [
      [0, 800],
      [0.999999, 1_200],
    ] as const) {
      const g = new ConnectionGate({ perServer: () => 2, backoff: BACKOFF, random: () => random });
      (await g.turn(SERVER)).failed();
      expect(g.snapshot(SERVER).retryInMs).toBe(expected);
    }
  });
});

describe('isServerFault', () => {
  it.each([
    ['connection refused', toImapError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:143' }, 'mailbox a'), true],
    ['greeting timeout', toImapError({ code: 'GREETING_TIMEOUT', message: 'no greeting' }, 'mailbox a'), true],
    ['dropped / BYE', toImapError(new Error('Connection not available'), 'mailbox a'), true],
    ['credentials rejected', toImapError({ authenticationFailed: true, message: 'AUTHENTICATIONFAILED' }, 'mailbox a'), false],
    ['folder missing', toImapError({ serverResponseCode: 'NONEXISTENT', message: 'no such mailbox' }, 'mailbox a'), false],
    ['something not IMAP', new AppError('CONFIG_INVALID', 'x'), false],
    ['not ours at all', new Error('boom'), false],
  ])('%s → %s', (_what, err, expected) => {
    expect(isServerFault(err)).toBe(expected);
  });

  it('keys servers by host (any case) and port', () => {
    expect(serverKey('IMAP.Example.test', 993)).toBe(serverKey('imap.example.test', 993));
    expect(serverKey('imap.example.test', 143)).not.toBe(serverKey('imap.example.test', 993));
  });
});

describe('the start-up line', () => {
  const entry = (name: string, state: WatcherState, server = 'imap.example.test:993') => ({ name, server, state });

  it.each([
    [[entry('a', 'watching'), entry('b', 'watching')], 'watching 2 mailboxes on 1 server'],
    [[entry('a', 'watching')], 'watching 1 mailbox on 1 server'],
    [[entry('a', 'watching'), entry('b', 'watching', 'other.example.test:143')], 'watching 2 mailboxes on 2 servers'],
    [
      [entry('a', 'watching'), entry('b', 'standby'), entry('c', 'retrying'), entry('d', 'starting')],
      'watching 1 of 4 mailboxes on 1 server (1 watched by another instance, 1 retrying, 1 starting)',
    ],
    [[entry('a', 'standby'), entry('b', 'standby')], 'watching 0 of 2 mailboxes on 1 server (2 watched by another instance)'],
  ])('%j → %s', (entries, summary) => {
    expect(describeWatchers(entries).summary).toBe(summary);
  });

  it('counts by server and names the mailboxes not watched yet', () => {
    const described = describeWatchers([entry('a', 'watching'), entry('b', 'retrying'), entry('c', 'watching', 'other:143')]);
    expect(described).toMatchObject({
      mailboxes: 3,
      watching: 2,
      retrying: 1,
      servers: { 'imap.example.test:993': { watching: 1, retrying: 1 }, 'other:143': { watching: 1 } },
      notWatching: ['b'],
    });
  });

  function fakeLog() {
    const lines: { fields: Record<string, unknown>; msg: string }[] = [];
    return { lines, log: { info: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }) } as never };
  }

  it('is logged once, when the last watcher leaves starting', () => {
    const states: WatcherState[] = ['starting', 'starting'];
    const { lines, log } = fakeLog();
    const started = logWhenStarted(states.map((_, i) => ({ name: `m${i}`, server: 's:1', state: () => states[i]! })), log);
    states[0] = 'watching';
    started.stateChanged();
    expect(lines).toHaveLength(0);
    states[1] = 'standby';
    started.stateChanged();
    states[0] = 'retrying';
    started.stateChanged();
    expect(lines).toEqual([{ msg: 'watchers started', fields: expect.objectContaining({ watching: 1, standby: 1 }) }]);
  });

  it('is logged after its patience runs out when a watcher is still waiting', () => {
    const states: WatcherState[] = ['watching', 'starting'];
    const { lines, log } = fakeLog();
    logWhenStarted(states.map((_, i) => ({ name: `m${i}`, server: 's:1', state: () => states[i]! })), log, 60_000);
    vi.advanceTimersByTime(60_000);
    expect(lines).toEqual([{ msg: 'watchers started', fields: expect.objectContaining({ watching: 1, starting: 1, notWatching: ['m1'] }) }]);
  });

  it('is not logged when the daemon stops first', () => {
    const states: WatcherState[] = ['starting', 'starting'];
    const { lines, log } = fakeLog();
    const started = logWhenStarted(states.map((_, i) => ({ name: `m${i}`, server: 's:1', state: () => states[i]! })), log);
    states[0] = 'stopped';
    started.stateChanged();
    states[1] = 'stopped';
    started.stateChanged();
    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(0);
  });
});
