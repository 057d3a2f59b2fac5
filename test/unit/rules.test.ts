import { describe, expect, it } from 'vitest';
import { re2Test } from '../../src/adapters/regex/re2.js';
import { callInWorker } from '../support/in-worker.js';
import { evaluateCondition, globMatches } from '../../src/domain/rules.js';
import type { Condition, RuleFacts } from '../../src/domain/rules.js';

/** A new ticket from Carol; every test changes only what it is about. */
const FACTS: RuleFacts = {
  from: 'carol@customer.test',
  to: ['support@example.test', 'billing@example.test'],
  cc: ['dave@customer.test', 'erin@partner.example'],
  subject: 'Printer on fire',
  body: 'Hello,\nthe printer in room 4 is on fire. The site is DOWN too.\nCarol',
  headers: new Map([
    ['x-mailer', ['Thunderbird 128']],
    ['received', ['from mx1.customer.test', 'from relay.example.net by mx.example.test']],
  ]),
  mailbox: 'support',
  department: 'general',
  hasAttachment: false,
  isNewTicket: true,
  isCustomerReply: false,
  withinBusinessHours: true,
  priority: 'medium',
};

const facts = (changes: Partial<RuleFacts> = {}): RuleFacts => ({ ...FACTS, ...changes });
const evaluate = (condition: Condition, changes: Partial<RuleFacts> = {}) => evaluateCondition(condition, facts(changes), re2Test);

/** `[what, condition, facts changed, a word the explanation names | null when the condition must not hold]` */
type Case = [string, Condition, Partial<RuleFacts>, string | null];

function expectVerdict(condition: Condition, changes: Partial<RuleFacts>, named: string | null): void {
  const why = evaluate(condition, changes);
  if (named === null) {
    expect(why).toBeNull();
    return;
  }
  expect(why).not.toBeNull();
  expect(why!.length).toBeGreaterThan(0);
  for (const line of why!) expect(line.trim()).not.toBe('');
  expect(why!.join('\n').toLowerCase()).toContain(named.toLowerCase());
}

describe('evaluateCondition: from', () => {
  it.each<Case>([
    ['the exact address', { from: { address: 'carol@customer.test' } }, {}, 'carol@customer.test'],
    ['the exact address, any case, padded', { from: { address: ' Carol@Customer.TEST ' } }, {}, 'carol@customer.test'],
    ['an address from a list', { from: { address: ['x@y.test', 'carol@customer.test'] } }, {}, 'carol@customer.test'],
    ['another address', { from: { address: 'carl@customer.test' } }, {}, null],
    ['a sender of any case', { from: { address: 'carol@customer.test' } }, { from: 'CAROL@customer.TEST' }, 'carol@customer.test'],
    ['the domain', { from: { domain: 'bigbank.example' } }, { from: 'ann@bigbank.example' }, 'bigbank.example'],
    ['a subdomain', { from: { domain: 'bigbank.example' } }, { from: 'ann@mail.bigbank.example' }, 'bigbank.example'],
    ['a deeper subdomain', { from: { domain: 'bigbank.example' } }, { from: 'ann@a.b.bigbank.example' }, 'bigbank.example'],
    ['the domain, any case', { from: { domain: 'BigBank.Example' } }, { from: 'Ann@MAIL.bigbank.example' }, 'bigbank.example'],
    ['a domain that only ends the same', { from: { domain: 'bigbank.example' } }, { from: 'ann@notbigbank.example' }, null],
    ['a parent of the domain', { from: { domain: 'mail.bigbank.example' } }, { from: 'ann@bigbank.example' }, null],
    ['a domain in the local part', { from: { domain: 'bigbank.example' } }, { from: 'bigbank.example@evil.test' }, null],
    ['a domain from a list', { from: { domain: ['a.test', 'customer.test'] } }, {}, 'customer.test'],
    ['a glob', { from: { glob: '*@partner.example' } }, { from: 'bob@partner.example' }, '*@partner.example'],
    ['a glob, any case', { from: { glob: '*@PARTNER.example' } }, { from: 'Bob@Partner.Example' }, '*@partner.example'],
    ['a glob is anchored at the end', { from: { glob: '*@partner.example' } }, { from: 'bob@partner.example.evil' }, null],
    ['a glob is anchored at the start', { from: { glob: 'bob@*' } }, { from: 'xbob@partner.example' }, null],
    ['a glob does not reach a subdomain', { from: { glob: '*@partner.example' } }, { from: 'bob@sub.partner.example' }, null],
    ['a glob from a list', { from: { glob: ['nobody@*', 'carol@*'] } }, {}, 'carol@*'],
    ['no sender at all', { from: { glob: '*' } }, { from: null }, null],
    ['address, domain and glob: any of them', { from: { address: 'x@y.test', domain: 'z.test', glob: 'carol@*' } }, {}, 'carol@*'],
    ['address, domain and glob: none of them', { from: { address: 'x@y.test', domain: 'z.test', glob: 'dave@*' } }, {}, null],
  ])('%s', (_, condition, changes, named) => expectVerdict(condition, changes, named));
});

