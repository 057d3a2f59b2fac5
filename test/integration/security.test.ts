import { describe, expect, it } from 'vitest';
import { buildDsn, buildMail, replyTo } from '../support/mail.js';
import { runningHarness, type MailboxHarness } from '../support/harness.js';
import { runCli } from '../support/cli.js';
import { testDns } from '../support/dkim.js';
import type { CapturedMail } from '../support/smtp-capture.js';
import { waitFor } from '../support/wait.js';

const running = runningHarness();
const CAROL = 'carol@customer.test';
const ATTACKER = 'attacker@evil.example';
const AGENT = 'alice@example.test';

const isAck = (m: CapturedMail) => m.parsed.headers.get('auto-submitted') === 'auto-replied';
const answers = (h: MailboxHarness) => h.smtp.mails.filter((m) => !isAck(m) && !m.envelope.to.includes(AGENT));

async function openTicket(h: MailboxHarness, spec: Parameters<typeof buildMail>[0] = {}) {
  const mail = buildMail({ subject: 'Invoice question', ...spec });
  await h.append(mail.raw);
  const ticket = await waitFor(async () => (await h.tickets())[0], { what: 'the ticket' });
  const notification = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && /New ticket/.test(m.parsed.subject ?? ''), 'the agent notification');
  return { ticket, messageId: mail.messageId!, notification };
}

async function participants(h: MailboxHarness): Promise<string[]> {
  const rows = await h.db.sql`select c.email from participants p join contacts c on c.id = p.contact_id order by c.email`;
  return rows.map((r) => r.email as string);
}

async function eventsOf(h: MailboxHarness, type: string) {
  return h.db.sql`select data from events where type = ${type} order by id`;
}

/** The agent answers a notification; resolves with the answer as the customer side receives it. */
async function agentAnswers(h: MailboxHarness, notification: CapturedMail, body: string): Promise<CapturedMail> {
  const before = answers(h).length;
  await h.append(replyTo(notification.parsed, { from: `Alice <${AGENT}>`, body }).raw);
  return waitFor(() => answers(h)[before], { what: `the answer "${body}"` });
}

describe('nobody joins a ticket by forging a participant (I9)', () => {
  it('a forged From with a subject tag joins the ticket but copies nobody on the answers', async () => {
    const h = await running();
    const { ticket, notification } = await openTicket(h);
    // The reproduction: a stranger writes as the customer, quoting the ticket number, with themselves in Cc.
    await h.append(buildMail({ from: `Carol <${CAROL}>`, cc: ATTACKER, subject: `Re: whatever [#${ticket.number}]`, body: 'please copy my colleague' }).raw);
    const held = await waitFor(async () => (await eventsOf(h, 'participants_held_back'))[0], { what: 'the held-back event' });
    expect(held!.data).toEqual({ addresses: [ATTACKER], reason: 'it matched the ticket by its subject tag only, which anyone can write' });
    expect(await participants(h)).toEqual([CAROL]);
    const notice = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && /Customer replied/.test(m.parsed.subject ?? ''), 'the reply notification');
    expect(notice.parsed.text).toContain(`Not copied on answers: ${ATTACKER}`);

    const answer = await agentAnswers(h, notification, 'Here is your invoice.');
    expect(answer.envelope.to).toEqual([CAROL]);
    expect(h.smtp.mails.filter((m) => m.envelope.to.includes(ATTACKER))).toEqual([]);
  });

  it('a stranger threading by In-Reply-To to the customer\'s own message adds nobody', async () => {
    const h = await running();
    const { messageId, notification } = await openTicket(h);
    await h.append(buildMail({ from: `Mallory <${ATTACKER}>`, subject: 'Re: Invoice question', inReplyTo: messageId, body: 'add me' }).raw);
    const held = await waitFor(async () => (await eventsOf(h, 'participants_held_back'))[0], { what: 'the held-back event' });
    expect(held!.data).toEqual({ addresses: [ATTACKER], reason: `it references no message we exchanged with ${ATTACKER}` });
    const answer = await agentAnswers(h, notification, 'Answer for Carol only.');
    expect(answer.envelope.to).toEqual([CAROL]);
  });

  it('someone we mailed, replying to that mail, brings in the colleague they copy', async () => {
    const h = await running();
    const { notification } = await openTicket(h, { cc: 'dave@customer.test' });
    expect(await participants(h)).toEqual([CAROL, 'dave@customer.test']);
    const answer = await agentAnswers(h, notification, 'First answer.');
    expect(answer.envelope.to.toSorted()).toEqual([CAROL, 'dave@customer.test']);
    // Dave answers the mail he got from us, copying Erin: he proves he belongs to the thread.
    await h.append(
      buildMail({ from: 'Dave <dave@customer.test>', cc: 'erin@customer.test', subject: 'Re: Invoice question', inReplyTo: answer.parsed.messageId!.replace(/[<>]/g, ''), body: 'Erin handles this.' }).raw,
    );
    await waitFor(async () => (await participants(h)).includes('erin@customer.test'), { what: 'Erin added' });
    const second = await agentAnswers(h, notification, 'Second answer.');
    expect(second.envelope.to.toSorted()).toEqual([CAROL, 'dave@customer.test', 'erin@customer.test']);
  });

  it('agents add and remove people with #cc; the requester stays', async () => {
    const h = await running();
    const { notification } = await openTicket(h);
    const first = await agentAnswers(h, notification, '#cc add boss@customer.test\n\nCopying your manager.');
    expect(first.envelope.to.toSorted()).toEqual(['boss@customer.test', CAROL]);
    await h.append(replyTo(notification.parsed, { from: `Alice <${AGENT}>`, body: `#cc remove boss@customer.test\n#cc remove ${CAROL}` }).raw);
    const confirmation = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && /Check your commands/.test(m.parsed.subject ?? ''), 'the confirmation');
    expect(confirmation.parsed.text).toContain('Done: boss@customer.test no longer copied');
    expect(confirmation.parsed.text).toContain(`Not understood: #cc remove ${CAROL}: the requester stays on the ticket`);
    const second = await agentAnswers(h, notification, 'Just you now.');
    expect(second.envelope.to).toEqual([CAROL]);
  });

  it('copies at most participantsPerTicket people', async () => {
    const h = await running({ extraConfig: 'limits: { participantsPerTicket: 3 }' });
    const cc = Array.from({ length: 10 }, (_, i) => `p${i}@customer.test`).join(', ');
    const { notification } = await openTicket(h, { cc });
    const answer = await agentAnswers(h, notification, 'Hello all.');
    expect(answer.envelope.to).toHaveLength(3);
    const [held] = await eventsOf(h, 'participants_held_back');
    expect(held!.data.addresses).toHaveLength(8);
  });
});

