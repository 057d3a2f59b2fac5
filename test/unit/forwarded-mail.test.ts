import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readForwardedText } from '../../src/adapters/mime/forwarded-text.js';
import { parseMail } from '../../src/adapters/mime/parse-mail.js';
import { findForwarded, subjectWithoutForwardPrefix, writtenDate, type ForwardedMail } from '../../src/usecases/forwarded-mail.js';
import type { ParsedMail } from '../../src/usecases/parsed-mail.js';

/**
 * Agents' forwards as each client writes them (test/fixtures/forwards/, mail
 * we wrote for these tests), read by the real MIME parser.
 */
const DIR = new URL('../fixtures/forwards/', import.meta.url);
const OPTIONS = { maxAttachmentBytes: 25 * 1024 * 1024 };
const parseAttached = (raw: Buffer) => parseMail(raw, OPTIONS);

async function forwardIn(source: Buffer, options = OPTIONS): Promise<ForwardedMail | null> {
  return findForwarded(await parseMail(source, options), parseAttached, readForwardedText);
}
const fixture = (name: string) => readFileSync(new URL(name, DIR));
const files = (mail: ForwardedMail | null) => mail?.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size }));

describe('findForwarded on each client\'s forward', () => {
  it('Gmail inline forward: the sender from the block, the outer PNG goes with it', async () => {
    const found = await forwardIn(fixture('gmail-inline.eml'));
    expect(found).toMatchObject({
      form: 'inline',
      from: { address: 'carol.customer@example.com', name: 'Carol Customer' },
      subject: 'Charged twice for order 4471',
      date: null, // "Mon, Mar 2, 2026 at 10:15 AM" names no zone
      html: null,
      messageId: null,
      note: 'Hi team, this customer was charged twice — can someone take it?\n\nAnna',
      text: 'Hello,\n\nI was charged twice for order 4471. A screenshot of my bank statement is\nattached.\n\nThanks,\nCarol',
    });
    expect(files(found)).toEqual([{ filename: 'statement.png', contentType: 'image/png', size: 73 }]);
    expect(found!.attachments[0]!.content?.subarray(1, 4).toString()).toBe('PNG');
  });

  it('Outlook forward as attachment: the attached message, its PDF, its Message-ID', async () => {
    const found = await forwardIn(fixture('outlook-attached.eml'));
    expect(found).toMatchObject({
      form: 'attached',
      from: { address: 'carol@customer.example', name: 'Carol Customer' },
      subject: 'Invoice 2026-118 is wrong',
      date: new Date('2026-03-02T08:15:00Z'),
      messageId: 'original-4471@customer.example',
      note: 'Could billing look at the attached mail, please?\n\nAnna',
      text: 'Hello,\n\nThe invoice I received lists the printer twice. The invoice is attached.\n\nRegards,\nCarol',
    });
    expect(files(found)).toEqual([{ filename: 'invoice-2026-118.pdf', contentType: 'application/pdf', size: 142 }]);
  });

  it('Apple Mail inline forward, quoted with "> ": the agent\'s lines above and below are the note', async () => {
    const found = await forwardIn(fixture('apple-inline.eml'));
    expect(found).toMatchObject({
      form: 'inline',
      from: { address: 'dave@customer.example', name: 'Dave Dealer' },
      subject: 'Printer keeps jamming',
      date: null,
      note: 'For the hardware team.\n\nThanks!',
      text: 'Hi Anna,\n\nThe printer in room 4 jams on every second page since Friday.\n\nDave',
    });
    expect(files(found)).toEqual([]);
  });

  it('Dutch Outlook inline forward (base64 text, CRLF): Van/Verzonden/Aan/Onderwerp under the rule line', async () => {
    const found = await forwardIn(fixture('dutch-outlook-inline.eml'));
    expect(found).toMatchObject({
      form: 'inline',
      from: { address: 'jan.devries@klant.example', name: 'Jan de Vries' },
      subject: 'Factuur 2026-118 klopt niet',
      note: 'Wil billing deze oppakken?\n\nAnna',
      text: 'Goedemorgen,\n\nOp factuur 2026-118 staat de printer twee keer vermeld.\n\nMet vriendelijke groet,\nJan de Vries',
    });
    expect(files(found)).toEqual([{ filename: 'factuur-2026-118.pdf', contentType: 'application/pdf', size: 142 }]);
  });

  it('a message/rfc822 part with an inline disposition: the same original, whether the parser keeps it attached or writes it into the text', async () => {
    // mailparser writes such a part into the outer text (a From/Subject/Date/To block) and lifts its
    // attachments into the outer list; with `ignoreEmbedded` it would keep it as an attachment.
    const found = await forwardIn(fixture('attached-inline-disposition.eml'));
    expect(found).toMatchObject({
      from: { address: 'carol@customer.example', name: 'Carol Customer' },
      subject: 'Invoice 2026-118 is wrong',
      date: new Date('2026-03-02T08:15:00Z'),
      note: 'For billing.',
      text: 'Hello, the invoice lists the printer twice.',
    });
    expect(files(found)).toEqual([{ filename: 'invoice-2026-118.pdf', contentType: 'application/pdf', size: 142 }]);
    if (found!.form === 'attached') expect(found!.messageId).toBe('original-4471@customer.example');
  });
});

