import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.js';
import { runningHarness } from '../support/harness.js';
import { slowHtml } from '../support/poison.js';
import { waitFor } from '../support/wait.js';

const running = runningHarness();

describe('one pathological mail cannot stall the process', () => {
  it('sanitises HTML off the event loop: the lease is renewed and other mail flows while it works; over budget it keeps the text only', async () => {
    const h = await running({ mailboxLeaseMs: 1_500, extraConfig: 'limits: { parseTimeout: 0.25s }' });
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

      const [stored] = await h.db.sql`select html, length(text) as text_length from messages where message_id = ${poison.messageId}`;
      expect(stored!.html).toBeNull();
      const [event] = await h.db.sql`select data from events where type = 'html_dropped'`;
      expect(event!.data.reason).toBe('sanitising the HTML took longer than its budget of 0.25s: kept the text part only');
      expect(Number(stored!.text_length)).toBeGreaterThan(0);
      // Watch the lease for two of its periods at least: a stalled daemon would have lost it.
      await waitFor(() => seen.samples > 30, { timeoutMs: 30_000, what: 'three seconds of lease samples' });
      expect(seen.lost).toBe(false);
      // Sanitising ran over its budget in a worker (about 0.7 s of work against 0.25 s), and the daemon's own
      // thread never stopped for long. The bound is loose for a loaded CI machine.
      expect(delay.max / 1e6).toBeLessThan(2_000);
    } finally {
      clearInterval(watch);
      delay.disable();
      redis.disconnect();
    }
  });
});
