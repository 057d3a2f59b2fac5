import {
  attribution,
  headerField,
  hasAddress,
  type HeaderFieldKind,
  isMobileFooter,
  isQuoteLine,
  isRule,
  isSeparator,
  isSignatureDelimiter,
  isSignOff,
  lineView,
  opensHeader,
  sharedAttributionStart,
  sharedSeparatorStart,
} from './quote-lines.js';

/*
 * Reading a reply like a person: the text is cut into lines, each line is
 * classified, and the start of quoted history ("marks": an attribution such as
 * "On … wrote:", a separator such as "-----Original Message-----", or a header
 * block such as Outlook's "From: / Sent:") is found with the language table in
 * quote-patterns.ts. Then:
 *  - history after the reply's text is cut at its mark — unless the writer
 *    answered below the quote (interleaved), then only the mark goes; a
 *    sign-off below the quote is kept;
 *  - a mark before any text (bottom-posting, or a forwarded message) goes, and
 *    so does the quote right under it when the reply follows that quote;
 *  - trailing quotes, rules, mobile footers and "-- " signatures go.
 * Quotes that the writer answers below are kept: they are the reply's context.
 */

type Kind = 'blank' | 'quote' | 'rule' | 'text';
interface Line {
  /** The line as written: what the reader gets back. */
  readonly text: string;
  /** The line as classified: without bidi marks and trailing spaces (`lineView`). */
  readonly view: string;
  readonly kind: Kind;
}
interface Mark {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly kind: 'attribution' | 'separator' | 'headers';
}

/** Most lines after a "-- " delimiter that still make a signature rather than text. */
const MAX_SIGNATURE_LINES = 10;
/** Most lines after a closing phrase ("Thanks,") that still make a sign-off: name, title, company. */
const MAX_SIGN_OFF_LINES = 4;

function classify(view: string): Kind {
  if (view.trim() === '') return 'blank';
  if (isQuoteLine(view)) return 'quote';
  return isRule(view) ? 'rule' : 'text';
}

/** Lines, with a quote header that shares a line with the reply's text moved to a line of its own. */
function toLines(text: string): Line[] {
  return text.split(/\r\n?|\n/).flatMap((raw) => {
    const view = lineView(raw);
    if (isQuoteLine(view)) return [{ text: raw, view, kind: 'quote' as const }];
    let at = sharedSeparatorStart(view);
    if (at < 0) at = sharedAttributionStart(view);
    if (at <= 0) return [{ text: raw, view, kind: classify(view) }];
    return [view.slice(0, at).trimEnd(), view.slice(at)].map((part) => ({ text: part, view: part, kind: classify(part) }));
  });
}

function nextContent(lines: readonly Line[], from: number): number {
  let i = from;
  while (i < lines.length && lines[i]!.kind === 'blank') i++;
  return i;
}

/** End (exclusive) of the header block that starts at `start` ("From: …" then "Sent:", "To:", "Subject:"…), or -1. */
function headerBlockEnd(lines: readonly Line[], start: number): number {
  const first = start < lines.length ? headerField(lines[start]!.view) : null;
  if (!first || first.kind !== 'from' || first.value === '') return -1;
  const kinds = new Set<HeaderFieldKind>([first.kind]);
  let end = start + 1;
  let wrapped = 0; // lines of a value too long for one line
  for (let j = start + 1; j < Math.min(lines.length, start + 12); j++) {
    const line = lines[j]!;
    const field = line.kind === 'text' ? headerField(line.view) : null;
    if (field) {
      kinds.add(field.kind);
      end = j + 1;
      wrapped = 0;
    } else if (line.kind === 'blank' || ++wrapped > 2) {
      if (line.kind === 'blank' && wrapped > 0) end = j; // the last value wrapped, then the body
      break;
    }
  }
  // "From: London / To: Paris / Date: 14 March" is a booking, not a header: a header block has
  // a date, three kinds of field, and a sender's address or a subject.
  const sender = hasAddress(first.value) || /mailto:/i.test(first.value);
  return kinds.has('date') && kinds.size >= 3 && (sender || kinds.has('subject')) ? end : -1;
}

