/** Lower-cased header name → values, in order. */
export type RawHeaders = Map<string, string[]>;

const MAX_HEADER_BYTES = 256 * 1024;
const MAX_VALUE_CHARS = 8 * 1024;
const MAX_BODY_CHARS = 1024 * 1024;

/**
 * Reads a message's header block leniently, for mail the MIME parser rejects:
 * unfolds continuation lines, caps sizes, never throws.
 */
export function readHeaderBlock(source: Buffer): { headers: RawHeaders; body: string } {
  const text = source.toString('utf8');
  const split = /\r?\n\r?\n/.exec(text);
  const headEnd = split ? split.index : Math.min(text.length, MAX_HEADER_BYTES);
  const head = text.slice(0, Math.min(headEnd, MAX_HEADER_BYTES));
  const body = split ? text.slice(split.index + split[0].length, split.index + split[0].length + MAX_BODY_CHARS) : '';
  const headers: RawHeaders = new Map();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const match = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (!match) continue;
    const name = match[1]!.toLowerCase();
    const value = cleanText(match[2]!.slice(0, MAX_VALUE_CHARS));
    const list = headers.get(name);
    if (list) list.push(value);
    else headers.set(name, [value]);
  }
  return { headers, body };
}

/** Removes what Postgres text cannot hold (NUL) and lone UTF-16 surrogates. */
export function cleanText(value: string): string {
  return value.replaceAll('\u0000', '').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
