import { TICKET_STATUSES, isTicketStatus } from '../../domain/ticket.js';
import type { TicketListFilter, TicketListRow, TicketMessage, TicketPage, TicketView } from '../db/web-queries.js';
import { MAX_MESSAGES } from '../db/web-queries.js';
import { describeEvent } from '../../domain/event-sentence.js';
import { formatBytes, describeEventData, redactTokens, displayAddress, dueViews, eventLabel, formatTime, nearestDue, relativeTime } from './present.js';
import { messageHtmlForView, normalizeCid } from './message-html.js';
import { sanitizeFilename } from './content-disposition.js';
import type { MailboxCheck, Readiness } from './readiness.js';
import type { MailboxDot, MailboxesModel, Option, TicketListModel, TicketModel } from './views.js';

/** How the pages are built from what was read: pure, `now` and the display settings are parameters. */
export interface Display {
  readonly now: Date;
  readonly timeZone: string;
  readonly warnBeforeMs: number;
  /** Configured agents' names by address: shown for assignees. */
  readonly agents: ReadonlyMap<string, string>;
}

/** An assignee as shown: the configured agent's name, else the address. */
function assigneeName(assignee: string | null, agents: ReadonlyMap<string, string>): string | null {
  return assignee === null ? null : (agents.get(assignee) ?? assignee);
}

export const PAGE_SIZE = 50;
const MAX_PAGE = 10_000;

/** The list's filter from its query string; anything unknown or malformed falls back to the default. */
export function parseListQuery(params: URLSearchParams): TicketListFilter {
  const view = params.get('view') ?? 'to-solve';
  const page = Number(params.get('page') ?? '1');
  const text = (name: string, max: number) => {
    const value = (params.get(name) ?? '').trim();
    return value && value.length <= max ? value : null;
  };
  return {
    view: view === 'all' || view === 'to-solve' || isTicketStatus(view) ? (view as TicketView) : 'to-solve',
    assignee: text('assignee', 320),
    tag: text('tag', 200),
    search: text('q', 200),
    page: Number.isInteger(page) && page >= 1 && page <= MAX_PAGE ? page : 1,
    pageSize: PAGE_SIZE,
  };
}

