import { Eta } from 'eta';
import type { DueView } from './present.js';
import { PAGE_CSS } from './page-style.js';
import type { ReportPageModel } from './report-page.js';
import { CHART, LAYOUT, LOGIN, MAILBOXES, MESSAGE_PAGE, REPORTS, TICKET, TICKET_LIST } from './templates.js';

/**
 * The pages, each a function of its view model (plain strings, already
 * formatted). Rendering escapes every value; only `ticket.messages[].html`
 * (sanitised by messageHtmlForView) goes out as HTML.
 */

const eta = new Eta({ autoEscape: true, cache: true, useWith: false });
eta.loadTemplate('@layout', LAYOUT);
eta.loadTemplate('@login', LOGIN);
eta.loadTemplate('@message', MESSAGE_PAGE);
eta.loadTemplate('@list', TICKET_LIST);
eta.loadTemplate('@ticket', TICKET);
eta.loadTemplate('@mailboxes', MAILBOXES);
eta.loadTemplate('@reports', REPORTS);
eta.loadTemplate('@chart', CHART);

function render(name: string, model: object): string {
  return eta.render(name, { ...model, css: PAGE_CSS });
}

export interface Option {
  readonly value: string;
  readonly label: string;
  readonly selected: boolean;
}

export interface MailboxDot {
  readonly name: string;
  readonly state: string;
  /** '' (fine), 'wait' (tolerated for now) or 'bad'. */
  readonly dot: string;
}

export interface TicketListModel {
  readonly title: string;
  readonly view: string;
  readonly q: string;
  readonly viewOptions: readonly Option[];
  readonly assigneeOptions: readonly Option[];
  readonly tagOptions: readonly Option[];
  readonly mailboxes: readonly MailboxDot[];
  readonly rows: readonly {
    readonly number: number;
    readonly href: string;
    readonly subject: string;
    readonly requester: string;
    readonly tags: readonly string[];
    readonly status: string;
    readonly priority: string;
    readonly assignee: string | null;
    readonly due: DueView | null;
    readonly updated: string;
  }[];
  readonly page: number;
  readonly prevHref: string | null;
  readonly nextHref: string | null;
  readonly timeZone: string;
}

export interface TicketModel {
  readonly t: {
    readonly number: number;
    readonly subject: string;
    readonly status: string;
    readonly priority: string;
    readonly department: string;
    readonly assignee: string | null;
    readonly tags: readonly string[];
    readonly requester: string;
    readonly copied: readonly string[];
    readonly mailbox: string;
    readonly created: string;
    readonly updated: string;
    readonly closed: string | null;
    readonly postponedUntil: string | null;
    readonly linkedTicket: number | null;
    readonly linkedHref: string | null;
    readonly dues: readonly DueView[];
  };
  readonly messages: readonly {
    readonly id: number;
    readonly css: string;
    readonly from: string;
    readonly kind: string;
    /** `received`, or `sent: <delivery state>`. */
    readonly direction: string;
    readonly at: string;
    readonly when: string;
    readonly dateHeader: string;
    readonly to: string;
    readonly cc: string;
    readonly truncated: boolean;
    readonly text: string;
    /** Sanitised HTML (messageHtmlForView), or null. */
    readonly html: string | null;
    /** Show the HTML unfolded: the message has no plain text. */
    readonly htmlOpen: boolean;
    readonly files: readonly { readonly href: string | null; readonly name: string; readonly size: string }[];
  }[];
  readonly messagesCut: boolean;
  readonly maxMessages: number;
  readonly events: readonly { readonly at: string; readonly when: string; readonly label: string; readonly actor: string; readonly detail: string }[];
}

export interface MailboxesModel {
  readonly ready: boolean;
  readonly reasons: readonly string[];
  readonly boxes: readonly {
    readonly name: string;
    readonly address: string;
    readonly dot: string;
    readonly state: string;
    readonly note: string | null;
    readonly lastSync: string;
    readonly errorStreak: number;
    readonly lastError: string;
    readonly oauth: string;
  }[];
  readonly postgres: string;
  readonly redis: string;
  readonly timeZone: string;
}

export function renderLogin(model: { readonly next: string; readonly error: string | null }): string {
  return render('@login', model);
}

/** A page with a title and one sentence (not found, web view off, server error). */
export function renderMessage(model: { readonly title: string; readonly text: string; readonly nav: string | null; readonly link?: { readonly href: string; readonly label: string } }): string {
  return render('@message', { link: null, ...model });
}

export function renderTicketList(model: TicketListModel): string {
  return render('@list', model);
}

export function renderTicket(model: TicketModel): string {
  return render('@ticket', model);
}

export function renderMailboxes(model: MailboxesModel): string {
  return render('@mailboxes', model);
}

export function renderReports(model: ReportPageModel): string {
  return render('@reports', model);
}
