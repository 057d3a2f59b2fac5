import { describe, expect, it } from 'vitest';
import { childThreadIndex, headerSafe, rootThreadIndex, threadHeaders } from '../../src/domain/outbound-headers.js';
import type { ThreadContext } from '../../src/domain/outbound-headers.js';

const NOW = new Date('2026-03-02T10:00:00Z');
/** 21 bytes 0x01..0x15: the GUID is the first 16. */
const ENTROPY = Uint8Array.from({ length: 21 }, (_, i) => i + 1);
const OTHER_ENTROPY = Uint8Array.from({ length: 21 }, (_, i) => 0xf0 - i);

function ctx(over: Partial<ThreadContext> = {}): ThreadContext {
  return {
    ticketNumber: 1042,
    subject: 'Printer on fire',
    ticketPrefix: '#',
    chain: ['carol-1@customer.test', 'ack-1@example.test'],
    inReplyTo: 'carol-1@customer.test',
    rootThreadIndex: null,
    ...over,
  };
}

const bytes = (base64: string): Buffer => Buffer.from(base64, 'base64');
/** FILETIME (100 ns since 1601) of a date. */
const filetime = (date: Date): bigint => (BigInt(date.getTime()) + 11_644_473_600_000n) * 10_000n;

describe('threadHeaders: subject', () => {
  it.each<[string, string, string]>([
    ['plain subject', 'Printer on fire', 'Re: Printer on fire [#1042]'],
    ['already Re:', 'Re: Printer on fire', 'Re: Printer on fire [#1042]'],
    ['RE: in capitals', 'RE: Printer on fire', 'RE: Printer on fire [#1042]'],
    ['re : with a space', 're : Printer on fire', 're : Printer on fire [#1042]'],
    ['already tagged', 'Re: Printer on fire [#1042]', 'Re: Printer on fire [#1042]'],
    ['tagged, without Re:', 'Printer on fire [#1042]', 'Re: Printer on fire [#1042]'],
    ['a word starting with re is no prefix', 'Refund please', 'Re: Refund please [#1042]'],
  ])('%s', (_name, subject, want) => {
    expect(threadHeaders(ctx({ subject }), NOW, ENTROPY).subject).toBe(want);
  });

  it('uses the configured prefix', () => {
    expect(threadHeaders(ctx({ ticketPrefix: 'Ticket#' }), NOW, ENTROPY).subject).toBe('Re: Printer on fire [Ticket#1042]');
  });
});

