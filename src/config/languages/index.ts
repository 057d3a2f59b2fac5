import { da } from './da.js';
import { de } from './de.js';
import { en } from './en.js';
import { it } from './it.js';
import { nl } from './nl.js';

/**
 * The languages the helpdesk writes its built-in mail in: per language, a
 * template for each built-in kind and the words code fills into placeholders.
 */

/** ISO 639-1 codes, English first: the language of last resort. */
export const LANGUAGES = ['en', 'nl', 'it', 'da', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The kinds of mail the helpdesk writes by itself. */
export const BUILT_IN_KINDS = [
  'acknowledgement',
  'agentNotification',
  'slaWarning',
  'slaBreach',
  'autoClose',
  'autoCloseWarning',
  'resolved',
  'satisfaction',
  'postponed',
  'agentReply',
  'assigned',
] as const;
export type BuiltInKind = (typeof BUILT_IN_KINDS)[number];

/** Placeholders every mail template may use. */
export const TICKET_PLACEHOLDERS = [
  'ticket.number',
  'ticket.tag',
  'ticket.subject',
  'ticket.status',
  'ticket.priority',
  'ticket.department',
  'ticket.assignee',
  'customer.name',
  'customer.email',
  'mailbox.name',
  'mailbox.address',
] as const;

const TICKET = TICKET_PLACEHOLDERS;
const AGENT = ['agent.name', 'agent.email'] as const;
const SLA = ['sla.metric', 'sla.dueAt'] as const;

/** The placeholders each built-in kind may use. */
export const KIND_PLACEHOLDERS: Readonly<Record<BuiltInKind, readonly string[]>> = {
  acknowledgement: TICKET,
  agentNotification: [...TICKET, ...AGENT, 'notice.kind', 'message.from', 'message.text', 'message.attachments'],
  slaWarning: [...TICKET, ...SLA],
  slaBreach: [...TICKET, ...SLA],
  autoClose: TICKET,
  autoCloseWarning: TICKET,
  resolved: TICKET,
  satisfaction: [...TICKET, 'satisfaction.good', 'satisfaction.bad'],
  postponed: [...TICKET, 'postponed.until'],
  agentReply: [...TICKET, ...AGENT, 'reply.text', 'reply.html'],
  assigned: [...TICKET, ...AGENT, 'assigned.by'],
};

/** Who reads each kind: customers get the mail in their language and an "automatic message" line. */
export const KIND_AUDIENCE: Readonly<Record<BuiltInKind, 'customer' | 'agent'>> = {
  acknowledgement: 'customer',
  agentNotification: 'agent',
  slaWarning: 'agent',
  slaBreach: 'agent',
  autoClose: 'customer',
  autoCloseWarning: 'customer',
  resolved: 'customer',
  satisfaction: 'customer',
  postponed: 'customer',
  agentReply: 'customer',
  assigned: 'agent',
};

/** A built-in template in one language. */
export interface BuiltInTemplate {
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/** Words code fills into placeholders, in one language. */
export interface Phrases {
  /** `notice.kind` of a new ticket: "New ticket". */
  readonly noticeNew: string;
  /** `notice.kind` of a customer's reply: "Customer replied". */
  readonly noticeReply: string;
  /** `message.text` of a mail with no text: "(no text)". */
  readonly noText: string;
  /** `message.from` when the sender is unknown: "an unknown sender". */
  readonly unknownSender: string;
  /** The heading of the attachment list in `message.attachments`: "Attachments:". */
  readonly attachments: string;
  /** `sla.metric`: "first response", … */
  readonly metric: { readonly first_response: string; readonly next_response: string; readonly resolution: string };
  /** `customer.name` when nothing is known of the customer, read after the greeting: "Hello there". */
  readonly customerFallbackName: string;
}

export interface LanguagePack {
  readonly templates: Readonly<Record<BuiltInKind, BuiltInTemplate>>;
  readonly phrases: Phrases;
}

const PACKS: Readonly<Record<Language, LanguagePack>> = { en, nl, it, da, de };

/** The templates and phrases of a language. */
export function languagePack(language: Language): LanguagePack {
  return PACKS[language];
}

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}
