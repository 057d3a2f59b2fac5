/**
 * File names for attachments saved to disk. An attachment's name is written by
 * whoever sent the mail: these functions turn it into one that is safe to
 * create on Linux, macOS and Windows and to put in a Content-Disposition, and
 * that does not claim a type its bytes are not.
 */

/** Longest name produced, in UTF-8 bytes: under every common file system's 255, with room for ` (99)`. */
export const MAX_NAME_BYTES = 200;

/** An extension longer than this (with its dot) is part of the name, not an extension. */
const MAX_EXTENSION_BYTES = 20;

/** Extension (without the dot) for a content type, when an attachment came without a usable name. */
const EXTENSION_OF_TYPE: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/html': 'html',
  'application/zip': 'zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/csv': 'csv',
  'message/rfc822': 'eml',
};

/* eslint-disable no-control-regex */
/** Control characters, and format characters that reorder or hide text (bidi embeddings, overrides, isolates, marks, BOM). ZWJ and ZWNJ stay: scripts and emoji need them. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/* eslint-enable no-control-regex */
/** What Windows refuses in a name (macOS shows `:` as `/`). Path separators are handled before. */
const WINDOWS_FORBIDDEN = /[<>:"|?*]/g;
/** Device names Windows keeps, whatever the extension (`CON.txt`, `com1.tar.gz`), also with trailing spaces before the dot. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³]) *(\.|$)/i;

const encoder = new TextEncoder();
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** The longest start of `text` (whole graphemes) that fits in `bytes` UTF-8 bytes. */
function cutToBytes(text: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    used += utf8Length(segment);
    if (used > bytes) break;
    out += segment;
  }
  return out;
}

/** `{ stem: 'report', extension: '.pdf' }`; `.tar.gz`-style pairs stay together; no extension when the dot leads or it is too long to be one. */
export function splitExtension(name: string): { stem: string; extension: string } {
  const compound = /(\.tar\.[a-z0-9]{1,4})$/i.exec(name);
  const dot = compound ? name.length - compound[1]!.length : name.lastIndexOf('.');
  if (dot <= 0) return { stem: name, extension: '' };
  const extension = name.slice(dot);
  if (utf8Length(extension) > MAX_EXTENSION_BYTES || /\s/.test(extension)) return { stem: name, extension: '' };
  return { stem: name.slice(0, dot), extension };
}

/** `name` within `bytes` UTF-8 bytes, its extension kept, without trailing dots or spaces. */
function fitName(name: string, bytes: number): string {
  if (utf8Length(name) <= bytes) return name;
  const { stem, extension } = splitExtension(name);
  return `${cutToBytes(stem, bytes - utf8Length(extension))}${extension}`.replace(/[\s.]+$/u, '');
}

/**
 * A file name safe to create on Linux, macOS and Windows and to send in a
 * Content-Disposition, from the name a mail gave an attachment: the last path
 * part only; no control, bidi or other invisible format characters; none of
 * `<>:"|?*`; no leading dots or spaces (no hidden files), no trailing dots or
 * spaces; whitespace runs as one space; NFC; a Windows device name (`CON`,
 * `lpt1.txt`) prefixed with `_`; at most MAX_NAME_BYTES UTF-8 bytes with the
 * extension kept. Nothing left: `attachment-<fallbackIndex>` with an
 * extension for `contentType` (`.bin` when the type is not in the table).
 */
export function safeFilename(name: string | null, contentType: string, fallbackIndex: number): string {
  const lastPart = (name ?? '').split(/[/\\]/).pop() ?? '';
  let clean = lastPart
    .replace(LONE_SURROGATE, '')
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .replace(INVISIBLE, '')
    .replace(WINDOWS_FORBIDDEN, '')
    .replace(/ {2,}/g, ' ')
    .replace(/^[\s.]+/u, '')
    .replace(/[\s.]+$/u, '')
    .normalize('NFC');
  if (WINDOWS_RESERVED.test(clean)) clean = `_${clean}`;
  clean = fitName(clean, MAX_NAME_BYTES);
  if (clean) return clean;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return `attachment-${fallbackIndex}.${EXTENSION_OF_TYPE[type] ?? 'bin'}`;
}

