import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyInbound } from '../../src/domain/classify.js';
import type { InboundFacts, InboundKind } from '../../src/domain/classify.js';

const OWN = new Set(['support@example.test']);
const CUSTOMER = 'dana@customer.test';

interface Spec extends Partial<Omit<InboundFacts, 'headers'>> {
  /** Header name (any case) → value(s). */
  readonly headers?: Record<string, string | readonly string[]>;
}

/** A plain customer mail, changed by `spec`. */
function facts(spec: Spec = {}): InboundFacts {
  const headers = new Map<string, readonly string[]>(
    Object.entries(spec.headers ?? {}).map(([name, value]) => [name.toLowerCase(), typeof value === 'string' ? [value] : value]),
  );
  return {
    from: CUSTOMER,
    returnPath: CUSTOMER,
    subject: 'Printer on fire',
    contentType: 'text/plain',
    reportType: null,
    deliveryActions: [],
    hasReturnedMessage: false,
    ...spec,
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

describe('classifyInbound: no automated mail in answer to automated mail (I7)', () => {
  const base = fc.record({
    from: fc.option(fc.constantFrom(CUSTOMER, 'bob@shop.test', 'MAILER-DAEMON@mx.test', 'noreply@shop.test')),
    returnPath: fc.option(fc.constantFrom('', CUSTOMER)),
    subject: fc.constantFrom('Printer on fire', 'Undeliverable: x', 'Automatic reply: x', 'Re: x'),
    contentType: fc.constantFrom('text/plain', 'multipart/mixed', 'multipart/report'),
    reportType: fc.option(fc.constantFrom('delivery-status', 'feedback-report')),
    deliveryActions: fc.subarray(['failed', 'delayed', 'delivered']),
    hasReturnedMessage: fc.boolean(),
    headers: fc.dictionary(
      fc.constantFrom('Auto-Submitted', 'Precedence', 'List-Id', 'X-Autoreply', 'Subject', 'Received'),
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
