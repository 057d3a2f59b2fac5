import { afterEach, describe, expect, it } from 'vitest';
import { parseAgentReply } from '../../src/domain/agent-commands.js';
import type { AgentCommand } from '../../src/domain/agent-commands.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number): Date => new Date(NOW.getTime() + ms);

describe('parseAgentReply: one command line', () => {
  it.each<[string, AgentCommand]>([
    ['#status resolved', { type: 'status', status: 'resolved' }],
    ['#status postponed', { type: 'status', status: 'postponed' }],
    ['#status closed', { type: 'status', status: 'closed' }],
    ['#status spam', { type: 'status', status: 'spam' }],
    ['#status open', { type: 'status', status: 'open' }],
    ['#priority low', { type: 'priority', priority: 'low' }],
    ['#priority medium', { type: 'priority', priority: 'medium' }],
    ['#priority high', { type: 'priority', priority: 'high' }],
    ['#priority urgent', { type: 'priority', priority: 'urgent' }],
    ['#assign bob', { type: 'assign', agent: 'bob' }],
    ['#assign Bob Builder', { type: 'assign', agent: 'Bob Builder' }],
    ['#tag billing', { type: 'tag', tag: 'billing' }],
    ['#tag follow-up_2.0', { type: 'tag', tag: 'follow-up_2.0' }],
    ['#untag billing', { type: 'untag', tag: 'billing' }],
    ['#postpone 2d', { type: 'postpone', until: at(2 * DAY) }],
    ['#postpone 4h', { type: 'postpone', until: at(4 * HOUR) }],
    ['#postpone 1h30m', { type: 'postpone', until: at(1.5 * HOUR) }],
    ['#postpone 2026-12-01', { type: 'postpone', until: new Date('2026-12-01T00:00:00Z') }],
    ['#postpone 2026-12-01T09:30Z', { type: 'postpone', until: new Date('2026-12-01T09:30:00Z') }],
    ['#postpone 2026-12-01T09:30:00+01:00', { type: 'postpone', until: new Date('2026-12-01T08:30:00Z') }],
    ['#note', { type: 'note' }],
    ['#note for the team only', { type: 'note' }],
  ])('%j', (line, command) => {
    expect(parseAgentReply(line, NOW)).toEqual({ commands: [command], body: '', problems: [] });
  });
});

describe('parseAgentReply: case does not matter (the agent name keeps its case)', () => {
  it.each<[string, AgentCommand]>([
    ['#STATUS RESOLVED', { type: 'status', status: 'resolved' }],
    ['#Status Spam', { type: 'status', status: 'spam' }],
    ['#PRIORITY Urgent', { type: 'priority', priority: 'urgent' }],
    ['#Tag VIP', { type: 'tag', tag: 'vip' }],
    ['#UNTAG Vip', { type: 'untag', tag: 'vip' }],
    ['#Assign Bob', { type: 'assign', agent: 'Bob' }],
    ['#NOTE', { type: 'note' }],
  ])('%j', (line, command) => {
    expect(parseAgentReply(line, NOW).commands).toEqual([command]);
  });
});

describe('parseAgentReply: lines that are not understood are problems, not commands', () => {
  it.each<[string, RegExp]>([
    ['#status pending', /status must be one of resolved, postponed, closed, spam, open/],
    ['#status', /status must be one of/],
    ['#status resolved please', /status must be one of/],
    ['#priority critical', /priority must be one of low, medium, high, urgent/],
    ['#priority', /priority must be one of/],
    ['#assign', /name the agent/],
    ['#assign   ', /name the agent/],
    ['#tag', /a tag is one word/],
    ['#tag two words', /a tag is one word/],
    ['#untag', /a tag is one word/],
    ['#postpone yesterday', /write a duration/],
    ['#postpone', /write a duration/],
    ['#postpone 0d', /write a duration/],
    ['#postpone 2', /write a duration/],
    ['#postpone 2026-01-15', /write a duration/],
    ['#postpone 2026-03-02T09:59Z', /write a duration/],
    ['#postpone 2026-13-01', /write a duration/],
    ['#frobnicate now', /unknown command/],
  ])('%j', (line, reason) => {
    const parsed = parseAgentReply(line, NOW);
    expect(parsed.commands).toEqual([]);
    expect(parsed.body).toBe('');
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatch(reason);
    expect(parsed.problems[0]!.startsWith(`${line.trim()}:`)).toBe(true);
  });

  it('keeps reading commands after a bad one', () => {
    const parsed = parseAgentReply('#status pending\n#priority high\n\nDone.', NOW);
    expect(parsed.commands).toEqual([{ type: 'priority', priority: 'high' }]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.body).toBe('Done.');
  });
});

