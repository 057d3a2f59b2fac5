import nodemailer, { type Transporter } from 'nodemailer';
import type { Config, MailboxConfig } from '../../config/schema.js';
import { AppError, isAppError } from '../../errors.js';
import type { Mailer } from '../../usecases/ports.js';
import type { MailboxTokens } from '../oauth/mailbox-tokens.js';
import { toSmtpError } from './errors.js';

/** Sends rendered mail through each mailbox's SMTP server, one connection pool per mailbox. */
export function createMailer(config: () => Config, tokens?: MailboxTokens): Mailer {
  const pools = new Map<string, { settings: string; transport: Transporter }>();

  const transportFor = (mailbox: MailboxConfig): Transporter => {
    const smtp = mailbox.smtp;
    if (!smtp) throw new AppError('SMTP_NOT_CONFIGURED', `mailbox ${mailbox.name} has no smtp settings: add smtp: { host, port } to it`);
    const settings = JSON.stringify(smtp);
    const existing = pools.get(mailbox.name);
    if (existing && existing.settings === settings) return existing.transport;
    existing?.transport.close();
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtpAuth(mailbox, tokens),
      tls: { rejectUnauthorized: smtp.tlsVerify },
      pool: true,
      maxConnections: 5,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    pools.set(mailbox.name, { settings, transport });
    return transport;
  };

  return {
    async send(mailboxName, envelope, raw) {
      const mailbox = config().mailboxes.find((m) => m.name === mailboxName);
      if (!mailbox) throw new AppError('SMTP_NOT_CONFIGURED', `mailbox ${mailboxName} is no longer configured`);
      const transport = transportFor(mailbox);
      try {
        // A token first: a refused grant is our error, before any connection is opened.
        if (mailbox.smtp?.auth) await oauthProvider(mailbox, tokens).accessToken();
        const info = await transport.sendMail({ envelope: { from: envelope.from, to: [...envelope.to] }, raw });
        return { accepted: (info.accepted ?? []).map(String), rejected: (info.rejected ?? []).map(String) };
      } catch (err) {
        throw tokenFailure(err) ?? toSmtpError(err, `sending through ${mailbox.smtp?.host}:${mailbox.smtp?.port}`);
      }
    },
    close() {
      for (const { transport } of pools.values()) transport.close();
      pools.clear();
    },
  };
}

/** nodemailer's auth: a password, or OAuth2 with tokens from our provider (its provisionCallback hook). */
function smtpAuth(mailbox: MailboxConfig, tokens: MailboxTokens | undefined) {
  const smtp = mailbox.smtp!;
  if (!smtp.auth) return smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined;
  const provider = oauthProvider(mailbox, tokens);
  let handed: string | null = null;
  return {
    type: 'OAuth2' as const,
    user: smtp.user ?? mailbox.imap.user,
    provisionCallback(_user: string, renew: boolean, done: (err: Error | null, token?: string, expires?: number) => void) {
      // `renew`: the server refused the token it had; our provider must not hand it out again.
      if (renew && handed) provider.invalidate(handed);
      provider.accessToken().then(
        (token) => {
          handed = token.token;
          done(null, token.token, token.expiresAt.getTime());
        },
        (err: unknown) => done(Object.assign(new Error((err as Error).message), { cause: err })),
      );
    },
  };
}

function oauthProvider(mailbox: MailboxConfig, tokens: MailboxTokens | undefined) {
  if (!tokens) throw new AppError('SMTP_NOT_CONFIGURED', `mailbox ${mailbox.name}: smtp.auth is OAuth2 but this process has no token provider`);
  return tokens.provider(mailbox.name, mailbox.smtp!.auth!);
}

/**
 * A token refresh that failed, however nodemailer wrapped it. Always
 * retryable here, even a refused grant: the mail waits in the outbox (with the
 * outbound backoff) for an operator to fix the grant, instead of failing at once.
 */
function tokenFailure(err: unknown): AppError | null {
  const found = isAppError(err, 'OAUTH_TOKEN') ? err : (err as { cause?: unknown } | null)?.cause;
  if (!isAppError(found, 'OAUTH_TOKEN')) return null;
  return found.retryable ? found : new AppError('OAUTH_TOKEN', found.message, { retryable: true, cause: found });
}
