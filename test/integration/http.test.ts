import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisLeases } from '../../src/adapters/queue/lease.js';
import { buildMail } from '../support/mail.js';
import { htmlMail, mailWithAttachment, webFixture, type WebFixture } from '../support/web-fixture.js';

/**
 * The daemon's HTTP side against a real Postgres (tickets stored by the real
 * ingest path) and a real Redis ping: probes, metrics, the token, the pages.
 */

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]), Buffer.from('\n%%EOF\n')]);
const HOSTILE = '<script>alert("owned")</script> Printer <b>on fire</b>';

let f: WebFixture;
const numbers: Record<'hostile' | 'invoice' | 'outage' | 'old', number> = { hostile: 0, invoice: 0, outage: 0, old: 0 };

async function get(path: string, headers: Record<string, string> = {}, base = f.base): Promise<Response> {
  return fetch(`${base}${path}`, { headers, redirect: 'manual' });
}

const bearer = () => ({ authorization: `Bearer ${f.token}` });

async function page(path: string): Promise<string> {
  const res = await get(path, bearer());
  expect(res.status).toBe(200);
  return res.text();
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  f = await webFixture();
  const store = async (raw: string, now?: Date) => (await f.ingest(raw, now)).ticketNumber!;
  numbers.hostile = await store(buildMail({ subject: HOSTILE }).raw);
  numbers.invoice = await store(
    mailWithAttachment({ subject: 'Invoice 2026-03 is wrong', body: 'The total is off by 12 EUR.', filename: '../../Rechnung "März" 2026.pdf', contentType: 'application/pdf', content: PDF }),
  );
  numbers.outage = await store(
    htmlMail({ subject: 'Total outage since 9:00', html: '<p>Everything is down.<img src="https://tracker.example/pixel.gif?u=42" alt="px"></p><script>alert(1)</script>' }),
  );
  numbers.old = await store(buildMail({ subject: 'Old unanswered question' }).raw, new Date(Date.now() - 2 * 86_400_000));
  const box = f.telemetry.mailbox('support', 'support@example.test');
  Object.assign(box, { state: 'watching', connected: true, lastSyncAt: new Date() });
});

afterAll(async () => {
  await f?.close();
});

describe('probes', () => {
  it('/healthz answers 200 ok with the security headers, and HEAD without a body', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*img-src 'self' data:.*form-action 'self'/);
    const head = await fetch(`${f.base}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('/readyz is 200 with Postgres, Redis and a watched mailbox, and 503 with the reason when the mailbox has gone unread too long', async () => {
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; checks: { postgres: { ok: boolean }; redis: { ok: boolean }; mailboxes: { name: string; state: string }[] } };
    expect(body.status).toBe('ready');
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.checks.redis.ok).toBe(true);
    expect(body.checks.mailboxes).toMatchObject([{ name: 'support', state: 'watching', connected: true }]);

    const box = f.telemetry.mailbox('support', 'support@example.test');
    const saved = { ...box };
    Object.assign(box, {
      state: 'retrying',
      connected: false,
      lastSyncAt: new Date(Date.now() - 10 * 60_000),
      errorStreak: 4,
      lastError: { code: 'IMAP_AUTH', message: 'authentication failed', at: new Date() },
    });
    try {
      const down = await get('/readyz');
      expect(down.status).toBe(503);
      const report = (await down.json()) as { status: string; reasons: string[]; checks: { mailboxes: { ok: boolean; errorStreak: number }[] } };
      expect(report.status).toBe('not ready');
      expect(report.reasons).toHaveLength(1);
      expect(report.reasons[0]).toMatch(/^mailbox support: not being read \(retrying: IMAP_AUTH authentication failed, 4 failures in a row\), unread for 10m/);
      expect(report.checks.mailboxes[0]).toMatchObject({ ok: false, errorStreak: 4 });
    } finally {
      Object.assign(box, saved);
    }
  });

  it('/readyz is 503 naming Redis when Redis does not answer', async () => {
    const leases = redisLeases(`redis://127.0.0.1:${await closedPort()}`, 'hdweb-closed');
    try {
      const server = await f.anotherServer({ pingRedis: () => leases.ping() });
      const res = await get('/readyz', {}, `http://127.0.0.1:${server.port}`);
      expect(res.status).toBe(503);
      const report = (await res.json()) as { reasons: string[]; checks: { postgres: { ok: boolean }; redis: { ok: boolean; error: string } } };
      expect(report.reasons).toEqual([expect.stringMatching(/^redis: /)]);
      expect(report.checks.postgres.ok).toBe(true);
      expect(report.checks.redis.ok).toBe(false);
    } finally {
      leases.close();
    }
  });

  it('/metrics needs the token when one is set, and then gives the Prometheus text with the daemon metrics and stored counts', async () => {
    const refused = await get('/metrics');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="helpdesk"');
    expect((await get('/metrics', { authorization: 'Bearer not-the-token' })).status).toBe(401);

    const res = await get('/metrics', bearer());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of ['helpdesk_mails_ingested_total', 'helpdesk_ingest_latency_seconds', 'helpdesk_imap_reconnects_total', 'helpdesk_rule_hits_total', 'helpdesk_sla_alerts_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('helpdesk_mailbox_up{mailbox="support"} 1');
    expect(text).toMatch(/^helpdesk_tickets\{status="new"\} 4$/m);
    // The backlog by status and age: three new today, the old one two days ago; every pair, zeros included.
    expect(text).toMatch(/^helpdesk_backlog_tickets\{status="new",age="under_1d"\} 3$/m);
    expect(text).toMatch(/^helpdesk_backlog_tickets\{status="new",age="1d_3d"\} 1$/m);
    expect(text).toMatch(/^helpdesk_backlog_tickets\{status="resolved",age="7d_plus"\} 0$/m);
    expect(text).toMatch(/^helpdesk_rule_hits_total\{rule="billing"\} 1$/m);
  });

  it('without a token /metrics is open and the web view is off', async () => {
    const server = await f.anotherServer({ token: null });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await get('/metrics', {}, base)).status).toBe(200);
    const off = await get('/tickets', { accept: 'text/html' }, base);
    expect(off.status).toBe(403);
    expect(await off.text()).toContain('needs an access token');
    expect((await get('/tickets', bearer(), base)).status).toBe(403);
  });
});

