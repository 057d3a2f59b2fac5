import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { re2Test } from '../../src/adapters/regex/re2.js';
import { evaluateRules } from '../../src/domain/rules.js';
import type { Rule, RuleActions, RuleFacts, RuleTrigger } from '../../src/domain/rules.js';
import { PRIORITIES } from '../../src/domain/ticket.js';
import type { Priority } from '../../src/domain/ticket.js';

const FACTS: RuleFacts = {
  from: 'ann@mail.bigbank.example',
  to: ['support@example.test'],
  cc: [],
  subject: 'Outage: the site is down',
  body: 'Nothing loads since 9:00.',
  headers: new Map(),
  mailbox: 'support',
  department: 'general',
  hasAttachment: false,
  isNewTicket: true,
  isCustomerReply: false,
  withinBusinessHours: true,
  priority: 'medium',
};
const REPLY: RuleFacts = { ...FACTS, isNewTicket: false, isCustomerReply: true };

const HOLDS = { mailbox: 'support' } as const;
const FAILS = { mailbox: 'sales' } as const;
const rule = (name: string, then: RuleActions, extra: Partial<Rule> = {}): Rule => ({ name, when: HOLDS, then, ...extra });
const run = (rules: readonly Rule[], facts: RuleFacts = FACTS) => evaluateRules(rules, facts, re2Test);
const names = (rules: readonly Rule[], facts: RuleFacts = FACTS) => run(rules, facts).matches.map((m) => m.rule);

describe('evaluateRules: when a rule runs', () => {
  it.each<[string, readonly RuleTrigger[] | undefined, boolean, boolean]>([
    ['by default', undefined, true, false],
    ['on: [new]', ['new'], true, false],
    ['on: [customerReply]', ['customerReply'], false, true],
    ['on: [new, customerReply]', ['new', 'customerReply'], true, true],
  ])('%s: on a new ticket %s, on a customer reply %s', (_, on, onNew, onReply) => {
    const rules = [rule('r', { priority: 'high' }, on ? { on } : {})];
    expect(names(rules, FACTS)).toEqual(onNew ? ['r'] : []);
    expect(names(rules, REPLY)).toEqual(onReply ? ['r'] : []);
  });

  it('runs nothing on a mail that is neither a new ticket nor a customer reply', () => {
    const rules = [rule('r', { priority: 'high' }, { on: ['new', 'customerReply'] })];
    expect(names(rules, { ...FACTS, isNewTicket: false })).toEqual([]);
  });

  it('skips a rule whose condition fails and goes on with the next', () => {
    expect(names([rule('a', { priority: 'high' }, { when: FAILS }), rule('b', { priority: 'low' })])).toEqual(['b']);
  });
});

describe('evaluateRules: order and stop', () => {
  it('applies matching rules in the order written, each with why and then', () => {
    const rules = [rule('first', { priority: 'high' }), rule('second', { tags: ['x'] }, { when: { subject: { contains: 'OUTAGE' } } })];
    const { matches } = run(rules);
    expect(matches).toEqual([
      { rule: 'first', why: [expect.stringContaining('support')], then: { priority: 'high' } },
      { rule: 'second', why: [expect.stringContaining('OUTAGE')], then: { tags: ['x'] } },
    ]);
  });

  it('stops after a matching rule with stop: true, its own actions applied', () => {
    const { matches, outcome } = run([
      rule('a', { tags: ['a'] }),
      rule('b', { priority: 'urgent', tags: ['b'], stop: true }),
      rule('c', { priority: 'low', tags: ['c'] }),
    ]);
    expect(matches.map((m) => m.rule)).toEqual(['a', 'b']);
    expect(outcome).toMatchObject({ priority: 'urgent', tagsAdd: ['a', 'b'] });
  });

  it('does not stop at a rule with stop: true that did not match', () => {
    expect(names([rule('a', { stop: true }, { when: FAILS }), rule('b', { tags: ['b'] })])).toEqual(['b']);
  });

  it('does not stop at a rule with stop: true that does not run on this trigger', () => {
    expect(names([rule('a', { stop: true }, { on: ['customerReply'] }), rule('b', { tags: ['b'] })])).toEqual(['b']);
  });

  it('does not stop at stop: false', () => {
    expect(names([rule('a', { stop: false, tags: ['a'] }), rule('b', { tags: ['b'] })])).toEqual(['a', 'b']);
  });
});

