import { isLanguage, languagePack, type Language, type Phrases } from './languages/index.js';
import type { Config, MailboxConfig } from './schema.js';
import type { MailTemplate } from './templates.js';

/** Where a mail goes out: the mailbox (its own templates) and the language to write in. */
export interface TemplatePlace {
  readonly mailbox: string;
  readonly language: Language;
}

/**
 * The template a mail is written from: the mailbox's own, else the
 * config's, else the built-in one in the mail's language. Null for a name
 * nobody defined (config validation reports those a rule refers to).
 */
export function templateFor(config: Config, name: string, place: TemplatePlace): MailTemplate | null {
  const mailbox = config.mailboxes.find((m) => m.name === place.mailbox);
  const builtIn = languagePack(place.language).templates as Readonly<Record<string, MailTemplate | undefined>>;
  return mailbox?.templates[name] ?? config.templates[name] ?? builtIn[name] ?? null;
}

/** The words code fills into templates (`New ticket`, `first response`…), in a language. */
export function phrasesOf(language: Language): Phrases {
  return languagePack(language).phrases;
}

/** A mailbox's language for mail to agents, and to customers when it is not `auto`. */
export function mailboxLanguage(config: Config, mailbox: MailboxConfig | undefined): Language {
  const language = mailbox?.language ?? config.language;
  return language === 'auto' ? (mailbox?.fallbackLanguage ?? config.fallbackLanguage) : language;
}

/** Whether a mailbox reads the customer's language from their mail (`language: auto`). */
export function detectsLanguage(config: Config, mailbox: MailboxConfig): boolean {
  return (mailbox.language ?? config.language) === 'auto';
}

/** The language of mail to a ticket's customer: the one chosen when it opened, else its mailbox's. */
export function customerLanguage(config: Config, ticket: { readonly mailbox: string; readonly language: string | null }): Language {
  if (ticket.language && isLanguage(ticket.language)) return ticket.language;
  return mailboxLanguage(
    config,
    config.mailboxes.find((m) => m.name === ticket.mailbox),
  );
}

/** The language of mail to agents about a ticket of this mailbox. */
export function agentLanguage(config: Config, mailboxName: string): Language {
  return mailboxLanguage(
    config,
    config.mailboxes.find((m) => m.name === mailboxName),
  );
}
