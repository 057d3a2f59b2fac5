import type { ForwardedText } from '../../usecases/forwarded-mail.js';
import type { MailAddress } from '../../usecases/parsed-mail.js';
import { attribution, headerField, isRule, isSeparator, lineView, MAX_HEADER_CHARS, type HeaderFieldKind } from './quote-lines.js';

export type { ForwardedText };

/*
 * The original mail inside a forward written into a body text. The clients'
 * words — separator titles ("---------- Forwarded message ---------",
 * "-----Oorspronkelijk bericht-----"), forward intros ("Begin forwarded
 * message:") and header field names per language ("Van:", "Betreff:",
 * "De :") — are the table reply extraction reads (quote-patterns.ts): to
 * support a client or language, add its words there.
 *
 * The text is the sender's to write: only its start is searched, every loop
 * and header block is bounded, and every pattern is linear in its line.
 */

export const FORWARD_BOUNDS = {
  /** Only this much of the text is searched for a forward; the forwarded body beyond it is kept. */
  scanChars: 200_000,
  /** Lines one forward's header block may have. */
  blockLines: 20,
  /** Lines one header field may be folded over (Gmail wraps long subjects and addresses). */
  foldedLines: 2,
  /** Header blocks tried before the text is taken to hold no forward. */
  candidates: 50,
  /** `>` levels counted on a line. */
  quoteDepth: 10,
  /** One field's value with its folded lines. */
  valueChars: 2_000,
  /** RFC 5321 §4.5.3.1.3. */
  addressChars: 254,
  nameChars: 256,
} as const;

interface Line {
  /** Offset in the text. */
  readonly start: number;
  /** The line without its line break. */
  readonly raw: string;
  /** How many `>` quote levels it has. */
  readonly depth: number;
  /** The line without its quote marks, bidi marks and trailing space. */
  readonly view: string;
}

type FieldName = HeaderFieldKind | 'replyTo';
type Opening = { readonly kind: 'separator' | 'rule' | 'bare'; readonly fieldsFrom: number };
interface HeaderBlock {
  readonly fields: ReadonlyMap<FieldName, string>;
  /** The index of the body's first line. */
  readonly bodyStart: number;
}

const REPLY_TO = /^[\s*]{0,4}reply-to[ \t*]{0,3}:[ \t*]{0,3}/i;
/** A header field the table does not name ("Importance: High", "Attachments: a.pdf"): passed over. */
const OTHER_FIELD = /^[\s*]{0,4}\p{L}[\p{L}\p{M}-]{0,24}(?: [\p{L}\p{M}-]{1,24}){0,2}[ \t*]{0,3}[:：]/u;
/**
 * An address, internationalised ones too (RFC 6531). It starts where a run of address characters
 * starts — "jörg@x" is never read as "rg@x" — and each repeat is bounded, so a test is linear.
 */
const EMAIL = /(?<![\p{L}\p{N}\p{M}._+%-])[\p{L}\p{N}\p{M}._+%-]{1,64}@[\p{L}\p{N}\p{M}-]{1,63}(?:\.[\p{L}\p{N}\p{M}-]{1,63}){1,8}(?![\p{L}\p{N}\p{M}-]|\.[\p{L}\p{N}])/u;

/**
 * The first (outermost) forward in a body text: the original sender, subject
 * and date as its header block gives them, its body, and the forwarder's note
 * above it. A forward opens with a separator ("---------- Forwarded message
 * ---------", "-----Original Message-----", "-------- Forwarded Message
 * --------", "Begin forwarded message:", localised), with Outlook's rule line
 * ("________________________________") before a From/Sent/Subject block, or
 * with such a block alone. A block inside a reply's quote ("On … wrote:" then
 * `>` lines) is history, not a forward. Null when there is no forward, or
 * its block has no sender address. Never throws.
 */
