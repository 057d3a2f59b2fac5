import { describe, expect, it } from 'vitest';
import { authenticatedSender, failedDmarcAtMta, parseAuthResults } from '../../src/domain/auth-results.js';

const MX = 'mx.example.test';
const FROM = 'alice@example.test';

describe('authenticatedSender: one header from our server', () => {
  it.each<[string, string, string, boolean]>([
    ['dmarc=pass for the From domain', 'mx.example.test; dmarc=pass (p=reject) header.from=example.test', FROM, true],
    ['dmarc=pass for another domain', 'mx.example.test; dmarc=pass header.from=evil.test', FROM, false],
    ['dmarc=pass for the parent only (DMARC names the exact From domain)', 'mx.example.test; dmarc=pass header.from=example.test', 'alice@sub.example.test', false],
    ['dmarc=fail', 'mx.example.test; dmarc=fail header.from=example.test', FROM, false],
    ['dkim=pass, header.d equal', 'mx.example.test; dkim=pass header.d=example.test header.s=sel', FROM, true],
    ['dkim=pass, header.i=@domain', 'mx.example.test; dkim=pass (2048-bit key) header.i=@example.test header.s=sel header.b=AbC', FROM, true],
    ['dkim=pass, signed by the parent domain', 'mx.example.test; dkim=pass header.d=example.test', 'alice@sub.example.test', true],
    ['dkim=pass, signed by a subdomain of the From domain', 'mx.example.test; dkim=pass header.d=sub.example.test', FROM, false],
    ['dkim=pass, a look-alike suffix', 'mx.example.test; dkim=pass header.d=ample.test', FROM, false],
    ['dkim=pass, another domain', 'mx.example.test; dkim=pass header.d=evil.test', FROM, false],
    ['dkim=fail', 'mx.example.test; dkim=fail (bad signature) header.d=example.test', FROM, false],
    ['dkim=neutral', 'mx.example.test; dkim=neutral header.d=example.test', FROM, false],
    ['dkim=none', 'mx.example.test; dkim=none', FROM, false],
    ['spf=pass alone is not enough', 'mx.example.test; spf=pass smtp.mailfrom=example.test', FROM, false],
    ['no results', 'mx.example.test; none', FROM, false],
    ['one passing result among failures', 'mx.example.test; spf=fail smtp.mailfrom=x.test; dkim=fail header.d=example.test; dkim=pass header.d=example.test', FROM, true],
    ['a version after the authserv-id', 'mx.example.test 1; dkim=pass header.d=example.test', FROM, true],
    ['no space after the authserv-id', 'mx.example.test;dkim=pass header.d=example.test', FROM, true],
    ['Gmail-style, several results', 'mx.example.test; dkim=pass header.i=@example.test header.s=20230601 header.b=xyz; spf=pass (domain of alice@example.test designates 192.0.2.1 as permitted sender) smtp.mailfrom=alice@example.test; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.test', FROM, true],
  ])('%s → %s', (_name, header, from, want) => {
    expect(authenticatedSender([header], MX, from)).toBe(want);
  });
});

describe('authenticatedSender: case does not matter', () => {
  it.each<[string, string, string]>([
    ['authserv-id', 'MX.Example.TEST; dkim=pass header.d=example.test', MX],
    ['trusted server as configured', 'mx.example.test; dkim=pass header.d=example.test', 'MX.EXAMPLE.TEST'],
    ['result and property names', 'mx.example.test; DKIM=PASS Header.D=example.test', MX],
    ['signing domain', 'mx.example.test; dkim=pass header.d=EXAMPLE.Test', MX],
    ['dmarc header.from', 'mx.example.test; DMARC=Pass header.from=Example.TEST', MX],
  ])('%s', (_name, header, trusted) => {
    expect(authenticatedSender([header], trusted, FROM)).toBe(true);
    expect(authenticatedSender([header], trusted, 'Alice@EXAMPLE.test')).toBe(true);
  });
});

