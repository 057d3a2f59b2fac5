import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readForwardedText } from '../../src/adapters/mime/forwarded-text.js';

interface Want {
  readonly address: string;
  readonly name: string;
  readonly subject: string | null;
  readonly date: string | null;
  readonly note: string;
  readonly text: string;
}

const BODY = 'Hello,\n\nI was charged twice for order 4471.\n\nCarol';
const want = (overrides: Partial<Want> = {}): Want => ({
  address: 'carol@customer.test',
  name: 'Carol Customer',
  subject: 'Refund for order 4471',
  date: null,
  note: 'Please take this one.',
  text: BODY,
  ...overrides,
});

/** Each client's layout, written as the client writes its text/plain part. */
const FOUND: readonly [string, string, Want][] = [
  ['Gmail',
    'Please take this one.\n\n---------- Forwarded message ---------\nFrom: Carol Customer <Carol@Customer.test>\n'
      + 'Date: Mon, Mar 2, 2026 at 10:15 AM\nSubject: Refund for order 4471\nTo: Anna Agent <anna@helpdesk.test>\n'
      + `Cc: Dave <dave@customer.test>\n\n\n${BODY}\n`,
    want({ date: 'Mon, Mar 2, 2026 at 10:15 AM' })],
  ['Gmail, bold field names and name (HTML part read as text)',
    'Please take this one.\n\n---------- Forwarded message ---------\n*From:* *Carol Customer* <carol@customer.test>\n'
      + `*Date:* Mon, Mar 2, 2026 at 10:15 AM\n*Subject:* Refund for order 4471\n*To:* <anna@helpdesk.test>\n\n${BODY}`,
    want({ date: 'Mon, Mar 2, 2026 at 10:15 AM' })],
  ['Gmail, subject and address folded over two lines',
    'Please take this one.\n\n---------- Forwarded message ----------\nFrom: Carol Customer <\ncarol@customer.test>\n'
      + `Date: Thu, Jan 28, 2016 at 4:00 PM\nSubject: Refund for order\n4471\nTo: infod@helpdesk.test\n\n\n${BODY}`,
    want({ date: 'Thu, Jan 28, 2016 at 4:00 PM' })],
  ['Gmail, no note above', `---------- Forwarded message ---------\nFrom: carol@customer.test\nSubject: Refund for order 4471\n\n${BODY}`,
    want({ name: '', note: '' })],
  ['Outlook desktop "-----Original Message-----" with [mailto:]',
    'Please take this one.\r\n\r\n-----Original Message-----\r\nFrom: Carol Customer [mailto:carol@customer.test] \r\n'
      + 'Sent: Monday, March 2, 2026 10:15 AM\r\nTo: Support <support@helpdesk.test>\r\nSubject: Refund for order 4471\r\n\r\n'
      + BODY.replaceAll('\n', '\r\n'),
    want({ date: 'Monday, March 2, 2026 10:15 AM', text: BODY.replaceAll('\n', '\r\n') })],
  ['Outlook web: rule line, "Name <addr<mailto:addr>>", Importance and Attachments fields',
    'Please take this one.\n\n________________________________\nFrom: Carol Customer <carol@customer.test<mailto:carol@customer.test>>\n'
      + 'Sent: Monday, March 2, 2026 10:15\nTo: Anna Agent\nCc: Dave\nSubject: Refund for order 4471\nImportance: High\n'
      + `Attachments: screenshot.png\n\n${BODY}`,
    want({ date: 'Monday, March 2, 2026 10:15' })],
  ['new Outlook: the block alone, no separator',
    `Please take this one.\n\nFrom: Carol Customer <carol@customer.test>\nSent: Monday, March 2, 2026 10:15\nTo: Anna\nSubject: Refund for order 4471\n\n${BODY}`,
    want({ date: 'Monday, March 2, 2026 10:15' })],
  ['From with a name only, the address in Reply-To',
    '-----Original Message-----\nFrom: Carol Customer\nReply-To: carol@customer.test\nSent: Monday\nSubject: Refund for order 4471\n\n'
      + BODY,
    want({ date: 'Monday', note: '' })],
  ['"address (Name)"', `---------- Forwarded message ---------\nFrom: carol@customer.test (Carol Customer)\nSubject: Refund for order 4471\n\n${BODY}`,
    want({ note: '' })],
  ['an internationalised address is read whole', `---------- Forwarded message ---------\nFrom: Jörg Müller <Jörg@Müller.test>\nSubject: Refund for order 4471\n\n${BODY}`,
    want({ address: 'jörg@müller.test', name: 'Jörg Müller', note: '' })],
  ['Apple Mail', 'Please take this one.\n\nBegin forwarded message:\n\nFrom: Carol Customer <carol@customer.test>\n'
      + `Subject: Refund for order 4471\nDate: 2 March 2026 at 10:15:00 CET\nTo: anna@helpdesk.test\n\n${BODY}\n`,
    want({ date: '2 March 2026 at 10:15:00 CET' })],
  ['Apple Mail, the forward quoted with "> ", the agent writing below it too',
    'Please take this one.\n\n> Begin forwarded message:\n>\n> From: Carol Customer <carol@customer.test>\n'
      + '> Subject: Refund for order 4471\n> Date: 2 March 2026 at 10:15:00 CET\n> To: anna@helpdesk.test\n>\n'
      + `${BODY.split('\n').map((l) => `> ${l}`).join('\n')}\n\nThanks!\n`,
    want({ date: '2 March 2026 at 10:15:00 CET', note: 'Please take this one.\n\nThanks!' })],
  ['Thunderbird: Subject first, a tab after the colon',
    'Please take this one.\n\n-------- Forwarded Message --------\nSubject: \tRefund for order 4471\n'
      + `Date: \tMon, 2 Mar 2026 10:15:00 +0100\nFrom: \tCarol Customer <carol@customer.test>\nTo: \tanna@helpdesk.test\n\n\n\n${BODY}`,
    want({ date: 'Mon, 2 Mar 2026 10:15:00 +0100' })],
  ['mailparser writing an inline message/rfc822 part into the text',
    `Please take this one.\n\n\nFrom: "Carol Customer" <carol@customer.test>\nSubject: Refund for order 4471\nDate: Mon, 02 Mar 2026 09:15:00 GMT\nTo: anna@helpdesk.test\n\n${BODY}\n`,
    want({ date: 'Mon, 02 Mar 2026 09:15:00 GMT' })],
  ['Dutch Gmail', 'Wil jij deze oppakken?\n\n---------- Doorgestuurd bericht ---------\nVan: Jan de Vries <jan@klant.test>\n'
      + `Date: ma 2 mrt 2026 om 10:15\nSubject: Factuur 2026-118\nTo: <anna@helpdesk.test>\n\n${BODY}`,
    want({ address: 'jan@klant.test', name: 'Jan de Vries', subject: 'Factuur 2026-118', date: 'ma 2 mrt 2026 om 10:15', note: 'Wil jij deze oppakken?' })],
  ['Dutch Outlook, rule line', 'Wil jij deze oppakken?\n\n________________________________\nVan: Jan de Vries <jan@klant.test>\n'
      + `Verzonden: maandag 2 maart 2026 10:15\nAan: Anna <anna@helpdesk.test>\nOnderwerp: Factuur 2026-118\n\n${BODY}`,
    want({ address: 'jan@klant.test', name: 'Jan de Vries', subject: 'Factuur 2026-118', date: 'maandag 2 maart 2026 10:15', note: 'Wil jij deze oppakken?' })],
  ['Dutch Outlook desktop', '-----Oorspronkelijk bericht-----\nVan: Jan de Vries [mailto:jan@klant.test]\nVerzonden: maandag 2 maart 2026 10:15\n'
      + `Aan: Anna\nOnderwerp: Factuur 2026-118\n\n${BODY}`,
    want({ address: 'jan@klant.test', name: 'Jan de Vries', subject: 'Factuur 2026-118', date: 'maandag 2 maart 2026 10:15', note: '' })],
  ['Dutch Apple Mail', 'Begin doorgestuurd bericht:\n\nVan: Jan de Vries <jan@klant.test>\nOnderwerp: Factuur 2026-118\n'
      + `Datum: 2 maart 2026 om 10:15:00 CET\nAan: anna@helpdesk.test\n\n${BODY}`,
    want({ address: 'jan@klant.test', name: 'Jan de Vries', subject: 'Factuur 2026-118', date: '2 maart 2026 om 10:15:00 CET', note: '' })],
  ['German Outlook', 'Bitte übernehmen.\n\n-----Ursprüngliche Nachricht-----\nVon: Max Müller <max@kunde.test>\n'
      + `Gesendet: Montag, 2. März 2026 10:15\nAn: Anna\nBetreff: Rechnung falsch\n\n${BODY}`,
    want({ address: 'max@kunde.test', name: 'Max Müller', subject: 'Rechnung falsch', date: 'Montag, 2. März 2026 10:15', note: 'Bitte übernehmen.' })],
  ['German Thunderbird', '-------- Weitergeleitete Nachricht --------\nBetreff: \tRechnung falsch\nDatum: \tMon, 2 Mar 2026 10:15:00 +0100\n'
      + `Von: \tMax Müller <max@kunde.test>\nAn: \tanna@helpdesk.test\n\n${BODY}`,
    want({ address: 'max@kunde.test', name: 'Max Müller', subject: 'Rechnung falsch', date: 'Mon, 2 Mar 2026 10:15:00 +0100', note: '' })],
  ['German Apple Mail', 'Anfang der weitergeleiteten Nachricht:\n\nVon: Max Müller <max@kunde.test>\nBetreff: Rechnung falsch\n'
      + `Datum: 2. März 2026 um 10:15:00 MEZ\nAn: anna@helpdesk.test\n\n${BODY}`,
    want({ address: 'max@kunde.test', name: 'Max Müller', subject: 'Rechnung falsch', date: '2. März 2026 um 10:15:00 MEZ', note: '' })],
  ['Italian Gmail', '---------- Messaggio inoltrato ---------\nDa: Giulia Rossi <giulia@cliente.test>\n'
      + `Date: lun 2 mar 2026 alle ore 10:15\nSubject: Fattura errata\nTo: <anna@helpdesk.test>\n\n${BODY}`,
    want({ address: 'giulia@cliente.test', name: 'Giulia Rossi', subject: 'Fattura errata', date: 'lun 2 mar 2026 alle ore 10:15', note: '' })],
  ['Italian Outlook', 'Puoi gestirla tu?\n\n________________________________\nDa: Giulia Rossi <giulia@cliente.test>\n'
      + `Inviato: lunedì 2 marzo 2026 10:15\nA: Anna <anna@helpdesk.test>\nOggetto: Fattura errata\n\n${BODY}`,
    want({ address: 'giulia@cliente.test', name: 'Giulia Rossi', subject: 'Fattura errata', date: 'lunedì 2 marzo 2026 10:15', note: 'Puoi gestirla tu?' })],
  ['Danish Thunderbird', '-------- Videresendt meddelelse --------\nEmne: \tForkert faktura\nDato: \tMon, 2 Mar 2026 10:15:00 +0100\n'
      + `Fra: \tMette Hansen <mette@kunde.test>\nTil: \tanna@helpdesk.test\n\n${BODY}`,
    want({ address: 'mette@kunde.test', name: 'Mette Hansen', subject: 'Forkert faktura', date: 'Mon, 2 Mar 2026 10:15:00 +0100', note: '' })],
  ['Danish Outlook', '-----Oprindelig meddelelse-----\nFra: Mette Hansen <mette@kunde.test>\nSendt: 2. marts 2026 10:15\nTil: Anna\n'
      + `Emne: Forkert faktura\n\n${BODY}`,
    want({ address: 'mette@kunde.test', name: 'Mette Hansen', subject: 'Forkert faktura', date: '2. marts 2026 10:15', note: '' })],
  ['French Outlook, a space before the colons', 'Peux-tu t’en occuper ?\n\n________________________________\n'
      + `De : Élodie Martin <elodie@client.test>\nEnvoyé : lundi 2 mars 2026 10:15\nÀ : Anna\nObjet : Facture erronée\n\n${BODY}`,
    want({ address: 'elodie@client.test', name: 'Élodie Martin', subject: 'Facture erronée', date: 'lundi 2 mars 2026 10:15', note: 'Peux-tu t’en occuper ?' })],
  ['French Thunderbird', '-------- Message transféré --------\nSujet : \tFacture erronée\nDate : \tMon, 2 Mar 2026 10:15:00 +0100\n'
      + `De : \tÉlodie Martin <elodie@client.test>\nPour : \tanna@helpdesk.test\n\n${BODY}`,
    want({ address: 'elodie@client.test', name: 'Élodie Martin', subject: 'Facture erronée', date: 'Mon, 2 Mar 2026 10:15:00 +0100', note: '' })],
  ['Spanish Gmail', '---------- Mensaje reenviado ---------\nDe: Lucía García <lucia@cliente.test>\nDate: lun, 2 mar 2026 a las 10:15\n'
      + `Subject: Factura incorrecta\nTo: <anna@helpdesk.test>\n\n${BODY}`,
    want({ address: 'lucia@cliente.test', name: 'Lucía García', subject: 'Factura incorrecta', date: 'lun, 2 mar 2026 a las 10:15', note: '' })],
  ['Spanish Outlook', '________________________________\nDe: Lucía García <lucia@cliente.test>\nEnviado el: lunes, 2 de marzo de 2026 10:15\n'
      + `Para: Anna\nAsunto: Factura incorrecta\n\n${BODY}`,
    want({ address: 'lucia@cliente.test', name: 'Lucía García', subject: 'Factura incorrecta', date: 'lunes, 2 de marzo de 2026 10:15', note: '' })],
  ['nested forwards: the outermost block is the forward',
    'Please take this one.\n\n---------- Forwarded message ---------\nFrom: Carol Customer <carol@customer.test>\n'
      + 'Subject: Refund for order 4471\n\nSee below.\n\n---------- Forwarded message ---------\nFrom: Dave <dave@elsewhere.test>\n'
      + 'Subject: Order 4471\n\nOld text.',
    want({ text: 'See below.\n\n---------- Forwarded message ---------\nFrom: Dave <dave@elsewhere.test>\nSubject: Order 4471\n\nOld text.' })],
  ['a block without a sender before the real one is passed over',
    'Please take this one.\n\n-------- Original Message --------\n\nTHE END.\n\n---------- Forwarded message ---------\n'
      + `From: Carol Customer <carol@customer.test>\nSubject: Refund for order 4471\n\n${BODY}`,
    want({ note: 'Please take this one.\n\n-------- Original Message --------\n\nTHE END.' })],
];

