import type { OAuth2Auth } from '../../config/schema.js';
import { AppError } from '../../errors.js';
import { createTokenProvider, type TokenEvent, type TokenProvider, type TokenProviderOptions } from './token-provider.js';

/** Scopes sent with each refresh when the config names none: Microsoft wants them, Google keeps the grant's own. */
const DEFAULT_SCOPES: Readonly<Record<OAuth2Auth['provider'], string | undefined>> = {
  google: undefined,
  microsoft: 'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access',
  custom: undefined,
};

export type MailboxTokenEvents = (mailbox: string, event: TokenEvent) => void;

/**
 * The daemon's token providers, one per grant: a mailbox's IMAP and SMTP
 * naming the same grant (tokenUrl, clientId, refreshToken, scope) share one,
 * so they share its cache, its single refresh and a rotated refresh token.
 * Providers live as long as the daemon.
 */
export interface MailboxTokens {
  provider(mailbox: string, auth: OAuth2Auth): TokenProvider;
  /** Where the providers' events go (health, metrics, logs, the agents' notice), once that is wired. */
  listen(handler: MailboxTokenEvents): void;
  close(): void;
}

export function createMailboxTokens(options: Pick<TokenProviderOptions, 'retry' | 'timeoutMs' | 'fetch'> = {}): MailboxTokens {
  const providers = new Map<string, { provider: TokenProvider; mailboxes: Set<string> }>();
  let handler: MailboxTokenEvents = () => undefined;
  return {
    provider(mailbox, auth) {
      const scope = auth.scope ?? DEFAULT_SCOPES[auth.provider];
      const key = JSON.stringify([auth.tokenUrl, auth.clientId, auth.refreshToken, scope ?? null]);
      let entry = providers.get(key);
      if (!entry) {
        const mailboxes = new Set<string>();
        const provider = createTokenProvider({
          ...options,
          grant: { tokenUrl: auth.tokenUrl, clientId: auth.clientId, clientSecret: auth.clientSecret, refreshToken: auth.refreshToken, ...(scope ? { scope } : {}) },
          label: `mailbox ${mailbox}`,
          onEvent: (event) => mailboxes.forEach((name) => handler(name, event)),
        });
        entry = { provider, mailboxes };
        providers.set(key, entry);
      }
      entry.mailboxes.add(mailbox);
      return entry.provider;
    },
    listen(next) {
      handler = next;
    },
    close() {
      for (const { provider } of providers.values()) provider.close();
      providers.clear();
    },
  };
}

/** How a mail client signs in: a password, or an OAuth2 access token (XOAUTH2 / OAUTHBEARER). */
export type SignInCredentials = { readonly user: string; readonly pass: string } | { readonly user: string; readonly accessToken: string };

export interface SignIn {
  readonly credentials: SignInCredentials;
  /** The server refused these credentials: an access token is not used again. */
  rejected(): void;
}

/**
 * The credentials for one connection: the password, or a fresh access token
 * (throws AppError OAUTH_TOKEN when none can be had).
 */
export async function signIn(
  mailbox: string,
  settings: { readonly user: string; readonly password: string | null; readonly auth?: OAuth2Auth },
  tokens: MailboxTokens | undefined,
): Promise<SignIn> {
  if (!settings.auth) return { credentials: { user: settings.user, pass: settings.password ?? '' }, rejected: () => undefined };
  if (!tokens) throw new AppError('OAUTH_TOKEN', `mailbox ${mailbox}: OAuth2 is configured but this process has no token provider`);
  const provider = tokens.provider(mailbox, settings.auth);
  const { token } = await provider.accessToken();
  return { credentials: { user: settings.user, accessToken: token }, rejected: () => provider.invalidate(token) };
}
