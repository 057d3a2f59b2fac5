import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/dovecot.js';
import { mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { buildMail, replyTo } from '../support/mail.js';
import type { CapturedMail } from '../support/smtp-capture.js';
import { waitFor } from '../support/wait.js';

/*
 * Customer satisfaction end to end: a customer's mail APPENDed to a real
 * Dovecot opens a ticket, the agent resolves it by mail, the survey mail is
 * caught by a real SMTP server, and its links are followed against the
 * daemon's own HTTP server, which records into the test's Postgres.
 */

const ALICE = 'alice@example.test';
const AGENTS = ['agents:', `  - { name: Alice, email: ${ALICE}, departments: [general] }`].join('\n');
const HTTP_TOKEN = `tok-${randomBytes(16).toString('hex')}`;

const isGenerated = (m: CapturedMail) => m.parsed.headers.get('auto-submitted') === 'auto-generated';
const isSurvey = (m: CapturedMail) => isGenerated(m) && (m.parsed.text ?? '').includes('How did we do?');
const isResolvedNotice = (m: CapturedMail) => isGenerated(m) && (m.parsed.text ?? '').includes('as resolved');

interface TicketRow {
  id: number;
  number: number;
  status: string;
}

interface EventRow {
  type: string;
  actor: string;
  data: Record<string, unknown>;
  message_id: number | null;
}

let h: MailboxHarness;
let base: string;
let customers = 0;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  h = await mailboxHarness({
    agents: AGENTS,
    env: { HELPDESK_HTTP_TOKEN: HTTP_TOKEN },
    extraConfig: [
      `http: { port: ${port}, token: \${HELPDESK_HTTP_TOKEN} }`,
      `satisfaction: { enabled: true, url: ${base} }`,
      // Room for a second resolved notice on one ticket: what keeps the survey from going out twice is then the survey's own rule.
      'autoAcknowledge: { limits: { perTicket: 20, perSender: 20 } }',
    ].join('\n'),
  });
  await h.start();
});

afterAll(async () => {
  await h?.close();
});

async function ticketCalled(subject: string, harness = h): Promise<TicketRow> {
  return waitFor(async () => (await harness.db.sql<TicketRow[]>`select id::int, number::int, status::text from tickets where subject = ${subject}`)[0], {
    what: `the ticket "${subject}"`,
  });
}

async function statusOf(ticket: TicketRow, harness = h): Promise<string> {
  const [row] = await harness.db.sql<{ status: string }[]>`select status::text from tickets where id = ${ticket.id}`;
  return row!.status;
}

async function satisfactionEvents(ticket: TicketRow, harness = h): Promise<EventRow[]> {
  return harness.db.sql<EventRow[]>`
    select type, actor, data, message_id::int from events
     where ticket_id = ${ticket.id} and (type like 'satisfaction%' or (type = 'notice_skipped' and data->>'kind' = 'satisfaction')) order by id`;
}

/** Waits until every mail the daemon wrote so far has left: the capture then holds all of it. */
async function outboxDrained(harness = h): Promise<void> {
  await waitFor(async () => (await harness.db.sql`select 1 from messages where delivery_state in ('queued', 'sending')`).length === 0, { what: 'the outbox drained' });
}

function agentNotice(agent: string, ticket: TicketRow, kind: string, harness = h): Promise<CapturedMail> {
  return harness.smtp.waitForMail(
    (m) => m.envelope.to.includes(agent) && (m.parsed.subject ?? '').startsWith(`[#${ticket.number}] ${kind}`),
    `"${kind}" of #${ticket.number} to ${agent}`,
  );
}

/** A new customer writes, Alice resolves the ticket by mail; resolves once the resolved notice has arrived. */
async function resolvedTicket(harness = h) {
  const customer = `cust${customers++}-${randomBytes(3).toString('hex')}@customer.test`;
  const subject = `Scanner jams ${randomBytes(3).toString('hex')}`;
  await harness.append(buildMail({ from: `Cleo <${customer}>`, subject, body: 'The scanner jams on every page.' }).raw);
  const ticket = await ticketCalled(subject, harness);
  const notice = await agentNotice(ALICE, ticket, 'New ticket', harness);
  await harness.append(replyTo(notice.parsed, { from: `Alice <${ALICE}>`, body: '#status resolved' }).raw);
  const resolved = await harness.smtp.waitForMail((m) => m.envelope.to.includes(customer) && isResolvedNotice(m), `the resolved notice of #${ticket.number}`);
  return { customer, subject, ticket, notice, resolved };
}

