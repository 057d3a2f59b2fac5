import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMailSystemSender, isNoReplySender, normalizeAddress, withoutSubaddress } from '../../src/domain/address.js';

describe('normalizeAddress', () => {
  it.each([
    ['Carol@Customer.TEST', 'carol@customer.test'],
    ['  carol@customer.test\t', 'carol@customer.test'],
    ['carol@customer.test', 'carol@customer.test'],
    ['', ''],
  ])('%j → %j', (address, want) => {
    expect(normalizeAddress(address)).toBe(want);
  });

  it('is idempotent', () => {
    fc.assert(fc.property(fc.string(), (a) => normalizeAddress(normalizeAddress(a)) === normalizeAddress(a)));
  });
});

describe('withoutSubaddress', () => {
  it.each([
    ['support+tok3n@example.test', 'support@example.test'],
    ['Support+Tok3n@Example.TEST', 'support@example.test'],
    ['support+a+b@example.test', 'support@example.test'],
    ['support+@example.test', 'support@example.test'],
    ['support@example.test', 'support@example.test'],
    ['support+tok3n', 'support'],
    ['MAILER-DAEMON', 'mailer-daemon'],
  ])('%j → %j', (address, want) => {
    expect(withoutSubaddress(address)).toBe(want);
  });

  it('is idempotent', () => {
    fc.assert(fc.property(fc.emailAddress(), (a) => withoutSubaddress(withoutSubaddress(a)) === withoutSubaddress(a)));
  });
});

describe('isMailSystemSender', () => {
  it.each([
    ['MAILER-DAEMON@mx.example.test', true],
    ['mailer-daemon@mx.example.test', true],
    ['MAILER-DAEMON', true],
    ['postmaster@example.test', true],
    ['Postmaster+bounce@example.test', true],
    ['mail-daemon@example.test', true],
    ['mail.delivery.system@example.test', true],
    ['carol@customer.test', false],
    ['daemon@example.test', false],
    ['postmaster-team@example.test', false],
    ['carol@postmaster.example.test', false],
    ['', false],
  ])('%j → %s', (address, want) => {
    expect(isMailSystemSender(address)).toBe(want);
  });
});

describe('isNoReplySender', () => {
  it.each([
    ['noreply@shop.test', true],
    ['NoReply@shop.test', true],
    ['no-reply@shop.test', true],
    ['no_reply@shop.test', true],
    ['no.reply@shop.test', true],
    ['donotreply@shop.test', true],
    ['do-not-reply@shop.test', true],
    ['do_not_reply@shop.test', true],
    ['noreply-orders@shop.test', true],
    ['noreply+abc@shop.test', true],
    ['bounce@esp.test', true],
    ['bounces@esp.test', true],
    ['bounces-123-abc@esp.test', true],
    ['notifications-noreply@forge.test', true],
    ['reply@shop.test', false],
    ['carol@customer.test', false],
    ['noreplyer@shop.test', false],
    ['please-noreply@shop.test', false],
    ['carol@noreply.shop.test', false],
    ['', false],
  ])('%j → %s', (address, want) => {
    expect(isNoReplySender(address)).toBe(want);
  });
});
