import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * `helpdesk attachments` against a database seeded in SQL with what ingest
 * stores (attachments rows, content once per sha256 in attachment_blobs),
 * including names and types a hostile sender would write.
 */

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d2a1a10000000049454e44ae426082',
  'hex',
);
const EXE = Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000b8', 'hex'), Buffer.alloc(300, 7)]);
const TEXT = Buffer.from('root:x:0:0:not really\n');
const NOTES = Buffer.from('Printer on floor 2, error 42.\n');
const OTHER = Buffer.from('belongs to another ticket\n');

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Seed {
  readonly filename: string | null;
  readonly contentType: string;
  /** null: over the size cap, metadata only. */
  readonly content: Buffer | null;
  readonly size?: number;
}

let db: TestDatabase;
let env: Record<string, string>;
let ticket: number;
let otherTicket: number;
let first: number;
let second: number;
let otherMessage: number;

async function insertTicket(subject: string): Promise<{ number: number; id: string }> {
  const [contact] = await db.sql<{ id: string }[]>`
    insert into contacts (email, name) values ('carol@customer.test', 'Carol') on conflict (email) do update set name = excluded.name returning id`;
  const [row] = await db.sql<{ id: string; number: string }[]>`
    insert into tickets (subject, priority, department, requester_id, mailbox) values (${subject}, 'medium', 'general', ${contact!.id}, 'support')
    returning id, number`;
  return { id: row!.id, number: Number(row!.number) };
}

async function insertMessage(ticketId: string, files: readonly Seed[]): Promise<number> {
  const [message] = await db.sql<{ id: string }[]>`
    insert into messages (ticket_id, direction, kind, from_address, subject, text)
    values (${ticketId}, 'in', 'customer', 'carol@customer.test', 'Files', 'see attached') returning id`;
  for (const file of files) {
    const hash = sha256(file.content ?? Buffer.from(file.filename ?? ''));
    const size = file.size ?? file.content!.length;
    if (file.content) {
      await db.sql`insert into attachment_blobs (sha256, size, content) values (${hash}, ${size}, ${file.content}) on conflict do nothing`;
    }
    await db.sql`
      insert into attachments (message_id, sha256, stored, filename, content_type, size)
      values (${message!.id}, ${hash}, ${file.content !== null}, ${file.filename}, ${file.contentType}, ${size})`;
  }
  return Number(message!.id);
}

beforeAll(async () => {
  db = await createTestDatabase(inject('templateDb'));
  env = { DATABASE_URL: db.url };
  const main = await insertTicket('Printer broken');
  ticket = main.number;
  first = await insertMessage(main.id, [
    { filename: 'screenshot.png', contentType: 'image/png', content: PNG },
    { filename: '../../etc/passwd', contentType: 'text/plain', content: TEXT },
    { filename: 'invoice.pdf', contentType: 'application/pdf', content: EXE },
    { filename: 'invoice\u202Egnp.exe', contentType: 'image/png', content: EXE },
  ]);
  second = await insertMessage(main.id, [
    { filename: 'CON.txt', contentType: 'text/plain', content: NOTES },
    { filename: null, contentType: 'image/png', content: PNG },
    { filename: 'huge.iso', contentType: 'application/octet-stream', content: null, size: 40 * 1024 * 1024 },
    { filename: 'C:\\Users\\carol\\Screenshot.PNG', contentType: 'image/png', content: PNG },
  ]);
  const other = await insertTicket('Something else');
  otherTicket = other.number;
  otherMessage = await insertMessage(other.id, [{ filename: 'other.txt', contentType: 'text/plain', content: OTHER }]);
});

afterAll(async () => {
  await db?.drop();
});

async function outDir(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'helpdesk-attachments-')), 'out');
}

async function hashesIn(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, sha256(await readFile(join(dir, n)))] as const)));
}

