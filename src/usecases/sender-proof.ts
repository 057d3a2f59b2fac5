import { authenticatedSender } from '../domain/auth-results.js';
import { signatureProvesSender } from '../domain/sender-auth.js';
import type { Config } from '../config/schema.js';
import type { Inbound } from './inbound.js';

/**
 * Whether the mail's From is proven: a DKIM/DMARC pass we verified, or our
 * receiving server's topmost Authentication-Results (when `trustedAuthServer`
 * is set). From alone proves nothing.
 */
export function senderProven(inbound: Pick<Inbound, 'parsed' | 'senderAuth'>, config: Config): boolean {
  const ctx = { ...inbound, config };
  const from = ctx.parsed.from?.address;
  if (!from || !ctx.parsed.singleFrom) return false;
  if (signatureProvesSender(ctx.senderAuth, from, true)) return true;
  const trusted = ctx.config.trustedAuthServer;
  return trusted !== undefined && authenticatedSender(ctx.parsed.facts.headers.get('authentication-results') ?? [], trusted, from);
}
