import type { Attachment } from 'mailparser';
import type { DeliveryFact } from '../../domain/classify.js';
import { parseMessageIdList } from '../../domain/message-id.js';
import type { DeliveryReportEntry } from '../../usecases/parsed-mail.js';
import { cleanHeader, MAIL_BOUNDS } from './bound-mail.js';
import { readDeliveryReport } from './delivery-report.js';

/*
 * What a delivery notice carries below its header, read for classification:
 * the types of its parts, its delivery-status report, and the Message-IDs of
 * the message it returns. Every scan is bounded; every value is cleaned and
 * capped like the rest of a parsed mail (bound-mail.ts).
 */

/** Parts that carry a returned message or its header. */
const RETURNED = new Set(['message/rfc822', 'text/rfc822-headers', 'message/rfc822-headers', 'message/global', 'message/global-headers']);
const DELIVERY_STATUS = new Set(['message/delivery-status', 'message/global-delivery-status']);
const MAX_PART_TYPES = 50;
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
/** How far into a text or a source the returned message's id is looked for. */
const ID_SCAN_CHARS = 256 * 1024;
const ID_SCAN_BYTES = 512 * 1024;

export interface NoticeParts {
  /** The parts' MIME types, lower-cased, `type/subtype` only. */
  readonly partTypes: readonly string[];
  readonly hasReturnedMessage: boolean;
  /** The report as stored (ParsedMail.deliveryReport)… */
  readonly report: readonly DeliveryReportEntry[];
  /** …and as classification reads it. */
  readonly deliveryFacts: readonly DeliveryFact[];
  /** Message-IDs (no brackets) of the returned message, at most `MAIL_BOUNDS.returnedIds`. */
  readonly returnedMessageIds: readonly string[];
}

/** Reads a parsed mail's notice parts: `text` is its plain-text body, `source` the raw message. */
export function readNoticeParts(attachments: readonly Attachment[], text: string, contentType: string, source: Buffer): NoticeParts {
  const partTypes = partTypesOf(attachments);
  const report = hasDeliveryReport(contentType, partTypes, text) ? readDeliveryReport(source) : [];
  return {
    partTypes,
    hasReturnedMessage: partTypes.some((type) => RETURNED.has(type)),
    report,
    deliveryFacts: deliveryFacts(report),
    returnedMessageIds: returnedMessageIds(attachments, text, source),
  };
}

/** The parts' MIME types, cleaned (the sender writes them): `type/subtype` only. */
function partTypesOf(attachments: readonly Attachment[]): string[] {
  const types = attachments.map((a) => cleanHeader(a.contentType, MAIL_BOUNDS.contentTypeChars).toLowerCase().split(/[;\s]/)[0] ?? '');
  return [...new Set(types.filter((type) => MIME_TYPE.test(type)))].slice(0, MAX_PART_TYPES);
}

/** A delivery-status report is read from a report, a mail with a delivery-status part, or a plain-text bounce that pastes one. */
function hasDeliveryReport(contentType: string, partTypes: readonly string[], text: string): boolean {
  return contentType === 'multipart/report' || partTypes.some((type) => DELIVERY_STATUS.has(type)) || /^(final|original)-recipient:/im.test(text.slice(0, ID_SCAN_CHARS));
}

/** The report's groups as classification reads them, bounded like the stored report. */
function deliveryFacts(report: readonly DeliveryReportEntry[]): DeliveryFact[] {
  const field = (value: string | null) => (value === null ? null : cleanHeader(value, MAIL_BOUNDS.reportFieldChars) || null);
  return report.slice(0, MAIL_BOUNDS.reportEntries).map((e) => ({ action: field(e.action), status: field(e.status), recipient: field(e.recipient) }));
}

/** A `Message-ID:` header line, also quoted (`> `), folded, unbracketed, or as `Original-Message-ID` / `X-Original-Message-ID`. */
const ID_LINE = /^[ \t>]*(?:x-)?(?:original[- ])?message[- ]?id[ \t]*:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>|[^<>\s]+@[^<>\s]+)/gim;
/** The id in prose, as ARF and some NDRs write it: "the message-id of X@Y", "The message-id of the undelivered message is <X@Y>". */
const ID_PROSE = /\bmessage[- ]id\b(?:[^<>\n]{0,60}?(<[^<>\s]+>)| (?:of|is|was)[ \t]+([^<>\s]+@[^<>\s]*[^<>\s.,;:)]))/gi;

/**
 * Message-IDs of the message a bounce or notice returns, bounded (at most
 * `MAIL_BOUNDS.returnedIds`, each cleaned): from an attached message/rfc822
 * or text/rfc822-headers part; else (qmail, fml and other non-standard
 * notices paste it into the body) from a `Message-ID:` line or phrase of the
 * text; else from a header line anywhere in the first 512 KB of the source
 * below its own header (parts the MIME parser could not split: a broken
 * boundary, a returned message without its Content-Type).
 */
function returnedMessageIds(attachments: readonly Attachment[], text: string, source: Buffer): string[] {
  const inParts = attachments.filter((att) => RETURNED.has(att.contentType.toLowerCase())).flatMap((att) => idsInHeaderBlock(att.content.subarray(0, ID_SCAN_CHARS).toString('latin1')));
  if (inParts.length > 0) return boundIds(inParts);
  const head = text.slice(0, ID_SCAN_CHARS);
  const inText = [...idsOf(head, ID_LINE), ...idsOf(head, ID_PROSE)];
  if (inText.length > 0) return boundIds(inText);
  const raw = source.subarray(0, ID_SCAN_BYTES).toString('latin1');
  const body = raw.search(/\r?\n\r?\n/);
  return body < 0 ? [] : boundIds(idsOf(raw.slice(body), ID_LINE));
}

/** The Message-ID of a header block (the block ends at its first blank line). */
function idsInHeaderBlock(head: string): string[] {
  const end = head.search(/\r?\n\r?\n/);
  return idsOf(end < 0 ? head : head.slice(0, end), ID_LINE).slice(0, 1);
}

function idsOf(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].flatMap((m) => parseMessageIdList(m[1] ?? m[2]));
}

function boundIds(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => cleanHeader(id, Infinity).trim()).filter(Boolean))].slice(0, MAIL_BOUNDS.returnedIds);
}
