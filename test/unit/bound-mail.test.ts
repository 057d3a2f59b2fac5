import { describe, expect, it } from 'vitest';
import { MAIL_BOUNDS, boundParsedMail, cleanHeader } from '../../src/adapters/mime/bound-mail.js';
import { parseMail } from '../../src/adapters/mime/parse-mail.js';
import { messageIdColumns, messageKey } from '../../src/adapters/db/message-keys.js';
import { farDate, giantReferences, hugeMessageId, nulInAttachment } from '../support/poison.js';

const OPTIONS = { maxAttachmentBytes: 25 * 1024 * 1024 };

describe('every parsed value is bounded before insert', () => {
  it('keeps the newest 100 of 70 000 References and says so', async () => {
    const mail = await parseMail(giantReferences().raw, OPTIONS);
    expect(mail.references).toHaveLength(MAIL_BOUNDS.threadIds);
    expect(mail.references.at(-1)).toBe('ref-69999@x.test');
    // 1.3 MB of header is past the MIME parser's limit: the headers are read leniently, the newest ids kept.
    expect(mail.parseError).toMatch(/header size/);
    expect(mail.adjustments).toEqual([expect.stringMatching(/^References: kept the last 100 of \d+ message ids read$/)]);
  });

  it('stores a date outside the years 1–9999 as none, with a note', async () => {
    const mail = await parseMail(farDate().raw, OPTIONS);
    expect(mail.date).toBeNull();
    expect(mail.adjustments).toEqual(['Date: outside the years 1–9999; stored without a sent date']);
  });

  it('removes NUL from an attachment\'s type, name and Content-ID, and keeps only a valid MIME type', async () => {
    const mail = await parseMail(nulInAttachment().raw, OPTIONS);
    const [attachment] = mail.attachments;
    // Its bytes are no PNG: the type comes from the content (content-type.ts), never from the NUL-laden header.
    expect(attachment).toMatchObject({ contentType: 'application/octet-stream', filename: 'ab.png', contentId: 'ci d@x' });
    expect(JSON.stringify(mail)).not.toContain('\\u0000');
  });

  it('keeps a 2 900-byte Message-ID as written, and stores it under its hash', async () => {
    const mail = await parseMail(hugeMessageId().raw, OPTIONS);
    expect(mail.messageId).toBe(`${'漢'.repeat(960)}@attacker.test`);
    const columns = messageIdColumns(mail.messageId);
    expect(columns.messageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(columns.messageIdFull).toBe(mail.messageId);
    expect(messageKey('short@x.test')).toBe('short@x.test');
    expect(messageIdColumns('short@x.test')).toEqual({ messageId: 'short@x.test', messageIdFull: null });
  });

  it('drops unusable addresses, caps long lists, names and subjects', () => {
    const long = `${'a'.repeat(300)}@x.test`;
    const many = Array.from({ length: 150 }, (_, i) => ({ address: `p${i}@x.test`, name: '' }));
    const base = {
      messageId: 'm@x', inReplyTo: [], references: [], from: { address: long, name: 'x' }, singleFrom: true, to: many, cc: [{ address: 'has space@x.test', name: '' }],
      replyTo: [], subject: `s${'x'.repeat(3_000)}`, date: null, text: 'a\u0000b\u0007c\n', html: null, attachments: [],
      facts: { from: long, returnPath: null, subject: '', headers: new Map([['x-h', ['v\u0000\r\nw']]]), contentType: 'text/plain', reportType: null, deliveryReport: [], hasReturnedMessage: false, partTypes: [], returnedMessageIds: [], textStart: '' },
      returnedMessageIds: [], deliveryReport: [], threadIndex: null, parseError: null, omittedAttachments: [], adjustments: [], htmlDropped: null,
    };
    const mail = boundParsedMail(base);
    expect(mail.from).toBeNull();
    expect(mail.to).toHaveLength(MAIL_BOUNDS.addresses);
    expect(mail.cc).toEqual([]);
    expect(mail.subject).toHaveLength(MAIL_BOUNDS.subjectChars);
    expect(mail.text).toBe('abc\n');
    expect(mail.facts.headers.get('x-h')).toEqual(['v   w']);
    expect(mail.adjustments).toEqual([
      'Subject: cut to 2000 of 3001 characters',
      'From: the address is not usable (too long or malformed): the mail has no sender address',
      'To: kept the first 100 of 150 addresses',
      'Cc: dropped 1 unusable address(es) (too long or malformed)',
    ]);
  });

  it('cleanHeader removes every control character, CR and LF included', () => {
    expect(cleanHeader('a\u0000b\r\nc\u007fd\u0085e\tf')).toBe('a b  c d e\tf');
  });
});
