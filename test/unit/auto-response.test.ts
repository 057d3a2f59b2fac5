import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideAutoResponse } from '../../src/domain/auto-response.js';
import type { AutoResponseInput } from '../../src/domain/auto-response.js';
import type { Classification, InboundKind } from '../../src/domain/classify.js';

const CUSTOMER: Classification = { kind: 'customer', suppressAutoResponse: false, reasons: [] };
const LIMITS = { perSender: 3, perTicket: 5, perMailbox: 100 };

function input(over: Partial<AutoResponseInput> = {}): AutoResponseInput {
  return { classification: CUSTOMER, recipient: 'carol@customer.test', sentToRecipient: 0, sentOnTicket: 0, sentFromMailbox: 0, limits: LIMITS, ...over };
}

describe('decideAutoResponse', () => {
  it('a customer under both limits is answered', () => {
    expect(decideAutoResponse(input())).toEqual({ send: true });
    expect(decideAutoResponse(input({ sentToRecipient: 2, sentOnTicket: 4 }))).toEqual({ send: true });
  });

  it.each<[string, string | null]>([
    ['null', null],
    ['empty', ''],
  ])('no recipient (%s) → refused', (_name, recipient) => {
    expect(decideAutoResponse(input({ recipient }))).toEqual({ send: false, reason: 'no sender address' });
  });

  it.each<InboundKind>(['auto_reply', 'bounce', 'own'])('a mail classified %s is never answered', (kind) => {
    const classification: Classification = { kind, suppressAutoResponse: true, reasons: ['x'] };
    expect(decideAutoResponse(input({ classification }))).toEqual({ send: false, reason: `the mail is ${kind}` });
  });

  it('a non-customer kind is refused even if (wrongly) not suppressed', () => {
    const classification: Classification = { kind: 'auto_reply', suppressAutoResponse: false, reasons: [] };
    expect(decideAutoResponse(input({ classification })).send).toBe(false);
  });

  it('a customer mail marked suppressAutoResponse (bulk, list) is refused, with the reasons', () => {
    const classification: Classification = {
      kind: 'customer',
      suppressAutoResponse: true,
      reasons: ['Precedence: bulk', 'List-Id: <news.shop.test>'],
    };
    const decision = decideAutoResponse(input({ classification }));
    expect(decision).toEqual({ send: false, reason: 'automated sender: Precedence: bulk; List-Id: <news.shop.test>' });
  });

  it.each<[string, Partial<AutoResponseInput>, RegExp]>([
    ['per-sender limit reached', { sentToRecipient: 3 }, /rate limit: 3 automated mails to carol@customer\.test/],
    ['per-sender limit exceeded', { sentToRecipient: 10 }, /rate limit: 10 automated mails to carol@customer\.test/],
    ['per-ticket limit reached', { sentOnTicket: 5 }, /rate limit: 5 automated mails on this ticket/],
    ['per-ticket limit exceeded', { sentOnTicket: 6 }, /on this ticket/],
    ['a limit of 0 sends nothing', { limits: { perSender: 0, perTicket: 5, perMailbox: 100 } }, /rate limit: 0 automated mails to/],
    ['per-mailbox ceiling reached (a flood of forged senders)', { sentFromMailbox: 100 }, /rate limit: 100 automated mails from this mailbox/],
    ['both reached: the sender limit is named', { sentToRecipient: 3, sentOnTicket: 5 }, /to carol@customer\.test/],
  ])('%s → refused', (_name, over, reason) => {
    const decision = decideAutoResponse(input(over));
    expect(decision.send).toBe(false);
    if (!decision.send) expect(decision.reason).toMatch(reason);
  });

  it('the refusal order: recipient, then classification, then limits', () => {
    const bounce: Classification = { kind: 'bounce', suppressAutoResponse: true, reasons: [] };
    expect(decideAutoResponse(input({ recipient: null, classification: bounce }))).toEqual({ send: false, reason: 'no sender address' });
    expect(decideAutoResponse(input({ classification: bounce, sentToRecipient: 99 }))).toEqual({ send: false, reason: 'the mail is bounce' });
  });
});

describe('decideAutoResponse: no automated answer to automated mail (I7)', () => {
  const anyInput = fc.record({
    classification: fc.record({
      kind: fc.constantFrom<InboundKind>('customer', 'auto_reply', 'bounce', 'own'),
      suppressAutoResponse: fc.boolean(),
      reasons: fc.array(fc.string(), { maxLength: 3 }),
    }),
    recipient: fc.option(fc.emailAddress()),
    sentToRecipient: fc.nat(20),
    sentOnTicket: fc.nat(20),
    sentFromMailbox: fc.nat(20),
    limits: fc.record({ perSender: fc.nat(20), perTicket: fc.nat(20), perMailbox: fc.nat(20) }),
  });

  it('never sends unless the mail is a customer mail that is not suppressed', () => {
    fc.assert(
      fc.property(anyInput, (spec) => {
        const decision = decideAutoResponse(spec);
        if (spec.classification.kind !== 'customer' || spec.classification.suppressAutoResponse) {
          expect(decision.send).toBe(false);
        }
      }),
    );
  });

  it('never sends at or beyond a limit', () => {
    fc.assert(
      fc.property(anyInput, (spec) => {
        if (decideAutoResponse(spec).send) {
          expect(spec.sentToRecipient).toBeLessThan(spec.limits.perSender);
          expect(spec.sentOnTicket).toBeLessThan(spec.limits.perTicket);
          expect(spec.sentFromMailbox).toBeLessThan(spec.limits.perMailbox);
          expect(spec.recipient).toBeTruthy();
        }
      }),
    );
  });
});
