import { createHmac, timingSafeEqual } from 'node:crypto';
import { baseLocalPart, domainOf, normalizeAddress } from '../domain/address.js';

/**
 * Reply tokens: `support+t<ticket>-<mac>@domain`. The mac is an HMAC of the
 * ticket number and the agent's address under the installation's key, so a
 * token is only valid for the agent it was sent to, and nobody without the key
 * can make one.
 */
const MAC_CHARS = 20;

function mac(key: Buffer, ticketNumber: number, agentEmail: string): string {
  return createHmac('sha256', key)
    .update(`${ticketNumber}:${normalizeAddress(agentEmail)}`)
    .digest('base64url')
    .replace(/[-_]/g, '')
    .toLowerCase()
    .slice(0, MAC_CHARS);
}

export function makeReplyToken(key: Buffer, ticketNumber: number, agentEmail: string): string {
  return `t${ticketNumber}-${mac(key, ticketNumber, agentEmail)}`;
}

/** `support@example.test` + token → `support+token@example.test`. */
export function replyTokenAddress(mailboxAddress: string, token: string): string {
  return `${baseLocalPart(mailboxAddress)}+${token}@${domainOf(mailboxAddress)}`;
}

/**
 * The ticket number of the first recipient carrying a token valid for `from`
 * (sent to one of our mailbox addresses), or null.
 */
export function verifyReplyToken(
  key: Buffer,
  recipients: readonly string[],
  from: string | null,
  mailboxAddresses: ReadonlySet<string>,
): number | null {
  if (!from) return null;
  for (const recipient of recipients) {
    const address = normalizeAddress(recipient);
    const local = address.slice(0, address.lastIndexOf('@'));
    const plus = local.indexOf('+');
    if (plus < 0 || !mailboxAddresses.has(`${local.slice(0, plus)}@${domainOf(address)}`)) continue;
    const match = /^t(\d{1,15})-([a-z0-9]+)$/.exec(local.slice(plus + 1));
    if (!match) continue;
    const ticketNumber = Number(match[1]);
    const expected = Buffer.from(mac(key, ticketNumber, from));
    const given = Buffer.from(match[2]!);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return ticketNumber;
  }
  return null;
}
