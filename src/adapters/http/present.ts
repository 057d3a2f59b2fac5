import { slaAlert } from '../../domain/sla.js';
import { redactReplyToken } from '../../usecases/reply-token.js';

/** How a due time looks: breached (past), near (within `sla.warnBefore`) or ok. */
export type DueState = 'breached' | 'near' | 'ok';

export interface DueView {
  readonly label: string;
  readonly at: string;
  readonly when: string;
  readonly relative: string;
  readonly state: DueState;
}

const METRIC_LABELS = { firstResponseDueAt: 'First response', nextResponseDueAt: 'Next response', resolutionDueAt: 'Resolution' } as const;
type DueColumns = { readonly [K in keyof typeof METRIC_LABELS]: Date | null };

/** A due time's colour: the SLA scan's own rule (warning window, breach), so the page and the notices agree. */
export function dueState(dueAt: Date, now: Date, warnBeforeMs: number): DueState {
  const alert = slaAlert(dueAt, now, warnBeforeMs);
  return alert === 'breach' ? 'breached' : alert === 'warning' ? 'near' : 'ok';
}

/** Every due time a ticket has, in the order of its metrics. */
export function dueViews(ticket: DueColumns, now: Date, warnBeforeMs: number, timeZone: string): DueView[] {
  return (Object.keys(METRIC_LABELS) as (keyof DueColumns)[]).flatMap((key) => {
    const at = ticket[key];
    return at ? [dueView(METRIC_LABELS[key], at, now, warnBeforeMs, timeZone)] : [];
  });
}

/** The nearest due time of a ticket, or null when its clock has none. */
export function nearestDue(ticket: DueColumns, now: Date, warnBeforeMs: number, timeZone: string): DueView | null {
  const all = dueViews(ticket, now, warnBeforeMs, timeZone);
  return all.reduce<DueView | null>((best, d) => (best === null || d.at < best.at ? d : best), null);
}

function dueView(label: string, at: Date, now: Date, warnBeforeMs: number, timeZone: string): DueView {
  return { label, at: at.toISOString(), when: formatTime(at, timeZone), relative: relativeTime(at, now), state: dueState(at, now, warnBeforeMs) };
}

/** `2026-11-23 14:05` in the given IANA zone. */
export function formatTime(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** `in 25m`, `3h ago`, `2d ago`: the distance from `now`, in its largest whole unit. */
export function relativeTime(date: Date, now: Date): string {
  const ms = date.getTime() - now.getTime();
  const abs = Math.abs(ms);
  const amount =
    abs < 60_000 ? `${Math.round(abs / 1000)}s` : abs < 3600_000 ? `${Math.floor(abs / 60_000)}m` : abs < 86_400_000 ? `${Math.floor(abs / 3600_000)}h` : `${Math.floor(abs / 86_400_000)}d`;
  return ms >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** `512 B`, `3.4 KB`, `12 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** `Carol <carol@customer.test>`, reply tokens hidden. */
export function displayAddress(address: { readonly address: string | null; readonly name: string }): string {
  const email = address.address ? redactReplyToken(address.address) : '';
  if (!address.name) return email || '(unknown)';
  return email ? `${address.name} <${email}>` : address.name;
}

const MAX_EVENT_DETAIL = 300;

/** One line for an event's data (`from: new, to: open`), reply tokens hidden, bounded. */
export function describeEventData(data: Record<string, unknown>): string {
  const text = Object.entries(data)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  const redacted = redactTokens(text);
  return redacted.length > MAX_EVENT_DETAIL ? `${redacted.slice(0, MAX_EVENT_DETAIL - 1)}…` : redacted;
}

/** Text with every reply-token address in it shown without its secret part. */
export function redactTokens(text: string): string {
  return text.replace(/[\w.+-]+\+t\d{1,15}-[0-9a-z-]+@[\w.-]+/gi, (address) => redactReplyToken(address));
}

/** `status_changed` → `status changed`. */
export function eventLabel(type: string): string {
  return type.replace(/_/g, ' ');
}
