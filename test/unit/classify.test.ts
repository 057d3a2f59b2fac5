import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyInbound } from '../../src/domain/classify.js';
import type { InboundFacts, InboundKind } from '../../src/domain/classify.js';

const OWN = new Set(['support@example.test']);
const CUSTOMER = 'dana@customer.test';

interface Spec extends Partial<Omit<InboundFacts, 'headers'>> {
  /** Header name (any case) → value(s). */
  readonly headers?: Record<string, string | readonly string[]>;
  /** Shorthand for a report whose groups have these actions and no status. */
  readonly deliveryActions?: readonly string[];
}

/** A plain customer mail, changed by `spec`. */
function facts(spec: Spec = {}): InboundFacts {
  const { deliveryActions, ...rest } = spec;
  const headers = new Map<string, readonly string[]>(
    Object.entries(spec.headers ?? {}).map(([name, value]) => [name.toLowerCase(), typeof value === 'string' ? [value] : value]),
  );
  return {
    from: CUSTOMER,
    returnPath: CUSTOMER,
    subject: 'Printer on fire',
    contentType: 'text/plain',
    reportType: null,
    deliveryReport: (deliveryActions ?? []).map((action) => ({ action, status: null, recipient: null })),
    hasReturnedMessage: false,
    partTypes: [],
    returnedMessageIds: [],
    textStart: '',
    ...rest,
    headers,
  };
}

/** A multipart/report delivery-status notice from MAILER-DAEMON. */
function dsn(actions: readonly string[]): Spec {
  return {
    from: 'MAILER-DAEMON@mx.customer.test',
    returnPath: '',
    subject: 'Undelivered Mail Returned to Sender',
    contentType: 'multipart/report',
    reportType: 'delivery-status',
    deliveryActions: actions,
    hasReturnedMessage: true,
  };
}