describe('helpdesk attachments', () => {
  it("writes a ticket's stored attachments under safe names, with the stored bytes, and lists the one over the cap", async () => {
    const out = await outDir();
    const result = await runCli(['attachments', String(ticket), '--out', out], env);
    expect(result.code, result.stderr).toBe(0);

    expect(await hashesIn(out)).toEqual({
      'screenshot.png': sha256(PNG),
      'passwd': sha256(TEXT),
      'invoice.pdf.exe': sha256(EXE),
      'invoicegnp.exe': sha256(EXE),
      '_CON.txt': sha256(NOTES),
      'attachment-6.png': sha256(PNG),
      'Screenshot (2).PNG': sha256(PNG),
    });

    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      `saved ${join(out, 'screenshot.png')} (image/png, 70 B) from message ${first}`,
      `saved ${join(out, 'passwd')} (text/plain, 22 B) from message ${first}`,
      `saved ${join(out, 'invoice.pdf.exe')} (application/x-msdownload, 317 B) from message ${first}: declared application/pdf, content is application/x-msdownload; ".exe" added to the name: the content is application/x-msdownload`,
      `saved ${join(out, 'invoicegnp.exe')} (application/x-msdownload, 317 B) from message ${first}: declared image/png, content is application/x-msdownload`,
      `saved ${join(out, '_CON.txt')} (text/plain, 30 B) from message ${second}`,
      `saved ${join(out, 'attachment-6.png')} (image/png, 70 B) from message ${second}`,
      `skipped "huge.iso" (40 MB) from message ${second}: over the size cap when it arrived: only its name and size were kept`,
      `saved ${join(out, 'Screenshot (2).PNG')} (image/png, 70 B) from message ${second}`,
      `saved 7 files of ticket #${ticket} into ${out}, skipped 1`,
    ]);
  });

  it('never overwrites: a second run into the same folder writes "(2)" names and leaves the first files alone', async () => {
    const out = await outDir();
    expect((await runCli(['attachments', String(ticket), '--out', out], env)).code).toBe(0);
    const before = await hashesIn(out);
    await writeFile(join(out, 'screenshot.png'), 'edited by the agent');

    const again = await runCli(['attachments', String(ticket), '--out', out, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const saved = (JSON.parse(again.stdout) as { saved: { file: string }[] }).saved.map((s) => s.file);
    // `Screenshot (2).PNG` from the first run takes `screenshot (2).png` too: names are compared ignoring case (Windows, macOS).
    expect(saved).toEqual(
      ['screenshot (3).png', 'passwd (2)', 'invoice.pdf (2).exe', 'invoicegnp (2).exe', '_CON (2).txt', 'attachment-6 (2).png', 'Screenshot (4).PNG'].map((n) => join(out, n)),
    );
    const after = await hashesIn(out);
    expect(await readFile(join(out, 'screenshot.png'), 'utf8')).toBe('edited by the agent');
    for (const [name, hash] of Object.entries(before)) if (name !== 'screenshot.png') expect(after[name]).toBe(hash);
    expect(Object.keys(after).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('does not follow a symlink planted under a name it would use', async () => {
    const out = await outDir();
    const elsewhere = await mkdtemp(join(tmpdir(), 'helpdesk-victim-'));
    await writeFile(join(elsewhere, 'passwd'), 'precious');
    await mkdir(out);
    await symlink(join(elsewhere, 'passwd'), join(out, 'passwd'));
    await symlink(join(elsewhere, 'missing'), join(out, 'passwd (2)'));

    const result = await runCli(['attachments', String(ticket), '--message', String(first), '--out', out], env);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(elsewhere, 'passwd'), 'utf8')).toBe('precious');
    expect(await readdir(elsewhere)).toEqual(['passwd']);
    expect(sha256(await readFile(join(out, 'passwd (3)')))).toBe(sha256(TEXT));
  });

  it('--message writes only that message\'s attachments; --json prints what was saved and skipped', async () => {
    const out = await outDir();
    const result = await runCli(['attachments', `#${ticket}`, '--message', String(second), '--out', out, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ticket,
      saved: [
        { messageId: second, file: join(out, '_CON.txt'), filename: 'CON.txt', contentType: 'text/plain', declaredType: 'text/plain', size: NOTES.length, sha256: sha256(NOTES) },
        { messageId: second, file: join(out, 'attachment-2.png'), filename: null, contentType: 'image/png', declaredType: 'image/png', size: PNG.length, sha256: sha256(PNG) },
        { messageId: second, file: join(out, 'Screenshot.PNG'), filename: 'C:\\Users\\carol\\Screenshot.PNG', contentType: 'image/png', declaredType: 'image/png', size: PNG.length, sha256: sha256(PNG) },
      ],
      skipped: [{ messageId: second, filename: 'huge.iso', size: 40 * 1024 * 1024, reason: 'over the size cap when it arrived: only its name and size were kept' }],
    });
    expect((await readdir(out)).sort()).toEqual(['Screenshot.PNG', '_CON.txt', 'attachment-2.png']);
  });

  it('exits 1 for an unknown ticket, and for a message that is not on the ticket', async () => {
    const out = await outDir();
    const unknown = await runCli(['attachments', '999999', '--out', out], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no ticket #999999');

    const elsewhere = await runCli(['attachments', String(ticket), '--message', String(otherMessage), '--out', out], env);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`message ${otherMessage} is not on ticket #${ticket}`);

    const ok = await runCli(['attachments', String(otherTicket), '--message', String(otherMessage), '--out', out], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await readdir(out)).toEqual(['other.txt']);
  });
});
