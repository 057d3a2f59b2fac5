import { describe, expect, it } from 'vitest';
import { renderTemplate, templatePlaceholders, unknownPlaceholders } from '../../src/domain/template.js';
import { TEMPLATE_KINDS } from '../../src/config/templates.js';

const TICKET_PLACEHOLDERS = TEMPLATE_KINDS.acknowledgement.placeholders;
import type { TemplateVars } from '../../src/domain/template.js';

const VARS: TemplateVars = {
  'ticket.number': 1042,
  'ticket.tag': '[#1042]',
  'ticket.subject': 'Printer on fire',
  'customer.name': 'Carol',
  'customer.email': 'carol@customer.test',
  'mailbox.address': 'support@example.test',
};

describe('renderTemplate', () => {
  it.each<[string, string, TemplateVars, string]>([
    ['a number', 'Ticket {{ticket.number}}', VARS, 'Ticket 1042'],
    ['whitespace inside the braces', 'Ticket {{   ticket.number\t}}', VARS, 'Ticket 1042'],
    ['newlines inside the braces', 'Ticket {{\n ticket.number \n}}', VARS, 'Ticket 1042'],
    ['several, repeated', 'Hi {{ customer.name }}, {{ ticket.tag }} {{ticket.subject}} {{ ticket.tag }}', VARS,
      'Hi Carol, [#1042] Printer on fire [#1042]'],
    ['a missing value renders empty', 'Dept: [{{ ticket.department }}]', VARS, 'Dept: []'],
    ['null renders empty', 'Name: [{{ customer.name }}]', { 'customer.name': null }, 'Name: []'],
    ['undefined renders empty', 'Name: [{{ customer.name }}]', { 'customer.name': undefined }, 'Name: []'],
    ['zero is a value', 'n={{ n }}', { n: 0 }, 'n=0'],
    ['the empty string is a value', 'n=[{{ n }}]', { n: '' }, 'n=[]'],
    ['no placeholder', 'Thanks for writing.', VARS, 'Thanks for writing.'],
    ['single braces are text', 'a {ticket.number} b', VARS, 'a {ticket.number} b'],
    ['unclosed braces are text', 'a {{ ticket.number b', VARS, 'a {{ ticket.number b'],
    ['an expression is not a placeholder', '{{ ticket.number + 1 }}', VARS, '{{ ticket.number + 1 }}'],
    ['a call is not a placeholder', '{{ process.exit() }}', VARS, '{{ process.exit() }}'],
    ['a value that looks like a placeholder is not expanded again', '{{ customer.name }}', { 'customer.name': '{{ ticket.number }}' },
      '{{ ticket.number }}'],
    ['replacement patterns in a value are literal', '{{ customer.name }}', { 'customer.name': '$& $1 $$' }, '$& $1 $$'],
  ])('%s', (_name, template, vars, want) => {
    expect(renderTemplate(template, vars)).toBe(want);
  });

  it.each(['constructor', 'toString'])(
    '{{ %s }} is just a placeholder with no value: it renders empty, nothing from Object.prototype',
    (name) => {
      expect(renderTemplate(`[{{ ${name} }}]`, {})).toBe('[]');
      expect(renderTemplate(`[{{ ${name} }}]`, VARS)).toBe('[]');
    },
  );
});

describe('templatePlaceholders', () => {
  it.each<[string, string[]]>([
    ['', []],
    ['plain text', []],
    ['{{ a }} {{b.c}} {{ a }}', ['a', 'b.c', 'a']],
    ['{{  ticket.number  }}', ['ticket.number']],
    ['{{ 1abc }} {{ a-b }} {{ a b }} {{}}', []],
    ['{{ constructor }}', ['constructor']],
  ])('%j → %j', (template, names) => {
    expect(templatePlaceholders(template)).toEqual(names);
  });
});

describe('unknownPlaceholders with TICKET_PLACEHOLDERS', () => {
  it('every ticket placeholder is known', () => {
    const template = TICKET_PLACEHOLDERS.map((name) => `{{ ${name} }}`).join(' ');
    expect(unknownPlaceholders(template, TICKET_PLACEHOLDERS)).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['Hello {{ customer.name }}, ticket {{ ticket.tag }}', []],
    ['{{ ticket.numbr }}', ['ticket.numbr']],
    ['{{ constructor }}', ['constructor']],
    ['{{ __proto__ }}', []],
    ['{{ Ticket.Number }}', ['Ticket.Number']],
    ['{{ ticket }} {{ agent.email }} {{ mailbox.name }}', ['ticket', 'agent.email']],
  ])('%j → %j', (template, unknown) => {
    expect(unknownPlaceholders(template, TICKET_PLACEHOLDERS)).toEqual(unknown);
  });
});
