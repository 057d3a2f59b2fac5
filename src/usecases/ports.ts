import type { Participant } from '../domain/decide.js';
import type { SlaMetric, SlaState } from '../domain/sla.js';
import type { MessageKind, Priority, Ticket, TicketStatus } from '../domain/ticket.js';
import type { MailAddress, ParsedAttachment } from './parsed-mail.js';

export type { Participant } from '../domain/decide.js';
export type { Ticket } from '../domain/ticket.js';

/** A message of a ticket's thread, as a reply on it needs: each one with a Message-ID, oldest first. */
export interface ThreadEntry {
  readonly messageId: string;
  readonly direction: 'in' | 'out';
  readonly kind: MessageKind;
  readonly threadIndex: string | null;
}

export interface NewTicket {
  readonly subject: string;
  readonly priority: Priority;
  readonly department: string;
  /** Known as a contact, or made one. */
  readonly requester: MailAddress;
  readonly mailbox: string;
  readonly linkedTicketId: number | null;
  readonly sla: SlaState;
  /** The customer's language when the mailbox's is `auto` and it could be told; else null. */
  readonly language: string | null;
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
  readonly threadIndex: string | null;
  readonly agentEmail?: string | null;
  readonly attachments: readonly ParsedAttachment[];
  readonly now: Date;
}

/** An attachment of an outgoing mail; the content is what gets sent. */
export interface OutboundAttachment {
  readonly filename: string | null;
  readonly contentType: string;
  readonly content: Buffer;
  readonly contentId: string | null;
  readonly inline: boolean;
  readonly sha256: string;
  readonly size: number;
}

/** A mail to send, before it is rendered to MIME. */
export interface OutboundMail {
  /** The mailbox that sends it: its SMTP server and address. */
  readonly mailbox: string;
  readonly kind: Extract<MessageKind, 'agent_reply' | 'auto_ack' | 'auto_notice' | 'notification'>;
  /** Without brackets; stored before sending, so bounces and replies find it. */
  readonly messageId: string;
  readonly from: MailAddress;
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  readonly replyTo: MailAddress | null;
  readonly subject: string;
  readonly text: string;
  /** An HTML alternative, when the template has one. */
  readonly html: string | null;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  /** Extra headers (Auto-Submitted, Thread-Topic, Thread-Index…), already header-safe. */
  readonly headers: Readonly<Record<string, string>>;
  readonly attachments: readonly OutboundAttachment[];
  readonly date: Date;
}

/** Renders a mail to its MIME source. */
export type ComposeMail = (mail: OutboundMail) => Promise<Buffer>;

/** An outbox row to insert: the mail, its rendered source, and its ticket. */
export interface NewOutboundMessage {
  readonly ticketId: number | null;
  readonly mail: OutboundMail;
  readonly raw: Buffer;
  readonly agentEmail: string | null;
  readonly threadIndex: string | null;
}

/** An outbound row found by its Message-ID (e.g. named by a bounce). */
export interface OutboundRecord {
  readonly id: number;
  readonly ticketId: number | null;
  readonly kind: MessageKind;
  readonly messageId: string;
  readonly deliveryState: 'queued' | 'sending' | 'sent' | 'failed' | null;
}

/** An event to store. `onMessage`: it is about the message saved with it. */
export interface NewEvent {
  readonly ticketId: number;
  readonly onMessage?: boolean;
  readonly type: string;
  readonly actor: string;
  readonly data: object;
}

/** An automated mail (or, with a `notice:` kind, an internal notice), counted for the ceilings (I7, I9). */
export interface AutomatedMailRecord {
  readonly address: string;
  readonly ticketId: number | null;
  readonly kind: string;
  readonly mailbox: string | null;
}