/** The survey mail of a ticket resolved just now, and the token of its links. */
async function surveyOf(customer: string, ticket: TicketRow): Promise<{ mail: CapturedMail; token: string; good: string; bad: string }> {
  const mail = await h.smtp.waitForMail((m) => m.envelope.to.includes(customer) && isSurvey(m), `the satisfaction mail of #${ticket.number}`);
  const text = mail.parsed.text ?? '';
  const good = new RegExp(`${base}/satisfaction/(s${ticket.number}-[a-z0-9]{20})\\?rating=good`).exec(text);
  const bad = new RegExp(`${base}/satisfaction/(s${ticket.number}-[a-z0-9]{20})\\?rating=bad`).exec(text);
  if (!good || !bad) throw new Error(`no good / bad links in:\n${text}`);
  expect(bad[1]).toBe(good[1]);
  return { mail, token: good[1]!, good: good[0], bad: bad[0] };
}

function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** The token with one character of its mac changed. */
function tampered(token: string): string {
  const last = token.at(-1)!;
  return `${token.slice(0, -1)}${last === 'a' ? 'b' : 'a'}`;
}

describe('satisfaction enabled', () => {
  it('resolving sends the resolved notice and one satisfaction mail, with good / bad links and a Reply-To that carries the token', async () => {
    const { customer, ticket } = await resolvedTicket();
    const survey = await surveyOf(customer, ticket);
    expect(isGenerated(survey.mail)).toBe(true);
    expect(survey.mail.parsed.replyTo?.value[0]?.address).toBe(`support+${survey.token}@example.test`);
    expect(survey.token).toMatch(new RegExp(`^s${ticket.number}-[a-z0-9]{20}$`));
    await outboxDrained();
    // The outbox sends in parallel: the two may arrive in either order.
    expect(h.smtp.to(customer).filter(isGenerated).map((m) => (isSurvey(m) ? 'survey' : isResolvedNotice(m) ? 'resolved' : 'other')).sort()).toEqual(['resolved', 'survey']);
    expect(await statusOf(ticket)).toBe('resolved');
    expect(await satisfactionEvents(ticket)).toEqual([]);
  });

  it('GET on a link shows the form with its rating chosen and records nothing; POST records the rating and the comment', async () => {
    const { customer, ticket } = await resolvedTicket();
    const survey = await surveyOf(customer, ticket);

    const page = await fetch(survey.good);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain(`How did we do with ticket #${ticket.number}?`);
    expect(html).toMatch(/value="good" required checked/);
    expect(html).not.toMatch(/value="bad" required checked/);
    expect(html).toContain(`<form method="post" action="${survey.token}">`);
    expect(html).toMatch(/<textarea[^>]*name="comment"[^>]*maxlength="2000"/);
    expect(html).not.toContain('/tickets');
    // The bad link chooses bad; a HEAD (a link checker) answers like GET without a body.
    expect(await (await fetch(survey.bad)).text()).toMatch(/value="bad" required checked/);
    const head = await fetch(survey.good, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(await satisfactionEvents(ticket)).toEqual([]);

    const comment = 'Quick and kind. <b>Thanks</b> & "see you"';
    const answered = await post(`/satisfaction/${survey.token}`, { rating: 'good', comment });
    expect(answered.status).toBe(200);
    const thanks = await answered.text();
    expect(thanks).toContain('Thank you');
    expect(thanks).toContain(`ticket #${ticket.number}`);
    expect(await satisfactionEvents(ticket)).toEqual([{ type: 'satisfaction_rated', actor: `customer:${customer}`, data: { rating: 'good', comment }, message_id: null }]);
    expect(await statusOf(ticket)).toBe('resolved');

    // The web view's timeline shows it, escaped.
    const view = await fetch(`${base}/tickets/${ticket.number}`, { headers: { authorization: `Bearer ${HTTP_TOKEN}` } });
    const timeline = await view.text();
    expect(timeline).toContain('rated the help good: &quot;Quick and kind. &lt;b&gt;Thanks&lt;/b&gt; &amp; &quot;see you&quot;&quot;');
    expect(timeline).not.toContain('<b>Thanks</b>');
  });

  it('refuses a rating other than good or bad (400), a form that is not urlencoded (415) or too large (413), and records nothing', async () => {
    const { customer, ticket } = await resolvedTicket();
    const { token } = await surveyOf(customer, ticket);
    expect((await post(`/satisfaction/${token}`, { rating: 'excellent' })).status).toBe(400);
    expect((await post(`/satisfaction/${token}`, { comment: 'no rating' })).status).toBe(400);
    const json = await fetch(`${base}/satisfaction/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"rating":"good"}' });
    expect(json.status).toBe(415);
    expect((await post(`/satisfaction/${token}`, { rating: 'good', comment: 'x'.repeat(17 * 1024) })).status).toBe(413);
    expect(await satisfactionEvents(ticket)).toEqual([]);
    // A comment past 2000 characters (the textarea's maxlength, bypassed) is cut, not refused.
    expect((await post(`/satisfaction/${token}`, { rating: 'bad', comment: 'y'.repeat(2500) })).status).toBe(200);
    const [rated] = await satisfactionEvents(ticket);
    expect(rated).toMatchObject({ type: 'satisfaction_rated', data: { rating: 'bad' } });
    expect((rated!.data.comment as string).length).toBe(2000);
  });

  it('a forged token — one character of the mac changed, or the mac moved to another ticket — is a 404 "This link is not valid" and records nothing', async () => {
    const first = await resolvedTicket();
    const other = await resolvedTicket();
    const { token } = await surveyOf(first.customer, first.ticket);
    await surveyOf(other.customer, other.ticket);
    const mac = token.slice(token.indexOf('-') + 1);
    const forged = [tampered(token), `s${other.ticket.number}-${mac}`, `s${first.ticket.number + 1000}-${mac}`, 'not-a-token', `${token}x`];
    for (const bad of forged) {
      const page = await fetch(`${base}/satisfaction/${bad}?rating=good`);
      expect(page.status, bad).toBe(404);
      expect(await page.text()).toContain('This link is not valid');
      const answered = await post(`/satisfaction/${bad}`, { rating: 'bad', comment: 'forged' });
      expect(answered.status, bad).toBe(404);
      expect(await answered.text()).toContain('This link is not valid');
    }
    expect(await satisfactionEvents(first.ticket)).toEqual([]);
    expect(await satisfactionEvents(other.ticket)).toEqual([]);
  });

  it('asks once: reopened by the customer and resolved again, the ticket gets a second resolved notice and no second satisfaction mail', async () => {
    const { customer, ticket, notice, resolved } = await resolvedTicket();
    await surveyOf(customer, ticket);
    await h.append(replyTo(resolved.parsed, { from: `Cleo <${customer}>`, body: 'Sorry, it jams again.' }).raw);
    await waitFor(async () => (await statusOf(ticket)) === 'open', { what: `#${ticket.number} reopened` });
    await h.append(replyTo(notice.parsed, { from: `Alice <${ALICE}>`, body: '#status resolved' }).raw);
    await waitFor(() => h.smtp.to(customer).filter(isResolvedNotice).length === 2, { what: 'the second resolved notice' });
    await outboxDrained();
    expect(h.smtp.to(customer).filter(isSurvey)).toHaveLength(1);
    expect(await satisfactionEvents(ticket)).toEqual([]);
  });

  it('a reply to the satisfaction mail is a satisfaction_comment with the mail on the ticket: the ticket stays resolved and no agent is told', async () => {
    const { customer, ticket } = await resolvedTicket();
    const survey = await surveyOf(customer, ticket);
    await outboxDrained();
    const toAliceBefore = h.smtp.to(ALICE).length;
    const reply = replyTo(survey.mail.parsed, { from: `Cleo <${customer}>`, body: 'Alice was great, the scanner works now.' });
    expect(reply.raw).toContain(`To: support+${survey.token}@example.test`);
    await h.append(reply.raw);
    const [comment] = await waitFor(async () => {
      const events = await satisfactionEvents(ticket);
      return events.length > 0 ? events : null;
    }, { what: 'the satisfaction_comment event' });
    expect(comment).toMatchObject({ type: 'satisfaction_comment', actor: `customer:${customer}` });
    const [stored] = await h.db.sql<{ id: number; ticket_id: number; direction: string }[]>`
      select id::int, ticket_id::int, direction::text from messages where message_id = ${reply.messageId}`;
    expect(stored).toMatchObject({ ticket_id: ticket.id, direction: 'in' });
    expect(comment!.message_id).toBe(stored!.id);
    expect(await statusOf(ticket)).toBe('resolved');
    await outboxDrained();
    expect(h.smtp.to(ALICE).length).toBe(toAliceBefore);
    expect(h.smtp.to(customer).filter((m) => !isGenerated(m) && m.parsed.headers.get('auto-submitted') !== 'auto-replied')).toEqual([]);
  });
});

describe('satisfaction disabled (the default)', () => {
  it('resolving sends the resolved notice and no satisfaction mail', async () => {
    const off = await mailboxHarness({ agents: AGENTS });
    try {
      await off.start();
      const { customer, ticket } = await resolvedTicket(off);
      await outboxDrained(off);
      expect(off.smtp.to(customer).filter(isSurvey)).toEqual([]);
      expect(off.smtp.to(customer).filter((m) => (m.parsed.text ?? '').includes('/satisfaction/'))).toEqual([]);
      expect(await satisfactionEvents(ticket, off)).toEqual([]);
      const [row] = await off.db.sql`select satisfaction_asked_at from tickets where id = ${ticket.id}`;
      expect(row!.satisfaction_asked_at).toBeNull();
    } finally {
      await off.close();
    }
  });
});