const cases: [string, Spec, InboundKind, boolean][] = [
  // customer mail
  ['plain mail', {}, 'customer', false],
  ['Auto-Submitted: no (explicitly NOT automatic)', { headers: { 'Auto-Submitted': 'no' } }, 'customer', false],
  ['Auto-Submitted: No; comment', { headers: { 'Auto-Submitted': 'No; (typed by a person)' } }, 'customer', false],
  ['a subject that merely mentions automatic reply settings', { subject: 'Question about automatic reply settings' }, 'customer', false],
  ['a subject starting with "Automatic reply settings"', { subject: 'Automatic reply settings: how do I turn them off?' }, 'customer', false],
  ['"Re:" subject of an ordinary reply', { subject: 'Re: Printer on fire [#1042]' }, 'customer', false],
  ['List-Id: customer mail, but never answered automatically', { headers: { 'List-Id': '<users.lists.customer.test>' } }, 'customer', true],
  ['List-Unsubscribe', { headers: { 'List-Unsubscribe': '<mailto:leave@lists.customer.test>' } }, 'customer', true],
  ['noreply sender', { from: 'noreply@shop.customer.test', returnPath: 'noreply@shop.customer.test' }, 'customer', true],
  ['do-not-reply sender', { from: 'Do-Not-Reply@shop.customer.test' }, 'customer', true],
  ['X-Spam-Flag: YES', { headers: { 'X-Spam-Flag': 'YES' } }, 'customer', true],
  // auto-replies (RFC 3834 and vendor markers)
  ['Auto-Submitted: auto-replied', { headers: { 'Auto-Submitted': 'auto-replied' } }, 'auto_reply', true],
  ['Auto-Submitted: auto-generated', { headers: { 'Auto-Submitted': 'auto-generated' } }, 'auto_reply', true],
  ['Auto-Submitted: Auto-Replied; vacation (case and comment)', { headers: { 'Auto-Submitted': 'Auto-Replied; vacation' } }, 'auto_reply', true],
  ['X-Autoreply', { headers: { 'X-Autoreply': 'yes' } }, 'auto_reply', true],
  ['X-Autorespond', { headers: { 'X-Autorespond': 'vacation' } }, 'auto_reply', true],
  ['Precedence: bulk', { headers: { Precedence: 'bulk' } }, 'auto_reply', true],
  ['Precedence: junk', { headers: { Precedence: 'junk' } }, 'auto_reply', true],
  ['Precedence: list', { headers: { Precedence: 'list' } }, 'auto_reply', true],
  ['Precedence: BULK (case)', { headers: { Precedence: 'BULK' } }, 'auto_reply', true],
  ['null Return-Path <>', { returnPath: '' }, 'auto_reply', true],
  ['subject "Automatic reply:"', { subject: 'Automatic reply: Printer on fire [#1042]' }, 'auto_reply', true],
  ['subject "Out of Office:"', { subject: 'Out of Office: Printer on fire' }, 'auto_reply', true],
  ['subject "[Auto-Reply]"', { subject: '[Auto-Reply] Printer on fire' }, 'auto_reply', true],
  ['a "delayed" DSN from MAILER-DAEMON is a notice, not a bounce', dsn(['delayed']), 'auto_reply', true],
  ['a "delivered" DSN', dsn(['delivered', 'relayed']), 'auto_reply', true],
  [
    'a delivery report from an ordinary sender (challenge-response dressed as a DSN)',
    { contentType: 'multipart/report', reportType: 'delivery-status', deliveryActions: ['failed'] },
    'auto_reply',
    true,
  ],
  // bounces
  ['a "failed" DSN from MAILER-DAEMON', dsn(['failed']), 'bounce', true],
  ['a DSN with one failed and one delayed recipient', dsn(['delayed', 'failed']), 'bounce', true],
  ['a DSN whose actions could not be read', dsn([]), 'bounce', true],
  ['X-Failed-Recipients (Exim)', { headers: { 'X-Failed-Recipients': CUSTOMER } }, 'bounce', true],
  [
    'an ARF feedback report',
    { from: 'abuse@isp.test', contentType: 'multipart/report', reportType: 'feedback-report', hasReturnedMessage: true },
    'bounce',
    true,
  ],
  ['plain-text bounce from postmaster', { from: 'postmaster@mx.customer.test', subject: 'Mail System Error' }, 'bounce', true],
  ['bounce subject without a sender', { from: null, returnPath: null, subject: 'failure notice' }, 'bounce', true],
  ['bounce subject with null Return-Path', { returnPath: '', subject: 'Undeliverable: Printer on fire' }, 'bounce', true],
  [
    'a no-reply system returning the message',
    { from: 'bounces@esp.test', subject: 'Delivery Status Notification (Failure)', hasReturnedMessage: true },
    'bounce',
    true,
  ],
  // auto-replies: markers added for issue 13
  ['X-Autoresponder', { headers: { 'X-Autoresponder': 'Horde vacation' } }, 'auto_reply', true],
  ['X-Autoreply-From', { headers: { 'X-Autoreply-From': CUSTOMER } }, 'auto_reply', true],
  ['Precedence: auto-reply (hyphen)', { headers: { Precedence: 'auto-reply' } }, 'auto_reply', true],
  ['X-Loop (procmail, OTRS, Zammad put it on automatic mail only)', { headers: { 'X-Loop': 'yes' } }, 'auto_reply', true],
  ["X-MS-Exchange-Inbox-Rules-Loop naming the sender: their inbox rule answered", { headers: { 'X-MS-Exchange-Inbox-Rules-Loop': CUSTOMER } }, 'auto_reply', true],
  [
    'X-MS-Exchange-Inbox-Rules-Loop naming the same mailbox at its onmicrosoft domain',
    { headers: { 'X-MS-Exchange-Inbox-Rules-Loop': 'dana@customer.onmicrosoft.com' } },
    'auto_reply',
    true,
  ],
  ['X-MS-Exchange-Inbox-Rules-Loop naming another mailbox: a redirect of customer mail', { headers: { 'X-MS-Exchange-Inbox-Rules-Loop': 'info@example.test' } }, 'customer', false],
  ['X-Auto-Response-Suppress with an out-of-office subject', { subject: 'Out of Office until 19 May', headers: { 'X-Auto-Response-Suppress': 'All' } }, 'auto_reply', true],
  ['X-Auto-Response-Suppress alone', { headers: { 'X-Auto-Response-Suppress': 'All' } }, 'customer', false],
  ['an out-of-office subject without a marker or a colon', { subject: 'Out of office replies stopped working' }, 'customer', false],
  ['subject "OOF:"', { subject: 'OOF: Printer on fire' }, 'auto_reply', true],
  ['subject "OOO:"', { subject: 'OOO: back on the 21st' }, 'auto_reply', true],
  ['subject "AUTO:" (Lotus Notes)', { subject: 'AUTO: Jan Jansen is out of the office (returning 02-06-2025)' }, 'auto_reply', true],
  ['subject "auto:"', { subject: 'auto: Re: Printer on fire' }, 'auto_reply', true],
  ['subject "Auto:" (a car, in German)', { subject: 'Auto: Frage zur Werkstattrechnung' }, 'customer', false],
  ['subject behind a gateway tag: "[EXTERNAL] Automatic reply:"', { subject: '[EXTERNAL] Automatic reply: Printer on fire' }, 'auto_reply', true],
  ...(
    [
      'Abwesend: Drucker',
      'Absence : Imprimante',
      'Fuera de la oficina: Impresora',
      'Afwezig: Printer',
      'Fraværende: Printer',
      'Frånvarande: Skrivare',
      'Assente: Stampante',
      'Automatische Antwort: Drucker',
      'Réponse automatique : Imprimante',
      'Automatisch antwoord: Printer',
      'Automatisk svar: Skriver',
      'Risposta automatica: Stampante',
      'Resposta automática: Impressora',
      'Odpowiedź automatyczna: Drukarka',
      'Automatická odpověď: Tiskárna',
      'Автоматический ответ: Принтер',
      '自動応答: プリンター',
      '自动回复: 打印机',
    ] as const
  ).map((subject): [string, Spec, InboundKind, boolean] => [`localised subject "${subject}"`, { subject }, 'auto_reply', true]),
  ['a word of the table inside an ordinary subject', { subject: 'Absence of VAT number on invoice 2291' }, 'customer', false],
  ['a read receipt (MDN)', { contentType: 'multipart/report', reportType: 'disposition-notification', subject: 'Read: Printer on fire' }, 'auto_reply', true],
  [
    'challenge-response: asked to act, about a hold',
    { textStart: 'Your message to pat@home.example has been held.\nPlease click the link below to confirm you sent it.' },
    'auto_reply',
    true,
  ],
  ['a customer asked to click a link, about their own account', { textStart: 'When I click the link below to confirm my address your page says pending.' }, 'customer', false],
  ['a customer whose spam filter held our mail', { textStart: 'Your email to our team was held in quarantine. We added you to our whitelist.' }, 'customer', false],
  [
    "a mailing-list manager's own mail (held for moderation)",
    { from: 'users-owner@lists.example.org', subject: 'Your message to Users awaits moderator approval', headers: { 'X-Mailman-Version': '2.1.39' } },
    'auto_reply',
    true,
  ],
  // bounces and notices added for issue 13
  [
    'fml refusing a non-member',
    { from: 'elena-admin@ml.example.jp', subject: 'NOT MEMBER article from support@example.test', headers: { 'X-MLServer': 'fml [fml 4.0.3]' } },
    'bounce',
    true,
  ],
  [
    'a list manager refusing, said only in its text',
    { from: 'majordomo@lists.example.org', subject: 'Majordomo results', textStart: 'You are not a member of list users.', headers: { 'X-Ecartis-Version': '1.0' } },
    'bounce',
    true,
  ],
  ['a list-manager header on mail from a person', { subject: 'Re: rejected parts', headers: { 'X-Mailman-Version': '2.1.39' } }, 'customer', false],
  ['a DSN whose action is "expired"', dsn(['expired']), 'bounce', true],
  ['a DSN "delayed" with a 5.x.x status fails', { ...dsn([]), deliveryReport: [{ action: 'delayed', status: '5.4.900', recipient: null }] }, 'bounce', true],
  ['a DSN with a non-standard action and a 5.x.x status', { ...dsn([]), deliveryReport: [{ action: 'undeliverable', status: '5.7.900', recipient: null }] }, 'bounce', true],
  [
    "an Outlook NDR from the Exchange organisation mailbox, in Spanish",
    { ...dsn(['failed']), from: 'MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@cliente.example', returnPath: null, subject: 'No se puede entregar: Impresora', headers: { 'Auto-Submitted': 'auto-replied' } },
    'bounce',
    true,
  ],
  ['X-MS-Exchange-Message-Is-Ndr', { headers: { 'X-MS-Exchange-Message-Is-Ndr': '' }, subject: 'Onbestelbaar: Printer' }, 'bounce', true],
  ['an automatic DSN with a failed action from any sender', { ...dsn(['failed']), from: 'notices@relay.customer.test', subject: 'Report' }, 'bounce', true],
  ['a localised NDR subject with a null sender', { returnPath: '', subject: 'Nie można dostarczyć: Drukarka' }, 'bounce', true],
  ['a "delivered" notice from a no-reply sender', { from: 'no-reply@securemail.test', subject: 'Delivered: Re: Printer on fire' }, 'auto_reply', true],
  ['"Delivered:" from a person', { subject: 'Delivered: wrong item in parcel 7781' }, 'customer', false],
  ['a text-only delay warning from MAILER-DAEMON is no bounce', { from: 'Mailer-Daemon@mx.test', subject: 'Warning: message 1uEf delayed 24 hours' }, 'auto_reply', true],
  ['a text-only notice that gave up after delays is a bounce', { from: 'Mailer-Daemon@mx.test', subject: 'Returned mail: delayed 5 days, giving up' }, 'bounce', true],
  ['ARF as a message/feedback-report part of a multipart/mixed', { from: 'fbl@isp.test', contentType: 'multipart/mixed', partTypes: ['message/feedback-report', 'message/rfc822'] }, 'bounce', true],
  [
    'ARF written out as text',
    { from: 'abuse-reports@isp.test', textStart: 'Report follows.\n\nFeedback-Type: abuse\nVersion: 1\nOriginal-Mail-From: <support@example.test>\nSource-IP: 192.0.2.10\n' },
    'bounce',
    true,
  ],
  ['a person forwarding an abuse report', { subject: 'Fwd: Abuse report', textStart: 'See below.\nFeedback-Type: abuse\nVersion: 1\nSource-IP: 192.0.2.10\nArrival-Date: today\n' }, 'customer', false],
  ['one ARF field in a customer mail', { textStart: 'We got this:\nFeedback-Type: abuse\nPlease explain.' }, 'customer', false],
  ['a human forwarding a bounce', { subject: 'Fwd: Undelivered Mail Returned to Sender', hasReturnedMessage: true, partTypes: ['message/rfc822'] }, 'customer', false],
  // our own mail (loop)
  ['from our own address', { from: 'support@example.test' }, 'own', true],
  ['from our own address with a reply-token subaddress, any case', { from: 'Support+t0k3n@Example.TEST' }, 'own', true],
  ['own address wins over auto-reply markers', { from: 'support@example.test', headers: { 'Auto-Submitted': 'auto-replied' } }, 'own', true],
];

