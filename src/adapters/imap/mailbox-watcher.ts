import { ImapFlow } from 'imapflow';
import type { Logger as PinoLogger } from 'pino';
import type { MailboxConfig } from '../../config/schema.js';
import { errorForLog, isAppError } from '../../errors.js';
import type { Lease, MailboxSession } from '../../usecases/ports.js';
import type { MailboxHealth } from '../../telemetry.js';
import { signIn, type MailboxTokens, type SignInCredentials } from '../oauth/mailbox-tokens.js';
import { CoalescingRunner } from './coalescing-runner.js';
import { isServerFault, serverKey, type ConnectionGate, type LoginTurn } from './connection-gate.js';
import { imapClientOptions, imapPort } from './client-options.js';
import { toImapError } from './errors.js';
import { imapSession } from './session.js';

export interface WatcherOptions {
  readonly mailbox: MailboxConfig;
  readonly log: PinoLogger;
  /** Brings the folder up to date; called on connect, on new mail and every poll interval. */
  readonly sync: (session: MailboxSession) => Promise<unknown>;
  /** Reconnect backoff bounds. */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
  /** With several daemons, only the holder of this lease watches the mailbox. */
  readonly lease?: Lease;
  /** Kept up to date for `/readyz`, `/metrics` and the web view. */
  readonly health?: MailboxHealth;
  /** Access tokens, for a mailbox with `imap.auth` (OAuth2): a fresh one before each connect. */
  readonly tokens?: MailboxTokens;
  /** Called on every failed or lost connection before its retry. */
  readonly onReconnect?: () => void;
  /**
   * Admits logins per server (bounded concurrency, shared backoff); shared by
   * every watcher of the daemon. Without it each watcher logs in when it likes.
   */
  readonly gate?: ConnectionGate;
  /** Called after every change of `state`. */
  readonly onStateChange?: () => void;
}

export type WatcherState = 'starting' | 'watching' | 'retrying' | 'standby' | 'stopped';

/** A connection that lasted this long resets the backoff. */
const STABLE_MS = 60_000;

/**
 * Keeps one IMAP connection to a mailbox's folder open: syncs on connect, on
 * every new-mail notification (IDLE) and every poll interval; reconnects with
 * exponential backoff after drops and failures, logging each; never gives up.
 */
export class MailboxWatcher {
  private readonly opts: WatcherOptions;
  private readonly log: PinoLogger;
  private stopped = false;
  private client: ImapFlow | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private currentState: WatcherState = 'starting';
  /** Set when another instance took the lease: the connection ends without that being a failure. */
  private leaseLost = false;
  /** The current connection's sync runner, so that stop() can let the mail in hand finish. */
  private runner: CoalescingRunner | null = null;
  /** Aborted by stop(): ends a wait for a login turn. */
  private readonly abort = new AbortController();

  constructor(opts: WatcherOptions) {
    this.opts = opts;
    this.log = opts.log.child({ mailbox: opts.mailbox.name });
  }

  get state(): WatcherState {
    return this.currentState;
  }

  private set state(state: WatcherState) {
    this.currentState = state;
    const health = this.opts.health;
    if (health) {
      health.state = state;
      health.connected = state === 'watching';
    }
    this.opts.onStateChange?.();
  }

  /** Records a failure (connection or sync) in the mailbox's health. */
  private failed(err: unknown): void {
    const health = this.opts.health;
    if (!health) return;
    health.errorStreak++;
    health.lastError = { ...errorSummary(err), at: new Date() };
  }

  /** Records a completed sync in the mailbox's health. */
  private synced(): void {
    const health = this.opts.health;
    if (!health) return;
    health.errorStreak = 0;
    health.lastSyncAt = new Date();
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** True once stop() was called: a sync in progress finishes the mail in hand and ends. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Stops watching: the sync in progress finishes its mail (flagged, resume point saved), then IMAP logs out. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.state = 'stopped';
    this.abort.abort();
    this.wake?.();
    await this.runner?.close();
    const client = this.client;
    if (client) await client.logout().catch(() => client.close());
    await this.loop;
    await this.opts.lease?.release();
  }