describe('evaluateCondition: to and cc look at every recipient', () => {
  it.each<Case>([
    ['to: the first recipient', { to: { address: 'support@example.test' } }, {}, 'support@example.test'],
    ['to: the second recipient', { to: { address: 'billing@example.test' } }, {}, 'billing@example.test'],
    ['to: a domain', { to: { domain: 'example.test' } }, {}, 'example.test'],
    ['to: a glob', { to: { glob: 'bill*@example.test' } }, {}, 'billing@example.test'],
    ['to: nobody matches', { to: { address: 'sales@example.test' } }, {}, null],
    ['to: a cc address is not a to address', { to: { address: 'dave@customer.test' } }, {}, null],
    ['to: no recipients', { to: { glob: '*' } }, { to: [] }, null],
    ['cc: the first copy', { cc: { address: 'dave@customer.test' } }, {}, 'dave@customer.test'],
    ['cc: the second copy', { cc: { domain: 'partner.example' } }, {}, 'erin@partner.example'],
    ['cc: a glob', { cc: { glob: 'e?in@*' } }, {}, 'erin@partner.example'],
    ['cc: a to address is not a cc address', { cc: { address: 'support@example.test' } }, {}, null],
    ['cc: no copies', { cc: { glob: '*' } }, { cc: [] }, null],
  ])('%s', (_, condition, changes, named) => expectVerdict(condition, changes, named));
});

describe('evaluateCondition: subject and body, case-insensitive', () => {
  it.each<Case>([
    ['subject contains', { subject: { contains: 'on fire' } }, {}, 'on fire'],
    ['subject contains, other case', { subject: { contains: 'PRINTER' } }, {}, 'printer'],
    ['subject does not contain', { subject: { contains: 'outage' } }, {}, null],
    ['subject does not see the body', { subject: { contains: 'room 4' } }, {}, null],
    ['subject matches', { subject: { matches: '^printer (is )?on fire$' } }, {}, 'printer'],
    ['subject matches, other case', { subject: { matches: 'FIRE' } }, {}, 'fire'],
    ['subject matches anywhere', { subject: { matches: 'on' } }, {}, 'on'],
    ['subject does not match', { subject: { matches: '^fire' } }, {}, null],
    ['body contains', { body: { contains: 'room 4' } }, {}, 'room 4'],
    ['body contains, other case', { body: { contains: 'site is down' } }, {}, 'site is down'],
    ['body does not contain', { body: { contains: 'refund' } }, {}, null],
    ['body does not see the subject', { body: { contains: 'printer on fire' } }, {}, null],
    ['body matches', { body: { matches: 'site (is )?down' } }, {}, 'site'],
    ['body matches across the optional group', { body: { matches: 'site (is )?down' } }, { body: 'Site down!' }, 'site'],
    ['body matches a later line', { body: { matches: '^carol$' } }, { body: 'Hi\nCarol' }, null],
    ['body matches (?m) for lines', { body: { matches: '(?m)^carol$' } }, { body: 'Hi\nCarol' }, 'carol'],
    ['body does not match', { body: { matches: 'site (is )?up' } }, {}, null],
  ])('%s', (_, condition, changes, named) => expectVerdict(condition, changes, named));
});

