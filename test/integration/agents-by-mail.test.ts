import { createHash, randomBytes } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/db/client.js';
import { listTickets } from '../../src/adapters/db/ticket-queries.js';
import { mailboxHarness, runningHarness, type MailboxHarness } from '../support/harness.js';
import { buildMail, newMessageId, replyTo } from '../support/mail.js';
import type { CapturedMail } from '../support/smtp-capture.js';
import { waitFor } from '../support/wait.js';

/*
 * "Agents answer by email" end to end: customer mail APPENDed to a real
 * Dovecot, the daemon in this process, every mail it sends caught by a real
 * SMTP server and read back with mailparser. One daemon for the file; each
 * test has its own customers and subjects.
 */

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const AGENTS = ['agents:', `  - { name: Alice, email: ${ALICE}, departments: [general] }`, `  - { name: Bob, email: ${BOB}, departments: [general] }`].join('\n');
const CONFIG = ['notifications: { attachmentsMaxBytes: 100KB }', "senders: { block: ['*@spam.test'] }"].join('\n');

/** A 4×4 PNG (valid: file-type reads it as image/png). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGP4z8AARwzEcQCukw/x0F8jngAAAABJRU5ErkJggg==', 'base64');

/** A PDF file-type recognises, `padding` random bytes long in its body (distinct bytes every call). */
function pdf(padding = 64): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%'), randomBytes(padding), Buffer.from('\n%%EOF\n')]);
}

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');
const isAck = (m: CapturedMail) => m.parsed.headers.get('auto-submitted') === 'auto-replied';
const isGenerated = (m: CapturedMail) => m.parsed.headers.get('auto-submitted') === 'auto-generated';
/** The capture's own parse inlines `cid:` images as data: URLs; this one keeps the links as sent. */
const asSent = (m: CapturedMail): Promise<ParsedMail> => simpleParser(m.raw, { keepCidLinks: true });

function compose(options: Mail.Options): Promise<Buffer> {
  return new MailComposer({ date: new Date(), messageId: `<${newMessageId()}>`, ...options }).compile().build();
}

interface TicketRow {
  id: number;
  number: number;
  status: string;
  priority: string;
  assignee: string | null;
  subject: string;
  language: string | null;
  requester: string;
}

let h: MailboxHarness;

beforeAll(async () => {
  h = await mailboxHarness({ agents: AGENTS, extraConfig: CONFIG });
  await h.start();
});

afterAll(async () => {
  await h?.close();
});

async function ticketRows(harness: MailboxHarness, subject: string): Promise<TicketRow[]> {
  return harness.db.sql<TicketRow[]>`
    select t.id::int, t.number::int, t.status::text, t.priority::text, t.assignee, t.subject, t.language, c.email as requester
      from tickets t join contacts c on c.id = t.requester_id where t.subject = ${subject} order by t.number`;
}

async function ticketCalled(subject: string, harness = h): Promise<TicketRow> {
  return waitFor(async () => (await ticketRows(harness, subject))[0], { what: `the ticket "${subject}"` });
}

async function reload(ticket: TicketRow): Promise<TicketRow> {
  return (await ticketRows(h, ticket.subject)).find((t) => t.id === ticket.id)!;
}

function notification(agent: string, ticket: Pick<TicketRow, 'number'>, kind = 'New ticket'): Promise<CapturedMail> {
  return h.smtp.waitForMail((m) => m.envelope.to.includes(agent) && (m.parsed.subject ?? '').startsWith(`[#${ticket.number}] ${kind}`), `"${kind}" of #${ticket.number} to ${agent}`);
}

/** A customer's plain mail opens a ticket; resolves with it and Alice's notification. */
async function openTicket(from: string, subject: string, body = 'Hello, something is broken. Please help.') {
  const mail = buildMail({ from, subject, body });
  await h.append(mail.raw);
  const ticket = await ticketCalled(subject);
  return { ticket, messageId: mail.messageId!, notice: await notification(ALICE, ticket) };
}

