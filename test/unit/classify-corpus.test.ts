import { expect, it } from 'vitest';
import { parseMail } from '../../src/adapters/mime/parse-mail.js';
import { classifyInbound } from '../../src/domain/classify.js';
import type { InboundKind } from '../../src/domain/classify.js';
import { corpusFiles, describeCorpus, readCorpus } from '../support/corpus.js';

const OWN = new Set(['support@example.test']);
const OPTIONS = { maxAttachmentBytes: 25 * 1024 * 1024 };

/** What a file is expected to be: a kind, or "anything but customer". */
type Expectation = InboundKind | 'not customer';

/** Every file in a folder is expected to be this, unless EXCEPTIONS says otherwise. Longest prefix wins. */
const BY_FOLDER: Record<string, Expectation> = {
  'autoreplies/': 'auto_reply',
  'bounces/': 'bounce',
  'bounces/sisimai/not-a-bounce/': 'customer',
  'replies/': 'customer',
  'threads/': 'customer',
  'mime/': 'customer',
};

const EXCEPTIONS: Record<string, Expectation> = {
  // A "delayed" DSN: nothing failed yet, so it is a notice, not a bounce.
  'bounces/mikel-mail/report_422.eml': 'auto_reply',
  // Apple Mail "unsubscribe" with Auto-Submitted: auto-replied, not a delivery failure.
  'bounces/sisimai/bsd/arf-26.eml': 'auto_reply',
  // In the negatives folder, but a real automated postmaster notice ("email bounce notification").
  'bounces/sisimai/not-a-bounce/rb-issue-368-bug.eml': 'not customer',
  // Precedence: list
  'mime/james-mime4j/mime4j-219-new-date-time-format.eml': 'auto_reply',
  // Precedence: bulk (a Launchpad bug mail)
  'mime/mailparser/large_text.eml': 'auto_reply',
  // Precedence: junk (spam)
  'mime/mikel-mail/error_emails/bad_date_header.eml': 'auto_reply',
  // A "delayed" DSN ("could not send message for past 1 day")
  'mime/mikel-mail/mime_emails/raw_email_with_mimepart_without_content_type.eml': 'auto_reply',
  // Precedence: list
  'mime/mime-tools/jt-0498.eml': 'auto_reply',
  // "Mail System Error - Returned Mail" from postmaster
  'mime/mime-tools/badbound.eml': 'bounce',
};

/**
 * Bounces whose returned message carries no Message-ID anywhere (the MTA
 * returned no headers, or only the recipient): every other bounce must name
 * the mail it returns, wherever it is (an attached part, a pasted header
 * block, a body line, a part the MIME parser could not split).
 */
const NO_ORIGINAL_ID = new Set([
  'bounces/sisimai/bsd/lhost-office365-13.eml',
  'bounces/sisimai/bsd/lhost-opensmtpd-02.eml',
  'bounces/sisimai/bsd/lhost-postfix-02.eml',
  'bounces/sisimai/bsd/lhost-qmail-02.eml',
  'bounces/sisimai/bsd/lhost-v5sendmail-02.eml',
  'bounces/sisimai/bsd/rfc3464-66.eml',
  'bounces/sisimai/dos/lhost-apachejames-01.eml',
  'bounces/sisimai/dos/lhost-courier-01.eml',
  'bounces/sisimai/dos/lhost-domino-01.eml',
  'bounces/sisimai/dos/lhost-exchange-01.eml',
  'bounces/sisimai/dos/lhost-exchange2003-01.eml',
  'bounces/sisimai/dos/lhost-exchange2007-01.eml',
  'bounces/sisimai/dos/lhost-facebook-01.eml',
  'bounces/sisimai/dos/lhost-mailmarshalsmtp-01.eml',
  'bounces/sisimai/dos/lhost-opensmtpd-01.eml',
  'bounces/sisimai/dos/lhost-postfix-01.eml',
  'bounces/sisimai/dos/lhost-v5sendmail-01.eml',
  'bounces/sisimai/dos/lhost-verizon-01.eml',
  'bounces/sisimai/mac/lhost-postfix-01.eml',
]);

/** Delay notices ("Action: delayed"): auto-replies that name the mail still being retried. */
const DELAYS = new Set(['bounces/mikel-mail/report_422.eml', 'mime/mikel-mail/mime_emails/raw_email_with_mimepart_without_content_type.eml']);

function expectation(file: string): Expectation {
  const exception = EXCEPTIONS[file];
  if (exception) return exception;
  const folder = Object.keys(BY_FOLDER)
    .filter((prefix) => file.startsWith(prefix))
    .sort((a, b) => b.length - a.length)[0];
  if (folder === undefined) throw new Error(`no expectation for ${file}: add its folder to BY_FOLDER`);
  return BY_FOLDER[folder]!;
}

const FILES = corpusFiles('.eml');

describeCorpus('classifyInbound on the real-mail corpus', () => {
  it('finds the whole corpus, and every exception names a file in it', () => {
    expect(FILES.filter((f) => f.startsWith('autoreplies/'))).toHaveLength(14);
    expect(FILES.filter((f) => f.startsWith('bounces/sisimai/not-a-bounce/'))).toEqual([
      'bounces/sisimai/not-a-bounce/is-not-bounce-01.eml',
      'bounces/sisimai/not-a-bounce/is-not-bounce-02.eml',
      'bounces/sisimai/not-a-bounce/rb-issue-368-bug.eml',
    ]);
    expect(Object.keys(EXCEPTIONS).filter((f) => !FILES.includes(f))).toEqual([]);
    expect([...NO_ORIGINAL_ID, ...DELAYS].filter((f) => !FILES.includes(f))).toEqual([]);
    expect(() => FILES.map(expectation)).not.toThrow();
  });

  it.each(FILES)('%s', async (file) => {
    const mail = await parseMail(readCorpus(file), OPTIONS);
    const { kind, reasons, bounce, delay } = classifyInbound(mail.facts, OWN);
    const why = reasons.join('; ');
    const want = expectation(file);
    if (want === 'not customer') expect(kind, why).not.toBe('customer');
    else expect(kind, why).toBe(want);
    if (bounce) {
      // Every bounce says what failed: the report's status, one from its text, or 5.0.0; an abuse report none.
      if (reasons.includes('abuse feedback report (ARF)')) expect(bounce.status).toBeNull();
      else expect(bounce.status, why).toMatch(/^[45]\.\d{1,3}\.\d{1,3}$/);
      expect(bounce.originalMessageIds.length > 0, 'names the mail it returns').toBe(!NO_ORIGINAL_ID.has(file));
    }
    expect(delay !== undefined, 'a delay notice').toBe(DELAYS.has(file));
    if (delay) expect(delay.originalMessageIds.length).toBeGreaterThan(0);
  });
});
