import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject, afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DryRunReport } from '../../src/usecases/dry-run.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/rules-test/', import.meta.url));
const CONFIG = ['mailboxes:', '  - name: support', '    address: support@example.test', '    imap: { host: 127.0.0.1, user: support@example.test }'].join('\n');

let db: TestDatabase;
let config: string;

beforeAll(async () => {
  db = await createTestDatabase(inject('templateDb'));
  config = join(await mkdtemp(join(tmpdir(), 'helpdesk-rules-')), 'helpdesk.yaml');
  await writeFile(config, CONFIG);
});

afterAll(async () => {
  await db.drop();
});

const rulesTest = (...args: string[]) => runCli(['rules', 'test', ...args, '--config', config], { DATABASE_URL: db.url });

describe('helpdesk rules test on several mails', () => {
  it('prints a JSON array, one entry per file in order, each with the new text and, for a bounce, what it returns', async () => {
    const files = [join(FIXTURES, 'customer-reply.eml'), join(FIXTURES, 'bounce.eml'), join(FIXTURES, 'customer-reply.eml')];
    const result = await rulesTest(...files, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const entries = JSON.parse(result.stdout) as (DryRunReport & { file: string })[];
    expect(entries.map((e) => [e.file, e.classification.kind])).toEqual([
      [files[0], 'customer'],
      [files[1], 'bounce'],
      [files[2], 'customer'],
    ]);
    // The quoted acknowledgement and its "On … wrote:" line are gone; the signature name stays.
    expect(entries[0]!.reply).toEqual({ text: 'The fire is out, but the printer still jams on page two.\n\nCarol' });
    expect(entries[0]!.bounce).toBeNull();
    expect(entries[1]!.bounce).toEqual({ originalMessageIds: ['reply-out-77@example.test'], status: '5.1.1' });
  });

  it('keeps one file a single object, as before', async () => {
    const result = await rulesTest(join(FIXTURES, 'bounce.eml'), '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as DryRunReport;
    expect(Array.isArray(report)).toBe(false);
    expect(report.classification.kind).toBe('bounce');
  });

  it('answers for the files it can read, names the one it cannot, and exits 1', async () => {
    const missing = join(FIXTURES, 'no-such-mail.eml');
    const result = await rulesTest(join(FIXTURES, 'customer-reply.eml'), missing, '--json');
    expect(result.code).toBe(1);
    const entries = JSON.parse(result.stdout) as { file: string; error?: string }[];
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ file: missing, error: expect.stringContaining('ENOENT') });
  });

  it('shows the new text in the readable report, each file under its name', async () => {
    const result = await rulesTest(join(FIXTURES, 'customer-reply.eml'), join(FIXTURES, 'bounce.eml'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`== ${join(FIXTURES, 'customer-reply.eml')}`);
    expect(result.stdout).toContain('  | The fire is out, but the printer still jams on page two.');
    expect(result.stdout).toContain('bounce          status 5.1.1, returns reply-out-77@example.test');
  });
});