/** Waits until every mail the daemon wrote so far has left (sent or failed): the capture then holds all of it. */
async function outboxDrained(): Promise<void> {
  await waitFor(async () => (await h.db.sql`select 1 from messages where delivery_state in ('queued', 'sending')`).length === 0, { what: 'the outbox drained' });
}

async function outboundOf(ticket: TicketRow): Promise<{ kind: string; to: string[]; subject: string }[]> {
  const rows = await h.db.sql`select kind::text, "to", subject from messages where ticket_id = ${ticket.id} and direction = 'out' order by id`;
  return rows.map((r) => ({ kind: r.kind as string, to: (r.to as { address: string }[]).map((a) => a.address), subject: r.subject as string }));
}

async function storedAttachments(ticket: TicketRow): Promise<{ filename: string; sha256: string; stored: boolean }[]> {
  return h.db.sql`select a.filename, a.sha256, a.stored from attachments a join messages m on m.id = a.message_id
                   where m.ticket_id = ${ticket.id} and m.direction = 'in' order by a.id`;
}

/** The agent's personal address, from the footer of a notification they received. */
function personalAddress(notice: CapturedMail): string {
  const found = /Your personal address for new tickets: (support\+a\S+@example\.test)/.exec(notice.parsed.text ?? '');
  if (!found) throw new Error(`no personal address in:\n${notice.parsed.text}`);
  return found[1]!;
}

function replyToken(notice: CapturedMail): string {
  return notice.parsed.replyTo!.value[0]!.address!;
}

/** What reached a customer other than acknowledgements. */
const answersTo = (address: string) => h.smtp.to(address).filter((m) => !isAck(m));

