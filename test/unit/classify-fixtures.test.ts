import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../src/adapters/mime/parse-mail.js';
import { classifyInbound, type InboundKind, type ReturnedMail } from '../../src/domain/classify.js';

/*
 * Automated mail as clients, MTAs and list managers write it, and customer
 * mail that only looks like it: one fixture per case under
 * test/fixtures/automated/ (mail we wrote for these tests), parsed by the MIME
 * adapter and classified, as ingest does.
 */

const DIR = new URL('../fixtures/automated/', import.meta.url);
const OWN = new Set(['support@example.test']);
const OPTIONS = { maxAttachmentBytes: 25 * 1024 * 1024 };

interface Expected {
  readonly kind: InboundKind;
  /** For a bounce (required then): the mail it returns. */
  readonly bounce?: ReturnedMail;
  /** For a delay notice: the mail still being retried. */
  readonly delay?: ReturnedMail;
}

const auto: Expected = { kind: 'auto_reply' };
const customer: Expected = { kind: 'customer' };
const ours = (id: string) => [`${id}@example.test`];
const bounce = (id: string | null, status: string | null, recipients: string[] = []): Expected => ({
  kind: 'bounce',
  bounce: { originalMessageIds: id === null ? [] : ours(id), status, recipients },
});
const delay = (id: string, status: string, recipients: string[] = []): Expected => ({
  kind: 'auto_reply',
  delay: { originalMessageIds: ours(id), status, recipients },
});