describe('readForwardedText: each client and language', () => {
  it.each(FOUND)('%s', (_name, text, expected) => {
    const found = readForwardedText(text);
    expect(found).not.toBeNull();
    const { from, ...rest } = found!;
    const { address, name, ...others } = expected;
    expect({ address: from.address, name: from.name }).toEqual({ address, name });
    expect(rest).toEqual(others);
  });
});

const NONE: readonly [string, string][] = [
  ['no forward at all', 'Hi,\n\nMy printer is broken.\n\nCarol\n'],
  ['a reply quoting an Outlook header block under "On … wrote:"',
    'Thanks, done.\n\nOn Mon, Mar 2, 2026 at 10:15 AM Carol <carol@customer.test> wrote:\n> From: Dave <dave@x.test>\n'
      + '> Sent: Monday\n> To: Carol\n> Subject: Printer\n>\n> It is broken.\n'],
  ['a reply quoting a forward under "On … wrote:"',
    'Thanks, done.\n\nOn Mon, Mar 2, 2026 at 10:15 AM Carol <carol@customer.test> wrote:\n>\n> ---------- Forwarded message ---------\n'
      + '> From: Dave <dave@x.test>\n> Subject: Printer\n>\n> It is broken.\n'],
  ['a German reply quoting From lines', 'Danke.\n\nAm 02.03.2026 um 10:15 schrieb Carol <carol@customer.test>:\n> Von: Dave <dave@x.test>\n'
    + '> Gesendet: Montag\n> Betreff: Drucker\n'],
  ['the outermost block has a name only and no address', 'Please take this.\n\n-----Original Message-----\nFrom: Carol Customer\n'
    + 'Sent: Monday, March 2, 2026 10:15 AM\nTo: Anna\nSubject: Refund\n\nHello.\n\n-----Original Message-----\nFrom: Dave <dave@x.test>\n\nOld.'],
  ['a separator without a header block', 'Foo\n\n-------- Original Message --------\n\nTHE END.\n'],
  ['"From:" in prose', 'Thanks.\nFrom: what I can see it works.\nBye\n'],
  ['a From line alone is no block', 'Notes\n\nFrom: carol@customer.test\n\nhello'],
  ['an address of 300 characters', `---------- Forwarded message ---------\nFrom: ${'a'.repeat(64)}@${Array(5).fill('b'.repeat(60)).join('.')}.test\n\nHi`],
  ['an address with a local part over 64 characters is not read from its middle',
    `---------- Forwarded message ---------\nFrom: Carol <${'c'.repeat(70)}@customer.test>\n\nHi`],
  ['empty text', ''],
];

