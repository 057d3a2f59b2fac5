import { createHash } from 'node:crypto';
import { limitNesting } from './reply-html.js';
import { contentTypeOf } from './content-type.js';
import { simpleParser, type AddressObject, type Attachment, type ParsedMail as LibParsedMail, type StructuredHeader } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import type { InboundFacts } from '../../domain/classify.js';
import { normalizeMessageId, parseMessageIdList } from '../../domain/message-id.js';
import type { MailAddress, ParsedAttachment, ParsedMail } from '../../usecases/parsed-mail.js';
import { boundParsedMail, cleanBody } from './bound-mail.js';
import { cleanText, readHeaderBlock, type RawHeaders } from './header-block.js';
import { readNoticeParts } from './notice-parts.js';

export interface ParseOptions {
  /** Attachments larger than this keep their metadata only. */
  readonly maxAttachmentBytes: number;
}

const FORMATTING_STYLES = ['color', 'background-color', 'font-weight', 'font-style', 'text-decoration', 'text-align', 'font-size', 'font-family'];

const HTML_POLICY: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'span', 'font', 'center'],
  allowedAttributes: {
    ...sanitizeHtml.defaults.allowedAttributes,
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan', 'align', 'valign'],
    th: ['colspan', 'rowspan', 'align', 'valign'],
    // The marks mail clients put on quoted history, kept so an agent's HTML reply can be cut there (reply-html.ts).
    div: ['class', { name: 'id', multiple: false, values: ['divRplyFwdMsg', 'appendonsend', 'mail-editor-reference-message-container'] }],
    blockquote: ['class', { name: 'type', multiple: false, values: ['cite'] }],
    '*': ['dir', 'lang', 'style'],
  },
  // Formatting an agent's reply may carry on to the customer (reply-html.ts narrows it further); no url(), no positioning.
  allowedStyles: { '*': Object.fromEntries(FORMATTING_STYLES.map((name) => [name, [/^[\w\s#%.,()'"-]{1,200}$/]])) },
  allowedClasses: {
    div: ['gmail_quote', 'gmail_quote_container', 'gmail_attr', 'moz-cite-prefix', 'yahoo_quoted', 'protonmail_quote'],
    blockquote: ['gmail_quote', 'protonmail_quote'],
  },
  // sanitize-html's own list (script, style, textarea, option), and two more whose text is never the message's.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'title', 'noscript'],
  allowedSchemes: ['http', 'https', 'mailto', 'cid'],
  allowedSchemesByTag: { img: ['https', 'cid', 'data'] },
  allowProtocolRelative: false,
};

/** Elements nested deeper than this become their text: the HTML parser's time grows with the square of the depth. */
const MAX_HTML_DEPTH = 200;

/** HTML bodies beyond this are not sanitised tag by tag: they are kept as escaped text. */
export const MAX_HTML_TO_SANITISE = 2 * 1024 * 1024;

/** A parsed mail whose HTML body (if any) still has to be sanitised. */
export interface ParsedStructure {
  readonly mail: ParsedMail;
  /** The HTML body as the sender wrote it; never stored or shown before `sanitiseHtml`. */
  readonly unsafeHtml: string | null;
}

/**
 * Parses a raw message. Never throws: a message the MIME parser rejects comes
 * back with its headers read leniently, the raw text as body and `parseError` set.
 * Runs in this thread; the daemon runs the two stages in worker threads with a
 * time budget (parser-pool.ts).
 */
export async function parseMail(raw: Buffer, options: ParseOptions): Promise<ParsedMail> {
  const { mail, unsafeHtml } = await parseStructure(raw, options);
  return unsafeHtml === null ? mail : { ...mail, html: sanitiseHtml(unsafeHtml) };
}

/** The first stage: MIME structure, headers, text, attachments — bounded for storage; HTML left raw. */
export async function parseStructure(raw: Buffer, options: ParseOptions): Promise<ParsedStructure> {
  const source = normaliseLineEndings(raw);
  let parsed: LibParsedMail;
  try {
    parsed = await simpleParser(source, {
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
    });
  } catch (err) {
    return { mail: boundParsedMail(fallbackParse(source, errorText(err))), unsafeHtml: null };
  }
  const mail = boundParsedMail(fromLibrary(parsed, source, options));
  return { mail: { ...mail, attachments: await withTypesFromContent(mail.attachments) }, unsafeHtml: parsed.html ? cleanBody(parsed.html) : null };
}

/**
 * Attachment types as their bytes say, not only as the sender declared them
 * (content-type.ts): an `invoice.pdf` that is a program is not a PDF to
 * anyone downstream — the web view, notifications, `helpdesk attachments`.
 */
async function withTypesFromContent(attachments: readonly ParsedAttachment[]): Promise<ParsedAttachment[]> {
  return Promise.all(attachments.map(async (a) => (a.content ? { ...a, contentType: (await contentTypeOf(a.content, a.contentType, a.filename)).type } : a)));
}

/**
 * The mail as far as its headers can be read without the MIME parser: for
 * mail the parser rejects, or that it could not finish within its budget.
 * Linear in the size of the source.
 */
export function parseLeniently(raw: Buffer, reason: string): ParsedMail {
  return boundParsedMail(fallbackParse(normaliseLineEndings(raw), reason));
}

/** The second stage: the HTML body with only safe tags and attributes, or escaped text when it is huge. */
export function sanitiseHtml(html: string): string {
  if (html.length > MAX_HTML_TO_SANITISE) return `<pre>${escapeHtml(html.slice(0, MAX_HTML_TO_SANITISE))}</pre>`;
  return sanitizeHtml(limitNesting(html, MAX_HTML_DEPTH), HTML_POLICY);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fromLibrary(parsed: LibParsedMail, source: Buffer, options: ParseOptions): ParsedMail {
  const headers = rawHeaderMap(parsed);
  const attachments: ParsedAttachment[] = [];
  const omitted: { filename: string | null; size: number }[] = [];
  for (const att of parsed.attachments) {
    const item = toAttachment(att, options.maxAttachmentBytes);
    attachments.push(item);
    if (item.content === null) omitted.push({ filename: item.filename, size: item.size });
  }
  const structured = parsed.headers.get('content-type') as StructuredHeader | undefined;
  const from = firstAddress(parsed.from) ?? fromHeaderLines(headers);
  const text = cleanText(parsed.text ?? '');
  const contentType = (typeof structured?.value === 'string' ? structured.value : 'text/plain').toLowerCase();
  const notice = readNoticeParts(parsed.attachments, text, contentType, source);
  const facts: InboundFacts = {
    from: from?.address ?? null,
    returnPath: returnPathOf(headers),
    subject: cleanText(parsed.subject ?? ''),
    headers,
    contentType,
    reportType: structured?.params?.['report-type']?.toLowerCase() ?? null,
    deliveryReport: notice.deliveryFacts,
    hasReturnedMessage: notice.hasReturnedMessage,
    partTypes: notice.partTypes,
    returnedMessageIds: notice.returnedMessageIds,
    textStart: text.slice(0, TEXT_START_CHARS),
  };
  return {
    messageId: normalizeMessageId(parsed.messageId),
    inReplyTo: parseMessageIdList(headers.get('in-reply-to')?.join(' ')),
    references: parseMessageIdList(headers.get('references')?.join(' ')),
    from,
    singleFrom: (headers.get('from')?.length ?? 0) === 1 && addresses(parsed.from).length === 1,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    replyTo: addresses(parsed.replyTo),
    subject: facts.subject,
    date: validDate(parsed.date),
    text,
    html: null,
    attachments,
    facts,
    returnedMessageIds: notice.returnedMessageIds,
    deliveryReport: notice.report,
    threadIndex: headers.get('thread-index')?.[0] ?? null,
    parseError: null,
    omittedAttachments: omitted,
    adjustments: [],
    htmlDropped: null,
  };
}

/** Classification reads the start of the text only (challenge-response, list-manager errors, ARF written out). */
const TEXT_START_CHARS = 8 * 1024;

function fallbackParse(source: Buffer, reason: string): ParsedMail {
  const block = readHeaderBlock(source);
  const headers = block.headers;
  const first = (name: string) => headers.get(name)?.[0] ?? null;
  const from = parseLooseAddress(first('from'));
  const facts: InboundFacts = {
    from: from?.address ?? null,
    returnPath: returnPathOf(headers),
    subject: cleanText(first('subject') ?? ''),
    headers,
    contentType: (first('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase(),
    reportType: null,
    deliveryReport: [],
    hasReturnedMessage: false,
    partTypes: [],
    returnedMessageIds: [],
    textStart: cleanText(block.body.slice(0, TEXT_START_CHARS)),
  };
  return {
    messageId: normalizeMessageId(first('message-id')),
    inReplyTo: parseMessageIdList(headers.get('in-reply-to')?.join(' ')),
    references: parseMessageIdList(headers.get('references')?.join(' ')),
    from,
    singleFrom: (headers.get('from')?.length ?? 0) === 1 && from !== null,
    to: [],
    cc: [],
    replyTo: [],
    subject: facts.subject,
    date: validDate(new Date(first('date') ?? '')),
    text: cleanText(block.body),
    html: null,
    attachments: [],
    facts,
    returnedMessageIds: [],
    deliveryReport: [],
    threadIndex: headers.get('thread-index')?.[0] ?? null,
    parseError: reason,
    omittedAttachments: [],
    adjustments: [],
    htmlDropped: null,
  };
}

function normaliseLineEndings(raw: Buffer): Buffer {
  // Classic Mac mail uses bare CR; the MIME parser only splits on LF.
  if (raw.includes(0x0a) || !raw.includes(0x0d)) return raw;
  return Buffer.from(raw.toString('latin1').replace(/\r/g, '\r\n'), 'latin1');
}

function rawHeaderMap(parsed: LibParsedMail): RawHeaders {
  const map = new Map<string, string[]>();
  for (const { key, line } of parsed.headerLines) {
    const colon = line.indexOf(':');
    const value = cleanText((colon < 0 ? '' : line.slice(colon + 1)).replace(/\r?\n[ \t]+/g, ' ').trim());
    const name = key.toLowerCase();
    const list = map.get(name);
    if (list) list.push(value);
    else map.set(name, [value]);
  }
  return map;
}

function returnPathOf(headers: RawHeaders): string | null {
  const value = headers.get('return-path')?.[0];
  if (value === undefined) return null;
  const inner = /<([^>]*)>/.exec(value)?.[1] ?? value;
  return inner.trim().toLowerCase();
}

function toAttachment(att: Attachment, maxBytes: number): ParsedAttachment {
  const keep = att.size <= maxBytes;
  return {
    filename: att.filename ? cleanText(att.filename) : null,
    contentType: att.contentType.toLowerCase(),
    size: att.size,
    sha256: createHash('sha256').update(att.content).digest('hex'),
    content: keep ? att.content : null,
    contentId: att.contentId ? att.contentId.replace(/^<|>$/g, '') : null,
    inline: Boolean(att.related) || (att.contentDisposition === 'inline' && Boolean(att.contentId)),
  };
}

function flatten(list: AddressObject['value']): MailAddress[] {
  const out: MailAddress[] = [];
  for (const entry of list) {
    if (entry.group) out.push(...flatten(entry.group));
    else if (entry.address && entry.address.includes('@')) {
      out.push({ address: cleanText(entry.address).toLowerCase(), name: cleanText(entry.name ?? '') });
    }
  }
  return out;
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => flatten(v.value));
}

function firstAddress(value: AddressObject | undefined): MailAddress | null {
  return addresses(value)[0] ?? null;
}

/** Mail with several From headers, the first unusable (`[??????]`): take the first with an address. */
function fromHeaderLines(headers: RawHeaders): MailAddress | null {
  for (const value of headers.get('from') ?? []) {
    const address = parseLooseAddress(value);
    if (address) return address;
  }
  return null;
}

function parseLooseAddress(value: string | null): MailAddress | null {
  if (!value) return null;
  const match = /<?([^\s<>"]+@[^\s<>"]+)>?/.exec(value);
  if (!match?.[1]) return null;
  const name = value.slice(0, match.index).replace(/["<]/g, '').trim();
  return { address: match[1].toLowerCase(), name: cleanText(name) };
}

function validDate(date: Date | undefined): Date | null {
  return date && !Number.isNaN(date.getTime()) ? date : null;
}


function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
