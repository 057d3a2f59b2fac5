import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_KINDS,
  isLanguage,
  KIND_AUDIENCE,
  KIND_PLACEHOLDERS,
  LANGUAGES,
  languagePack,
  type BuiltInKind,
  type Language,
} from '../../src/config/languages/index.js';
import { TEMPLATE_KINDS, type TemplateKind } from '../../src/config/templates.js';
import { renderTemplate, templatePlaceholders, unknownPlaceholders } from '../../src/domain/template.js';

const CUSTOMER_KINDS = BUILT_IN_KINDS.filter((kind) => KIND_AUDIENCE[kind] === 'customer');
/** Customer mails the helpdesk writes itself (agentReply carries the agent's words). */
const AUTOMATIC_KINDS = CUSTOMER_KINDS.filter((kind) => kind !== 'agentReply');

const every = LANGUAGES.flatMap((language) => BUILT_IN_KINDS.map((kind) => [language, kind] as [Language, BuiltInKind]));
const parts = (language: Language, kind: BuiltInKind) => {
  const t = languagePack(language).templates[kind];
  return [t.subject, t.text, t.html].filter((part): part is string => part !== undefined);
};

describe('language packs: complete', () => {
  it.each(LANGUAGES)('%s has a template for every built-in kind and nothing else', (language) => {
    expect(Object.keys(languagePack(language).templates).sort()).toEqual([...BUILT_IN_KINDS].sort());
  });

  it.each(LANGUAGES)('%s has every phrase, none empty', (language) => {
    const { phrases } = languagePack(language);
    const { metric, ...words } = phrases;
    expect(Object.keys(words).sort()).toEqual(['attachments', 'customerFallbackName', 'noText', 'noticeNew', 'noticeReply', 'unknownSender']);
    expect(Object.keys(metric).sort()).toEqual(['first_response', 'next_response', 'resolution']);
    for (const word of [...Object.values(words), ...Object.values(metric)]) expect(word.trim()).not.toBe('');
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s is translated: no text equals the English one (but agentReply)', (language) => {
    for (const kind of BUILT_IN_KINDS.filter((k) => k !== 'agentReply')) {
      expect(languagePack(language).templates[kind].text, kind).not.toBe(languagePack('en').templates[kind].text);
    }
  });
});

describe('language packs: placeholders', () => {
  it.each(every)('%s %s uses only its kind’s placeholders', (language, kind) => {
    for (const part of parts(language, kind)) expect(unknownPlaceholders(part, KIND_PLACEHOLDERS[kind])).toEqual([]);
  });

  it.each(every)('%s %s has no broken braces', (language, kind) => {
    for (const part of parts(language, kind)) {
      expect(part.split('{{').length - 1).toBe(templatePlaceholders(part).length);
      expect(part.split('}}').length - 1).toBe(templatePlaceholders(part).length);
    }
  });

  it.each(every.filter(([, kind]) => KIND_AUDIENCE[kind] === 'customer'))('%s %s (to a customer) keeps the subject "Re: {{ticket.subject}}"', (language, kind) => {
    expect(languagePack(language).templates[kind].subject).toBe('Re: {{ticket.subject}}');
  });

  it.each(every.filter(([, kind]) => (AUTOMATIC_KINDS as readonly string[]).includes(kind)))(
    '%s %s (automatic, to a customer) names the ticket by tag and subject, and the customer',
    (language, kind) => {
      const used = templatePlaceholders(languagePack(language).templates[kind].text);
      expect(used).toEqual(expect.arrayContaining(['ticket.tag', 'ticket.subject', 'customer.name']));
    },
  );

  it.each(LANGUAGES)('%s postponed says until when', (language) => {
    expect(templatePlaceholders(languagePack(language).templates.postponed.text)).toContain('postponed.until');
  });

  it.each(LANGUAGES)('%s assigned says by whom, and to an agent', (language) => {
    expect(templatePlaceholders(languagePack(language).templates.assigned.text)).toEqual(
      expect.arrayContaining(['ticket.number', 'ticket.subject', 'assigned.by']),
    );
  });

  it.each(LANGUAGES)('%s agentReply does not wrap the agent’s words', (language) => {
    expect(languagePack(language).templates.agentReply).toEqual({ subject: 'Re: {{ticket.subject}}', text: '{{reply.text}}', html: '{{reply.html}}' });
  });
});

