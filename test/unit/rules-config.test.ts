import { describe, expect, it } from 'vitest';
import { re2Test } from '../../src/adapters/regex/re2.js';
import { evaluateRules } from '../../src/domain/rules.js';
import type { RuleFacts } from '../../src/domain/rules.js';
import { at, FILE, parseOk, problemsOf } from '../support/config-text.js';

const MAILBOX = ['mailboxes:', '  - name: support', '    address: support@example.test', '    imap: { host: h, user: u }'];
const AGENTS = [
  'agents:',
  '  - { name: Alice, email: alice@example.test, departments: [general] }',
  '  - { name: Bob Builder, email: bob@example.test, departments: [billing] }',
  '  - { name: Carla, email: Carla@Example.test, departments: [billing] }',
];

/** One rule written in flow style: `when:` and `then:` each on a line of their own. */
const oneRule = (when: string, then = '{ priority: high }', more: readonly string[] = []) => [
  ...MAILBOX,
  ...AGENTS,
  'rules:',
  '  - name: probe',
  ...more,
  `    when: ${when}`,
  `    then: ${then}`,
];

const ISSUE_RULES = [
  'rules:',
  '  - name: vip customers',
  '    when: { from: { domain: bigbank.example } }',
  '    then: { priority: high, tags: [vip] }',
  '  - name: outage',
  '    when: { any: [ { subject: { contains: outage } },',
  '                   { body: { matches: "site (is )?down" } } ] }',
  '    then: { priority: urgent, tags: [outage] }',
  '  - name: newsletters',
  '    when: { header: { name: List-Unsubscribe, exists: true } }',
  '    then: { status: spam }',
  '  - name: billing',
  '    when: { all: [ { to: { address: billing@example.test } },',
  '                   { not: { from: { glob: "*@partner.example" } } } ] }',
  '    then: { department: billing, assign: round-robin, autoAcknowledge: false }',
];

describe('parseConfig: the rules syntax of the issue', () => {
  const config = parseOk([...MAILBOX, ...AGENTS, ...ISSUE_RULES]);

  it('keeps every rule as written: name, when, then', () => {
    expect(config.rules).toStrictEqual([
      { name: 'vip customers', when: { from: { domain: 'bigbank.example' } }, then: { priority: 'high', tags: ['vip'] } },
      {
        name: 'outage',
        when: { any: [{ subject: { contains: 'outage' } }, { body: { matches: 'site (is )?down' } }] },
        then: { priority: 'urgent', tags: ['outage'] },
      },
      { name: 'newsletters', when: { header: { name: 'List-Unsubscribe', exists: true } }, then: { status: 'spam' } },
      {
        name: 'billing',
        when: { all: [{ to: { address: 'billing@example.test' } }, { not: { from: { glob: '*@partner.example' } } }] },
        then: { department: 'billing', assign: 'round-robin', autoAcknowledge: false },
      },
    ]);
  });

  const base: RuleFacts = {
    from: 'carol@customer.test',
    to: ['support@example.test'],
    cc: [],
    subject: 'Question',
    body: 'Hello',
    headers: new Map(),
    mailbox: 'support',
    department: 'general',
    hasAttachment: false,
    isNewTicket: true,
    isCustomerReply: false,
    withinBusinessHours: true,
    priority: 'medium',
  };
  it.each<[string, Partial<RuleFacts>, string[], Record<string, unknown>]>([
    ['an ordinary mail', {}, [], { autoAcknowledge: true, tagsAdd: [] }],
    ['a subdomain of the bank', { from: 'ann@mail.bigbank.example' }, ['vip customers'], { priority: 'high', tagsAdd: ['vip'] }],
    ['a look-alike of the bank', { from: 'ann@notbigbank.example' }, [], {}],
    ['an outage in the subject', { subject: 'OUTAGE in EU' }, ['outage'], { priority: 'urgent' }],
    ['the site down in the body', { body: 'our Site Is DOWN' }, ['outage'], { priority: 'urgent', tagsAdd: ['outage'] }],
    ['a VIP outage', { from: 'ann@bigbank.example', body: 'site down' }, ['vip customers', 'outage'], { priority: 'urgent', tagsAdd: ['vip', 'outage'] }],
    ['a newsletter', { headers: new Map([['list-unsubscribe', ['<mailto:x@news.example>']]]) }, ['newsletters'], { status: 'spam' }],
    ['mail to billing', { to: ['support@example.test', 'Billing@Example.test'] }, ['billing'],
      { department: 'billing', assign: 'round-robin', autoAcknowledge: false }],
    ['mail to billing from a partner', { to: ['billing@example.test'], from: 'pat@partner.example' }, [], { autoAcknowledge: true }],
    ['a customer reply: the rules run on new tickets only', { isNewTicket: false, isCustomerReply: true, subject: 'outage' }, [], {}],
  ])('%s', (_, changes, matched, outcome) => {
    const result = evaluateRules(config.rules, { ...base, ...changes }, re2Test);
    expect(result.matches.map((m) => m.rule)).toEqual(matched);
    expect(result.outcome).toMatchObject(outcome);
  });

  it('reads on: [new, customerReply]', () => {
    const rules = parseOk(oneRule('{ mailbox: support }', undefined, ['    on: [new, customerReply]'])).rules;
    expect(rules[0]?.on).toEqual(['new', 'customerReply']);
  });

  it('reads the one-line form of DESIGN.md', () => {
    const line = '    when: { any: [ { subject: { contains: outage } }, { body: { matches: "site (is )?down" } } ] }';
    expect(parseOk([...MAILBOX, 'rules:', '  - name: outage is urgent', line, '    then: { priority: urgent, tags: [outage] }']).rules).toHaveLength(1);
  });
});