  /**
   * Takes (or keeps) the mailbox's lease. Without Redis the watcher goes on
   * without one: the per-message lock in Postgres still keeps every mail
   * exactly once, and mail keeps flowing.
   */
  private async holdLease(): Promise<boolean> {
    const lease = this.opts.lease;
    if (!lease) return true;
    try {
      const held = await lease.acquire();
      if (!held && this.currentState !== 'standby') {
        this.state = 'standby';
        this.log.info({}, 'mailbox watched by another instance; standing by');
      }
      return held;
    } catch (err) {
      this.log.warn({ error: errorSummary(err) }, 'mailbox lease unavailable (Redis); watching without it');
      return true;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (!(await this.holdLease())) {
        await this.sleep((this.opts.lease?.ttlMs ?? 30_000) / 3);
        continue;
      }
      const turn = await this.loginTurn();
      if (!turn) continue; // stopped, or the lease went to another instance while we waited
      const started = Date.now();
      let reason: unknown = null;
      try {
        await this.connection(turn);
      } catch (err) {
        reason = toImapError(err, `mailbox ${this.opts.mailbox.name}`);
      } finally {
        turn.release(); // a no-op once the login ended it
      }
      if (this.stopped) break;
      if (this.leaseLost) {
        this.leaseLost = false;
        continue;
      }
      failures = Date.now() - started > STABLE_MS ? 1 : failures + 1;
      const delay = this.backoff(failures);
      this.state = 'retrying';
      this.failed(reason);
      this.opts.onReconnect?.();
      const { host, folder } = this.opts.mailbox.imap;
      this.log.warn(
        { host, port: this.port(), folder, attempt: failures, retryInMs: delay, error: errorSummary(reason) },
        'mailbox unreachable or connection lost; retrying',
      );
      await this.sleep(delay);
    }
  }

  /**
   * Waits for a turn to log in to this mailbox's server (at once without a
   * gate). Null when stop() came first, or when the lease went to another
   * instance during a long wait.
   */
  private async loginTurn(): Promise<LoginTurn | null> {
    const gate = this.opts.gate;
    if (!gate) return UNGATED;
    let turn: LoginTurn;
    try {
      turn = await gate.turn(serverKey(this.opts.mailbox.imap.host, this.port()), this.abort.signal);
    } catch {
      return null; // aborted by stop()
    }
    // A server backing off can keep us waiting past the lease's life: hold it again before connecting.
    const lease = this.opts.lease;
    if (lease && turn.waitedMs > lease.ttlMs / 3 && !(await this.holdLease())) {
      turn.release();
      return null;
    }
    return turn;
  }

  /** Connects and logs in; ends the login turn with what the outcome says about the server. */
  private async login(client: ImapFlow, turn: LoginTurn): Promise<void> {
    try {
      await client.connect();
      turn.succeeded();
    } catch (err) {
      const error = toImapError(err, `mailbox ${this.opts.mailbox.name}`);
      if (isServerFault(error)) turn.failed();
      else turn.release();
      throw error;
    }
  }

  /** One connection's life: connect, open the folder, sync on triggers until it closes. */
  private async connection(turn: LoginTurn): Promise<void> {
    const credentials = await signIn(this.opts.mailbox.name, this.opts.mailbox.imap, this.opts.tokens);
    if (this.stopped) return; // stop() came while the token was fetched: it found no client to log out
    const client = this.createClient(credentials.credentials);
    this.client = client;
    const closed = new Promise<void>((resolve) => client.once('close', resolve));
    client.on('error', (err: Error) => this.log.warn({ error: errorSummary(toImapError(err, 'imap')) }, 'IMAP connection error'));
    try {
      await this.login(client, turn).catch((err: unknown) => {
        if (isAppError(err, 'IMAP_AUTH')) credentials.rejected(); // a refused access token is not offered again
        throw err;
      });
      const { folder, processedFolder, quarantineFolder } = this.opts.mailbox.imap;
      // mailboxOpen, not getMailboxLock: a held lock keeps imapflow from starting IDLE.
      await client.mailboxOpen(folder);
      if (processedFolder) await ensureFolder(client, processedFolder);
      if (quarantineFolder) await ensureFolder(client, quarantineFolder);
      const box = client.mailbox || null;
      this.state = 'watching';
      this.log.info(
        {
          host: this.opts.mailbox.imap.host,
          folder,
          uidValidity: String(box?.uidValidity ?? ''),
          messages: box?.exists ?? 0,
          idle: this.opts.mailbox.imap.idle && client.capabilities.has('IDLE'),
        },
        'watching mailbox',
      );
      await this.syncUntilClosed(client, closed);
      if (!this.stopped) {
        const why = client.byeReason ? `server said BYE: ${client.byeReason}` : 'connection closed by the server or network';
        throw toImapError(new Error(why), `mailbox ${this.opts.mailbox.name}`);
      }
    } finally {
      this.client = null;
      if (client.usable) client.close();
    }
  }

