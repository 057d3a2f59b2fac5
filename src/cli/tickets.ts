import { listTickets, showTicket, ticketsToSolve } from '../adapters/db/ticket-queries.js';
import type { TicketStatus } from '../domain/ticket.js';
import { formatTicketDetail, formatTicketTable, formatToSolveTable } from '../cli-format.js';
import { withDatabase } from './database.js';

/** `helpdesk tickets list`: newest first, or the work queue with `--to-solve`. */
export async function runTicketsList(opts: { status?: TicketStatus[]; toSolve?: boolean; json?: boolean }): Promise<void> {
  await withDatabase(async (db) => {
    if (opts.toSolve) {
      const rows = await ticketsToSolve(db);
      console.log(opts.json ? JSON.stringify(rows, null, 2) : formatToSolveTable(rows));
      return;
    }
    const rows = await listTickets(db, { statuses: opts.status });
    console.log(opts.json ? JSON.stringify(rows, null, 2) : formatTicketTable(rows));
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
