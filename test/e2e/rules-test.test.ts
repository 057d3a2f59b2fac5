import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, afterAll, beforeAll, expect, it } from 'vitest';
import type { DryRunReport } from '../../src/usecases/dry-run.js';
import { runCli } from '../support/cli.js';
import { corpusFiles, describeCorpus } from '../support/corpus.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/dovecot.js';

const CONFIG = `
mailboxes:
  - name: support
    address: support@example.test
    imap: { host: 127.0.0.1, user: support@example.test }
agents:
  - { name: Alice, email: alice@example.test, departments: [general] }
sla:
  policies: { high: { firstResponse: 4h } }
rules:
  - name: machine domain
    when: { from: { domain: machine.example } }
    then: { priority: high, tags: [machines] }
  - name: greetings
    when: { all: [ { subject: { matches: "^saying (hello|goodbye)$" } }, { not: { body: { contains: invoice } } } ] }
    then: { tags: [smalltalk] }
  - name: diverted replies are spam
    when: { header: { name: Reply-To, matches: "smith@home" } }
    then: { status: spam, stop: true }
  - name: never reached after a stop
    when: { from: { glob: "*" } }
    then: { tags: [late] }
`;

let db: TestDatabase;
let config: string;
const corpus = (name: string) => corpusFiles('.eml').find((f) => f.endsWith(name))!;

beforeAll(async () => {
  db = await createTestDatabase(inject('templateDb'));
  config = join(await mkdtemp(join(tmpdir(), 'helpdesk-rules-')), 'helpdesk.yaml');
  await writeFile(config, CONFIG);
});

afterAll(async () => {
  await db.drop();
});

async function dryRun(file: string, databaseUrl = db.url): Promise<DryRunReport> {
  const result = await runCli(['rules', 'test', join(process.env.HELPDESK_CORPUS!, file), '--config', config, '--json'], { DATABASE_URL: databaseUrl });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as DryRunReport;
}

describeCorpus('helpdesk rules test on corpus mails', () => {
  it('shows the matching rules, why, and the resulting ticket for a customer mail', async () => {
    const report = await dryRun(corpus('rfc2822-appendix-a2/example05.eml'));
    expect(report.classification.kind).toBe('customer');
    expect(report.threading).toMatchObject({ decision: 'new', ticket: null });
    expect(report.rules).toEqual([
      { rule: 'machine domain', why: ['from jdoe@machine.example is in domain machine.example'] },
      { rule: 'greetings', why: ['subject matches /^saying (hello|goodbye)$/', 'not: the inner condition did not hold'] },
      { rule: 'never reached after a stop', why: ['from jdoe@machine.example matches *'] },
    ]);
    expect(report.result).toMatchObject({ priority: 'high', tags: ['machines', 'smalltalk', 'late'], status: 'new', acknowledgement: { send: true } });
    expect(report.result.sla.firstResponseDueAt).not.toBeNull();
  });

  it('runs no rules for an auto-reply or a bounce', async () => {
    const auto = await dryRun(corpus('autoreplies/sisimai/bsd/rfc3834-01.eml'));
    expect(auto).toMatchObject({ classification: { kind: 'auto_reply' }, trigger: null, rules: [] });
    const bounce = await dryRun(corpus('bounces/sisimai/dos/lhost-postfix-01.eml'));
    expect(bounce).toMatchObject({ classification: { kind: 'bounce' }, trigger: null, rules: [] });
  });

  it('stops at a rule with stop: true, and would not acknowledge a mail a rule marks spam', async () => {
    const report = await dryRun(corpus('rfc2822-appendix-a2/example06.eml'));
    expect(report.rules.map((r) => r.rule)).toEqual(['diverted replies are spam']);
    expect(report.result.status).toBe('spam');
    expect(report.result.tags).toEqual([]);
    expect(report.result.acknowledgement.send).toBe(false);
  });

  it('says so when the database cannot be reached, and treats the mail as new', async () => {
    const report = await dryRun(corpus('rfc2822-appendix-a2/example06.eml'), `postgres://postgres@127.0.0.1:${await freePort()}/none`);
    expect(report.threading.decision).toBe('new');
    expect(report.threading.note).toMatch(/database not reachable/);
  });

  it('prints a readable report', async () => {
    const result = await runCli(['rules', 'test', join(process.env.HELPDESK_CORPUS!, corpus('rfc2822-appendix-a2/example05.eml')), '--config', config], { DATABASE_URL: db.url });
    expect(result.stdout).toContain('matching rules');
    expect(result.stdout).toContain('because from jdoe@machine.example is in domain machine.example');
    expect(result.stdout).toMatch(/priority\s+high/);
  });
});
