import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseConfig } from '../../src/config/load.js';
import type { ConfigProblem } from '../../src/config/load.js';
import { at, FILE, parseOk, problemsOf } from '../support/config-text.js';

const DAY = 86_400_000;

const problem = (lines: readonly string[], token: string, lineMarker: string, key: string, message: string): ConfigProblem => ({
  file: FILE,
  ...at(lines, token, lineMarker),
  key,
  message,
});

const MINIMAL = [
  'mailboxes:',
  '  - name: support',
  '    address: support@example.test',
  '    imap:',
  '      host: imap.example.test',
  '      user: support@example.test',
  '      password: ${SUPPORT_IMAP_PASSWORD}',
];

describe('parseConfig: a valid file', () => {
  it('accepts a minimal config and fills in every default', () => {
    const config = parseOk(MINIMAL, { SUPPORT_IMAP_PASSWORD: 'pw' });
    expect(config).toMatchObject({
      ticketPrefix: '#',
      reopenWindow: 30 * DAY,
      agents: [],
      agentAuth: 'token',
      autoAcknowledge: { enabled: true, limits: { perSender: 5, perTicket: 3, perMailbox: 300, window: 60 * 60_000 } },
      notifications: { enabled: true, afterAssign: 'assignee', attachmentsMaxBytes: 10 * 1024 ** 2 },
      assignOnReply: true,
      customerNotices: { resolved: true, postponed: false },
      language: 'en',
      fallbackLanguage: 'en',
      senders: { block: [], allow: [] },
      outbound: { maxAttempts: 8, retryDelay: 30_000, reconcileEvery: 60_000, stuckAfter: 10 * 60_000 },
      autoClose: { after: 4 * DAY, statuses: ['answered', 'resolved'], notifyCustomer: true },
      sla: { policies: {}, warnBefore: 30 * 60_000, notify: ['assignee'] },
      schedules: { slaScanEvery: 60_000, autoCloseEvery: 15 * 60_000 },
      limits: { maxMessageBytes: 50 * 1024 ** 2, maxAttachmentBytes: 25 * 1024 ** 2, parseTimeout: 10_000, ingestAttempts: 3, participantsPerTicket: 20 },
      rules: [],
    });
    expect(config.mailboxes).toEqual([
      {
        name: 'support',
        address: 'support@example.test',
        department: 'general',
        defaultPriority: 'medium',
        imap: {
          host: 'imap.example.test',
          secure: true,
          user: 'support@example.test',
          password: 'pw',
          folder: 'INBOX',
          processedFolder: null,
          sentFolder: null,
          idle: true,
          pollInterval: 60_000,
          tlsVerify: true,
          quarantineFolder: null,
          existingMail: 'import',
        },
        templates: {},
      },
    ]);
    expect(config.http).toBeUndefined();
    expect(config.sla.calendar).toBeUndefined();
  });

  it('returns a deeply frozen object', () => {
    const config = parseOk(MINIMAL, { SUPPORT_IMAP_PASSWORD: 'pw' });
    for (const part of [config, config.mailboxes, config.mailboxes[0], config.mailboxes[0]!.imap, config.limits, config.autoClose.statuses]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (config.mailboxes[0]!.imap as { host: string }).host = 'evil.test';
    }).toThrow(TypeError);
  });

  it('substitutes ${VAR} inside a YAML flow mapping, where ${ is not valid plain YAML', () => {
    const lines = ['mailboxes:', '  - { name: support, address: support@example.test,', '      imap: { host: h, user: u, password: ${PW} } }'];
    expect(parseOk(lines, { PW: 's3:cr{e}t, "x"' }).mailboxes[0]!.imap).toMatchObject({ host: 'h', user: 'u', password: 's3:cr{e}t, "x"' });
  });

  it('substitutes several references, inside larger values too, and ignores them in comments', () => {
    const lines = [
      '# the password comes from ${NOT_NEEDED}',
      ...MINIMAL.slice(0, 5),
      '      user: ${USER}@example.test',
      '      password: "${PW}"',
      'http: { port: 8080, token: ${WEB_TOKEN} }',
    ];
    const config = parseOk(lines, { USER: 'support', PW: 'pw', WEB_TOKEN: 'tok' });
    expect(config.mailboxes[0]!.imap).toMatchObject({ user: 'support@example.test', password: 'pw' });
    expect(config.http).toEqual({ port: 8080, host: '127.0.0.1', token: 'tok' });
  });

  it('accepts the example config shipped in the repository, given its variables', () => {
    const text = readFileSync(new URL('../../helpdesk.example.yaml', import.meta.url), 'utf8');
    const result = parseConfig(text, 'helpdesk.example.yaml', { SUPPORT_IMAP_PASSWORD: 'pw', HELPDESK_WEB_TOKEN: 'tok' });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });
});

