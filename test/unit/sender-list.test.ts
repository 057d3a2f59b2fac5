import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { re2Test } from '../../src/adapters/regex/re2.js';
import { globMatches, type RegexTest } from '../../src/domain/rules.js';
import { blockedBy, compileSenderList, matchSender, senderPatternProblem } from '../../src/domain/sender-list.js';

/** A RegexTest on the real engine that counts its runs. */
function countingRegex(): { regex: RegexTest; calls: () => number } {
  let calls = 0;
  return {
    regex: (pattern, text) => {
      calls++;
      return re2Test(pattern, text);
    },
    calls: () => calls,
  };
}

const BLOCK = [
  'spam@example.com',
  'example.org',
  '@example.net',
  '*.example.io',
  '*@*.spam.test',
  '*@whole.test',
  'noreply-*@example.com',
  'Mixed@Case.TEST',
  'user?@glob.test',
  '*junk.test',
  'x*y@star.test',
];

/** `[address, the pattern that matches it | null]` */
const MATCHES: [string, string | null][] = [
  ['spam@example.com', 'spam@example.com'],
  ['SPAM@Example.COM', 'spam@example.com'],
  ['  spam@example.com ', 'spam@example.com'],
  ['spam+newsletter@example.com', 'spam@example.com'],
  ['other@example.com', null],
  ['anyone@example.org', 'example.org'],
  ['anyone@mail.example.org', null],
  ['a@example.net', '@example.net'],
  ['a@mail.example.io', '*.example.io'],
  ['a@deep.mail.example.io', '*.example.io'],
  ['a@example.io', null],
  ['a@notexample.io', null],
  ['a@x.spam.test', '*@*.spam.test'],
  ['a@spam.test', null],
  ['a@whole.test', '*@whole.test'],
  ['a@sub.whole.test', null],
  ['noreply-42@example.com', 'noreply-*@example.com'],
  ['NoReply-X@EXAMPLE.com', 'noreply-*@example.com'],
  ['noreply@example.com', null],
  ['mixed@case.test', 'Mixed@Case.TEST'],
  ['user1@glob.test', 'user?@glob.test'],
  ['user12@glob.test', null],
  ['user@glob.test', null],
  ['x@evenmorejunk.test', '*junk.test'],
  ['x@junk.test', '*junk.test'],
  ['junk.test@other.test', null],
  ['xy@star.test', 'x*y@star.test'],
  ['x+tag+y@star.test', 'x*y@star.test'],
  ['', null],
  ['not-an-address', null],
  [`${'a'.repeat(400)}@example.org`, 'example.org'],
  [`noreply-${'a'.repeat(400)}@example.com`, null],
];

describe('matchSender', () => {
  const list = compileSenderList(BLOCK);

  it.each(MATCHES)('%s → %s', (address, pattern) => {
    expect(matchSender(list, address, re2Test)).toBe(pattern);
  });

  it('keeps every pattern of the table: none is ignored, duplicates answer with the first written', () => {
    expect(list.ignored).toEqual([]);
    const twice = compileSenderList(['Spam@Example.com', 'spam@example.com', '*@*.x.test', '*.X.test', 'a*@b.test', 'A*@B.test']);
    expect(matchSender(twice, 'spam@example.com', re2Test)).toBe('Spam@Example.com');
    expect(matchSender(twice, 'y@w.x.test', re2Test)).toBe('*@*.x.test');
    expect(matchSender(twice, 'ab@b.test', re2Test)).toBe('a*@b.test');
    expect(twice.globs).toHaveLength(1);
  });

  it('leaves out what is not a pattern, and lists it', () => {
    const list = compileSenderList(['ok.test', '*', 'two@at@signs.test']);
    expect(list.ignored).toEqual(['*', 'two@at@signs.test']);
    expect(matchSender(list, 'a@ok.test', re2Test)).toBe('ok.test');
  });

  it('agrees with globMatches on every glob, one at a time', () => {
    const char = (chars: string) => fc.constantFrom(...chars.split(''));
    const text = (chars: string, max: number) => fc.array(char(chars), { minLength: 1, maxLength: max }).map((c) => c.join(''));
    const pattern = fc
      .tuple(text('ab.*?-', 4), text('ab.*?', 6))
      .map(([local, domain]) => `${local}@${domain}`)
      .filter((p) => senderPatternProblem(p) === null);
    const address = fc.tuple(text('ab.-', 5), text('ab.', 7)).map(([local, domain]) => `${local}@${domain}`);
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 8 }), address, (patterns, a) => {
        const matched = matchSender(compileSenderList(patterns), a, re2Test);
        const expected = patterns.filter((p) => globMatches(p, a, re2Test));
        if (expected.length === 0) expect(matched).toBeNull();
        else expect(expected).toContain(matched);
      }),
      { numRuns: 300 },
    );
  });
});

