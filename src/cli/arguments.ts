import { InvalidArgumentError } from 'commander';
import { isTicketStatus, PRIORITIES, TICKET_STATUSES, type Priority, type TicketStatus } from '../domain/ticket.js';

/**
 * Parsers of command-line values, for commander. Loaded with the entry point
 * on every run, so they import nothing heavier than the ticket vocabulary.
 */

/** `42` or `#42`. */
export function parseTicketNumber(value: string): number {
  const n = Number(value.replace(/^#/, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a ticket number');
  return n;
}

/** One status, a comma-separated list, or repeated: the lists add up. */
export function parseStatusList(value: string, previous: TicketStatus[] = []): TicketStatus[] {
  const statuses = value.toLowerCase().split(',').map((s) => s.trim());
  for (const status of statuses) {
    if (!isTicketStatus(status)) throw new InvalidArgumentError(`"${status}" is not a status: use ${TICKET_STATUSES.join(', ')}`);
  }
  return [...previous, ...(statuses as TicketStatus[])];
}

export function parseStatus(value: string): TicketStatus {
  if (!isTicketStatus(value)) throw new InvalidArgumentError(`expected one of ${TICKET_STATUSES.join(', ')}`);
  return value;
}

export function parsePriority(value: string): Priority {
  if (!(PRIORITIES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${PRIORITIES.join(', ')}`);
  return value as Priority;
}

/** A quarantine entry or message id. */
export function parseId(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected an entry id');
  return n;
}

export function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * An ISO 8601 date (`2026-01-31`, midnight UTC) or date and time
 * (`2026-01-31T09:00` in UTC, `2026-01-31T09:00+01:00`). A day the calendar
 * lacks (`2026-02-30`) is refused rather than rolled into March.
 */
export function parseDate(value: string): Date {
  const match = ISO_DATE.exec(value.trim());
  if (match) {
    const [, year, month, day, time, offset] = match;
    const date = new Date(`${year}-${month}-${day}${time ? `T${time}${offset ?? 'Z'}` : ''}`);
    const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    if (!Number.isNaN(date.getTime()) && calendar.toISOString().startsWith(`${year}-${month}-${day}`)) return date;
  }
  throw new InvalidArgumentError(`"${value}" is not a date: write 2026-01-31 or 2026-01-31T09:00 (UTC unless an offset like +01:00 is given)`);
}
