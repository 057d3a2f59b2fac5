import { FOOTER_APOLOGIES, REPLY_PATTERNS, type LanguagePatterns } from './quote-patterns.js';

/*
 * The pattern table compiled into matchers for one line (or one short block of
 * lines). Mail is attacker-controlled: every quantifier here is bounded or
 * unambiguous (no nested repetition that can match the same text two ways),
 * and callers never hand over more than MAX_HEADER_CHARS, so each test is
 * linear in the line.
 */

/** Longest line (or folded block) that can be a quote header; longer ones are text. */
export const MAX_HEADER_CHARS = 600;

const languages = Object.values(REPLY_PATTERNS);
const collect = (pick: (l: LanguagePatterns) => readonly string[]): string[] =>
  [...new Set(languages.flatMap(pick))].sort((a, b) => b.length - a.length);
const escape = (word: string): string => word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/ /g, '\\s{1,3}');
const alternation = (words: readonly string[]): string => words.map(escape).join('|');

/** Scripts written without spaces between words: their verbs are found anywhere. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{N}_])';
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}_])';

const verbs = collect((l) => l.attributionVerbs);
const VERB = new RegExp(
  `${NOT_WORD_BEFORE}(?:${alternation(verbs.filter((v) => !UNSPACED.test(v)))})${NOT_WORD_AFTER}|(?:${alternation(verbs.filter((v) => UNSPACED.test(v)))})`,
  'iu',
);
const VERB_AT_END = new RegExp(`(?:${alternation(verbs)})[\\s\\-*]{0,10}$`, 'iu');
const VERB_ALONE = new RegExp(`^[\\s>]{0,4}(?:${alternation(verbs)})\\s{0,2}[:：]?$`, 'iu');
const LEAD = new RegExp(`^(?:${alternation(collect((l) => l.attributionLeads))})(?![\\p{L}])`, 'iu');
/** A lead word inside a line, after the end of the reply's own text: where a shared line splits. */
const LEAD_INSIDE = new RegExp(`(?<=[\\s.!?)])(?:${alternation(collect((l) => l.attributionLeads))})\\s`, 'giu');
const SENTENCE_END = /[^\s][.!?。！？؟…)][\s]{0,3}$/u;
const EMAIL = /[\w.+%-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/u;
const DIGIT = /\p{Nd}/u;
const TIME = /(?<!\d)\d{1,2}:\d{2}(?!\d)/;
/** Decoration around headers: Yahoo's "--- On … wrote:", Zoho's "---- On … wrote ----", bold "*". */
const DECORATION_START = /^[\s\-*_]{0,10}/;
const DECORATION_END = /[\s\-*_]{0,10}$/;
/** Gmail's attribution where the language has no verb: "2016-03-03 17:21 GMT+01:00 Carol". */
const GMAIL_NUMERIC = /^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2} GMT[+-]\d{1,2}:\d{2} \S/;
/** Gmail's older "2013/7/20 Carol <carol@example.com>" (no colon). */
const DATE_THEN_ADDRESS = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s.{1,200}<[^<>\s]{1,254}@[^<>\s]{1,254}>$/u;
/** "… Carol <carol@example.com>:" or "(carol@example.com):": an address closing the line, before the colon. */
const ADDRESS_THEN_COLON = /[>)\]][\s\u200e\u200f]{0,3}[:：]$/;

/** Bidi marks and the byte-order mark are invisible; no-break spaces are spaces. */
export function lineView(raw: string): string {
  return raw.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '').replace(/\u00a0/g, ' ').trimEnd();
}

/** `>` quoting, and Supercite's initials quoting ("CB> "). */
const QUOTE = /^[ \t]{0,8}(?:>|[A-Za-z]{1,3}>(?=[ \t>]|$))/;
export const isQuoteLine = (view: string): boolean => QUOTE.test(view);

