import { describe, expect, it } from 'vitest';
import { makeReplyToken, replyTokenAddress, verifyReplyToken } from '../../src/usecases/reply-token.js';

const KEY = Buffer.from('a test key of thirty-two bytes!!');
const OTHER_KEY = Buffer.from('another key of thirty-two bytes!');
const AGENT = 'alice@example.test';
const MAILBOXES: ReadonlySet<string> = new Set(['support@example.test', 'billing@example.test']);

const token = makeReplyToken(KEY, 1042, AGENT);
const address = replyTokenAddress('support@example.test', token);

describe('makeReplyToken / replyTokenAddress', () => {
  it('is t<ticket>-<20 lower-case letters and digits>, stable for the same inputs', () => {
    expect(token).toMatch(/^t1042-[a-z0-9]{20}$/);
    expect(makeReplyToken(KEY, 1042, AGENT)).toBe(token);
  });

  it('differs per ticket, per agent and per key', () => {
    expect(makeReplyToken(KEY, 1043, AGENT)).not.toBe(token);
    expect(makeReplyToken(KEY, 1042, 'bob@example.test')).not.toBe(token);
    expect(makeReplyToken(OTHER_KEY, 1042, AGENT)).not.toBe(token);
  });

  it('does not depend on the case or padding of the agent address', () => {
    expect(makeReplyToken(KEY, 1042, '  Alice@Example.TEST ')).toBe(token);
  });

  it.each<[string, string]>([
    ['support@example.test', `support+${token}@example.test`],
    ['Support@Example.TEST', `support+${token}@example.test`],
    ['support+old@example.test', `support+${token}@example.test`],
  ])('%s → plus-address on the same mailbox', (mailbox, want) => {
    expect(replyTokenAddress(mailbox, token)).toBe(want);
  });
});

describe('verifyReplyToken', () => {
  it('round trip: the agent answering to the token address → the ticket number', () => {
    expect(verifyReplyToken(KEY, [address], AGENT, MAILBOXES)).toBe(1042);
  });

  it.each<[string, number]>([
    ['ticket 1', 1],
    ['a large ticket number', 987_654_321_012],
  ])('round trip for %s', (_name, ticketNumber) => {
    const to = replyTokenAddress('billing@example.test', makeReplyToken(KEY, ticketNumber, AGENT));
    expect(verifyReplyToken(KEY, [to], AGENT, MAILBOXES)).toBe(ticketNumber);
  });

  it.each<[string, string]>([
    ['upper-case recipient', address.toUpperCase()],
    ['padded recipient', `  ${address} `],
  ])('addresses compare without case: %s', (_name, recipient) => {
    expect(verifyReplyToken(KEY, [recipient], AGENT, MAILBOXES)).toBe(1042);
    expect(verifyReplyToken(KEY, [recipient], 'ALICE@example.TEST', MAILBOXES)).toBe(1042);
  });

  it.each<[string, readonly string[], string | null, Buffer]>([
    ['bound to the agent: another From', [address], 'mallory@evil.test', KEY],
    ['bound to the agent: a colleague', [address], 'bob@example.test', KEY],
    ['no From', [address], null, KEY],
    ['bound to the key', [address], AGENT, OTHER_KEY],
    ['bound to the ticket: the number changed', [address.replace('+t1042-', '+t1043-')], AGENT, KEY],
    ['bound to the ticket: a digit added', [address.replace('+t1042-', '+t10420-')], AGENT, KEY],
    ['only our mailboxes: another domain', [`support+${token}@other.test`], AGENT, KEY],
    ['only our mailboxes: another local part', [`sales+${token}@example.test`], AGENT, KEY],
    ['tampered mac: one character changed', [address.replace(/-(.)/, (_, c: string) => `-${c === 'a' ? 'b' : 'a'}`)], AGENT, KEY],
    ['tampered mac: truncated', [address.replace(/.@/, '@')], AGENT, KEY],
    ['tampered mac: extended', [address.replace('@', 'a@')], AGENT, KEY],
    ['tampered mac: empty', [`support+t1042-@example.test`], AGENT, KEY],
    ['no token', ['support@example.test'], AGENT, KEY],
    ['not a token', ['support+hello@example.test'], AGENT, KEY],
    ['no recipients', [], AGENT, KEY],
    ['no @', [`support+${token}`], AGENT, KEY],
  ])('%s → null', (_name, recipients, from, key) => {
    expect(verifyReplyToken(key, recipients, from, MAILBOXES)).toBeNull();
  });

  it('finds the valid token among several recipients', () => {
    const recipients = ['carol@customer.test', `support+${makeReplyToken(OTHER_KEY, 7, AGENT)}@example.test`, address];
    expect(verifyReplyToken(KEY, recipients, AGENT, MAILBOXES)).toBe(1042);
  });

  it('the first valid token wins', () => {
    const other = replyTokenAddress('billing@example.test', makeReplyToken(KEY, 7, AGENT));
    expect(verifyReplyToken(KEY, [other, address], AGENT, MAILBOXES)).toBe(7);
    expect(verifyReplyToken(KEY, [address, other], AGENT, MAILBOXES)).toBe(1042);
  });

  it('a token made for one agent does not work for another, even on the same ticket', () => {
    const bobs = replyTokenAddress('support@example.test', makeReplyToken(KEY, 1042, 'bob@example.test'));
    expect(verifyReplyToken(KEY, [bobs], AGENT, MAILBOXES)).toBeNull();
    expect(verifyReplyToken(KEY, [bobs], 'bob@example.test', MAILBOXES)).toBe(1042);
  });
});