/** Compared as file systems that ignore case (Windows, macOS) would, in one Unicode form. */
function fold(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/**
 * `name` if no name in `taken` equals it ignoring case, else the first free
 * `stem (2).ext`, `stem (3).ext`…, still within MAX_NAME_BYTES.
 */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  const folded = new Set([...taken].map(fold));
  if (!folded.has(fold(name))) return name;
  const { stem, extension } = splitExtension(name);
  for (let n = 2; ; n++) {
    const suffix = ` (${n})${extension}`;
    const candidate = `${cutToBytes(stem, MAX_NAME_BYTES - utf8Length(suffix))}${suffix}`;
    if (!folded.has(fold(candidate))) return candidate;
  }
}

/**
 * Extensions a name may carry for content of a detected extension (file-type's
 * `ext`) without being renamed: spellings of the same format, and formats the
 * detector reports only as their container (OLE2 `cfb` for .doc/.xls/.msg,
 * `zip` for zip-based formats it does not know).
 */
const SAME_FORMAT: Readonly<Record<string, readonly string[]>> = {
  jpg: ['jpg', 'jpeg', 'jpe', 'jfif'],
  png: ['png', 'apng'],
  apng: ['png', 'apng'],
  tif: ['tif', 'tiff'],
  heic: ['heic', 'heif'],
  heif: ['heic', 'heif'],
  jp2: ['jp2', 'j2k', 'jpf', 'jpx'],
  ico: ['ico', 'cur'],
  mpg: ['mpg', 'mpeg'],
  mp4: ['mp4', 'm4v', 'm4a'],
  mov: ['mov', 'qt'],
  mid: ['mid', 'midi'],
  aif: ['aif', 'aiff', 'aifc'],
  wav: ['wav', 'wave'],
  gz: ['gz', 'tgz', 'gzip'],
  bz2: ['bz2', 'tbz', 'tbz2'],
  xz: ['xz', 'txz'],
  exe: ['exe', 'dll'],
  pdf: ['pdf', 'ai'],
  ps: ['ps', 'eps'],
  eps: ['ps', 'eps'],
  cfb: ['doc', 'dot', 'xls', 'xlt', 'ppt', 'pot', 'pps', 'msg', 'pub', 'vsd', 'mpp', 'msi', 'cfb'],
  zip: ['zip', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'odg', 'jar', 'war', 'apk', 'epub', 'xpi', 'kmz', 'ipa', 'whl', 'nupkg', 'vsix', 'cbz', 'xps', 'oxps', '3mf', 'sketch'],
  sqlite: ['sqlite', 'sqlite3', 'db'],
  pcap: ['pcap', 'cap'],
};

/** Detected formats that are text a name may call anything (XML by its `<?xml`, calendars, cards, subtitles): never a reason to rename. */
const TEXT_FORMATS: ReadonlySet<string> = new Set(['xml', 'ics', 'vcf', 'vtt']);

/**
 * `name` with `.<detected>` appended when its own extension is not one the
 * detected format goes by (`invoice.pdf` whose bytes are a Windows program:
 * `invoice.pdf.exe`), so that opening it cannot mistake what it is; `name`
 * unchanged when the format is unknown (null), textual, or agrees. Stays
 * within MAX_NAME_BYTES, the appended extension kept.
 */
export function withDetectedExtension(name: string, detected: string | null): string {
  if (detected === null || TEXT_FORMATS.has(detected)) return name;
  const own = splitExtension(name).extension.split('.').pop()!.toLowerCase();
  if ((SAME_FORMAT[detected] ?? [detected]).includes(own)) return name;
  const extension = `.${detected}`;
  return `${cutToBytes(name, MAX_NAME_BYTES - utf8Length(extension))}${extension}`;
}
