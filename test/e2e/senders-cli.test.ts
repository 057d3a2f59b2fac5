import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ListedSenders } from '../../src/cli/senders.js';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const CONFIG = `
mailboxes:
  - name: support
    address: support@example.test
    imap: { host: 127.0.0.1, user: support@example.test }
senders:
  block: ["*.Bulk.test", "noreply-*@example.com"]
  allow: [boss@eu.bulk.test]
`;

let db: TestDatabase;
let dir: string;
let config: string;

beforeAll(async () => {
  db = await createTestDatabase(inject('templateDb'));
  dir = await mkdtemp(join(tmpdir(), 'helpdesk-senders-'));
  config = join(dir, 'helpdesk.yaml');
  await writeFile(config, CONFIG);
});

afterAll(async () => {
  await db.drop();
});

/** `helpdesk senders …` on the test database; no config file unless `configFile` names one. */
function senders(args: readonly string[], configFile = join(dir, 'missing.yaml')): Promise<CliResult> {
  return runCli(['senders', ...args], { DATABASE_URL: db.url, HELPDESK_CONFIG: configFile });
}

async function listJson(args: readonly string[] = [], configFile?: string): Promise<ListedSenders> {
  const result = await senders(['list', '--json', ...args], configFile);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ListedSenders;
}

describe('helpdesk senders', () => {
  it('blocks a pattern once, in lower case, keeping the first reason', async () => {
    expect(await senders(['block', 'Spam@Example.COM', '--reason', 'sent 40 offers'])).toMatchObject({ code: 0, stdout: 'blocked spam@example.com\n' });
    expect(await senders(['block', 'spam@example.com', '--reason', 'another reason'])).toMatchObject({ code: 0, stdout: 'spam@example.com was already blocked\n' });
    expect(await senders(['block', 'example.org'])).toMatchObject({ code: 0, stdout: 'blocked example.org\n' });

    const list = await listJson();
    expect(list).toEqual({
      blocked: [
        { pattern: 'spam@example.com', reason: 'sent 40 offers', addedBy: 'cli', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), source: 'database' },
        { pattern: 'example.org', reason: '', addedBy: 'cli', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), source: 'database' },
      ],
      allowed: [],
    });
  });

  it('lists without a config file: the database only, saying so on stderr', async () => {
    const result = await senders(['list']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('no config file');
    expect(result.stdout).toMatch(/^PATTERN\s+SOURCE\s+ADDED BY\s+ADDED \(UTC\)\s+REASON$/m);
    expect(result.stdout).toMatch(/^spam@example\.com\s+database\s+cli\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+sent 40 offers$/m);
    expect(result.stdout).not.toContain('config');
  });

  it("lists the config's senders.block and senders.allow, marked as from the config", async () => {
    const list = await listJson(['--config', config]);
    expect(list.blocked.filter((b) => b.source === 'config')).toEqual([
      { pattern: '*.bulk.test', reason: null, addedBy: null, createdAt: null, source: 'config' },
      { pattern: 'noreply-*@example.com', reason: null, addedBy: null, createdAt: null, source: 'config' },
    ]);
    expect(list.blocked.filter((b) => b.source === 'database').map((b) => b.pattern)).toEqual(['spam@example.com', 'example.org']);
    expect(list.allowed).toEqual([{ pattern: 'boss@eu.bulk.test', source: 'config' }]);

    const text = await senders(['list'], config);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^\*\.bulk\.test\s+config\s+-\s+-\s+-$/m);
    expect(text.stdout).toMatch(/^allowed whatever blocks them \(senders\.allow in .*helpdesk\.yaml\):\n {2}boss@eu\.bulk\.test$/m);
  });

  it('refuses what is not a pattern, saying why, and stores nothing', async () => {
    const spaced = await senders(['block', 'spam @example.com']);
    expect(spaced.code).toBe(1);
    expect(spaced.stderr).toContain('not a sender pattern: "spam @example.com" contains whitespace');
    const everyone = await senders(['block', '*@*']);
    expect(everyone.code).toBe(1);
    expect(everyone.stderr).toContain('nothing but wildcards');
    expect(everyone.stdout).toBe('');
    expect((await listJson()).blocked.map((b) => b.pattern)).toEqual(['spam@example.com', 'example.org']);
  });

  it('unblocks what the database lists; exit 1 for anything else, pointing at the config when it blocks it', async () => {
    expect(await senders(['unblock', 'SPAM@example.com'])).toMatchObject({ code: 0, stdout: 'unblocked spam@example.com\n' });
    const again = await senders(['unblock', 'spam@example.com']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("spam@example.com is not in the database's list");

    const fromConfig = await senders(['unblock', '*.bulk.test'], config);
    expect(fromConfig.code).toBe(1);
    expect(fromConfig.stderr).toMatch(/\*\.bulk\.test is also in senders\.block of .*helpdesk\.yaml: remove it there/);
    expect((await listJson()).blocked.map((b) => b.pattern)).toEqual(['example.org']);
  });
});
