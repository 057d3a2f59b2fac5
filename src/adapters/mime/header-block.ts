/** Lower-cased header name → values, in order. */
export type RawHeaders = Map<string, string[]>;

const MAX_HEADER_LINES = 5_000;
const MAX_VALUE_CHARS = 8 * 1024;
const MAX_BODY_CHARS = 1024 * 1024;
/** Headers whose newest entries come last (RFC 5322 §3.6.4): past the cap, their end is kept. */
const TAIL_HEADERS = new Set(['references']);
const TAIL_LINE = /^references:/i;

/**
 * Reads a message's header block leniently, for mail the MIME parser rejects:
 * unfolds continuation lines, caps each value (an oversized header does not
 * hide the ones after it), never throws.
 */
export function readHeaderBlock(source: Buffer): { headers: RawHeaders; body: string } {
  const text = source.toString('utf8');
  const split = /\r?\n\r?\n/.exec(text);
  const headEnd = split ? split.index : text.length;
  const bodyStart = split ? split.index + split[0].length : text.length;
  const headers: RawHeaders = new Map();
  let current: { name: string; value: string } | null = null;
  const flush = () => {
    if (!current) return;
    const list = headers.get(current.name);
    const value = cleanText(current.value.trim());
    if (list) list.push(value);
    else headers.set(current.name, [value]);
    current = null;
  };
  let lines = 0;
  for (let start = 0; start < headEnd && lines < MAX_HEADER_LINES; lines++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 || newline > headEnd ? headEnd : newline;
    // Only part of a huge line is read (the rest is skipped, not scanned): the first part, or the
    // last for a header whose newest entries come last.
    const keepTail = current !== null && TAIL_HEADERS.has(current.name) && /^[ \t]/.test(text.slice(start, start + 1));
    const tailOfNew = TAIL_LINE.exec(text.slice(start, start + 40));
    const line = (
      tailOfNew && end - start > MAX_VALUE_CHARS
        ? `${tailOfNew[0]} ${text.slice(end - MAX_VALUE_CHARS, end)}`
        : keepTail
          ? text.slice(Math.max(start, end - MAX_VALUE_CHARS), end)
          : text.slice(start, Math.min(end, start + MAX_VALUE_CHARS))
    ).replace(/\r$/, '');
    start = end + 1;
    if (/^[ \t]/.test(line) && current) {
      if (TAIL_HEADERS.has(current.name)) current.value = `${current.value} ${line.trim()}`.slice(-MAX_VALUE_CHARS);
      else if (current.value.length < MAX_VALUE_CHARS) current.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const match = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (match) current = { name: match[1]!.toLowerCase(), value: match[2]! };
  }
  flush();
  return { headers, body: text.slice(bodyStart, bodyStart + MAX_BODY_CHARS) };
}

/** Removes what Postgres text cannot hold (NUL) and lone UTF-16 surrogates. */
export function cleanText(value: string): string {
  return value.replaceAll('\u0000', '').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
