import { withTicketTag } from './subject-tag.js';

/** What a reply on a ticket needs to stay in the customer's thread. */
export interface ThreadContext {
  readonly ticketNumber: number;
  /** The ticket's subject, without tags. */
  readonly subject: string;
  readonly ticketPrefix: string;
  /** Message-IDs on the ticket, oldest first: the customer's and ours. */
  readonly chain: readonly string[];
  /** The message being answered (the customer's latest), if any. */
  readonly inReplyTo: string | null;
  /** Thread-Index of the first message of the conversation, when its client sent one (Outlook). */
  readonly rootThreadIndex: string | null;
}

export interface ThreadHeaders {
  readonly subject: string;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly threadTopic: string;
  readonly threadIndex: string;
}

/** RFC 5322 allows long References; keep the root and the newest ids. */
const MAX_REFERENCES = 20;

/**
 * Headers for a mail on a ticket: `Re: <subject> [#N]`, In-Reply-To the
 * customer's message, References the chain (so the thread survives relays
 * that rewrite Message-IDs), and Outlook's Thread-Topic / Thread-Index.
 * Pure: `now` and `entropy` (21 random bytes) are parameters.
 */
export function threadHeaders(ctx: ThreadContext, now: Date, entropy: Uint8Array): ThreadHeaders {
  const chain = [...new Set(ctx.chain)];
  const references = chain.length > MAX_REFERENCES ? [chain[0]!, ...chain.slice(-(MAX_REFERENCES - 1))] : chain;
  const topic = ctx.subject.replace(/^\s*((re|aw|sv|fwd?|wg)\s*:\s*)+/i, '').trim();
  return {
    subject: withTicketTag(/^\s*re\s*:/i.test(ctx.subject) ? ctx.subject : `Re: ${ctx.subject}`, ctx.ticketNumber, ctx.ticketPrefix),
    inReplyTo: ctx.inReplyTo,
    references,
    threadTopic: topic,
    threadIndex: ctx.rootThreadIndex ? childThreadIndex(ctx.rootThreadIndex, now, entropy[0] ?? 0) : rootThreadIndex(now, entropy),
  };
}

const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;

function filetime(now: Date): bigint {
  return (BigInt(now.getTime()) + FILETIME_EPOCH_OFFSET_MS) * 10_000n;
}

/**
 * A new conversation index (MS-OXOMSG 2.2.1.3): a reserved byte, the five
 * high-order bytes of the current FILETIME, and a 16-byte GUID.
 */
export function rootThreadIndex(now: Date, entropy: Uint8Array): string {
  const bytes = new Uint8Array(22);
  bytes[0] = 0x01;
  const time = filetime(now);
  for (let i = 0; i < 5; i++) bytes[1 + i] = Number((time >> BigInt(56 - 8 * i)) & 0xffn);
  bytes.set(entropy.subarray(0, 16), 6);
  return Buffer.from(bytes).toString('base64');
}

/** A reply's index: the root plus a five-byte child block (time delta since the root, random low bits). */
export function childThreadIndex(root: string, now: Date, random: number): string {
  const base = Buffer.from(root, 'base64');
  if (base.length < 22) return root;
  let rootTime = 0n;
  for (let i = 0; i < 5; i++) rootTime = (rootTime << 8n) | BigInt(base[1 + i]!);
  rootTime <<= 24n;
  const delta = filetime(now) - rootTime;
  const units = (delta > 0n ? delta >> 18n : 0n) & 0x7fffffffn;
  const block = Buffer.alloc(5);
  block.writeUInt32BE(Number(units), 0);
  block[4] = random & 0xff;
  return Buffer.concat([base, block]).toString('base64');
}

/** Header values come from subjects, names and addresses: no CR/LF (header injection) and no control characters. */
export function headerSafe(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}
