import { describe, expect, it } from 'vitest';
import { parseMessageIdList } from '../../src/domain/message-id.js';
import { resolveThread } from '../../src/domain/threading.js';
import type { ThreadDecision, ThreadFacts, ThreadSignals } from '../../src/domain/threading.js';

const CUSTOMER = 'carol@customer.test';

function signals(over: Partial<ThreadSignals> = {}): ThreadSignals {
  return { inReplyTo: [], references: [], subjectTag: null, from: CUSTOMER, ...over };
}

function facts(over: Partial<ThreadFacts> = {}): ThreadFacts {
  return { duplicate: false, tokenTicketId: null, ticketByMessageId: new Map(), taggedTicket: null, ...over };
}

/** Ticket 42 carries tag [#1042]; carol and dave take part in it. */
const TAGGED = { id: 42, participants: new Set([CUSTOMER, 'dave@customer.test']) };
const existing = (ticketId: number, via: 'token' | 'in-reply-to' | 'references' | 'subject-tag'): ThreadDecision => ({
  kind: 'existing',
  ticketId,
  via,
});

describe('resolveThread: each signal alone', () => {
  it('no signal at all → a new ticket', () => {
    expect(resolveThread(signals(), facts())).toEqual({ kind: 'new', reason: 'no-signal' });
  });

  it('a known Message-ID → duplicate', () => {
    expect(resolveThread(signals(), facts({ duplicate: true }))).toEqual({ kind: 'duplicate' });
  });

  it('a verified reply token → its ticket', () => {
    expect(resolveThread(signals(), facts({ tokenTicketId: 7 }))).toEqual(existing(7, 'token'));
  });

  it('In-Reply-To naming a stored message → its ticket', () => {
    const known = new Map([['ack-7@example.test', 7]]);
    expect(resolveThread(signals({ inReplyTo: ['ack-7@example.test'] }), facts({ ticketByMessageId: known }))).toEqual(
      existing(7, 'in-reply-to'),
    );
  });

  it('the first known In-Reply-To id wins when a client lists several', () => {
    const known = new Map([['b@x', 2], ['c@x', 3]]);
    const s = signals({ inReplyTo: ['a@x', 'b@x', 'c@x'] });
    expect(resolveThread(s, facts({ ticketByMessageId: known }))).toEqual(existing(2, 'in-reply-to'));
  });

  it('an In-Reply-To nobody stored is no signal', () => {
    expect(resolveThread(signals({ inReplyTo: ['unknown@x'] }), facts())).toEqual({ kind: 'new', reason: 'no-signal' });
  });

  it('References are read newest first: the LAST known reference wins', () => {
    // oldest … newest; the newest (d) is unknown, c is the newest known one.
    const s = signals({ references: ['a@x', 'b@x', 'c@x', 'd@x'] });
    const known = new Map([['a@x', 1], ['b@x', 2], ['c@x', 3]]);
    expect(resolveThread(s, facts({ ticketByMessageId: known }))).toEqual(existing(3, 'references'));
  });

  it('References: an old known id still threads when nothing newer is known', () => {
    const s = signals({ references: ['a@x', 'b@x', 'c@x'] });
    expect(resolveThread(s, facts({ ticketByMessageId: new Map([['a@x', 1]]) }))).toEqual(existing(1, 'references'));
  });

  it('the RFC 2822 A.2 reply-to-a-reply threads through its References header', () => {
    // threads/rfc2822-appendix-a2/example07.eml: In-Reply-To <3456@example.net>, which this store does not know.
    const s = signals({
      inReplyTo: parseMessageIdList('<3456@example.net>'),
      references: parseMessageIdList('<1234@local.machine.example> <3456@example.net>'),
      from: 'john.q.public@example.com',
    });
    const known = new Map([['1234@local.machine.example', 9]]);
    expect(resolveThread(s, facts({ ticketByMessageId: known }))).toEqual(existing(9, 'references'));
  });

  it('a subject tag from a participant → that ticket', () => {
    expect(resolveThread(signals({ subjectTag: 1042 }), facts({ taggedTicket: TAGGED }))).toEqual(existing(42, 'subject-tag'));
  });

  it.each(['Carol@Customer.TEST', '  CAROL@customer.test ', 'dave@CUSTOMER.test'])(
    'the participant check ignores case and surrounding space: %j',
    (from) => {
      expect(resolveThread(signals({ subjectTag: 1042, from }), facts({ taggedTicket: TAGGED }))).toEqual(
        existing(42, 'subject-tag'),
      );
    },
  );

  it('a stranger quoting a ticket tag gets a new ticket, not the tagged one (no hijacking)', () => {
    const s = signals({ subjectTag: 1042, from: 'mallory@evil.test' });
    expect(resolveThread(s, facts({ taggedTicket: TAGGED }))).toEqual({ kind: 'new', reason: 'tag-sender-not-participant' });
  });

  it('a tagged mail without a readable sender is treated as a stranger', () => {
    const s = signals({ subjectTag: 1042, from: null });
    expect(resolveThread(s, facts({ taggedTicket: TAGGED }))).toEqual({ kind: 'new', reason: 'tag-sender-not-participant' });
  });

  it('a tag naming no ticket is no signal', () => {
    expect(resolveThread(signals({ subjectTag: 999_999 }), facts({ taggedTicket: null }))).toEqual({ kind: 'new', reason: 'no-signal' });
  });
});

describe('resolveThread: precedence (duplicate > token > In-Reply-To > References > tag)', () => {
  const known = new Map([['irt@x', 3], ['ref@x', 4]]);
  const all = signals({ inReplyTo: ['irt@x'], references: ['ref@x'], subjectTag: 1042 });
  const full = facts({ duplicate: true, tokenTicketId: 2, ticketByMessageId: known, taggedTicket: TAGGED });

  it.each<[string, ThreadSignals, ThreadFacts, ThreadDecision]>([
    ['duplicate beats everything', all, full, { kind: 'duplicate' }],
    ['token beats headers and tag', all, { ...full, duplicate: false }, existing(2, 'token')],
    ['In-Reply-To beats References and tag', all, { ...full, duplicate: false, tokenTicketId: null }, existing(3, 'in-reply-to')],
    [
      'References beat the tag',
      { ...all, inReplyTo: [] },
      { ...full, duplicate: false, tokenTicketId: null },
      existing(4, 'references'),
    ],
    [
      'the tag comes last',
      { ...all, inReplyTo: [], references: [] },
      { ...full, duplicate: false, tokenTicketId: null },
      existing(42, 'subject-tag'),
    ],
    [
      'an unknown In-Reply-To falls through to References',
      { ...all, inReplyTo: ['nobody@x'] },
      { ...full, duplicate: false, tokenTicketId: null },
      existing(4, 'references'),
    ],
    [
      'a stranger replying by header is threaded: the participant check is for tags only',
      { ...all, from: 'mallory@evil.test' },
      { ...full, duplicate: false, tokenTicketId: null },
      existing(3, 'in-reply-to'),
    ],
  ])('%s', (_name, s, f, want) => {
    expect(resolveThread(s, f)).toEqual(want);
  });
});
