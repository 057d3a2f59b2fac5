import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { renderTemplate } from '../../src/domain/template.js';
import type { TemplateVars } from '../../src/domain/template.js';
import { renderNamed } from '../../src/usecases/outbound-mail.js';

const CONFIG_LINES = [
  'mailboxes:',
  '  - name: support',
  '    address: support@example.test',
  '    imap: { host: h, user: u }',
  'templates:',
  '  plain: { text: "Hi {{customer.name}}, about {{ticket.subject}}." }',
  '  tagged: { subject: "{{ticket.tag}} {{ticket.subject}}", text: "x" }',
  '  rich:',
  '    subject: "Update from {{mailbox.name}}"',
  '    text: "Dear {{customer.name}} <{{customer.email}}>"',
  '    html: "<p title=\'{{customer.name}}\'>Dear {{customer.name}} &lt;{{customer.email}}&gt;</p>"',
];

function loadConfig(): Config {
  const result = parseConfig(CONFIG_LINES.join('\n'), 'helpdesk.yaml', {}, () => {
    throw new Error('no file is read here');
  });
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.config;
}

const config = loadConfig();
const PLACE = { mailbox: config.mailboxes[0]!.name, language: 'en' } as const;
const VARS: TemplateVars = {
  'ticket.number': 42,
  'ticket.tag': '[#42]',
  'ticket.subject': 'Printer on fire',
  'customer.name': 'Carol',
  'customer.email': 'carol@customer.test',
  'mailbox.name': 'support',
};

describe('renderNamed: the subject carries the ticket tag', () => {
  it.each<[string, string, TemplateVars, string]>([
    ['appended when the subject lacks it', 'plain', VARS, 'Re: Printer on fire [#42]'],
    ['left alone when the subject has it', 'tagged', VARS, '[#42] Printer on fire'],
    ['left alone when the ticket subject already carries it', 'plain', { ...VARS, 'ticket.subject': 'Printer [#42] on fire' }, 'Re: Printer [#42] on fire'],
    ['not appended without a ticket tag', 'plain', { ...VARS, 'ticket.tag': undefined }, 'Re: Printer on fire'],
    ['not appended when the tag is missing altogether', 'plain', Object.fromEntries(Object.entries(VARS).filter(([k]) => k !== 'ticket.tag')), 'Re: Printer on fire'],
    ['not appended for an empty tag', 'plain', { ...VARS, 'ticket.tag': '' }, 'Re: Printer on fire'],
    ['appended to a subject of the template', 'rich', VARS, 'Update from support [#42]'],
    ['appended to a built-in default', 'acknowledgement', VARS, 'Re: Printer on fire [#42]'],
  ])('%s', (_, name, vars, subject) => {
    expect(renderNamed(config, name, vars, PLACE).subject).toBe(subject);
  });
});

describe('renderNamed: bodies', () => {
  it('fills the text and leaves out html when the template has none', () => {
    const mail = renderNamed(config, 'plain', VARS, PLACE);
    expect(mail).toStrictEqual({ subject: 'Re: Printer on fire [#42]', text: 'Hi Carol, about Printer on fire.' });
  });

  it('escapes values in the html, not in the text', () => {
    const name = `<script>alert("x")</script> & O'Brien`;
    const mail = renderNamed(config, 'rich', { ...VARS, 'customer.name': name }, PLACE);
    expect(mail.text).toBe(`Dear ${name} <carol@customer.test>`);
    expect(mail.html).toBe(
      "<p title='&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien'>" +
        'Dear &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien &lt;carol@customer.test&gt;</p>',
    );
    expect(mail.html).not.toContain('<script>');
  });

  it('renders the built-in acknowledgement with the ticket and customer', () => {
    const mail = renderNamed(config, 'acknowledgement', VARS, PLACE);
    expect(mail.text).toContain('Hello Carol,');
    expect(mail.text).toContain('ticket [#42]: "Printer on fire"');
    expect(mail.text).not.toContain('{{');
  });

  it('throws for a template that is not configured', () => {
    expect(() => renderNamed(config, 'no-such-template', VARS, PLACE)).toThrow(/no-such-template/);
  });

  it('no value can inject markup into the html (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const mail = renderNamed(config, 'rich', { ...VARS, 'customer.name': value, 'customer.email': value }, PLACE);
        const inner = mail.html!.replace(/^<p title='/, '').replace(/<\/p>$/, '');
        expect(inner.replace(/'>Dear /, '')).not.toMatch(/[<>"']/);
        expect(mail.text).toBe(`Dear ${value} <${value}>`);
      }),
    );
  });
});

describe('renderTemplate', () => {
  it('leaves a text without placeholders as it is (property)', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('{{')), (text) => {
        expect(renderTemplate(text, VARS)).toBe(text);
      }),
    );
  });

  it('puts every value in as text, never as a placeholder to expand again (property)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(renderTemplate('[{{customer.name}}]', { 'customer.name': value, 'ticket.tag': 'T' })).toBe(`[${value}]`);
      }),
    );
  });
});
