import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';
import { parseHoursRange } from '../domain/business-time.js';
import type { Rule } from '../domain/rules.js';
import { ruleSchema } from './rules.js';
import { templateSchema, type MailTemplate } from './templates.js';
import { PRIORITIES, TICKET_STATUSES } from '../domain/ticket.js';
import { statusesMovedBy } from '../domain/lifecycle.js';
import { senderPatternProblem } from '../domain/sender-list.js';
import { LANGUAGES } from './languages/index.js';

/** A duration such as `30s`, `15m`, `4d`; parsed to milliseconds. */
const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: write a number and a unit s, m, h or d (e.g. 30m, 4d)` });
    return z.NEVER;
  }
  return ms;
});

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
/** A byte size: a number, or a string such as `25MB`. */
const byteSize = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b)?\s*$/i.exec(value);
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a size: write bytes or e.g. 512KB, 25MB` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? '').toLowerCase()]!);
});

const email = z.string().trim().toLowerCase().pipe(z.email({ message: 'is not an email address' }));
const priority = z.enum(PRIORITIES);
const status = z.enum(TICKET_STATUSES);
const port = z.number().int().min(1).max(65535);

const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a known IANA time zone (e.g. Europe/Amsterdam)' },
);

/** Token endpoints of the providers we know; `custom` names its own. */
export const OAUTH2_TOKEN_URLS = {
  google: 'https://oauth2.googleapis.com/token',
  microsoft: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
} as const;

/**
 * OAuth2 sign-in (XOAUTH2/OAUTHBEARER) with a refresh token the daemon
 * exchanges for access tokens. `tokenUrl` defaults by provider (a Microsoft
 * tenant may name its own); `scope` is sent with each refresh when given.
 */
const oauth2Schema = z
  .strictObject({
    type: z.literal('oauth2', { error: 'the only auth type is oauth2' }),
    provider: z.enum(['google', 'microsoft', 'custom']),
    clientId: z.string().min(1),
    /** Public clients (e.g. a Microsoft app registered as one) have none. */
    clientSecret: z.string().min(1).nullable().default(null),
    refreshToken: z.string().min(1),
    tokenUrl: z.url({ protocol: /^https?$/, error: 'is not an http(s) URL' }).optional(),
    scope: z.string().min(1).optional(),
  })
  .transform((auth, ctx) => {
    const tokenUrl = auth.tokenUrl ?? (auth.provider === 'custom' ? undefined : OAUTH2_TOKEN_URLS[auth.provider]);
    if (!tokenUrl) {
      ctx.addIssue({ code: 'custom', path: ['tokenUrl'], message: 'is required with provider: custom (the token endpoint of your identity provider)' });
      return z.NEVER;
    }
    return { ...auth, tokenUrl };
  });
export type OAuth2Auth = z.output<typeof oauth2Schema>;

const imapFields = z.strictObject({
  host: z.string().min(1),
  /** Defaults to 993 with `secure`, else 143. */
  port: port.optional(),
  secure: z.boolean().default(true),
  user: z.string().min(1),
  password: z.string().nullable().default(null),
  /** OAuth2 instead of a password (Google, Microsoft 365, or a custom token endpoint). */
  auth: oauth2Schema.optional(),
  folder: z.string().min(1).default('INBOX'),
  /** Move processed mail here; null flags it `\Seen` and leaves it in place. */
  processedFolder: z.string().min(1).nullable().default(null),
  /** A copy of every reply sent to a customer is APPENDed here; null: no copy. */
  sentFolder: z.string().min(1).nullable().default(null),
  /** Use IMAP IDLE when the server offers it. */
  idle: z.boolean().default(true),
  /** Full re-check interval; the only trigger on servers without IDLE. */
  pollInterval: duration.prefault('60s'),
  /** Verify the server's TLS certificate. */
  tlsVerify: z.boolean().default(true),
  /** Move mail that went to the quarantine here (created if missing); null flags it `\Seen` like processed mail. */
  quarantineFolder: z.string().min(1).nullable().default(null),
  /**
   * Mail already in the folder when the daemon first watches it: `import`
   * makes tickets without acknowledging or notifying anyone, `ingest` treats
   * it as new mail, `skip` leaves it alone.
   */
  existingMail: z.enum(['import', 'ingest', 'skip']).default('import'),
});