describe('parseConfig: rule regexes must be safe', () => {
  const lines = (value: string, where: string) => [
    ...MAILBOX,
    'rules:',
    '  - name: first',
    '    when: { subject: { contains: hello } }',
    '    then: { tags: [hello] }',
    '  - name: second',
    `    when: ${where.replace('$', () => value)}`,
    '    then: { priority: high }',
  ];
  const ANY_BODY = '{ any: [ { subject: { contains: x } }, { body: { matches: $ } } ] }';

  it.each<[string, string, string, string]>([
    ['a backreference', "'(a)\\1'", ANY_BODY, 'rules[1].when.any[1].body.matches'],
    ['a lookahead', "'(?=x)'", ANY_BODY, 'rules[1].when.any[1].body.matches'],
    ['a negative lookahead', '"foo(?!bar)"', ANY_BODY, 'rules[1].when.any[1].body.matches'],
    ['a lookbehind in the subject', "'(?<=x)y'", '{ subject: { matches: $ } }', 'rules[1].when.subject.matches'],
    ['a backreference in a header', "'(\\w)\\1'", '{ header: { name: X-Id, matches: $ } }', 'rules[1].when.header.matches'],
    ['a named backreference under not', "'(?P<a>x)\\k<a>'", '{ not: { body: { matches: $ } } }', 'rules[1].when.not.body.matches'],
    ['a broken pattern', "'(unclosed'", '{ all: [ { body: { matches: $ } } ] }', 'rules[1].when.all[0].body.matches'],
  ])('rejects %s at the value', (_, value, where, key) => {
    const written = lines(value, where);
    const problems = problemsOf(written);
    expect(problems).toEqual([{ file: FILE, ...at(written, value), key, message: expect.stringMatching(/^not a safe regular expression/) }]);
  });

  it.each<[string, string]>([
    ['alternation and groups', '"site (is )?down"'],
    ['classes and counts', "'^\\[?[A-Z]{2,4}-\\d+\\]?'"],
    ['the catastrophic classic, harmless on RE2', "'(a+)+$'"],
  ])('accepts %s', (_, value) => {
    expect(parseOk(lines(value, ANY_BODY)).rules).toHaveLength(2);
  });
});