describe('the token', () => {
  it('is required by every page: 401 to an API client, the login form to a browser, the page with the bearer token', async () => {
    for (const path of ['/', '/tickets', `/tickets/${numbers.invoice}`, '/mailboxes', `/tickets/${numbers.invoice}/attachments/1`]) {
      const res = await get(path);
      expect(res.status, path).toBe(401);
      expect(await res.text()).not.toContain('Invoice');
    }
    const browser = await get('/tickets?view=all', { accept: 'text/html' });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toBe('/login?next=%2Ftickets%3Fview%3Dall');
    expect((await get('/tickets', { authorization: `Bearer ${f.token}x` })).status).toBe(401);
    expect((await get('/tickets', bearer())).status).toBe(200);
  });

  it('logs in with the form: an HttpOnly SameSite=Strict cookie that is not the token, accepted until tampered with', async () => {
    const form = (token: string) =>
      fetch(`${f.base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, next: '/tickets?view=all' }),
        redirect: 'manual',
      });
    const wrong = await form('guess');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('not the right one');
    expect(f.logs.find('web view login refused: wrong token')).toHaveLength(1);

    const right = await form(f.token);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/tickets?view=all');
    const cookie = right.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^helpdesk_session=\d+\.[\w-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(f.token);
    const session = cookie.split(';')[0]!;
    expect((await get('/tickets', { cookie: session })).status).toBe(200);
    const tampered = session.replace(/\.(.)/, (_, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    expect((await get('/tickets', { cookie: tampered })).status).toBe(401);

    const offsite = await fetch(`${f.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: f.token, next: '//evil.example/' }),
      redirect: 'manual',
    });
    expect(offsite.headers.get('location')).toBe('/tickets');
  });
});

