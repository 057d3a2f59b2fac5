import { describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.js';
import { runningHarness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

const running = runningHarness();

describe('several daemons and one mailbox', () => {
  it('lets one daemon watch the mailbox while another stands by, and hands it over when the first stops', async () => {
    const h = await running({ mailboxLeaseMs: 6_000 });
    await h.startAnother();
    await waitFor(() => h.logs.find('mailbox watched by another instance; standing by').length === 1, { what: 'the second daemon standing by' });

    await h.append(buildMail({ subject: 'while the first one watches' }).raw);
    await waitFor(async () => (await h.tickets()).length === 1, { what: 'the first ticket' });
    // The log line follows the commit: wait for it rather than race it.
    await waitFor(() => h.logs.find('message ingested').length === 1, { what: 'the first mail logged' });
    expect(h.logs.find('watching mailbox')).toHaveLength(1);

    await h.stopDaemon();
    await waitFor(() => h.logs.find('watching mailbox').length === 2, { timeoutMs: 15_000, what: 'the second daemon taking over' });
    await h.append(buildMail({ subject: 'after the hand-over' }).raw);
    await waitFor(async () => (await h.tickets()).length === 2, { what: 'the second ticket' });
    await waitFor(() => h.logs.find('message ingested').length === 2, { what: 'the second mail logged' });
    expect(h.logs.find('watching mailbox')).toHaveLength(2);
  });
});