describe('blockedBy: allow beats block', () => {
  const lists = { block: compileSenderList(['example.com', '*.spam.test', 'x?@other.test']), allow: compileSenderList(['boss@example.com', 'ok-*@*.spam.test', 'other.test']) };

  it.each<[string, string | null]>([
    ['boss@example.com', null],
    ['Boss+Travel@Example.com', null],
    ['intern@example.com', 'example.com'],
    ['ok-1@a.spam.test', null],
    ['not-ok@a.spam.test', '*.spam.test'],
    ['x1@other.test', null],
    ['someone@else.test', null],
  ])('%s → %s', (address, pattern) => {
    expect(blockedBy(lists, address, re2Test)).toBe(pattern);
  });
});

describe('senderPatternProblem', () => {
  it.each(BLOCK)('%s is a pattern', (pattern) => {
    expect(senderPatternProblem(pattern)).toBeNull();
  });

  it.each<[string, string]>([
    ['', 'is empty'],
    [`${'a'.repeat(250)}@x.test`, 'is 257 characters long: an address has at most 254'],
    ['spam @example.com', 'whitespace'],
    ['spam@example.com\n', 'whitespace'],
    ['spam\u0000@example.com', 'control character'],
    ['a@b@example.com', 'more than one @'],
    ['<spam@example.com>', 'contains "<": give the bare address'],
    ['a@example.com,b@example.com', 'contains ","'],
    ['spam@', 'nothing after the @'],
    ['@', 'nothing after the @'],
    ['.example.com', 'starts its domain with a dot: write example.com for the domain, *.example.com for its subdomains'],
    ['a@.example.com', 'starts its domain with a dot'],
    ['example.com.', 'empty label'],
    ['a@example..com', 'empty label'],
    ['*', 'nothing but wildcards'],
    ['*@*', 'nothing but wildcards'],
    ['*.*', 'nothing but wildcards'],
    ['?@*', 'nothing but wildcards'],
  ])('%j: %s', (pattern, reason) => {
    expect(senderPatternProblem(pattern)).toContain(reason);
  });
});

describe('matching cost', () => {
  const globs = Array.from({ length: 5_000 }, (_, i) => `bulk-${i}-*@*.mailer${i % 50}.test`);
  const list = compileSenderList(globs);

  it('runs 5 000 globs as one RE2 alternation: one run for a miss', () => {
    expect(list.globs).toHaveLength(5_000);
    const { regex, calls } = countingRegex();
    expect(matchSender(list, 'customer@example.com', regex)).toBeNull();
    expect(matchSender(list, `bulk-1-${'x'.repeat(290)}@a.mailer2.test`, regex)).toBeNull();
    expect(calls()).toBe(2);
  });

  it('names the glob of a hit in ⌈log₂ n⌉ more runs', () => {
    const { regex, calls } = countingRegex();
    expect(matchSender(list, 'bulk-4321-campaign@eu.mailer21.test', regex)).toBe('bulk-4321-*@*.mailer21.test');
    expect(calls()).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(5_000)));
  });

  it('runs no regex for addresses and domains, nor when a list has no globs, nor on allow for what is not blocked', () => {
    const { regex, calls } = countingRegex();
    const sets = compileSenderList(['a@b.test', 'c.test', '*.d.test']);
    expect(matchSender(sets, 'x@y.d.test', regex)).toBe('*.d.test');
    expect(matchSender(sets, 'nobody@nowhere.test', regex)).toBeNull();
    expect(calls()).toBe(0);
    expect(blockedBy({ block: list, allow: compileSenderList(['x*@*.test']) }, 'customer@example.com', regex)).toBeNull();
    expect(calls()).toBe(1);
  });

  it('never runs a glob on an address over 320 characters', () => {
    const { regex, calls } = countingRegex();
    expect(matchSender(list, `bulk-1-${'x'.repeat(320)}@a.mailer1.test`, regex)).toBeNull();
    expect(calls()).toBe(0);
  });
});