/** Everything one change writes, in one round of statements. */
export interface TicketSave {
  readonly now: Date;
  /** The ticket as loaded and as decided: written only while the stored one is still at `before.version`. */
  readonly ticket?: { readonly before: Ticket; readonly after: Ticket };
  /** The inbound message the change is about. */
  readonly message?: NewInboundMessage;
  readonly participants?: {
    readonly ticketId: number;
    readonly add: readonly (MailAddress & { readonly role: 'requester' | 'cc' })[];
    readonly remove: readonly string[];
  };
  readonly events: readonly NewEvent[];
  readonly outbox: readonly NewOutboundMessage[];
  readonly automated: readonly AutomatedMailRecord[];
  /** Outbox rows a bounce or the SMTP server says failed. */
  readonly failedOutbound?: readonly { readonly id: number; readonly reason: string }[];
}

/** Tickets: load, decide elsewhere, save. */
export interface TicketRepository {
  /** Throws NOT_FOUND when there is none. */
  load(id: number): Promise<Ticket>;
  findByNumber(number: number): Promise<Ticket | null>;
  participants(ticketId: number): Promise<Participant[]>;
  requester(ticketId: number): Promise<MailAddress>;
  /** Why the mail that opened the ticket came from an automated sender (its `created` event), or null for a person. */
  automatedRequester(ticketId: number): Promise<readonly string[] | null>;
  /** A new ticket at version 0. */
  create(ticket: NewTicket): Promise<Ticket>;
  /**
   * Writes a change: the ticket's changed fields (conditional on the version
   * it was loaded at: TICKET_CHANGED when another change came first), the
   * message, participants, events, outbox rows and counters. Returns the
   * message's row id and the outbox rows to queue after commit (I3).
   */
  save(change: TicketSave): Promise<{ readonly messageRowId: number | null; readonly outboxIds: readonly number[] }>;
  /**
   * A merge: the messages, events and participants (as copied, when not on
   * it yet) of ticket `fromId` move to `intoId`.
   */
  moveHistory(fromId: number, intoId: number): Promise<void>;
  /** The assignee of the department's most recently assigned ticket (round-robin). */
  lastAssignee(department: string): Promise<string | null>;
  /** Tickets not yet resolved per assignee (least-open). */
  openTicketCounts(assignees: readonly string[]): Promise<Map<string, number>>;
}

/** A stored message found by its Message-ID (or raw hash). */
export interface StoredMessage {
  readonly id: number;
  readonly ticketId: number | null;
  readonly ticketNumber: number | null;
  readonly kind: MessageKind;
  /** What its ingest recorded. */
  readonly events: readonly string[];
}

/** The messages: dedupe, thread lookup, a ticket's thread, our outgoing rows. */
export interface MessageLog {
  /** The message with this Message-ID (without one, this raw hash), if stored. */
  find(messageId: string | null, rawSha256: string): Promise<StoredMessage | null>;
  /** Stored message ids among `ids`, mapped to their ticket id. */
  ticketIdsByMessageIds(ids: readonly string[]): Promise<Map<string, number>>;
  /**
   * The addresses the ticket's messages with these Message-IDs were exchanged
   * with: the recipients of our outgoing ones, the sender of incoming ones.
   */
  correspondents(ticketId: number, messageIds: readonly string[]): Promise<Set<string>>;
  /** The ticket's messages with a Message-ID, oldest first. */
  thread(ticketId: number): Promise<ThreadEntry[]>;
  outboundByMessageIds(ids: readonly string[]): Promise<OutboundRecord[]>;
  /** An outgoing row with its recipients; none when the id is no outgoing row. */
  outboundById(id: number): Promise<(OutboundRecord & { readonly recipients: readonly string[] }) | null>;
}

/** How many automated mails and internal notices went out lately (the ceilings of I7 and I9). */
export interface AutomatedMailCounters {
  /** Automated mails to customers since `since`: to `address`, on `ticketId`, from `mailbox`. */
  countAutoResponses(query: { address: string; ticketId: number | null; mailbox: string; since: Date }): Promise<{ toAddress: number; onTicket: number; fromMailbox: number }>;
  /** Internal notices of `kind` since `since`: about `key` (e.g. a sender), and of that kind at all. */
  countNotices(kind: string, key: string, since: Date): Promise<{ sameKey: number; sameKind: number }>;
}

