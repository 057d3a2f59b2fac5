import { listTickets, showTicket, ticketsToSolve, type TicketFilter } from '../adapters/db/ticket-queries.js';
import type { TicketStatus } from '../domain/ticket.js';
import { formatTicketDetail, formatTicketTable, formatToSolveTable } from '../cli-format.js';
import { withDatabase } from './database.js';

export interface TicketsListOptions {
  status?: TicketStatus[];
  toSolve?: boolean;
  assignee?: string;
  tag?: string[];
  customer?: string;
  mailbox?: string;
  search?: string;
  limit: number;
  after?: number;
  json?: boolean;
}

/**
 * `helpdesk tickets list`: newest first, `--limit` at a time, or the work queue
 * with `--to-solve`. Stdout keeps its documented shape (a JSON array); whether
 * there is more goes to stderr: `next page: --after N`.
 */
export async function runTicketsList(opts: TicketsListOptions): Promise<void> {
  if (opts.toSolve && opts.after !== undefined) {
    console.error('--after pages the newest-first list; --to-solve is ordered by due time and has no pages: raise --limit instead');
    process.exitCode = 1;
    return;
  }
  const filter: TicketFilter = { statuses: opts.status, assignee: opts.assignee, tags: opts.tag, customer: opts.customer, mailbox: opts.mailbox, search: opts.search };
  await withDatabase(async (db) => {
    if (opts.toSolve) {
      const { tickets, more } = await ticketsToSolve(db, filter, opts.limit);
      console.log(opts.json ? JSON.stringify(tickets, null, 2) : formatToSolveTable(tickets));
      if (more) console.error(`more tickets to solve than --limit ${opts.limit}: raise --limit to see them`);
      return;
    }
    const { tickets, next } = await listTickets(db, { ...filter, limit: opts.limit, after: opts.after });
    console.log(opts.json ? JSON.stringify(tickets, null, 2) : formatTicketTable(tickets));
    if (next !== null) console.error(`next page: --after ${next}`);
  });
}

/** `helpdesk tickets show N`: exit 1 when no ticket has that number. */
export async function runTicketsShow(number: number, opts: { json?: boolean }): Promise<void> {
  await withDatabase(async (db) => {
    const ticket = await showTicket(db, number);
    if (!ticket) {
      console.error(`no ticket #${number}`);
      process.exitCode = 1;
      return;
    }
    console.log(opts.json ? JSON.stringify(ticket, null, 2) : formatTicketDetail(ticket, new Date()));
  });
}
