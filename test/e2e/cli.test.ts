import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnDaemon, type DaemonProcess } from '../support/cli.js';
import { ADMIN_URL, databaseUrl } from '../support/database.js';
import { DOVECOT_PASSWORD, freePort } from '../support/dovecot.js';
import { deleteRedisKeys, mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { buildMail } from '../support/mail.js';
import { waitFor } from '../support/wait.js';

const LIST_FIELDS = [
  'assignee',
  'createdAt',
  'customer',
  'department',
  'firstResponseDueAt',
  'nextResponseDueAt',
  'number',
  'priority',
  'resolutionDueAt',
  'slaBreached',
  'status',
  'subject',
  'tags',
  'updatedAt',
];

let harness: MailboxHarness | null = null;
let daemon: DaemonProcess | null = null;
const databases: string[] = [];

const E2E_PREFIX = `hdtest-e2e-${process.pid}`;

afterEach(async () => {
  await daemon?.kill('SIGKILL');
  daemon = null;
  await deleteRedisKeys('redis://127.0.0.1:6379', E2E_PREFIX);
  await harness?.close();
  harness = null;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  for (const name of databases.splice(0)) await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
});

async function tempFile(name: string, text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'helpdesk-e2e-')), name);
  await writeFile(file, text);
  return file;
}

function freshDatabase(): string {
  const name = `helpdesk_e2e_${randomBytes(4).toString('hex')}`;
  databases.push(name);
  return databaseUrl(name);
}