/** End (exclusive) of an attribution starting at `start`, one line or folded over up to five. */
function attributionEnd(lines: readonly Line[], start: number): { end: number; strong: boolean } | null {
  const parts = [lines[start]!.view.trim()];
  const single = attribution(parts);
  if (single) return { end: start + 1, strong: single.strong };
  if (/[:：]$/.test(parts[0]!) || !opensHeader(lines[start]!.view)) return null;
  let blanks = 0;
  for (let j = start + 1; j < Math.min(lines.length, start + 5); j++) {
    const view = lines[j]!.view;
    if (lines[j]!.kind === 'blank') {
      // A fold crosses one blank line ("… Some One" / "" / "<mailto:…> wrote:"), never into a new header.
      if (++blanks > 1 || opensHeader(lines[nextContent(lines, j)]?.view ?? '')) return null;
      continue;
    }
    if (view.length > 200) return null;
    parts.push(view.trim());
    if (/[:：][\s\-*]*$/.test(view)) {
      // A line that is a whole header on its own starts one: the lines above it are not part of it.
      const folded = opensHeader(view) && attribution([view]) ? null : attribution(parts);
      return folded ? { end: j + 1, strong: folded.strong } : null;
    }
  }
  return null;
}

/** The mark of quoted history starting at line `i`, or null. */
function markAt(lines: readonly Line[], i: number): Mark | null {
  const line = lines[i]!;
  if (line.kind !== 'text' && line.kind !== 'rule') return null;
  if (isSeparator(line.view)) {
    const block = headerBlockEnd(lines, nextContent(lines, i + 1));
    return { start: i, end: block > 0 ? block : i + 1, kind: 'separator' };
  }
  if (line.kind === 'rule') return null;
  const block = headerBlockEnd(lines, i);
  if (block > 0) return { start: i, end: block, kind: 'headers' };
  const found = attributionEnd(lines, i);
  if (!found) return null;
  // Without an address, an attribution must introduce a quote (or close the mail).
  const next = nextContent(lines, found.end);
  const introduces = next === lines.length || lines[next]!.kind === 'quote' || isSeparator(lines[next]!.view);
  return found.strong || introduces ? { start: i, end: found.end, kind: 'attribution' } : null;
}

/** End (exclusive) of the quote block at `start`: quoted lines and the blank lines between them. */
function quoteBlockEnd(lines: readonly Line[], start: number): number {
  let end = start;
  for (let j = start; j < lines.length && (lines[j]!.kind === 'quote' || lines[j]!.kind === 'blank'); j++) {
    if (lines[j]!.kind === 'quote') end = j + 1;
  }
  return end;
}

/**
 * End of `lines[from, to)` without trailing blanks, rules and "-- " signatures,
 * and without trailing quotes and mobile footers that have text of the reply
 * above them (line `firstText` or earlier): a mail that is only a quote, or
 * only "Sent from my iPhone", keeps it.
 */
function contentEnd(lines: readonly Line[], from: number, to: number, firstText: number): number {
  let end = to;
  for (;;) {
    while (end > from && lines[end - 1]!.kind === 'blank') end--;
    if (end === from) return end;
    const last = lines[end - 1]!;
    const belowText = firstText < end - 1;
    if (last.kind === 'rule' || (belowText && (last.kind === 'quote' || isMobileFooter(last.view)))) {
      end--;
      continue;
    }
    const signature = signatureStart(lines, from, end);
    if (signature < 0 || firstText >= signature) return end;
    end = signature;
  }
}

/** The "-- " line that opens a signature ending at `end`, or -1. */
function signatureStart(lines: readonly Line[], from: number, end: number): number {
  let seen = 0;
  for (let j = end - 1; j >= from && seen <= MAX_SIGNATURE_LINES; j--) {
    const line = lines[j]!;
    if (line.kind === 'quote') return -1;
    if (isSignatureDelimiter(line.view)) return j;
    if (line.kind !== 'blank') seen++;
  }
  return -1;
}

const unquoted = (view: string): string => view.replace(/^[\s>]+/, '');
const isQuotedAttribution = (view: string): boolean => attribution([unquoted(view)]) !== null;
/** Whether a quoted line says something: not empty, not a quoted "On … wrote:". */
const quotedContent = (view: string): boolean => unquoted(view) !== '' && !isQuotedAttribution(view);

type Tail = 'nothing' | 'sign-off' | 'text';

