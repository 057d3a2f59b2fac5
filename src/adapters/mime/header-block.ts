/** Lower-cased header name → values, in order. */
export type RawHeaders = Map<string, string[]>;

const MAX_HEADER_LINES = 5_000;
const MAX_VALUE_CHARS = 8 * 1024;
const MAX_BODY_CHARS = 1024 * 1024;

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
    // Only the first part of a huge line is read; the rest is skipped, not scanned.
    const line = text.slice(start, Math.min(end, start + MAX_VALUE_CHARS)).replace(/\r$/, '');
    start = end + 1;
    if (/^[ \t]/.test(line) && current) {
      if (current.value.length < MAX_VALUE_CHARS) current.value += ` ${line.trim()}`;
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
