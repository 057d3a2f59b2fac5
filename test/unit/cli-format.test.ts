import { describe, expect, it } from 'vitest';
import type { TicketDetail } from '../../src/adapters/db/ticket-queries.js';
import { formatTicketDetail, formatUnthreaded } from '../../src/cli-format.js';
import { describeEvent } from '../../src/domain/event-sentence.js';

const NOW = new Date('2026-11-30T12:00:00Z');

function ticket(overrides: Partial<TicketDetail> = {}): TicketDetail {
  return {
    number: 1042,
    subject: 'Printer on fire',
    status: 'open',
    priority: 'high',
    department: 'general',
    assignee: 'alice@example.test',
    customer: 'carol@customer.test',
    tags: ['hardware', 'vip'],
    createdAt: '2026-11-30T09:00:00.000Z',
    updatedAt: '2026-11-30T10:30:00.000Z',
    firstResponseDueAt: '2026-11-30T11:00:00.000Z',
    nextResponseDueAt: null,
    resolutionDueAt: '2026-12-02T09:00:00.000Z',
    slaBreached: true,
    messages: [],
    events: [],
    ...overrides,
  };
}

describe('formatTicketDetail', () => {
  it('shows assignee, tags and each SLA due time that is set, marking the ones passed', () => {
    const lines = formatTicketDetail(ticket(), NOW).split('\n');
    expect(lines).toContain('assignee    alice@example.test');
    expect(lines).toContain('tags        hardware, vip');
    expect(lines).toContain('SLA due     first response 2026-11-30 11:00 UTC BREACHED · resolution 2026-12-02 09:00 UTC');
  });

  it('says so when nobody is assigned, nothing is tagged and no SLA applies', () => {
    const lines = formatTicketDetail(ticket({ assignee: null, tags: [], firstResponseDueAt: null, resolutionDueAt: null, slaBreached: false }), NOW).split('\n');
    expect(lines).toContain('assignee    nobody');
    expect(lines).toContain('tags        -');
    expect(lines).toContain('SLA due     -');
  });

  it('writes the history one line per event: time, actor, a sentence', () => {
    const events = [
      { type: 'created', actor: 'customer:carol@customer.test', data: { mailbox: 'support' }, createdAt: '2026-11-30T09:00:00.000Z' },
      { type: 'rule_applied', actor: 'rule:vip', data: { rule: 'vip', why: ['from carol@customer.test is in domain customer.test'], then: { tags: ['vip'] } }, createdAt: '2026-11-30T09:00:01.000Z' },
      { type: 'assigned', actor: 'cli', data: { from: null, to: 'alice@example.test' }, createdAt: '2026-11-30T10:00:00.000Z' },
      { type: 'sla_breach', actor: 'system', data: { metric: 'first_response', dueAt: '2026-11-30T11:00:00.000Z' }, createdAt: '2026-11-30T11:00:30.000Z' },
    ];
    const history = formatTicketDetail(ticket({ events }), NOW).split('\n').slice(-5);
    expect(history).toEqual([
      'History (4)',
      '  2026-11-30 09:00  customer:carol@customer.test  opened the ticket in mailbox support',
      '  2026-11-30 09:00  rule:vip                      applied rule "vip", because from carol@customer.test is in domain customer.test',
      '  2026-11-30 10:00  cli                           assigned the ticket to alice@example.test',
      '  2026-11-30 11:00  system                        recorded an SLA breach: the first response target passed at 2026-11-30 11:00 UTC',
    ]);
  });
});

