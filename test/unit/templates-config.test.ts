import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigProblem } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { REPLY_PLACEHOLDERS, RULE_PLACEHOLDERS, TEMPLATE_KINDS } from '../../src/config/templates.js';
import type { TemplateKind } from '../../src/config/templates.js';
import { templateFor } from '../../src/config/template-choice.js';
import { LANGUAGES, languagePack } from '../../src/config/languages/index.js';
import { at, FILE, parseOk as parseConfigOk, problemsOf as configProblems } from '../support/config-text.js';

const MAILBOX = ['mailboxes:', '  - name: support', '    address: support@example.test', '    imap: { host: h, user: u }'];
const KINDS = Object.keys(TEMPLATE_KINDS) as TemplateKind[];

/** Template files by path, as `readFile` sees them: a missing one fails like the file system does. */
function filesFrom(files: Record<string, string>): { read: (path: string) => string; asked: string[] } {
  const map = new Map(Object.entries(files));
  const asked: string[] = [];
  const read = (path: string) => {
    asked.push(path);
    const text = map.get(path);
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
    return text;
  };
  return { read, asked };
}

function parseOk(lines: readonly string[], files: Record<string, string> = {}): Config {
  return parseConfigOk(lines, {}, filesFrom(files).read);
}

function problemsOf(lines: readonly string[], files: Record<string, string> = {}): ConfigProblem[] {
  return configProblems(lines, {}, filesFrom(files).read);
}

const unknown = (name: string, allowed: readonly string[]) => `unknown placeholder {{${name}}}: use ${allowed.join(', ')}`;
const withTemplates = (...lines: string[]) => [...MAILBOX, 'templates:', ...lines];
const withRules = (...lines: string[]) => [...MAILBOX, 'rules:', ...lines];

