import { createHmac, timingSafeEqual } from 'node:crypto';
import { baseLocalPart, domainOf, normalizeAddress } from '../domain/address.js';

/**
 * The satisfaction mail's token: `s<ticket>-<mac>`, the mac an HMAC of the
 * ticket number under the installation's key. It is in the mail's good / bad
 * links (`/satisfaction/<token>`) and its Reply-To (`support+<token>@…`), so
 * only the mail's reader can answer, and a forged or altered token proves nothing.
 */
const MAC_CHARS = 20;
const TOKEN = /^s(\d{1,15})-([a-z0-9]{20})$/;

function mac(key: Buffer, ticketNumber: number): string {
  return createHmac('sha256', key).update(`satisfaction:${ticketNumber}`).digest('base64url').replace(/[-_]/g, '').toLowerCase().slice(0, MAC_CHARS);
}

export function satisfactionToken(key: Buffer, ticketNumber: number): string {
  return `s${ticketNumber}-${mac(key, ticketNumber)}`;
}

/** The ticket a token is for, or null when it is not one we made. */
export function verifySatisfactionToken(key: Buffer, token: string): number | null {
  const match = TOKEN.exec(token.toLowerCase());
  if (!match) return null;
  const ticketNumber = Number(match[1]);
  const expected = Buffer.from(mac(key, ticketNumber));
  const given = Buffer.from(match[2]!);
  return given.length === expected.length && timingSafeEqual(given, expected) ? ticketNumber : null;
}

/** `support@example.test` + token → `support+s1042-…@example.test`: where a comment on the satisfaction mail goes. */
export function satisfactionAddress(mailboxAddress: string, token: string): string {
  return `${baseLocalPart(mailboxAddress)}+${token}@${domainOf(mailboxAddress)}`;
}

/** The ticket whose satisfaction address is among the recipients (sent to one of our mailboxes), or null. */
export function satisfactionTicketOf(key: Buffer, recipients: readonly string[], mailboxAddresses: ReadonlySet<string>): number | null {
  for (const recipient of recipients) {
    const address = normalizeAddress(recipient);
    const local = address.slice(0, address.lastIndexOf('@'));
    const plus = local.indexOf('+');
    if (plus < 0 || !mailboxAddresses.has(`${local.slice(0, plus)}@${domainOf(address)}`)) continue;
    const ticket = verifySatisfactionToken(key, local.slice(plus + 1));
    if (ticket !== null) return ticket;
  }
  return null;
}
