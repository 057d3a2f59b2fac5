import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from '../src/adapters/db/schema.js';
import { runMigrations } from '../src/adapters/db/migrate.js';
import { createScheduleStore, dueSlaQuery } from '../src/adapters/db/schedule-store.js';
import { createStore } from '../src/adapters/db/store.js';
import { composeMail } from '../src/adapters/smtp/compose.js';
import { parseConfig } from '../src/config/load.js';
import { scanSla } from '../src/usecases/sla-scan.js';
import { seedTickets } from '../test/support/seed-tickets.js';
import { round } from './baseline.js';
import { createBenchDatabase, type Cleanup } from './services.js';

export interface SlaScanResult {
  readonly tickets: number;
  readonly due: number;
  /** Seeding them: one INSERT … SELECT generate_series, then ANALYZE and VACUUM (ms; not part of the scan). */
  readonly seedMs: number;
  /** The due-ticket query alone, median of 7 (ms). */
  readonly queryMs: number;
  /** A whole scan: the query plus a warning/breach transaction and notification row per due ticket (ms). */
  readonly scanMs: number;
  readonly noticesSent: number;
  /** The plan's node types on `tickets`: index scans only, no sequential scan. */
  readonly planOnTickets: string[];
}

const CONFIG = `
mailboxes:
  - name: support
    address: support@example.test
    imap: { host: 127.0.0.1, user: support@example.test }
agents:
  - { name: Alice, email: alice@example.test, departments: [general] }
sla:
  notify: [department, leads@example.test]
`;

/**
 * The SLA scan over `count` seeded tickets of which `due` are due: the cost must follow `due`, not `count`.
 * The database (~270 MB at a million tickets) is dropped as soon as the scan is measured.
 */
export async function benchSlaScan(count: number, due: number, cleanup: Cleanup): Promise<SlaScanResult> {
  const db = await createBenchDatabase(cleanup);
  await runMigrations(db.url);
  const seedStarted = performance.now();
  // A single INSERT … SELECT generate_series (a million rows in ~15 s here), then ANALYZE; VACUUM too, so
  // autovacuum does not start on the freshly filled table while the scan is timed, and hint bits are set.
  await seedTickets(db.sql, count, due);
  await db.sql`vacuum tickets`;
  const seedMs = performance.now() - seedStarted;
  const pool = postgres(db.url, { max: 4, onnotice: () => {} });
  const closePool = cleanup.add(`close scan pool ${db.name}`, () => pool.end({ timeout: 5 }));
  try {
    return { ...(await measureScan(pool, count, due)), seedMs: round(seedMs) };
  } finally {
    await closePool();
    await db.drop();
  }
}

async function measureScan(pool: postgres.Sql, count: number, due: number): Promise<Omit<SlaScanResult, 'seedMs'>> {
  const orm = drizzle(pool, { schema });
  const now = new Date();
  const horizon = new Date(now.getTime() + 30 * 60_000);

  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    await orm.execute(dueSlaQuery(now, horizon, 500));
    times.push(performance.now() - started);
  }
  const explained = await orm.execute<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(sql`explain (format json) ${dueSlaQuery(now, horizon, 500)}`);
  const plan = flatten(explained[0]!['QUERY PLAN'][0]!.Plan).filter((n) => n['Relation Name'] === 'tickets');

  const loaded = parseConfig(CONFIG, 'bench', {});
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const started = performance.now();
  const counts = await scanSla({
    store: createStore(orm),
    schedule: createScheduleStore(orm),
    config: () => loaded.config,
    now: () => new Date(),
    compose: composeMail,
    tokenKey: Buffer.alloc(32, 7),
    outbox: { enqueue: async () => undefined, requeue: async () => 0 },
    log,
  });
  const scanMs = performance.now() - started;
  return {
    tickets: count,
    due,
    queryMs: round(times.sort((a, b) => a - b)[3]!, 2),
    scanMs: round(scanMs, 1),
    noticesSent: counts.breaches + counts.warnings,
    planOnTickets: plan.map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`.trim()),
  };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function flatten(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(flatten)];
}
