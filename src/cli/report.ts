import { readReportData } from '../adapters/db/report-queries.js';
import type { ReportGrouping } from '../domain/report.js';
import { loadConfigOrThrow, readEnvironment } from '../environment.js';
import { helpdeskReport, reportPeriod } from '../usecases/report.js';
import { withDatabase } from './database.js';
import { formatReportCsv, formatReportText } from './report-format.js';

export interface ReportOptions {
  readonly from?: Date;
  readonly to?: Date;
  readonly by?: ReportGrouping;
  readonly json?: boolean;
  readonly csv?: boolean;
  readonly config?: string;
}

/**
 * `helpdesk report`: the period's figures from the recorded tickets and events,
 * under the config's SLA calendar and targets; text, `--json` or `--csv`.
 * Exit 1 when the period is empty or both formats are asked for.
 */
export async function runReport(opts: ReportOptions): Promise<void> {
  const now = new Date();
  const period = reportPeriod(opts, now);
  const problem =
    opts.json && opts.csv ? '--json and --csv: choose one' : period.from >= period.to ? `--from (${period.from.toISOString()}) must be before --to (${period.to.toISOString()})` : null;
  if (problem) {
    console.error(problem);
    process.exitCode = 1;
    return;
  }
  const config = await loadConfigOrThrow(readEnvironment(opts.config));
  await withDatabase(async (db) => {
    const report = await helpdeskReport((p) => readReportData(db, p), config, { ...period, by: opts.by ?? null }, now);
    if (opts.json) console.log(JSON.stringify(report, null, 2));
    else if (opts.csv) process.stdout.write(formatReportCsv(report));
    else console.log(formatReportText(report));
  });
}
