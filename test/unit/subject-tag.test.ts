import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findTicketTag, formatTicketTag, removeTicketTags, withTicketTag } from '../../src/domain/subject-tag.js';

describe('findTicketTag', () => {
  it.each<[string, string, number | null]>([
    ['Printer on fire [#1042]', '#', 1042],
    ['[#7] Re: Printer on fire', '#', 7],
    ['Re: Printer [ #12 ] on fire', '#', 12],
    ['Re: Printer [#12 ] on fire', '#', 12],
    ['Re: AW:Installation [Ticket#11392]', 'Ticket#', 11392],
    ['Re: XXXX Betatest Ticket Templates [Ticket#11162]', 'Ticket#', 11162],
    ['[Ticket#1705265400361] RE: Your order', 'Ticket#', 1705265400361],
    ['Re: [TICKET#5] case-insensitive prefix', 'Ticket#', 5],
    ['Re: [Ticket# 5] space after the prefix', 'Ticket#', 5],
    ['first tag wins [#1] [#2]', '#', 1],
    ['Printer on fire', '#', null],
    ['', '#', null],
    ['Re: AW:Installation [Ticket#11392]', '#', null],
    ['Printer [#1042] with prefix Ticket#', 'Ticket#', null],
    ['issue #1042 without brackets', '#', null],
    ['[#] no number', '#', null],
    ['[#12a] not only digits', '#', null],
    ['[#-3] negative', '#', null],
    ['[#1234567890123456789] beyond 18 digits', '#', null],
    ['[#99999999999999999] beyond a safe integer', '#', null],
    ['[T.1] the prefix is literal, not a regex', 'T.1', null],
    ['[T.15]', 'T.', 15],
  ])('%j with prefix %j → %s', (subject, prefix, want) => {
    expect(findTicketTag(subject, prefix)).toBe(want);
  });
});

describe('formatTicketTag / withTicketTag / removeTicketTags', () => {
  it('formats the tag with the configured prefix', () => {
    expect(formatTicketTag(1042, '#')).toBe('[#1042]');
    expect(formatTicketTag(11392, 'Ticket#')).toBe('[Ticket#11392]');
  });

  it.each<[string, number, string, string]>([
    ['Printer on fire', 1042, '#', 'Printer on fire [#1042]'],
    ['  Printer on fire  ', 1042, '#', 'Printer on fire [#1042]'],
    ['', 1042, '#', '[#1042]'],
    ['   ', 1042, '#', '[#1042]'],
    ['Re: Printer on fire [#1042]', 1042, '#', 'Re: Printer on fire [#1042]'],
    ['Re: Printer on fire [ #1042 ]', 1042, '#', 'Re: Printer on fire [ #1042 ]'],
    ['AW:Installation [Ticket#11392]', 11392, 'Ticket#', 'AW:Installation [Ticket#11392]'],
    ['Re: other ticket [#5]', 1042, '#', 'Re: other ticket [#5] [#1042]'],
  ])('withTicketTag(%j, %s, %j) → %j', (subject, n, prefix, want) => {
    expect(withTicketTag(subject, n, prefix)).toBe(want);
  });

  it.each<[string, string, string]>([
    ['Re: Printer on fire [#1042]', '#', 'Re: Printer on fire'],
    ['[#7] Re: Printer [ #8 ] on fire', '#', 'Re: Printer on fire'],
    ['AW:Installation [Ticket#11392]', 'Ticket#', 'AW:Installation'],
    ['AW:Installation [Ticket#11392]', '#', 'AW:Installation [Ticket#11392]'],
    ['Printer on fire', '#', 'Printer on fire'],
    ['[#1]', '#', ''],
  ])('removeTicketTags(%j, %j) → %j', (subject, prefix, want) => {
    expect(removeTicketTags(subject, prefix)).toBe(want);
  });
});

describe('subject tags: properties', () => {
  // As the config allows: 1–20 characters, no brackets, no whitespace.
  const prefix = fc.string({ minLength: 1, maxLength: 20 }).filter((p) => !/[[\]\s]/.test(p));
  const subject = fc.string({ maxLength: 80 }).filter((s) => !/[[\]]/.test(s));
  const ticket = fc.nat({ max: Number.MAX_SAFE_INTEGER });

  it('the tag withTicketTag adds is the one findTicketTag finds, for any subject without brackets', () => {
    fc.assert(fc.property(subject, ticket, prefix, (s, n, p) => findTicketTag(withTicketTag(s, n, p), p) === n));
    fc.assert(fc.property(fc.string({ maxLength: 80 }), ticket, (s, n) => findTicketTag(withTicketTag(s.replace(/[[\]]/g, ''), n, '#'), '#') === n));
  });

  it('withTicketTag is idempotent', () => {
    fc.assert(
      fc.property(subject, ticket, prefix, (s, n, p) => {
        const once = withTicketTag(s, n, p);
        return withTicketTag(once, n, p) === once;
      }),
    );
  });

  it('removing the tags undoes adding one', () => {
    fc.assert(
      fc.property(subject, ticket, prefix, (s, n, p) => removeTicketTags(withTicketTag(s, n, p), p) === removeTicketTags(s, p)),
    );
  });
});