const EXPECTED: Record<string, Expected> = {
  // Auto-replies: headers
  'auto-replies/horde-x-autoresponder.eml': auto,
  'auto-replies/yandex-x-autoreply-from.eml': auto,
  'auto-replies/zimbra-precedence-auto-reply.eml': auto,
  'auto-replies/exchange-inbox-rule-reply.eml': auto,
  'auto-replies/outlook-ars-out-of-office.eml': auto,
  'auto-replies/procmail-x-loop.eml': auto,
  'auto-replies/otrs-x-loop.eml': auto,
  'auto-replies/gmail-vacation.eml': auto,
  'auto-replies/thunderbird-read-receipt.eml': auto,
  'auto-replies/mailman-held-for-moderation.eml': auto,
  // Auto-replies: subjects, several languages and clients
  'auto-replies/exchange-oof-prefix.eml': auto,
  'auto-replies/ooo-prefix.eml': auto,
  'auto-replies/lotus-notes-auto.eml': auto,
  'auto-replies/auto-lowercase-prefix.eml': auto,
  'auto-replies/de-abwesend.eml': auto,
  'auto-replies/de-automatische-antwort.eml': auto,
  'auto-replies/fr-absence.eml': auto,
  'auto-replies/fr-reponse-automatique.eml': auto,
  'auto-replies/es-fuera-de-la-oficina.eml': auto,
  'auto-replies/nl-afwezig.eml': auto,
  'auto-replies/nl-automatisch-antwoord.eml': auto,
  'auto-replies/da-fravaerende.eml': auto,
  'auto-replies/no-automatisk-svar.eml': auto,
  'auto-replies/sv-franvarande.eml': auto,
  'auto-replies/it-assente.eml': auto,
  'auto-replies/it-risposta-automatica.eml': auto,
  'auto-replies/pl-odpowiedz-automatyczna.eml': auto,
  'auto-replies/ja-jidou-outou.eml': auto,
  // Auto-replies: challenge-response without any marker
  'auto-replies/challenge-approved-senders.eml': auto,
  'auto-replies/challenge-fr-mise-en-attente.eml': auto,
  'auto-replies/challenge-guest-list.eml': auto,

  // Bounces: list managers
  'bounces/fml-not-member.eml': bounce('20250514.reply.fml1', '5.0.0'),
  'bounces/mailman-rejected.eml': bounce('20250514.reply.mm2', '5.0.0'),
  // Bounces: what a report's action leaves open
  'bounces/sendmail-expired.eml': bounce('20250513.reply.exp3', '4.4.7', ['carol@customer.example']),
  'bounces/gateway-5x900-nonstandard-action.eml': bounce('20250514.reply.gw4', '5.7.900', ['carol@customer.example']),
  // Bounces: Outlook and Exchange
  'bounces/outlook-ndr-es-exchange-sender.eml': bounce('20250514.reply.es5', '5.1.10', ['luis.garcia@cliente.example']),
  'bounces/exchange-ndr-nl.eml': bounce('20250514.reply.nl6', '5.2.2'),
  'bounces/m365-ndr-id-in-text.eml': bounce('20250514.reply.m3657', '5.2.2', ['ole@contoso-kunde.example']),
  // Bounces: the original Message-ID outside a well-formed part
  'bounces/exim-text-bounce.eml': bounce('20250514.reply.exim8', '5.1.1', ['gone@kunde.example']),
  'bounces/qmail-failure-notice.eml': bounce('20250514.reply.qm9', '5.1.1'),
  // (no part split: neither the report nor the notification text is read, the status is derived)
  'bounces/postfix-broken-boundary.eml': bounce('20250514.reply.pfx10', '5.0.0'),
  'bounces/gmail-dsn-failure.eml': bounce('20250514.reply.gm11', '5.1.1', ['typo@gmial.example']),
  'bounces/domino-id-in-prose.eml': bounce('20250514.reply.dom12', '5.0.0'),
  // Bounces: abuse reports without the usual headers
  'bounces/arf-without-report-header.eml': bounce('20250514.reply.arf13', null),
  'bounces/arf-as-plain-text.eml': bounce('20250514.reply.arf14', null),

  // Delay notices: still retried, nothing failed
  'delays/postfix-delayed-mail.eml': delay('20250514.reply.delay1', '4.4.1', ['slow@kunde.example']),
  'delays/sendmail-warning-4-hours.eml': delay('20250514.reply.delay2', '4.4.7', ['carol@customer.example']),
  'delays/exim-delay-warning-text.eml': delay('20250514.reply.delay3', '4.0.0'),
  'delays/gmail-dsn-delay.eml': delay('20250514.reply.delay4', '4.4.1', ['ana@lento.example']),
  'delays/exchange-delivery-delayed.eml': delay('20250514.reply.delay5', '4.4.7', ['wolf@kunde-ag.example.de']),

  // Delivery and read confirmations
  'notices/noreply-delivered-subject.eml': auto,
  'notices/donotreply-your-message-was-delivered.eml': auto,
  'notices/exchange-delivery-receipt.eml': auto,
  'notices/postfix-success-report.eml': auto,

  // Customer mail that looks automated: it stays customer
  'customer/gmail-out-of-office-in-body.eml': customer,
  'customer/outlook-delivery-failure-subject.eml': customer,
  'customer/thunderbird-forwarded-bounce-inline.eml': customer,
  'customer/outlook-forwarded-bounce-attached.eml': customer,
  'customer/reply-to-an-auto-reply.eml': customer,
  'customer/zammad-agent-reply.eml': customer,
  'customer/rt-correspondence.eml': customer,
  'customer/german-auto-means-car.eml': customer,
  'customer/not-a-member-of-your-list.eml': customer,
  'customer/cannot-verify-account.eml': customer,
  'customer/exchange-redirect-to-helpdesk.eml': customer,
  'customer/absence-word-in-subject.eml': customer,
  'customer/delivered-word-from-person.eml': customer,
  'customer/out-of-office-feature-question.eml': customer,
  'customer/it-admin-quarantine-complaint.eml': customer,
};

const FILES = readdirSync(DIR, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.eml'))
  .map((name) => name.split('\\').join('/'))
  .sort();

async function classify(file: string) {
  const mail = await parseMail(readFileSync(new URL(file, DIR)), OPTIONS);
  return classifyInbound(mail.facts, OWN);
}

describe('classifyInbound on the automated-mail fixtures', () => {
  it('has an expectation for every fixture, and a fixture for every expectation', () => {
    expect(FILES).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', async (file, want) => {
    const got = await classify(file);
    const why = got.reasons.join('; ');
    expect(got.kind, why).toBe(want.kind);
    expect(got.bounce, why).toEqual(want.bounce);
    expect(got.delay, why).toEqual(want.delay);
    if (want.kind === 'customer') expect(got.suppressAutoResponse, why).toBe(false);
    else expect(got.reasons.length).toBeGreaterThan(0);
  });
});