describe('evaluateRules: the outcome', () => {
  it('changes nothing when no rule matches', () => {
    expect(run([rule('a', { priority: 'high', status: 'spam' }, { when: FAILS })])).toEqual({
      matches: [],
      outcome: { tagsAdd: [], tagsRemove: [], autoAcknowledge: true, replies: [], notifies: [] },
    });
  });

  it.each<[string, RuleActions, RuleActions, Record<string, unknown>]>([
    ['priority: the later wins', { priority: 'high' }, { priority: 'urgent' }, { priority: 'urgent' }],
    ['priority: kept when the later says nothing', { priority: 'high' }, { tags: ['x'] }, { priority: 'high' }],
    ['department: the later wins', { department: 'billing' }, { department: 'sales' }, { department: 'sales' }],
    ['department: kept', { department: 'billing' }, { priority: 'low' }, { department: 'billing' }],
    ['assign: the later wins', { assign: 'Alice' }, { assign: 'round-robin' }, { assign: 'round-robin' }],
    ['assign: kept', { assign: 'least-open' }, { priority: 'low' }, { assign: 'least-open' }],
    ['status: the later wins', { status: 'open' }, { status: 'spam' }, { status: 'spam' }],
    ['status: kept', { status: 'spam' }, { priority: 'low' }, { status: 'spam' }],
    ['autoAcknowledge: false sticks', { autoAcknowledge: false }, { autoAcknowledge: true }, { autoAcknowledge: false }],
    ['autoAcknowledge: false from a later rule', { autoAcknowledge: true }, { autoAcknowledge: false }, { autoAcknowledge: false }],
    ['autoAcknowledge: true stays true', { autoAcknowledge: true }, { priority: 'low' }, { autoAcknowledge: true }],
  ])('%s', (_, first, second, expected) => {
    expect(run([rule('1', first), rule('2', second)]).outcome).toMatchObject(expected);
  });

  it.each<[string, RuleActions[], string[], string[]]>([
    ['a list adds', [{ tags: ['vip', 'outage'] }], ['vip', 'outage'], []],
    ['add and remove in one rule', [{ tags: { add: ['vip'], remove: ['new'] } }], ['vip'], ['new']],
    ['adds accumulate without repeats', [{ tags: ['vip'] }, { tags: { add: ['vip', 'outage'] } }], ['vip', 'outage'], []],
    ['a later remove takes back an add', [{ tags: ['vip', 'outage'] }, { tags: { remove: ['vip'] } }], ['outage'], ['vip']],
    ['a later add takes back a remove', [{ tags: { remove: ['vip'] } }, { tags: ['vip'] }], ['vip'], []],
    ['removes accumulate without repeats', [{ tags: { remove: ['a'] } }, { tags: { remove: ['a', 'b'] } }], [], ['a', 'b']],
    ['a rule without tags keeps them', [{ tags: ['vip'] }, { priority: 'low' }], ['vip'], []],
    ['a tag listed twice in one rule is added once', [{ tags: ['vip', 'vip'] }], ['vip'], []],
  ])('tags: %s', (_, actions, tagsAdd, tagsRemove) => {
    const { outcome } = run(actions.map((then, i) => rule(`r${i}`, then)));
    expect({ tagsAdd: outcome.tagsAdd, tagsRemove: outcome.tagsRemove }).toEqual({ tagsAdd, tagsRemove });
  });

  it('collects every reply and notification, in order, with the rule that asked', () => {
    const { outcome } = run([
      rule('ack billing', { reply: 'billing-ack' }),
      rule('skipped', { reply: 'never' }, { when: FAILS }),
      rule('tell leads', { notify: { to: ['assignee', 'leads@example.test'], template: 'lead-notice' }, reply: 'rule:3:reply' }),
      rule('tell again', { notify: { to: ['department'], template: 'rule:3:notify' } }),
    ]);
    expect(outcome.replies).toEqual([
      { rule: 'ack billing', template: 'billing-ack' },
      { rule: 'tell leads', template: 'rule:3:reply' },
    ]);
    expect(outcome.notifies).toEqual([
      { rule: 'tell leads', to: ['assignee', 'leads@example.test'], template: 'lead-notice' },
      { rule: 'tell again', to: ['department'], template: 'rule:3:notify' },
    ]);
  });
});

describe('evaluateRules: properties', () => {
  type Spec = { holds: boolean; priority: Priority | undefined; stop: boolean };
  const specArb = fc.record({
    holds: fc.boolean(),
    priority: fc.option(fc.constantFrom(...PRIORITIES), { nil: undefined }),
    stop: fc.boolean(),
  });
  const toRules = (specs: readonly Spec[]): Rule[] =>
    specs.map((s, i) => ({ name: `r${i}`, when: s.holds ? HOLDS : FAILS, then: { stop: s.stop, ...(s.priority ? { priority: s.priority } : {}) } }));

  it('matches the holding rules up to the first holding stop, and the last priority among them wins', () => {
    fc.assert(
      fc.property(fc.array(specArb, { maxLength: 12 }), (specs) => {
        const holding = specs.map((s, i) => ({ ...s, name: `r${i}` })).filter((s) => s.holds);
        const stopAt = holding.findIndex((s) => s.stop);
        const applied = stopAt < 0 ? holding : holding.slice(0, stopAt + 1);
        const { matches, outcome } = run(toRules(specs));
        expect(matches.map((m) => m.rule)).toEqual(applied.map((s) => s.name));
        expect(outcome.priority).toBe(applied.filter((s) => s.priority).at(-1)?.priority);
      }),
    );
  });

  it('tags end as the last word on each tag: added or removed, never both, never twice', () => {
    const opArb = fc.record({ tag: fc.constantFrom('a', 'b', 'c', 'd'), add: fc.boolean() });
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 15 }), (ops) => {
        const rules = ops.map((op, i) => rule(`r${i}`, { tags: op.add ? [op.tag] : { remove: [op.tag] } }));
        const last = new Map(ops.map((op) => [op.tag, op.add]));
        const { outcome } = run(rules);
        expect(new Set(outcome.tagsAdd)).toEqual(new Set([...last].filter(([, add]) => add).map(([tag]) => tag)));
        expect(new Set(outcome.tagsRemove)).toEqual(new Set([...last].filter(([, add]) => !add).map(([tag]) => tag)));
        expect(outcome.tagsAdd).toHaveLength(new Set(outcome.tagsAdd).size);
        expect(outcome.tagsRemove).toHaveLength(new Set(outcome.tagsRemove).size);
      }),
    );
  });

  it('an evaluation leaves the rules and the facts as they were', () => {
    const rules = [rule('a', { tags: ['x'], reply: 't' }), rule('b', { tags: { remove: ['x'] }, notify: { to: ['assignee'], template: 't' } })];
    const before = JSON.stringify(rules);
    run(rules);
    run(rules);
    expect(JSON.stringify(rules)).toBe(before);
    expect(run(rules)).toEqual(run(rules));
  });
});
