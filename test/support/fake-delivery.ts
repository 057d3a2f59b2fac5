import { AppError } from '../../src/errors.js';
import type { ClaimedMessage, DeliveryStore, Mailer, OutboxQueue } from '../../src/usecases/ports.js';

export type DeliveryState = 'queued' | 'sending' | 'sent' | 'failed';

/** An outbox row as the fake keeps it. */
export interface FakeRow {
  readonly message: Omit<ClaimedMessage, 'attempts'>;
  state: DeliveryState;
  createdAt: Date;
  attempts: number;
  claimedAt: Date | null;
  deliveredAt: Date | null;
  lastError: string | null;
}

/** The outbox's delivery states in memory, with the transitions of I3 as createDeliveryStore makes them. */
export class FakeDeliveryStore implements DeliveryStore {
  readonly rows = new Map<number, FakeRow>();
  /** Every call, in order: `claim 1`, `markSent 1`, `release 1`. */
  readonly calls: string[] = [];
  /** The next this many markSent calls fail as a database outage does (DB_UNAVAILABLE, retryable). */
  markSentOutages = 0;

  /** Adds a row (queued unless said otherwise); returns its id. */
  add(message: Partial<Omit<ClaimedMessage, 'id' | 'attempts'>> = {}, row: Partial<Omit<FakeRow, 'message'>> = {}): number {
    const id = this.rows.size + 1;
    const defaults = { ticketId: 7, ticketNumber: 1007, kind: 'auto_ack', mailbox: 'support', messageId: `row-${id}@example.test`, from: 'support@example.test' } as const;
    const full = { ...defaults, recipients: ['carol@customer.test'], raw: Buffer.from(`Message-ID: <row-${id}@example.test>\r\n\r\nhi\r\n`), ...message, id };
    this.rows.set(id, { message: full, state: 'queued', createdAt: new Date(0), attempts: 0, claimedAt: null, deliveredAt: null, lastError: null, ...row });
    return id;
  }

  row(id: number): FakeRow {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no fake outbox row ${id}`);
    return row;
  }

  /** Rows whose mail went out and whose mark failed: refused to claims until it lands. */
  private readonly recording = new Set<number>();

  async claim(id: number, now: Date, stuckBefore: Date): Promise<ClaimedMessage | null> {
    this.calls.push(`claim ${id}`);
    if (this.recording.has(id)) return null;
    const row = this.rows.get(id);
    const stale = row?.state === 'sending' && row.claimedAt !== null && row.claimedAt < stuckBefore;
    if (!row || !(row.state === 'queued' || stale)) return null;
    Object.assign(row, { state: 'sending', attempts: row.attempts + 1, claimedAt: now });
    return { ...row.message, attempts: row.attempts };
  }

  async markSent(id: number, now: Date): Promise<void> {
    this.calls.push(`markSent ${id}`);
    if (this.markSentOutages > 0) {
      this.markSentOutages--;
      this.recording.add(id);
      throw new AppError('DB_UNAVAILABLE', `marking outbox row ${id} sent: database unavailable for now (57P01)`, { retryable: true });
    }
    this.recording.delete(id);
    Object.assign(this.row(id), { state: 'sent', deliveredAt: now, lastError: null });
  }

  async release(id: number, error: string): Promise<void> {
    this.calls.push(`release ${id}`);
    const row = this.row(id);
    if (row.state === 'sending') Object.assign(row, { state: 'queued', lastError: error });
  }

  async stale(queuedBefore: Date, sendingBefore: Date, limit: number): Promise<{ id: number; attempts: number }[]> {
    return [...this.rows.entries()]
      .filter(([, r]) => (r.state === 'queued' && r.createdAt < queuedBefore) || (r.state === 'sending' && r.claimedAt! < sendingBefore))
      .slice(0, limit)
      .map(([id, r]) => ({ id, attempts: r.attempts }));
  }
}

/** What the fake SMTP server does with one mail: accept it, refuse every recipient, or fail (an AppError, as toSmtpError makes). */
export type MailerAnswer = 'accept' | 'refuse-all' | Error;

/** A Mailer that answers from a script (then accepts) and keeps every mail it accepted. */
export class FakeMailer implements Mailer {
  readonly accepted: { mailbox: string; envelope: { from: string; to: readonly string[] }; raw: Buffer }[] = [];
  attempts = 0;
  private readonly script: MailerAnswer[] = [];

  /** The answers to the next sends, in order. */
  answer(...answers: MailerAnswer[]): this {
    this.script.push(...answers);
    return this;
  }

  async send(mailbox: string, envelope: { from: string; to: readonly string[] }, raw: Buffer): Promise<{ accepted: string[]; rejected: string[] }> {
    this.attempts++;
    const answer = this.script.shift() ?? 'accept';
    if (answer instanceof Error) throw answer;
    if (answer === 'refuse-all') return { accepted: [], rejected: [...envelope.to] };
    this.accepted.push({ mailbox, envelope, raw });
    return { accepted: [...envelope.to], rejected: [] };
  }

  close(): void {}
}

/** The delivery queue in memory: what was queued, and what queued again. */
export class FakeOutboxQueue implements OutboxQueue {
  readonly enqueued: number[] = [];
  readonly requeued: { id: number; attempts: number }[] = [];

  async enqueue(rowIds: readonly number[]): Promise<void> {
    this.enqueued.push(...rowIds);
  }

  async requeue(rows: readonly { readonly id: number; readonly attempts: number }[]): Promise<number> {
    this.requeued.push(...rows);
    return rows.length;
  }
}