describe('notifications carry what the customer sent', () => {
  it('attaches the customer\'s PNG and PDF (same bytes) and lists them; past attachmentsMaxBytes, lists how to fetch the rest', async () => {
    const png = PNG;
    const small = pdf();
    await h.appendRaw(
      await compose({
        from: 'Anne <anne@customer.test>',
        to: 'support@example.test',
        subject: 'Scanner streaks',
        text: 'The scanner leaves streaks, photo and report attached.',
        attachments: [
          { filename: 'photo.png', content: png, contentType: 'image/png' },
          { filename: 'report.pdf', content: small, contentType: 'application/pdf' },
        ],
      }),
    );
    const ticket = await ticketCalled('Scanner streaks');
    const notice = await notification(ALICE, ticket);
    const carried = notice.parsed.attachments.map((a) => ({ filename: a.filename, sha256: sha256(a.content) }));
    expect(carried).toEqual([
      { filename: 'photo.png', sha256: sha256(png) },
      { filename: 'report.pdf', sha256: sha256(small) },
    ]);
    expect(notice.parsed.text).toMatch(/- photo\.png \(image\/png, [^)]*, attached\)/);
    expect(notice.parsed.text).toMatch(/- report\.pdf \(application\/pdf, [^)]*, attached\)/);
    expect(notice.parsed.text).not.toContain('helpdesk attachments');

    // 200 KB do not fit in the 100 KB a notification may carry; the image after it still does.
    const big = pdf(200 * 1024);
    await h.appendRaw(
      await compose({
        from: 'Anne <anne@customer.test>',
        to: 'support@example.test',
        subject: 'Scanner streaks, full log',
        text: 'The full log is attached.',
        attachments: [
          { filename: 'full-log.pdf', content: big, contentType: 'application/pdf' },
          { filename: 'photo.png', content: png, contentType: 'image/png' },
        ],
      }),
    );
    const second = await ticketCalled('Scanner streaks, full log');
    const bigNotice = await notification(ALICE, second);
    expect(bigNotice.parsed.attachments.map((a) => [a.filename, sha256(a.content)])).toEqual([['photo.png', sha256(png)]]);
    expect(bigNotice.parsed.text).toMatch(/- full-log\.pdf \(application\/pdf, [^)]*not attached[^)]*\)/);
    expect(bigNotice.parsed.text).toContain(`helpdesk attachments ${second.number}`);
    expect(await storedAttachments(second)).toContainEqual({ filename: 'full-log.pdf', sha256: sha256(big), stored: true });
  });

  it('shows the customer\'s HTML with its cid: image as a related inline part, and never a remote tracking image', async () => {
    await h.appendRaw(
      await compose({
        from: 'Bea <bea@customer.test>',
        to: 'support@example.test',
        subject: 'Error dialog on start',
        text: 'On start I get this error dialog.',
        html: '<p>On start I get <b>this error dialog</b>:</p><p><img src="cid:shot1@customer.test" alt="dialog"></p><img src="https://tracker.example/open.gif?u=bea" width="1" height="1">',
        attachments: [{ filename: 'dialog.png', content: PNG, contentType: 'image/png', cid: 'shot1@customer.test' }],
      }),
    );
    const ticket = await ticketCalled('Error dialog on start');
    const notice = await asSent(await notification(ALICE, ticket));
    expect(notice.html).toContain('<b>this error dialog</b>');
    expect(notice.html).toContain('src="cid:shot1@customer.test"');
    expect(notice.html).not.toContain('tracker.example');
    const image = notice.attachments.find((a) => a.cid === 'shot1@customer.test');
    expect(image).toMatchObject({ related: true, contentType: 'image/png' });
    expect(sha256(image!.content)).toBe(sha256(PNG));
    expect(notice.text).toContain('this error dialog');
  });

  it('ends the HTML notification with the personal address inside the document, as the text one does', async () => {
    await h.appendRaw(await compose({ from: 'Cleo <cleo@customer.test>', to: 'support@example.test', subject: 'Toner smudges', text: 'Smudges.', html: '<p>Toner <i>smudges</i>.</p>' }));
    const notice = await asSent(await notification(ALICE, await ticketCalled('Toner smudges')));
    expect(notice.text).toMatch(/Your personal address for new tickets: support\+a/);
    // Nothing may follow the end of the document: clients that read the body element alone lose it.
    expect(notice.html).toMatch(/Your personal address for new tickets: support\+a[^]*<\/body>\s*<\/html>\s*$/);
  });
});

describe('agents answer in HTML', () => {
  it('relays a Gmail-style HTML reply: the agent\'s words, bold and pasted image; no quote, no command line; the command applies', async () => {
    const quoted = 'My label printer prints blank labels since Tuesday.';
    const { ticket, notice } = await openTicket('Frank <frank@customer.test>', 'Blank labels', quoted);
    const html = [
      '<div dir="ltr"><div>#priority high</div><div><br></div>',
      '<div>Hi Frank,</div><div><br></div><div>The printer needs the <b>new label driver</b>, installed it for you:</div>',
      '<div><img src="cid:ii_x1" alt="image.png" width="120" height="40"><br></div><div><br></div><div>Alice</div></div><br>',
      '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 2 Mar 2026 at 10:15, Frank &lt;<a href="mailto:frank@customer.test">frank@customer.test</a>&gt; wrote:<br></div>',
      `<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">${quoted}</div></blockquote></div>`,
    ].join('');
    const text = `#priority high\n\nHi Frank,\n\nThe printer needs the *new label driver*, installed it for you:\n\n[image: image.png]\n\nAlice\n\nOn Mon, 2 Mar 2026 at 10:15, Frank <frank@customer.test> wrote:\n\n> ${quoted}\n`;
    await h.appendRaw(
      await compose({
        from: `Alice <${ALICE}>`,
        to: replyToken(notice),
        subject: `Re: ${notice.parsed.subject}`,
        inReplyTo: notice.parsed.messageId,
        references: notice.parsed.messageId,
        text,
        html,
        attachments: [{ filename: 'image.png', content: PNG, contentType: 'image/png', cid: 'ii_x1' }],
      }),
    );
    const answer = await h.smtp.waitForMail((m) => m.envelope.to.includes('frank@customer.test') && !isAck(m), 'the answer to Frank');
    expect(answer.raw.toString()).toMatch(/multipart\/related/i);
    const sent = await asSent(answer);
    expect(sent.html).toContain('Hi Frank,');
    expect(sent.html).toContain('<b>new label driver</b>');
    expect(sent.html).toContain('src="cid:ii_x1"');
    expect(sent.html).not.toContain(quoted);
    expect(sent.html).not.toContain('wrote:');
    expect(sent.html).not.toContain('#priority');
    const image = sent.attachments.find((a) => a.cid === 'ii_x1');
    expect(image).toMatchObject({ related: true });
    expect(sha256(image!.content)).toBe(sha256(PNG));
    expect(sent.text).toContain('Hi Frank,');
    expect(sent.text).toContain('new label driver');
    expect(sent.text).not.toContain(quoted);
    expect(sent.text).not.toContain('#priority');
    expect(await reload(ticket)).toMatchObject({ priority: 'high', status: 'answered', assignee: ALICE });
  });
});