describe('helpdesk config check', () => {
  it('exits 0 for the example config', async () => {
    const result = await runCli(['config', 'check', '--config', 'helpdesk.example.yaml'], { SUPPORT_IMAP_PASSWORD: 'x' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/helpdesk\.example\.yaml: OK \(1 mailbox/);
  });

  it('exits 1 and names file, line, column and key of every problem', async () => {
    const file = await tempFile(
      'bad.yaml',
      ['mailboxes:', '  - name: support', '    address: support@example.test', '    defaultPriority: critical', '    imap: { host: h, user: u, pasword: x }'].join('\n'),
    );
    const result = await runCli(['config', 'check', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:4:22 mailboxes[0].defaultPriority:`);
    expect(result.stderr).toContain(`${file}:5:31 mailboxes[0].imap.pasword: unknown key`);
  });
});

describe('helpdesk migrate', () => {
  it('creates a missing database and applies the migrations', async () => {
    const url = freshDatabase();
    const result = await runCli(['migrate'], { DATABASE_URL: url });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const sql = postgres(url, { max: 1 });
    const tables = await sql`select count(*)::int as n from information_schema.tables where table_name in ('tickets', 'messages', 'events', 'mailbox_state')`;
    await sql.end();
    expect(tables[0]!.n).toBe(4);
  });
});

describe('helpdesk start and tickets', () => {
  it('turns mail into tickets that `tickets list/show --json` print with the documented fields', async () => {
    harness = await mailboxHarness();
    const env = { DATABASE_URL: harness.db.url, IMAP_PASSWORD: DOVECOT_PASSWORD, HELPDESK_QUEUE_PREFIX: harness.queuePrefix };
    daemon = spawnDaemon(['--config', harness.configFile], env);
    await daemon.waitForLog('watching mailbox');
    const first = buildMail({ subject: 'Cannot log in' });
    await harness.append(first.raw);
    await harness.append(buildMail({ subject: 'Re: Cannot log in', inReplyTo: first.messageId! }).raw);
    await waitFor(async () => (await harness!.messageCount()) === 2, { what: 'both mails stored' });

    const list = await runCli(['tickets', 'list', '--json'], env);
    expect(list.code).toBe(0);
    const tickets = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(tickets).toHaveLength(1);
    expect(Object.keys(tickets[0]!).sort()).toEqual(LIST_FIELDS);
    expect(tickets[0]).toMatchObject({ subject: 'Cannot log in', status: 'new', priority: 'medium', customer: 'carol@customer.test', tags: [] });

    const show = await runCli(['tickets', 'show', String(tickets[0]!.number), '--json'], env);
    const detail = JSON.parse(show.stdout) as { messages: Record<string, unknown>[]; events: Record<string, unknown>[] };
    expect(Object.keys(detail).sort()).toEqual([...LIST_FIELDS, 'events', 'messages'].sort());
    expect(Object.keys(detail.messages[0]!).sort()).toEqual(['createdAt', 'direction', 'from', 'kind', 'messageId', 'subject', 'text', 'to']);
    expect(detail.messages.map((m) => m.kind)).toEqual(['customer', 'auto_ack', 'notification', 'customer', 'notification']);
    expect(Object.keys(detail.events[0]!).sort()).toEqual(['actor', 'createdAt', 'data', 'type']);
    expect(detail.events.map((e) => e.type)).toEqual(['created', 'customer_replied']);

    const filtered = await runCli(['tickets', 'list', '--status', 'open', '--json'], env);
    expect(JSON.parse(filtered.stdout)).toEqual([]);
    const table = await runCli(['tickets', 'list'], env);
    expect(table.stdout).toMatch(/^#\s+STATUS\s+PRIORITY\s+CUSTOMER/);
    expect(table.stdout).toContain('Cannot log in');
    const missing = await runCli(['tickets', 'show', '999999'], env);
    expect(missing.code).toBe(1);

    expect(await daemon.kill('SIGTERM')).toBe(0);
    expect(JSON.stringify(daemon.logs)).not.toContain(DOVECOT_PASSWORD);
  });

  it('changes a ticket with `tickets set` and orders the work queue by due time, then waiting time', async () => {
    harness = await mailboxHarness();
    const env = { DATABASE_URL: harness.db.url, IMAP_PASSWORD: DOVECOT_PASSWORD, HELPDESK_QUEUE_PREFIX: harness.queuePrefix };
    await harness.start();
    for (const subject of ['first', 'second', 'third']) await harness.append(buildMail({ subject }).raw);
    const rows = await waitFor(async () => {
      const t = await harness!.tickets();
      return t.length === 3 ? t : null;
    }, { what: 'three tickets' });
    await harness.stopDaemon();
    const [first, second, third] = rows;
    await harness.db.sql`update tickets set resolution_due_at = now() + interval '1 hour' where id = ${first!.id}`;
    await harness.db.sql`update tickets set first_response_due_at = now() - interval '1 minute' where id = ${third!.id}`;

    const set = await runCli(['tickets', 'set', String(second!.number), '--priority', 'urgent', '--assign', 'Alice', '--config', harness.configFile], env);
    expect(set.stderr).toBe('');
    expect(set.stdout).toContain('assigned, priority_changed');
    const shown = JSON.parse((await runCli(['tickets', 'show', String(second!.number), '--json'], env)).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ priority: 'urgent', assignee: 'alice@example.test' });
    const bad = await runCli(['tickets', 'set', String(second!.number), '--assign', 'nobody', '--config', harness.configFile], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no agent "nobody"');

    const queue = JSON.parse((await runCli(['tickets', 'list', '--to-solve', '--json'], env)).stdout) as { number: number; slaBreached: boolean }[];
    expect(queue.map((t) => t.number)).toEqual([third!.number, first!.number, second!.number]);
    expect(queue.map((t) => t.slaBreached)).toEqual([true, false, false]);
    const table = await runCli(['tickets', 'list', '--to-solve'], env);
    expect(table.stdout).toMatch(/BREACHED/);
  });

  it('keeps running and retrying, saying so, while a mailbox is unreachable', async () => {
    const port = await freePort();
    const config = await tempFile(
      'helpdesk.yaml',
      [
        'mailboxes:',
        '  - name: support',
        '    address: support@example.test',
        `    imap: { host: 127.0.0.1, port: ${port}, secure: false, user: support@example.test, password: \${PW} }`,
      ].join('\n'),
    );
    daemon = spawnDaemon(['--config', config], { DATABASE_URL: freshDatabase(), PW: 'hunter2-secret', HELPDESK_QUEUE_PREFIX: E2E_PREFIX });
    const started = await daemon.waitForLog('helpdesk started');
    expect(started.mailboxes).toEqual([`support <support@example.test> 127.0.0.1:${port}/INBOX`]);
    await waitFor(() => daemon!.logs.filter((l) => l.msg === 'mailbox unreachable or connection lost; retrying').length >= 2, {
      timeoutMs: 20_000,
      what: 'two logged retries',
    });
    const retry = daemon.logs.find((l) => l.msg === 'mailbox unreachable or connection lost; retrying')!;
    expect(retry).toMatchObject({ mailbox: 'support', host: '127.0.0.1', port, level: 'warn' });
    expect(JSON.stringify(retry.error)).toContain('ECONNREFUSED');
    expect(daemon.child.exitCode).toBeNull();
    expect(JSON.stringify(daemon.logs)).not.toContain('hunter2-secret');
    expect(await daemon.kill('SIGTERM')).toBe(0);
  });
});