describe('parseConfig: mistakes in a rule are located', () => {
  /** `[what, when, then, the offending token, on the when: or then: line, key, message]` */
  it.each<[string, string, string, string, 'when' | 'then', string, RegExp]>([
    ['an unknown condition', '{ subjet: { contains: x } }', '{ priority: high }', 'subjet', 'when', 'rules[0].when.subjet', /unknown key/],
    ['an unknown condition inside any', '{ any: [ { subjet: { contains: x } } ] }', '{ priority: high }', 'subjet', 'when', 'rules[0].when.any[0].subjet', /unknown key/],
    ['an unknown condition inside not', '{ not: { frm: { glob: x } } }', '{ priority: high }', 'frm', 'when', 'rules[0].when.not.frm', /unknown key/],
    ['an unknown text match', '{ subject: { contain: x } }', '{ priority: high }', 'contain', 'when', 'rules[0].when.subject.contain', /unknown key/],
    ['an unknown address match', '{ from: { domian: x.test } }', '{ priority: high }', 'domian', 'when', 'rules[0].when.from.domian', /unknown key/],
    ['an unknown header match', '{ header: { name: X, exist: true } }', '{ priority: high }', 'exist', 'when', 'rules[0].when.header.exist', /unknown key/],
    ['an unknown action', '{ mailbox: support }', '{ priorty: high }', 'priorty', 'then', 'rules[0].then.priorty', /unknown key/],
    ['an unknown action beside known ones', '{ mailbox: support }', '{ tags: [a], stopp: true }', 'stopp', 'then', 'rules[0].then.stopp', /unknown key/],
    ['an empty condition', '{}', '{ priority: high }', '{}', 'when', 'rules[0].when', /empty condition/],
    ['an empty condition under not', '{ not: {} }', '{ priority: high }', '{}', 'when', 'rules[0].when.not', /empty condition/],
    ['an empty condition inside any', '{ any: [ {} ] }', '{ priority: high }', '{}', 'when', 'rules[0].when.any[0]', /empty condition/],
    ['an empty any', '{ any: [] }', '{ priority: high }', '[]', 'when', 'rules[0].when.any', /./],
    ['no actions', '{ mailbox: support }', '{}', '{}', 'then', 'rules[0].then', /without actions/],
    ['a text match without contains or matches', '{ subject: {} }', '{ priority: high }', '{}', 'when', 'rules[0].when.subject', /contains or matches/],
    ['an empty contains', '{ body: { contains: "" } }', '{ priority: high }', '""', 'when', 'rules[0].when.body.contains', /./],
    ['an address match without address, domain or glob', '{ cc: {} }', '{ priority: high }', '{}', 'when', 'rules[0].when.cc', /address, domain or glob/],
    ['a priority condition without is or isNot', '{ priority: {} }', '{ priority: high }', '{}', 'when', 'rules[0].when.priority', /is or isNot/],
    ['an unknown priority in a condition', '{ priority: { is: critical } }', '{ priority: high }', 'critical', 'when', 'rules[0].when.priority.is', /./],
    ['a flag that is not a boolean', '{ hasAttachment: sometimes }', '{ priority: high }', 'sometimes', 'when', 'rules[0].when.hasAttachment', /./],
    ['an unknown priority to set', '{ mailbox: support }', '{ priority: critical }', 'critical', 'then', 'rules[0].then.priority', /./],
    ['an unknown status to set', '{ mailbox: support }', '{ status: sleeping }', 'sleeping', 'then', 'rules[0].then.status', /./],
    ['autoAcknowledge not a boolean', '{ mailbox: support }', '{ autoAcknowledge: never }', 'never', 'then', 'rules[0].then.autoAcknowledge', /./],
  ])('%s', (_, when, then, token, line, key, message) => {
    const written = oneRule(when, then);
    expect(problemsOf(written)).toContainEqual({ file: FILE, ...at(written, token, `    ${line}:`), key, message: expect.stringMatching(message) });
  });

  it.each<[string, string, string, string]>([
    ['a misspelt condition', '{ subjet: { contains: x } }', '{ priority: high }', 'rules[0].when.subjet'],
    ['a misspelt text match', '{ subject: { contain: x } }', '{ priority: high }', 'rules[0].when.subject.contain'],
    ['a misspelt action', '{ mailbox: support }', '{ priorty: high }', 'rules[0].then.priorty'],
  ])('reports %s once, not also as an empty object', (_, when, then, key) => {
    expect(problemsOf(oneRule(when, then)).map((p) => `${p.key}: ${p.message}`)).toEqual([`${key}: unknown key (check the spelling)`]);
  });

  it('locates an unknown trigger in on:', () => {
    const written = oneRule('{ mailbox: support }', undefined, ['    on: [new, sometimes]']);
    expect(problemsOf(written)).toEqual([{ file: FILE, ...at(written, 'sometimes'), key: 'rules[0].on[1]', message: expect.any(String) }]);
  });

  it('reports every mistake in the rules at once, in file order', () => {
    const written = [
      ...MAILBOX,
      'rules:',
      '  - { name: a, when: { mailbox: support, subjet: { contains: x } }, then: { priority: high } }',
      '  - { name: b, when: { body: { matches: "(?=x)" } }, then: { priority: high } }',
      '  - { name: c, when: {}, then: { priority: high } }',
    ];
    expect(problemsOf(written).map(({ line, column, key }) => ({ line, column, key }))).toEqual([
      { ...at(written, 'subjet'), key: 'rules[0].when.subjet' },
      { ...at(written, '"(?=x)"'), key: 'rules[1].when.body.matches' },
      { ...at(written, '{}'), key: 'rules[2].when' },
    ]);
  });
});