describe('readForwardedText: no forward', () => {
  it.each(NONE)('%s → null', (_name, text) => {
    expect(readForwardedText(text)).toBeNull();
  });
});

describe('readForwardedText: hostile input returns promptly and never throws', () => {
  const HOSTILE: readonly [string, string][] = [
    ['100 000 From: lines', 'From: a@b.test\n'.repeat(100_000)],
    ['100 000 separators', '---------- Forwarded message ---------\n'.repeat(100_000)],
    ['50 000 rule lines each before a From line', '________________________________\nFrom: a@b.test\n'.repeat(50_000)],
    ['100 000 quoted Apple intros', '> Begin forwarded message:\n'.repeat(100_000)],
    ['a From line of 300 000 characters', `---------- Forwarded message ---------\nFrom: ${'a'.repeat(300_000)}@b.test\n\nHi`],
    ['300 000 quote marks', '>'.repeat(300_000)],
    ['an address-like run of 300 000 characters', `-----Original Message-----\nFrom: ${'a.'.repeat(150_000)}\nSubject: x\n\nHi`],
    ['a million characters after a forward', `---------- Forwarded message ---------\nFrom: a@b.test\n\n${'x'.repeat(1_000_000)}`],
  ];
  it.each(HOSTILE)('%s', (_name, text) => {
    const started = performance.now();
    expect(() => readForwardedText(text)).not.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('keeps a forwarded body beyond the scanned part whole', () => {
    const found = readForwardedText(`---------- Forwarded message ---------\nFrom: a@b.test\n\n${'x'.repeat(1_000_000)}`);
    expect(found?.text.length).toBe(1_000_000);
  });

  it('never throws on text built from forward fragments', () => {
    const fragments = ['---------- Forwarded message ---------', '> ', '>', 'From: ', 'Carol <c@d.test>', 'Subject: x', 'Sent: y',
      '________', 'Begin forwarded message:', '\n', '\r\n', ' ', '[mailto:', ']', '*', 'On Mon, 2 Mar 2026 Carol <c@d.test> wrote:'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 60 }), (parts) => {
      const found = readForwardedText(parts.join(''));
      return found === null || (found.from.address.includes('@') && found.from.address === found.from.address.toLowerCase());
    }));
  });
});
