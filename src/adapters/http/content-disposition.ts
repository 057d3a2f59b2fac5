/**
 * Safe download headers for a file name a stranger chose (an attachment's).
 * The name loses any path, control characters and the characters Windows
 * refuses; what is left goes out twice: as an ASCII `filename` for old clients
 * and as RFC 5987 / 6266 `filename*` (UTF-8, percent-encoded) for the rest.
 */

const MAX_NAME = 150;
const FALLBACK = 'attachment';

/**
 * The file name to offer: no directories, no control or reserved characters,
 * no leading dots or trailing dots and spaces, at most 150 characters (the
 * extension kept); `attachment` when nothing is left.
 */
export function sanitizeFilename(name: string | null | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  let clean = base
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '');
  if ([...clean].length > MAX_NAME) {
    const chars = [...clean];
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 16 ? [...clean.slice(dot)] : [];
    clean = chars.slice(0, MAX_NAME - ext.length).join('') + ext.join('');
  }
  // Names Windows keeps for devices would save as something else entirely.
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(clean)) clean = `_${clean}`;
  return clean || FALLBACK;
}

/** The ASCII stand-in of a sanitised name: every other character, `"` and `\` become `_`. */
export function asciiFilename(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_');
}

/** RFC 5987 `value-chars`: UTF-8, every byte outside attr-char percent-encoded. */
export function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `attachment; filename="…"; filename*=UTF-8''…` for a name as the sender wrote it. */
export function attachmentDisposition(name: string | null | undefined): string {
  const clean = sanitizeFilename(name);
  return `attachment; filename="${asciiFilename(clean)}"; filename*=UTF-8''${encodeRfc5987(clean)}`;
}

/** Types a browser would run as a page or script if it ever showed the file instead of saving it. */
const ACTIVE = /^(text\/html|text\/xml|application\/xml|[a-z]+\/[\w.-]*\+xml|(text|application)\/(x-)?(javascript|ecmascript)|text\/(css|vtt)|multipart\/.*)$/;

/**
 * The `Content-Type` to send a download with: the attachment's when it is a
 * well-formed `type/subtype` and not an active one (HTML, SVG, XML, script),
 * else `application/octet-stream`.
 */
export function safeContentType(contentType: string | null | undefined): string {
  const value = (contentType ?? '').trim().toLowerCase();
  const wellFormed = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,127}$/.test(value);
  return wellFormed && !ACTIVE.test(value) ? value : 'application/octet-stream';
}