/** SLA notices sent: one per ticket, metric, due time, kind and target, however many daemons scan (I4). */
export interface SlaNotices {
  /** Records a notice; false when it was recorded already. */
  claim(ticketId: number, metric: SlaMetric, dueAt: Date, kind: 'warning' | 'breach', target: string, now: Date): Promise<boolean>;
}

/** The ports one change works with, all in one transaction. */
export interface UnitOfWork {
  readonly tickets: TicketRepository;
  readonly messages: MessageLog;
  readonly counters: AutomatedMailCounters;
  readonly slaNotices: SlaNotices;
  readonly senders: SenderBlocklist;
}

/** The database's list of blocked senders (`#spam block`, `helpdesk senders`). */
export interface SenderBlocklist {
  /** Adds a pattern (lower case); an existing one keeps its first reason. True when it was new. */
  block(entry: { readonly pattern: string; readonly reason: string; readonly addedBy: string; readonly now: Date }): Promise<boolean>;
}

/** HTML made fit for the mail we send. */
export interface MailHtml {
  /** An agent's reply for the customer: quoted history and command lines removed, sanitised; the `cid:` images it shows. Null when nothing is left. */
  agentReply(html: string): { readonly html: string; readonly cids: readonly string[] } | null;
  /** A customer's message for a notification to agents: sanitised, remote images dropped (no read receipts by tracking pixel). */
  forAgents(html: string): string;
}

