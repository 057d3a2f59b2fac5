import { afterEach, describe, expect, it } from 'vitest';
import { buildDsn, buildMail, newMessageId, replyTo } from '../support/mail.js';
import { runningHarness, type MailboxHarness } from '../support/harness.js';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait.js';

let redis: PrivateRedis | null = null;

// Registered before the harness's own hook, so it runs after it: the daemon stops before its Redis does.
afterEach(async () => {
  await redis?.stop();
  redis = null;
});
const running = runningHarness();

async function outboxDrained(h: MailboxHarness): Promise<boolean> {
  const [row] = await h.db.sql`select count(*)::int as n from messages where delivery_state in ('queued', 'sending')`;
  return row!.n === 0;
}

describe('the outbox survives a flushed Redis', () => {
  it('delivers every row left queued exactly once after FLUSHALL', async () => {
    redis = await startPrivateRedis();
    const h = await running({ redisUrl: redis.url, extraConfig: 'outbound: { retryDelay: 30s, reconcileEvery: 1s }' });
    h.smtp.respond(() => ({ code: 451, message: '4.3.0 not now' }));
    await h.append(buildMail({ subject: 'first' }).raw);
    await h.append(buildMail({ subject: 'second', from: 'dan@customer.test' }).raw);
    // Two acknowledgements and two notifications, each refused once and waiting 30 s for a retry.
    await waitFor(async () => {
      const [row] = await h.db.sql`select count(*)::int as n from messages where direction = 'out' and attempts >= 1 and delivery_state = 'queued'`;
      return row!.n === 4;
    }, { timeoutMs: 20_000, what: 'four rows refused once and queued for a retry' });

    await redis.flushAll();
    h.smtp.respond(() => null);
    await waitFor(async () => h.smtp.mails.length >= 4 && (await outboxDrained(h)), { timeoutMs: 20_000, what: 'the reconciler to deliver them' });

    const ids = h.smtp.mails.map((m) => m.parsed.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(4);
    const [sent] = await h.db.sql`select count(*)::int as n from messages where direction = 'out' and delivery_state = 'sent'`;
    expect(sent!.n).toBe(4);
  });
});

describe('loops and bounces', () => {
  it('keeps acknowledgements to an auto-responder within the rate limit: no ping-pong', async () => {
    const h = await running({ extraConfig: 'autoAcknowledge: { limits: { perSender: 3, window: 1h } }' });
    const bot = 'robot@customer.test';
    const acks = () => h.smtp.to(bot).length;
    let sent = 0;
    // The robot answers every mail it gets with a fresh mail (no auto headers, no thread): the worst case.
    for (;;) {
      await h.append(buildMail({ from: bot, subject: `Thank you for your message (${sent})`, messageId: newMessageId() }).raw);
      sent++;
      await waitFor(async () => (await h.tickets()).length === sent && (await outboxDrained(h)), { what: `robot mail ${sent} handled` });
      if (acks() < sent || sent > 10) break;
    }
    expect(acks()).toBe(3);
    expect(sent).toBe(4);
    const [skipped] = await h.db.sql`select data from events where type = 'auto_ack_skipped'`;
    expect(String(skipped!.data.reason)).toContain('rate limit');
  });

  it('never acknowledges a mail marked Auto-Submitted, a list mail or a no-reply sender', async () => {
    const h = await running();
    await h.append(buildMail({ from: 'news@customer.test', headers: { 'List-Id': '<news.customer.test>' } }).raw);
    await h.append(buildMail({ from: 'noreply@customer.test' }).raw);
    await h.append(buildMail({ from: 'helper@customer.test', headers: { 'Auto-Submitted': 'auto-generated' } }).raw);
    await waitFor(async () => (await h.messageCount()) === 3 && (await outboxDrained(h)), { what: 'the three mails handled' });
    expect(h.smtp.mails.filter((m) => m.envelope.to.some((to) => to.endsWith('@customer.test')))).toEqual([]);
  });

  it('marks a bounced reply failed without opening a ticket or answering the bounce', async () => {
    const h = await running();
    await h.append(buildMail().raw);
    const notification = await h.smtp.waitForMail((m) => m.envelope.to.includes('alice@example.test'), 'the notification');
    await h.append(replyTo(notification.parsed, { from: 'alice@example.test', body: 'Here is the fix.' }).raw);
    const answer = await h.smtp.waitForMail((m) => m.raw.toString().includes('Here is the fix.'), 'the answer');
    const answerId = answer.parsed.messageId!;

    const dsn = buildDsn(answerId, 'carol@customer.test');
    const before = h.smtp.mails.length;
    await h.append(dsn);
    await waitFor(async () => {
      const [row] = await h.db.sql`select delivery_state::text as state, last_error from messages where message_id = ${answerId.replace(/[<>]/g, '')}`;
      return row?.state === 'failed' ? row : null;
    }, { what: 'the answer marked failed' });

    const [row] = await h.db.sql`select last_error from messages where message_id = ${answerId.replace(/[<>]/g, '')}`;
    expect(row!.last_error).toContain('5.1.1');
    expect(await h.tickets()).toHaveLength(1);
    const types = (await h.db.sql`select type from events order by id`).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['bounce_received', 'send_failed']));
    await waitFor(() => outboxDrained(h), { what: 'the failure notice sent' });
    const after = h.smtp.mails.slice(before);
    expect(after.map((m) => m.envelope.to)).toEqual([['alice@example.test']]);
    expect(after[0]!.parsed.subject).toMatch(/Not delivered/);
  });
});
