import { formatSpan } from '../../domain/report-clock.js';
import { REPORT_GROUPINGS, type DurationFigures, type GroupFigures, type Report, type ReportGrouping } from '../../domain/report.js';
import { BACKLOG_AGES } from '../../domain/report-tallies.js';
import type { ReportRequest } from '../../usecases/report.js';
import type { Option } from './views.js';

/**
 * `/reports`: the figures of `helpdesk report` as a page — its query string,
 * and its view model with the charts laid out as plain numbers (bars,
 * gridlines, labels) for the template to draw as inline SVG. Pure.
 */

/** What the form asked for, as typed, and the request it makes (its defaults when a value is unusable). */
export interface ReportQuery {
  readonly request: ReportRequest;
  readonly from: string;
  readonly to: string;
  readonly by: string;
  readonly problem: string | null;
}

const DAY_MS = 86_400_000;
/** A page reads at most a year and a day: longer periods are the command line's. */
const MAX_DAYS = 366;

/** `YYYY-MM-DD` as midnight UTC (as `helpdesk report --from` reads it), null when it is not a calendar date. */
function parseDay(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text) ? date : null;
}

export function parseReportQuery(params: URLSearchParams, now: Date): ReportQuery {
  const from = (params.get('from') ?? '').trim();
  const to = (params.get('to') ?? '').trim();
  const by = (params.get('by') ?? '').trim();
  const grouping = (REPORT_GROUPINGS as readonly string[]).includes(by) ? (by as ReportGrouping) : null;
  const fromDate = from ? parseDay(from) : undefined;
  const toDate = to ? parseDay(to) : undefined;
  const end = toDate ?? now;
  const start = fromDate ?? new Date(end.getTime() - 30 * DAY_MS);
  const problem =
    fromDate === null || toDate === null
      ? 'Dates are written 2026-01-31.'
      : start >= end
        ? '“From” must be before “To”.'
        : end.getTime() - start.getTime() > MAX_DAYS * DAY_MS
          ? `A page shows at most ${MAX_DAYS} days: use helpdesk report for longer periods.`
          : null;
  const request: ReportRequest = problem ? { by: grouping } : { from: fromDate ?? undefined, to: toDate ?? undefined, by: grouping };
  return { request, from, to, by: grouping ?? '', problem };
}

export interface ChartModel {
  readonly label: string;
  readonly width: number;
  readonly height: number;
  readonly bars: readonly { readonly x: number; readonly y: number; readonly w: number; readonly h: number; readonly cls: string; readonly title: string }[];
  readonly grid: readonly { readonly x1: number; readonly x2: number; readonly y: number; readonly text: string }[];
  readonly ticks: readonly { readonly x: number; readonly y: number; readonly text: string }[];
  readonly legend: readonly { readonly cls: string; readonly text: string }[];
}

interface FiguresRow {
  readonly name: string;
  readonly total: boolean;
  readonly cells: readonly string[];
}

export interface ReportPageModel {
  readonly form: { readonly from: string; readonly to: string; readonly byOptions: readonly Option[] };
  readonly problem: string | null;
  readonly period: string;
  readonly timeZone: string;
  readonly groupLabel: string;
  readonly tickets: readonly FiguresRow[];
  readonly times: readonly FiguresRow[];
  readonly sla: readonly FiguresRow[];
  readonly backlog: { readonly asOf: string; readonly ages: readonly string[]; readonly rows: readonly FiguresRow[] };
  readonly mailTotal: number;
  readonly charts: { readonly daily: ChartModel; readonly hours: ChartModel; readonly weekdays: ChartModel };
}

const BY_LABELS: Record<ReportGrouping, string> = { priority: 'Priority', department: 'Department', agent: 'Agent', mailbox: 'Mailbox' };
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const pct = (value: number | null) => (value === null ? '—' : `${value}%`);
const span = (ms: number | null) => (ms === null ? '—' : formatSpan(ms));
const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function durationCells(d: DurationFigures): string[] {
  return [String(d.count), span(d.business.medianMs), span(d.business.p90Ms), span(d.wall.medianMs), span(d.wall.p90Ms)];
}

