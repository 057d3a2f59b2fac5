import { fileTypeFromBuffer, supportedExtensions, supportedMimeTypes } from 'file-type';

/**
 * An attachment's type from its bytes (file-type), not from what the sender
 * declared: the Content-Type header and the file name are written by whoever
 * sent the mail.
 */

export interface ContentType {
  /** `type/subtype`, lower case, without parameters. */
  readonly type: string;
  /** How the declaration (or the name) disagrees with the bytes, in words; null when it does not. */
  readonly mismatch: string | null;
  /** The usual extension of the format the bytes were recognised as (`exe`, `png`), without the dot; null when they were not. */
  readonly extension: string | null;
}

const OCTET_STREAM = 'application/octet-stream';

/** Other spellings of types file-type reports, as mail clients write them. */
const ALIASES: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/x-ms-bmp': 'image/bmp',
  'image/vnd.microsoft.icon': 'image/x-icon',
  'application/x-pdf': 'application/pdf',
  'application/acrobat': 'application/pdf',
  'application/x-zip': 'application/zip',
  'application/x-zip-compressed': 'application/zip',
  'application/x-gzip': 'application/gzip',
  'application/vnd.rar': 'application/x-rar-compressed',
  'application/x-rar': 'application/x-rar-compressed',
  'application/x-dosexec': 'application/x-msdownload',
  'application/x-msdos-program': 'application/x-msdownload',
  'application/x-ms-dos-executable': 'application/x-msdownload',
  'application/vnd.microsoft.portable-executable': 'application/x-msdownload',
  'application/exe': 'application/x-msdownload',
  'audio/mp3': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/x-flac': 'audio/flac',
  'video/x-msvideo': 'video/vnd.avi',
  'video/x-matroska': 'video/matroska',
};

/** Declarations that claim nothing about the content. */
const CLAIMS_NOTHING: ReadonlySet<string> = new Set([OCTET_STREAM, 'application/unknown', 'binary/octet-stream', 'application/binary']);

/**
 * Formats file-type reports as their container when it cannot tell more: a
 * declaration of a format inside that container agrees with it (an old Word
 * document is OLE2 `application/x-cfb`; an SVG with `<?xml` is `application/xml`).
 */
const CONTAINERS: Readonly<Record<string, (declared: string) => boolean>> = {
  'application/zip': (t) =>
    t.endsWith('+zip') ||
    t.startsWith('application/vnd.openxmlformats-officedocument.') ||
    t.startsWith('application/vnd.oasis.opendocument.') ||
    /^application\/vnd\.ms-[a-z]+\.[a-z.]*macroenabled/.test(t) ||
    ['application/java-archive', 'application/vnd.android.package-archive', 'application/x-xpinstall', 'application/vnd.google-earth.kmz', 'application/vnd.ms-xpsdocument', 'application/oxps'].includes(t),
  'application/x-cfb': (t) =>
    /^application\/(msword|vnd\.ms-(excel|powerpoint|outlook|project|publisher)|vnd\.visio|x-msi|x-ole-storage)$/.test(t),
  'application/xml': (t) => t === 'text/xml' || t.endsWith('+xml'),
};

/** Undetected content that may keep a declared type file-type could otherwise detect: it is text, and file-type only knows it by an optional prolog. */
const TEXTUAL_DETECTABLE: ReadonlySet<string> = new Set(['application/xml']);
/** Extensions of formats file-type knows only by markers that may be absent (an XML prolog, an ID3 tag): a name ending so is no claim to check. */
const UNMARKED_EXTENSIONS: ReadonlySet<string> = new Set(['xml', 'ics', 'vcf', 'vtt', 'mp3', 'mp2', 'mp1', 'aac']);

/** `Image/PNG; name=x` → `image/png`; anything not shaped `type/subtype` → octet-stream. */
export function normaliseType(declared: string): string {
  const bare = declared.split(';')[0]!.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(bare)) return OCTET_STREAM;
  return ALIASES[bare] ?? bare;
}

/** The declared type, or its container's, agrees with the detected one. */
function agrees(declared: string, detected: string): boolean {
  return declared === detected || CLAIMS_NOTHING.has(declared) || (CONTAINERS[detected]?.(declared) ?? false) || (CONTAINERS[declared]?.(detected) ?? false);
}

/** A declared type the bytes would have been recognised as, had they been that: an image, a PDF, a zip, an office document, a program… */
function detectable(declared: string): boolean {
  if (declared.startsWith('text/') || TEXTUAL_DETECTABLE.has(declared)) return false;
  if (declared === 'image/svg+xml') return false;
  return declared.startsWith('image/') || supportedMimeTypes.has(declared) || Object.values(CONTAINERS).some((inside) => inside(declared));
}

async function recognise(content: Buffer): Promise<{ mime: string; ext: string } | undefined> {
  try {
    return await fileTypeFromBuffer(content);
  } catch {
    // file-type refuses malformed structures past its hard limits: such bytes are recognised as nothing.
    return undefined;
  }
}

/**
 * The type of an attachment's `content`. Bytes file-type recognises decide
 * (over the declared type, `mismatch` saying so unless the declaration agrees
 * or is a container of it). Bytes it does not recognise keep the declared type
 * when that is text or a type it could not have recognised anyway; a declared
 * image, PDF, zip-family or other recognisable type they fail to be becomes
 * `application/octet-stream`, with a mismatch. `filename` is the name the mail
 * gave: one whose extension claims a recognisable format the bytes are not is
 * reported as a mismatch too.
 */
export async function contentTypeOf(content: Buffer, declared: string, filename: string | null): Promise<ContentType> {
  const claimed = normaliseType(declared);
  const found = await recognise(content);
  if (found) {
    const detected = normaliseType(found.mime);
    if (agrees(claimed, detected)) {
      const keepDeclared = CONTAINERS[detected]?.(claimed) ?? false;
      return { type: keepDeclared ? claimed : detected, mismatch: null, extension: found.ext };
    }
    return { type: detected, mismatch: `declared ${claimed}, content is ${detected}`, extension: found.ext };
  }
  if (detectable(claimed)) return { type: OCTET_STREAM, mismatch: `declared ${claimed}, content is not ${claimed}`, extension: null };
  return { type: claimed, mismatch: nameClaim(filename), extension: null };
}

/** `named ".png", content is not that format` when the name's extension is one file-type would have recognised. */
function nameClaim(filename: string | null): string | null {
  const match = /\.([a-z0-9]{1,10})$/i.exec(filename?.trim() ?? '');
  const extension = match?.[1]!.toLowerCase();
  if (!extension || UNMARKED_EXTENSIONS.has(extension) || !supportedExtensions.has(extension)) return null;
  return `named ".${extension}", content is not that format`;
}