/** A password or OAuth2, never both: which one signs in would be a guess. */
function oneSignIn(block: { password: string | null; auth?: unknown }, ctx: z.RefinementCtx): void {
  if (block.password !== null && block.auth !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['password'], message: 'password and auth (OAuth2) are mutually exclusive: remove one' });
  }
}
const imapSchema = imapFields.superRefine(oneSignIn);

const smtpFields = z.strictObject({
  host: z.string().min(1),
  port: port.default(587),
  secure: z.boolean().default(false),
  /** With `auth`, defaults to the mailbox's `imap.user`. */
  user: z.string().min(1).nullable().default(null),
  password: z.string().nullable().default(null),
  /** OAuth2 (XOAUTH2); the same block as `imap.auth` (a YAML anchor saves writing it twice) shares its tokens. */
  auth: oauth2Schema.optional(),
  tlsVerify: z.boolean().default(true),
});

const smtpSchema = smtpFields.superRefine(oneSignIn);

const language = z.enum(LANGUAGES, { error: `use one of ${LANGUAGES.join(', ')}` });
/** A language, or `auto`: the customer's, read from their mail. */
const languageOrAuto = z.enum([...LANGUAGES, 'auto'], { error: `use one of ${LANGUAGES.join(', ')} or auto` });

/** Template names: the built-in kinds, and any name a rule refers to. */
const templatesSchema = z.record(z.string().regex(/^[\w-]+$/, 'template names are letters, digits, - and _'), templateSchema);

const mailboxSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'use letters, digits, - and _ only'),
  address: email,
  department: z.string().min(1).default('general'),
  defaultPriority: priority.default('medium'),
  /** The language of this mailbox's mail; default: the top-level `language`. */
  language: languageOrAuto.optional(),
  /** With `language: auto`, the language when the customer's cannot be told; default: the top-level `fallbackLanguage`. */
  fallbackLanguage: language.optional(),
  /** This mailbox's own templates, by kind: they replace the top-level ones and the built-in ones. */
  templates: templatesSchema.default({}),
  imap: imapSchema,
  smtp: smtpSchema.optional(),
});

