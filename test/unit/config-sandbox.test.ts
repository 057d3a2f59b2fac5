import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { at, FILE, problemsOf } from '../support/config-text.js';

const MAILBOX = ['mailboxes:', '  - name: support', '    address: support@example.test', '    imap: { host: h, user: u }'];

describe('config cannot reach outside: template files', () => {
  it.each<[string, string]>([
    ['an absolute path', '/proc/self/environ'],
    ['a path up and out', '../secrets.txt'],
    ['a path that climbs out further in', 'mail/../../secrets.txt'],
  ])('refuses %s, located at the file key, without reading it', (_, path) => {
    const lines = [...MAILBOX, 'templates:', `  acknowledgement: { file: ${path} }`];
    const asked: string[] = [];
    const problems = problemsOf(lines, {}, (p) => (asked.push(p), 'leaked'));
    expect(problems).toEqual([
      { file: FILE, ...at(lines, path), key: 'templates.acknowledgement.file', message: `template file ${path} is outside the config file's folder: write a path inside it (relative to the config file)` },
    ]);
    expect(asked).toEqual([]);
  });

  it('refuses a symbolic link that leads outside the folder, and reads one that stays inside', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helpdesk-sandbox-'));
    const outside = await mkdtemp(join(tmpdir(), 'helpdesk-outside-'));
    await writeFile(join(outside, 'secret.txt'), 'TOP SECRET');
    await mkdir(join(dir, 'mail'));
    await writeFile(join(dir, 'mail', 'ack.txt'), 'Hello {{customer.name}}');
    await symlink(join(outside, 'secret.txt'), join(dir, 'mail', 'evil.txt'));
    await symlink(join(dir, 'mail', 'ack.txt'), join(dir, 'mail', 'alias.txt'));
    const file = join(dir, 'helpdesk.yaml');

    await writeFile(file, [...MAILBOX, 'templates:', '  acknowledgement: { file: mail/evil.txt }'].join('\n'));
    const refused = await loadConfigFile(file, {});
    expect(refused.ok ? [] : refused.problems.map((p) => p.message)).toEqual([
      "cannot read template file mail/evil.txt: it leads outside the config file's folder (a symbolic link?)",
    ]);

    await writeFile(file, [...MAILBOX, 'templates:', '  acknowledgement: { file: mail/alias.txt }'].join('\n'));
    const read = await loadConfigFile(file, {});
    expect(read.ok && read.config.templates.acknowledgement!.text).toBe('Hello {{customer.name}}');
  });
});

describe('config cannot reach outside: ${VAR}', () => {
  it('reads variables in connection settings and secrets', () => {
    const lines = ['mailboxes:', '  - name: support', '    address: support@example.test', '    imap: { host: "${HOST}", user: "${USER}", password: ${PW} }', 'http: { port: 8080, token: ${WEB} }'];
    const result = parseConfig(lines.join('\n'), FILE, { HOST: 'imap.example.test', USER: 'u', PW: 'p', WEB: 't' });
    expect(result.ok && result.config.mailboxes[0]!.imap).toMatchObject({ host: 'imap.example.test', user: 'u', password: 'p' });
  });

  it.each<[string, string, string]>([
    ['a template text', '  acknowledgement: { text: "key ${HELPDESK_TOKEN_KEY}" }', 'templates.acknowledgement.text'],
    ['a template subject', '  acknowledgement: { subject: "${HELPDESK_TOKEN_KEY}", text: hi }', 'templates.acknowledgement.subject'],
  ])('refuses one in %s, where its value would be mailed', (_, line, key) => {
    const lines = [...MAILBOX, 'templates:', line];
    const problems = problemsOf(lines, { HELPDESK_TOKEN_KEY: 'the-token-key-value' });
    expect(problems).toEqual([{ file: FILE, ...at(lines, '"', line), key, message: expect.stringMatching(/^\$\{VARIABLE\} is read only in connection settings and secrets/) }]);
    expect(JSON.stringify(problems)).not.toContain('the-token-key-value');
  });

  it('refuses one in a rule', () => {
    const lines = [...MAILBOX, 'rules:', '  - name: r', '    when: { subject: { contains: "${SECRET_WORD}" } }', '    then: { priority: high }'];
    expect(problemsOf(lines, { SECRET_WORD: 'x' }).map((p) => p.key)).toEqual(['rules[0].when.subject.contains']);
  });
});

describe('YAML problems of every kind are located problems, never exceptions', () => {
  it('an alias bomb ("billion laughs")', () => {
    const lines = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      ...MAILBOX,
    ];
    const problems = problemsOf(lines);
    expect(problems).toEqual([{ file: FILE, ...at(lines, '*a'), key: '', message: expect.stringMatching(/alias.*at most 100 aliases/i) }]);
  });

  it('a duplicate key', () => {
    const lines = [...MAILBOX, 'ticketPrefix: "#"', 'ticketPrefix: "T#"'];
    expect(problemsOf(lines)).toEqual([{ file: FILE, line: 6, column: 1, key: '', message: expect.stringMatching(/unique/i) }]);
  });

  it('a tab used for indentation', () => {
    const lines = ['mailboxes:', '\t- name: support'];
    expect(problemsOf(lines)).toEqual([expect.objectContaining({ file: FILE, line: 2, key: '' })]);
  });
});