export function readForwardedText(text: string): ForwardedText | null {
  const scanned = text.slice(0, FORWARD_BOUNDS.scanChars);
  const lines = splitLines(scanned);
  const fieldAt = fieldReader(lines);
  let tried = 0;
  for (let i = 0; i < lines.length && tried < FORWARD_BOUNDS.candidates; i++) {
    const opening = openingAt(lines, i, fieldAt);
    if (opening === null) continue;
    tried++;
    const block = readBlock(lines, opening.fieldsFrom, lines[i]!.depth, fieldAt);
    if (!isForwardBlock(opening, block)) continue;
    const from = senderOf(block.fields);
    return from === null ? null : assemble(text, scanned.length, lines, i, block, from);
  }
  return null;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const raw = text.slice(start, end).replace(/\r$/, '');
    const { depth, rest } = unquote(raw, FORWARD_BOUNDS.quoteDepth);
    lines.push({ start, raw, depth, view: lineView(rest) });
    if (newline < 0) break;
    start = newline + 1;
  }
  return lines;
}

/** Strips up to `levels` quote marks (`>`, `> `, ` >`) from the start of a line. */
function unquote(raw: string, levels: number): { depth: number; rest: string } {
  let depth = 0;
  let pos = 0;
  while (depth < levels) {
    let at = pos;
    while (at - pos < 3 && (raw[at] === ' ' || raw[at] === '\t')) at++;
    if (raw[at] !== '>') break;
    at++;
    if (raw[at] === ' ') at++;
    pos = at;
    depth++;
  }
  return { depth, rest: raw.slice(pos) };
}

type FieldAt = (i: number) => { name: FieldName; value: string } | null;

/** The header field each line holds, read once per line. */
function fieldReader(lines: readonly Line[]): FieldAt {
  const cache = new Map<number, { name: FieldName; value: string } | null>();
  return (i) => {
    let field = cache.get(i);
    if (field === undefined) {
      const view = lines[i]!.view;
      const replyTo = view.length <= MAX_HEADER_CHARS ? REPLY_TO.exec(view) : null;
      const known = replyTo ? null : headerField(view);
      field = replyTo ? { name: 'replyTo', value: view.slice(replyTo[0].length).trim() } : known && { name: known.kind, value: known.value };
      cache.set(i, field);
    }
    return field;
  };
}

/** Where a forward may open on line `i`, and where its header fields would start. */
function openingAt(lines: readonly Line[], i: number, fieldAt: FieldAt): Opening | null {
  const line = lines[i]!;
  if (line.depth > 1 || line.view === '') return null;
  if (isSeparator(line.view)) {
    return line.depth === 0 || opensQuote(lines, i) ? { kind: 'separator', fieldsFrom: i + 1 } : null;
  }
  if (line.depth > 0) return null;
  if (isRule(line.view)) {
    const next = lines[i + 1]?.view === '' ? i + 2 : i + 1;
    return next < lines.length && lines[next]!.depth === 0 && fieldAt(next)?.name === 'from' ? { kind: 'rule', fieldsFrom: next } : null;
  }
  const startsBlock = fieldAt(i)?.name === 'from' && (i === 0 || fieldAt(i - 1) === null);
  return startsBlock ? { kind: 'bare', fieldsFrom: i } : null;
}

/**
 * A quoted separator opens a forward only where the quote itself begins, and
 * not under a reply's attribution: Apple Mail quotes the forward it sends
 * ("> Begin forwarded message:"), while "On … wrote:" above `>` lines is
 * quoted history.
 */
function opensQuote(lines: readonly Line[], i: number): boolean {
  let before = i - 1;
  while (before >= 0 && i - before <= 5 && lines[before]!.view === '') before--;
  if (before < 0) return true;
  const line = lines[before]!;
  if (line.depth !== 0 || i - before > 5) return false;
  const folded = before > 0 ? [lines[before - 1]!.view, line.view] : [line.view];
  return attribution([line.view]) === null && attribution(folded) === null;
}

