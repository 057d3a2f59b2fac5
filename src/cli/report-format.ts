import { formatSpan } from '../domain/report-clock.js';
import type { DurationFigures, GroupFigures, Report, SlaFigures } from '../domain/report.js';
import { BACKLOG_AGES } from '../domain/report-tallies.js';

/** `helpdesk report` as text (aligned tables) and as CSV (README, "Reports"). */

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const SLA_TARGETS = [
  ['first response', 'firstResponse'],
  ['next response', 'nextResponse'],
  ['resolution', 'resolution'],
] as const;

/** Columns left-aligned up to `leftColumns`, numbers right-aligned after. */
function table(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const pct = (value: number | null) => (value === null ? '-' : `${value}%`);
const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The groups' rows, then the total's under `totalName`. */
function rowsOf(report: Report, totalName: string): { name: string; figures: GroupFigures }[] {
  return [...report.groups.map((g) => ({ name: g.key, figures: g as GroupFigures })), { name: totalName, figures: report.total }];
}

function durationRow(name: string, d: DurationFigures): string[] {
  return [name, String(d.count), formatSpan(d.business.medianMs), formatSpan(d.business.p90Ms), formatSpan(d.wall.medianMs), formatSpan(d.wall.p90Ms)];
}

function slaRow(name: string, target: string, s: SlaFigures): string[] {
  return [name, target, String(s.met), String(s.warned), String(s.breached), String(s.pending), pct(s.metPct), pct(s.warnedPct), pct(s.breachedPct)];
}

/** A bar of up to `width` blocks for `value` against `max`. */
function bar(value: number, max: number, width = 40): string {
  return max === 0 ? '' : '█'.repeat(Math.round((value / max) * width));
}

export function formatReportText(report: Report): string {
  const rows = rowsOf(report, 'total');
  const by = report.by ? `, by ${report.by}` : '';
  const out = [`Report ${time(report.period.from)} – ${time(report.period.to)} UTC${by} (business time and hours in ${report.period.timeZone})`, ''];
  out.push(
    table(
      [report.by?.toUpperCase() ?? 'TICKETS', 'CREATED', 'RESOLVED', 'CLOSED', 'REOPENED', 'REOPEN RATE', 'RATED GOOD', 'RATED BAD', 'GOOD %'],
      rows.map(({ name, figures: f }) => [
        name,
        String(f.created),
        String(f.resolved),
        String(f.closed),
        String(f.reopened),
        pct(f.reopenRatePct),
        String(f.satisfaction.good),
        String(f.satisfaction.bad),
        pct(f.satisfaction.goodPct),
      ]),
    ),
    '',
  );
  const header = ['', 'COUNT', 'MEDIAN (BUSINESS)', 'P90 (BUSINESS)', 'MEDIAN (WALL)', 'P90 (WALL)'];
  out.push(table(['FIRST RESPONSE', ...header.slice(1)], rows.map(({ name, figures: f }) => durationRow(name, f.firstResponse))), '');
  out.push(table(['RESOLUTION', ...header.slice(1)], rows.map(({ name, figures: f }) => durationRow(name, f.resolution))), '');
  out.push(
    table(
      ['SLA', 'TARGET', 'MET', 'WARNED', 'BREACHED', 'PENDING', 'MET %', 'WARNED %', 'BREACHED %'],
      rows.flatMap(({ name, figures: f }) => SLA_TARGETS.map(([label, key]) => slaRow(name, label, f.sla[key]))),
      2,
    ),
    '',
  );
  const b = report.backlog;
  out.push(
    table(
      [`BACKLOG AT ${time(b.asOf)} UTC`, ...BACKLOG_AGES.map((a) => a.label.toUpperCase()), 'TOTAL'],
      [...b.byStatus.map((s) => [s.status, ...BACKLOG_AGES.map((a) => String(s.byAge[a.key])), String(s.total)]), ['total', ...BACKLOG_AGES.map((a) => String(b.byAge[a.key])), String(b.total)]],
    ),
    '',
  );
  const hours = report.busiestHours;
  const maxHour = Math.max(...hours.byHour);
  const maxDay = Math.max(...hours.byWeekday);
  out.push(`Customer mail by hour (${report.period.timeZone}), ${hours.total} in all`);
  out.push(...hours.byHour.map((n, h) => `  ${String(h).padStart(2, '0')}  ${String(n).padStart(5)}  ${bar(n, maxHour)}`.trimEnd()), '');
  out.push(`Customer mail by weekday (${report.period.timeZone})`);
  out.push(...hours.byWeekday.map((n, d) => `  ${WEEKDAYS[d]}  ${String(n).padStart(5)}  ${bar(n, maxDay)}`.trimEnd()));
  if (report.daily.length <= 31) {
    out.push('', table(['DAY', 'CREATED', 'RESOLVED', 'CLOSED'], report.daily.map((d) => [d.date, String(d.created), String(d.resolved), String(d.closed)])));
  }
  return out.join('\n');
}

/** The CSV columns, one row per group and the total (README, "Reports"). */
export const CSV_COLUMNS = [
  'group',
  'created',
  'resolved',
  'closed',
  'reopened',
  'reopen_rate_pct',
  ...['first_response', 'resolution'].flatMap((m) => [`${m}_count`, `${m}_median_business_s`, `${m}_p90_business_s`, `${m}_median_wall_s`, `${m}_p90_wall_s`]),
  ...['first_response', 'next_response', 'resolution'].flatMap((m) =>
    ['met', 'warned', 'breached', 'pending', 'met_pct', 'warned_pct', 'breached_pct'].map((c) => `sla_${m}_${c}`),
  ),
  'satisfaction_good',
  'satisfaction_bad',
  'satisfaction_good_pct',
] as const;

const num = (value: number | null) => (value === null ? '' : String(value));
const seconds = (ms: number | null) => (ms === null ? '' : String(Math.round(ms / 1000)));

function durationCells(d: DurationFigures): string[] {
  return [String(d.count), seconds(d.business.medianMs), seconds(d.business.p90Ms), seconds(d.wall.medianMs), seconds(d.wall.p90Ms)];
}

function slaCells(s: SlaFigures): string[] {
  return [s.met, s.warned, s.breached, s.pending, s.metPct, s.warnedPct, s.breachedPct].map(num);
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function formatReportCsv(report: Report): string {
  const lines = rowsOf(report, '(total)').map(({ name, figures: f }) =>
    [
      name,
      String(f.created),
      String(f.resolved),
      String(f.closed),
      String(f.reopened),
      num(f.reopenRatePct),
      ...durationCells(f.firstResponse),
      ...durationCells(f.resolution),
      ...SLA_TARGETS.flatMap(([, key]) => slaCells(f.sla[key])),
      String(f.satisfaction.good),
      String(f.satisfaction.bad),
      num(f.satisfaction.goodPct),
    ]
      .map(csvField)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}