const rows = cases.map(([name, spec, kind, suppress]) => ({ name, spec, kind, suppress }));

describe('classifyInbound', () => {
  it.each(rows)('$name → $kind', ({ spec, kind, suppress }) => {
    const result = classifyInbound(facts(spec), OWN);
    expect({ kind: result.kind, suppressAutoResponse: result.suppressAutoResponse }).toEqual({ kind, suppressAutoResponse: suppress });
  });

  it.each(rows)('$name: gives reasons exactly when it suppresses automatic answers', ({ spec, suppress }) => {
    expect(classifyInbound(facts(spec), OWN).reasons.length > 0).toBe(suppress);
  });

  it('the same local part at another domain is not ours', () => {
    expect(classifyInbound(facts({ from: 'support@elsewhere.test' }), OWN).kind).toBe('customer');
  });

  // BUG (src/domain/classify.ts, bounceReasons): an out-of-office reply that quotes a subject containing a
  // bounce word ("not delivered", "rejected", "delivery failure"…) is classified 'bounce'. Nothing about it is a
  // DSN: no multipart/report, no mail-system sender, no returned message — and its own subject says "Automatic reply:".
  it.each([
    'Automatic reply: Re: My parcel was not delivered [#1042]',
    'Automatic reply: Re: Refund rejected [#7]',
    'Out of Office: Re: Delivery failure on order 5 [#8]',
  ])('an out-of-office reply quoting a shipping complaint is an auto-reply, not a bounce: %s', (subject) => {
    const result = classifyInbound(facts({ subject, headers: { 'Auto-Submitted': 'auto-replied' } }), OWN);
    expect(result.kind).toBe('auto_reply');
  });
});