describe('agents proven by DKIM, never by a header a sender wrote', () => {
  const config = 'agentAuth: token-or-dkim';

  async function setup(extra = '') {
    const dns = testDns();
    const h = await running({ dnsResolver: dns.resolver, extraConfig: `${config}\n${extra}` });
    const opened = await openTicket(h);
    return { h, dns, ...opened };
  }

  /** An agent's answer to a notification, sent to the plain support address: threaded, but no reply token. */
  const agentMail = (notification: CapturedMail, headers: Record<string, string> = {}, from = `Alice <${AGENT}>`) =>
    replyTo(notification.parsed, { from, to: 'support@example.test', body: 'Your refund is approved.', headers }).raw;

  it('relays a mail whose DKIM signature for the agent\'s domain verifies', async () => {
    const { h, dns, notification } = await setup();
    await h.append(await dns.sign(agentMail(notification), 'example.test'));
    const answer = await waitFor(() => answers(h)[0], { what: 'the relayed answer' });
    expect(answer.envelope.to).toEqual([CAROL]);
    expect(answer.parsed.text?.trim()).toBe('Your refund is approved.');
  });

  it('relays nothing for a forged Authentication-Results saying pass, without a signature', async () => {
    const { h, notification } = await setup();
    await h.append(agentMail(notification, { 'Authentication-Results': 'mx.example.test; dkim=pass header.d=example.test; dmarc=pass header.from=example.test' }));
    await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && /not accepted/.test(m.parsed.subject ?? ''), 'the warning to Alice');
    expect(answers(h)).toEqual([]);
    expect((await eventsOf(h, 'forged_agent_mail')).map((e) => e.data.reason)).toEqual([expect.stringContaining('no DKIM/DMARC pass for alice@example.test')]);
  });

  // The topmost header is what the receiving servers wrote last; what follows is the sender's.
  it.each<[string, string[]]>([
    ['a pass with our id below another server\'s header', ['relay.example.test; none', 'mx.example.test; dkim=pass header.d=example.test']],
    ['a pass written in a comment of our own header', ['mx.example.test; dkim=fail (x; dkim=pass header.d=evil.example ) header.d=example.test']],
  ])('with trustedAuthServer, relays nothing for %s', async (_name, results) => {
    const { h, notification } = await setup('trustedAuthServer: mx.example.test');
    await h.append(`${results.map((r) => `Authentication-Results: ${r}`).join('\r\n')}\r\n${agentMail(notification)}`);
    await waitFor(async () => (await eventsOf(h, 'forged_agent_mail')).length === 1, { what: 'the mail kept as forged' });
    expect(answers(h)).toEqual([]);
  });

  it('relays nothing for a signature by another domain, or a mail with two From addresses', async () => {
    const { h, dns, notification } = await setup();
    await h.append(await dns.sign(agentMail(notification), 'evil.example'));
    await h.append(await dns.sign(agentMail(notification, {}, `Alice <${AGENT}>, Eve <eve@example.test>`), 'example.test'));
    await waitFor(async () => (await eventsOf(h, 'forged_agent_mail')).length === 2, { what: 'both kept as forged' });
    expect(answers(h)).toEqual([]);
  });

  it('a display name that looks like the agent proves nothing', async () => {
    const { h, dns, notification } = await setup();
    await h.append(await dns.sign(agentMail(notification, {}, `"${AGENT}" <eve@evil.example>`), 'evil.example'));
    await waitFor(async () => (await h.messageCount()) === 2, { what: 'the mail stored' });
    expect(answers(h)).toEqual([]);
    expect(await eventsOf(h, 'agent_replied')).toEqual([]);
  });

  it('with trustedAuthServer, reads only the topmost header — a genuine OpenDKIM result passes, a forged lower one does not', async () => {
    const { h, notification } = await setup('trustedAuthServer: mx.example.test');
    const genuine = 'mx.example.test; dkim=pass (2048-bit key; unprotected) header.d=example.test header.i=@example.test';
    await h.append(`Authentication-Results: mx.example.test; dkim=none\r\n${agentMail(notification, { 'Authentication-Results': genuine })}`);
    await waitFor(async () => (await eventsOf(h, 'forged_agent_mail')).length === 1, { what: 'the lower header ignored' });
    expect(answers(h)).toEqual([]);
    await h.append(`Authentication-Results: ${genuine}\r\n${agentMail(notification)}`);
    const answer = await waitFor(() => answers(h)[0], { what: 'the answer passed by our MTA' });
    expect(answer.envelope.to).toEqual([CAROL]);
  });
});