/** What the writer put below a quote block that ends at `from`. */
function tailAfterQuote(lines: readonly Line[], from: number): Tail {
  let stop = from;
  while (stop < lines.length && lines[stop]!.kind !== 'quote' && !(stop > from && markAt(lines, stop))) stop++;
  const start = nextContent(lines, from);
  if (start < stop && markAt(lines, start)) return 'nothing';
  const end = contentEnd(lines, start, stop, -1);
  if (end <= start) return 'nothing';
  const content = lines.slice(start, end).filter((line) => line.kind !== 'blank');
  const signOff = stop === lines.length && isSignOff(content[0]!.view) && content.length <= MAX_SIGN_OFF_LINES
    && content.every((line) => line.view.length <= 60);
  return signOff ? 'sign-off' : 'text';
}

/** Which lines are the reply: marks, and the history they open, dropped. */
function replyLines(lines: readonly Line[]): boolean[] {
  const keep = lines.map(() => true);
  const drop = (from: number, to: number): void => void keep.fill(false, from, to);
  const lastText = lines.findLastIndex((line) => line.kind === 'text');
  const lastQuote = lines.findLastIndex((line) => line.kind === 'quote');
  /** The writer answered below the quote that ends at `from`, and quoted nothing after. */
  const answersBelow = (from: number): boolean => lastText >= from && lastQuote < from;
  let seenText = false;
  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    if (line.kind === 'quote') {
      const end = quoteBlockEnd(lines, i);
      // Apple Mail quotes its "On … wrote:" too: at the top, that is bottom-posting.
      const bottomPosted = !seenText && isQuotedAttribution(line.view) && answersBelow(end);
      if (bottomPosted || (seenText && tailAfterQuote(lines, end) === 'sign-off')) drop(i, end);
      i = end;
      continue;
    }
    const mark = markAt(lines, i);
    if (!mark) {
      seenText ||= line.kind === 'text';
      i++;
      continue;
    }
    const quote = nextContent(lines, mark.end);
    const quoted = quote < lines.length && lines[quote]!.kind === 'quote';
    const quoteEnd = quoted ? quoteBlockEnd(lines, quote) : quote;
    if (!seenText) {
      // Before any text: bottom-posting (the reply follows the quote) or a forwarded message.
      i = quoted && answersBelow(quoteEnd) ? quoteEnd : mark.end;
      drop(mark.start, i);
      continue;
    }
    const tail = mark.kind === 'attribution' && quoted ? tailAfterQuote(lines, quoteEnd) : 'nothing';
    if (tail === 'nothing') {
      drop(mark.start, lines.length);
      break;
    }
    drop(mark.start, tail === 'text' ? mark.end : quoteEnd); // interleaved: only the mark goes
    i = tail === 'text' ? mark.end : quoteEnd;
  }
  return keep;
}

/** The kept lines; where lines were dropped, the blank lines on either side become one. */
function keptLines(lines: readonly Line[], keep: readonly boolean[]): Line[] {
  const kept: Line[] = [];
  let afterGap = false;
  lines.forEach((line, i) => {
    if (!keep[i]) afterGap = true;
    else if (!(afterGap && line.kind === 'blank' && kept.at(-1)?.kind === 'blank')) {
      afterGap &&= line.kind === 'blank';
      kept.push(line);
    }
  });
  return kept;
}

/**
 * The new text of a reply, as a person reads it: what is relayed to a customer
 * when an agent answers, or shown to an agent. Quoted history, the header that
 * introduces it, mobile footers and "-- " signatures are removed; sign-offs,
 * names, company footers and the quotes a writer answers inline are kept.
 * Linear in the text: safe on hostile mail.
 */
export function extractReply(text: string): string {
  const lines = toLines(text);
  let kept = keptLines(lines, replyLines(lines));
  const firstText = kept.findIndex((line) => line.kind === 'text' && !isMobileFooter(line.view));
  // A mail that is only a quote keeps what it quotes, not the headers of the quoted mails.
  if (firstText < 0) kept = kept.filter((line) => line.kind !== 'quote' || quotedContent(line.view));
  const end = contentEnd(kept, 0, kept.length, firstText < 0 ? kept.length : firstText);
  return kept.slice(0, end).map((line) => line.text).join('\n').trim();
}