describe('parseConfig: names a rule refers to', () => {
  it.each([['Alice'], ['alice'], ['Bob Builder'], ['bob@example.test'], ['carla@example.test'], ['round-robin'], ['least-open']])(
    'accepts assign: %s',
    (name) => {
      expect(parseOk(oneRule('{ mailbox: support }', `{ assign: "${name}" }`)).rules[0]?.then.assign).toBe(name);
    },
  );

  it.each([['Bobby'], ['nobody@example.test'], ['round robin']])('locates assign: %s, no such agent, at the value', (name) => {
    const written = oneRule('{ mailbox: support }', `{ assign: "${name}" }`);
    expect(problemsOf(written)).toEqual([
      { file: FILE, ...at(written, `"${name}"`), key: 'rules[0].then.assign', message: expect.stringContaining(`"${name}"`) },
    ]);
  });

  it('locates a duplicate rule name at the second one', () => {
    const written = [
      ...MAILBOX,
      'rules:',
      '  - { name: vip, when: { mailbox: support }, then: { priority: high } }',
      '  - { name: other, when: { mailbox: support }, then: { priority: low } }',
      '  - { name: vip, when: { mailbox: support }, then: { priority: urgent } }',
    ];
    expect(problemsOf(written)).toEqual([
      { file: FILE, ...at(written, 'vip', 'vip, when: { mailbox: support }, then: { priority: urgent'), key: 'rules[2].name', message: 'duplicate rule name "vip"' },
    ]);
  });

  it('a schema mistake in one rule does not hide an unknown agent in another', () => {
    const written = [
      ...MAILBOX,
      'rules:',
      '  - { name: a, when: { body: { matches: "(?=x)" } }, then: { priority: high } }',
      '  - { name: b, when: { mailbox: support }, then: { assign: Nobody } }',
    ];
    expect(problemsOf(written).map((p) => p.key)).toEqual(['rules[0].when.body.matches', 'rules[1].then.assign']);
  });
});