describe('no spam cannon', () => {
  it('holds all automated mail from a mailbox to its hourly ceiling, whoever the senders are', async () => {
    const h = await running({ extraConfig: 'autoAcknowledge: { limits: { perMailbox: 3 } }' });
    for (let i = 0; i < 5; i++) await h.append(buildMail({ from: `victim${i}@customer.test`, subject: `forged ${i}` }).raw);
    await waitFor(async () => (await eventsOf(h, 'auto_ack_skipped')).length === 2, { what: 'two acknowledgements held back' });
    await waitFor(async () => (await h.db.sql`select 1 from messages where delivery_state in ('queued', 'sending')`).length === 0, { what: 'the outbox drained' });
    expect(h.smtp.mails.filter(isAck)).toHaveLength(3);
    expect((await eventsOf(h, 'auto_ack_skipped')).map((e) => e.data.reason)).toEqual([
      'rate limit: 3 automated mails from this mailbox in the window',
      'rate limit: 3 automated mails from this mailbox in the window',
    ]);
  });

  it('acknowledges no sender whose domain says the mail is not theirs (DMARC fail, p=reject)', async () => {
    const dns = testDns();
    dns.dmarc('bank.example', 'reject');
    const h = await running({ dnsResolver: dns.resolver });
    await h.append(buildMail({ from: 'ceo@bank.example', subject: 'Buy cheap pills at evil.example' }).raw);
    const [skipped] = await waitFor(async () => {
      const rows = await eventsOf(h, 'auto_ack_skipped');
      return rows.length > 0 ? rows : null;
    }, { what: 'the acknowledgement held back' });
    expect(skipped!.data.reason).toMatch(/fails DMARC \(dkim=none; dmarc=fail \(p=reject\)\)/);
    await waitFor(async () => (await h.db.sql`select 1 from messages where kind = 'notification'`).length === 1, { what: 'the agent told' });
    expect(h.smtp.mails.filter((m) => m.envelope.to.includes('ceo@bank.example'))).toEqual([]);
  });

  it('echoes at most a short line of what the sender wrote in an acknowledgement', async () => {
    const h = await running();
    const spam = `Cheap pills ${'x'.repeat(300)}`;
    await h.append(buildMail({ from: `"${'Visit evil.example now '.repeat(10)}" <${CAROL}>`, subject: spam }).raw);
    const ack = await h.smtp.waitForMail(isAck, 'the acknowledgement');
    expect(ack.parsed.subject!.length).toBeLessThan(140);
    expect(ack.parsed.text).not.toContain('x'.repeat(200));
    expect(ack.parsed.text).not.toContain('Visit evil.example now '.repeat(4));
  });

  it('tells the agent about mail forged in their name once per sender, however often it comes', async () => {
    const h = await running();
    const { notification } = await openTicket(h);
    for (let i = 0; i < 4; i++) {
      await h.append(replyTo(notification.parsed, { from: `Alice <${AGENT}>`, to: 'support@example.test', body: `forged ${i}` }).raw);
    }
    await waitFor(async () => (await eventsOf(h, 'forged_agent_mail')).length === 4 && (await eventsOf(h, 'notice_skipped')).length === 3, { what: 'four forgeries recorded' });
    await waitFor(async () => (await h.db.sql`select 1 from messages where delivery_state in ('queued', 'sending')`).length === 0, { what: 'the outbox drained' });
    expect(h.smtp.mails.filter((m) => m.envelope.to.includes(AGENT) && /not accepted/.test(m.parsed.subject ?? ''))).toHaveLength(1);
  });
});

