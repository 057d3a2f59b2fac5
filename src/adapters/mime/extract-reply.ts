import EmailReplyParser from 'email-reply-parser';

/**
 * Quote headers the library misses: localized "On … wrote:" lines, Outlook
 * header blocks, "Original Message" and "Forwarded message" separators.
 */
const QUOTE_HEADERS: readonly RegExp[] = [
  /^\s*[-_*]{2,}\s*(original message|forwarded message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|originalmeddelande|opprinnelig melding|wiadomość oryginalna|исходное сообщение)\s*[-_*]{2,}\s*$/i,
  /^\s*(on|le|am|el|il|op|em|den|på|dnia|w dniu)\s.{4,200}(wrote|a écrit|schrieb|escribió|ha scritto|schreef|escreveu|skrev|napisał\(a\)|napisał|написал\(а\)|написал|написав)\s*:?\s*$/i,
  /^\s*\d{1,4}[./-]\s?\d{1,2}[./-]\s?\d{1,4}.{0,80}(wrote|schrieb|a écrit|пользователь|користувач|napisał|escribió|skrev)?.*:\s*$/i,
  /^\s*_{20,}\s*$/,
  /^\s*(from|von|de|da|van|od|från|fra|от|від):\s.+$/i,
];

/** A header block line (`Sent:`, `Date:`…) expected near an Outlook `From:` line. */
const OUTLOOK_FOLLOW = /^\s*(sent|date|gesendet|datum|envoyé|enviado|inviato|verzonden|data|skickat|sendt|отправлено|надіслано|to|an|à|para|a|aan|till|til|кому|subject|betreff|objet|asunto|oggetto|onderwerp|ämne|emne|тема):/i;

const TIME_OR_ADDRESS = /\b\d{1,2}:\d{2}\b|<?[^\s<>@]+@[^\s<>@]+\.[a-z]{2,}>?/i;

/**
 * Any language's "On <date>, <name> <address> wrote:" header, even folded over
 * up to three lines: lines holding a time or an address, ending in a colon,
 * with quoted (`>`) lines right after.
 */
function isAttributionBlock(lines: readonly string[], start: number): boolean {
  if (!/\d|@/.test(lines[start]!)) return false;
  for (let end = start; end < Math.min(lines.length, start + 3); end++) {
    if (lines[end]!.trim() === '') return false; // a header is one paragraph
    const block = lines.slice(start, end + 1).join(' ');
    if (!/:\s*$/.test(lines[end]!)) continue;
    const after = lines.slice(end + 1).find((l) => l.trim() !== '');
    return TIME_OR_ADDRESS.test(block) && after !== undefined && after.trimStart().startsWith('>');
  }
  return false;
}

/** Index of the first line that starts quoted history, or -1. */
function quoteStart(lines: readonly string[]): number {
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const next = lines.slice(i + 1, i + 4);
    const isFromLine = /^\s*(from|von|de|da|van|od|från|fra|от|від):\s/i.test(line);
    const header = QUOTE_HEADERS.some((p) => p.test(line)) && (!isFromLine || next.some((l) => OUTLOOK_FOLLOW.test(l)));
    // A header folded over two lines ("On Mon, … <a@b>" / "wrote:") is matched on the joined pair.
    const folded = QUOTE_HEADERS[1]!.test(`${line} ${lines[i + 1] ?? ''}`);
    if (header || folded || isAttributionBlock(lines, i)) return i;
  }
  return -1;
}

/** A trailing attribution whose quote the library already removed ("… 14:20 … <a@b>:" at the very end). */
function withoutTrailingAttribution(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  for (let start = Math.max(1, end - 3); start < end; start++) {
    const block = lines.slice(start, end).join(' ');
    if (/:\s*$/.test(block) && TIME_OR_ADDRESS.test(block) && (QUOTE_HEADERS.some((p) => p.test(lines[start]!)) || /\d/.test(lines[start]!))) {
      return lines.slice(0, start);
    }
  }
  return lines.slice(0, end);
}

/**
 * The new text of a reply: quote headers the library misses are cut first
 * (while the quoted lines under them still show what they are), then the
 * maintained `email-reply-parser` removes quoted history and signatures.
 */
export function extractReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cut = quoteStart(lines);
  const head = cut < 0 ? lines : lines.slice(0, cut);
  const parsed = new EmailReplyParser().parseReply(head.join('\n'));
  return withoutTrailingAttribution(parsed.split('\n')).join('\n').trim();
}
