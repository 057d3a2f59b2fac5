import type postgres from 'postgres';
import { buildMail, replyTo } from '../../test/support/mail.js';
import type { MailRelay, RelayedMail } from './mail-relay.js';
import { AGENT, AUTO_CLOSE_AFTER_S, CUSTOMER, DemoFailure, SUPPORT, seconds } from './stage.js';

/** How long each step may take; generous, a loaded machine is slow but gets there. */
const STEP_TIMEOUT_MS = 90_000;
const SUBJECT = 'Printer on fire';

type Print = (line: string) => void;

interface Actors {
  readonly relay: MailRelay;
  readonly sql: postgres.Sql;
  readonly print: Print;
  /** How the daemon ended, null while it runs: a step waiting for it fails at once. */
  readonly daemonExit: () => string | null;
}

interface TicketRow {
  readonly number: number;
  readonly status: string;
  readonly priority: string;
}

/**
 * One ticket's life through the running daemon, each step waited for with a
 * deadline and printed with the status the database has: a customer's mail,
 * the agent's answer by mail, the customer's reply, the agent resolving it by
 * mail, auto-close. Returns the ticket number; throws DemoFailure when a step does not happen.
 */
export async function playTicketLife(actors: Actors): Promise<number> {
  const { print } = actors;
  const started = Date.now();

  const customerMail = buildMail({ from: `${CUSTOMER.name} <${CUSTOMER.email}>`, to: SUPPORT, subject: SUBJECT, body: 'Hello,\n\nthe printer in room 4 is on fire. Please advise.\n\nCarol' });
  const notification = await step(actors, `1. Carol (${CUSTOMER.email}) writes to ${SUPPORT}: "${SUBJECT}"`, CUSTOMER.email, customerMail.raw, async (mark) => {
    const ticket = await until(actors, () => ticketBySubject(actors.sql, SUBJECT), 'no ticket was made of her mail');
    const ack = await mailSince(actors, mark, (m) => isTo(m, CUSTOMER.email) && isAutoReply(m), 'the acknowledgement to Carol');
    const note = await mailSince(actors, mark, (m) => isTo(m, AGENT.email) && tagged(m, ticket.number), 'the notification to Alice');
    return { ticket, lines: [`Carol got the acknowledgement: "${ack.parsed.subject}"`, `Alice (agent) got the notification: "${note.parsed.subject}"`, `  its Reply-To carries the reply token: ${replyAddress(note)}`], result: note };
  });
  const number = ticketNumber(notification);

  const agentAnswer = replyTo(notification.parsed, { from: `${AGENT.name} <${AGENT.email}>`, body: '#priority high\n\nHello Carol, a technician is on the way with an extinguisher.\n\nAlice' });
  const answer = await step(actors, '2. Alice replies to the notification, with "#priority high" on top', AGENT.email, agentAnswer.raw, async (mark) => {
    const ticket = await untilStatus(actors, number, 'answered', (t) => t.priority === 'high');
    const relayed = await mailSince(actors, mark, (m) => isTo(m, CUSTOMER.email) && !isAutoReply(m), 'the answer relayed to Carol');
    return { ticket, lines: [`Carol got the answer: "${relayed.parsed.subject}": "${firstLine(relayed.parsed.text)}"`], result: relayed };
  }, replyAddress(notification));

  const customerReply = replyTo(answer.parsed, { from: `${CUSTOMER.name} <${CUSTOMER.email}>`, body: 'Thank you! It is still smoking a little.\n\nCarol' });
  const followUp = await step(actors, '3. Carol replies to the answer', CUSTOMER.email, customerReply.raw, async (mark) => {
    const ticket = await untilStatus(actors, number, 'open');
    const note = await mailSince(actors, mark, (m) => isTo(m, AGENT.email) && tagged(m, number), 'the notification to Alice');
    return { ticket, lines: [`Alice got the notification: "${note.parsed.subject}"`], result: note };
  });

  const resolve = replyTo(followUp.parsed, { from: `${AGENT.name} <${AGENT.email}>`, body: '#status resolved' });
  await step(actors, '4. Alice resolves it by mail: "#status resolved"', AGENT.email, resolve.raw, async (mark) => {
    const ticket = await untilStatus(actors, number, 'resolved');
    const done = await mailSince(actors, mark, (m) => isTo(m, AGENT.email) && tagged(m, number), 'the confirmation to Alice');
    return { ticket, lines: [`Alice got the confirmation: "${done.parsed.subject}"`], result: done };
  }, replyAddress(followUp));

  await step(actors, `5. Nobody writes for ${AUTO_CLOSE_AFTER_S} s: auto-close (autoClose.after ${AUTO_CLOSE_AFTER_S}s)`, null, null, async (mark) => {
    const ticket = await untilStatus(actors, number, 'closed');
    const notice = await mailSince(actors, mark, (m) => isTo(m, CUSTOMER.email), 'the closing notice to Carol');
    return { ticket, lines: [`Carol got the notice: "${notice.parsed.subject}"`], result: notice };
  });

  print(`\nThe whole life took ${seconds(Date.now() - started)}.`);
  return number;
}