describe('classifyInbound: the mail a delivery notice is about', () => {
  const returned = { returnedMessageIds: ['reply-1@example.test'] };
  const report = (...entries: { action: string | null; status: string | null; recipient: string | null }[]): Spec => ({ ...dsn([]), ...returned, deliveryReport: entries });

  it.each<[string, Spec, { bounce?: unknown; delay?: unknown }]>([
    [
      "a failed report: its status and the failed recipients",
      report({ action: 'delayed', status: '4.4.1', recipient: 'slow@x.test' }, { action: 'failed', status: '5.1.1', recipient: 'Gone@X.test' }),
      { bounce: { originalMessageIds: ['reply-1@example.test'], status: '5.1.1', recipients: ['gone@x.test'] } },
    ],
    ['expired: the status it gives (4.4.7)', report({ action: 'expired', status: '4.4.7', recipient: 'a@x.test' }), { bounce: { originalMessageIds: ['reply-1@example.test'], status: '4.4.7', recipients: ['a@x.test'] } }],
    [
      'a delay: the delayed recipients, nothing failed',
      report({ action: 'delayed', status: '4.4.1', recipient: 'slow@x.test' }),
      { delay: { originalMessageIds: ['reply-1@example.test'], status: '4.4.1', recipients: ['slow@x.test'] } },
    ],
    [
      'no report: the first permanent code of the text, the X-Failed-Recipients header',
      { from: 'Mailer-Daemon@mx.test', subject: 'Mail delivery failed', ...returned, headers: { 'X-Failed-Recipients': 'a@x.test, b@x.test' }, textStart: 'retry 4.4.1 then 550 5.1.1 <a@x.test> unknown (v1.2.3.4)' },
      { bounce: { originalMessageIds: ['reply-1@example.test'], status: '5.1.1', recipients: ['a@x.test', 'b@x.test'] } },
    ],
    ['no report, no code: derived 5.0.0', { from: 'postmaster@mx.test', subject: 'failure notice' }, { bounce: { originalMessageIds: [], status: '5.0.0', recipients: [] } }],
    ['a delay by its subject only: derived 4.0.0', { from: 'Mailer-Daemon@mx.test', subject: 'Delayed Mail (still being retried)', ...returned }, { delay: { originalMessageIds: ['reply-1@example.test'], status: '4.0.0', recipients: [] } }],
    ['an abuse report: no status', { ...returned, from: 'abuse@isp.test', contentType: 'multipart/report', reportType: 'feedback-report' }, { bounce: { originalMessageIds: ['reply-1@example.test'], status: null, recipients: [] } }],
    ['a delivered report: neither', report({ action: 'delivered', status: '2.0.0', recipient: 'a@x.test' }), {}],
    ['an auto-reply: neither', { ...returned, headers: { 'Auto-Submitted': 'auto-replied' } }, {}],
  ])('%s', (_name, spec, want) => {
    const result = classifyInbound(facts(spec), OWN);
    expect({ bounce: result.bounce, delay: result.delay }).toEqual({ bounce: want.bounce, delay: want.delay });
  });
});

