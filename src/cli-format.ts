import type { TicketDetail, TicketSummary, UnthreadedMail } from './adapters/db/ticket-queries.js';
import { describeEvent } from './domain/event-sentence.js';
import type { DryRunReport } from './usecases/dry-run.js';
import type { QuarantinedMail } from './usecases/ports.js';
import type { ReplayResult } from './usecases/replay-quarantine.js';

function cut(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

function shortTime(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** The plain `tickets list` output: one row per ticket. */
export function formatTicketTable(rows: readonly TicketSummary[]): string {
  if (rows.length === 0) return 'no tickets';
  return table(
    ['#', 'STATUS', 'PRIORITY', 'CUSTOMER', 'ASSIGNEE', 'UPDATED (UTC)', 'SUBJECT'],
    rows.map((t) => [
      String(t.number),
      t.status,
      t.priority,
      cut(t.customer, 32),
      t.assignee ?? '-',
      shortTime(t.updatedAt),
      cut(t.subject, 60),
    ]),
  );
}

/** The plain `tickets list --to-solve` output: the work queue with due times. */
export function formatToSolveTable(rows: readonly (TicketSummary & { nextDueAt: string | null; waitingSince: string | null })[]): string {
  if (rows.length === 0) return 'nothing to solve';
  return table(
    ['#', 'STATUS', 'PRIORITY', 'NEXT DUE (UTC)', 'SLA', 'WAITING SINCE', 'CUSTOMER', 'SUBJECT'],
    rows.map((t) => [
      String(t.number),
      t.status,
      t.priority,
      t.nextDueAt ? shortTime(t.nextDueAt) : '-',
      t.slaBreached ? 'BREACHED' : t.nextDueAt ? 'ok' : '-',
      t.waitingSince ? shortTime(t.waitingSince) : '-',
      cut(t.customer, 28),
      cut(t.subject, 50),
    ]),
  );
}

const SLA_METRICS = [
  ['first response', 'firstResponseDueAt'],
  ['next response', 'nextResponseDueAt'],
  ['resolution', 'resolutionDueAt'],
] as const;

/** The due times that are set, each with whether it has passed at `now`; `-` when none is. */
function slaLine(t: TicketSummary, now: Date): string {
  const due = SLA_METRICS.flatMap(([name, key]) => {
    const at = t[key];
    if (at === null) return [];
    return [`${name} ${shortTime(at)} UTC${Date.parse(at) <= now.getTime() ? ' BREACHED' : ''}`];
  });
  return due.length ? due.join(' · ') : '-';
}

/** The plain `tickets show` output: fields, then the conversation, then the history (one sentence per event). */
export function formatTicketDetail(t: TicketDetail, now: Date): string {
  const out: string[] = [
    `#${t.number}  ${t.subject}`,
    `status      ${t.status} · priority ${t.priority} · department ${t.department}`,
    `assignee    ${t.assignee ?? 'nobody'}`,
    `customer    ${t.customer}`,
    `tags        ${t.tags.length ? t.tags.join(', ') : '-'}`,
    `created     ${shortTime(t.createdAt)} UTC · updated ${shortTime(t.updatedAt)} UTC`,
    `SLA due     ${slaLine(t, now)}`,
    '',
    `Messages (${t.messages.length})`,
  ];
  for (const m of t.messages) {
    out.push(`--- ${shortTime(m.createdAt)} ${m.direction === 'in' ? '←' : '→'} ${m.kind} from ${m.from ?? '?'}: ${cut(m.subject, 70)} (message ${m.id})`);
    const body = m.text.trim().split('\n').slice(0, 20);
    out.push(...body.map((l) => `    ${l}`));
  }
  out.push('', `History (${t.events.length})`);
  const actorWidth = Math.max(0, ...t.events.map((e) => e.actor.length));
  for (const e of t.events) out.push(`  ${shortTime(e.createdAt)}  ${e.actor.padEnd(actorWidth)}  ${cut(describeEvent(e.type, e.data), 160)}`);
  return out.join('\n');
}

/** The plain `rules test` output. */
export function formatDryRun(r: DryRunReport): string {
  const c = r.classification;
  const out = [
    `mailbox         ${r.mailbox}`,
    `classification  ${c.kind}${c.reasons.length ? ` (${c.reasons.join('; ')})` : ''}${c.kind === 'customer' && c.suppressAutoResponse ? ' — no automated answers' : ''}`,
    ...(r.bounce ? [`bounce          status ${r.bounce.status ?? '-'}, returns ${r.bounce.originalMessageIds.join(', ') || 'no Message-ID we could find'}`] : []),
    ...(r.delay ? [`delayed         status ${r.delay.status ?? '-'}, for ${r.delay.originalMessageIds.join(', ') || 'no Message-ID we could find'}`] : []),
    `threading       ${r.threading.decision}${r.threading.ticket ? ` → ticket #${r.threading.ticket}` : ''}${r.threading.via ? ` via ${r.threading.via}` : ''}${r.threading.note ? ` (${r.threading.note})` : ''}`,
    `rules run for   ${r.trigger ?? 'nothing (rules run on customer mail only)'}`,
    '',
    r.rules.length ? 'matching rules' : 'no rule matches',
    ...r.rules.flatMap((m) => [`  ${m.rule}`, ...m.why.map((w) => `    because ${w}`)]),
    '',
    'result',
    `  priority      ${r.result.priority}`,
    `  department    ${r.result.department}`,
    `  assignee      ${r.result.assignee ?? '-'}`,
    `  tags          ${r.result.tags.join(', ') || '-'}`,
    `  status        ${r.result.status}`,
    `  SLA due       first response ${r.result.sla.firstResponseDueAt ?? '-'}, next response ${r.result.sla.nextResponseDueAt ?? '-'}, resolution ${r.result.sla.resolutionDueAt ?? '-'}`,
    `  acknowledged  ${r.result.acknowledgement.send ? 'yes' : `no (${r.result.acknowledgement.reason})`}`,
    ...(r.result.replies.length ? [`  replies       ${r.result.replies.join(', ')}`] : []),
    ...r.result.notifications.map((n) => `  notifies      ${n.to.join(', ')} with ${n.template}`),
    '',
    'new text (quoted history and signature removed)',
    ...(r.reply.text ? r.reply.text.split('\n').map((line) => `  | ${line}`) : ['  (none)']),
  ];
  return out.join('\n');
}

/** The plain `mail failed` output: one row per quarantined mail. */
export function formatQuarantine(entries: readonly QuarantinedMail[]): string {
  if (entries.length === 0) return 'the quarantine is empty';
  return table(
    ['ID', 'MAILBOX', 'UID', 'SIZE', 'ATTEMPTS', 'REPLAYS', 'LAST SEEN (UTC)', 'ERROR'],
    entries.map((e) => [
      String(e.id),
      e.mailbox,
      String(e.uid),
      String(e.size),
      String(e.attempts),
      String(e.replayAttempts),
      shortTime(e.lastSeenAt.toISOString()),
      cut(`${e.errorCode}: ${e.errorMessage}`, 90),
    ]),
  );
}

/** One line per replayed entry. */
export function formatReplay(result: ReplayResult): string {
  if (result.ok) return `${result.id}: ${result.outcome}${result.ticketNumber === null ? '' : ` on ticket #${result.ticketNumber}`}; removed from the quarantine`;
  return `${result.id}: still failing (${result.error.code}: ${cut(result.error.message, 120)}); kept`;
}

/** The plain `mail unthreaded` output: one row per mail. */
export function formatUnthreaded(rows: readonly UnthreadedMail[]): string {
  if (rows.length === 0) return 'no unthreaded mail';
  return table(
    ['ID', 'MAILBOX', 'KIND', 'DATE (UTC)', 'FROM', 'SUBJECT'],
    rows.map((m) => [String(m.id), m.mailbox ?? '-', m.kind, shortTime(m.date ?? m.receivedAt), cut(m.from ?? '?', 40), cut(m.subject, 60)]),
  );
}