describe('evaluateCondition: header', () => {
  const unsubscribe = new Map([['list-unsubscribe', ['<mailto:leave@news.example>']]]);
  it.each<Case>([
    ['exists: true, present', { header: { name: 'List-Unsubscribe', exists: true } }, { headers: unsubscribe }, 'list-unsubscribe'],
    ['exists: true, the name in any case', { header: { name: 'LIST-UNSUBSCRIBE', exists: true } }, { headers: unsubscribe }, 'list-unsubscribe'],
    ['exists: true, absent', { header: { name: 'List-Unsubscribe', exists: true } }, {}, null],
    ['exists: false, absent', { header: { name: 'List-Unsubscribe', exists: false } }, {}, 'list-unsubscribe'],
    ['exists: false, present', { header: { name: 'List-Unsubscribe', exists: false } }, { headers: unsubscribe }, null],
    ['contains, the first value', { header: { name: 'Received', contains: 'MX1.customer' } }, {}, 'mx1.customer'],
    ['contains, a later value', { header: { name: 'Received', contains: 'relay.example.net' } }, {}, 'relay.example.net'],
    ['contains, no value', { header: { name: 'Received', contains: 'mx9' } }, {}, null],
    ['contains, no such header', { header: { name: 'X-Spam', contains: 'yes' } }, {}, null],
    ['matches, a later value', { header: { name: 'received', matches: '^from relay\\.' } }, {}, 'relay'],
    ['matches, other case', { header: { name: 'X-Mailer', matches: 'THUNDERBIRD \\d+' } }, {}, 'thunderbird'],
    ['matches, no value', { header: { name: 'X-Mailer', matches: '^outlook' } }, {}, null],
    ['exists and contains: both hold', { header: { name: 'X-Mailer', exists: true, contains: 'thunder' } }, {}, 'thunder'],
    ['exists and contains: the value does not', { header: { name: 'X-Mailer', exists: true, contains: 'outlook' } }, {}, null],
  ])('%s', (_, condition, changes, named) => expectVerdict(condition, changes, named));
});