/** A line of only rule characters ("-----", "_____", "***", Gmail's tracker "ᐧ"). */
const RULE = /^[ \t]*[-_=*~#+—–•ᐧ]{1,200}[ \t]*$/u;
export const isRule = (view: string): boolean => view.length <= 200 && RULE.test(view);

/** RFC 3676's signature delimiter "-- ", and the "--" clients leave when they trim the space. */
export const isSignatureDelimiter = (view: string): boolean => /^--[ \t]?$/.test(view);

export interface Attribution {
  /**
   * An address in it, the full "On <date> <time>, <name> wrote:" shape, or Gmail's
   * numeric form: history follows, quoted or not. A weaker one ("<date>
   * пользователь lidel написал:") counts only above a quote.
   */
  readonly strong: boolean;
}

/**
 * Whether `lines` (one line, or a header folded over up to five) are an
 * attribution in any language of the table: they end in a colon (or, after a
 * lead word, in the verb), and have the verb together with a date, an address
 * or a lead word — or, verbless (Japanese, Russian Gmail), a date and an
 * address right before the colon. `null` when they are not one.
 */
export function attribution(lines: readonly string[]): Attribution | null {
  const block = lines.join(' ');
  if (block.length > MAX_HEADER_CHARS) return null;
  const core = block.replace(DECORATION_START, '').replace(DECORATION_END, '');
  if (GMAIL_NUMERIC.test(core)) return { strong: true };
  if (DATE_THEN_ADDRESS.test(core)) return { strong: false };
  const lead = LEAD.test(core);
  const verb = VERB.test(core);
  const email = EMAIL.test(core);
  const digit = DIGIT.test(core);
  const verbLast = VERB_AT_END.test(core.replace(/[:：]$/, ''));
  if (!/[:：]$/.test(core) && !(lead && verbLast)) return null;
  if (!((verb && (digit || email || lead)) || (email && digit && ADDRESS_THEN_COLON.test(core)))) return null;
  // A header is folded because its address made it long; without one, only a lone "wrote:" wraps.
  if (lines.length > 1 && !email && !VERB_ALONE.test(lines[lines.length - 1]!)) return null;
  // "On <date> <time>, <name> wrote:" has the shape of a header even without an address.
  return { strong: email || (lead && TIME.test(core) && verbLast) };
}

/**
 * Whether a header may start on this line: a lead word or a date opens it, or
 * a sender and the verb ("Max <max@example.com> schrieb am Fr., 28."). A line
 * that starts with the address ("carol@example.com> wrote:") continues one.
 */
export const opensHeader = (view: string): boolean => {
  if (view.length > MAX_HEADER_CHARS) return false;
  const core = view.replace(DECORATION_START, '');
  if (/^[<(\s]{0,3}(?:mailto:)?[\w.+%-]{1,64}@/.test(core)) return false;
  return LEAD.test(core) || /^\p{Nd}/u.test(core) || (EMAIL.test(core) && VERB.test(core));
};

/**
 * Where an attribution that shares a line with the reply's text starts
 * ("Thanks, done. On Mon, 2 Mar 2026 … <carol@example.com> wrote:"), or -1.
 * Only a strong one (with an address) splits a line.
 */
export function sharedAttributionStart(view: string): number {
  if (view.length > 4 * MAX_HEADER_CHARS || !/[:：]$/.test(view) || !EMAIL.test(view)) return -1;
  const core = view.replace(DECORATION_START, '');
  if ((LEAD.test(core) || /^\p{Nd}/u.test(core)) && attribution([view])) return -1; // the whole line is the header
  LEAD_INSIDE.lastIndex = Math.max(0, view.length - MAX_HEADER_CHARS);
  for (let tries = 0; tries < 3; tries++) {
    const hit = LEAD_INSIDE.exec(view);
    if (!hit) return -1;
    // The reply's text ends with its sentence: "… at 10:15 AM" inside a header is no place to split.
    if (SENTENCE_END.test(view.slice(0, hit.index)) && attribution([view.slice(hit.index)])?.strong) return hit.index;
  }
  return -1;
}

const separators = alternation(collect((l) => l.separators));
const SEPARATOR_LINE = new RegExp(`^[\\s*_]{0,4}[-=_~]{2,40}[ \\t]{0,3}(?:${separators})[ \\t]{0,3}[-=_~*\\s]{0,60}$`, 'iu');
const SEPARATOR_INSIDE = new RegExp(`[-=_~]{3,20}[ \\t]{0,3}(?:${separators})[ \\t]{0,3}[-=_~]{3,20}`, 'iu');
const FORWARD_INTRO = new RegExp(
  `^[\\s*]{0,4}(?:${alternation(collect((l) => l.forwardIntros).map((s) => s.replace(/\s*[:：]$/, '')))})[ \\t]{0,3}[:：][\\s*]{0,4}$`,
  'iu',
);

/** "-----Original Message-----" and its kin in any language, or "Begin forwarded message:". */
export const isSeparator = (view: string): boolean =>
  view.length <= 200 && (SEPARATOR_LINE.test(view) || FORWARD_INTRO.test(view));

/** Where a separator starts inside a line after the reply's text, or -1. */
export function sharedSeparatorStart(view: string): number {
  if (view.length > 4 * MAX_HEADER_CHARS) return -1;
  const hit = SEPARATOR_INSIDE.exec(view);
  return hit && hit.index > 0 && view.slice(0, hit.index).trim() !== '' ? hit.index : -1;
}

export type HeaderFieldKind = 'from' | 'date' | 'to' | 'subject';
const FIELD_KINDS: readonly HeaderFieldKind[] = ['from', 'date', 'to', 'subject'];
/** "From: …", "*From:* …" (Outlook in bold), "De : …" (French spacing). */
const fieldPattern = (kind: HeaderFieldKind): RegExp =>
  new RegExp(`^[\\s*]{0,4}(?:${alternation(collect((l) => l.headerFields[kind]))})[ \\t*]{0,3}[:：][ \\t*]{0,3}`, 'iu');
const FIELDS = FIELD_KINDS.map((kind) => [kind, fieldPattern(kind)] as const);

/** The header field a line holds, with its value, or null. */
export function headerField(view: string): { kind: HeaderFieldKind; value: string } | null {
  if (view.length > MAX_HEADER_CHARS) return null;
  for (const [kind, pattern] of FIELDS) {
    const hit = pattern.exec(view);
    if (hit) return { kind, value: view.slice(hit[0].length).trim() };
  }
  return null;
}

export const hasAddress = (text: string): boolean => text.length <= MAX_HEADER_CHARS && EMAIL.test(text);

/** One to six words naming a device or app ("my iPhone", "Outlook for iOS"). */
const DEVICE = '[^\\s,.;:!?<>()\\[\\]]{1,30}(?:\\s[^\\s,.;:!?<>()\\[\\]]{1,30}){0,5}';
const footers = collect((l) => l.mobileFooters).map((f) => f.split('*').map(escape).join(DEVICE));
const MOBILE_FOOTER = new RegExp(
  `^(?:${footers.join('|')})(?:[\\s,.;!–—-]{1,5}(?:${alternation(FOOTER_APOLOGIES)})${NOT_WORD_AFTER}.{0,60})?[\\s.!]{0,5}$`,
  'iu',
);

/** A mobile client's footer ("Sent from my iPhone", "Von meinem iPhone gesendet"), links and brackets aside. */
export function isMobileFooter(view: string): boolean {
  if (view.length > 200) return false;
  const plain = view
    .replace(/\[([^\]]{0,100})\]\([^)]{0,300}\)/g, '$1') // a Markdown link: keep its text
    .replace(/\s?[<(]https?:[^\s>)]{0,300}[>)]/g, '') // a client's link after its name
    .replace(/https?:\/\/\S{0,300}$/, '') // or glued to it
    .replace(/^[\s(<]{0,4}/, '')
    .replace(/[\s)>]{0,4}$/, '');
  return MOBILE_FOOTER.test(plain);
}

const WORD = "[\\p{L}\\p{M}'’-]{1,20}";
const SIGN_OFF = new RegExp(`^\\s{0,4}(?:${alternation(collect((l) => l.signOffs))})${NOT_WORD_AFTER}(?:[\\s,.!]{1,3}${WORD}){0,3}[\\s,.!—-]{0,3}$`, 'iu');

/** A closing line: "Thanks,", "Best regards", "Thank you very much!", "Cheers, Noam". */
export const isSignOff = (view: string): boolean => view.length <= 60 && SIGN_OFF.test(view);
