import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { makeReplyToken as makeToken, redactReplyToken, replyTokenAddress, verifyReplyToken } from '../../src/usecases/reply-token.js';

const KEY = Buffer.from('a test key of thirty-two bytes!!');
const OTHER_KEY = Buffer.from('another key of thirty-two bytes!');
const AGENT = 'alice@example.test';
const MAILBOXES: ReadonlySet<string> = new Set(['support@example.test', 'billing@example.test']);
const NOW = new Date('2026-11-30T12:00:00Z');
const DAY = 86_400_000;
const LIFETIME = 90 * DAY;

/** Tokens issued now; verified now, ticket number or null. */
const makeReplyToken = (key: Buffer, ticket: number, agent: string) => makeToken(key, ticket, agent, NOW);
const verify = (key: Buffer, recipients: readonly string[], from: string | null, now = NOW) =>
  verifyReplyToken(key, recipients, from, MAILBOXES, now, LIFETIME);
const ticketOf = (key: Buffer, recipients: readonly string[], from: string | null): number | null => verify(key, recipients, from)?.ticketNumber ?? null;

const token = makeReplyToken(KEY, 1042, AGENT);
const address = replyTokenAddress('support@example.test', token);

describe('makeReplyToken / replyTokenAddress', () => {
  it('is t<ticket>-<issue day, base 36>-<20 lower-case letters and digits>, stable for the same inputs', () => {
    expect(token).toBe(`t1042-${Math.floor(NOW.getTime() / DAY).toString(36)}-${token.split('-')[2]}`);
    expect(token).toMatch(/^t1042-[0-9a-z]+-[a-z0-9]{20}$/);
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
    expect(ticketOf(KEY, [address], AGENT)).toBe(1042);
  });

  it.each<[string, number]>([
    ['ticket 1', 1],
    ['a large ticket number', 987_654_321_012],
  ])('round trip for %s', (_name, ticketNumber) => {
    const to = replyTokenAddress('billing@example.test', makeReplyToken(KEY, ticketNumber, AGENT));
    expect(ticketOf(KEY, [to], AGENT)).toBe(ticketNumber);
  });

  it.each<[string, string]>([
    ['upper-case recipient', address.toUpperCase()],
    ['padded recipient', `  ${address} `],
  ])('addresses compare without case: %s', (_name, recipient) => {
    expect(ticketOf(KEY, [recipient], AGENT)).toBe(1042);
    expect(ticketOf(KEY, [recipient], 'ALICE@example.TEST')).toBe(1042);
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
    expect(ticketOf(key, recipients, from)).toBeNull();
  });

  it('finds the valid token among several recipients', () => {
    const recipients = ['carol@customer.test', `support+${makeReplyToken(OTHER_KEY, 7, AGENT)}@example.test`, address];
    expect(ticketOf(KEY, recipients, AGENT)).toBe(1042);
  });

  it('the first valid token wins', () => {
    const other = replyTokenAddress('billing@example.test', makeReplyToken(KEY, 7, AGENT));
    expect(ticketOf(KEY, [other, address], AGENT)).toBe(7);
    expect(ticketOf(KEY, [address, other], AGENT)).toBe(1042);
  });

  it('a token made for one agent does not work for another, even on the same ticket', () => {
    const bobs = replyTokenAddress('support@example.test', makeReplyToken(KEY, 1042, 'bob@example.test'));
    expect(ticketOf(KEY, [bobs], AGENT)).toBeNull();
    expect(ticketOf(KEY, [bobs], 'bob@example.test')).toBe(1042);
  });
});

describe('verifyReplyToken: expiry', () => {
  it('a token is valid for its lifetime, then comes back expired, naming its ticket and issue day', () => {
    expect(verify(KEY, [address], AGENT, new Date(NOW.getTime() + LIFETIME - DAY))).toEqual({ ticketNumber: 1042, issuedAt: new Date(Math.floor(NOW.getTime() / DAY) * DAY), expired: false });
    expect(verify(KEY, [address], AGENT, new Date(NOW.getTime() + LIFETIME + DAY))).toMatchObject({ ticketNumber: 1042, expired: true });
  });

  it('the issue day is under the mac: moving it forward breaks the token', () => {
    const later = address.replace(/-([0-9a-z]+)-/, (_, day: string) => `-${(parseInt(day, 36) + 100).toString(36)}-`);
    expect(verify(KEY, [later], AGENT, new Date(NOW.getTime() + LIFETIME + DAY))).toBeNull();
  });

  it('a token from before tokens carried their issue day is valid but expired', () => {
    const mac = createHmac('sha256', KEY).update(`1042:${AGENT}`).digest('base64url').replace(/[-_]/g, '').toLowerCase().slice(0, 20);
    expect(verify(KEY, [`support+t1042-${mac}@example.test`], AGENT)).toEqual({ ticketNumber: 1042, issuedAt: null, expired: true });
  });
});

describe('redactReplyToken', () => {
  it('hides the secret part of a token address, and leaves other addresses alone', () => {
    expect(redactReplyToken(address)).toBe('support+t1042-…@example.test');
    expect(redactReplyToken('carol+news@customer.test')).toBe('carol+news@customer.test');
    expect(redactReplyToken('support@example.test')).toBe('support@example.test');
  });
});
