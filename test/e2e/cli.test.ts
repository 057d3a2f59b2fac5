import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { LIST_FIELDS, runCli, spawnDaemon, type DaemonProcess } from '../support/cli.js';
import { ADMIN_URL, databaseUrl } from '../support/database.js';
import { DOVECOT_PASSWORD, freePort } from '../support/dovecot.js';
import { deleteRedisKeys, mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { buildDsn, buildMail } from '../support/mail.js';
import { waitFor } from '../support/wait.js';


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

/** A module preloaded into the CLI that prints, at exit, the packages it loaded through require (CommonJS ones: mailparser, imapflow, ioredis…). */
async function loadedPackagesProbe(): Promise<string> {
  return tempFile(
    'probe.mjs',
    [
      "import { createRequire } from 'node:module';",
      'const cache = createRequire(import.meta.url).cache;',
      "process.on('exit', () => process.stderr.write(`LOADED ${JSON.stringify([...new Set(Object.keys(cache).filter((k) => k.includes('/node_modules/')).map((k) => k.split('/node_modules/').at(-1).split('/')[0]))])}\\n`));",
    ].join('\n'),
  );
}

function loadedPackages(stderr: string): string[] {
  const line = stderr.split('\n').find((l) => l.startsWith('LOADED '));
  if (!line) throw new Error(`no LOADED line in: ${stderr}`);
  return JSON.parse(line.slice('LOADED '.length)) as string[];
}

const DAEMON_PACKAGES = ['mailparser', 'imapflow', 'ioredis', 'bullmq', 'nodemailer', 'pino', 'mailauth', 'sanitize-html', 'piscina'];

describe('helpdesk starts without loading the daemon', () => {
  it('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('--help lists every command and loads commander alone', async () => {
    const result = await runCli(['--help'], { NODE_OPTIONS: `--import ${await loadedPackagesProbe()}` });
    expect(result.code).toBe(0);
    for (const command of ['start', 'migrate', 'config', 'tickets', 'mail', 'rules', 'import', 'demo']) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(loadedPackages(result.stderr)).toEqual(['commander']);
    const mail = await runCli(['mail', '--help']);
    expect(mail.stdout).toMatch(/^ {2}unthreaded \[options\]/m);
  });

  it('`tickets list` and `config check` load none of the daemon\'s mail, queue or logging packages', async () => {
    const probe = { NODE_OPTIONS: `--import ${await loadedPackagesProbe()}` };
    const url = freshDatabase();
    expect((await runCli(['migrate'], { DATABASE_URL: url })).code).toBe(0);
    const list = await runCli(['tickets', 'list'], { ...probe, DATABASE_URL: url });
    expect(list.stdout).toBe('no tickets\n');
    const check = await runCli(['config', 'check', '--config', 'helpdesk.example.yaml'], { ...probe, SUPPORT_IMAP_PASSWORD: 'x' });
    expect(check.code).toBe(0);
    for (const stderr of [list.stderr, check.stderr]) expect(loadedPackages(stderr).filter((p) => DAEMON_PACKAGES.includes(p))).toEqual([]);
  });
});