describe('parseConfig: located problems', () => {
  it('an unset variable names the variable, its line, column and key', () => {
    const lines = ['mailboxes:', '  - name: support', '    address: support@example.test', '    imap: { host: h, user: u, password: ${PW} }'];
    expect(problemsOf(lines, { OTHER: 'x' })).toEqual([
      problem(lines, '${PW}', 'imap:', 'mailboxes[0].imap.password', 'environment variable PW is not set'),
    ]);
  });

  it.each([
    ['a literal IMAP password', 'password: hunter2', 'mailboxes[0].imap.password'],
    ['a quoted literal password', 'password: "hunter2"', 'mailboxes[0].imap.password'],
    ['a password with text around the reference', 'password: hunter2${PW}', 'mailboxes[0].imap.password'],
  ])('%s → "secrets must come from the environment", without echoing it', (_name, line, key) => {
    const lines = [...MINIMAL.slice(0, 6), `      ${line}`];
    const problems = problemsOf(lines, { PW: 'pw' });
    expect(problems).toEqual([problem(lines, line.slice('password: '.length), line, key, 'secrets must come from the environment: write ${VARIABLE_NAME}')]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('a numeric literal password is refused too, without echoing it', () => {
    const lines = [...MINIMAL.slice(0, 6), '      password: 123456'];
    const problems = problemsOf(lines);
    expect(problems.map((p) => [p.line, p.column, p.key])).toEqual([[7, 17, 'mailboxes[0].imap.password']]);
    expect(JSON.stringify(problems)).not.toContain('123456');
  });

  it('a literal HTTP token is refused too', () => {
    const lines = [...MINIMAL, 'http: { port: 8080, token: abc123 }'];
    expect(problemsOf(lines, { SUPPORT_IMAP_PASSWORD: 'pw' })).toEqual([
      problem(lines, 'abc123', 'http:', 'http.token', 'secrets must come from the environment: write ${VARIABLE_NAME}'),
    ]);
  });

  it('reports every problem at once, each with its line, column and dotted key path', () => {
    const lines = [
      'ticketPrefix: "#"',
      'colour: blue',
      'mailboxes:',
      '  - name: support',
      '    address: support@example.test',
      '    defaultPriority: extreme',
      '    imap:',
      '      host: 127.0.0.1',
      '      port: 70000',
      '      password: ${PW}',
      'reopenWindow: 4 days',
      'sla:',
      '  calendar:',
      '    timezone: Mars/Olympus_Mons',
    ];
    expect(problemsOf(lines, { PW: 'pw' })).toEqual([
      problem(lines, 'colour', 'colour', 'colour', 'unknown key (check the spelling)'),
      problem(lines, 'extreme', 'defaultPriority', 'mailboxes[0].defaultPriority', 'Invalid option: expected one of "low"|"medium"|"high"|"urgent"'),
      // A missing key is located at the mapping that lacks it: imap's first entry.
      problem(lines, 'host', 'host:', 'mailboxes[0].imap.user', 'is required'),
      problem(lines, '70000', 'port:', 'mailboxes[0].imap.port', 'Too big: expected number to be <=65535'),
      problem(lines, '4 days', 'reopenWindow', 'reopenWindow', '"4 days" is not a duration: write a number and a unit s, m, h or d (e.g. 30m, 4d)'),
      problem(lines, 'Mars', 'timezone', 'sla.calendar.timezone', 'is not a known IANA time zone (e.g. Europe/Amsterdam)'),
    ]);
  });

  it('locates problems in the second mailbox with its index', () => {
    const lines = [...MINIMAL, '  - name: billing', '    address: billing@example.test', '    imap: { host: h, user: u, port: 0 }'];
    expect(problemsOf(lines, { SUPPORT_IMAP_PASSWORD: 'pw' })).toEqual([
      problem(lines, '0 }', 'port: 0', 'mailboxes[1].imap.port', 'Too small: expected number to be >=1'),
    ]);
  });

  it('a YAML syntax error is located, at top level', () => {
    const lines = [...MINIMAL, 'reopenWindow: 30d', '\tautoClose: { after: 4d }'];
    const problems = problemsOf(lines, { SUPPORT_IMAP_PASSWORD: 'pw' });
    expect(problems).toEqual([{ file: FILE, line: 9, column: 1, key: '', message: expect.stringMatching(/tab/i) }]);
  });

  it('a repeated key is a located syntax error', () => {
    const lines = [...MINIMAL, 'reopenWindow: 30d', 'reopenWindow: 10d'];
    expect(problemsOf(lines, { SUPPORT_IMAP_PASSWORD: 'pw' })).toEqual([
      { file: FILE, line: 9, column: 1, key: '', message: 'Map keys must be unique' },
    ]);
  });
});

describe('formatProblem', () => {
  it('prints file:line:column key: message', () => {
    expect(formatProblem({ file: 'h.yaml', line: 4, column: 41, key: 'mailboxes[0].imap.password', message: 'environment variable PW is not set' })).toBe(
      'h.yaml:4:41 mailboxes[0].imap.password: environment variable PW is not set',
    );
  });

  it('names an empty key "(top level)"', () => {
    expect(formatProblem({ file: 'h.yaml', line: 9, column: 1, key: '', message: 'Tabs are not allowed as indentation' })).toBe(
      'h.yaml:9:1 (top level): Tabs are not allowed as indentation',
    );
  });
});
