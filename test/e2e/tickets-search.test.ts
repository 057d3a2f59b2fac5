import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/db/client.js';
import { ticketSearch } from '../../src/adapters/db/ticket-queries.js';
import { LIST_FIELDS, runCli } from '../support/cli.js';
import { DOVECOT_PASSWORD } from '../support/dovecot.js';
import { mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { buildMail } from '../support/mail.js';
import { waitFor } from '../support/wait.js';


let harness: MailboxHarness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

interface Seeded {
  env: Record<string, string>;
  /** Ticket numbers by subject. */
  n: Record<string, number>;
}

/**
 * Five tickets through the real daemon: `Printer jam` gets a second mail with
 * a word no subject or first mail has; Dan writes `Dan asks`; Alice is assigned
 * `VPN down`; tags are set in the database (no command sets them without mail).
 */
async function seed(): Promise<Seeded> {
  harness = await mailboxHarness();
  await harness.start();
  const subjects = ['Printer jam', 'VPN down', 'Dan asks', 'Invoice wrong', 'Password reset'];
  const first = new Map<string, string>();
  for (const subject of subjects) {
    const mail = buildMail({ subject, body: `About: ${subject}.`, ...(subject === 'Dan asks' ? { from: 'Dan <Dan@Other.test>' } : {}) });
    first.set(subject, mail.messageId!);
    await harness.append(mail.raw);
    await waitFor(async () => (await harness!.tickets()).length === subjects.indexOf(subject) + 1, { what: `ticket "${subject}"` });
  }
  await harness.append(buildMail({ subject: 'Re: Printer jam', inReplyTo: first.get('Printer jam')!, body: 'It now shows error zanzibar on the display.' }).raw);
  await waitFor(async () => (await harness!.messageCount()) === 6, { what: 'the second mail stored' });
  await harness.stopDaemon();
  const n = Object.fromEntries((await harness.tickets()).map((t) => [t.subject, t.number]));
  await harness.db.sql`update tickets set tags = '{billing,vip}' where number = ${n['Invoice wrong']!}`;
  await harness.db.sql`update tickets set tags = '{billing}' where number = ${n['Password reset']!}`;
  const env = { DATABASE_URL: harness.db.url, IMAP_PASSWORD: DOVECOT_PASSWORD };
  const set = await runCli(['tickets', 'set', String(n['VPN down']), '--assign', 'Alice', '--config', harness.configFile], env);
  expect(set.code, set.stderr).toBe(0);
  return { env, n };
}

async function listJson(env: Record<string, string>, args: string[]): Promise<{ numbers: number[]; rows: Record<string, unknown>[]; stderr: string }> {
  const result = await runCli(['tickets', 'list', '--json', ...args], env);
  expect(result.code, result.stderr).toBe(0);
  const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
  for (const row of rows) expect(Object.keys(row).sort()).toEqual(LIST_FIELDS);
  return { numbers: rows.map((r) => r.number as number), rows, stderr: result.stderr };
}

describe('helpdesk tickets list: finding tickets', () => {
  it('filters by assignee, tags, customer, mailbox and full text over subjects and every message', async () => {
    const { env, n } = await seed();
    const all = Object.values(n).sort((a, b) => b - a);

    expect((await listJson(env, ['--assignee', 'alice@example.test'])).numbers).toEqual([n['VPN down']]);
    expect((await listJson(env, ['--assignee', 'none'])).numbers).toEqual(all.filter((x) => x !== n['VPN down']));
    expect((await listJson(env, ['--tag', 'billing'])).numbers).toEqual([n['Password reset'], n['Invoice wrong']]);
    expect((await listJson(env, ['--tag', 'billing', '--tag', 'vip'])).numbers).toEqual([n['Invoice wrong']]);
    expect((await listJson(env, ['--customer', 'dan@other.test'])).numbers).toEqual([n['Dan asks']]);
    expect((await listJson(env, ['--mailbox', 'support'])).numbers).toEqual(all);
    expect((await listJson(env, ['--mailbox', 'elsewhere'])).numbers).toEqual([]);
    expect((await listJson(env, ['--tag', 'billing', '--status', 'open'])).numbers).toEqual([]);

    // A word only in the ticket's second mail; a subject word, any case; a word in nobody's mail.
    expect((await listJson(env, ['--search', 'zanzibar'])).numbers).toEqual([n['Printer jam']]);
    expect((await listJson(env, ['--search', 'INVOICE'])).numbers).toEqual([n['Invoice wrong']]);
    expect((await listJson(env, ['--search', '"error zanzibar"'])).numbers).toEqual([n['Printer jam']]);
    expect((await listJson(env, ['--search', 'vpn or password'])).numbers).toEqual([n['Password reset'], n['VPN down']]);
    expect((await listJson(env, ['--search', 'quetzalcoatl'])).numbers).toEqual([]);
    for (const hostile of ['"unbalanced', 'a & b | !c', "'; drop table tickets; --", '(((', '!', '-']) {
      const result = await runCli(['tickets', 'list', '--json', '--search', hostile], env);
      expect(result.code, `${hostile}: ${result.stderr}`).toBe(0);
      expect(Array.isArray(JSON.parse(result.stdout))).toBe(true);
    }

    // The work queue takes the same filters, in its own order.
    expect((await runCli(['tickets', 'list', '--to-solve', '--json', '--search', 'zanzibar'], env)).stdout).toContain('"Printer jam"');
    const refused = await runCli(['tickets', 'list', '--to-solve', '--after', String(n['VPN down'])], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--to-solve is ordered by due time');

    // The web view's search box agrees, and still jumps to a number.
    const { db, close } = openDatabase(harness!.db.url, { max: 1 });
    try {
      const found = await db.execute<{ number: number }>(sql`select number::int from tickets where ${ticketSearch('zanzibar')}`);
      expect(found.map((r) => r.number)).toEqual([n['Printer jam']]);
      // With sequential scans priced out, the planner can use both GIN indexes: their expressions match the query's.
      const plan = await db.transaction(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        return tx.execute<{ 'QUERY PLAN': string }>(sql`explain select number from tickets where ${ticketSearch('zanzibar')}`);
      });
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toContain('tickets_subject_search_idx');
      expect(text).toContain('messages_text_search_idx');
    } finally {
      await close();
    }
  });

  it('pages newest first with --limit and --after, saying on stderr how to get the next page', async () => {
    const { env, n } = await seed();
    const all = Object.values(n).sort((a, b) => b - a);

    const seen: number[] = [];
    const hints: string[] = [];
    let after: string[] = [];
    for (let i = 0; i < 10; i++) {
      const page = await listJson(env, ['--limit', '2', ...after]);
      seen.push(...page.numbers);
      hints.push(page.stderr.trim());
      const next = /^next page: --after (\d+)$/m.exec(page.stderr);
      if (!next) break;
      after = ['--after', next[1]!];
    }
    expect(seen).toEqual(all);
    expect(hints).toEqual([`next page: --after ${all[1]}`, `next page: --after ${all[3]}`, '']);

    // Exactly a page's worth: no hint. Filters and paging together.
    expect((await listJson(env, ['--limit', '5'])).stderr).toBe('');
    const billing = await listJson(env, ['--tag', 'billing', '--limit', '1']);
    expect(billing.numbers).toEqual([n['Password reset']]);
    expect(billing.stderr).toContain(`next page: --after ${n['Password reset']}`);
    expect((await listJson(env, ['--tag', 'billing', '--limit', '1', '--after', String(n['Password reset'])])).numbers).toEqual([n['Invoice wrong']]);

    // The table prints the same hint; stdout stays the table.
    const table = await runCli(['tickets', 'list', '--limit', '1'], env);
    expect(table.stdout).toMatch(/^#\s+STATUS/);
    expect(table.stderr).toBe(`next page: --after ${all[0]}\n`);
    const queue = await runCli(['tickets', 'list', '--to-solve', '--limit', '1', '--json'], env);
    expect(JSON.parse(queue.stdout)).toHaveLength(1);
    expect(queue.stderr).toContain('raise --limit');
    expect((await runCli(['tickets', 'list', '--limit', '0'], env)).code).toBe(1);
  });
});
