/**
 * Small mails any sender can write whose values used to fail at insert, and
 * one whose HTML used to stall the process (the "Nothing lost" review).
 */
export interface PoisonMail {
  readonly name: string;
  readonly raw: Buffer;
  readonly messageId: string;
}

function mail(name: string, headers: string[], body: string[], messageId = `poison-${name}@attacker.test`): PoisonMail {
  const lines = [
    'From: Mallory <mallory@attacker.test>',
    'To: support@example.test',
    `Subject: poison ${name}`,
    'Date: Mon, 30 Nov 2026 10:00:00 +0000',
    `Message-ID: <${messageId}>`,
    ...headers,
    'MIME-Version: 1.0',
    ...body,
  ];
  return { name, raw: Buffer.from(lines.join('\r\n'), 'utf8'), messageId };
}

const plain = ['Content-Type: text/plain; charset=utf-8', '', 'hello', ''];

/** 70 000 ids in References: past the 65 534 parameters one statement takes. */
export function giantReferences(count = 70_000): PoisonMail {
  const ids = Array.from({ length: count }, (_, i) => `<ref-${i}@x.test>`).join(' ');
  return mail('references', [`References: ${ids}`], plain);
}

/** A year Postgres and ISO strings cannot agree on. */
export function farDate(): PoisonMail {
  const m = mail('date', [], plain);
  return { ...m, raw: Buffer.from(m.raw.toString('utf8').replace('Date: Mon, 30 Nov 2026 10:00:00 +0000', 'Date: 1 Jan 200000 00:00:00 +0000'), 'utf8') };
}

/** A Message-ID of ~1 000 CJK characters (within a 998-character line): ~2 900 bytes, over the 2 704-byte btree limit. */
export function hugeMessageId(): PoisonMail {
  return mail('message-id', [], plain, `${'漢'.repeat(960)}@attacker.test`);
}

/** NUL bytes in an attachment's Content-Type, name and Content-ID. */
export function nulInAttachment(): PoisonMail {
  return mail(
    'nul',
    [],
    [
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'see attached',
      '--b',
      'Content-Type: image/png\u0000evil; name="a\u0000.png"',
      'Content-ID: <ci\u0000d@x>',
      'Content-Disposition: attachment; filename="a\u0000b.png"',
      'Content-Transfer-Encoding: base64',
      '',
      'iVBORw0KGgo=',
      '--b--',
      '',
    ],
  );
}

/** An HTML body of deeply nested tags: quadratic for the sanitiser. */
export function nestedHtml(bytes = 1_900_000): PoisonMail {
  const unit = '<div><span><b>';
  const depth = Math.floor(bytes / unit.length);
  const html = `<html><body>${unit.repeat(depth)}deep</body></html>`;
  return mail('nested-html', [], ['Content-Type: text/html; charset=utf-8', '', html, '']);
}

/**
 * A short text part and an HTML part of ~2 MB of unclosed paragraphs: the
 * MIME structure reads in tens of milliseconds, sanitising the HTML takes
 * most of a second (every `<p>` closes the one before it).
 */
export function slowHtml(bytes = 1_950_000): PoisonMail {
  const html = '<p>x'.repeat(Math.floor(bytes / 4));
  return mail(
    'slow-html',
    [],
    ['Content-Type: multipart/alternative; boundary="b"', '', '--b', 'Content-Type: text/plain; charset=utf-8', '', 'The text part, kept.', '--b', 'Content-Type: text/html; charset=utf-8', '', html, '--b--', ''],
  );
}

export function poisonMails(): PoisonMail[] {
  return [giantReferences(), farDate(), hugeMessageId(), nulInAttachment(), nestedHtml()];
}
