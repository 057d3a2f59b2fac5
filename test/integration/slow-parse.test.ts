import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.js';
import { runningHarness } from '../support/harness.js';
import { createParserPool } from '../../src/adapters/mime/parser-pool.js';
import { slowHtml } from '../support/poison.js';
import { waitFor } from '../support/wait.js';

const running = runningHarness();

describe('one pathological mail cannot stall the process', () => {
  it('sanitises HTML off the event loop: the lease is renewed and other mail flows while it works', async () => {
    const h = await running({ mailboxLeaseMs: 3_000 });
    const redis = new Redis(h.redisUrl);
    const leaseKey = `${h.queuePrefix}:lease:mailbox:support`;
    const holder = await redis.get(leaseKey);
    expect(holder).toBeTruthy();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const seen = { lost: false, samples: 0 };
    const watch = setInterval(() => {
      void redis.get(leaseKey).then((value) => {
        seen.samples++;
        if (value !== holder) seen.lost = true;
      });
    }, 100);
    try {
      const poison = slowHtml();
      await h.appendRaw(poison.raw);
      await h.append(buildMail({ subject: 'behind the big one', from: 'fay@customer.test' }).raw);
      await waitFor(async () => (await h.tickets()).length === 2, { timeoutMs: 60_000, what: 'both mails stored' });

      // Most of a second of sanitising, in a worker: the HTML is kept, sanitised.
      const [stored] = await h.db.sql`select html from messages where message_id = ${poison.messageId}`;
      expect(stored!.html).toMatch(/^<p>x<\/p>/);
      // Watch the lease for two of its periods at least: a stalled daemon would have lost it.
      await waitFor(() => seen.samples > 60, { timeoutMs: 30_000, what: 'six seconds of lease samples' });
      expect(seen.lost).toBe(false);
      // The daemon's own thread never stopped for long. The bound is loose for a loaded CI machine.
      expect(delay.max / 1e6).toBeLessThan(2_000);
    } finally {
      clearInterval(watch);
      delay.disable();
      redis.disconnect();
    }
  });

  it('keeps the text part only when sanitising goes over its budget: the worker is stopped, the mail kept', async () => {
    // A budget per stage: the MIME structure has plenty; the first sanitising 1 ms (it needs most of a
    // second), every later one plenty again (the pool's new worker starts up within it).
    let sanitising = 0;
    const parser = createParserPool({ budgetMs: (stage) => (stage === 'sanitise' && sanitising++ === 0 ? 1 : 60_000), threads: 1 });
    try {
      const mail = await parser.parse(slowHtml().raw, { maxAttachmentBytes: 1_000_000 });
      expect(mail.html).toBeNull();
      expect(mail.htmlDropped).toBe('sanitising the HTML took longer than its budget of 0.001s: kept the text part only');
      expect(mail.text.trim()).toBe('The text part, kept.');
      expect(mail.parseError).toBeNull();
      // The pool replaced the stopped worker: the next mail parses in full.
      const after = ['From: fay@customer.test', 'To: support@example.test', 'Subject: after', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', '', '<p>fine</p>', ''];
      const next = await parser.parse(Buffer.from(after.join('\r\n')), { maxAttachmentBytes: 1_000_000 });
      expect(next.html).toContain('fine');
    } finally {
      await parser.close();
    }
  });
});