describe('describeEvent: a sentence per event type, never raw JSON', () => {
  it.each([
    ['created', { mailbox: 'support', linkedFrom: 7 }, 'opened the ticket in mailbox support, continuing #7'],
    ['followed_up', { newTicket: 1043 }, 'wrote again after the reopen window: the conversation continues in #1043'],
    ['customer_replied', { via: 'in-reply-to' }, 'replied (threaded by in-reply-to)'],
    ['agent_replied', { via: 'token' }, 'answered the customer (proved by token)'],
    ['note_added', { via: 'dkim' }, 'added an internal note (proved by dkim)'],
    ['status_changed', { from: 'new', to: 'answered' }, 'changed the status from new to answered'],
    ['reopened', { from: 'resolved' }, 'reopened the ticket (it was resolved)'],
    ['postponed', { until: '2026-12-01T00:00:00.000Z' }, 'postponed the ticket until 2026-12-01 00:00 UTC'],
    ['woke_up', {}, 'woke the ticket up: its postponement ended'],
    ['auto_closed', { idleSince: '2026-11-26T09:00:00.000Z' }, 'closed the ticket for idleness (idle since 2026-11-26 09:00 UTC)'],
    ['priority_changed', { from: 'medium', to: 'urgent' }, 'changed the priority from medium to urgent'],
    ['assigned', { from: 'bob@example.test', to: 'alice@example.test', how: 'round-robin' }, "assigned the ticket to alice@example.test (it was bob@example.test's) by round-robin"],
    ['assigned', { from: 'alice@example.test', to: null }, "unassigned the ticket (it was alice@example.test's)"],
    ['tagged', { tag: 'vip' }, 'tagged the ticket "vip"'],
    ['untagged', { tag: 'vip' }, 'removed the tag "vip"'],
    ['participant_added', { address: 'dan@customer.test' }, 'copied dan@customer.test on the answers'],
    ['participants_held_back', { addresses: ['x@a.test', 'y@a.test'], reason: 'over the limit' }, 'did not copy x@a.test, y@a.test: over the limit'],
    ['auto_ack_skipped', { reason: 'rate limit per sender' }, 'sent no acknowledgement: rate limit per sender'],
    ['notice_skipped', { kind: 'forged_agent_mail', reason: 'limit' }, 'sent no forged agent mail notice: limit'],
    ['sla_warning', { metric: 'next_response', dueAt: '2026-11-30T13:00:00.000Z' }, 'warned that the next response target passes at 2026-11-30 13:00 UTC'],
    ['bounce_received', { reasons: ['multipart/report delivery-status'], returnedMessageIds: [] }, 'received a bounce (multipart/report delivery-status)'],
    ['send_failed', { outboundMessageId: 'x@y', kind: 'agent_reply', reason: '550 no such user', via: 'bounce' }, 'could not deliver the agent reply mail: 550 no such user (a bounce said so)'],
    ['attachment_omitted', { filename: 'big.zip', size: 30000000, limit: 26214400 }, 'kept only the name and size of attachment big.zip (30000000 bytes, over the limit of 26214400)'],
    ['input_bounded', { adjustments: ['subject cut to 998 characters'] }, 'cut values of a message to make it storable: subject cut to 998 characters'],
  ])('%s %j', (type, data, sentence) => {
    expect(describeEvent(type, data)).toBe(sentence);
  });

  it('reads missing fields as "?" rather than failing', () => {
    expect(describeEvent('participants_held_back', {})).toBe('did not copy -: ?');
    expect(describeEvent('status_changed', {})).toBe('changed the status from ? to ?');
  });

  it('falls back to the type and its data for an event type it does not know', () => {
    expect(describeEvent('future_thing', { a: 1 })).toBe('future thing {"a":1}');
    expect(describeEvent('future_thing', {})).toBe('future thing');
  });
});

describe('formatUnthreaded', () => {
  it('prints one row per mail, by its Date header, else when it was stored', () => {
    const text = formatUnthreaded([
      { id: 9, mailbox: 'support', kind: 'bounce', from: 'MAILER-DAEMON@mx.test', subject: 'Undelivered', date: '2026-11-30T08:00:00.000Z', receivedAt: '2026-11-30T08:01:00.000Z' },
      { id: 8, mailbox: 'support', kind: 'auto_reply', from: null, subject: 'Out of office', date: null, receivedAt: '2026-11-29T07:00:00.000Z' },
    ]).split('\n');
    expect(text[0]).toMatch(/^ID\s+MAILBOX\s+KIND\s+DATE \(UTC\)\s+FROM\s+SUBJECT$/);
    expect(text[1]).toMatch(/^9\s+support\s+bounce\s+2026-11-30 08:00\s+MAILER-DAEMON@mx\.test\s+Undelivered$/);
    expect(text[2]).toMatch(/^8\s+support\s+auto_reply\s+2026-11-29 07:00\s+\?\s+Out of office$/);
  });

  it('says when there is none', () => {
    expect(formatUnthreaded([])).toBe('no unthreaded mail');
  });
});
