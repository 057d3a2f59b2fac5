import { createHmac, timingSafeEqual } from 'node:crypto';
import { baseLocalPart, domainOf, normalizeAddress } from '../domain/address.js';

/**
 * Reply tokens: `support+t<ticket>-<issued>-<mac>@domain`. The mac is an HMAC
 * of the ticket number, the agent's address and the issue day under the
 * installation's key, so a token is only valid for the agent it was sent to,
 * nobody without the key can make one, and it expires.
 */
const MAC_CHARS = 20;
const DAY_MS = 86_400_000;

function mac(key: Buffer, ticketNumber: number, agentEmail: string, issuedDay: number | null): string {
  const subject = issuedDay === null ? `${ticketNumber}:${normalizeAddress(agentEmail)}` : `${ticketNumber}:${normalizeAddress(agentEmail)}:${issuedDay}`;
  return createHmac('sha256', key).update(subject).digest('base64url').replace(/[-_]/g, '').toLowerCase().slice(0, MAC_CHARS);
}

/** A token for `agentEmail` on a ticket, issued today (`now`, in whole UTC days). */
export function makeReplyToken(key: Buffer, ticketNumber: number, agentEmail: string, now: Date): string {
  const day = Math.floor(now.getTime() / DAY_MS);
  return `t${ticketNumber}-${day.toString(36)}-${mac(key, ticketNumber, agentEmail, day)}`;
}

/** `support@example.test` + token → `support+token@example.test`. */
export function replyTokenAddress(mailboxAddress: string, token: string): string {
  return `${baseLocalPart(mailboxAddress)}+${token}@${domainOf(mailboxAddress)}`;
}

/** A valid token found among a mail's recipients: its ticket, and whether it has expired. */
export interface TokenCheck {
  readonly ticketNumber: number;
  /** Null for a token from before tokens carried their issue day: it counts as expired. */
  readonly issuedAt: Date | null;
  readonly expired: boolean;
}

const TOKEN = /^t(\d{1,15})-(?:([0-9a-z]{1,6})-)?([a-z0-9]+)$/;

/**
 * The first recipient carrying a token valid for `from` (sent to one of our
 * mailbox addresses), or null. A valid token older than `lifetimeMs` is
 * returned with `expired` set: it proves nothing any more, but says which
 * ticket the agent meant, for a clear answer.
 */
export function verifyReplyToken(
  key: Buffer,
  recipients: readonly string[],
  from: string | null,
  mailboxAddresses: ReadonlySet<string>,
  now: Date,
  lifetimeMs: number,
): TokenCheck | null {
  if (!from) return null;
  for (const recipient of recipients) {
    const address = normalizeAddress(recipient);
    const local = address.slice(0, address.lastIndexOf('@'));
    const plus = local.indexOf('+');
    if (plus < 0 || !mailboxAddresses.has(`${local.slice(0, plus)}@${domainOf(address)}`)) continue;
    const match = TOKEN.exec(local.slice(plus + 1));
    if (!match) continue;
    const ticketNumber = Number(match[1]);
    const day = match[2] === undefined ? null : parseInt(match[2], 36);
    const expected = Buffer.from(mac(key, ticketNumber, from, day));
    const given = Buffer.from(match[3]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) continue;
    const issuedAt = day === null ? null : new Date(day * DAY_MS);
    return { ticketNumber, issuedAt, expired: issuedAt === null || now.getTime() - issuedAt.getTime() > lifetimeMs };
  }
  return null;
}

/**
 * An agent's personal address: `support+a<mac>@domain`, the mac an HMAC of
 * the agent's address under the installation's key. Mail from that agent to
 * it proves the agent like a reply token does, and asks for a new ticket
 * (a forwarded customer mail, or `#new ADDRESS`). It does not expire: it is
 * shown in every notification, and changing the key changes it.
 */
export function personalAddressToken(key: Buffer, agentEmail: string): string {
  return `a${createHmac('sha256', key).update(`personal:${normalizeAddress(agentEmail)}`).digest('base64url').replace(/[-_]/g, '').toLowerCase().slice(0, MAC_CHARS)}`;
}

/** The mailbox address (of ours) whose personal address for `from` is among the recipients, or null. */
export function verifyPersonalAddress(key: Buffer, recipients: readonly string[], from: string | null, mailboxAddresses: ReadonlySet<string>): string | null {
  if (!from) return null;
  const expected = Buffer.from(personalAddressToken(key, from));
  for (const recipient of recipients) {
    const address = normalizeAddress(recipient);
    const local = address.slice(0, address.lastIndexOf('@'));
    const plus = local.indexOf('+');
    const mailbox = `${local.slice(0, plus)}@${domainOf(address)}`;
    if (plus < 0 || !mailboxAddresses.has(mailbox)) continue;
    const given = Buffer.from(local.slice(plus + 1));
    if (given.length === expected.length && timingSafeEqual(given, expected)) return mailbox;
  }
  return null;
}

/** An address with its reply token's secret part hidden (`support+t1042-…@example.test`), for output and logs. */
export function redactReplyToken(address: string): string {
  return address.replace(/\+(t\d{1,15})-[0-9a-z-]+@/i, '+$1-…@').replace(/\+a[0-9a-z]{8,}@/i, '+a…@');
}