/** The header block from line `first` (after at most two blank lines) to the blank line that ends it. */
function readBlock(lines: readonly Line[], first: number, depth: number, fieldAt: FieldAt): HeaderBlock {
  let i = first;
  while (i < lines.length && i - first < 2 && lines[i]!.view === '') i++;
  const fields = new Map<FieldName, string>();
  let open: FieldName | 'other' | null = null;
  let folded = 0;
  for (const end = Math.min(lines.length, i + FORWARD_BOUNDS.blockLines); i < end; i++) {
    const line = lines[i]!;
    if (line.view.trim() === '') return { fields, bodyStart: i + 1 };
    if (line.depth !== depth) break;
    const field = fieldAt(i);
    if (field) {
      // A field seen before (Cc after To) is passed over with its folded lines.
      open = fields.has(field.name) ? 'other' : field.name;
      if (open !== 'other') fields.set(field.name, field.value.slice(0, FORWARD_BOUNDS.valueChars));
      folded = 0;
    } else if (fields.size > 0 && OTHER_FIELD.test(line.view)) {
      open = 'other';
      folded = 0;
    } else if (open === null || folded >= FORWARD_BOUNDS.foldedLines || line.view.length > MAX_HEADER_CHARS) {
      break; // the body follows without a blank line
    } else {
      folded++;
      if (open !== 'other') fields.set(open, `${fields.get(open)} ${line.view.trim()}`.slice(0, FORWARD_BOUNDS.valueChars));
    }
  }
  return { fields, bodyStart: i };
}

function isForwardBlock(opening: Opening, block: HeaderBlock): boolean {
  const has = (name: FieldName) => block.fields.has(name);
  if (!has('from')) return false;
  if (opening.kind === 'separator') return true;
  // Without a separator, a block must look like a whole message header to be one.
  return opening.kind === 'rule' ? has('date') || has('subject') : has('date') && has('subject');
}

/** The sender: the From field's address, else (From with a name only) Reply-To's. */
function senderOf(fields: ReadonlyMap<FieldName, string>): MailAddress | null {
  const from = fields.get('from') ?? '';
  const own = EMAIL.exec(from);
  const hit = own ?? EMAIL.exec(fields.get('replyTo') ?? '');
  if (!hit || hit[0].length > FORWARD_BOUNDS.addressChars) return null;
  const name = own ? nameBefore(from, own.index) || commentAfter(from, own.index + own[0].length) : trimDecoration(from);
  return { address: hit[0].toLowerCase(), name: name.slice(0, FORWARD_BOUNDS.nameChars) };
}

/** "Carol <c@x>", "*Carol* <c@x>", "\"Smith, Carol\" <c@x>", "Carol [mailto:c@x]" → the name. */
function nameBefore(value: string, at: number): string {
  const before = trimDecoration(value.slice(0, at));
  return /mailto:$/i.test(before) ? trimDecoration(before.slice(0, -'mailto:'.length)) : before;
}

/** "c@x (Carol)" → "Carol". */
function commentAfter(value: string, at: number): string {
  const comment = /^\s{0,3}\(([^()]{1,200})\)/.exec(value.slice(at, at + 210));
  return comment ? trimDecoration(comment[1]!) : '';
}

const DECORATION = new Set([' ', '\t', '"', "'", '*', '<', '>', '[', ']', '(', ')', ',', ';', '\u00a0']);

/** A name without the quotes, brackets and bold marks around it (a loop, not a regex: `[…]+$` backtracks). */
function trimDecoration(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && DECORATION.has(value[start]!)) start++;
  while (end > start && DECORATION.has(value[end - 1]!)) end--;
  return value.slice(start, end);
}

function assemble(text: string, scannedChars: number, lines: readonly Line[], at: number, block: HeaderBlock, from: MailAddress): ForwardedText {
  const fields = block.fields;
  const header = { from, subject: fields.get('subject')?.trim() || null, date: fields.get('date')?.trim() || null };
  const before = text.slice(0, lines[at]!.start).trim();
  const startOf = (i: number) => (i < lines.length ? lines[i]!.start : scannedChars);
  if (lines[at]!.depth === 0) return { ...header, note: before, text: text.slice(startOf(block.bodyStart)).trim() };
  // A quoted forward (Apple Mail) ends with its quote; what follows is the forwarder's again.
  let end = block.bodyStart;
  while (end < lines.length && (lines[end]!.depth > 0 || lines[end]!.view === '')) end++;
  const body = lines.slice(block.bodyStart, end).map((line) => unquote(line.raw, 1).rest);
  const after = text.slice(startOf(end)).trim();
  return { ...header, note: [before, after].filter(Boolean).join('\n\n'), text: body.join('\n').trim() };
}