describe('helpdesk import and demo send: arguments', () => {
  it('refuses a --since that is no date, saying how to write one', async () => {
    const result = await runCli(['import', '--mailbox', 'support', '--since', '2026-02-30']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"2026-02-30" is not a date: write 2026-01-31 or 2026-01-31T09:00');
    const missing = await runCli(['import', '--since', '2026-01-31']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--mailbox <name>' not specified");
  });

  it('needs a subject for demo send', async () => {
    const result = await runCli(['demo', 'send']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("missing required argument 'subject'");
  });

  it('mail replay without an id or --all says what to give', async () => {
    const result = await runCli(['mail', 'replay']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('give an entry id or --all');
  });
});

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
  it('names the absolute path of a missing file and how to name another, for every command that reads the config', async () => {
    const missing = join(await mkdtemp(join(tmpdir(), 'helpdesk-e2e-')), 'missing.yaml');
    const hint = 'name another with --config FILE or HELPDESK_CONFIG';
    const eml = await tempFile('mail.eml', buildMail().raw);
    const unreachable = { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none` };
    for (const args of [
      ['config', 'check'],
      ['start'],
      ['tickets', 'set', '1', '--priority', 'high'],
      ['rules', 'test', eml],
      ['mail', 'replay', '--all'],
    ]) {
      const result = await runCli([...args, '--config', missing], unreachable);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toContain(`file not found: ${missing} (${hint})`);
    }
    const relative = await runCli(['config', 'check'], { HELPDESK_CONFIG: 'no-such-helpdesk.yaml' });
    expect(relative.code).toBe(1);
    expect(relative.stderr).toContain(`file not found: ${resolve('no-such-helpdesk.yaml')} (${hint})`);
  });

  it('reports schema, environment and template problems in one pass', async () => {
    const file = await tempFile(
      'bad.yaml',
      [
        'mailboxes:',
        '  - name: support',
        '    address: support@example.test',
        '    defaultPriority: critical',
        '    imap: { host: h, user: u, password: ${UNSET_PASSWORD_E2E} }',
        'templates:',
        '  acknowledgement: { text: "Hello {{customer.nmae}}" }',
        'rules:',
        '  - name: answer invoices',
        '    when: { subject: { contains: invoice } }',
        '    then: { reply: { text: "See {{ticket.nope}}" } }',
      ].join('\n'),
    );
    const result = await runCli(['config', 'check', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter((l) => l.startsWith(file))).toEqual([
      expect.stringMatching(/:4:22 mailboxes\[0\]\.defaultPriority: Invalid option/),
      expect.stringMatching(/:5:41 mailboxes\[0\]\.imap\.password: environment variable UNSET_PASSWORD_E2E is not set$/),
      expect.stringMatching(/:7:28 templates\.acknowledgement\.text: unknown placeholder \{\{customer\.nmae\}\}/),
      expect.stringMatching(/:11:28 rules\[0\]\.then\.reply\.text: unknown placeholder \{\{ticket\.nope\}\}/),
      `${file}: 4 problem(s)`,
    ]);
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
    expect(Object.keys(detail.messages[0]!).sort()).toEqual(['createdAt', 'direction', 'from', 'id', 'kind', 'messageId', 'subject', 'text', 'to']);
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

describe('helpdesk tickets show (text)', () => {
  it('shows SLA due times and whether breached, tags, assignee, and a history of plain sentences', async () => {
    harness = await mailboxHarness({
      extraConfig: [
        'sla:',
        '  policies: { high: { firstResponse: 4h, resolution: 2d } }',
        'rules:',
        '  - name: customers are important',
        '    when: { from: { domain: customer.test } }',
        '    then: { priority: high, tags: [vip] }',
      ].join('\n'),
    });
    const env = { DATABASE_URL: harness.db.url, IMAP_PASSWORD: DOVECOT_PASSWORD };
    await harness.start();
    await harness.append(buildMail({ subject: 'Printer on fire' }).raw);
    const [ticket] = await waitFor(async () => {
      const rows = await harness!.tickets();
      return rows.length === 1 ? rows : null;
    }, { what: 'the ticket' });
    await harness.stopDaemon();
    expect((await runCli(['tickets', 'set', String(ticket!.number), '--assign', 'Alice', '--config', harness.configFile], env)).code).toBe(0);
    await harness.db.sql`update tickets set first_response_due_at = now() - interval '1 minute' where id = ${ticket!.id}`;

    const shown = await runCli(['tickets', 'show', String(ticket!.number)], env);
    expect(shown.stderr).toBe('');
    const lines = shown.stdout.split('\n');
    expect(lines).toContain('assignee    alice@example.test');
    expect(lines).toContain('tags        vip');
    expect(lines.find((l) => l.startsWith('SLA due'))).toMatch(/^SLA due {5}first response \d{4}-\d\d-\d\d \d\d:\d\d UTC BREACHED · resolution \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);

    const history = lines.slice(lines.findIndex((l) => l.startsWith('History (')) + 1).filter((l) => l.trim());
    expect(history.length).toBeGreaterThanOrEqual(3);
    for (const line of history) expect(line).toMatch(/^ {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}\S+ +[a-z][^{}]+$/);
    expect(history).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ customer:carol@customer\.test +opened the ticket in mailbox support$/),
        expect.stringMatching(/ rule:customers are important +applied rule "customers are important", because from carol@customer\.test is in domain customer\.test$/),
        expect.stringMatching(/ cli +assigned the ticket to alice@example\.test$/),
      ]),
    );
  });
});

describe('helpdesk mail unthreaded', () => {
  it('lists stored mail that threads to no ticket: a stray auto-reply, a stray bounce, forged agent mail', async () => {
    harness = await mailboxHarness();
    const env = { DATABASE_URL: harness.db.url };
    await harness.start();
    await harness.append(buildMail({ subject: 'A real question' }).raw);
    await harness.append(buildMail({ from: 'Dan <dan@customer.test>', subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' }, body: 'I am away until Monday.' }).raw);
    await harness.append(buildDsn('<never-sent-by-us@example.test>', 'gone@customer.test'));
    await harness.append(buildMail({ from: 'Alice <alice@example.test>', subject: 'Refund them all', body: '#status closed' }).raw);
    await waitFor(async () => (await harness!.messageCount()) === 4, { what: 'the four mails stored' });
    await harness.stopDaemon();

    const listed = await runCli(['mail', 'unthreaded', '--json'], env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(Object.keys(rows[0]!).sort()).toEqual(['date', 'from', 'id', 'kind', 'mailbox', 'receivedAt', 'subject']);
    expect(rows.map((r) => r.subject).sort()).toEqual(['Out of office', 'Refund them all', 'Undelivered Mail Returned to Sender']);
    expect(rows.find((r) => r.subject === 'Out of office')).toMatchObject({ mailbox: 'support', kind: 'auto_reply', from: 'dan@customer.test', date: expect.stringMatching(/^\d{4}-/) });
    expect(rows.find((r) => r.subject === 'Undelivered Mail Returned to Sender')).toMatchObject({ kind: 'bounce', from: 'mailer-daemon@mx.customer.test', date: null });
    expect(rows.find((r) => r.subject === 'Refund them all')).toMatchObject({ kind: 'note', from: 'alice@example.test' });
    const ids = rows.map((r) => r.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const limited = JSON.parse((await runCli(['mail', 'unthreaded', '--json', '--limit', '1'], env)).stdout) as { id: number }[];
    expect(limited.map((r) => r.id)).toEqual([ids[0]]);
    const table = await runCli(['mail', 'unthreaded'], env);
    expect(table.stdout).toMatch(/^ID\s+MAILBOX\s+KIND\s+DATE \(UTC\)\s+FROM\s+SUBJECT\n/);
    expect(table.stdout).toMatch(/\bbounce\b.*Undelivered Mail Returned to Sender/);
    const bad = await runCli(['mail', 'unthreaded', '--limit', '0'], env);
    expect(bad.code).toBe(1);
  });
});
