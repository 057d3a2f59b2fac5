import { domainOf } from './address.js';

/**
 * Whether the receiving server we trust vouches for the sender (RFC 8601):
 * the first `Authentication-Results` header whose authserv-id is
 * `trustedServer` (the topmost — added by our own server; anything below it
 * came from outside) reports `dmarc=pass` for the From domain, or
 * `dkim=pass` with a signing domain equal to, or a parent of, it. Pure.
 */
export function authenticatedSender(headerValues: readonly string[], trustedServer: string, from: string): boolean {
  const fromDomain = domainOf(from);
  if (!fromDomain) return false;
  const header = headerValues.find((value) => authservId(value) === trustedServer.toLowerCase());
  if (!header) return false;
  const results = header.split(';').slice(1).map((r) => r.trim().toLowerCase());
  return results.some((result) => {
    const dmarc = /^dmarc\s*=\s*pass\b.*\bheader\.from\s*=\s*([^\s;]+)/.exec(result);
    if (dmarc) return dmarc[1] === fromDomain;
    // header.d=example.test, or header.i=[local-part]@example.test (RFC 6376 §3.5).
    const dkim = /^dkim\s*=\s*pass\b.*\bheader\.(?:d|i)\s*=\s*(?:[^\s;@]*@)?([^\s;@]+)/.exec(result);
    if (dkim) return fromDomain === dkim[1] || fromDomain.endsWith(`.${dkim[1]}`);
    return false;
  });
}

function authservId(value: string): string {
  return (value.split(';')[0] ?? '').trim().split(/\s+/)[0]!.toLowerCase();
}
