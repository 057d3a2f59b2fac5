import type { Config } from '../config/schema.js';
import { buildReport, type Report, type ReportData, type ReportGrouping, type ReportPeriod } from '../domain/report.js';
import { calendarOf, slaPolicyFor } from './sla-policy.js';

/** Reads what a report of a period needs (db/report-queries.ts). */
export type ReadReportData = (period: ReportPeriod) => Promise<ReportData>;

export interface ReportRequest {
  /** Inclusive; default: 30 days before `to`. */
  readonly from?: Date;
  /** Exclusive; default: now. */
  readonly to?: Date;
  readonly by?: ReportGrouping | null;
}

const DEFAULT_DAYS = 30;

/** The period a request names: `--to` defaults to now, `--from` to 30 days before it. */
export function reportPeriod(request: ReportRequest, now: Date): ReportPeriod {
  const to = request.to ?? now;
  return { from: request.from ?? new Date(to.getTime() - DEFAULT_DAYS * 86_400_000), to };
}

/**
 * `helpdesk report` and the `/reports` page: the period's rows, read once,
 * under the config's calendar and the SLA targets each ticket's priority and
 * department have (the same policy the SLA clock uses).
 */
export async function helpdeskReport(read: ReadReportData, config: Config, request: ReportRequest, now: Date): Promise<Report> {
  const period = reportPeriod(request, now);
  const data = await read(period);
  return buildReport(data, period, {
    calendar: calendarOf(config),
    targetsOf: (priority, department) => slaPolicyFor(config, priority, department).targets,
    by: request.by ?? null,
  });
}
