import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/adapters/db/client.js';
import { readReportData } from '../../src/adapters/db/report-queries.js';
import { CSV_COLUMNS } from '../../src/cli/report-format.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Report } from '../../src/domain/report.js';
import { helpdeskReport } from '../../src/usecases/report.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * `helpdesk report` end to end: tickets and events written by SQL as the
 * daemon writes them (a hand-counted week, the one of the unit test plus a
 * deleted, a merged, a spam ticket and one closed after the period), read by
 * the report's queries, computed under the config's calendar and targets —
 * in process, and through the built CLI.
 */

const CONFIG = `
mailboxes:
  - name: support
    address: support@example.test
    imap: { host: 127.0.0.1, user: support@example.test }
  - name: billing
    address: billing@example.test
    imap: { host: 127.0.0.1, user: billing@example.test }
sla:
  calendar:
    timezone: Europe/Amsterdam
    hours: { mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00", fri: "09:00-17:00" }
  policies:
    urgent: { firstResponse: 1h, nextResponse: 1h, resolution: 8h }
    high: { firstResponse: 4h, nextResponse: 4h, resolution: 16h }
    medium: { firstResponse: 8h, nextResponse: 8h, resolution: 40h }
  departments:
    billing:
      urgent: { firstResponse: 2h, resolution: 8h }
`;

const H = 3_600_000;
const FROM = '2026-02-02';
const TO = '2026-02-09';

type Event = readonly [type: string, actor: string, at: string, data?: Record<string, unknown>];
interface Seed {
  readonly number: number;
  readonly status: string;
  readonly priority: string;
  readonly department?: string;
  readonly assignee?: string;
  readonly mailbox?: string;
  readonly createdAt: string;
  readonly deletedAt?: string;
  readonly mergedInto?: number;
  readonly events: readonly Event[];
}

const ALICE = 'agent:alice@example.test';
const BOB = 'agent:bob@example.test';
const CAROL = 'customer:carol@customer.test';
const moved = (from: string, to: string) => ({ from, to });