/** The list's URL for a filter and a page (only the parameters that differ from the default). */
export function listHref(filter: TicketListFilter, page: number): string {
  const params = new URLSearchParams();
  if (filter.view !== 'to-solve') params.set('view', filter.view);
  if (filter.assignee) params.set('assignee', filter.assignee);
  if (filter.tag) params.set('tag', filter.tag);
  if (filter.search) params.set('q', filter.search);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/tickets?${query}` : '/tickets';
}

const VIEW_LABELS: Record<string, string> = { 'to-solve': 'To solve (New + Open)', all: 'All' };

function options(values: readonly { value: string; label: string }[], selected: string | null): Option[] {
  return values.map((o) => ({ ...o, selected: o.value === (selected ?? '') }));
}

type ListData = { rows: readonly TicketListRow[]; hasMore: boolean; tags: readonly string[]; assignees: readonly string[]; mailboxes: readonly MailboxCheck[] };

export function listModel(data: ListData, filter: TicketListFilter, display: Display): TicketListModel {
  const viewLabel = (v: string) => VIEW_LABELS[v] ?? v[0]!.toUpperCase() + v.slice(1);
  return {
    title: filter.view === 'to-solve' ? 'To solve' : filter.view === 'all' ? 'All tickets' : `${viewLabel(filter.view)} tickets`,
    view: filter.view,
    q: filter.search ?? '',
    viewOptions: options(['to-solve', 'all', ...TICKET_STATUSES].map((v) => ({ value: v, label: viewLabel(v) })), filter.view),
    assigneeOptions: assigneeOptions(data.assignees, display.agents, filter.assignee),
    tagOptions: options([{ value: '', label: 'Any' }, ...data.tags.map((t) => ({ value: t, label: t }))], filter.tag),
    mailboxes: data.mailboxes.map(mailboxDot),
    rows: data.rows.map((t) => ({
      number: t.number,
      href: `/tickets/${t.number}`,
      subject: t.subject || '(no subject)',
      requester: displayAddress({ address: t.requester.email, name: t.requester.name }),
      tags: t.tags,
      status: t.status,
      priority: t.priority,
      assignee: assigneeName(t.assignee, display.agents),
      due: nearestDue(t, display.now, display.warnBeforeMs, display.timeZone),
      updated: relativeTime(t.updatedAt, display.now),
    })),
    page: filter.page,
    prevHref: filter.page > 1 ? listHref(filter, filter.page - 1) : null,
    nextHref: data.hasMore ? listHref(filter, filter.page + 1) : null,
    timeZone: display.timeZone,
  };
}

/** Anyone, unassigned, then every configured agent and every address tickets are assigned to. */
function assigneeOptions(assigned: readonly string[], agents: ReadonlyMap<string, string>, selected: string | null): Option[] {
  const addresses = [...new Set([...agents.keys(), ...assigned])].sort();
  const label = (a: string) => (agents.has(a) ? `${agents.get(a)} <${a}>` : a);
  return options([{ value: '', label: 'Anyone' }, { value: 'none', label: 'Unassigned' }, ...addresses.map((a) => ({ value: a, label: label(a) }))], selected);
}

export function mailboxDot(box: MailboxCheck): MailboxDot {
  return { name: box.name, state: box.state, dot: dotOf(box) };
}

function dotOf(box: MailboxCheck): string {
  if (!box.ok) return 'bad';
  return box.state === 'watching' || box.state === 'standby' ? '' : 'wait';
}

const KIND_LABELS: Record<string, string> = { agent_reply: 'agent reply', note: 'internal note', auto_ack: 'acknowledgement', auto_notice: 'notice', auto_reply: 'auto-reply' };

export function ticketModel(ticket: TicketPage, display: Display): TicketModel {
  const at = (d: Date) => formatTime(d, display.timeZone);
  return {
    t: {
      number: ticket.number,
      subject: ticket.subject || '(no subject)',
      status: ticket.status,
      priority: ticket.priority,
      department: ticket.department,
      assignee: ticket.assignee && display.agents.has(ticket.assignee) ? `${display.agents.get(ticket.assignee)} <${ticket.assignee}>` : ticket.assignee,
      tags: ticket.tags,
      requester: displayAddress({ address: ticket.requester.email, name: ticket.requester.name }),
      copied: ticket.participants.filter((p) => p.role !== 'requester').map((p) => displayAddress({ address: p.email, name: p.name })),
      mailbox: ticket.mailbox,
      created: at(ticket.createdAt),
      updated: relativeTime(ticket.updatedAt, display.now),
      closed: ticket.closedAt ? at(ticket.closedAt) : null,
      postponedUntil: ticket.postponedUntil ? at(ticket.postponedUntil) : null,
      linkedTicket: ticket.linkedTicket,
      linkedHref: ticket.linkedTicket === null ? null : `/tickets/${ticket.linkedTicket}`,
      dues: dueViews(ticket, display.now, display.warnBeforeMs, display.timeZone),
    },
    messages: ticket.messages.map((m) => messageView(m, ticket.number, at)),
    messagesCut: ticket.messagesCut,
    maxMessages: MAX_MESSAGES,
    events: ticket.events.map((e) => ({ at: e.createdAt.toISOString(), when: at(e.createdAt), label: eventLabel(e.type), actor: e.actor, detail: describeEventData(e.data), sentence: redactTokens(describeEvent(e.type, e.data)) })),
  };
}

/** One message of the thread: text first; its HTML sanitised again, inline images from its own attachments. */
function messageView(m: TicketMessage, ticketNumber: number, at: (d: Date) => string): TicketModel['messages'][number] {
  const attachmentHref = (id: number) => `/tickets/${ticketNumber}/attachments/${id}`;
  const inline = new Map(m.attachments.filter((a) => a.contentId && a.stored).map((a) => [normalizeCid(a.contentId!), attachmentHref(a.id)]));
  const html = m.html ? messageHtmlForView(m.html, inline) : null;
  const failure = m.deliveryState === 'failed' && m.lastError ? ` (${m.lastError})` : '';
  return {
    id: m.id,
    css: m.kind === 'note' ? 'note' : m.direction === 'out' ? 'out' : 'in',
    from: displayAddress(m.from),
    kind: KIND_LABELS[m.kind] ?? m.kind.replace(/_/g, ' '),
    direction: m.direction === 'out' ? `sent${m.deliveryState ? `: ${m.deliveryState}` : ''}${failure}` : 'received',
    // When the helpdesk stored it: the Date header is the sender's say, shown on hover.
    at: m.createdAt.toISOString(),
    when: at(m.createdAt),
    dateHeader: m.sentDate ? `Date header: ${at(m.sentDate)}` : 'no Date header',
    to: m.to.map(displayAddress).join(', ') || '—',
    cc: m.cc.map(displayAddress).join(', '),
    truncated: m.truncated,
    text: m.text || (html ? '(no plain-text part: see the HTML version)' : '(empty)'),
    html,
    htmlOpen: !m.text && html !== null,
    files: m.attachments.map((a) => ({ href: a.stored ? attachmentHref(a.id) : null, name: sanitizeFilename(a.filename), size: formatBytes(a.size) })),
  };
}

export function mailboxesModel(readiness: Readiness, display: Pick<Display, 'now' | 'timeZone'>): MailboxesModel {
  const probe = (p: Readiness['checks']['postgres']) => (p.ok ? `ok (${p.ms} ms)` : `down: ${p.error ?? 'no answer'}`);
  const when = (iso: string) => `${formatTime(new Date(iso), display.timeZone)} (${relativeTime(new Date(iso), display.now)})`;
  return {
    ready: readiness.ready,
    reasons: readiness.reasons,
    boxes: readiness.checks.mailboxes.map((b) => ({
      name: b.name,
      address: b.address,
      dot: dotOf(b),
      state: b.connected ? `${b.state} (connected)` : b.state,
      note: b.note ?? null,
      lastSync: b.lastSyncAt ? when(b.lastSyncAt) : 'never',
      errorStreak: b.errorStreak,
      lastError: b.lastError ? `${b.lastError.code ? `${b.lastError.code}: ` : ''}${b.lastError.message} — ${when(b.lastError.at)}` : '—',
      oauth: b.oauth ? `${b.oauth.expiresAt ? `token expires ${when(b.oauth.expiresAt)}` : 'no token yet'}${b.oauth.error ? `; refresh failed: ${b.oauth.error}` : ''}` : '—',
    })),
    postgres: probe(readiness.checks.postgres),
    redis: probe(readiness.checks.redis),
    timeZone: display.timeZone,
  };
}
