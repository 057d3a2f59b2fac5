import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import type { DnsResolver } from '../../src/adapters/mailauth/verify-sender.js';

/**
 * A DNS of our own for DKIM and DMARC in tests: a generated signing key per
 * domain, published under `sel._domainkey.<domain>`, and DMARC records as given.
 * Everything else does not exist.
 */
export interface TestDns {
  readonly resolver: DnsResolver;
  /** Signs a raw mail as `domain` (DKIM-Signature prepended). */
  sign(raw: string, domain: string): Promise<string>;
  /** Publishes `v=DMARC1; p=<policy>` for a domain. */
  dmarc(domain: string, policy: 'none' | 'quarantine' | 'reject'): void;
}

export function testDns(): TestDns {
  const keys = new Map<string, { privateKey: string; publicKey: string }>();
  const records = new Map<string, string>();
  const keyOf = (domain: string) => {
    let key = keys.get(domain);
    if (!key) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      key = {
        privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        publicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      };
      keys.set(domain, key);
      records.set(`sel._domainkey.${domain}`, `v=DKIM1; k=rsa; p=${key.publicKey}`);
    }
    return key;
  };
  return {
    resolver: async (name, rrtype) => {
      const record = rrtype === 'TXT' ? records.get(name.toLowerCase()) : undefined;
      if (record === undefined) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return [[record]];
    },
    async sign(raw, domain) {
      // mailauth reads `signatureData` (its type declarations name the fields at the top level, which it ignores).
      const options = { signatureData: [{ signingDomain: domain, selector: 'sel', privateKey: keyOf(domain).privateKey }] };
      const signed = await dkimSign(Buffer.from(raw), options as unknown as Parameters<typeof dkimSign>[1]);
      if (!signed.signatures) throw new Error(`signing as ${domain} failed: ${JSON.stringify(signed.errors)}`);
      return `${signed.signatures}${raw}`;
    },
    dmarc(domain, policy) {
      records.set(`_dmarc.${domain}`, `v=DMARC1; p=${policy}`);
    },
  };
}
