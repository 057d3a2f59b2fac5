import type postgres from 'postgres';

/**
 * Seeds `count` Open tickets straight in SQL: each with SLA due times, nearly
 * all far in the future, `due` of them already past. What the SLA scan must
 * handle without reading every ticket.
 */
export async function seedTickets(sql: postgres.Sql, count: number, due: number): Promise<void> {
  const [contact] = await sql<{ id: string }[]>`
    insert into contacts (email, name) values ('seed@customer.test', 'Seed') on conflict (email) do update set name = excluded.name returning id`;
  await sql`
    insert into tickets (subject, status, priority, department, requester_id, mailbox, created_at, updated_at, last_activity_at,
                         sla_running_since, first_response_due_at, resolution_due_at)
    select 'Seeded ' || g, 'open', 'medium', 'general', ${contact!.id}, 'support', now(), now(), now(), now(),
           case when g <= ${due} then now() - interval '1 minute' else now() + interval '30 days' + g * interval '1 second' end,
           now() + interval '60 days'
    from generate_series(1, ${count}) g`;
  await sql`analyze tickets`;
}