const mail = (subject: string, text: string, parts = '') => Buffer.from(
  `From: Anna <anna@helpdesk.example>\nTo: anna+helpdesk@helpdesk.example\nSubject: ${subject}\nMIME-Version: 1.0\n`
    + `Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain; charset=utf-8\n\n${text}\n${parts}--b--\n`,
);
const ATTACHED = 'Content-Type: message/rfc822\nContent-Disposition: attachment\n\nFrom: Carol <carol@customer.example>\n'
  + 'Subject: Printer\nMessage-ID: <p1@customer.example>\n\nIt jams.\n\n';

describe('findForwarded: which original, and what goes with it', () => {
  it('an attached message wins over a forward in the text', async () => {
    const text = 'See both.\n\n---------- Forwarded message ---------\nFrom: Dave <dave@other.example>\nSubject: Other\n\nHi';
    const found = await forwardIn(mail('Fwd: Printer', text, `--b\n${ATTACHED}`));
    expect(found).toMatchObject({ form: 'attached', from: { address: 'carol@customer.example' }, subject: 'Printer', note: expect.stringContaining('See both.') });
  });

  it('without a subject in the block, the outer subject without its forward prefixes', async () => {
    const text = 'FYI\n\n---------- Forwarded message ---------\nFrom: Carol <carol@customer.example>\n\nIt jams.';
    const found = await forwardIn(mail('Fwd: WG: Printer jams', text));
    expect(found).toMatchObject({ form: 'inline', subject: 'Printer jams', text: 'It jams.', note: 'FYI' });
  });

  it('an attached message over the size cap cannot be read: no forward', async () => {
    expect(await forwardIn(fixture('outlook-attached.eml'), { maxAttachmentBytes: 100 })).toBeNull();
  });

  it('an attached message the parser rejects is passed over, and the text is read', async () => {
    const parsed = await parseMail(mail('Fwd: x', '---------- Forwarded message ---------\nFrom: Dave <dave@other.example>\n\nHi', `--b\n${ATTACHED}`), OPTIONS);
    const failing = (): Promise<ParsedMail> => Promise.reject(new Error('worker timed out'));
    expect(await findForwarded(parsed, failing, readForwardedText)).toMatchObject({ form: 'inline', from: { address: 'dave@other.example' } });
  });

  it('a mail with no forward', async () => {
    expect(await forwardIn(mail('Printer', 'My printer jams.\n\nCarol'))).toBeNull();
  });
});

describe('subjectWithoutForwardPrefix', () => {
  it.each([
    ['Fwd: Printer', 'Printer'], ['FW: Printer', 'Printer'], ['Fw: Printer', 'Printer'], ['WG: Drucker', 'Drucker'],
    ['Doorst: Factuur', 'Factuur'], ['TR : Facture', 'Facture'], ['I: Fattura', 'Fattura'], ['VS: Faktura', 'Faktura'],
    ['RV: Factura', 'Factura'], ['Fwd: FW: WG: Printer', 'Printer'], ['Fwd[2]: Printer', 'Printer'], ['Re: Printer', 'Re: Printer'],
    ['Fwd: Re: Printer', 'Re: Printer'], ['Forward planning', 'Forward planning'], ['Fwd:', ''], ['  fwd:Printer  ', 'Printer'],
  ])('%j → %j', (subject, want) => {
    expect(subjectWithoutForwardPrefix(subject)).toBe(want);
  });
});

describe('writtenDate', () => {
  it.each<[string | null, string | null]>([
    ['Mon, 2 Mar 2026 10:15:00 +0100', '2026-03-02T09:15:00.000Z'],
    ['Mon, 02 Mar 2026 09:15:00 GMT', '2026-03-02T09:15:00.000Z'],
    ['Mon, Mar 2, 2026 at 10:15 AM', null], // no zone: the server's would be guessed
    ['maandag 2 maart 2026 10:15', null],
    ['gibberish +0100', null],
    [null, null],
  ])('%j → %j', (written, want) => {
    expect(writtenDate(written)?.toISOString() ?? null).toBe(want);
  });
});