describe('classifyInbound: no automated mail in answer to automated mail (I7)', () => {
  const base = fc.record({
    from: fc.option(fc.constantFrom(CUSTOMER, 'bob@shop.test', 'MAILER-DAEMON@mx.test', 'noreply@shop.test')),
    returnPath: fc.option(fc.constantFrom('', CUSTOMER)),
    subject: fc.constantFrom('Printer on fire', 'Undeliverable: x', 'Automatic reply: x', 'Re: x'),
    contentType: fc.constantFrom('text/plain', 'multipart/mixed', 'multipart/report'),
    reportType: fc.option(fc.constantFrom('delivery-status', 'feedback-report')),
    deliveryActions: fc.subarray(['failed', 'delayed', 'delivered', 'expired']),
    textStart: fc.constantFrom('', 'Please click the link below to confirm. Your message is held.', 'Feedback-Type: abuse\nSource-IP: 1\nArrival-Date: x'),
    hasReturnedMessage: fc.boolean(),
    headers: fc.dictionary(
      fc.constantFrom('Auto-Submitted', 'Precedence', 'List-Id', 'X-Autoreply', 'Subject', 'Received', 'X-Loop', 'X-Auto-Response-Suppress', 'X-MLServer'),
      fc.constantFrom('no', 'auto-replied', 'bulk', 'list', 'first-class', 'x'),
    ),
  });
  const loopMarkers: Spec[] = [
    { from: 'MAILER-DAEMON@mx.test' },
    { from: 'no-reply@shop.test' },
    { from: 'support+x@example.test' },
    { returnPath: '' },
    { headers: { 'Auto-Submitted': 'auto-generated' } },
    { headers: { Precedence: 'bulk' } },
    { headers: { 'List-Id': '<x.lists.test>' } },
  ];

  it('a bounce, and only a bounce, names the mail it returns; a delay notice is an auto-reply', () => {
    fc.assert(
      fc.property(base, (spec) => {
        const result = classifyInbound(facts(spec), OWN);
        expect(result.bounce !== undefined).toBe(result.kind === 'bounce');
        if (result.delay) expect(result.kind).toBe('auto_reply');
      }),
    );
  });

  it('every verdict but customer suppresses automatic answers', () => {
    fc.assert(
      fc.property(base, (spec) => {
        const result = classifyInbound(facts(spec), OWN);
        if (result.kind !== 'customer') expect(result.suppressAutoResponse).toBe(true);
      }),
    );
  });

  it.each(loopMarkers)('a mail carrying %j is never answered automatically, whatever else it carries', (marker) => {
    fc.assert(
      fc.property(base, (spec) => {
        const merged: Spec = { ...spec, ...marker, headers: { ...spec.headers, ...marker.headers } };
        expect(classifyInbound(facts(merged), OWN).suppressAutoResponse).toBe(true);
      }),
    );
  });
});