describe('parseAgentReply: commands only at the top, the rest is the body', () => {
  it.each<[string, string, readonly AgentCommand[], string]>([
    ['no command at all', 'Hello Carol,\n\nfixed.', [], 'Hello Carol,\n\nfixed.'],
    ['empty text', '', [], ''],
    ['commands then body', '#status resolved\n#priority high\nHello Carol', [
      { type: 'status', status: 'resolved' },
      { type: 'priority', priority: 'high' },
    ], 'Hello Carol'],
    ['blank lines between and before commands', '\n\n#status resolved\n\n  \n#tag billing\n\nHello Carol\n', [
      { type: 'status', status: 'resolved' },
      { type: 'tag', tag: 'billing' },
    ], 'Hello Carol'],
    ['indented command lines', '   #status closed\n\tHello', [{ type: 'status', status: 'closed' }], 'Hello'],
    ['a #tag line after body text is body', 'Hello Carol\n#tag billing\n#status closed', [],
      'Hello Carol\n#tag billing\n#status closed'],
    ['a command after the body is body, one before is not', '#tag vip\nHello\n\n#status resolved', [
      { type: 'tag', tag: 'vip' },
    ], 'Hello\n\n#status resolved'],
    ['a ticket number is not a command', '#1042 is fixed\n#status resolved', [], '#1042 is fixed\n#status resolved'],
    ['a markdown heading is not a command', '# Summary\nAll fixed', [], '# Summary\nAll fixed'],
    ['the body keeps its inner blank lines and indentation', '#note\n\nLine 1\n\n  indented\nLine 3',
      [{ type: 'note' }], 'Line 1\n\n  indented\nLine 3'],
  ])('%s', (_name, text, commands, body) => {
    const parsed = parseAgentReply(text, NOW);
    expect(parsed.commands).toEqual(commands);
    expect(parsed.body).toBe(body);
    expect(parsed.problems).toEqual([]);
  });

  it('reads CRLF and bare-CR input like LF input, and the body has no CR left', () => {
    const lf = parseAgentReply('#status resolved\n\n#assign bob\n\nHello Carol,\nfixed.\n', NOW);
    expect(parseAgentReply('#status resolved\r\n\r\n#assign bob\r\n\r\nHello Carol,\r\nfixed.\r\n', NOW)).toEqual(lf);
    expect(parseAgentReply('#status resolved\r\r#assign bob\r\rHello Carol,\rfixed.\r', NOW)).toEqual(lf);
    expect(lf.body).toBe('Hello Carol,\nfixed.');
    expect(lf.commands).toEqual([
      { type: 'status', status: 'resolved' },
      { type: 'assign', agent: 'bob' },
    ]);
  });

  it('resolves relative postpone times against the given now, not the clock', () => {
    const later = new Date('2030-01-01T00:00:00Z');
    expect(parseAgentReply('#postpone 1d', later).commands).toEqual([
      { type: 'postpone', until: new Date('2030-01-02T00:00:00Z') },
    ]);
  });
});

describe('parseAgentReply: pure of the host (I5)', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  /** The postpone instant (or the problem) for `line`, computed with the process in time zone `tz`. */
  function underTimeZone(tz: string, line: string): string {
    process.env.TZ = tz;
    const parsed = parseAgentReply(line, NOW);
    return JSON.stringify(parsed);
  }

  it.each(['#postpone 2026-12-01', '#postpone 2026-12-01T10:00', '#postpone 2026-12-01T10:00:30'])(
    '%j means the same whatever the server time zone',
    (line) => {
      const utc = underTimeZone('UTC', line);
      expect(underTimeZone('America/New_York', line)).toBe(utc);
      expect(underTimeZone('Asia/Tokyo', line)).toBe(utc);
    },
  );
});
