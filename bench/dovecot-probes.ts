/**
 * New mail against the bench's Dovecot, timed the way step 6 times it
 * (APPEND done → ticket row, Postgres polled every 5 ms), with the daemon's
 * sessions seen in IDLE from outside (Dovecot's process titles); a burst
 * delivered into the Maildirs; and the inotify limit Dovecot's IDLE needs.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { ImapFlow } from 'imapflow';
import type postgres from 'postgres';
import type { Dovecot } from '../test/support/dovecot.js';
import { round } from './baseline.js';
import { percentiles, type Percentiles } from './daemon-runs.js';
import { buildProbeMail } from './mails.js';
import { errorText, imapClient, pollUntil, sleep, type BenchDatabase, type Cleanup } from './services.js';

const INOTIFY_LIMIT = '/proc/sys/fs/inotify/max_user_instances';
/** The probes' own logins, this many at a time. */
const LOGIN_BATCH = 5;

/**
 * Dovecot's IDLE takes an inotify instance per session, and every Dovecot on
 * this machine runs as the one `dovecot` user; Linux allows 128 per user by
 * default. Past that Dovecot logs "Inotify instance limit … exceeded,
 * disabling" and looks for new mail only every 30 s
 * (`mailbox_idle_check_interval`): the probes would time Dovecot, not the
 * daemon. So the limit is raised for the section (we run as root) and put
 * back after it.
 */
export async function ensureInotifyInstances(needed: number, cleanup: Cleanup): Promise<{ before: number; during: number }> {
  const before = Number((await readFile(INOTIFY_LIMIT, 'utf8')).trim());
  if (before >= needed) return { before, during: before };
  try {
    await writeFile(INOTIFY_LIMIT, String(needed));
  } catch (err) {
    throw new Error(
      `${INOTIFY_LIMIT} is ${before}, and ${needed} are needed for IDLE on every mailbox (could not raise it: ${errorText(err)}); ` +
        `run as root, or \`sysctl fs.inotify.max_user_instances=${needed}\` first`,
    );
  }
  cleanup.add(`put ${INOTIFY_LIMIT} back to ${before}`, () => writeFile(INOTIFY_LIMIT, String(before)));
  return { before, during: needed };
}

/**
 * One probe, as step 6 takes it: waits until the mailbox's outgoing mail is
 * sent and the daemon's session for `user` is in IDLE, APPENDs a new mail
 * through `appender` (logged in as `user` beforehand) and times APPEND done →
 * its ticket row (Postgres polled every 5 ms).
 */
export async function probeOnce(db: BenchDatabase, user: string, mailbox: string, namespace: string, index: number, appender: ImapFlow): Promise<{ ms: number; idle: boolean }> {
  await outboxDrained(db.sql, mailbox);
  const idle = await pollUntil(async () => ((await sessionIdling(user)) ? true : null), {
    timeoutMs: 10_000,
    intervalMs: 10,
    what: `the daemon's session for ${user} to enter IDLE`,
  }).then(
    () => true,
    () => false,
  );
  // A little margin, as step 6 takes: the IDLE command is sent, Dovecot may not have answered "+ idling" yet.
  await sleep(50);
  const mail = buildProbeMail(index, namespace);
  await appender.append('INBOX', mail.raw);
  const appended = performance.now();
  const visible = await pollUntil(
    async () => {
      const rows = await db.sql<{ id: number }[]>`select t.id from messages m join tickets t on t.id = m.ticket_id where m.message_id = ${mail.messageId}`;
      return rows.length > 0 ? true : null;
    },
    { timeoutMs: 30_000, intervalMs: 5, what: `probe ${index} in ${mailbox} to become a ticket` },
  );
  return { ms: round(visible.at - appended), idle };
}

/** IMAP clients logged in as `users`, LOGIN_BATCH at a time; logged out by `cleanup`. */
export async function openAppenders(dovecot: Dovecot, users: readonly string[], cleanup: Cleanup): Promise<ImapFlow[]> {
  const clients: ImapFlow[] = [];
  for (let from = 0; from < users.length; from += LOGIN_BATCH) {
    clients.push(...(await Promise.all(users.slice(from, from + LOGIN_BATCH).map((user) => imapClient(dovecot, user, cleanup)))));
  }
  return clients;
}

/**
 * One mail to every mailbox at once, put into each Maildir as an MTA's
 * delivery agent does (no IMAP login per mail, so the mails land within a few
 * ms of each other); each timed from its delivery → its ticket row.
 */
export async function deliverToAll(
  db: BenchDatabase,
  dovecot: Dovecot,
  users: readonly string[],
  namespace: string,
): Promise<Percentiles & { mails: number; allStoredMs: number }> {
  for (let i = 0; i < users.length; i++) await outboxDrained(db.sql, `box${i}`);
  const mails = users.map((_, i) => buildProbeMail(i, namespace));
  const deliveredAt = new Map<string, number>();
  const started = performance.now();
  for (let i = 0; i < users.length; i++) {
    await dovecot.deliver(users[i]!, mails[i]!.raw);
    deliveredAt.set(mails[i]!.messageId, performance.now());
  }
  const seenAt = new Map<string, number>();
  const ids = mails.map((m) => m.messageId);
  await pollUntil(
    async () => {
      const rows = await db.sql<{ message_id: string }[]>`
        select m.message_id from messages m join tickets t on t.id = m.ticket_id where m.message_id = any(${ids})`;
      const now = performance.now();
      for (const row of rows) if (!seenAt.has(row.message_id)) seenAt.set(row.message_id, now);
      return seenAt.size === ids.length ? true : null;
    },
    { timeoutMs: 120_000, intervalMs: 10, what: `all ${ids.length} burst mails to become tickets` },
  );
  const samples = ids.map((id) => round(seenAt.get(id)! - deliveredAt.get(id)!));
  return { ...percentiles(samples), mails: ids.length, allStoredMs: round(Math.max(...seenAt.values()) - started) };
}

export async function outboxDrained(sql: postgres.Sql, mailbox: string): Promise<void> {
  await pollUntil(
    async () => {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from messages where mailbox = ${mailbox} and direction = 'out' and delivery_state in ('queued', 'sending')`;
      return row!.n === 0 ? true : null;
    },
    { timeoutMs: 30_000, intervalMs: 20, what: `every outgoing mail of ${mailbox} to be sent` },
  );
}

/**
 * Whether Dovecot's session for `user` is in IDLE: with `verbose_proctitle`
 * (test/support/dovecot.ts) a session's process title is
 * `dovecot-<instance>/imap [<user> <ip> IDLE]`. The probe's own connection
 * never idles, so any such title is the daemon's.
 */
async function sessionIdling(user: string): Promise<boolean> {
  return (await idleSessions()).has(user);
}

/** Users with a Dovecot session in IDLE, from the process titles. */
export async function idleSessions(): Promise<Set<string>> {
  const users = new Set<string>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const title = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const match = /\/imap \[(\S+) \S+ IDLE\]/.exec(title);
    if (match) users.add(match[1]!);
  }
  return users;
}