describe('pages', () => {
  it('escapes a hostile subject on the list and on the ticket page', async () => {
    for (const html of [await page('/tickets?view=all'), await page(`/tickets/${numbers.hostile}`)]) {
      expect(html).toContain('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; Printer &lt;b&gt;on fire&lt;/b&gt;');
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<b>on fire');
    }
  });

  it('shows an HTML mail with its remote image blocked and its script gone', async () => {
    const html = await page(`/tickets/${numbers.outage}`);
    expect(html).toContain('<span class="blocked-image">[remote image blocked]</span>');
    // The address may show as text (the plain-text part quotes it); nothing loads it.
    expect(html).not.toMatch(/<img[^>]*tracker\.example/);
    expect(html).not.toMatch(/<img[^>]+src="(?!data:|\/)/);
    expect(html).not.toMatch(/<script/i);
  });

  it('filters the list by status, text, tag and assignee, and puts the breached ticket first among those to solve', async () => {
    const rowsOf = (html: string) => [...html.matchAll(/<td class="num"><a href="\/tickets\/(\d+)">/g)].map((m) => Number(m[1]));
    expect(rowsOf(await page('/tickets?view=all')).sort()).toEqual(Object.values(numbers).sort());
    const toSolve = await page('/tickets');
    expect(rowsOf(toSolve)[0]).toBe(numbers.old);
    expect(rowsOf(await page('/tickets?q=INVOICE'))).toEqual([numbers.invoice]);
    expect(rowsOf(await page(`/tickets?q=%23${numbers.outage}`))).toEqual([numbers.outage]);
    expect(rowsOf(await page('/tickets?tag=billing&view=all'))).toEqual([numbers.invoice]);
    expect(rowsOf(await page('/tickets?assignee=bob%40example.test'))).toEqual([numbers.outage]);
    expect(rowsOf(await page('/tickets?view=closed'))).toEqual([]);
    expect(rowsOf(await page('/tickets?q=100%25'))).toEqual([]);
  });

  it('colours due times: breached when past, near within sla.warnBefore', async () => {
    const html = await page('/tickets');
    const rowOf = (n: number) => html.slice(html.indexOf(`href="/tickets/${n}"`), html.indexOf('</tr>', html.indexOf(`href="/tickets/${n}"`)));
    expect(rowOf(numbers.old)).toContain('due-breached');
    expect(rowOf(numbers.outage)).toContain('due-near');
    expect(rowOf(numbers.invoice)).toContain('due-ok');
  });

  it('shows the ticket header, the thread with its attachment and the events', async () => {
    const html = await page(`/tickets/${numbers.invoice}`);
    expect(html).toContain('<span class="badge s-new">new</span>');
    expect(html).toContain('<dt>Assignee</dt><dd>Alice Agent &lt;alice@example.test&gt;</dd>');
    expect(html).toContain('<span class="tag">billing</span>');
    expect(html).toContain('Carol Customer &lt;carol@customer.test&gt;');
    expect(html).toContain('The total is off by 12 EUR.');
    expect(html).toMatch(/First response due<\/dt>/);
    expect(html).toMatch(/<a href="\/tickets\/\d+\/attachments\/\d+" download>Rechnung _März_ 2026\.pdf<\/a>/);
    expect(html).toContain('rule applied');
  });

  it('serves an attachment as a download under a safe name, with its bytes, only under its own ticket', async () => {
    const [row] = await f.db.sql<{ id: string }[]>`select a.id::text from attachments a join messages m on m.id = a.message_id join tickets t on t.id = m.ticket_id where t.number = ${numbers.invoice}`;
    const res = await get(`/tickets/${numbers.invoice}/attachments/${row!.id}`, bearer());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Rechnung _M_rz_ 2026.pdf"; filename*=UTF-8''Rechnung%20_M%C3%A4rz_%202026.pdf`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
    expect((await get(`/tickets/${numbers.hostile}/attachments/${row!.id}`, bearer())).status).toBe(404);
  });

  it('shows the mailbox health panel', async () => {
    const html = await page('/mailboxes');
    expect(html).toContain('<strong>support</strong>');
    expect(html).toContain('watching (connected)');
    expect(html).toContain('Ready');
  });

  it('shows the report: the figures, the backlog and inline SVG bar charts under the same CSP, behind the token', async () => {
    expect((await get('/reports')).status).toBe(401);
    const res = await get('/reports?by=priority', bearer());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; img-src 'self' data:;/);
    const html = await res.text();
    expect(html).toContain('<a href="/reports" class="here">Reports</a>');
    // Four new tickets: created, none resolved; by priority the urgent outage comes first.
    expect(html).toMatch(/<tr><td>urgent<\/td><td class="n">1<\/td><td class="n">0<\/td>/);
    expect(html).toMatch(/<tr class="total"><td>Total<\/td><td class="n">4<\/td><td class="n">0<\/td>/);
    expect(html).toMatch(/<svg class="chart" viewBox="0 0 880 200" role="img" aria-label="Tickets created and resolved per day">/);
    const created = [...html.matchAll(/<rect class="bar-created"[^>]*><title>\d{4}-\d{2}-\d{2}: (\d+) created, 0 resolved<\/title>/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(created).toBe(4);
    expect(html).toContain('aria-label="Customer mail by hour of day (UTC)"');
    expect(html.match(/<rect class="bar-mail"/g)).toHaveLength(24 + 7);
    expect(html).toContain('4 customer mails');
    // Nothing the CSP would block: no style attributes, no script.
    expect(html).not.toMatch(/\sstyle=|<script/i);
    const bad = await page('/reports?from=2026-02-30');
    expect(bad).toContain('Dates are written 2026-01-31. Showing the last 30 days.');
  });

  it('answers unknown routes 404, wrong methods 405, and a failing page 500 with a log line and no details', async () => {
    expect((await get('/nope', bearer())).status).toBe(404);
    expect((await get(`/tickets/${numbers.invoice + 1000}`, bearer())).status).toBe(404);
    const post = await fetch(`${f.base}/tickets`, { method: 'POST', headers: bearer() });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');

    await f.db.sql`alter table events rename to events_away`;
    try {
      const res = await get(`/tickets/${numbers.invoice}`, bearer());
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(body).toContain('Something went wrong');
      expect(body).not.toMatch(/events|relation|at .*\.ts/);
      expect(f.logs.find('http request failed')).toMatchObject([{ method: 'GET', path: `/tickets/${numbers.invoice}`, err: { code: expect.stringMatching(/^DB_/) } }]);
    } finally {
      await f.db.sql`alter table events_away rename to events`;
    }
  });
});
