import type { MailAddress, ParsedAttachment, ParsedMail } from './parsed-mail.js';

/**
 * A forward written out in a body text, as the inline reader
 * (adapters/mime/forwarded-text.ts) finds it.
 */
export interface ForwardedText {
  /** The original sender; the address lower-cased. */
  readonly from: MailAddress;
  readonly subject: string | null;
  /** As written in the forward's header block ("Mon, Mar 2, 2026 at 10:15 AM"). */
  readonly date: string | null;
  /** What the forwarder wrote above (and, for a quoted forward, below) the block, trimmed. */
  readonly note: string;
  /** The forwarded message's body, its header block removed, trimmed. */
  readonly text: string;
}

/** The original customer mail an agent forwarded to the helpdesk. */
export interface ForwardedMail {
  readonly from: MailAddress;
  readonly subject: string;
  readonly date: Date | null;
  readonly text: string;
  readonly html: string | null;
  readonly attachments: readonly ParsedAttachment[];
  /** The original's Message-ID when known (attached form). */
  readonly messageId: string | null;
  /** The agent's own words above/around the forward. */
  readonly note: string;
  readonly form: 'inline' | 'attached';
}

/** Parses an attached message's raw bytes (the MIME adapter's parseMail). */
export type ParseAttached = (raw: Buffer) => Promise<ParsedMail>;
/** Finds an inline forward in a body text (adapters/mime/forwarded-text.ts). */
export type ReadForwardedText = (text: string) => ForwardedText | null;

/** Part types that carry a whole message: RFC 2046 §5.2.1, RFC 6532 §3.7. */
const ATTACHED_MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);
/** An agent may attach several mails; only the first few are tried for one that has a sender. */
const MAX_ATTACHED_TRIED = 5;

/**
 * The original mail inside an agent's forward, or null when the mail holds
 * none. A message attached as message/rfc822 (Outlook's and Thunderbird's
 * "forward as attachment") wins over a forward written into the text; for
 * the attached form the outer text is the agent's note. Never throws: an
 * attached message that cannot be parsed, or has no sender, is passed over.
 */
export async function findForwarded(
  parsed: ParsedMail,
  parseAttached: ParseAttached,
  readForwardedText: ReadForwardedText,
): Promise<ForwardedMail | null> {
  return (await attachedForward(parsed, parseAttached)) ?? inlineForward(parsed, readForwardedText);
}

async function attachedForward(parsed: ParsedMail, parseAttached: ParseAttached): Promise<ForwardedMail | null> {
  const parts = parsed.attachments.filter(isAttachedMessage).slice(0, MAX_ATTACHED_TRIED);
  for (const part of parts) {
    // Over the size cap only its metadata was kept: nothing to read.
    const inner = part.content === null ? null : await parseQuietly(parseAttached, part.content);
    if (!inner?.from) continue;
    return {
      from: inner.from,
      subject: inner.subject.trim() || subjectWithoutForwardPrefix(parsed.subject),
      date: inner.date,
      text: inner.text.trim(),
      html: inner.html,
      attachments: inner.attachments,
      messageId: inner.messageId,
      note: parsed.text.trim(),
      form: 'attached',
    };
  }
  return null;
}

async function parseQuietly(parseAttached: ParseAttached, raw: Buffer): Promise<ParsedMail | null> {
  try {
    return await parseAttached(raw);
  } catch {
    return null;
  }
}

function inlineForward(parsed: ParsedMail, readForwardedText: ReadForwardedText): ForwardedMail | null {
  const found = readForwardedText(parsed.text);
  if (found === null) return null;
  return {
    from: found.from,
    subject: found.subject ?? subjectWithoutForwardPrefix(parsed.subject),
    date: writtenDate(found.date),
    text: found.text,
    html: null,
    attachments: parsed.attachments.filter((a) => !isAttachedMessage(a)),
    messageId: null,
    note: found.note,
    form: 'inline',
  };
}

function isAttachedMessage(attachment: ParsedAttachment): boolean {
  return ATTACHED_MESSAGE_TYPES.has(attachment.contentType);
}

/** "Fwd:", "FW:", "WG:", "Doorst:", "TR:", "I:", "VS:", "RV:" — also counted ("Fwd[2]:") and full-width colons. */
const FORWARD_PREFIX = /^[ \t]{0,10}(?:fwd|fw|wg|doorst|tr|i|vs|rv)[ \t]{0,3}(?:\[\d{1,5}\])?[ \t]{0,3}[:：][ \t]{0,10}/i;
const MAX_PREFIXES = 10;

/** A subject with the forward prefixes clients put in front removed ("Fwd: FW: Invoice" → "Invoice"). */
export function subjectWithoutForwardPrefix(subject: string): string {
  let rest = subject;
  for (let n = 0; n < MAX_PREFIXES; n++) {
    const prefix = FORWARD_PREFIX.exec(rest);
    if (!prefix) break;
    rest = rest.slice(prefix[0].length);
  }
  return rest.trim();
}

/** Written dates are read only when they name their zone: a bare local time would be read in the server's. */
const EXPLICIT_ZONE = /(?:\bGMT\b|\bUTC\b|[+-]\d{4}\b)/;
const MIN_TIME = Date.UTC(1, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59);

/** The forward's written date as a time, when it is unambiguous ("Mon, 2 Mar 2026 10:15:00 +0100"); else null. */
export function writtenDate(written: string | null): Date | null {
  if (written === null || written.length > 200 || !EXPLICIT_ZONE.test(written)) return null;
  const time = Date.parse(written.replace(/ at /i, ' '));
  return Number.isNaN(time) || time < MIN_TIME || time > MAX_TIME ? null : new Date(time);
}
