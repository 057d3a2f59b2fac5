import type { DeliveryReportEntry, MailAddress, ParsedAttachment, ParsedMail } from '../../usecases/parsed-mail.js';

/**
 * Limits on what one parsed mail may hand to the store. Every header, address
 * and byte of inbound mail is the sender's to choose: a value is cleaned and
 * bounded here so that no value can fail its insert (I6) — the raw source
 * keeps the original in full.
 */
export const MAIL_BOUNDS = {
  /** In-Reply-To ids kept (the first), References ids kept (the newest). */
  threadIds: 100,
  /** Addresses kept per header (To, Cc, Reply-To). */
  addresses: 100,
  /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, an address 254 characters. */
  addressChars: 254,
  nameChars: 256,
  subjectChars: 2_000,
  filenameChars: 255,
  contentTypeChars: 255,
  contentIdChars: 256,
  threadIndexChars: 1_000,
  headerValueChars: 8 * 1024,
  headerValues: 200,
  returnedIds: 10,
  reportEntries: 100,
  reportFieldChars: 1_000,
} as const;

/** Postgres timestamps go far beyond this, but a 4-digit year is what every driver and ISO string agrees on. */
const MIN_TIME = Date.UTC(1, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59);

/* eslint-disable no-control-regex */
/** Control characters (C0 but TAB, DEL, C1) and NUL: never in a header value. */
const HEADER_CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
/** In body text only NUL and the C0 controls other than TAB, LF, CR, FF go. */
const TEXT_CONTROLS = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g;
/* eslint-enable no-control-regex */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A body text Postgres can hold: no NUL, no stray controls, no lone UTF-16 surrogates. */
export function cleanBody(value: string): string {
  return value.replace(TEXT_CONTROLS, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** A one-line header value: control characters (CR/LF included) removed, surrogates repaired, capped. */
export function cleanHeader(value: string, max: number = MAIL_BOUNDS.headerValueChars): string {
  const clean = value.replace(HEADER_CONTROLS, ' ').replace(LONE_SURROGATE, '\uFFFD');
  return clean.length > max ? clean.slice(0, max) : clean;
}

/**
 * Cleans and bounds every value of a parsed mail; `adjustments` says, for the
 * ticket's history, what was cut or dropped (silent cleaning of control
 * characters is not listed).
 */
export function boundParsedMail(mail: ParsedMail): ParsedMail {
  const notes: string[] = [...mail.adjustments];
  const note = (text: string) => notes.push(text);
  const inReplyTo = idList(mail.inReplyTo, 'first', 'In-Reply-To', note);
  const references = idList(mail.references, 'last', 'References', note);
  const subject = cleanHeader(mail.subject);
  if (subject.length > MAIL_BOUNDS.subjectChars) note(`Subject: cut to ${MAIL_BOUNDS.subjectChars} of ${subject.length} characters`);
  const from = mail.from ? address(mail.from) : null;
  if (mail.from && !from) note('From: the address is not usable (too long or malformed): the mail has no sender address');
  return {
    ...mail,
    messageId: mail.messageId === null ? null : cleanHeader(mail.messageId, Infinity).trim() || null,
    inReplyTo,
    references,
    from,
    singleFrom: mail.singleFrom && from !== null,
    to: addressList(mail.to, 'To', note),
    cc: addressList(mail.cc, 'Cc', note),
    replyTo: addressList(mail.replyTo, 'Reply-To', note),
    subject: subject.slice(0, MAIL_BOUNDS.subjectChars),
    date: boundedDate(mail.date, note),
    text: cleanBody(mail.text),
    html: mail.html === null ? null : cleanBody(mail.html),
    attachments: mail.attachments.map(attachment),
    facts: { ...mail.facts, from: from?.address ?? null, subject: subject.slice(0, MAIL_BOUNDS.subjectChars), headers: headerMap(mail.facts.headers) },
    returnedMessageIds: mail.returnedMessageIds.slice(0, MAIL_BOUNDS.returnedIds).map((id) => cleanHeader(id, Infinity)).filter(Boolean),
    deliveryReport: mail.deliveryReport.slice(0, MAIL_BOUNDS.reportEntries).map(reportEntry),
    threadIndex: mail.threadIndex === null ? null : cleanHeader(mail.threadIndex, MAIL_BOUNDS.threadIndexChars) || null,
    parseError: mail.parseError === null ? null : cleanHeader(mail.parseError, 1_000),
    omittedAttachments: mail.omittedAttachments.map((a) => ({ ...a, filename: a.filename === null ? null : cleanHeader(a.filename, MAIL_BOUNDS.filenameChars) })),
    adjustments: notes,
  };
}

function idList(ids: readonly string[], keep: 'first' | 'last', header: string, note: (text: string) => void): string[] {
  const clean = ids.map((id) => cleanHeader(id, Infinity)).filter(Boolean);
  if (clean.length <= MAIL_BOUNDS.threadIds) return clean;
  note(`${header}: kept the ${keep} ${MAIL_BOUNDS.threadIds} of ${clean.length} message ids read`);
  return keep === 'first' ? clean.slice(0, MAIL_BOUNDS.threadIds) : clean.slice(-MAIL_BOUNDS.threadIds);
}

/** An address we can store and write to: one line, no spaces, an @, within RFC 5321's length. */
function address(a: MailAddress): MailAddress | null {
  const email = cleanHeader(a.address, Infinity).trim().toLowerCase();
  if (email.length === 0 || email.length > MAIL_BOUNDS.addressChars || /\s/.test(email) || !email.includes('@')) return null;
  return { address: email, name: cleanHeader(a.name, MAIL_BOUNDS.nameChars) };
}

function addressList(list: readonly MailAddress[], header: string, note: (text: string) => void): MailAddress[] {
  const usable = list.map(address).filter((a): a is MailAddress => a !== null);
  if (usable.length < list.length) note(`${header}: dropped ${list.length - usable.length} unusable address(es) (too long or malformed)`);
  if (usable.length <= MAIL_BOUNDS.addresses) return usable;
  note(`${header}: kept the first ${MAIL_BOUNDS.addresses} of ${usable.length} addresses`);
  return usable.slice(0, MAIL_BOUNDS.addresses);
}

function boundedDate(date: Date | null, note: (text: string) => void): Date | null {
  if (date === null) return null;
  const time = date.getTime();
  if (Number.isNaN(time)) return null;
  if (time < MIN_TIME || time > MAX_TIME) {
    note('Date: outside the years 1–9999; stored without a sent date');
    return null;
  }
  return date;
}

const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

function attachment(a: ParsedAttachment): ParsedAttachment {
  const type = cleanHeader(a.contentType, MAIL_BOUNDS.contentTypeChars).toLowerCase().split(/[;\s]/)[0] ?? '';
  return {
    ...a,
    filename: a.filename === null ? null : cleanHeader(a.filename, MAIL_BOUNDS.filenameChars) || null,
    contentType: MIME_TYPE.test(type) ? type : 'application/octet-stream',
    contentId: a.contentId === null ? null : cleanHeader(a.contentId, MAIL_BOUNDS.contentIdChars) || null,
  };
}

function headerMap(headers: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, values] of headers) {
    out.set(name, values.slice(0, MAIL_BOUNDS.headerValues).map((v) => cleanHeader(v)));
  }
  return out;
}

function reportEntry(entry: DeliveryReportEntry): DeliveryReportEntry {
  const field = (v: string | null) => (v === null ? null : cleanHeader(v, MAIL_BOUNDS.reportFieldChars) || null);
  return { recipient: field(entry.recipient), action: field(entry.action), status: field(entry.status), diagnostic: field(entry.diagnostic) };
}
