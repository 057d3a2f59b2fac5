import { ImapFlow } from 'imapflow';
import { DOVECOT_PASSWORD } from '../support/dovecot.js';
import { waitFor } from '../support/wait.js';
import type { FaultRig } from './rig.js';

/** What a fault test counts once its run is over; `report` prints it as the test's one figures line. */
export interface Figures {
  /** Mails put into the mailbox. */
  readonly in: number;
  /** Of those, stored as inbound messages (distinct Message-IDs). */
  readonly stored: number;
  /** Quarantine entries. */
  readonly quarantined: number;
  /** Messages in the folder flagged \Seen, and all messages in it. */
  readonly flagged: number;
  readonly inFolder: number;
  /** Outbox rows, and those in state sent. */
  readonly outbox: number;
  readonly sent: number;
  /** Mails the SMTP capture accepted. */
  readonly captured: number;
  /** Mails in neither the messages nor the quarantine. */
  readonly lost: number;
  /** Inbound rows beyond one per Message-ID. */
  readonly inboundDuplicates: number;
  /** SMTP copies beyond the first per Message-ID. */
  readonly duplicated: number;
}

/** One figures line per test, for the table: `FAULT <name> k=v…: in=… stored=… …`. */
export function report(name: string, params: Record<string, string | number>, f: Figures, extra: Record<string, string | number> = {}): void {
  const head = Object.entries(params).map(([k, v]) => `${k}=${v}`);
  const body = { in: f.in, stored: f.stored, quarantined: f.quarantined, flagged: f.flagged, sent: f.sent, lost: f.lost, duplicated: f.duplicated, ...extra };
  console.log(`FAULT ${[name, ...head].join(' ')}: ${Object.entries(body).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

/** After a failure: what each daemon said last, warnings and errors first (the figures line is missing then). */
export function printDiagnostics(logsPerDaemon: readonly (readonly Record<string, unknown>[])[]): void {
  logsPerDaemon.forEach((logs, i) => {
    const last = logs.slice(-15);
    const trouble = logs.filter((l) => l.level !== 'info' && l.level !== 'debug' && !last.includes(l)).slice(-30);
    console.log(`DIAGNOSTICS daemon ${i + 1}/${logsPerDaemon.length}: ${logs.length} log lines`);
    for (const line of [...trouble, ...last]) console.log(`  ${JSON.stringify(line).slice(0, 600)}`);
  });
}

/** The figures of a rig, for the mails with these Message-IDs. */
export async function figuresOf(rig: FaultRig, expectedIds: readonly string[]): Promise<Figures> {
  const { sql } = rig;
  const inbound = await sql`select coalesce(message_id_full, message_id) as id from messages where direction = 'in'`;
  const storedIds = new Set(inbound.map((r) => r.id as string));
  const quarantine = await sql`select raw from quarantine`;
  const quarantinedIds = new Set(quarantine.map((r) => /^Message-ID:\s*<([^>]*)>/im.exec((r.raw as Buffer).toString('utf8'))?.[1] ?? ''));
  const [out] = await sql`
    select count(*)::int as outbox, count(*) filter (where delivery_state = 'sent')::int as sent
    from messages where direction = 'out'`;
  const { flagged, inFolder } = await folderFlags(rig);
  return {
    in: expectedIds.length,
    stored: expectedIds.filter((id) => storedIds.has(id)).length,
    quarantined: quarantine.length,
    flagged,
    inFolder,
    outbox: out!.outbox as number,
    sent: out!.sent as number,
    captured: rig.smtp.mails.length,
    lost: expectedIds.filter((id) => !storedIds.has(id) && !quarantinedIds.has(id)).length,
    inboundDuplicates: inbound.length - storedIds.size,
    duplicated: rig.smtp.extraCopies(),
  };
}

/** \Seen and total counts of the folder, on a connection of its own. */
export async function folderFlags(rig: Pick<FaultRig, 'dovecot' | 'user'>): Promise<{ flagged: number; inFolder: number; unseen: number[] }> {
  const client = new ImapFlow({ host: '127.0.0.1', port: rig.dovecot.port, secure: false, auth: { user: rig.user, pass: DOVECOT_PASSWORD }, logger: false });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const all = (await client.search({ all: true }, { uid: true })) || [];
    const unseen = (await client.search({ seen: false }, { uid: true })) || [];
    return { flagged: all.length - unseen.length, inFolder: all.length, unseen };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Waits until every expected mail is stored and nothing in the folder is left unflagged. */
export async function waitForAllIngested(rig: FaultRig, count: number, timeoutMs: number): Promise<void> {
  await waitFor(async () => (await rig.stored()) >= count && (await folderFlags(rig)).unseen.length === 0, {
    timeoutMs,
    intervalMs: 200,
    what: `all ${count} mails stored and flagged`,
  });
}

/** Waits until no outbox row is left queued or sending, and at least `rows` exist. */
export async function waitForOutboxDrained(rig: FaultRig, rows: number, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await rig.sql`
        select count(*)::int as total, count(*) filter (where delivery_state in ('queued', 'sending'))::int as pending
        from messages where direction = 'out'`;
      return row!.total >= rows && row!.pending === 0;
    },
    { timeoutMs, intervalMs: 200, what: `${rows} outbox rows delivered` },
  );
}