describe('threadHeaders: In-Reply-To and References', () => {
  it('answers the given message and references the chain, oldest first', () => {
    const headers = threadHeaders(ctx(), NOW, ENTROPY);
    expect(headers.inReplyTo).toBe('carol-1@customer.test');
    expect(headers.references).toEqual(['carol-1@customer.test', 'ack-1@example.test']);
  });

  it('no message to answer → no In-Reply-To', () => {
    expect(threadHeaders(ctx({ inReplyTo: null, chain: [] }), NOW, ENTROPY)).toMatchObject({ inReplyTo: null, references: [] });
  });

  it('drops repeated ids, keeping the first position', () => {
    const chain = ['a@x', 'b@x', 'a@x', 'c@x', 'b@x'];
    expect(threadHeaders(ctx({ chain }), NOW, ENTROPY).references).toEqual(['a@x', 'b@x', 'c@x']);
  });

  it.each([20, 21, 30, 100])('a chain of %i ids → at most 20: the root and the newest', (length) => {
    const chain = Array.from({ length }, (_, i) => `m${i}@x`);
    const references = threadHeaders(ctx({ chain }), NOW, ENTROPY).references;
    expect(references).toHaveLength(Math.min(length, 20));
    expect(references[0]).toBe('m0@x');
    expect(references.at(-1)).toBe(`m${length - 1}@x`);
    expect(references.slice(1)).toEqual(chain.slice(-(Math.min(length, 20) - 1)));
  });

  it('caps after removing duplicates', () => {
    const chain = [...Array.from({ length: 19 }, (_, i) => `m${i}@x`), 'm0@x', 'm5@x', 'm19@x'];
    const references = threadHeaders(ctx({ chain }), NOW, ENTROPY).references;
    expect(references).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}@x`));
  });
});

describe('threadHeaders: Thread-Topic', () => {
  it.each<[string, string]>([
    ['Printer on fire', 'Printer on fire'],
    ['Re: Printer on fire', 'Printer on fire'],
    ['RE: Re: re:Printer on fire', 'Printer on fire'],
    ['AW: Printer on fire', 'Printer on fire'],
    ['Fwd: Printer on fire', 'Printer on fire'],
    ['Fw: AW: Re: Printer on fire', 'Printer on fire'],
    ['  SV: WG: Printer on fire  ', 'Printer on fire'],
    ['Refund: Printer on fire', 'Refund: Printer on fire'],
  ])('%j → %j', (subject, topic) => {
    expect(threadHeaders(ctx({ subject }), NOW, ENTROPY).threadTopic).toBe(topic);
  });
});

describe('Thread-Index (MS-OXOMSG 2.2.1.3)', () => {
  it('a root index is 22 bytes: 0x01, five FILETIME bytes, the 16-byte GUID from the entropy', () => {
    const root = bytes(rootThreadIndex(NOW, ENTROPY));
    expect(root).toHaveLength(22);
    expect(root[0]).toBe(0x01);
    const time = filetime(NOW);
    const high = Array.from({ length: 5 }, (_, i) => Number((time >> BigInt(56 - 8 * i)) & 0xffn));
    expect([...root.subarray(1, 6)]).toEqual(high);
    expect([...root.subarray(6)]).toEqual([...ENTROPY.subarray(0, 16)]);
  });

  it('is 22 bytes of base64 (32 characters) and differs with the entropy', () => {
    const root = rootThreadIndex(NOW, ENTROPY);
    expect(root).toMatch(/^[A-Za-z0-9+/]{30}==$/);
    expect(rootThreadIndex(NOW, OTHER_ENTROPY)).not.toBe(root);
    expect(rootThreadIndex(NOW, ENTROPY)).toBe(root);
  });

  it('a child index keeps the 22-byte root and appends exactly five bytes', () => {
    const root = rootThreadIndex(NOW, ENTROPY);
    const child = bytes(childThreadIndex(root, new Date(NOW.getTime() + 3_600_000), 0xab));
    expect(child).toHaveLength(27);
    expect(child.subarray(0, 22).equals(bytes(root))).toBe(true);
    expect(child[26]).toBe(0xab);
    expect(child[22]! & 0x80).toBe(0); // small delta: the code bit is 0
  });

  it('the child time delta counts in 2^18 units of 100 ns and grows with time', () => {
    const root = rootThreadIndex(NOW, ENTROPY);
    const delta = (ms: number) => bytes(childThreadIndex(root, new Date(NOW.getTime() + ms), 0)).readUInt32BE(22);
    const hour = Number((3_600_000n * 10_000n) >> 18n);
    // The root keeps only the high 40 bits of its FILETIME, so up to 2^24 units (64 of 2^18) are lost to truncation.
    expect(delta(3_600_000)).toBeGreaterThanOrEqual(hour);
    expect(delta(3_600_000)).toBeLessThanOrEqual(hour + 64);
    expect(delta(7_200_000)).toBeGreaterThan(delta(3_600_000));
  });

  it('a child of a child appends another five bytes', () => {
    const root = rootThreadIndex(NOW, ENTROPY);
    const child = childThreadIndex(root, NOW, 1);
    const grandchild = bytes(childThreadIndex(child, NOW, 2));
    expect(grandchild).toHaveLength(32);
    expect(grandchild.subarray(0, 27).equals(bytes(child))).toBe(true);
  });

  it('a too-short root is returned as it is', () => {
    expect(childThreadIndex('AQID', NOW, 1)).toBe('AQID');
  });

  it('threadHeaders starts a conversation without a root, continues the given one', () => {
    const fresh = threadHeaders(ctx(), NOW, ENTROPY).threadIndex;
    expect(fresh).toBe(rootThreadIndex(NOW, ENTROPY));

    const customerRoot = rootThreadIndex(new Date('2026-03-01T08:00:00Z'), OTHER_ENTROPY);
    const reply = bytes(threadHeaders(ctx({ rootThreadIndex: customerRoot }), NOW, ENTROPY).threadIndex);
    expect(reply).toHaveLength(27);
    expect(reply.subarray(0, 22).equals(bytes(customerRoot))).toBe(true);
    expect(reply[26]).toBe(ENTROPY[0]);
  });
});

describe('headerSafe', () => {
  it.each<[string, string]>([
    ['Hi\r\nBcc: evil@x', 'Hi Bcc: evil@x'],
    ['Hi\nBcc: evil@x', 'Hi Bcc: evil@x'],
    ['Hi\rBcc: evil@x', 'Hi Bcc: evil@x'],
    ['Printer\r\n\r\nX-Injected: 1', 'Printer X-Injected: 1'],
    ['tab\there', 'tab here'],
    ['nul\u0000bell\u0007esc\u001bdel\u007f', 'nul bell esc del'],
    ['  padded  ', 'padded'],
    ['many    spaces', 'many spaces'],
    ['Grüße aus Köln – ✓', 'Grüße aus Köln – ✓'],
    ['', ''],
  ])('%j → %j', (input, want) => {
    expect(headerSafe(input)).toBe(want);
  });

  it.each<[string, string]>([
    ['CR LF', 'Hi\r\nBcc: evil@x'],
    ['NEL (U+0085, a C1 line break)', 'Hi\u0085Bcc: evil@x'],
    ['CSI (U+009B, a C1 control)', 'Hi\u009b2J'],
  ])('%s: no control character (Unicode Cc: C0, DEL and C1) is left', (_name, input) => {
    expect(headerSafe(input)).not.toMatch(/\p{Cc}/u);
  });
});