export function reportPageModel(report: Report, query: ReportQuery, agents: ReadonlyMap<string, string>): ReportPageModel {
  const name = (key: string) => (report.by === 'agent' ? (agents.get(key) ?? key) : key);
  const groups: { name: string; total: boolean; f: GroupFigures }[] = [
    ...report.groups.map((g) => ({ name: name(g.key), total: false, f: g as GroupFigures })),
    { name: report.by ? 'Total' : 'All tickets', total: true, f: report.total },
  ];
  const targets = [
    ['First response', 'firstResponse'],
    ['Next response', 'nextResponse'],
    ['Resolution', 'resolution'],
  ] as const;
  return {
    form: {
      from: query.from,
      to: query.to,
      byOptions: [{ value: '', label: 'None (totals)' }, ...REPORT_GROUPINGS.map((g) => ({ value: g, label: BY_LABELS[g] }))].map((o) => ({ ...o, selected: o.value === query.by })),
    },
    problem: query.problem,
    period: `${time(report.period.from)} – ${time(report.period.to)} UTC`,
    timeZone: report.period.timeZone,
    groupLabel: report.by ? BY_LABELS[report.by] : 'Tickets',
    tickets: groups.map(({ name, total, f }) => ({
      name,
      total,
      cells: [f.created, f.resolved, f.closed, f.reopened].map(String).concat(pct(f.reopenRatePct), String(f.satisfaction.good), String(f.satisfaction.bad), pct(f.satisfaction.goodPct)),
    })),
    times: groups.map(({ name, total, f }) => ({ name, total, cells: [...durationCells(f.firstResponse), ...durationCells(f.resolution)] })),
    sla: groups.flatMap(({ name, total, f }) =>
      targets.map(([label, key]) => {
        const s = f.sla[key];
        return { name: `${name} · ${label}`, total, cells: [s.met, s.warned, s.breached, s.pending].map(String).concat(pct(s.metPct), pct(s.warnedPct), pct(s.breachedPct)) };
      }),
    ),
    backlog: {
      asOf: time(report.backlog.asOf),
      ages: BACKLOG_AGES.map((a) => a.label),
      rows: [
        ...report.backlog.byStatus.map((s) => ({ name: s.status, total: false, cells: [...BACKLOG_AGES.map((a) => String(s.byAge[a.key])), String(s.total)] })),
        { name: 'Total', total: true, cells: [...BACKLOG_AGES.map((a) => String(report.backlog.byAge[a.key])), String(report.backlog.total)] },
      ],
    },
    mailTotal: report.busiestHours.total,
    charts: {
      daily: barChart(
        'Tickets created and resolved per day',
        880,
        [
          { cls: 'bar-created', text: 'created' },
          { cls: 'bar-resolved', text: 'resolved' },
        ],
        report.daily.map((d) => ({ label: d.date.slice(5), values: [d.created, d.resolved], title: `${d.date}: ${d.created} created, ${d.resolved} resolved` })),
      ),
      hours: barChart(
        `Customer mail by hour of day (${report.period.timeZone})`,
        560,
        [{ cls: 'bar-mail', text: 'customer mails' }],
        report.busiestHours.byHour.map((n, h) => ({ label: String(h).padStart(2, '0'), values: [n], title: `${String(h).padStart(2, '0')}:00–${String(h).padStart(2, '0')}:59: ${n}` })),
      ),
      weekdays: barChart(
        `Customer mail by weekday (${report.period.timeZone})`,
        360,
        [{ cls: 'bar-mail', text: 'customer mails' }],
        report.busiestHours.byWeekday.map((n, d) => ({ label: WEEKDAYS[d]!, values: [n], title: `${WEEKDAYS[d]}: ${n}` })),
      ),
    },
  };
}

/** The smallest of 1, 2, 3, 4, 5, 6, 8 × 10ⁿ at or above `max` (at least 1): the chart's top, its half a round number too. */
export function niceTop(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 3, 4, 5, 6, 8, 10].map((m) => m * power).find((top) => top >= max)!;
}

const H = 200;
const PAD = { left: 40, right: 8, top: 10, bottom: 22 };
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Grouped bars, one group per slot, a series per value; about a dozen slot
 * labels whatever the count. `width`: the drawing's own units, about the
 * width it is shown at, so its text keeps a readable size.
 */
export function barChart(
  label: string,
  width: number,
  series: readonly { cls: string; text: string }[],
  slots: readonly { label: string; values: readonly number[]; title: string }[],
): ChartModel {
  const W = width;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const top = niceTop(Math.max(0, ...slots.flatMap((s) => s.values)));
  const slotW = plotW / Math.max(1, slots.length);
  const barW = (slotW * 0.8) / Math.max(1, series.length);
  const every = Math.max(1, Math.ceil(slots.length / 12));
  const baseline = PAD.top + plotH;
  return {
    label,
    width: W,
    height: H,
    bars: slots.flatMap((slot, i) =>
      slot.values.map((value, j) => {
        const h = round((value / top) * plotH);
        return { x: round(PAD.left + i * slotW + slotW * 0.1 + j * barW), y: round(baseline - h), w: round(Math.max(barW, 0.5)), h, cls: series[j]?.cls ?? '', title: slot.title };
      }),
    ),
    grid: [0, top / 2, top].map((v) => ({ x1: PAD.left, x2: W - PAD.right, y: round(baseline - (v / top) * plotH), text: Number.isInteger(v) ? String(v) : v.toFixed(1) })),
    ticks: slots.flatMap((slot, i) => (i % every === 0 ? [{ x: round(PAD.left + (i + 0.5) * slotW), y: H - 6, text: slot.label }] : [])),
    legend: series,
  };
}
