import { z } from 'zod';
import { unknownPlaceholders } from '../domain/template.js';

/** Placeholders every mail template may use. */
const TICKET = [
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

/** The built-in templates, the placeholders each may use, and their defaults. */
export const TEMPLATE_KINDS = {
  acknowledgement: {
    placeholders: TICKET,
    subject: 'Re: {{ticket.subject}}',
    text: `Hello {{customer.name}},

we have received your message and opened ticket {{ticket.tag}}: "{{ticket.subject}}".
An agent will answer soon. Replies to this mail are added to the ticket.

This is an automatic message.`,
  },
  agentNotification: {
    placeholders: [...TICKET, 'agent.name', 'agent.email', 'notice.kind', 'message.from', 'message.text', 'message.attachments'],
    subject: '{{notice.kind}}: {{ticket.subject}}',
    text: `Ticket {{ticket.number}} · status {{ticket.status}} · priority {{ticket.priority}} · department {{ticket.department}}
From: {{message.from}}
Subject: {{ticket.subject}}

{{message.text}}
{{message.attachments}}`,
  },
  slaWarning: {
    placeholders: [...TICKET, 'sla.metric', 'sla.dueAt'],
    subject: 'SLA due soon ({{sla.metric}}): {{ticket.subject}}',
    text: `Ticket {{ticket.number}} · status {{ticket.status}} · priority {{ticket.priority}} · department {{ticket.department}}

The {{sla.metric}} target passes at {{sla.dueAt}}.`,
  },
  slaBreach: {
    placeholders: [...TICKET, 'sla.metric', 'sla.dueAt'],
    subject: 'SLA breached ({{sla.metric}}): {{ticket.subject}}',
    text: `Ticket {{ticket.number}} · status {{ticket.status}} · priority {{ticket.priority}} · department {{ticket.department}}

The {{sla.metric}} target passed at {{sla.dueAt}}.`,
  },
  autoClose: {
    placeholders: TICKET,
    subject: 'Re: {{ticket.subject}}',
    text: `Hello {{customer.name}},

we have not heard back from you, so ticket {{ticket.tag}} "{{ticket.subject}}" is now closed.
If you still need help, just reply to this mail and it opens again.

This is an automatic message.`,
  },
  autoCloseWarning: {
    placeholders: TICKET,
    subject: 'Re: {{ticket.subject}}',
    text: `Hello {{customer.name}},

ticket {{ticket.tag}} "{{ticket.subject}}" is waiting for your reply. Unless you reply,
it will be closed soon.

This is an automatic message.`,
  },
} as const;

export type TemplateKind = keyof typeof TEMPLATE_KINDS;

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
