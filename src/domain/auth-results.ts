import { domainOf } from './address.js';

/** One `method=result` of an Authentication-Results header, with its properties (`header.d`, `smtp.mailfrom`…). */
export interface AuthResult {
  readonly method: string;
  readonly result: string;
  /** `ptype.property` → value, lower-cased keys; values as written (quotes removed). */
  readonly props: Readonly<Record<string, string>>;
}

export interface ParsedAuthResults {
  readonly authservId: string;
  readonly results: readonly AuthResult[];
}

/**
 * Parses one Authentication-Results header value (RFC 8601 §2.2): comments
 * `( … )` may nest and hold `;`, quoted strings may hold `;` and `(`; both are
 * read as such, never as result separators. Null when there is no authserv-id.
 */
export function parseAuthResults(value: string): ParsedAuthResults | null {
  const parts = splitResinfo(withoutComments(value));
  const head = (parts.shift() ?? '').trim().split(/\s+/)[0] ?? '';
  if (!head) return null;
  const results: AuthResult[] = [];
  for (const part of parts) {
    const tokens = tokenize(part);
    const method = /^([a-z0-9-]+)(?:\/\d+)?=(.+)$/i.exec(tokens[0] ?? '');
    if (!method) continue; // `none`, or garbage
    const props: Record<string, string> = {};
    for (const token of tokens.slice(1)) {
      const prop = /^([a-z0-9-]+\.[a-z0-9-]+)=(.*)$/i.exec(token);
      if (prop) props[prop[1]!.toLowerCase()] = unquote(prop[2]!);
    }
    results.push({ method: method[1]!.toLowerCase(), result: unquote(method[2]!).toLowerCase(), props });
  }
  return { authservId: unquote(head).toLowerCase(), results };
}

/**
 * The results our own receiving server wrote: the topmost Authentication-Results
 * header only, and only when its authserv-id is `trustedServer`. Our MTA
 * prepends its header above everything the message arrived with, and must
 * remove arriving headers that claim its id (RFC 8601 §5); any header lower
 * down was written by someone else and proves nothing.
 */
export function trustedAuthResults(headerValues: readonly string[], trustedServer: string): ParsedAuthResults | null {
  const top = headerValues[0];
  if (top === undefined) return null;
  const parsed = parseAuthResults(top);
  return parsed && parsed.authservId === trustedServer.toLowerCase() ? parsed : null;
}

/**
 * Whether our receiving server vouches for the From address: `dmarc=pass` for
 * its exact domain, or `dkim=pass` with a signing domain equal to, or a parent
 * of, it (relaxed alignment). Pure.
 */
export function authenticatedSender(headerValues: readonly string[], trustedServer: string, from: string): boolean {
  const fromDomain = domainOf(from);
  const trusted = trustedAuthResults(headerValues, trustedServer);
  if (!fromDomain || !trusted) return false;
  return trusted.results.some((r) => {
    if (r.result !== 'pass') return false;
    if (r.method === 'dmarc') return (r.props['header.from'] ?? '').toLowerCase() === fromDomain;
    if (r.method !== 'dkim') return false;
    // header.d=example.test, or header.i=[local-part]@example.test (RFC 6376 §3.5).
    const signer = (r.props['header.d'] ?? domainOf(r.props['header.i'] ?? '')).toLowerCase();
    return signer !== '' && (fromDomain === signer || fromDomain.endsWith(`.${signer}`));
  });
}

/** Whether our receiving server found the From domain failing DMARC. */
export function failedDmarcAtMta(headerValues: readonly string[], trustedServer: string, from: string): boolean {
  const trusted = trustedAuthResults(headerValues, trustedServer);
  const fromDomain = domainOf(from);
  return trusted?.results.some((r) => r.method === 'dmarc' && r.result === 'fail' && (r.props['header.from'] ?? fromDomain).toLowerCase() === fromDomain) ?? false;
}

/** The value with its comments removed (nesting and `\` escapes honoured, quoted strings kept whole). */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (depth > 0) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
    } else if (c === '(') {
      depth = 1;
      out += ' ';
    } else {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  return out;
}

/** Splits on `;` outside quoted strings. */
function splitResinfo(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && quoted) {
      current += c + (value[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** Whitespace-separated tokens, `a = b` joined to `a=b`, quoted strings kept whole. */
function tokenize(part: string): string[] {
  const tokens: string[] = [];
  for (const match of part.replace(/\s*=\s*/g, '=').matchAll(/(?:[^\s"]+|"(?:[^"\\]|\\.)*")+/g)) tokens.push(match[0]);
  return tokens;
}

function unquote(value: string): string {
  return /^".*"$/s.test(value) ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
}