export interface Store {
  /**
   * Runs `work` in one transaction that holds a lock on each key (messages'
   * ids: the same message arriving twice at once is processed once).
   */
  transaction<T>(keys: string | readonly string[], work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
  /** Reads with no transaction and no locks (the dry run); saving throws. */
  read<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T>;
}

/** What the scheduled jobs look for; every query reads only tickets that are due (indexes on the due times). */
export interface ScheduleStore {
  /** Tickets with a due time at or before `horizon` whose notice for it is not out yet. */
  dueSlaTickets(now: Date, horizon: Date, limit: number): Promise<{ ticketId: number; metric: SlaMetric; dueAt: Date }[]>;
  /** Postponed tickets whose wake-up time has come. */
  postponedDue(now: Date, limit: number): Promise<number[]>;
  /** Tickets in `statuses` without activity since `before`; `unwarnedOnly` skips those already warned since. */
  idleTickets(statuses: readonly TicketStatus[], before: Date, unwarnedOnly: boolean, limit: number): Promise<{ ticketId: number; lastActivityAt: Date }[]>;
  /** Tickets whose SLA clock still runs or stands (not stopped), by id, after `afterId`. */
  clockedTickets(afterId: number, limit: number): Promise<Ticket[]>;
  /** Stores recomputed due times, unless the ticket changed meanwhile (its activity time moved). */
  saveSla(ticketId: number, sla: SlaState, seenActivity: Date): Promise<void>;
  /** A remembered value (e.g. the fingerprint of the SLA config the due times were computed with). */
  setting(key: string): Promise<string | null>;
  saveSetting(key: string, value: string): Promise<void>;
}

/** Puts outbox rows on the delivery queue after their transaction committed (I3). */
export interface OutboxQueue {
  enqueue(rowIds: readonly number[]): Promise<void>;
  /**
   * Queues rows again that the queue lost, finished with, or that a dead worker
   * holds (the reconciler). Each row goes under a job id of its claim generation
   * (`attempts`), so a job a killed worker still holds does not block it.
   * Returns how many jobs were added.
   */
  requeue(rows: readonly { readonly id: number; readonly attempts: number }[]): Promise<number>;
}

/** A mail that could not be ingested after its attempts, as listed (its source is read separately). */
export interface QuarantinedMail {
  readonly id: number;
  readonly mailbox: string;
  readonly uidValidity: bigint;
  readonly uid: number;
  /** Size on the server; the kept source is cut at `limits.maxMessageBytes`. */
  readonly size: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attempts: number;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  readonly replayAttempts: number;
}

/** The quarantine (I6): nothing is passed over; what cannot be ingested is kept, listable and replayable. */
export interface Quarantine {
  /** Keeps a mail with its raw source; the same mailbox, UIDVALIDITY and UID again updates the entry. Returns its id. */
  hold(entry: Omit<QuarantinedMail, 'id' | 'firstSeenAt' | 'lastSeenAt' | 'replayAttempts'> & { readonly raw: Buffer }, now: Date): Promise<number>;
  list(): Promise<QuarantinedMail[]>;
  /** An entry with its raw source; null when there is none with this id. */
  source(id: number): Promise<{ readonly entry: QuarantinedMail; readonly raw: Buffer } | null>;
  /** Removes an entry once its mail was ingested. */
  release(id: number): Promise<void>;
  /** Records a replay that failed again. */
  replayFailed(id: number, error: { readonly code: string; readonly message: string }, now: Date): Promise<void>;
}

/** Where a mailbox poller resumes (UIDVALIDITY and the last UID it finished). */
/**
 * Where a mailbox's sync resumes. `existingUpTo`: the highest UID that was
 * already in the folder when the daemon first watched it (0: none, or the
 * mail was taken as new).
 */
export interface MailboxState {
  readonly uidValidity: bigint;
  readonly lastUid: number;
  readonly existingUpTo?: number;
}

export interface MailboxStateStore {
  read(mailbox: string): Promise<MailboxState | null>;
  write(mailbox: string, state: MailboxState): Promise<void>;
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
  fetchSources(uids: readonly number[], maxBytes: number): Promise<{ uid: number; size: number; source: Buffer; arrivedAt?: Date | null }[]>;
  /** Flags `\Seen`, or moves to the processed folder. Called only after the messages are committed (I1). */
  markProcessed(uids: readonly number[]): Promise<void>;
  /** Flags `\Seen`, or moves to the quarantine folder. Called only after the messages are in the quarantine. */
  markQuarantined(uids: readonly number[]): Promise<void>;
}

/** Sends a rendered mail through a mailbox's SMTP server. Throws AppError SMTP_* (permanent unless `retryable`). */
export interface Mailer {
  send(mailbox: string, envelope: { from: string; to: readonly string[] }, raw: Buffer): Promise<{ accepted: string[]; rejected: string[] }>;
  close(): void;
}

/** Keeps a copy of a sent mail in the mailbox's sent folder, when one is configured. */
export type CopyToSentFolder = (mailbox: string, raw: Buffer) => Promise<void>;

/** An outbox row taken by a sender. */
export interface ClaimedMessage {
  readonly id: number;
  readonly ticketId: number | null;
  /** The ticket's number, for logs (people know tickets by number). */
  readonly ticketNumber: number | null;
  readonly kind: MessageKind;
  readonly mailbox: string;
  readonly messageId: string;
  readonly from: string;
  readonly recipients: readonly string[];
  readonly raw: Buffer;
  readonly attempts: number;
}

/** The outbox rows' delivery states (I3): queued → sending → sent | failed. */
export interface DeliveryStore {
  /**
   * Takes a `queued` row, or a `sending` row claimed before `stuckBefore` (its sender died); null
   * otherwise — sent, failed, gone, or in flight with another sender: never send those. Null too for
   * a row whose mail this store saw go out and is still marking sent (markSent failed and is retried).
   */
  claim(id: number, now: Date, stuckBefore: Date): Promise<ClaimedMessage | null>;
  /** Records a mail the SMTP server accepted. Throws a retryable AppError during a database outage. */
  markSent(id: number, now: Date): Promise<void>;
  /** A transient failure: back to `queued`, with the error, for the next attempt. */
  release(id: number, error: string): Promise<void>;
  /** Rows to queue again: `queued` since before `queuedBefore`, `sending` claimed before `sendingBefore`. */
  stale(queuedBefore: Date, sendingBefore: Date, limit: number): Promise<{ id: number; attempts: number }[]>;
}

/** Ownership of one mailbox among several daemons: one holder at a time, expiring unless renewed. */
export interface Lease {
  /** True when this instance holds (or now took) the lease. Throws when it cannot tell (Redis away). */
  acquire(): Promise<boolean>;
  /** Extends the lease; false when another instance holds it now. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
  readonly ttlMs: number;
}