describe('agents start tickets from their personal address', () => {
  it('a Gmail-style inline forward opens a ticket for the original sender, with its subject and attachment, assigned to the forwarder', async () => {
    const { notice } = await openTicket('Carl <carl@customer.test>', 'Where is my personal address');
    const invoice = pdf();
    await h.appendRaw(
      await compose({
        from: `Alice <${ALICE}>`,
        to: personalAddress(notice),
        subject: 'Fwd: Invoice 88 is wrong',
        text: [
          'Can we take this one?',
          '',
          '---------- Forwarded message ---------',
          'From: Gina Customer <gina@customer.test>',
          'Date: Mon, Mar 2, 2026 at 10:15 AM',
          'Subject: Invoice 88 is wrong',
          `To: Alice <${ALICE}>`,
          '',
          '',
          'Hello, invoice 88 lists the printer twice. The invoice is attached.',
          '',
          'Gina',
        ].join('\n'),
        attachments: [{ filename: 'invoice-88.pdf', content: invoice, contentType: 'application/pdf' }],
      }),
    );
    const ticket = await ticketCalled('Invoice 88 is wrong');
    expect(ticket).toMatchObject({ requester: 'gina@customer.test', assignee: ALICE });
    expect(await storedAttachments(ticket)).toEqual([{ filename: 'invoice-88.pdf', sha256: sha256(invoice), stored: true }]);
    const ack = await h.smtp.waitForMail((m) => m.envelope.to.includes('gina@customer.test') && isAck(m), 'the acknowledgement to Gina');
    expect(ack.parsed.subject).toContain(`[#${ticket.number}]`);
  });

  it('an Outlook-style forward with the original attached as message/rfc822 opens the ticket for the attached mail\'s sender', async () => {
    const { notice } = await openTicket('Dirk <dirk@customer.test>', 'Another notification for the address');
    const invoice = pdf();
    const original = [
      'From: Hank Customer <hank@customer.test>',
      `To: Alice <${ALICE}>`,
      'Subject: Invoice 99 is wrong',
      'Date: Mon, 2 Mar 2026 09:15:00 +0100',
      `Message-ID: <${newMessageId()}>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="inner-1"',
      '',
      '--inner-1',
      'Content-Type: text/plain; charset="utf-8"',
      '',
      'Hello, invoice 99 lists the toner twice. The invoice is attached.',
      '',
      '--inner-1',
      'Content-Type: application/pdf; name="invoice-99.pdf"',
      'Content-Disposition: attachment; filename="invoice-99.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      ...(invoice.toString('base64').match(/.{1,76}/g) ?? []),
      '--inner-1--',
    ];
    const forward = [
      `From: Alice <${ALICE}>`,
      `To: "helpdesk" <${personalAddress(notice)}>`,
      'Subject: FW: Invoice 99 is wrong',
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${newMessageId('outlook.example.test')}>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="outer-1"',
      '',
      '--outer-1',
      'Content-Type: text/plain; charset="us-ascii"',
      '',
      'Could we look at the attached mail, please?',
      '',
      '--outer-1',
      'Content-Type: message/rfc822',
      'Content-Disposition: attachment',
      '',
      ...original,
      '',
      '--outer-1--',
      '',
    ];
    await h.append(forward.join('\r\n'));
    const ticket = await ticketCalled('Invoice 99 is wrong');
    expect(ticket).toMatchObject({ requester: 'hank@customer.test', assignee: ALICE });
    expect(await storedAttachments(ticket)).toEqual([{ filename: 'invoice-99.pdf', sha256: sha256(invoice), stored: true }]);
    const ack = await h.smtp.waitForMail((m) => m.envelope.to.includes('hank@customer.test') && isAck(m), 'the acknowledgement to Hank');
    expect(ack.parsed.subject).toContain(`[#${ticket.number}]`);
  });

  it('#new opens an Answered ticket for the customer, mails them the rest with the ticket tag, and their reply threads', async () => {
    const { notice } = await openTicket('Emma <emma@customer.test>', 'Yet another notification');
    await h.append(
      buildMail({
        from: `Alice <${ALICE}>`,
        to: personalAddress(notice),
        subject: 'Your replacement part',
        body: '#new ivy@customer.test\n\nHello Ivy, the replacement part ships today.\n\nAlice',
      }).raw,
    );
    const ticket = await ticketCalled('Your replacement part');
    expect(ticket).toMatchObject({ requester: 'ivy@customer.test', status: 'answered', assignee: ALICE });
    const first = await h.smtp.waitForMail((m) => m.envelope.to.includes('ivy@customer.test'), 'the first answer to Ivy');
    expect(first.parsed.subject).toContain(`[#${ticket.number}]`);
    expect(first.parsed.text).toContain('the replacement part ships today');
    expect(first.parsed.text).not.toContain('#new');
    expect(first.parsed.from?.value[0]).toMatchObject({ address: 'support@example.test', name: 'Alice' });

    await h.append(replyTo(first.parsed, { from: 'Ivy <ivy@customer.test>', body: 'Great, thank you!' }).raw);
    await waitFor(async () => (await reload(ticket)).status === 'open', { what: 'the ticket opened by the reply' });
    const [row] = await h.db.sql`select count(*)::int as n from messages where ticket_id = ${ticket.id} and direction = 'in' and kind = 'customer'`;
    expect(row!.n).toBe(1);
    expect(await h.db.sql`select 1 from tickets t join contacts c on c.id = t.requester_id where c.email = 'ivy@customer.test'`).toHaveLength(1);
  });
});

describe('ownership', () => {
  it('the first to answer takes the ticket and alone hears the next reply; #assign tells the new assignee once; #assign none unassigns', async () => {
    const { ticket, notice } = await openTicket('Jack <jack@customer.test>', 'Keyboard missing keys');
    await notification(BOB, ticket);

    await h.append(replyTo(notice.parsed, { from: `Alice <${ALICE}>`, body: 'Which keys are missing?' }).raw);
    const answer = await h.smtp.waitForMail((m) => m.envelope.to.includes('jack@customer.test') && !isAck(m), 'the answer to Jack');
    await waitFor(async () => (await reload(ticket)).assignee === ALICE, { what: 'the ticket assigned to Alice' });

    await h.append(replyTo(answer.parsed, { from: 'Jack <jack@customer.test>', body: 'The F and the J.' }).raw);
    await notification(ALICE, ticket, 'Customer replied');
    const replied = (await outboundOf(ticket)).filter((m) => m.kind === 'notification' && m.subject.includes('Customer replied'));
    expect(replied.map((m) => m.to)).toEqual([[ALICE]]);

    await h.append(replyTo(notice.parsed, { from: `Alice <${ALICE}>`, body: '#assign Bob' }).raw);
    await notification(BOB, ticket, 'Assigned to you');
    expect((await reload(ticket)).assignee).toBe(BOB);

    await h.append(replyTo(notice.parsed, { from: `Alice <${ALICE}>`, body: '#assign none' }).raw);
    await h.smtp.waitForMail((m) => m.envelope.to.includes(ALICE) && (m.parsed.text ?? '').includes('Done: unassigned'), 'the confirmation of #assign none');
    expect((await reload(ticket)).assignee).toBeNull();
    await outboxDrained();
    const toBob = h.smtp.to(BOB).filter((m) => (m.parsed.subject ?? '').startsWith(`[#${ticket.number}]`)).map((m) => m.parsed.subject!.replace(/:.*/, ''));
    expect(toBob).toEqual([`[#${ticket.number}] New ticket`, `[#${ticket.number}] Assigned to you`]);
  });
});

describe('customers hear about their ticket', () => {
  it('#status resolved alone sends the resolved notice once; resolving again announces nothing', async () => {
    const { ticket, notice } = await openTicket('Kate <kate@customer.test>', 'Monitor flickers');
    await h.append(replyTo(notice.parsed, { from: `Alice <${ALICE}>`, body: '#status resolved' }).raw);
    const resolved = await h.smtp.waitForMail((m) => m.envelope.to.includes('kate@customer.test') && isGenerated(m), 'the resolved notice');
    expect(resolved.parsed.subject).toContain(`[#${ticket.number}]`);
    expect(resolved.parsed.text).toContain('resolved');
    expect(resolved.parsed.text).toContain('reply');
    expect((await reload(ticket)).status).toBe('resolved');

    await h.append(replyTo(notice.parsed, { from: `Alice <${ALICE}>`, body: '#status resolved\n#tag display' }).raw);
    await h.smtp.waitForMail((m) => m.envelope.to.includes(ALICE) && (m.parsed.text ?? '').includes('Done: tagged display'), 'the confirmation of the second command mail');
    await outboxDrained();
    expect(answersTo('kate@customer.test')).toEqual([resolved]);
  });
});

describe('blocked senders', () => {
  it('stores mail from a sender on senders.block as spam and mails nobody about it', async () => {
    await h.append(buildMail({ from: 'Sam <sam@spam.test>', subject: 'Cheap printer ink', body: 'Buy our ink.' }).raw);
    const spam = await ticketCalled('Cheap printer ink');
    expect(spam.status).toBe('spam');
    const events = await h.db.sql`select type from events where ticket_id = ${spam.id}`;
    expect(events.map((e) => e.type)).toContain('sender_was_blocked');
    expect(await outboundOf(spam)).toEqual([]);

    // A mail after it is answered: once its acknowledgement is out, anything for the blocked one would be too.
    await openTicket('Lisa <lisa@customer.test>', 'Mouse double-clicks');
    await h.smtp.waitForMail((m) => m.envelope.to.includes('lisa@customer.test') && isAck(m), 'the acknowledgement to Lisa');
    await outboxDrained();
    expect(h.smtp.to('sam@spam.test')).toEqual([]);
    expect(h.smtp.mails.filter((m) => (m.parsed.subject ?? '').includes(`#${spam.number}]`))).toEqual([]);
  });

  it('#spam block makes the sender\'s next new mail spam, unacknowledged', async () => {
    const { ticket, notice } = await openTicket('Leo <leo@customer.test>', 'Partnership offer');
    await h.append(replyTo(notice.parsed, { from: `Alice <${ALICE}>`, body: '#spam block' }).raw);
    await waitFor(async () => (await h.db.sql`select 1 from blocked_senders where pattern = 'leo@customer.test'`).length === 1, { what: 'Leo blocked' });
    expect((await reload(ticket)).status).toBe('spam');

    // At once: a block made by this daemon counts in it at once (sender-store.ts), not after the list's 10 s cache.
    await h.append(buildMail({ from: 'Leo <leo@customer.test>', subject: 'Partnership offer, second try' }).raw);
    const next = await ticketCalled('Partnership offer, second try');
    expect(next.status).toBe('spam');
    expect(await outboundOf(next)).toEqual([]);
    await openTicket('Max <max@customer.test>', 'Webcam upside down');
    await h.smtp.waitForMail((m) => m.envelope.to.includes('max@customer.test') && isAck(m), 'the acknowledgement to Max');
    await outboxDrained();
    // The acknowledgement of the first ticket, and nothing since.
    expect(h.smtp.to('leo@customer.test').map((m) => m.parsed.subject)).toEqual([expect.stringContaining(`[#${ticket.number}]`)]);
  });
});

describe('search', () => {
  it('tickets list --search finds a ticket by a word only its second message has', async () => {
    const word = `zq${randomBytes(4).toString('hex')}`;
    const { ticket, messageId } = await openTicket('Nina <nina@customer.test>', 'Laptop battery', 'My laptop battery drains fast.');
    await h.append(buildMail({ from: 'Nina <nina@customer.test>', subject: 'Re: Laptop battery', references: [messageId], body: `The serial number is ${word}.` }).raw);
    await waitFor(async () => (await h.db.sql`select 1 from messages where ticket_id = ${ticket.id} and direction = 'in'`).length === 2, { what: 'the second message' });
    const database = openDatabase(h.db.url, { max: 1 });
    try {
      const found = await listTickets(database.db, { search: word });
      expect(found.tickets.map((t) => t.number)).toEqual([ticket.number]);
      expect((await listTickets(database.db, { search: `${word}x` })).tickets).toEqual([]);
    } finally {
      await database.close();
    }
  });
});

describe('the language of the mail to customers', () => {
  const running = runningHarness();

  async function acknowledgementIn(harness: MailboxHarness, from: string, subject: string, body: string) {
    await harness.append(buildMail({ from, subject, body }).raw);
    const ticket = await ticketCalled(subject, harness);
    const ack = await harness.smtp.waitForMail((m) => m.envelope.to.includes(from) && isAck(m), `the acknowledgement to ${from}`);
    return { ticket, ack };
  }

  it('a mailbox with language: nl acknowledges in Dutch', async () => {
    const nl = await running({ mailboxExtra: 'language: nl' });
    const { ack } = await acknowledgementIn(nl, 'olga@customer.test', 'Printer offline', 'Hello, my printer is offline since this morning.');
    expect(ack.parsed.text).toContain('Dit is een automatisch bericht.');
    expect(ack.parsed.text).toContain('Bedankt voor je bericht');
  });

  it('a mailbox with language: auto acknowledges a German mail in German', async () => {
    const auto = await running({ mailboxExtra: 'language: auto' });
    const body = [
      'Guten Tag,',
      '',
      'ich habe am Montag einen Drucker bei Ihnen bestellt, aber bis heute ist keine Lieferung angekommen.',
      'Können Sie mir bitte sagen, wann die Bestellung verschickt wird? Ich brauche das Gerät dringend für mein Büro.',
      '',
      'Vielen Dank für Ihre Hilfe und freundliche Grüße',
      'Paul Schneider',
    ].join('\n');
    const { ticket, ack } = await acknowledgementIn(auto, 'paul@customer.test', 'Lieferung fehlt', body);
    expect(ack.parsed.text).toContain('Dies ist eine automatisch versendete Nachricht.');
    expect(ack.parsed.text).toContain('vielen Dank für Ihre Nachricht');
    expect(ticket.language).toBe('de');
  });
});
