import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PurgeReport } from '../../src/usecases/purge.js';
import { CLI, runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../support/wait.js';

const CONFIG = `
mailboxes:
  - { name: support, address: support@example.test, imap: { host: 127.0.0.1, user: support } }
retention: { closed: 365d }
`;
const TICKETS = 1200;
const LOGO = 'the same logo in every mail';
const LOGO_SHA = createHash('sha256').update(LOGO).digest('hex');

let db: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase(inject('templateDb'));
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-purge-'));
  await writeFile(join(dir, 'helpdesk.yaml'), CONFIG);
  env = { DATABASE_URL: db.url, HELPDESK_CONFIG: join(dir, 'helpdesk.yaml'), LOG_LEVEL: 'warn' };
  // Closed two years ago, each with a mail carrying the same attachment; one more closed yesterday, same requester.
  const [contact] = await db.sql<{ id: string }[]>`insert into contacts (email) values ('carol@customer.test') returning id`;
  await db.sql`
    insert into tickets (subject, status, priority, department, requester_id, mailbox, closed_at)
    select 'old ' || g, 'closed', 'medium', 'general', ${contact!.id}, 'support', now() - interval '730 days'
    from generate_series(1, ${TICKETS}) g`;
  await db.sql`insert into tickets (subject, status, priority, department, requester_id, mailbox, closed_at) values ('recent', 'closed', 'medium', 'general', ${contact!.id}, 'support', now() - interval '1 day')`;
  await db.sql`insert into participants (ticket_id, contact_id, role) select id, requester_id, 'requester' from tickets`;
  await db.sql`insert into messages (ticket_id, direction, kind, message_id, raw) select id, 'in', 'customer', 'm' || id || '@customer.test', '\\x00ff'::bytea from tickets`;
  await db.sql`insert into attachment_blobs (sha256, size, content) values (${LOGO_SHA}, ${LOGO.length}, ${Buffer.from(LOGO)})`;
  await db.sql`
    insert into attachments (message_id, sha256, content_type, size)
    select m.id, ${LOGO_SHA}, 'image/png', ${LOGO.length} from messages m join tickets t on t.id = m.ticket_id where t.subject like 'old %'`;
});

afterAll(async () => {
  await db?.drop();
});

const remaining = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from tickets`)[0]!.n;

describe('helpdesk purge', () => {
  it('--dry-run --json counts what would go and deletes nothing', async () => {
    const result = await runCli(['purge', '--dry-run', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as PurgeReport;
    expect(report).toMatchObject({ dryRun: true, stopped: false, batches: 0, cutoffs: { deleted: expect.any(String), spam: expect.any(String), closed: expect.any(String) } });
    expect(report.byReason.closed).toEqual({
      tickets: TICKETS,
      merged: 0,
      messages: TICKETS,
      events: 0,
      participants: TICKETS,
      attachments: TICKETS,
      blobs: 1,
      blobBytes: LOGO.length,
      sourceBytes: 2 * TICKETS,
      contacts: 0,
    });
    expect(await remaining()).toBe(TICKETS + 1);

    const text = await runCli(['purge', '--dry-run'], env);
    expect(text.stdout).toContain('dry run under retention: deleted 30d, spam 30d, closed 365d');
    expect(text.stdout).toContain(`dry run, nothing deleted: would purge ${TICKETS} tickets:`);
  });

  it('Ctrl-C ends it after the batch in hand with exit 130; the same command then goes on to the end', async () => {
    // An ingest in flight holds the attachment store: the first batch waits for it at its last step.
    let release!: () => void;
    const ingest = db.sql.begin(async (tx) => {
      await tx`insert into attachment_blobs (sha256, size, content) values (${LOGO_SHA}, 1, '\\x00'::bytea) on conflict do nothing`;
      await new Promise<void>((resolve) => (release = resolve));
    });
    const child = spawn(process.execPath, [CLI, 'purge'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(async () => (await db.sql`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'lock table%'`).length > 0, {
        timeoutMs: 20_000,
        what: 'the first batch waiting',
      });
      child.kill('SIGINT');
      await waitFor(() => stderr.includes('stopping after the batch in hand'), { what: 'the CLI acknowledging Ctrl-C' });
      release();
      await ingest;
      expect(await exited, stderr).toBe(130);
    } finally {
      release?.();
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(stdout).toMatch(/^batch 1: 500 closed tickets \(#\d+ … #\d+\): 500 messages/m);
    expect(stdout).toContain('purge stopped after 1 batch: 500 tickets purged; run the same command again to go on');
    expect(await remaining()).toBe(TICKETS + 1 - 500);

    const rest = await runCli(['purge', '--json'], env);
    expect(rest.code, rest.stderr).toBe(0);
    const report = JSON.parse(rest.stdout) as PurgeReport;
    expect(report).toMatchObject({ dryRun: false, stopped: false, batches: 2, total: { tickets: TICKETS - 500, blobs: 1, blobBytes: LOGO.length } });
    expect((await db.sql`select subject from tickets`).map((r) => r.subject)).toEqual(['recent']);
    expect(await db.sql`select sha256 from attachment_blobs`).toEqual([]);

    const again = await runCli(['purge'], env);
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain('purge done: 0 tickets purged in 0 batches; nothing was due');
  });
});