/** Times in UTC; Amsterdam is an hour ahead in February. 2026-02-02 is a Monday. */
const SEEDS: readonly Seed[] = [
  {
    number: 1001, status: 'resolved', priority: 'high', assignee: 'alice@example.test', createdAt: '2026-02-02T08:30Z',
    events: [
      ['created', CAROL, '2026-02-02T08:30Z', { mailbox: 'support' }],
      ['agent_replied', ALICE, '2026-02-02T09:30Z', { via: 'token' }],
      ['status_changed', ALICE, '2026-02-02T09:30Z', moved('new', 'answered')],
      ['status_changed', ALICE, '2026-02-02T15:30Z', moved('answered', 'resolved')],
      ['satisfaction_rated', CAROL, '2026-02-03T08:00Z', { rating: 'good' }],
    ],
  },
  {
    number: 1002, status: 'answered', priority: 'medium', assignee: 'bob@example.test', createdAt: '2026-02-06T15:00Z',
    events: [
      ['created', CAROL, '2026-02-06T15:00Z', { mailbox: 'support' }],
      ['customer_replied', CAROL, '2026-02-07T09:00Z', { via: 'subject' }],
      ['sla_warning', 'system', '2026-02-09T07:00Z', { metric: 'first_response', dueAt: '2026-02-09T08:00:00.000Z' }],
      ['agent_replied', BOB, '2026-02-09T09:00Z', { via: 'token' }],
      ['status_changed', BOB, '2026-02-09T09:00Z', moved('new', 'answered')],
    ],
  },
  {
    number: 1003, status: 'closed', priority: 'urgent', department: 'billing', mailbox: 'billing', createdAt: '2026-02-03T19:00Z',
    events: [
      ['created', CAROL, '2026-02-03T19:00Z', { mailbox: 'billing' }],
      ['sla_warning', 'system', '2026-02-04T08:00Z', { metric: 'first_response', dueAt: '2026-02-04T09:00:00.000Z' }],
      ['sla_breach', 'system', '2026-02-04T09:00Z', { metric: 'first_response', dueAt: '2026-02-04T09:00:00.000Z' }],
      ['agent_replied', ALICE, '2026-02-04T08:30Z', { via: 'token' }],
      ['status_changed', ALICE, '2026-02-04T08:30Z', moved('new', 'answered')],
      ['sla_warning', 'system', '2026-02-04T09:00Z', { metric: 'resolution', dueAt: '2026-02-04T15:00:00.000Z' }],
      ['status_changed', ALICE, '2026-02-04T10:00Z', moved('answered', 'resolved')],
      ['customer_replied', CAROL, '2026-02-05T10:00Z', { via: 'token' }],
      ['status_changed', CAROL, '2026-02-05T10:00Z', moved('resolved', 'open')],
      ['reopened', CAROL, '2026-02-05T10:00Z', { from: 'resolved' }],
      ['status_changed', ALICE, '2026-02-06T12:00Z', moved('open', 'closed')],
    ],
  },
  { number: 1004, status: 'new', priority: 'low', assignee: 'alice@example.test', createdAt: '2026-02-07T10:00Z', events: [['created', CAROL, '2026-02-07T10:00Z', { mailbox: 'support' }]] },
  {
    number: 1005, status: 'closed', priority: 'high', assignee: 'alice@example.test', createdAt: '2026-01-28T10:00Z',
    events: [
      ['created', CAROL, '2026-01-28T10:00Z', { mailbox: 'support' }],
      ['agent_replied', ALICE, '2026-01-28T11:00Z', { via: 'token' }],
      ['status_changed', ALICE, '2026-02-03T10:00Z', moved('answered', 'resolved')],
      ['status_changed', 'system', '2026-02-08T10:00Z', moved('resolved', 'closed')],
      ['auto_closed', 'system', '2026-02-08T10:00Z', { idleSince: '2026-02-03T10:00:00.000Z' }],
      ['satisfaction_rated', CAROL, '2026-02-03T12:00Z', { rating: 'good' }],
    ],
  },
  {
    number: 1006, status: 'resolved', priority: 'medium', assignee: 'bob@example.test', createdAt: '2026-02-02T12:00Z',
    events: [
      ['created', CAROL, '2026-02-02T12:00Z', { mailbox: 'support' }],
      ['agent_replied', BOB, '2026-02-02T13:00Z', { via: 'token' }],
      ['customer_replied', CAROL, '2026-02-02T14:00Z', { via: 'token' }],
      ['agent_replied', BOB, '2026-02-03T08:00Z', { via: 'token' }],
      ['status_changed', BOB, '2026-02-03T09:00Z', moved('answered', 'resolved')],
      ['satisfaction_rated', CAROL, '2026-02-03T10:00Z', { rating: 'good' }],
      ['satisfaction_rated', CAROL, '2026-02-04T10:00Z', { rating: 'bad', comment: 'It broke again.' }],
    ],
  },
  {
    number: 1007, status: 'open', priority: 'low', createdAt: '2026-01-20T10:00Z',
    events: [
      ['created', CAROL, '2026-01-20T10:00Z', { mailbox: 'support' }],
      ['status_changed', ALICE, '2026-01-21T10:00Z', moved('new', 'resolved')],
      ['customer_replied', CAROL, '2026-02-05T12:00Z', { via: 'token' }],
      ['status_changed', CAROL, '2026-02-05T12:00Z', moved('resolved', 'open')],
      ['reopened', CAROL, '2026-02-05T12:00Z', { from: 'resolved' }],
    ],
  },
  {
    number: 1008, status: 'resolved', priority: 'medium', createdAt: '2026-01-10T10:00Z',
    events: [['created', CAROL, '2026-01-10T10:00Z', { mailbox: 'support' }], ['status_changed', ALICE, '2026-01-11T10:00Z', moved('new', 'resolved')]],
  },
  // Deleted, and merged away: in no figure.
  {
    number: 1009, status: 'resolved', priority: 'urgent', createdAt: '2026-02-03T10:00Z', deletedAt: '2026-02-04T10:00Z',
    events: [['created', CAROL, '2026-02-03T10:00Z', { mailbox: 'support' }], ['status_changed', ALICE, '2026-02-03T12:00Z', moved('new', 'resolved')]],
  },
  { number: 1010, status: 'open', priority: 'high', createdAt: '2026-02-02T10:00Z', mergedInto: 1001, events: [['created', CAROL, '2026-02-02T10:00Z', { mailbox: 'support' }]] },
  // Spam: created (it was), customer mail (it was), never in the backlog.
  {
    number: 1011, status: 'spam', priority: 'medium', createdAt: '2026-02-04T10:00Z',
    events: [['created', CAROL, '2026-02-04T10:00Z', { mailbox: 'support' }], ['status_changed', 'system', '2026-02-04T10:00Z', moved('new', 'spam')]],
  },
  // Closed after the period: open at its end.
  {
    number: 1013, status: 'closed', priority: 'medium', createdAt: '2026-01-25T10:00Z',
    events: [
      ['created', CAROL, '2026-01-25T10:00Z', { mailbox: 'support' }],
      ['status_changed', CAROL, '2026-01-25T11:00Z', moved('new', 'open')],
      ['status_changed', ALICE, '2026-02-10T10:00Z', moved('open', 'closed')],
    ],
  },
];

