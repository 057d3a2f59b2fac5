import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { inject, afterAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/adapters/db/schema.js';
import { dueSlaQuery } from '../../src/adapters/db/schedule-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedTickets } from '../support/seed-tickets.js';

let db: TestDatabase | null = null;

afterAll(async () => {
  await db?.drop();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe('the SLA scan over 100 000 tickets, few of them due', () => {
  it('reads the due ones through the partial indexes, never the whole table', async () => {
    db = await createTestDatabase(inject('templateDb'));
    await seedTickets(db.sql, 100_000, 20);
    const orm = drizzle(db.sql, { schema });
    const now = new Date();
    const horizon = new Date(now.getTime() + 30 * 60_000);

    // EXPLAIN ANALYZE of exactly the query the scan runs.
    const explained = await orm.execute<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(sql`explain (analyze, format json) ${dueSlaQuery(now, horizon, 500)}`);
    const plan = explained[0]!['QUERY PLAN'][0]!.Plan;
    const onTickets = nodes(plan).filter((n) => n['Relation Name'] === 'tickets');
    expect(onTickets.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(onTickets.map((n) => n['Index Name']).sort()).toEqual([
      'tickets_first_response_due_idx',
      'tickets_next_response_due_idx',
      'tickets_resolution_due_idx',
    ]);

    const due = await orm.execute<{ ticket_id: string }>(dueSlaQuery(now, horizon, 500));
    expect(due).toHaveLength(20);
  });
});
