import { describe, expect, it } from 'vitest';
import { buildMail, newMessageId, replyTo } from '../support/mail.js';
import { runningHarness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

const running = runningHarness();

/** Postfix's "Delayed Mail (still being retried)" about one of our mails: `returned` is its Message-ID with brackets. */
function delayNotice(returned: string, recipient: string): string {
  return [
    'From: MAILER-DAEMON@smtp.customer.test (Mail Delivery System)',
    'To: support@example.test',
    'Subject: Delayed Mail (still being retried)',
    `Message-ID: <${newMessageId('smtp.customer.test')}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="d"',
    '',
    '--d',
    'Content-Type: text/plain',
    '',
    'THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE.',
    'Your message could not be delivered for more than 4 hour(s).',
    '--d',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; smtp.customer.test',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Action: delayed',
    'Status: 4.4.1',
    'Diagnostic-Code: X-Postfix; connect to mx.customer.test[192.0.2.61]:25: Connection timed out',
    '--d',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${returned}`,
    'From: support@example.test',
    `To: ${recipient}`,
    '--d--',
    '',
  ].join('\r\n');
}

describe('a delay notice for our mail', () => {
  it('records delivery_delayed on the ticket, leaves the send sent and the status as it was', async () => {
    const h = await running();
    await h.append(buildMail().raw);
    const notification = await h.smtp.waitForMail((m) => m.envelope.to.includes('alice@example.test'), 'the notification');
    await h.append(replyTo(notification.parsed, { from: 'alice@example.test', body: 'Here is the fix.' }).raw);
    const answer = await h.smtp.waitForMail((m) => m.raw.toString().includes('Here is the fix.'), 'the answer');
    const answerId = answer.parsed.messageId!.replace(/^<|>$/g, '');
    await waitFor(async () => {
      const [row] = await h.db.sql`select delivery_state::text as state from messages where message_id = ${answerId}`;
      return row?.state === 'sent';
    }, { what: 'the answer marked sent' });
    const [before] = await h.tickets();
    const [{ n: outboundBefore }] = (await h.db.sql`select count(*)::int as n from messages where direction = 'out'`) as unknown as [{ n: number }];

    await h.append(delayNotice(answer.parsed.messageId!, 'carol@customer.test'));
    const delayed = await waitFor(async () => {
      const [row] = await h.db.sql`select ticket_id::int as ticket, data from events where type = 'delivery_delayed'`;
      return row ?? null;
    }, { what: 'delivery_delayed recorded' });

    expect(delayed.ticket).toBe(before!.id);
    expect(delayed.data).toEqual({ outboundMessageId: answerId, kind: 'agent_reply', recipients: ['carol@customer.test'], status: '4.4.1' });
    const [row] = await h.db.sql`select delivery_state::text as state, last_error from messages where message_id = ${answerId}`;
    expect(row).toEqual({ state: 'sent', last_error: null });
    const [after] = await h.tickets();
    expect(after!.status).toBe(before!.status);
    expect(await h.tickets()).toHaveLength(1);
    const [notice] = await h.db.sql`select ticket_id::int as ticket, kind::text as kind from messages where direction = 'in' and subject = 'Delayed Mail (still being retried)'`;
    expect(notice).toEqual({ ticket: before!.id, kind: 'auto_reply' });
    const types = (await h.db.sql`select type from events where ticket_id = ${before!.id} order by id`).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['auto_reply_received', 'delivery_delayed']));
    expect(types).not.toContain('send_failed');
    const [{ n: outboundAfter }] = (await h.db.sql`select count(*)::int as n from messages where direction = 'out'`) as unknown as [{ n: number }];
    expect(outboundAfter).toBe(outboundBefore);
  });
});