describe('evaluateCondition: the mail and its ticket', () => {
  it.each<Case>([
    ['mailbox', { mailbox: 'support' }, {}, 'support'],
    ['mailbox from a list', { mailbox: ['sales', 'support'] }, {}, 'support'],
    ['another mailbox', { mailbox: 'sales' }, {}, null],
    ['department', { department: 'billing' }, { department: 'billing' }, 'billing'],
    ['department from a list', { department: ['billing', 'general'] }, {}, 'general'],
    ['another department', { department: ['billing', 'sales'] }, {}, null],
    ['hasAttachment: true, with one', { hasAttachment: true }, { hasAttachment: true }, 'hasAttachment'],
    ['hasAttachment: true, without', { hasAttachment: true }, {}, null],
    ['hasAttachment: false, without', { hasAttachment: false }, {}, 'hasAttachment'],
    ['hasAttachment: false, with one', { hasAttachment: false }, { hasAttachment: true }, null],
    ['isNewTicket: true, new', { isNewTicket: true }, {}, 'isNewTicket'],
    ['isNewTicket: true, a reply', { isNewTicket: true }, { isNewTicket: false, isCustomerReply: true }, null],
    ['isNewTicket: false, a reply', { isNewTicket: false }, { isNewTicket: false, isCustomerReply: true }, 'isNewTicket'],
    ['isCustomerReply: true, a reply', { isCustomerReply: true }, { isNewTicket: false, isCustomerReply: true }, 'isCustomerReply'],
    ['isCustomerReply: true, new', { isCustomerReply: true }, {}, null],
    ['isCustomerReply: false, new', { isCustomerReply: false }, {}, 'isCustomerReply'],
    ['withinBusinessHours: true, open', { withinBusinessHours: true }, {}, 'withinBusinessHours'],
    ['withinBusinessHours: true, closed', { withinBusinessHours: true }, { withinBusinessHours: false }, null],
    ['withinBusinessHours: false, closed', { withinBusinessHours: false }, { withinBusinessHours: false }, 'withinBusinessHours'],
    ['withinBusinessHours: false, open', { withinBusinessHours: false }, {}, null],
    ['priority is', { priority: { is: 'medium' } }, {}, 'medium'],
    ['priority is one of', { priority: { is: ['high', 'urgent'] } }, { priority: 'urgent' }, 'urgent'],
    ['priority is not one of the list', { priority: { is: ['high', 'urgent'] } }, {}, null],
    ['priority isNot', { priority: { isNot: 'low' } }, {}, 'medium'],
    ['priority isNot one of', { priority: { isNot: ['low', 'medium'] } }, {}, null],
    ['priority is and isNot, both hold', { priority: { is: ['medium', 'high'], isNot: 'high' } }, {}, 'medium'],
    ['priority is and isNot, isNot fails', { priority: { is: ['medium', 'high'], isNot: 'high' } }, { priority: 'high' }, null],
  ])('%s', (_, condition, changes, named) => expectVerdict(condition, changes, named));
});

describe('evaluateCondition: several keys in one condition must all hold', () => {
  it('explains every key when all hold', () => {
    const why = evaluate({ from: { domain: 'customer.test' }, subject: { contains: 'fire' }, mailbox: 'support' });
    expect(why).toHaveLength(3);
    expect(why!.join('\n')).toMatch(/customer\.test[\s\S]*fire[\s\S]*support/);
  });

  it.each<[string, Condition]>([
    ['the first fails', { from: { domain: 'other.test' }, subject: { contains: 'fire' } }],
    ['the last fails', { from: { domain: 'customer.test' }, subject: { contains: 'flood' } }],
    ['a flag fails', { subject: { contains: 'fire' }, hasAttachment: true }],
  ])('fails when %s', (_, condition) => {
    expect(evaluate(condition)).toBeNull();
  });
});

describe('evaluateCondition: all, any, not', () => {
  const fire: Condition = { subject: { contains: 'fire' } };
  const flood: Condition = { subject: { contains: 'flood' } };
  const carol: Condition = { from: { address: 'carol@customer.test' } };
  const partner: Condition = { from: { glob: '*@partner.example' } };

  it.each<Case>([
    ['all: every part holds', { all: [fire, carol] }, {}, 'fire'],
    ['all: one part fails', { all: [fire, partner] }, {}, null],
    ['any: the second holds', { any: [flood, carol] }, {}, 'carol@customer.test'],
    ['any: none holds', { any: [flood, partner] }, {}, null],
    ['not: the inner fails', { not: partner }, {}, 'not'],
    ['not: the inner holds', { not: carol }, {}, null],
    ['not not', { not: { not: carol } }, {}, 'not'],
    ['not of any', { not: { any: [flood, partner] } }, {}, 'not'],
    ['not of any, one inner holds', { not: { any: [flood, carol] } }, {}, null],
    ['any of all', { any: [{ all: [flood, carol] }, { all: [fire, { not: partner }] }] }, {}, 'fire'],
    ['all of any and not', { all: [{ any: [flood, fire] }, { not: { mailbox: 'sales' } }] }, {}, 'fire'],
    ['all of any and not, the not fails', { all: [{ any: [flood, fire] }, { not: { mailbox: 'support' } }] }, {}, null],
    ['a combinator beside a key: both hold', { any: [flood, fire], mailbox: 'support' }, {}, 'support'],
    ['a combinator beside a key: the key fails', { any: [flood, fire], mailbox: 'sales' }, {}, null],
    ['all beside any and not', { all: [carol], any: [fire], not: partner }, {}, 'carol@customer.test'],
  ])('%s', (_, condition, changes, named) => expectVerdict(condition, changes, named));

  it('explains an all with one line for each part', () => {
    expect(evaluate({ all: [fire, carol] })).toEqual([expect.stringContaining('fire'), expect.stringContaining('carol@customer.test')]);
  });

  it('explains an any with the part that held', () => {
    const why = evaluate({ any: [flood, carol] });
    expect(why).toEqual([expect.stringContaining('carol@customer.test')]);
  });
});