/**
 * Sends `raw` (unless null) through the relay as `sender` would, to `to` (else
 * the support address), then prints the ticket's status and what `observe` saw.
 */
async function step<T>(
  actors: Actors,
  title: string,
  sender: string | null,
  raw: string | null,
  observe: (mark: number) => Promise<{ ticket: TicketRow; lines: string[]; result: T }>,
  to = SUPPORT,
): Promise<T> {
  actors.print(`\n${title}`);
  const mark = actors.relay.mails.length;
  const started = Date.now();
  if (sender && raw) await actors.relay.send(sender, to, raw);
  const { ticket, lines, result } = await observe(mark);
  actors.print(`   ✓ ticket #${ticket.number}: status ${ticket.status}, priority ${ticket.priority}  (${seconds(Date.now() - started)})`);
  for (const line of lines) actors.print(line.startsWith('  ') ? `   ${line}` : `   ✓ ${line}`);
  return result;
}

/** Polls `check` until it gives a value; null at the deadline. Throws when the daemon is gone. */
async function poll<T>(actors: Actors, check: () => Promise<T | null | undefined>): Promise<T | null> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    const exit = actors.daemonExit();
    if (exit) throw new DemoFailure(`the daemon exited (${exit})`);
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function until<T>(actors: Actors, check: () => Promise<T | null | undefined>, failure: string): Promise<T> {
  const value = await poll(actors, check);
  if (!value) throw new DemoFailure(`${failure} within ${STEP_TIMEOUT_MS / 1000} s`);
  return value;
}

async function untilStatus(actors: Actors, number: number, status: string, also: (t: TicketRow) => boolean = () => true): Promise<TicketRow> {
  const ticket = await poll(actors, async () => {
    const t = await ticketByNumber(actors.sql, number);
    return t && t.status === status && also(t) ? t : null;
  });
  if (ticket) return ticket;
  const now = await ticketByNumber(actors.sql, number).catch(() => null);
  const seen = now ? `it is ${now.status}, priority ${now.priority}` : 'it cannot be read';
  throw new DemoFailure(`ticket #${number} did not become ${status} within ${STEP_TIMEOUT_MS / 1000} s (${seen})`);
}

async function mailSince(actors: Actors, mark: number, predicate: (m: RelayedMail) => boolean, what: string): Promise<RelayedMail> {
  const { mails } = actors.relay;
  return until(actors, async () => mails.slice(mark).find(predicate), `${what} was not sent`);
}

async function ticketBySubject(sql: postgres.Sql, subject: string): Promise<TicketRow | undefined> {
  const [row] = await sql<TicketRow[]>`select number::int, status::text, priority::text from tickets where subject = ${subject} order by number desc limit 1`;
  return row;
}

async function ticketByNumber(sql: postgres.Sql, number: number): Promise<TicketRow | undefined> {
  const [row] = await sql<TicketRow[]>`select number::int, status::text, priority::text from tickets where number = ${number}`;
  return row;
}

const isTo = (m: RelayedMail, address: string) => m.to.includes(address);
const isAutoReply = (m: RelayedMail) => m.parsed.headers.get('auto-submitted') === 'auto-replied';
const tagged = (m: RelayedMail, number: number) => (m.parsed.subject ?? '').includes(`[#${number}]`);

function replyAddress(m: RelayedMail): string {
  return m.parsed.replyTo?.value[0]?.address ?? SUPPORT;
}

function ticketNumber(m: RelayedMail): number {
  return Number(/\[#(\d+)\]/.exec(m.parsed.subject ?? '')?.[1] ?? 0);
}

function firstLine(text: string | undefined): string {
  const line = (text ?? '').trim().split('\n').find((l) => l.trim()) ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}
