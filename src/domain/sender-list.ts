import { domainOf, normalizeAddress, withoutSubaddress } from './address.js';
import { globPattern, RULE_ADDRESS_CHARS, type RegexTest } from './rules.js';

/**
 * Sender lists (`senders.block` / `senders.allow` in the config, the
 * `blocked_senders` table): patterns compiled once, matched in time linear in
 * the address whatever the patterns are. Forms, case-insensitive:
 *
 * - `spam@example.com`: that address, with or without a `+tag`;
 * - `example.com`, `@example.com`, `*@example.com`: every address of that domain (not its subdomains);
 * - `*.example.com`, `*@*.example.com`: every address of any subdomain (not the domain itself);
 * - any other `*` / `?` glob (`noreply-*@example.com`, `*@*.spam.test`): the whole
 *   address must match; without an `@` the glob is of the domain (`*spam.test` = `*@*spam.test`).
 *   A glob sees the address as written, `+tag` included: `spam*@example.com` covers tags.
 */

/** RFC 5321's longest address; a longer pattern could never match a real one. */
export const SENDER_PATTERN_CHARS = 254;

const WILDCARD = /[*?]/;
/** Specials of RFC 5322 outside quoted strings: the sign of a pasted `Name <address>` or a list. */
const NOT_IN_BARE_ADDRESS = /[<>(),;:"[\]\\]/;
// eslint-disable-next-line no-control-regex
const BLANK_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;

/** Why `pattern` is not a sender pattern, in words (for config problems and the CLI); null when it is one. */
export function senderPatternProblem(pattern: string): string | null {
  if (pattern === '') return 'is empty';
  if (pattern.length > SENDER_PATTERN_CHARS) return `is ${pattern.length} characters long: an address has at most ${SENDER_PATTERN_CHARS}`;
  if (BLANK_OR_CONTROL.test(pattern)) return 'contains whitespace or a control character';
  const special = NOT_IN_BARE_ADDRESS.exec(pattern);
  if (special) return `contains "${special[0]}": give the bare address, e.g. spam@example.com`;
  const parts = pattern.split('@');
  if (parts.length > 2) return 'has more than one @';
  const domain = parts.at(-1)!;
  if (domain === '') return 'has nothing after the @: give a domain, e.g. spam@example.com';
  if (domain.startsWith('.')) return 'starts its domain with a dot: write example.com for the domain, *.example.com for its subdomains';
  if (domain.endsWith('.') || domain.includes('..')) return 'has an empty label in its domain (a dot at the end or two dots in a row)';
  if (!/[^*?@.]/.test(pattern)) return 'has nothing but wildcards, dots and @: it would match (nearly) every sender';
  return null;
}

/** Subdomain patterns as a tree of labels from the right: `*.example.com` is com → example, marked. */
export interface LabelTree {
  readonly children: ReadonlyMap<string, LabelTree>;
  /** The pattern (as written) covering every subdomain below this node. */
  readonly pattern: string | null;
}

interface GrowingTree {
  readonly children: Map<string, GrowingTree>;
  pattern: string | null;
}

export interface CompiledGlob {
  /** The anchored glob's RE2 body (globPattern without its flags and anchors). */
  readonly body: string;
  readonly pattern: string;
}

/** A compiled sender list. Build it with compileSenderList; matchSender reads it. */
export interface SenderList {
  /** Normalised address → the pattern as written. */
  readonly addresses: ReadonlyMap<string, string>;
  readonly domains: ReadonlyMap<string, string>;
  readonly subdomains: LabelTree;
  /** Sorted by body: RE2 factors the common prefixes of neighbouring alternatives. */
  readonly globs: readonly CompiledGlob[];
  /** Every glob in one anchored alternation: one RE2 run per address. Null without globs. */
  readonly globRegex: string | null;
  /** Patterns left out as not being patterns (senderPatternProblem says why), for the caller to report. */
  readonly ignored: readonly string[];
}

type Kind = { readonly kind: 'address' | 'domain' | 'subdomain' | 'glob'; readonly key: string };

/** What a valid, lower-cased pattern is, with the key it is looked up by. */
function classify(pattern: string): Kind {
  const at = pattern.indexOf('@');
  const local = at < 0 ? '*' : pattern.slice(0, at);
  const domain = pattern.slice(at + 1);
  if (local !== '*' && local !== '') return WILDCARD.test(pattern) ? { kind: 'glob', key: pattern } : { kind: 'address', key: pattern };
  if (!WILDCARD.test(domain)) return { kind: 'domain', key: domain };
  if (domain.startsWith('*.') && !WILDCARD.test(domain.slice(2))) return { kind: 'subdomain', key: domain.slice(2) };
  return { kind: 'glob', key: `*@${domain}` };
}

const FLAGS_AND_ANCHOR = '(?s)^';

/** The part of globPattern's output between its `(?s)^` and `$`, so that many share one pair. */
function globBody(glob: string): string {
  const whole = globPattern(glob);
  if (!whole.startsWith(FLAGS_AND_ANCHOR) || !whole.endsWith('$')) throw new Error(`globPattern changed its shape: ${whole}`);
  return whole.slice(FLAGS_AND_ANCHOR.length, -1);
}

function alternation(globs: readonly CompiledGlob[]): string {
  return `${FLAGS_AND_ANCHOR}(?:${globs.map((g) => g.body).join('|')})$`;
}

/** Compiles patterns (the first of duplicates wins); invalid ones are left out and listed in `ignored`. */
export function compileSenderList(patterns: readonly string[]): SenderList {
  const addresses = new Map<string, string>();
  const domains = new Map<string, string>();
  const subdomains: GrowingTree = { children: new Map(), pattern: null };
  const globs = new Map<string, CompiledGlob>();
  const ignored: string[] = [];
  for (const written of patterns) {
    if (senderPatternProblem(written) !== null) {
      ignored.push(written);
      continue;
    }
    const { kind, key } = classify(written.toLowerCase());
    if (kind === 'address' && !addresses.has(key)) addresses.set(key, written);
    if (kind === 'domain' && !domains.has(key)) domains.set(key, written);
    if (kind === 'subdomain') {
      const node = key.split('.').reduceRight((tree, label) => {
        let child = tree.children.get(label);
        if (!child) tree.children.set(label, (child = { children: new Map(), pattern: null }));
        return child;
      }, subdomains);
      node.pattern ??= written;
    }
    if (kind === 'glob') {
      const body = globBody(key);
      if (!globs.has(body)) globs.set(body, { body, pattern: written });
    }
  }
  const sorted = [...globs.values()].sort((a, b) => (a.body < b.body ? -1 : a.body > b.body ? 1 : 0));
  return { addresses, domains, subdomains, globs: sorted, globRegex: sorted.length ? alternation(sorted) : null, ignored };
}

/** The most specific subdomain pattern covering `domain` (strictly below it), walking labels from the right. */
function subdomainMatch(tree: LabelTree, domain: string): string | null {
  const labels = domain.split('.');
  let node: LabelTree | undefined = tree;
  let found: string | null = null;
  for (let i = labels.length - 1; i > 0 && node; i--) {
    node = node.children.get(labels[i]!);
    if (node?.pattern) found = node.pattern;
  }
  return found;
}

/**
 * The glob that matched, found by halving: each half is again one alternation,
 * so a hit costs ⌈log₂ n⌉ more runs, and the halves repeat for a repeated hit (the RE2 cache keeps them).
 */
function matchedGlob(globs: readonly CompiledGlob[], address: string, regex: RegexTest): string {
  let lo = 0;
  let hi = globs.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (regex(alternation(globs.slice(lo, mid)), address)) hi = mid;
    else lo = mid;
  }
  return globs[lo]!.pattern;
}

