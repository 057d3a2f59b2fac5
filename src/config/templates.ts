import { z } from 'zod';
import { unknownPlaceholders } from '../domain/template.js';
import { en } from './languages/en.js';
import { BUILT_IN_KINDS, KIND_PLACEHOLDERS, TICKET_PLACEHOLDERS, type BuiltInKind } from './languages/index.js';

/** Placeholders every mail template may use. */
const TICKET = TICKET_PLACEHOLDERS;

/**
 * The built-in kinds: the placeholders each may use, and their English
 * defaults (the other languages: config/languages).
 */
export const TEMPLATE_KINDS = Object.fromEntries(
  BUILT_IN_KINDS.map((kind) => [kind, { placeholders: KIND_PLACEHOLDERS[kind], ...en.templates[kind] }]),
) as Readonly<Record<BuiltInKind, { readonly placeholders: readonly string[]; readonly subject: string; readonly text: string; readonly html?: string }>>;

export type TemplateKind = BuiltInKind;

/** Placeholders of templates used by rules (`notify`, to agents and configured addresses). */
export const RULE_PLACEHOLDERS = [...TICKET, 'rule.name', 'message.from', 'message.text'] as const;

/**
 * Placeholders of a rule's `reply`, which goes to the mail's sender — who may
 * be anyone, From being forged at will: ticket fields only, never the inbound
 * text, so the daemon cannot be made to mail a stranger someone else's words.
 */
export const REPLY_PLACEHOLDERS = [...TICKET, 'rule.name'] as const;

/** A template as written: inline text, or a file path relative to the config file. */
export const templateSchema = z
  .strictObject({
    subject: z.string().optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    /** Plain-text body from a file. */
    file: z.string().min(1).optional(),
    /** HTML body from a file. */
    htmlFile: z.string().min(1).optional(),
  })
  .refine((t) => t.text !== undefined || t.file !== undefined, { message: 'give text or file' })
  .refine((t) => !(t.text !== undefined && t.file !== undefined), { message: 'give text or file, not both' })
  .refine((t) => !(t.html !== undefined && t.htmlFile !== undefined), { message: 'give html or htmlFile, not both' });

export type TemplateInput = z.output<typeof templateSchema>;

/** A template ready to render: the files read. */
export interface MailTemplate {
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/** Unknown placeholders of a template's parts, as messages. */
export function placeholderProblems(template: Partial<MailTemplate>, allowed: readonly string[]): string[] {
  const unknown = [template.subject, template.text, template.html].flatMap((part) => (part ? unknownPlaceholders(part, allowed) : []));
  return [...new Set(unknown)].map((name) => `unknown placeholder {{${name}}}: use ${allowed.join(', ')}`);
}