describe('templates: the built-in kinds', () => {
  it('uses the built-in template of the mail\'s language for every kind none is configured for', () => {
    const config = parseOk(MAILBOX);
    expect(KINDS).toEqual(['acknowledgement', 'agentNotification', 'slaWarning', 'slaBreach', 'autoClose', 'autoCloseWarning', 'resolved', 'satisfaction', 'postponed', 'agentReply', 'assigned']);
    expect(config.templates).toStrictEqual({});
    for (const kind of KINDS) {
      for (const language of LANGUAGES) {
        expect(templateFor(config, kind, { mailbox: 'support', language })).toBe(languagePack(language).templates[kind]);
      }
    }
  });

  it('keeps the default subject when only the text is given, and the other kinds their built-in texts', () => {
    const config = parseOk(withTemplates('  acknowledgement: { text: "Thanks, {{customer.name}}." }'));
    expect(config.templates.acknowledgement).toStrictEqual({ subject: TEMPLATE_KINDS.acknowledgement.subject, text: 'Thanks, {{customer.name}}.' });
    // A template the config gives is used whatever the language; the others stay the built-in ones.
    expect(templateFor(config, 'acknowledgement', { mailbox: 'support', language: 'nl' })).toBe(config.templates.acknowledgement);
    expect(templateFor(config, 'autoClose', { mailbox: 'support', language: 'nl' })).toBe(languagePack('nl').templates.autoClose);
  });

  it("a mailbox's own templates come first, then the config's, then the built-in ones", () => {
    const config = parseOk([
      ...MAILBOX,
      '    templates:',
      '      acknowledgement: { text: "Mailbox: {{ticket.tag}}" }',
      'templates:',
      '  acknowledgement: { text: "Global: {{ticket.tag}}" }',
      '  resolved: { text: "Solved: {{ticket.tag}}" }',
    ]);
    const place = { mailbox: 'support', language: 'de' } as const;
    expect(templateFor(config, 'acknowledgement', place)?.text).toBe('Mailbox: {{ticket.tag}}');
    expect(templateFor(config, 'resolved', place)?.text).toBe('Solved: {{ticket.tag}}');
    expect(templateFor(config, 'autoClose', place)).toBe(languagePack('de').templates.autoClose);
  });

  it("reports an unknown placeholder in a mailbox's template at its place", () => {
    const problems = problemsOf([...MAILBOX, '    templates:', '      resolved: { text: "{{message.text}}" }']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ key: 'mailboxes[0].templates.resolved.text', line: 6 });
    expect(problems[0]!.message).toContain('unknown placeholder {{message.text}}');
  });

  it('takes subject, text and html as given', () => {
    const config = parseOk(withTemplates('  slaBreach:', '    subject: "Late: {{ticket.tag}}"', '    text: "{{sla.metric}} at {{sla.dueAt}}"', '    html: "<b>{{sla.dueAt}}</b>"'));
    expect(config.templates.slaBreach).toStrictEqual({ subject: 'Late: {{ticket.tag}}', text: '{{sla.metric}} at {{sla.dueAt}}', html: '<b>{{sla.dueAt}}</b>' });
  });

  it.each(KINDS)('%s accepts every placeholder of its own set', (kind) => {
    const text = TEMPLATE_KINDS[kind].placeholders.map((p) => `{{ ${p} }}`).join(' ');
    expect(parseOk(withTemplates(`  ${kind}: { text: "${text}" }`)).templates[kind]?.text).toBe(text);
  });

  /** `[template name, placeholder, allowed there]`; a name that is no kind is a template for rules. */
  it.each<[string, string, boolean]>([
    ['slaWarning', 'sla.dueAt', true],
    ['slaBreach', 'sla.metric', true],
    ['acknowledgement', 'sla.dueAt', false],
    ['autoClose', 'sla.dueAt', false],
    ['autoCloseWarning', 'sla.metric', false],
    ['agentNotification', 'sla.dueAt', false],
    ['agentNotification', 'agent.name', true],
    ['agentNotification', 'message.attachments', true],
    ['acknowledgement', 'agent.name', false],
    ['slaWarning', 'message.text', false],
    ['acknowledgement', 'rule.name', false],
    ['acknowledgement', 'ticket.assignee', true],
    ['custom', 'rule.name', true],
    ['custom', 'message.from', true],
    ['custom', 'sla.dueAt', false],
    ['custom', 'agent.name', false],
    ['custom', 'message.attachments', false],
  ])('%s with {{%s}}: allowed %s', (name, placeholder, allowed) => {
    const written = withTemplates(`  ${name}: { subject: "Hi", text: "x {{${placeholder}}} y" }`);
    if (allowed) {
      expect(parseOk(written).templates[name]?.text).toBe(`x {{${placeholder}}} y`);
      return;
    }
    const set = name in TEMPLATE_KINDS ? TEMPLATE_KINDS[name as TemplateKind].placeholders : RULE_PLACEHOLDERS;
    const problems = problemsOf(written);
    expect(problems).toEqual([
      { file: FILE, line: at(written, placeholder).line, column: expect.any(Number), key: expect.stringMatching(`^templates\\.${name}`), message: unknown(placeholder, set) },
    ]);
  });
});

describe('templates: unknown placeholders are config errors', () => {
  it.each<[string, string]>([
    ['in the text', '  acknowledgement: { text: "Ticket {{ticket.nmber}}" }'],
    ['with spaces in the braces', '  acknowledgement: { text: "Ticket {{  ticket.nmber }}" }'],
    ['in the subject', '  acknowledgement: { subject: "Re {{ticket.nmber}}", text: "Hello" }'],
    ['in the html', '  acknowledgement: { text: "Hello", html: "<p>{{ticket.nmber}}</p>" }'],
    ['twice', '  acknowledgement: { subject: "{{ticket.nmber}}", text: "{{ticket.nmber}}" }'],
  ])('%s: one located problem naming the allowed placeholders', (_, line) => {
    const written = withTemplates(line);
    const [problem, ...more] = problemsOf(written);
    expect(more).toEqual([]);
    expect(problem).toMatchObject({ file: FILE, line: at(written, 'acknowledgement').line, message: unknown('ticket.nmber', TEMPLATE_KINDS.acknowledgement.placeholders) });
    expect(problem?.key).toMatch(/^templates\.acknowledgement/);
    for (const name of TEMPLATE_KINDS.acknowledgement.placeholders) expect(problem?.message).toContain(name);
  });

  it('reports each unknown placeholder once, all of them', () => {
    const written = withTemplates('  custom: { subject: "{{a.b}}", text: "{{c}} {{a.b}} {{ticket.number}}" }');
    expect(problemsOf(written).map((p) => p.message)).toEqual([unknown('a.b', RULE_PLACEHOLDERS), unknown('c', RULE_PLACEHOLDERS)]);
  });

  it('points at the text that holds it, not at the subject above it', () => {
    const written = withTemplates('  custom:', '    subject: "Re: {{ticket.subject}}"', '    text: "Ticket {{ticket.nmber}}"');
    const [problem] = problemsOf(written);
    expect({ line: problem?.line, column: problem?.column }).toEqual(at(written, '"Ticket {{ticket.nmber}}"'));
  });

  it('checks templates read from files', () => {
    const written = withTemplates('  custom: { file: custom.txt }');
    const [problem, ...more] = problemsOf(written, { 'custom.txt': 'Ticket {{ticket.nmber}}\n' });
    expect(more).toEqual([]);
    expect(problem).toMatchObject({ line: at(written, 'custom').line, message: unknown('ticket.nmber', RULE_PLACEHOLDERS) });
  });
});