async function seed(sql: postgres.Sql): Promise<void> {
  const [contact] = await sql<{ id: string }[]>`insert into contacts (email) values ('carol@customer.test') returning id`;
  const ids = new Map<number, string>();
  for (const s of SEEDS) {
    const [row] = await sql<{ id: string }[]>`
      insert into tickets (number, subject, status, priority, department, assignee, requester_id, mailbox, created_at, updated_at, last_activity_at, deleted_at, merged_into_id)
      values (${s.number}, ${`Ticket ${s.number}`}, ${s.status}, ${s.priority}, ${s.department ?? 'general'}, ${s.assignee ?? null}, ${contact!.id},
              ${s.mailbox ?? 'support'}, ${s.createdAt}, ${s.createdAt}, ${s.createdAt}, ${s.deletedAt ?? null}, ${s.mergedInto ? ids.get(s.mergedInto)! : null})
      returning id`;
    ids.set(s.number, row!.id);
    for (const [type, actor, at, data] of s.events) {
      await sql`insert into events (ticket_id, type, actor, data, created_at) values (${row!.id}, ${type}, ${actor}, ${sql.json((data ?? {}) as postgres.JSONValue)}, ${at})`;
    }
  }
}

let db: TestDatabase;
let database: Database;
let config: Config;
let configFile: string;

beforeAll(async () => {
  db = await createTestDatabase(inject('templateDb'));
  await seed(db.sql);
  database = openDatabase(db.url, { max: 4 });
  const loaded = parseConfig(CONFIG, 'helpdesk.yaml', {});
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  config = loaded.config;
  configFile = join(await mkdtemp(join(tmpdir(), 'helpdesk-report-')), 'helpdesk.yaml');
  await writeFile(configFile, CONFIG);
});

afterAll(async () => {
  await database?.close();
  await db?.drop();
});

const period = { from: new Date(`${FROM}T00:00Z`), to: new Date(`${TO}T00:00Z`) };
const report = (by: Report['by'] = null) => helpdeskReport((p) => readReportData(database.db, p), config, { ...period, by }, new Date());
const cli = (args: readonly string[]) => runCli(['report', '--from', FROM, '--to', TO, ...args], { DATABASE_URL: db.url, HELPDESK_CONFIG: configFile });

describe('the report of a seeded week, read from Postgres', () => {
  it('counts what the week did, leaving deleted and merged tickets out (spam counts as created)', async () => {
    const r = await report();
    expect(r.total).toMatchObject({ created: 6, resolved: 4, closed: 2, resolvedOrClosed: 4, reopened: 2, reopenRatePct: 50 });
    expect(r.total.firstResponse).toEqual({ count: 4, business: { medianMs: 1 * H, p90Ms: 2 * H }, wall: { medianMs: 1 * H, p90Ms: 66 * H } });
    expect(r.total.resolution).toEqual({ count: 3, business: { medianMs: 5 * H, p90Ms: 7 * H }, wall: { medianMs: 15 * H, p90Ms: 21 * H } });
  });

  it('SLA per target, with the department’s own targets (billing urgent has no next response)', async () => {
    const { sla } = (await report()).total;
    expect(sla.firstResponse).toEqual({ met: 2, warned: 1, breached: 1, pending: 1, metPct: 50, warnedPct: 25, breachedPct: 25 });
    expect(sla.nextResponse).toEqual({ met: 1, warned: 0, breached: 0, pending: 3, metPct: 100, warnedPct: 0, breachedPct: 0 });
    expect(sla.resolution).toEqual({ met: 2, warned: 1, breached: 0, pending: 2, metPct: 66.7, warnedPct: 33.3, breachedPct: 0 });
  });

  it('the backlog at --to: statuses as they were then (1002 was new, 1013 open), without closed, spam, deleted or merged', async () => {
    const { backlog } = await report();
    expect(backlog.total).toBe(7);
    expect(backlog.byAge).toEqual({ under_1d: 0, '1d_3d': 2, '3d_7d': 2, '7d_plus': 3 });
    expect(Object.fromEntries(backlog.byStatus.map((s) => [s.status, s.total]))).toEqual({ new: 2, open: 2, answered: 0, postponed: 0, resolved: 3 });
  });

  it('busiest hours: customer mail in Amsterdam time, deleted and merged tickets’ mail left out', async () => {
    const { busiestHours } = await report();
    expect(busiestHours.total).toBe(10);
    expect(busiestHours.byWeekday).toEqual([3, 1, 1, 2, 1, 2, 0]);
    expect(Object.fromEntries(busiestHours.byHour.flatMap((n, h) => (n ? [[h, n]] : [])))).toEqual({ 9: 1, 10: 1, 11: 3, 13: 2, 15: 1, 16: 1, 20: 1 });
  });

  it('--by mailbox and --by priority', async () => {
    expect((await report('mailbox')).groups.map((g) => [g.key, g.created, g.resolved])).toEqual([
      ['billing', 1, 1],
      ['support', 5, 3],
    ]);
    expect((await report('priority')).groups.map((g) => [g.key, g.created, g.reopenRatePct])).toEqual([
      ['urgent', 1, 100],
      ['high', 1, 0],
      ['medium', 3, 0],
      ['low', 1, null],
    ]);
  });
});

