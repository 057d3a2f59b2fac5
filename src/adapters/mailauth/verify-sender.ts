import { Resolver } from 'node:dns/promises';
import { dkimVerify, dmarc } from 'mailauth';
import type { SenderAuth } from '../../domain/sender-auth.js';

/** A DNS lookup as mailauth calls it: TXT answers as arrays of strings. */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[] | string[][]>;

export interface VerifySenderOptions {
  /** Lookups for DKIM keys and DMARC records; the system resolver (cached) by default. Tests give a stub. */
  readonly resolver?: DnsResolver;
  /** Give up on the lookups after this long: the result is `temperror`. */
  readonly timeoutMs?: number;
}

/** Checks a raw mail's DKIM signatures and its From domain's DMARC, in this process. */
export type VerifySender = (raw: Buffer) => Promise<SenderAuth>;

/**
 * Verifies DKIM signatures and DMARC alignment ourselves (mailauth), so that
 * no header a sender wrote is trusted. Never throws: a DNS failure or a timeout
 * comes back as `temperror`.
 */
export function createSenderVerifier(options: VerifySenderOptions = {}): VerifySender {
  const resolver = options.resolver ?? cachedSystemResolver();
  const timeoutMs = options.timeoutMs ?? 5_000;
  return async (raw) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SenderAuth>((resolve) => {
      timer = setTimeout(() => resolve(tempError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([verify(raw, resolver), timeout]);
    } catch (err) {
      return tempError((err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  };
}

async function verify(raw: Buffer, resolver: DnsResolver): Promise<SenderAuth> {
  const checked = await dkimVerify(raw, { resolver });
  const results = checked.results ?? [];
  const aligned = results.find((r) => r.status?.result === 'pass' && r.status.aligned);
  const dkim = aligned ? 'pass' : results.some((r) => r.status?.result === 'temperror') ? 'temperror' : results.some((r) => r.status?.result === 'fail') ? 'fail' : 'none';
  const headerFrom = checked.headerFrom ?? [];
  const verdict =
    headerFrom.length === 1
      ? await dmarc({
          headerFrom,
          spfDomains: [],
          dkimDomains: results
            .filter((r) => r.status?.result === 'pass')
            .map((r) => ({ id: r.id, domain: r.signingDomain, aligned: r.status.aligned, underSized: r.status.underSized })),
          resolver,
        })
      : false;
  const dmarcResult = verdict ? verdict.status?.result : undefined;
  const dmarcState = dmarcResult === 'pass' || dmarcResult === 'fail' || dmarcResult === 'temperror' ? dmarcResult : 'none';
  const policy = verdict && ['none', 'quarantine', 'reject'].includes(String(verdict.policy)) ? (verdict.policy as SenderAuth['policy']) : null;
  const signer = aligned?.signingDomain?.toLowerCase() ?? null;
  return {
    dkim,
    dmarc: dmarcState,
    policy,
    signer,
    summary: [`dkim=${dkim}${signer ? ` header.d=${signer}` : ''}`, `dmarc=${dmarcState}${policy ? ` (p=${policy})` : ''}`].join('; '),
  };
}

function tempError(why: string): SenderAuth {
  return { dkim: 'temperror', dmarc: 'temperror', policy: null, signer: null, summary: `not checked: ${why.slice(0, 200)}` };
}

const CACHE_MS = 10 * 60_000;
const CACHE_ENTRIES = 5_000;

/** The system resolver with a short timeout and a small cache (answers and "no such name" alike). */
function cachedSystemResolver(): DnsResolver {
  const dns = new Resolver({ timeout: 2_000, tries: 2 });
  const cache = new Map<string, { until: number; answer: Promise<string[] | string[][]> }>();
  return (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.answer;
    const answer = dns.resolve(name, rrtype as 'TXT') as Promise<string[][]>;
    answer.catch((err: NodeJS.ErrnoException) => {
      // Only definite answers are kept: a timeout is asked again next time.
      if (err.code !== 'ENOTFOUND' && err.code !== 'ENODATA') cache.delete(key);
    });
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(key, { until: Date.now() + CACHE_MS, answer });
    return answer;
  };
}
