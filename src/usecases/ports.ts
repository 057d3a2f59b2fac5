import type { SlaMetric, SlaState } from '../domain/sla.js';
import type { MessageKind, Priority, TicketStatus } from '../domain/ticket.js';
import type { MailAddress, ParsedAttachment } from './parsed-mail.js';

/** A ticket as the use cases read it. */
export interface TicketRecord {
  readonly id: number;
  readonly number: number;
  readonly status: TicketStatus;
  readonly subject: string;
  readonly priority: Priority;
  readonly department: string;
  readonly assignee: string | null;
  readonly tags: readonly string[];
  readonly mailbox: string;
  readonly requesterId: number;
  readonly closedAt: Date | null;
  readonly lastActivityAt: Date;
  /** The SLA clock (domain/sla.ts). */
  readonly sla: SlaState;
}

/** A person on a ticket. */
export interface Participant {
  readonly address: string;
  readonly name: string;
  readonly role: 'requester' | 'cc';
}

/** What a reply on a ticket needs from its history. */
export interface TicketThread {
  /** Message-IDs on the ticket, oldest first. */
  readonly chain: readonly string[];
  /** The customer's latest message id. */
  readonly lastCustomerMessageId: string | null;
  /** The Thread-Index of the ticket's first message that had one. */
  readonly rootThreadIndex: string | null;
}

export interface NewTicket {
  readonly subject: string;
  readonly priority: Priority;
  readonly department: string;
  readonly requesterId: number;
  readonly mailbox: string;
  readonly linkedTicketId: number | null;
  readonly sla: SlaState;
  readonly now: Date;
}

export interface TicketPatch {
  readonly status?: TicketStatus;
  readonly closedAt?: Date | null;
  readonly lastCustomerMessageAt?: Date;
  readonly lastAgentReplyAt?: Date;
  readonly priority?: Priority;
  readonly department?: string;
  readonly assignee?: string | null;
  readonly tags?: readonly string[];
  readonly postponedUntil?: Date | null;
  readonly lastActivityAt?: Date;
  readonly sla?: SlaState;
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
  /** Removes a CC participant (never the requester); false when the address was none. */
  removeParticipant(ticketId: number, address: string): Promise<boolean>;
  /**
   * The addresses the ticket's messages with these Message-IDs were exchanged
   * with: the recipients of our outgoing ones, the sender of incoming ones.
   */
  correspondents(ticketId: number, messageIds: readonly string[]): Promise<Set<string>>;
  insertMessage(message: NewInboundMessage): Promise<number>;
  insertEvents(events: readonly NewEvent[], now: Date): Promise<void>;
  participants(ticketId: number): Promise<Participant[]>;
  thread(ticketId: number): Promise<TicketThread>;
  /** Inserts an outbox row in state `queued`; returns its id (the queue job id). */
  insertOutbound(message: NewOutboundMessage, now: Date): Promise<number>;
  /** Automated mails to customers since `since`: to `address`, on `ticketId`, from `mailbox` (I7 and I9 ceilings). */
  countAutoResponses(query: { address: string; ticketId: number | null; mailbox: string; since: Date }): Promise<{ toAddress: number; onTicket: number; fromMailbox: number }>;
  /** Records an automated mail (or, with a `notice:` kind, an internal notice) for the ceilings. */
  recordAutoResponse(address: string, ticketId: number | null, kind: string, mailbox: string | null, now: Date): Promise<void>;
  /** Internal notices of `kind` since `since`: about `key` (e.g. a sender), and of that kind at all. */
  countNotices(kind: string, key: string, since: Date): Promise<{ sameKey: number; sameKind: number }>;
  outboundByMessageIds(ids: readonly string[]): Promise<OutboundRecord[]>;
  outboundById(id: number): Promise<(OutboundRecord & { readonly recipients: readonly string[] })[]>;
  /** Marks an outbound row failed, whatever its state but `sent`-and-bounced also counts. */
  markOutboundFailed(id: number, reason: string, now: Date): Promise<void>;
  /** Records an SLA notice; false when this ticket, metric, due time, kind and target already had one (I4). */
  claimSlaNotice(ticketId: number, metric: SlaMetric, dueAt: Date, kind: 'warning' | 'breach', target: string, now: Date): Promise<boolean>;
  /**
   * Conditional updates for the schedulers (I4): each changes the ticket only
   * if it is still as the scan saw it, and says whether it did.
   */
  closeIdle(ticketId: number, statuses: readonly TicketStatus[], seenActivity: Date, to: TicketStatus, sla: SlaState, now: Date): Promise<boolean>;
  markCloseWarned(ticketId: number, statuses: readonly TicketStatus[], seenActivity: Date, now: Date): Promise<boolean>;
  wakePostponed(ticketId: number, to: TicketStatus, sla: SlaState, now: Date): Promise<boolean>;
  requester(ticketId: number): Promise<MailAddress>;
  /** The assignee of the department's most recently assigned ticket (round-robin). */
  lastAssignee(department: string): Promise<string | null>;
  /** Tickets not yet resolved per assignee (least-open). */
  openTicketCounts(assignees: readonly string[]): Promise<Map<string, number>>;
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
  clockedTickets(afterId: number, limit: number): Promise<TicketRecord[]>;
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

export interface TicketStore {
  /**
   * Runs `work` in one transaction that holds a lock on `messageKey`, so the
   * same message arriving twice at once is processed once.
   */
  ingestTransaction<T>(messageKey: string, work: (tx: IngestTx) => Promise<T>): Promise<T>;
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
   * otherwise — sent, failed, gone, or in flight with another sender: never send those.
   */
  claim(id: number, now: Date, stuckBefore: Date): Promise<ClaimedMessage | null>;
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
