import { describe, expect, it } from 'vitest';
import { classifySmtpFailure, toSmtpError, type SmtpErrorClass, type SmtpFailure } from '../../src/adapters/smtp/errors.js';

describe('classifySmtpFailure: whether sending again can help', () => {
  const table: [failure: SmtpFailure, expected: SmtpErrorClass, what: string][] = [
    // A reply code decides (RFC 5321 §4.2.1).
    [{ responseCode: 421 }, 'transient', 'service not available, closing'],
    [{ responseCode: 450 }, 'transient', 'mailbox unavailable (greylisting)'],
    [{ responseCode: 451 }, 'transient', 'local error in processing'],
    [{ responseCode: 452 }, 'transient', 'insufficient storage'],
    [{ responseCode: 550 }, 'permanent', 'mailbox unavailable'],
    [{ responseCode: 552 }, 'permanent', 'exceeded storage allocation'],
    [{ responseCode: 553 }, 'permanent', 'mailbox name not allowed'],
    [{ responseCode: 554 }, 'permanent', 'transaction failed'],
    [{ responseCode: 503 }, 'transient', 'bad sequence of commands: a new connection cures it'],
    [{ code: 'EENVELOPE', responseCode: 450 }, 'transient', 'every recipient deferred (4xx)'],
    [{ code: 'EENVELOPE', responseCode: 550 }, 'permanent', 'every recipient refused (5xx)'],
    [{ code: 'EMESSAGE', responseCode: 451 }, 'transient', 'DATA deferred'],
    // No reply code: nodemailer's catalogue.
    [{ code: 'EENVELOPE' }, 'permanent', 'no usable sender or recipient'],
    [{ code: 'EMESSAGE' }, 'permanent', 'the message cannot be sent'],
    [{ code: 'ETLS' }, 'permanent', 'TLS handshake or certificate refused'],
    [{ code: 'ECONFIG' }, 'permanent', 'invalid transport settings'],
    [{ code: 'EAUTH' }, 'permanent', 'credentials refused'],
    [{ code: 'ENOAUTH' }, 'permanent', 'no credentials'],
    [{ code: 'ESTREAM' }, 'permanent', 'source unreadable'],
    [{ code: 'EMAXRECIPIENTS' }, 'permanent', 'too many recipients'],
    [{ code: 'ECONNECTION' }, 'transient', 'connection closed'],
    [{ code: 'ETIMEDOUT' }, 'transient', 'timeout'],
    [{ code: 'ESOCKET' }, 'transient', 'socket error'],
    [{ code: 'EDNS' }, 'transient', 'DNS failed'],
    [{ code: 'ECONNREFUSED' }, 'transient', 'server down'],
    [{ code: 'EPROTOCOL' }, 'transient', 'garbled reply'],
    [{ code: 'EMAXLIMIT' }, 'transient', 'pooled connection used up'],
    [{}, 'transient', 'nothing known: bounded by the attempt limit'],
  ];
  it.each(table)('%o → %s (%s)', (failure, expected) => {
    expect(classifySmtpFailure(failure)).toBe(expected);
  });
});

describe('toSmtpError', () => {
  it('makes permanent failures unretryable and keeps the protocol facts in the message', () => {
    const err = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 no such user"), {
      code: 'EENVELOPE',
      responseCode: 550,
      response: '550 5.1.1 no such user',
      command: 'RCPT TO',
    });
    expect(toSmtpError(err, 'sending')).toMatchObject({ code: 'SMTP_PERMANENT', retryable: false, message: 'sending: 550 after RCPT TO: 550 5.1.1 no such user' });
    expect(toSmtpError(Object.assign(new Error('self-signed certificate'), { code: 'ETLS' }), 'sending')).toMatchObject({ code: 'SMTP_PERMANENT', retryable: false });
    expect(toSmtpError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }), 'sending')).toMatchObject({ code: 'SMTP_TRANSIENT', retryable: true });
    expect(toSmtpError(Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535 }), 'sending')).toMatchObject({ code: 'SMTP_AUTH', retryable: false });
  });
});