describe('authenticatedSender: which header counts', () => {
  const pass = 'mx.example.test; dkim=pass header.d=example.test';
  const fail = 'mx.example.test; dkim=fail header.d=example.test';

  it('no header at all → false', () => {
    expect(authenticatedSender([], MX, FROM)).toBe(false);
  });

  it('a pass from an untrusted authserv-id is ignored', () => {
    expect(authenticatedSender(['mx.evil.test; dkim=pass header.d=example.test; dmarc=pass header.from=example.test'], MX, FROM)).toBe(false);
  });

  it('an authserv-id that only starts with ours is not ours', () => {
    expect(authenticatedSender(['mx.example.test.evil.test; dkim=pass header.d=example.test'], MX, FROM)).toBe(false);
  });

  it('only the topmost header counts: one of ours lower down was written by the sender (our MTA prepends its own)', () => {
    expect(authenticatedSender(['relay.other.test; dkim=fail header.d=example.test', pass], MX, FROM)).toBe(false);
    expect(authenticatedSender(['mx.example.test; dkim=none', 'relay.other.test; none', pass], MX, FROM)).toBe(false);
  });

  it('only the first header with our id counts: a forged lower one saying pass does not help', () => {
    expect(authenticatedSender([fail, pass], MX, FROM)).toBe(false);
    expect(authenticatedSender(['mx.example.test; none', pass], MX, FROM)).toBe(false);
  });

  it('the first header with our id saying pass is enough, whatever follows', () => {
    expect(authenticatedSender([pass, fail], MX, FROM)).toBe(true);
  });
});

describe('authenticatedSender: the From address', () => {
  it.each(['alice', '', 'alice@'])('From %j has no domain → false', (from) => {
    expect(authenticatedSender(['mx.example.test; dkim=pass header.d=example.test; dmarc=pass header.from=example.test'], MX, from)).toBe(false);
  });
});

describe('parseAuthResults: RFC 8601 comments and quoted strings', () => {
  it('reads a genuine OpenDKIM result whose comment holds a semicolon', () => {
    const header = 'mx.example.test; dkim=pass (2048-bit key; unprotected) header.d=example.test header.i=@example.test header.b="AbC;d/e"';
    expect(parseAuthResults(header)).toEqual({
      authservId: 'mx.example.test',
      results: [{ method: 'dkim', result: 'pass', props: { 'header.d': 'example.test', 'header.i': '@example.test', 'header.b': 'AbC;d/e' } }],
    });
    expect(authenticatedSender([header], MX, FROM)).toBe(true);
  });

  it.each<[string, string]>([
    ['a pass written inside a comment', 'mx.example.test; dkim=fail (dkim=pass header.d=example.test) header.d=example.test'],
    ['a pass after a semicolon inside a comment', 'mx.example.test; dkim=fail (x; dkim=pass header.d=evil.test ) header.d=example.test'],
    ['a pass inside a nested comment', 'mx.example.test; dkim=fail (a (b; dkim=pass header.d=example.test) c) header.d=evil.test'],
    ['a pass inside a quoted string', 'mx.example.test; dkim=fail header.b="; dkim=pass header.d=example.test"'],
    ['an escaped parenthesis that does not end the comment', 'mx.example.test; dkim=fail (x \\) ; dkim=pass header.d=example.test) header.d=evil.test'],
  ])('does not read %s as a result', (_name, header) => {
    expect(authenticatedSender([header], MX, FROM)).toBe(false);
  });

  it('reads the authserv-id before a comment and a version', () => {
    expect(parseAuthResults('mx.example.test (our MX) 1; spf=pass smtp.mailfrom=example.test')).toMatchObject({ authservId: 'mx.example.test', results: [{ method: 'spf', result: 'pass' }] });
  });

  it('reads `none` as no results, and an empty header as nothing', () => {
    expect(parseAuthResults('mx.example.test; none')).toEqual({ authservId: 'mx.example.test', results: [] });
    expect(parseAuthResults('  ')).toBeNull();
  });
});

describe('failedDmarcAtMta', () => {
  it('is true only when our topmost header says dmarc=fail for the From domain', () => {
    expect(failedDmarcAtMta(['mx.example.test; dmarc=fail (p=reject) header.from=example.test'], MX, FROM)).toBe(true);
    expect(failedDmarcAtMta(['mx.example.test; dmarc=pass header.from=example.test'], MX, FROM)).toBe(false);
    expect(failedDmarcAtMta(['other.test; dmarc=fail header.from=example.test'], MX, FROM)).toBe(false);
    expect(failedDmarcAtMta(['mx.example.test; dmarc=fail header.from=other.test'], MX, FROM)).toBe(false);
  });
});