/**
 * The pattern (as written) that matches the address, or null. Set lookups
 * first (the address, its base without `+tag`, its domain, the domain's
 * parents); then, for addresses of at most RULE_ADDRESS_CHARS, one RE2 run
 * over every glob together — more runs only to name the glob that matched.
 */
export function matchSender(list: SenderList, address: string, regex: RegexTest): string | null {
  const a = normalizeAddress(address);
  if (a === '') return null;
  const exact = list.addresses.get(a) ?? list.addresses.get(withoutSubaddress(a));
  if (exact !== undefined) return exact;
  const domain = domainOf(a);
  const byDomain = domain === '' ? null : (list.domains.get(domain) ?? subdomainMatch(list.subdomains, domain));
  if (byDomain !== null) return byDomain;
  if (list.globRegex === null || a.length > RULE_ADDRESS_CHARS || !regex(list.globRegex, a)) return null;
  return matchedGlob(list.globs, a, regex);
}

/** The blocking pattern for the address, unless an allowing one matches it too (allow beats block); null when not blocked. */
export function blockedBy(lists: { readonly block: SenderList; readonly allow: SenderList }, address: string, regex: RegexTest): string | null {
  const blocking = matchSender(lists.block, address, regex);
  if (blocking === null || matchSender(lists.allow, address, regex) !== null) return null;
  return blocking;
}