describe('templates: files', () => {
  it('reads text and html through the injected readFile, by the path as written', () => {
    const files = filesFrom({ 'mail/ack.txt': 'Hello {{customer.name}}', 'mail/ack.html': '<p>Hello {{customer.name}}</p>' });
    const text = [...withTemplates('  acknowledgement: { subject: "Got it", file: mail/ack.txt, htmlFile: mail/ack.html }')].join('\n');
    const result = parseConfig(text, FILE, {}, files.read);
    expect(result.ok && result.config.templates.acknowledgement).toStrictEqual({ subject: 'Got it', text: 'Hello {{customer.name}}', html: '<p>Hello {{customer.name}}</p>' });
    expect(files.asked.sort()).toEqual(['mail/ack.html', 'mail/ack.txt']);
  });

  it.each<[string, string, string, string]>([
    ['a missing file', '  custom: { file: missing.txt }', 'missing.txt', 'templates.custom.file'],
    ['a missing html file', '  custom: { text: "Hi", htmlFile: missing.html }', 'missing.html', 'templates.custom.htmlFile'],
    ['a missing file of a built-in kind', '  autoClose: { file: close.txt }', 'close.txt', 'templates.autoClose.file'],
  ])('locates %s at the file key', (_, line, path, key) => {
    const written = withTemplates(line);
    expect(problemsOf(written)).toEqual([{ file: FILE, ...at(written, path), key, message: expect.stringContaining(`cannot read template file ${path}`) }]);
  });

  it('locates a missing file of an inline rule template', () => {
    const written = withRules('  - name: r', '    when: { mailbox: support }', '    then: { reply: { file: gone.txt } }');
    expect(problemsOf(written)).toEqual([{ file: FILE, ...at(written, 'gone.txt'), key: 'rules[0].then.reply.file', message: expect.stringContaining('gone.txt') }]);
  });
});

describe('templates: what is written wrong', () => {
  it.each<[string, string, string, RegExp]>([
    ['neither text nor file', '  custom: { subject: "Hi" }', 'templates.custom', /give text or file/],
    ['both text and file', '  custom: { text: "Hi", file: hi.txt }', 'templates.custom', /not both/],
    ['both html and htmlFile', '  custom: { text: "Hi", html: "<p>", htmlFile: hi.html }', 'templates.custom', /not both/],
    ['an unknown key', '  custom: { body: "Hi", text: "Hi" }', 'templates.custom.body', /unknown key/],
    ['an empty file name', '  custom: { file: "" }', 'templates.custom.file', /./],
  ])('%s', (_, line, key, message) => {
    const written = withTemplates(line);
    expect(problemsOf(written)).toContainEqual({ file: FILE, line: at(written, 'custom').line, column: expect.any(Number), key, message: expect.stringMatching(message) });
  });

  it('rejects a template name with a space', () => {
    const written = withTemplates('  "bad name": { text: "Hi" }');
    expect(problemsOf(written)).toEqual([expect.objectContaining({ line: at(written, 'bad name').line, message: expect.stringContaining('template names') })]);
  });
});

