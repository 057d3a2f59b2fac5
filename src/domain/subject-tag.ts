/**
 * The ticket tag in subjects, `[#1042]` with the default prefix `#`.
 * The prefix is configurable (`ticketPrefix`), e.g. `Ticket#` gives `[Ticket#1042]`.
 */

function tagPattern(prefix: string, flags = 'i'): RegExp {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\[\\s*${escaped}\\s*(\\d{1,18})\\s*\\]`, flags);
}

/** The ticket number named by the subject's tag, or null. */
export function findTicketTag(subject: string, prefix: string): number | null {
  const match = tagPattern(prefix).exec(subject);
  if (!match) return null;
  const n = Number(match[1]);
  return Number.isSafeInteger(n) ? n : null;
}

/** The tag text for a ticket number, e.g. `[#1042]`. */
export function formatTicketTag(ticketNumber: number, prefix: string): string {
  return `[${prefix}${ticketNumber}]`;
}

/** Adds the ticket tag to a subject unless it already carries it. */
export function withTicketTag(subject: string, ticketNumber: number, prefix: string): string {
  if (findTicketTag(subject, prefix) === ticketNumber) return subject;
  const tag = formatTicketTag(ticketNumber, prefix);
  return subject.trim() ? `${subject.trim()} ${tag}` : tag;
}

/** The subject without any ticket tags (a new ticket must not carry another ticket's tag). */
export function removeTicketTags(subject: string, prefix: string): string {
  return subject.replace(tagPattern(prefix, 'gi'), ' ').replace(/\s{2,}/g, ' ').trim();
}
