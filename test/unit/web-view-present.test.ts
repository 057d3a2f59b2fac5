import { describe, expect, it } from 'vitest';
import { BLOCKED_IMAGE_TEXT, messageHtmlForView } from '../../src/adapters/http/message-html.js';
import { listHref, PAGE_SIZE, parseListQuery } from '../../src/adapters/http/page-models.js';
import { describeEventData, displayAddress, dueState, dueViews, formatBytes, formatTime, nearestDue, relativeTime } from '../../src/adapters/http/present.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const WARN = 30 * 60_000;
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

describe('dueState: the SLA scan’s own rule', () => {
  it.each([
    [-60, 'breached'],
    [0, 'breached'],
    [1, 'near'],
    [30, 'near'],
    [31, 'ok'],
    [24 * 60, 'ok'],
  ])('due in %i min → %s', (minutes, state) => {
    expect(dueState(at(minutes), NOW, WARN)).toBe(state);
  });

  it('nearestDue picks the earliest set due time; none when the clock has none', () => {
    const ticket = { firstResponseDueAt: at(90), nextResponseDueAt: null, resolutionDueAt: at(-5) };
    expect(nearestDue(ticket, NOW, WARN, 'UTC')).toEqual({ label: 'Resolution', at: at(-5).toISOString(), when: '2026-11-23 09:55', relative: '5m ago', state: 'breached' });
    expect(dueViews(ticket, NOW, WARN, 'UTC').map((d) => d.label)).toEqual(['First response', 'Resolution']);
    expect(nearestDue({ firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null }, NOW, WARN, 'UTC')).toBeNull();
  });
});

describe('formatting', () => {
  it('formatTime shows the time in the calendar’s zone', () => {
    expect(formatTime(NOW, 'UTC')).toBe('2026-11-23 10:00');
    expect(formatTime(NOW, 'Europe/Amsterdam')).toBe('2026-11-23 11:00');
    expect(formatTime(new Date('2026-07-01T22:30:00Z'), 'Europe/Amsterdam')).toBe('2026-07-02 00:30');
  });

  it.each([
    [at(0.5), 'in 30s'],
    [at(25), 'in 25m'],
    [at(-180), '3h ago'],
    [at(-2 * 24 * 60 - 1), '2d ago'],
  ])('relativeTime(%s)', (date, text) => {
    expect(relativeTime(date, NOW)).toBe(text);
  });

  it.each([
    [512, '512 B'],
    [3_500, '3.4 KB'],
    [12 * 1024 * 1024, '12 MB'],
    [5 * 1024 ** 3, '5.0 GB'],
  ])('formatBytes(%i) → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('displayAddress hides the secret part of a reply token', () => {
    expect(displayAddress({ address: 'support+t1042-lk3-abcdefghij0123456789@example.test', name: 'Support' })).toBe('Support <support+t1042-…@example.test>');
    expect(displayAddress({ address: null, name: '' })).toBe('(unknown)');
  });

  it('describeEventData is one bounded line with reply tokens hidden', () => {
    expect(describeEventData({ from: 'new', to: 'open' })).toBe('from: new, to: open');
    expect(describeEventData({ addresses: ['support+t7-a1-abcdefghij0123456789@example.test'] })).toBe('addresses: ["support+t7-…@example.test"]');
    expect(describeEventData({ why: 'x'.repeat(1000) })).toHaveLength(300);
  });
});

describe('the list’s query string', () => {
  it.each([
    ['', { view: 'to-solve', assignee: null, tag: null, search: null, page: 1 }],
    ['view=all&assignee=alice%40example.test&tag=vip&q=%20printer%20&page=3', { view: 'all', assignee: 'alice@example.test', tag: 'vip', search: 'printer', page: 3 }],
    ['view=closed&assignee=none', { view: 'closed', assignee: 'none', tag: null, search: null, page: 1 }],
    ['view=bogus&page=-2', { view: 'to-solve', page: 1 }],
    ['page=1.5', { page: 1 }],
    ['page=999999', { page: 1 }],
    [`q=${'a'.repeat(201)}`, { search: null }],
  ])('%j', (query, filter) => {
    expect(parseListQuery(new URLSearchParams(query))).toMatchObject({ ...filter, pageSize: PAGE_SIZE });
  });

  it('listHref keeps the filters and leaves out the defaults', () => {
    const filter = parseListQuery(new URLSearchParams('view=all&tag=a b&q=x&y'));
    expect(listHref(filter, 2)).toBe('/tickets?view=all&tag=a+b&q=x&page=2');
    expect(listHref(parseListQuery(new URLSearchParams('')), 1)).toBe('/tickets');
  });
});

describe('messageHtmlForView', () => {
  const inline = new Map([['logo@acme', '/tickets/1/attachments/7']]);
  it.each([
    ['a remote image', '<img src="https://tracker.example/p.gif">', `<span class="blocked-image">${BLOCKED_IMAGE_TEXT}</span>`],
    ['a protocol-relative image', '<img src="//tracker.example/p.gif">', `<span class="blocked-image">${BLOCKED_IMAGE_TEXT}</span>`],
    ['a path of ours', '<img src="/tickets/2/attachments/9">', `<span class="blocked-image">${BLOCKED_IMAGE_TEXT}</span>`],
    ['an inline image of the message', '<img src="cid:Logo@Acme" alt="logo">', '<img src="/tickets/1/attachments/7" alt="logo" />'],
    ['an inline image it does not have', '<img src="cid:other@acme">', `<span class="blocked-image">${BLOCKED_IMAGE_TEXT}</span>`],
    ['a data: image', '<img src="data:image/png;base64,iVBORw0KGgo=">', '<img src="data:image/png;base64,iVBORw0KGgo=" />'],
    ['a data: page as an image', '<img src="data:text/html,<script>x</script>">', `<span class="blocked-image">${BLOCKED_IMAGE_TEXT}</span>`],
    ['scripts and handlers', '<p onclick="x()">hi<script>alert(1)</script></p>', '<p>hi</p>'],
    ['styles and classes', '<style>p{}</style><p style="color:red" class="c">hi</p>', '<p>hi</p>'],
    ['a link', '<a href="https://x.example/">x</a>', '<a href="https://x.example/" rel="noopener noreferrer nofollow" target="_blank">x</a>'],
    ['a javascript: link', '<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow" target="_blank">x</a>'],
    ['a form', '<form action="https://evil.example"><input name="p"></form>', ''],
    ['a frame', '<iframe src="https://evil.example"></iframe>', ''],
  ])('%s', (_name, html, shown) => {
    expect(messageHtmlForView(html, inline)).toBe(shown);
  });
});