describe('reply tokens', () => {
  it('an expired token proves nothing, and the agent is told why; tickets show never prints a token', async () => {
    const h = await running({ extraConfig: 'replyTokens: { lifetime: 1s }' });
    const { ticket, notification } = await openTicket(h);
    const token = notification.parsed.replyTo!.value[0]!.address!;
    expect(token).toMatch(new RegExp(`^support\\+t${ticket.number}-[0-9a-z]+-[a-z0-9]{20}@example\\.test$`));
    await h.append(replyTo(notification.parsed, { from: `Alice <${AGENT}>`, body: 'Late answer.' }).raw);
    const warning = await h.smtp.waitForMail((m) => m.envelope.to.includes(AGENT) && /not accepted/.test(m.parsed.subject ?? ''), 'the warning to Alice');
    expect(warning.parsed.text).toContain(`the reply token of this notification has expired`);
    expect(warning.parsed.text).toContain(`reply to a newer notification of ticket ${ticket.number}`);
    expect(answers(h)).toEqual([]);

    const shown = await runCli(['tickets', 'show', String(ticket.number), '--json'], { DATABASE_URL: h.db.url });
    const mac = token.split('-').at(-1)!.split('@')[0]!;
    expect(shown.stdout).toContain(`support+t${ticket.number}-…@example.test`);
    expect(shown.stdout).not.toContain(mac);
    expect(h.logs.raw.filter((line) => line.includes(mac))).toEqual([]);
  });
});

describe('notices a stranger can trigger are coalesced', () => {
  it('tells the agents once per address and hour when acknowledgements to it bounce', async () => {
    const h = await running();
    const victim = 'nobody@customer.test';
    await h.append(buildMail({ from: victim, subject: 'first forged' }).raw);
    await h.append(buildMail({ from: victim, subject: 'second forged' }).raw);
    await waitFor(() => h.smtp.to(victim).length === 2, { what: 'two acknowledgements' });
    for (const ack of h.smtp.to(victim)) await h.append(buildDsn(ack.parsed.messageId!, victim));
    await waitFor(async () => (await eventsOf(h, 'send_failed')).length === 2 && (await eventsOf(h, 'notice_skipped')).length === 1, { what: 'both bounces recorded' });
    await waitFor(async () => (await h.db.sql`select 1 from messages where delivery_state in ('queued', 'sending')`).length === 0, { what: 'the outbox drained' });
    expect(h.smtp.mails.filter((m) => m.envelope.to.includes(AGENT) && /Not delivered/.test(m.parsed.subject ?? ''))).toHaveLength(1);
  });
});

describe('the reply-token key', () => {
  it('is never printed, and a daemon without HELPDESK_TOKEN_KEY says at start that it should have one', async () => {
    const h = await running();
    const [row] = await h.db.sql`select value from settings where key = 'reply_token_key'`;
    expect(h.logs.find('HELPDESK_TOKEN_KEY is not set: reply tokens are signed with a key kept in the database, so a copy of the database is enough to forge agent replies; set HELPDESK_TOKEN_KEY (16 characters or more) to keep the key out of it')).toHaveLength(1);
    expect(h.logs.raw.filter((line) => line.includes(row!.value as string))).toEqual([]);
  });
});
