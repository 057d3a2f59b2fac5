/**
 * What every entry point reads first: the environment and the config file.
 * Kept apart from main.ts so a CLI command that needs only these (`config
 * check`, `tickets list`) starts without loading the daemon.
 */
import type { DnsResolver } from './adapters/mailauth/verify-sender.js';
import type { Config } from './config/schema.js';
import { parseDuration } from './domain/duration.js';
import { AppError } from './errors.js';

/** Settings that come from the environment (README, "Command line": Environment). */
export interface Environment {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Prefix of every Redis key, so several installations (or tests) can share one Redis. */
  readonly queuePrefix: string;
  /** HELPDESK_TOKEN_KEY; when unset a key is generated once and kept in the database. */
  readonly tokenKey: string | null;
  /** How long a daemon's hold on a mailbox lasts unless renewed (default 30 s): a stopped daemon's mailboxes move on within it. */
  readonly mailboxLeaseMs?: number;
  readonly configFile: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** DNS for DKIM keys and DMARC records; the system resolver when absent (tests give a stub). */
  readonly dnsResolver?: DnsResolver;
  /** Backoff after a failed OAuth2 token refresh (default 5 s doubling to 30 min; a refused grant waits 10× longer); tests shorten it. */
  readonly oauthRetry?: { readonly initialMs: number; readonly maxMs: number };
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/helpdesk';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Reads the process environment. The only place that does. */
export function readEnvironment(configOption?: string): Environment {
  return {
    databaseUrl: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    redisUrl: process.env.REDIS_URL || DEFAULT_REDIS_URL,
    queuePrefix: process.env.HELPDESK_QUEUE_PREFIX || 'helpdesk',
    tokenKey: process.env.HELPDESK_TOKEN_KEY || null,
    mailboxLeaseMs: parseDuration(process.env.HELPDESK_MAILBOX_LEASE ?? '') ?? undefined,
    configFile: configOption ?? process.env.HELPDESK_CONFIG ?? 'helpdesk.yaml',
    env: process.env,
  };
}

/** Loads and validates the config, or throws CONFIG_INVALID listing every problem. */
export async function loadConfigOrThrow(environment: Environment): Promise<Config> {
  // Loaded here, not above: a command that reads only the environment (`tickets list`) skips yaml and zod.
  const { formatProblem, loadConfigFile } = await import('./config/load.js');
  const loaded = await loadConfigFile(environment.configFile, environment.env);
  if (!loaded.ok) {
    throw new AppError('CONFIG_INVALID', loaded.problems.map(formatProblem).join('\n'));
  }
  return loaded.config;
}
