import { readEnvironment } from '../environment.js';
import { createLogger } from '../logging.js';
import { startDaemon } from '../main.js';

/** `helpdesk start` stops within this after SIGTERM/SIGINT, whatever hangs. */
const STOP_DEADLINE_MS = 9_000;

/** `helpdesk start`: the daemon, until a signal stops it (SIGHUP reloads the config). */
export async function runStart(opts: { config?: string }): Promise<void> {
  const log = createLogger(process.env.LOG_LEVEL);
  // A stray rejection is logged, not fatal; an uncaught exception leaves unknown state: log and exit
  // (the supervisor restarts us, and nothing unflagged is lost).
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  const daemon = await startDaemon(readEnvironment(opts.config), log);
  let stopping = false;
  const shutdown = (signal: string) => {
    // A second signal means "now": no waiting for the mail in hand or the sends in flight.
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting at once');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'stopping: finishing the mail in hand and the sends in flight');
    // Whatever hangs, the process is gone within the deadline; nothing unflagged is lost.
    setTimeout(() => {
      log.error({ afterMs: STOP_DEADLINE_MS }, 'shutdown took too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => {
    log.info({ signal: 'SIGHUP' }, 'reloading the config');
    void daemon.reload();
  });
}