describe('templates used by rules', () => {
  it('accepts a named template, a built-in kind and inline ones, registering the inline ones as rule:<index>:<slot>', () => {
    const config = parseOk([
      ...withTemplates('  billing-ack: { subject: "About {{ticket.tag}}", text: "{{rule.name}} for {{customer.email}}" }'),
      'rules:',
      '  - { name: named, when: { mailbox: support }, then: { reply: billing-ack } }',
      '  - { name: kind, when: { mailbox: support }, then: { reply: acknowledgement, notify: { to: [assignee], template: billing-ack } } }',
      '  - name: inline',
      '    when: { mailbox: support }',
      '    then:',
      '      reply: { text: "Dear {{customer.name}}, see {{ticket.tag}}" }',
      '      notify: { to: [leads@example.test, department], template: { subject: "FYI {{ticket.number}}", text: "{{message.text}}", html: "<i>{{rule.name}}</i>" } }',
    ]);
    expect(config.rules.map((r) => [r.then.reply, r.then.notify?.template])).toEqual([
      ['billing-ack', undefined],
      ['acknowledgement', 'billing-ack'],
      ['rule:2:reply', 'rule:2:notify'],
    ]);
    expect(config.rules[2]?.then.notify?.to).toEqual(['leads@example.test', 'department']);
    expect(config.templates['rule:2:reply']).toStrictEqual({ subject: 'Re: {{ticket.subject}}', text: 'Dear {{customer.name}}, see {{ticket.tag}}' });
    expect(config.templates['rule:2:notify']).toStrictEqual({ subject: 'FYI {{ticket.number}}', text: '{{message.text}}', html: '<i>{{rule.name}}</i>' });
  });

  it('reads an inline template from a file', () => {
    const config = parseOk(withRules('  - { name: r, when: { mailbox: support }, then: { reply: { file: r.txt } } }'), { 'r.txt': 'From file: {{rule.name}}' });
    expect(config.templates['rule:0:reply']).toStrictEqual({ subject: 'Re: {{ticket.subject}}', text: 'From file: {{rule.name}}' });
  });

  it.each<[string, string, string, string]>([
    ['reply', '{ reply: no-such-template }', 'no-such-template', 'rules[0].then.reply'],
    ['notify', '{ notify: { to: [assignee], template: no-such-template } }', 'no-such-template', 'rules[0].then.notify.template'],
  ])('locates an unknown template in %s at the name', (_, then, name, key) => {
    const written = withRules('  - name: r', '    when: { mailbox: support }', `    then: ${then}`);
    expect(problemsOf(written)).toEqual([{ file: FILE, ...at(written, name), key, message: `no template named "${name}" under templates:` }]);
  });

  it('checks the placeholders of an inline template against the rule set (a reply\'s: ticket fields only)', () => {
    const written = withRules('  - name: r', '    when: { mailbox: support }', '    then: { reply: { text: "Due {{sla.dueAt}}" } }');
    const [problem, ...more] = problemsOf(written);
    expect(more).toEqual([]);
    expect(problem).toMatchObject({ line: at(written, 'sla.dueAt').line, key: expect.stringMatching(/^rules\[0\]\.then\.reply/), message: unknown('sla.dueAt', REPLY_PLACEHOLDERS) });
  });

  it('refuses a reply that would carry the inbound mail to its sender, inline or by name', () => {
    const inline = withRules('  - name: r', '    when: { mailbox: support }', '    then: { reply: { text: "You wrote: {{message.text}}" } }');
    expect(problemsOf(inline).map((p) => p.message)).toEqual([unknown('message.text', REPLY_PLACEHOLDERS)]);
    const named = [...MAILBOX, 'templates:', '  echo: { text: "From {{message.from}}: {{message.text}}" }', 'rules:', '  - name: r', '    when: { mailbox: support }', '    then: { reply: echo, notify: { to: [assignee], template: echo } }'];
    expect(problemsOf(named)).toEqual([
      { file: FILE, ...at(named, 'echo', 'then:'), key: 'rules[0].then.reply', message: `template "echo" cannot be a reply: ${unknown('message.from', REPLY_PLACEHOLDERS)}` },
      { file: FILE, ...at(named, 'echo', 'then:'), key: 'rules[0].then.reply', message: `template "echo" cannot be a reply: ${unknown('message.text', REPLY_PLACEHOLDERS)}` },
    ]);
  });

  it('rejects a notify target that is no address', () => {
    const written = withRules('  - name: r', '    when: { mailbox: support }', '    then: { notify: { to: [everyone], template: acknowledgement } }');
    expect(problemsOf(written)).toEqual([expect.objectContaining({ line: at(written, 'everyone').line, key: expect.stringMatching(/^rules\[0\]\.then\.notify\.to/) })]);
  });
});