describe('helpdesk report (the built CLI)', () => {
  it('--json prints the report object', async () => {
    const result = await cli(['--json', '--by', 'agent']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as Report;
    expect(json).toEqual(JSON.parse(JSON.stringify(await report('agent'))));
    // The documented fields (README, "JSON output"): a contract for scripts.
    expect(Object.keys(json).sort()).toEqual(['backlog', 'busiestHours', 'by', 'daily', 'groups', 'period', 'total']);
    expect(Object.keys(json.total).sort()).toEqual(['closed', 'created', 'firstResponse', 'reopenRatePct', 'reopened', 'resolution', 'resolved', 'resolvedOrClosed', 'satisfaction', 'sla']);
    // Each ticket by its last answer in the period: 1001 and 1005 good, 1006 good then bad.
    expect(json.total.satisfaction).toEqual({ good: 2, bad: 1, goodPct: 66.7 });
    expect(Object.keys(json.groups[0]!).sort()).toEqual([...Object.keys(json.total), 'key'].sort());
    expect(json.total.sla.nextResponse).toEqual({ met: 1, warned: 0, breached: 0, pending: 3, metPct: 100, warnedPct: 0, breachedPct: 0 });
    expect(json.total.firstResponse).toEqual({ count: 4, business: { medianMs: H, p90Ms: 2 * H }, wall: { medianMs: H, p90Ms: 66 * H } });
    expect(json.backlog.byStatus[0]).toEqual({ status: 'new', total: 2, byAge: { under_1d: 0, '1d_3d': 2, '3d_7d': 0, '7d_plus': 0 } });
    expect(json.daily[0]).toEqual({ date: '2026-02-02', created: 2, resolved: 1, closed: 0 });
    expect(json.period).toEqual({ from: '2026-02-02T00:00:00.000Z', to: '2026-02-09T00:00:00.000Z', timeZone: 'Europe/Amsterdam' });
  });

  it('--csv prints the header and a row per group, then the total', async () => {
    const result = await cli(['--csv', '--by', 'priority']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines.map((l) => l.split(',')[0])).toEqual(['group', 'urgent', 'high', 'medium', 'low', '(total)']);
    const total = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, lines[5]!.split(',')[i]]));
    expect(total).toMatchObject({
      created: '6',
      resolved: '4',
      reopen_rate_pct: '50',
      first_response_count: '4',
      first_response_median_business_s: '3600',
      first_response_p90_wall_s: String(66 * 3600),
      sla_resolution_met_pct: '66.7',
      sla_first_response_pending: '1',
    });
  });

  it('prints aligned tables with durations as text', async () => {
    const result = await cli([]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Report 2026-02-02 00:00 – 2026-02-09 00:00 UTC (business time and hours in Europe/Amsterdam)');
    expect(result.stdout).toMatch(/^total\s+4\s+1h\s+2h\s+1h\s+2d 18h$/m);
    expect(result.stdout).toMatch(/^total\s+first response\s+2\s+1\s+1\s+1\s+50%\s+25%\s+25%$/m);
  });

  it('refuses a period that ends before it starts, and two formats at once', async () => {
    const backwards = await runCli(['report', '--from', TO, '--to', FROM], { DATABASE_URL: db.url, HELPDESK_CONFIG: configFile });
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain('must be before --to');
    const both = await cli(['--json', '--csv']);
    expect(both.code).toBe(1);
    expect((await cli(['--by', 'weather'])).stderr).toMatch(/--by.*weather/);
  });
});
