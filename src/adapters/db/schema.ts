import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { MESSAGE_KINDS, PRIORITIES, TICKET_STATUSES } from '../../domain/ticket.js';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const id = (name: string) => bigint(name, { mode: 'number' });

export const ticketStatus = pgEnum('ticket_status', TICKET_STATUSES);
export const ticketPriority = pgEnum('ticket_priority', PRIORITIES);
export const messageKind = pgEnum('message_kind', MESSAGE_KINDS);
export const messageDirection = pgEnum('message_direction', ['in', 'out']);
export const deliveryState = pgEnum('delivery_state', ['queued', 'sending', 'sent', 'failed']);

/** Human ticket numbers, shown in the subject tag. */
export const ticketNumberSeq = pgSequence('ticket_number_seq', { startWith: 1000 });

export const contacts = pgTable('contacts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

export const tickets = pgTable(
  'tickets',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    number: id('number').notNull().unique().default(sql`nextval('ticket_number_seq')`),
    subject: text('subject').notNull(),
    status: ticketStatus('status').notNull().default('new'),
    priority: ticketPriority('priority').notNull(),
    department: text('department').notNull(),
    /** Agent email, as configured. */
    assignee: text('assignee'),
    requesterId: id('requester_id').notNull().references(() => contacts.id),
    mailbox: text('mailbox').notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** The closed ticket this one continues (a reply after the reopen window). */
    linkedTicketId: id('linked_ticket_id'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    lastCustomerMessageAt: tstz('last_customer_message_at'),
    lastAgentReplyAt: tstz('last_agent_reply_at'),
    closedAt: tstz('closed_at'),
    /** Wake-up time of a Postponed ticket. */
    postponedUntil: tstz('postponed_until'),
    /** Last customer message, agent reply or status change: what auto-close measures idleness from. */
    lastActivityAt: tstz('last_activity_at').notNull().defaultNow(),
    /** When the customer was told the ticket will close unless they reply (once per idle spell). */
    autoCloseWarnedAt: tstz('auto_close_warned_at'),
    // The SLA clock (domain/sla.ts): anchors, the resolution clock, and the due times derived from them.
    firstRespondedAt: tstz('first_responded_at'),
    waitingSince: tstz('waiting_since'),
    slaElapsedMs: bigint('sla_elapsed_ms', { mode: 'number' }).notNull().default(0),
    slaRunningSince: tstz('sla_running_since'),
    slaStopped: boolean('sla_stopped').notNull().default(false),
    firstResponseDueAt: tstz('first_response_due_at'),
    nextResponseDueAt: tstz('next_response_due_at'),
    resolutionDueAt: tstz('resolution_due_at'),
    /** Language of the mail to the customer (`en`, `nl`…), chosen when the ticket opened; null: the mailbox's. */
    language: text('language'),
    /** Soft-deleted (`#status deleted`, `tickets delete`): hidden from lists, purged after `retention.deleted`. */
    deletedAt: tstz('deleted_at'),
    /** Merged into this ticket (its id): mail on this one's thread lands there. */
    mergedIntoId: id('merged_into_id'),
    /** When the requester was asked how we did (`satisfaction`): at most once per ticket. */
    satisfactionAskedAt: tstz('satisfaction_asked_at'),
    /** Bumped by every save: a save applies only to the version it loaded (optimistic concurrency). */
    version: integer('version').notNull().default(0),
  },
  (t) => [
    index('tickets_status_idx').on(t.status, t.updatedAt),
    index('tickets_requester_idx').on(t.requesterId),
    // The SLA scan reads only tickets that are due: one partial index per due time.
    index('tickets_first_response_due_idx').on(t.firstResponseDueAt).where(sql`${t.firstResponseDueAt} is not null`),
    index('tickets_next_response_due_idx').on(t.nextResponseDueAt).where(sql`${t.nextResponseDueAt} is not null`),
    index('tickets_resolution_due_idx').on(t.resolutionDueAt).where(sql`${t.resolutionDueAt} is not null`),
    index('tickets_idle_idx').on(t.status, t.lastActivityAt),
    index('tickets_postponed_idx').on(t.postponedUntil).where(sql`${t.status} = 'postponed'`),
    // Retention: deleted tickets by when, closed ones by when (the purge reads only what is due).
    index('tickets_deleted_idx').on(t.deletedAt).where(sql`${t.deletedAt} is not null`),
    // The purge finds what points at a purged ticket: those merged into it, those continuing it.
    index('tickets_merged_into_idx').on(t.mergedIntoId).where(sql`${t.mergedIntoId} is not null`),
    index('tickets_linked_idx').on(t.linkedTicketId).where(sql`${t.linkedTicketId} is not null`),
    index('tickets_closed_idx').on(t.closedAt).where(sql`${t.status} = 'closed'`),
    // Full-text search (ticket-queries.ts, ticketSearch): the expression must match the query's exactly.
    index('tickets_subject_search_idx').using('gin', sql`to_tsvector('simple', ${t.subject})`),
  ],
);

export const participants = pgTable(
  'participants',
  {
    ticketId: id('ticket_id').notNull().references(() => tickets.id, { onDelete: 'cascade' }),
    contactId: id('contact_id').notNull().references(() => contacts.id),
    role: text('role', { enum: ['requester', 'cc'] }).notNull(),
    addedAt: tstz('added_at').notNull().defaultNow(),
  },
  // By contact: the purge deletes contacts no ticket uses any more.
  (t) => [primaryKey({ columns: [t.ticketId, t.contactId] }), index('participants_contact_idx').on(t.contactId)],
);

export const messages = pgTable(
  'messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Null for automatic mail (auto-reply, bounce) that matched no ticket. */
    ticketId: id('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    direction: messageDirection('direction').notNull(),
    kind: messageKind('kind').notNull(),
    /**
     * Message-ID without brackets, the key every lookup uses; null for an inbound mail that had
     * none (then raw_sha256 identifies it). An id too long for the index is kept as its hash
     * (`sha256:…`, message-keys.ts), with the id as written in message_id_full.
     */
    messageId: text('message_id'),
    messageIdFull: text('message_id_full'),
    inReplyTo: text('in_reply_to'),
    references: text('references').array().notNull().default(sql`'{}'::text[]`),
    fromAddress: text('from_address'),
    fromName: text('from_name').notNull().default(''),
    to: jsonb('to').$type<{ address: string; name: string }[]>().notNull().default([]),
    cc: jsonb('cc').$type<{ address: string; name: string }[]>().notNull().default([]),
    subject: text('subject').notNull().default(''),
    text: text('text').notNull().default(''),
    html: text('html'),
    /** The source as received (or as sent), for re-parsing. */
    raw: bytea('raw'),
    rawSha256: text('raw_sha256'),
    rawSize: integer('raw_size').notNull().default(0),
    truncated: boolean('truncated').notNull().default(false),
    parseError: text('parse_error'),
    mailbox: text('mailbox'),
    imapUid: id('imap_uid'),
    /** The Date header. */
    sentDate: tstz('sent_date'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    /** Outlook's Thread-Index, kept so replies stay in the customer's conversation. */
    threadIndex: text('thread_index'),
    /** The agent who wrote an agent reply or note. */
    agentEmail: text('agent_email'),
    /** Outbound only: where the delivery stands. */
    deliveryState: deliveryState('delivery_state'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** When a sender last took the row (`sending`); a stale claim is retried by the reconciler. */
    claimedAt: tstz('claimed_at'),
    deliveredAt: tstz('delivered_at'),
  },
  (t) => [
    uniqueIndex('messages_message_id_key').on(t.messageId),
    uniqueIndex('messages_raw_sha256_key').on(t.rawSha256).where(sql`${t.messageId} is null`),
    index('messages_ticket_idx').on(t.ticketId, t.id),
    index('messages_outbox_idx').on(t.deliveryState, t.createdAt).where(sql`${t.deliveryState} in ('queued', 'sending')`),
    // Full-text search over what people wrote (ticket-queries.ts, ticketSearch), bounded so a huge mail
    // stays under tsvector's 1 MB; expression and predicate must match the query's exactly.
    index('messages_text_search_idx')
      .using('gin', sql`to_tsvector('simple', left(${t.text}, 100000))`)
      .where(sql`${t.kind} in ('customer', 'agent_reply', 'note')`),
  ],
);

/** Automated mail sent to an address: what the per-sender and per-ticket rate limits count (I7). */
export const autoResponses = pgTable(
  'auto_responses',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    address: text('address').notNull(),
    ticketId: id('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    /** `auto_ack`, `rule:<name>`, `auto_close`…; internal notices to agents are `notice:<what>`. */
    kind: text('kind').notNull(),
    /** The mailbox that sent it: the per-mailbox ceiling counts by it. */
    mailbox: text('mailbox'),
    sentAt: tstz('sent_at').notNull().defaultNow(),
  },
  (t) => [
    index('auto_responses_address_idx').on(t.address, t.sentAt),
    index('auto_responses_ticket_idx').on(t.ticketId, t.sentAt),
    index('auto_responses_mailbox_idx').on(t.mailbox, t.sentAt),
    index('auto_responses_kind_idx').on(t.kind, t.sentAt),
  ],
);

/**
 * SLA warnings and breaches sent: one row per ticket, metric, due time (the
 * cycle), kind and target. The unique key is what makes a notice go out at
 * most once however many daemons scan (I4).
 */
export const slaNotices = pgTable(
  'sla_notices',
  {
    ticketId: id('ticket_id').notNull().references(() => tickets.id, { onDelete: 'cascade' }),
    metric: text('metric', { enum: ['first_response', 'next_response', 'resolution'] }).notNull(),
    dueAt: tstz('due_at').notNull(),
    kind: text('kind', { enum: ['warning', 'breach'] }).notNull(),
    /** An address, or `*` for the event itself. */
    target: text('target').notNull(),
    sentAt: tstz('sent_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.metric, t.dueAt, t.kind, t.target] })],
);

/** Installation-wide values the daemon keeps for itself (e.g. a generated reply-token key). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

/** Attachment content, stored once per distinct sha256. */
export const attachmentBlobs = pgTable('attachment_blobs', {
  sha256: text('sha256').primaryKey(),
  size: integer('size').notNull(),
  content: bytea('content').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

export const attachments = pgTable(
  'attachments',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: id('message_id').notNull().references(() => messages.id, { onDelete: 'cascade' }),
    sha256: text('sha256').notNull(),
    /** False when the attachment exceeded the size cap: metadata only, no blob. */
    stored: boolean('stored').notNull().default(true),
    filename: text('filename'),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    contentId: text('content_id'),
    inline: boolean('inline').notNull().default(false),
  },
  // By content: the purge keeps a blob while any attachment uses it.
  (t) => [index('attachments_message_idx').on(t.messageId), index('attachments_sha256_idx').on(t.sha256)],
);

export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: id('ticket_id').notNull().references(() => tickets.id, { onDelete: 'cascade' }),
    messageId: id('message_id').references(() => messages.id, { onDelete: 'set null' }),
    type: text('type').notNull(),
    /** `customer:<email>`, `agent:<email>`, `system`, `rule:<name>`. */
    actor: text('actor').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  // By message: deleting a message clears the events that name it (ON DELETE SET NULL) without a scan.
  (t) => [index('events_ticket_idx').on(t.ticketId, t.id), index('events_message_idx').on(t.messageId).where(sql`${t.messageId} is not null`)],
);

/** Where each mailbox's poller resumes. */
export const mailboxState = pgTable('mailbox_state', {
  mailbox: text('mailbox').primaryKey(),
  uidValidity: id('uid_validity').notNull(),
  lastUid: id('last_uid').notNull().default(0),
  /** The highest UID already in the folder at the first start: mail up to it is imported quietly (`imap.existingMail`). */
  existingUpTo: id('existing_up_to').notNull().default(0),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

/**
 * Mail that could not be ingested after its attempts (I6): kept with its raw
 * source before the mailbox's resume point moves past it, listable and
 * replayable (`helpdesk mail failed`, `helpdesk mail replay`).
 */
export const quarantine = pgTable(
  'quarantine',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    mailbox: text('mailbox').notNull(),
    uidValidity: id('uid_validity').notNull(),
    uid: id('uid').notNull(),
    /** Size on the server; the stored source is cut at `limits.maxMessageBytes`. */
    size: integer('size').notNull(),
    raw: bytea('raw').notNull(),
    rawSha256: text('raw_sha256').notNull(),
    errorCode: text('error_code').notNull(),
    errorMessage: text('error_message').notNull(),
    attempts: integer('attempts').notNull(),
    firstSeenAt: tstz('first_seen_at').notNull().defaultNow(),
    lastSeenAt: tstz('last_seen_at').notNull().defaultNow(),
    replayAttempts: integer('replay_attempts').notNull().default(0),
  },
  (t) => [uniqueIndex('quarantine_mailbox_uid_key').on(t.mailbox, t.uidValidity, t.uid)],
);

/**
 * Senders blocked from the helpdesk (`#spam block`, `helpdesk senders block`),
 * besides the config's `senders.block`: an address, a domain or a glob, kept
 * as written (lower case). Their mail is stored as spam, answered by nobody.
 */
export const blockedSenders = pgTable('blocked_senders', {
  pattern: text('pattern').primaryKey(),
  /** Why, in words: `#spam block on ticket 1042`, or what the admin wrote. */
  reason: text('reason').notNull().default(''),
  /** `agent:<email>`, `cli`. */
  addedBy: text('added_by').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
});