describe('language packs: how customer mail ends and begins', () => {
  const AUTOMATIC_LINE: Record<Language, string> = {
    en: 'This is an automatic message.',
    nl: 'Dit is een automatisch bericht.',
    it: 'Questo è un messaggio automatico.',
    da: 'Dette er en automatisk besked.',
    de: 'Dies ist eine automatisch versendete Nachricht.',
  };
  it.each(LANGUAGES)('%s automatic customer mail ends saying it is automatic', (language) => {
    for (const kind of AUTOMATIC_KINDS) {
      expect(languagePack(language).templates[kind].text.split('\n').at(-1), kind).toBe(AUTOMATIC_LINE[language]);
    }
  });

  const GREETING: [Language, string][] = [
    ['en', 'Hello there,'],
    ['nl', 'Beste klant,'],
    ['it', 'Gentile cliente,'],
    ['da', 'Hej med dig,'],
    ['de', 'Hallo liebe Kundin, lieber Kunde,'],
  ];
  it.each(GREETING)('%s greets a customer of unknown name with the fallback: %s', (language, greeting) => {
    const pack = languagePack(language);
    for (const kind of AUTOMATIC_KINDS) {
      const text = renderTemplate(pack.templates[kind].text, { 'customer.name': pack.phrases.customerFallbackName });
      expect(text.split('\n')[0], kind).toBe(greeting);
    }
  });
});

describe('language packs: English', () => {
  const existing = Object.keys(TEMPLATE_KINDS) as TemplateKind[];

  it.each(existing)('%s reads exactly as the configured default', (kind) => {
    const { subject, text } = TEMPLATE_KINDS[kind];
    const html = (TEMPLATE_KINDS[kind] as { html?: string }).html;
    expect(languagePack('en').templates[kind]).toEqual({ subject, text, ...(html === undefined ? {} : { html }) });
  });

  // Pinned here too: once templates.ts reads en.ts, the comparison above no longer guards the wording.
  const PINNED: [BuiltInKind, string, string][] = [
    ['acknowledgement', 'Re: {{ticket.subject}}', 'Hello {{customer.name}},\n\nwe have received your message and opened ticket {{ticket.tag}}: "{{ticket.subject}}".\nAn agent will answer soon. Replies to this mail are added to the ticket.\n\nThis is an automatic message.'],
    ['agentNotification', '{{notice.kind}}: {{ticket.subject}}', 'Ticket {{ticket.number}} · status {{ticket.status}} · priority {{ticket.priority}} · department {{ticket.department}}\nFrom: {{message.from}}\nSubject: {{ticket.subject}}\n\n{{message.text}}\n{{message.attachments}}'],
    ['slaWarning', 'SLA due soon ({{sla.metric}}): {{ticket.subject}}', 'Ticket {{ticket.number}} · status {{ticket.status}} · priority {{ticket.priority}} · department {{ticket.department}}\n\nThe {{sla.metric}} target passes at {{sla.dueAt}}.'],
    ['slaBreach', 'SLA breached ({{sla.metric}}): {{ticket.subject}}', 'Ticket {{ticket.number}} · status {{ticket.status}} · priority {{ticket.priority}} · department {{ticket.department}}\n\nThe {{sla.metric}} target passed at {{sla.dueAt}}.'],
    ['autoClose', 'Re: {{ticket.subject}}', 'Hello {{customer.name}},\n\nwe have not heard back from you, so ticket {{ticket.tag}} "{{ticket.subject}}" is now closed.\nIf you still need help, just reply to this mail and it opens again.\n\nThis is an automatic message.'],
    ['autoCloseWarning', 'Re: {{ticket.subject}}', 'Hello {{customer.name}},\n\nticket {{ticket.tag}} "{{ticket.subject}}" is waiting for your reply. Unless you reply,\nit will be closed soon.\n\nThis is an automatic message.'],
  ];
  it.each(PINNED)('%s keeps the wording users rely on', (kind, subject, text) => {
    expect(languagePack('en').templates[kind]).toEqual({ subject, text });
  });

  it.each(existing)('%s allows the same placeholders as the configured default', (kind) => {
    expect([...KIND_PLACEHOLDERS[kind]].sort()).toEqual([...TEMPLATE_KINDS[kind].placeholders].sort());
  });

  it('phrases are the words code filled in before there were languages', () => {
    expect(languagePack('en').phrases).toEqual({
      noticeNew: 'New ticket',
      noticeReply: 'Customer replied',
      noText: '(no text)',
      unknownSender: 'an unknown sender',
      attachments: 'Attachments:',
      metric: { first_response: 'first response', next_response: 'next response', resolution: 'resolution' },
      customerFallbackName: 'there',
    });
  });
});

describe('isLanguage', () => {
  it.each([
    ['en', true],
    ['nl', true],
    ['it', true],
    ['da', true],
    ['de', true],
    ['fr', false],
    ['EN', false],
    ['nl-NL', false],
    ['', false],
    ['constructor', false],
  ] as const)('%s → %s', (value, expected) => {
    expect(isLanguage(value)).toBe(expected);
  });
});
