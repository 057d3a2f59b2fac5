import { domainOf } from './address.js';

/** What checking a mail's signatures found about its From domain (DKIM, RFC 6376; DMARC, RFC 7489). */
export interface SenderAuth {
  /** `pass` only for a valid signature aligned with the From domain. */
  readonly dkim: 'pass' | 'fail' | 'none' | 'temperror';
  readonly dmarc: 'pass' | 'fail' | 'none' | 'temperror';
  /** The From domain's DMARC policy, when it publishes one. */
  readonly policy: 'none' | 'quarantine' | 'reject' | null;
  /** The aligned signing domain of a passing signature. */
  readonly signer: string | null;
  /** One line for events and logs, e.g. `dkim=pass header.d=example.test; dmarc=pass (p=reject)`. */
  readonly summary: string;
}

/** A mail whose signatures were not checked (not needed, or no From). */
export const NOT_CHECKED: SenderAuth = { dkim: 'none', dmarc: 'none', policy: null, signer: null, summary: 'not checked' };

/**
 * Whether the From address is proven by a signature we verified ourselves:
 * DMARC pass, or an aligned DKIM pass (the signing domain is the From domain
 * or a parent of it). A mail with several From addresses or headers proves
 * nobody (RFC 7489 §6.6.1). SPF is not ours to check (we do not see the
 * sending IP), so only signatures count.
 */
export function signatureProvesSender(auth: SenderAuth, from: string, singleFrom: boolean): boolean {
  if (!singleFrom) return false;
  if (auth.dmarc === 'pass') return true;
  const domain = domainOf(from);
  return auth.dkim === 'pass' && auth.signer !== null && domain !== '' && (domain === auth.signer || domain.endsWith(`.${auth.signer}`));
}

/**
 * Whether the From domain's owner says this mail is not theirs: a DMARC fail
 * under a `quarantine` or `reject` policy. (Under `p=none` the owner asks for
 * nothing; without SPF a fail may still be their own unsigned mail.)
 */
export function failsDmarc(auth: SenderAuth): boolean {
  return auth.dmarc === 'fail' && (auth.policy === 'quarantine' || auth.policy === 'reject');
}
