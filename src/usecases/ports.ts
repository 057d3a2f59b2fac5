import type { MessageKind, Priority, TicketStatus } from '../domain/ticket.js';
import type { MailAddress, ParsedAttachment } from './parsed-mail.js';

/** A ticket as the use cases read it. */
export interface TicketRecord {
  readonly id: number;
  readonly number: number;
  readonly status: TicketStatus;
  readonly subject: string;
  readonly requesterId: number;
  readonly closedAt: Date | null;
}

export interface NewTicket {
  readonly subject: string;
  readonly priority: Priority;
  readonly department: string;
  readonly requesterId: number;
  readonly mailbox: string;
  readonly linkedTicketId: number | null;
  readonly now: Date;
}

export interface TicketPatch {
  readonly status?: TicketStatus;
  readonly closedAt?: Date | null;
  readonly lastCustomerMessageAt?: Date;
  readonly now: Date;
}

export interface NewInboundMessage {
  readonly ticketId: number | null;
  readonly kind: MessageKind;
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly from: MailAddress | null;
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
  readonly raw: Buffer;
  readonly rawSha256: string;
  readonly rawSize: number;
  readonly truncated: boolean;
  readonly parseError: string | null;
  readonly mailbox: string;
  readonly imapUid: number;
  readonly sentDate: Date | null;
  readonly attachments: readonly ParsedAttachment[];
  readonly now: Date;
}

export interface NewEvent {
  readonly ticketId: number;
  readonly messageId?: number | null;
  readonly type: string;
  readonly actor: string;
  readonly data?: Record<string, unknown>;
}

/** Everything ingest does inside its one transaction. */
export interface IngestTx {
  /** Whether a message with this Message-ID (or, without one, this raw hash) is stored. */
  isKnownMessage(messageId: string | null, rawSha256: string): Promise<boolean>;
  /** Stored message ids among `ids`, mapped to their ticket id. */
  ticketIdsByMessageIds(ids: readonly string[]): Promise<Map<string, number>>;
  /** The ticket with this number and its participants' addresses. */
  ticketByNumber(number: number): Promise<{ readonly ticket: TicketRecord; readonly participants: ReadonlySet<string> } | null>;
  ticketById(id: number): Promise<TicketRecord>;
  upsertContact(address: MailAddress): Promise<number>;
  createTicket(ticket: NewTicket): Promise<TicketRecord>;
  updateTicket(id: number, patch: TicketPatch): Promise<void>;
  /** Adds participants; returns the addresses that were not participants before. */
  addParticipants(ticketId: number, contacts: readonly { id: number; address: string }[], role: 'requester' | 'cc'): Promise<string[]>;
  insertMessage(message: NewInboundMessage): Promise<number>;
  insertEvents(events: readonly NewEvent[], now: Date): Promise<void>;
}

export interface TicketStore {
  /**
   * Runs `work` in one transaction that holds a lock on `messageKey`, so the
   * same message arriving twice at once is processed once.
   */
  ingestTransaction<T>(messageKey: string, work: (tx: IngestTx) => Promise<T>): Promise<T>;
}

/** Where a mailbox poller resumes (UIDVALIDITY and the last UID it finished). */
export interface MailboxStateStore {
  read(mailbox: string): Promise<{ uidValidity: bigint; lastUid: number } | null>;
  write(mailbox: string, state: { uidValidity: bigint; lastUid: number }): Promise<void>;
}

/** The structured logger the use cases write to (pino's shape). Never pass bodies or secrets. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** One open IMAP folder, as the sync use case needs it. */
export interface MailboxSession {
  /** UIDVALIDITY of the open folder; it changes when the folder is recreated. */
  readonly uidValidity: bigint;
  /** Messages with a UID above `afterUid`, ascending, with their sizes on the server. */
  listNewMessages(afterUid: number): Promise<{ uid: number; size: number }[]>;
  /** Sources of the given messages, each cut at `maxBytes`; the flags are not touched. */
  fetchSources(uids: readonly number[], maxBytes: number): Promise<{ uid: number; size: number; source: Buffer }[]>;
  /** Flags `\Seen`, or moves to the processed folder. Called only after the messages are committed (I1). */
  markProcessed(uids: readonly number[]): Promise<void>;
}
