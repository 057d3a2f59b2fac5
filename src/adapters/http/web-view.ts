import type { ServerResponse } from 'node:http';
import type { Config } from '../../config/schema.js';
import { helpdeskReport } from '../../usecases/report.js';
import { readReportData } from '../db/report-queries.js';
import { attachmentContent, filterChoices, ticketListPage, ticketPage } from '../db/web-queries.js';
import { attachmentDisposition, safeContentType } from './content-disposition.js';
import { listModel, mailboxesModel, parseListQuery, ticketModel, type Display } from './page-models.js';
import { checkMailboxes, checkReadiness, type ProbeDeps } from './probes.js';
import { send, sendHtml } from './respond.js';
import { parseReportQuery, reportPageModel } from './report-page.js';
import { renderMailboxes, renderMessage, renderReports, renderTicket, renderTicketList } from './views.js';

/** The read-only web view's pages: each reads what it shows, builds its model, renders. */

export interface WebDeps extends ProbeDeps {
  /** When the server started (the readiness clock of a mailbox that never synced). */
  readonly startedAt: Date;
}

function display(config: Config): Display {
  return {
    now: new Date(),
    timeZone: config.sla.calendar?.timezone ?? 'UTC',
    warnBeforeMs: config.sla.warnBefore,
    agents: new Map(config.agents.map((a) => [a.email, a.name])),
  };
}

/** `/tickets`: filters from the query string, one page of tickets, the mailboxes' dots. */
export async function showTicketList(res: ServerResponse, query: URLSearchParams, deps: WebDeps): Promise<void> {
  const config = deps.config();
  const filter = parseListQuery(query);
  const [page, choices] = await Promise.all([ticketListPage(deps.db, filter), filterChoices(deps.db)]);
  const model = listModel({ ...page, ...choices, mailboxes: checkMailboxes(deps, deps.startedAt) }, filter, display(config));
  sendHtml(res, 200, renderTicketList(model));
}

/** `/tickets/:number`: header, thread, attachments, events. */
export async function showTicket(res: ServerResponse, number: number, deps: WebDeps): Promise<void> {
  const ticket = await ticketPage(deps.db, number);
  if (!ticket) return showNotFound(res, `There is no ticket #${number}.`);
  sendHtml(res, 200, renderTicket(ticketModel(ticket, display(deps.config()))));
}

/**
 * `/tickets/:number/attachments/:id`: the bytes, always as a download under a
 * sanitised name, never as a page of ours (nosniff, a sandboxing CSP, active
 * types sent as octet-stream). Only an attachment of that ticket.
 */
export async function downloadAttachment(res: ServerResponse, number: number, attachmentId: number, deps: WebDeps): Promise<void> {
  const found = await attachmentContent(deps.db, number, attachmentId);
  if (!found) return showNotFound(res, `Ticket #${number} has no attachment ${attachmentId}.`);
  if (!found.kept) {
    sendHtml(res, 410, renderMessage({ title: 'Not kept', text: 'This attachment was over the size limit: only its name and size were kept.', nav: 'ticket', link: { href: `/tickets/${number}`, label: `Back to #${number}` } }));
    return;
  }
  res.setHeader('Content-Disposition', attachmentDisposition(found.filename));
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  send(res, 200, safeContentType(found.contentType), found.content);
}

/** `/mailboxes`: the readiness checks, as a page. */
export async function showMailboxes(res: ServerResponse, deps: WebDeps): Promise<void> {
  const readiness = await checkReadiness(deps, deps.startedAt);
  sendHtml(res, 200, renderMailboxes(mailboxesModel(readiness, display(deps.config()))));
}

/** `/reports`: `helpdesk report` for the period and grouping in the query string (a bad one: the last 30 days). */
export async function showReports(res: ServerResponse, query: URLSearchParams, deps: WebDeps): Promise<void> {
  const config = deps.config();
  const now = new Date();
  const asked = parseReportQuery(query, now);
  const report = await helpdeskReport((period) => readReportData(deps.db, period), config, asked.request, now);
  sendHtml(res, 200, renderReports(reportPageModel(report, asked, display(config).agents)));
}

/** 404 as a page; the navigation only for a client that showed the token. */
export function showNotFound(res: ServerResponse, text = 'There is no page at this address.', signedIn = true): void {
  sendHtml(res, 404, renderMessage({ title: 'Not found', text, nav: signedIn ? 'none' : null, link: { href: '/tickets', label: 'Tickets' } }));
}