  private async syncUntilClosed(client: ImapFlow, closed: Promise<void>): Promise<void> {
    const folders = { processed: this.opts.mailbox.imap.processedFolder, quarantine: this.opts.mailbox.imap.quarantineFolder };
    // A sync that got mail done before it failed made progress: its backoff starts over.
    let progressed = false;
    const imap = imapSession(client, folders);
    const session: MailboxSession = {
      get uidValidity() {
        return imap.uidValidity;
      },
      listNewMessages: (afterUid) => imap.listNewMessages(afterUid),
      fetchSources: (uids, maxBytes) => imap.fetchSources(uids, maxBytes),
      markProcessed: (uids) => imap.markProcessed(uids).then(() => void (progressed ||= uids.length > 0)),
      markQuarantined: (uids) => imap.markQuarantined(uids).then(() => void (progressed ||= uids.length > 0)),
    };
    let revalidate = false;
    let outages = 0;
    let retryTimer: NodeJS.Timeout | null = null;
    // After a failed sync, new-mail and poll triggers wait for the backoff: only its timer syncs again.
    let backoffUntil = 0;
    const runner = (this.runner = new CoalescingRunner(async () => {
      if (this.stopped || !client.usable || Date.now() < backoffUntil) return;
      progressed = false;
      try {
        if (revalidate) {
          revalidate = false;
          await this.revalidate(client);
        }
        await this.opts.sync(session);
        outages = 0;
        backoffUntil = 0;
        this.synced();
      } catch (err) {
        this.failed(err);
        if (isAppError(err) && err.code.startsWith('IMAP')) {
          this.log.warn({ error: errorSummary(err) }, 'IMAP command failed; reconnecting');
          client.close();
          return;
        }
        if (progressed) outages = 0;
        const delay = this.backoff(++outages);
        // A database refusing us (credentials, schema) needs an operator: say so at error level.
        const level = isAppError(err, 'DB_REFUSED') ? 'error' : 'warn';
        this.log[level]({ error: errorSummary(err), retryInMs: delay }, 'sync interrupted; messages stay unflagged and will be retried');
        if (retryTimer) clearTimeout(retryTimer);
        backoffUntil = Date.now() + delay;
        retryTimer = setTimeout(() => {
          backoffUntil = 0;
          runner.request();
        }, delay);
      }
    }));
    client.on('exists', () => runner.request());
    const poll = setInterval(() => {
      revalidate = true;
      runner.request();
    }, this.opts.mailbox.imap.pollInterval);
    const lease = this.opts.lease;
    const renew = lease
      ? setInterval(() => {
          lease.renew().then(
            (held) => {
              if (held || this.stopped) return;
              this.log.warn({}, 'another instance took over the mailbox; standing by');
              this.leaseLost = true;
              client.close();
            },
            () => undefined, // Redis away: keep watching (see holdLease)
          );
        }, lease.ttlMs / 3)
      : null;
    runner.request();
    await closed;
    clearInterval(poll);
    if (renew) clearInterval(renew);
    if (retryTimer) clearTimeout(retryTimer);
    await runner.close();
  }

  /**
   * A folder deleted and recreated under us can keep its old view in this
   * session, with no notice from the server (Dovecot even answers STATUS from
   * it). Selecting it again shows the truth; a new UIDVALIDITY then makes the
   * sync re-read the folder.
   */
  private async revalidate(client: ImapFlow): Promise<void> {
    const { folder } = this.opts.mailbox.imap;
    const before = client.mailbox ? String(client.mailbox.uidValidity) : null;
    try {
      await client.mailboxOpen(folder);
    } catch (err) {
      throw toImapError(err, `reopening folder ${folder}`);
    }
    const after = client.mailbox ? String(client.mailbox.uidValidity) : null;
    if (after !== before) this.log.warn({ folder, uidValidity: after, was: before }, 'folder was recreated on the server');
  }

  private createClient(auth: SignInCredentials): ImapFlow {
    return new ImapFlow(imapClientOptions(this.opts.mailbox, this.log, auth));
  }

  private port(): number {
    return imapPort(this.opts.mailbox);
  }

  private backoff(attempt: number): number {
    const { initialMs, maxMs } = this.opts.retry ?? { initialMs: 1_000, maxMs: 60_000 };
    const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** The turn of a watcher without a gate: nothing to wait for, nothing to report. */
const UNGATED: LoginTurn = { waitedMs: 0, succeeded: () => undefined, failed: () => undefined, release: () => undefined };

async function ensureFolder(client: ImapFlow, path: string): Promise<void> {
  const list = await client.list();
  if (!list.some((box) => box.path === path)) await client.mailboxCreate(path);
}

/** What a log line shows of an error: code and a bounded message, never the whole object (it may hold config or mail). */
export function errorSummary(err: unknown): { code?: string; message: string } {
  const { code, message } = errorForLog(err);
  return code ? { code, message } : { message };
}
