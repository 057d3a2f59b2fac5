import type { Logger } from 'pino';
import type { WatcherState } from './mailbox-watcher.js';

/** One watcher as the start-up line counts it. */
export interface WatcherEntry {
  readonly name: string;
  /** host:port (serverKey). */
  readonly server: string;
  readonly state: WatcherState;
}

/** Mailboxes named in the start-up line at most (the rest are counted). */
const NAMED = 20;

/** What the start-up line says: counts by state, per server, and the mailboxes not watched yet. */
export function describeWatchers(entries: readonly WatcherEntry[]) {
  const count = (state: WatcherState) => entries.filter((e) => e.state === state).length;
  const servers: Record<string, Partial<Record<WatcherState, number>>> = {};
  for (const e of entries) {
    const byState = (servers[e.server] ??= {});
    byState[e.state] = (byState[e.state] ?? 0) + 1;
  }
  const watching = count('watching');
  const serverCount = Object.keys(servers).length;
  const others = (['standby', 'retrying', 'starting'] as const)
    .filter((state) => count(state) > 0)
    .map((state) => `${count(state)} ${state === 'standby' ? 'watched by another instance' : state}`);
  const total = entries.length;
  const summary =
    `watching ${watching === total ? '' : `${watching} of `}${total} mailbox${total === 1 ? '' : 'es'} ` +
    `on ${serverCount} server${serverCount === 1 ? '' : 's'}${others.length > 0 ? ` (${others.join(', ')})` : ''}`;
  const notWatching = entries.filter((e) => e.state === 'retrying' || e.state === 'starting').map((e) => e.name);
  return {
    summary,
    mailboxes: total,
    watching,
    standby: count('standby'),
    retrying: count('retrying'),
    starting: count('starting'),
    servers,
    ...(notWatching.length > 0 ? { notWatching: notWatching.slice(0, NAMED) } : {}),
  };
}

/**
 * Logs one line when every watcher has left `starting` (watching, standing by
 * or retrying), or after `patienceMs` at the latest: with hundreds of
 * mailboxes, the one line says how start-up went.
 */
export function logWhenStarted(
  entries: readonly { readonly name: string; readonly server: string; readonly state: () => WatcherState }[],
  log: Logger,
  patienceMs = 60_000,
): { stateChanged(): void; cancel(): void } {
  const startedAt = Date.now();
  let done = false;
  const report = () => {
    done = true;
    clearTimeout(timer);
    const described = describeWatchers(entries.map((e) => ({ name: e.name, server: e.server, state: e.state() })));
    log.info({ ...described, ms: Date.now() - startedAt }, 'watchers started');
  };
  const timer = setTimeout(report, patienceMs);
  timer.unref();
  const cancel = () => {
    done = true;
    clearTimeout(timer);
  };
  return {
    stateChanged() {
      if (done) return;
      // Stopping before everything started: no line, the stop says enough.
      if (entries.some((e) => e.state() === 'stopped')) cancel();
      else if (entries.every((e) => e.state() !== 'starting')) report();
    },
    cancel,
  };
}