describe('globMatches', () => {
  it.each<[string, string, boolean]>([
    ['*@partner.example', 'bob@partner.example', true],
    ['*@partner.example', '@partner.example', true],
    ['*@partner.example', 'bob@partner.example.evil', false],
    ['*@partner.example', 'bob@partnerxexample', false],
    ['*', 'anything at all', true],
    ['*', '', true],
    ['?ob@x.test', 'bob@x.test', true],
    ['?ob@x.test', 'ob@x.test', false],
    ['?ob@x.test', 'bbob@x.test', false],
    ['b*b@x.test', 'bb@x.test', true],
    ['B*@X.TEST', 'bob@x.test', true],
    ['b*@x.test', 'BOB@X.TEST', true],
    ['a+b@*', 'a+b@x.test', true],
    ['a+b@*', 'aab@x.test', false],
    ['(x)|y@*', '(x)|y@x.test', true],
    ['(x)|y@*', 'y@x.test', false],
    ['[ab]@*', 'a@x.test', false],
    ['[ab]@*', '[ab]@x.test', true],
    ['^a$@*', '^a$@x.test', true],
    ['a\\b@*', 'a\\b@x.test', true],
    ['{1}@*', '{1}@x.test', true],
  ])('%s ~ %s → %s', (glob, text, expected) => {
    expect(globMatches(glob, text, re2Test)).toBe(expected);
  });
});

describe('globs run in linear time', () => {
  const glob = '*@*.*.partner.example';
  // Many @ and dots and no match at the end: each star can stop at any of them (cubic for a backtracking matcher).
  const address = '@a.'.repeat(34_000);
  const probe = new URL('../support/glob-probe.ts', import.meta.url);

  it('a 100 KB address against a multi-star glob finishes (in a worker with a deadline, so a hang fails instead of stalling)', async () => {
    expect(await callInWorker(probe, 'probeGlob', [glob, address], 20_000)).toEqual({ done: true, value: false });
  });

  it('where a backtracking matcher on the same input does not finish (in 5 s; it would take hours)', async () => {
    expect(await callInWorker(probe, 'probeBacktracking', [glob, address], 5_000)).toEqual({ done: false });
  });
});

describe('re2Test', () => {
  it.each<[string, string, boolean]>([
    ['site (is )?down', 'The SITE is Down', true],
    ['site (is )?down', 'site is up', false],
    ['^abc', 'xabc', false],
    ['\\bdown\\b', 'downtime', false],
    ['[0-9]{3}', 'code 404', true],
  ])('/%s/ on %s → %s', (pattern, text, expected) => {
    expect(re2Test(pattern, text)).toBe(expected);
  });

  it.each<[string, string]>([
    ['(a+)+$', `${'a'.repeat(40)}!`],
    ['(a|aa)+$', `${'a'.repeat(40)}!`],
    ['(x+x+)+y', 'x'.repeat(5000)],
    ['^(\\w+\\s?)*$', `${'word '.repeat(2000)}!`],
  ])('runs the catastrophic pattern /%s/ in linear time (and it does not match)', (pattern, text) => {
    expect(re2Test(pattern, text)).toBe(false);
  });
});