/** Addresses, domains and globs (senders.block / senders.allow). */
const senderPattern = z
  .string()
  .trim()
  .toLowerCase()
  .superRefine((pattern, ctx) => {
    const problem = senderPatternProblem(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const agentSchema = z.strictObject({
  name: z.string().min(1),
  email,
  departments: z.array(z.string().min(1)).default([]),
});

const slaTargets = z.strictObject({
  firstResponse: duration.optional(),
  nextResponse: duration.optional(),
  resolution: duration.optional(),
});

const hoursRange = z.string().refine((text) => parseHoursRange(text) !== null, {
  message: 'write hours as HH:MM-HH:MM (00:00-24:00; a range may cross midnight, e.g. 22:00-06:00)',
});
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const calendarSchema = z.strictObject({
  timezone,
  hours: z.partialRecord(z.enum(WEEKDAYS), z.union([hoursRange, z.array(hoursRange)])).default({}),
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write holidays as YYYY-MM-DD')).default([]),
});

/** `assignee`, `department` (its agents) or an email address. */
const notifyTarget = z.union([z.enum(['assignee', 'department']), email], {
  error: 'use assignee, department or an email address',
});

const slaSchema = z.strictObject({
  calendar: calendarSchema.optional(),
  policies: z.partialRecord(priority, slaTargets).default({}),
  /** Per department: targets that replace the general policy's for that priority. */
  departments: z.record(z.string().min(1), z.partialRecord(priority, slaTargets)).default({}),
  /** While the ticket is in one of these statuses the resolution clock stands still. */
  pauseOn: z.array(status).default(['answered', 'postponed']),
  warnBefore: duration.prefault('30m'),
  notify: z.array(notifyTarget).default(['assignee']),
});

const autoAcknowledgeSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Automated mails (acknowledgements, notices) per recipient address and per ticket within `window`. */
  limits: z
    .strictObject({
      perSender: z.number().int().min(0).default(5),
      perTicket: z.number().int().min(0).default(3),
      /** All automated mail to customers from one mailbox within the window. */
      perMailbox: z.number().int().min(0).default(300),
      window: duration.prefault('1h'),
    })
    .prefault({}),
});

const outboundSchema = z.strictObject({
  /** Delivery attempts for transient failures (4xx, network) before the mail counts as failed. */
  maxAttempts: z.number().int().min(1).max(50).default(8),
  /** First retry delay; each next one doubles. */
  retryDelay: duration.prefault('30s'),
  /** How often rows left in `queued` (Redis flushed or down) are queued again. */
  reconcileEvery: duration.prefault('1m'),
  /** A row `sending` for longer than this (a worker died mid-send) is retried. */
  stuckAfter: duration.prefault('10m'),
  /**
   * Mails a daemon sends at once. A daemon killed mid-send sends again the
   * mails the server accepted but it had not recorded yet: at most this many.
   */
  concurrency: z.number().int().min(1).max(50).default(3),
});


export const configSchema = z
  .strictObject({
    ticketPrefix: z.string().min(1).max(20).regex(/^[^[\]\s]+$/, 'must not contain brackets or spaces').default('#'),
    mailboxes: z.array(mailboxSchema).min(1, 'configure at least one mailbox'),
    agents: z.array(agentSchema).default([]),
    agentAuth: z.enum(['token', 'dkim', 'token-or-dkim']).default('token'),
    /**
     * The authserv-id of our receiving server: with `dkim`/`token-or-dkim`, its topmost
     * Authentication-Results header also counts (the daemon verifies signatures itself in any case).
     */
    trustedAuthServer: z.string().min(1).optional(),
    /** Agents' reply tokens (the Reply-To of their notifications) stop proving anything after this long. */
    replyTokens: z.strictObject({ lifetime: duration.prefault('90d') }).prefault({}),
    autoAcknowledge: autoAcknowledgeSchema.prefault({}),
    /** Mail to agents about new tickets and customer replies. */
    notifications: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Once a ticket is assigned, customer mail is told to its assignee only, or still to the whole department. */
        afterAssign: z.enum(['assignee', 'department']).default('assignee'),
        /** The customer's attachments ride along with the notification up to this total; the rest are listed. */
        attachmentsMaxBytes: byteSize.prefault('10MB'),
      })
      .prefault({}),
    /** The first agent to answer an unassigned ticket becomes its assignee. */
    assignOnReply: z.boolean().default(true),
    /** Mail the requester gets when an agent resolves or postpones their ticket (templates `resolved`, `postponed`). */
    customerNotices: z.strictObject({ resolved: z.boolean().default(true), postponed: z.boolean().default(false) }).prefault({}),
    /** The language of mail to customers and agents: en, nl, it, da, de, or auto (the customer's); mailboxes may override. */
    language: languageOrAuto.default('en'),
    /** With `language: auto`, the language when the customer's cannot be told. */
    fallbackLanguage: language.default('en'),
    /** Senders whose mail is stored as spam, answered by nobody (`block`), and exceptions to that (`allow`). */
    senders: z.strictObject({ block: z.array(senderPattern).default([]), allow: z.array(senderPattern).default([]) }).prefault({}),
    outbound: outboundSchema.prefault({}),
    /**
     * IMAP logins in flight at once to one server (host:port): the other
     * mailboxes on it wait their turn. Open connections do not count.
     */
    imapLogins: z.strictObject({ perServer: z.number().int().min(1).max(100).default(8) }).prefault({}),
    autoClose: z
      .strictObject({
        after: duration.prefault('4d'),
        statuses: z.array(status).default(['answered', 'resolved']),
        notifyCustomer: z.boolean().default(true),
        /** Count `after` in business days of the SLA calendar instead of calendar time. */
        businessDays: z.boolean().default(false),
        /** Send the customer a "will close unless you reply" notice this long before closing. */
        warnBefore: duration.optional(),
      })
      .prefault({}),
    reopenWindow: duration.prefault('30d'),
    sla: slaSchema.prefault({}),
    schedules: z
      .strictObject({ slaScanEvery: duration.prefault('1m'), autoCloseEvery: duration.prefault('15m'), purgeEvery: duration.prefault('1h') })
      .prefault({}),
    /**
     * How long tickets are kept before the purge deletes them for good, with
     * their messages, sources, events and the attachments nothing else uses:
     * spam after its last change, soft-deleted ones after their deletion,
     * closed ones after closing. null keeps them forever.
     */
    retention: z
      .strictObject({
        spam: duration.nullable().prefault('30d'),
        deleted: duration.nullable().prefault('30d'),
        closed: duration.nullable().prefault('730d'),
      })
      .prefault({}),
    /**
     * Satisfaction (CSAT): when a ticket is resolved its requester is asked
     * "How did we do?" once, with good / bad links to `url` (this daemon's
     * HTTP server as customers reach it, e.g. https://help.example.com).
     */
    satisfaction: z
      .strictObject({
        enabled: z.boolean().default(false),
        url: z.url({ protocol: /^https?$/, error: 'is not an http(s) URL' }).optional(),
      })
      .prefault({}),
    http: z
      .strictObject({ port, host: z.string().default('127.0.0.1'), token: z.string().nullable().default(null) })
      .optional(),
    limits: z
      .strictObject({
        /** Raw messages beyond this are stored truncated, with a note on the ticket. */
        maxMessageBytes: byteSize.prefault('50MB'),
        /** Attachments beyond this keep their metadata only. */
        maxAttachmentBytes: byteSize.prefault('25MB'),
        /** Time each parsing stage of one mail may take (MIME structure, HTML sanitising), off the main thread. */
        parseTimeout: duration.prefault('10s'),
        /** Attempts at storing a mail that fails for a reason of its own before it goes to the quarantine. */
        ingestAttempts: z.number().int().min(1).max(20).default(3),
        /** People copied on one ticket's answers at most (requester included); agents' #cc add may go past it. */
        participantsPerTicket: z.number().int().min(1).max(1000).default(20),
      })
      .prefault({}),
    /** Mail templates by name: the built-in kinds (acknowledgement, agentNotification, slaWarning, slaBreach, autoClose, autoCloseWarning) and any a rule names. */
    templates: templatesSchema.default({}),
    rules: z.array(ruleSchema).default([]),
  })
  .superRefine((config, ctx) => {
    unique(config.mailboxes.map((m) => m.name), ['mailboxes'], 'name', ctx);
    unique(config.mailboxes.map((m) => m.address), ['mailboxes'], 'address', ctx);
    unique(config.agents.map((a) => a.email), ['agents'], 'email', ctx);
    const closable = statusesMovedBy('idle_timeout');
    config.autoClose.statuses.forEach((status, index) => {
      if (!closable.includes(status)) {
        ctx.addIssue({ code: 'custom', path: ['autoClose', 'statuses', index], message: `${status} tickets are never closed for idleness: the lifecycle closes ${closable.join(' and ')} ones` });
      }
    });
    if (config.satisfaction.enabled && !config.satisfaction.url) {
      ctx.addIssue({ code: 'custom', path: ['satisfaction', 'url'], message: "is required when satisfaction is enabled: the address of this daemon's HTTP server as customers reach it" });
    }
    if (config.satisfaction.enabled && !config.http) {
      ctx.addIssue({ code: 'custom', path: ['satisfaction', 'enabled'], message: 'needs http: the answers arrive at its /satisfaction page' });
    }
    const calendar = config.sla.calendar;
    if (calendar && Object.values(calendar.hours).flat().length === 0 && Object.keys(calendar.hours).length > 0) {
      ctx.addIssue({ code: 'custom', path: ['sla', 'calendar', 'hours'], message: 'no opening hours at all: give at least one range, or omit hours for 24/7' });
    }
  });

function unique(values: string[], path: (string | number)[], key: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (seen.has(value)) ctx.addIssue({ code: 'custom', path: [...path, index, key], message: `duplicate ${key} "${value}"` });
    seen.add(value);
  });
}

type ParsedConfig = z.output<typeof configSchema>;
type Templates = Readonly<Record<string, MailTemplate>>;

/**
 * The validated config. `templates` holds the templates the config gives
 * (files read), by name — top-level ones and those rules name inline; each
 * mailbox's `templates` its own. The built-in kinds' texts in each language
 * are not copied in: config/languages has them (templateFor picks).
 */
export type Config = Omit<ParsedConfig, 'templates' | 'rules' | 'mailboxes'> & {
  readonly mailboxes: readonly (Omit<ParsedConfig['mailboxes'][number], 'templates'> & { readonly templates: Templates })[];
  readonly templates: Templates;
  readonly rules: readonly Rule[];
};
export type MailboxConfig = Config['mailboxes'][number];
export type AgentConfig = Config['agents'][number];
