import { francAll } from 'franc-min';

/**
 * The language a customer wrote in, so the helpdesk can answer in it.
 * A wrong guess is worse than none (the caller then uses its default), so
 * every step prefers null to a close call.
 */

/**
 * ISO 639-1 → 639-3 of the Latin-script languages franc-min knows and a
 * European customer may write in. The text is ranked against all of them,
 * supported or not, so French is recognised as French instead of being
 * forced onto the nearest supported language.
 */
const FRANC_CODES: Readonly<Record<string, string>> = {
  en: 'eng',
  nl: 'nld',
  de: 'deu',
  it: 'ita',
  fr: 'fra',
  es: 'spa',
  pt: 'por',
  sv: 'swe',
  pl: 'pol',
  ro: 'ron',
  cs: 'ces',
  hu: 'hun',
  hr: 'hrv',
  tr: 'tur',
  // No model in franc-min, so never ranked there (see readsDanish); the full `franc` has it.
  da: 'dan',
};
const FROM_FRANC = new Map(Object.entries(FRANC_CODES).map(([iso1, iso3]) => [iso3, iso1]));

/** Raw text read at most: quoted history below a long reply is never looked at. */
const MAX_SCAN_CHARS = 20_000;
/** The sample franc ranks. */
const MAX_SAMPLE_CHARS = 2_000;
/** Below this many letters trigram statistics are noise ("Thanks!", "Ok, bedankt"). */
const MIN_LETTERS = 40;
/**
 * How far the runner-up must trail. franc scores the best language 1 and the
 * others by distance over the sample's length (times 300, a missing trigram's
 * cost), so a score gap shrinks as the text grows; scaled back by the length
 * it is about the number of missing trigrams the runner-up pays extra.
 */
const MIN_LEAD = 3;

/**
 * The language a customer wrote in: the first Content-Language tag that is
 * supported ("nl-NL, en" → nl), else the text's language as ranked by
 * franc-min — only when the text is long enough to tell and the winner is
 * supported and clearly ahead — else null. `supported` holds ISO 639-1 codes.
 */
export function detectLanguage(input: { contentLanguage: string | null; text: string }, supported: readonly string[]): string | null {
  return fromContentLanguage(input.contentLanguage, supported) ?? fromText(input.text, supported);
}

function fromContentLanguage(header: string | null, supported: readonly string[]): string | null {
  if (!header) return null;
  for (const tag of header.slice(0, 200).split(',')) {
    const primary = (tag.split(/[-_;]/)[0] ?? '').trim().toLowerCase();
    const match = supported.find((code) => code.toLowerCase() === primary);
    if (match) return match;
  }
  return null;
}

function fromText(text: string, supported: readonly string[]): string | null {
  const sample = sampleOf(text);
  if ((sample.match(/\p{L}/gu)?.length ?? 0) < MIN_LETTERS) return null;
  if (readsDanish(sample)) return pick('da', supported);
  const ranked = francAll(sample, { only: Object.values(FRANC_CODES), minLength: 1 });
  const [best, runnerUp] = ranked;
  if (!best || !runnerUp || (best[1] - runnerUp[1]) * sample.length < MIN_LEAD) return null;
  const language = FROM_FRANC.get(best[0]);
  return language ? pick(language, supported) : null;
}

function pick(language: string, supported: readonly string[]): string | null {
  return supported.find((code) => code.toLowerCase() === language) ?? null;
}

/** Longer runs without a space are not words: tokens, base64, hashes. */
const MAX_WORD_CHARS = 40;

/** The customer's own words: no quoted lines, links, addresses or long tokens; bounded. Linear in the text. */
export function sampleOf(text: string): string {
  const words = text
    .slice(0, MAX_SCAN_CHARS)
    .split(/\r?\n/)
    .filter((line) => !/^\s*>/.test(line))
    .join(' ')
    .split(/\s+/)
    .filter((word) => word.length > 0 && word.length <= MAX_WORD_CHARS && !word.includes('@') && !/https?:|www\./i.test(word));
  return words.join(' ').slice(0, MAX_SAMPLE_CHARS);
}

/**
 * franc-min has no Danish model (it keeps languages of 8M+ speakers) and ranks
 * Danish as Dutch, so Danish is told first, by what the other candidates do
 * not write: Danish function words and the letters æ, ø and å. Letters alone
 * must be plenty, so that a Dutch mail signed "Søren" stays Dutch. Swedish
 * shares å and some words: its own words and ä, ö (German too) count against.
 * Norwegian Bokmål, written much like Danish, reads as Danish. (The full
 * `franc` package has a Danish model but reads several of our Danish, Dutch
 * and English test sentences worse, so it is not used.)
 */
const DANISH_WORDS = new Set([
  'jeg', 'ikke', 'og', 'det', 'til', 'mig', 'dig', 'hej', 'lige', 'undskyld', 'hvad', 'hvordan', 'hvorfor', 'hvis', 'hvor',
  'meget', 'noget', 'nogen', 'nogle', 'mange', 'desværre', 'endnu', 'allerede', 'stadig', 'selvom', 'siger',
  'blev', 'blevet', 'bliver', 'eller', 'skal', 'venlig', 'venligst', 'hilsen', 'mvh', 'tak', 'tusind', 'jeres', 'vores',
]);
const SWEDISH_WORDS = new Set(['jag', 'inte', 'och', 'hur', 'varför', 'mycket', 'något', 'några', 'tyvärr', 'redan', 'fortfarande', 'tack', 'sedan', 'hela']);
/** Danish evidence needed: this many words in all, a share of all words, and a function word unless letters abound. */
const MIN_DANISH_WORDS = 2;
const MIN_DANISH_SHARE = 0.125;
const DANISH_LETTER_WORDS_ALONE = 3;

function readsDanish(sample: string): boolean {
  const words = sample.toLowerCase().match(/\p{L}+/gu) ?? [];
  let functionWords = 0;
  let letterWords = 0;
  let against = 0;
  for (const word of words) {
    if (SWEDISH_WORDS.has(word) || /[äöüß]/.test(word)) against += 1;
    else if (DANISH_WORDS.has(word)) functionWords += 1;
    else if (/[æøå]/.test(word)) letterWords += 1;
  }
  const danish = functionWords + letterWords;
  return (
    (functionWords > 0 || letterWords >= DANISH_LETTER_WORDS_ALONE) &&
    danish >= MIN_DANISH_WORDS &&
    danish >= 3 * against &&
    danish >= MIN_DANISH_SHARE * words.length
  );
}
