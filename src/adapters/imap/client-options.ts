import type { ImapFlowOptions } from 'imapflow';
import type { Logger } from 'pino';
import type { MailboxConfig } from '../../config/schema.js';
import type { SignInCredentials } from '../oauth/mailbox-tokens.js';

/** How long IMAP may stay quiet after our last command before IDLE starts. */
const AUTO_IDLE_DELAY_MS = 250;

/** The port of a mailbox's IMAP server: configured, or 993 with TLS, 143 without. */
export function imapPort(mailbox: MailboxConfig): number {
  return mailbox.imap.port ?? (mailbox.imap.secure ? 993 : 143);
}

/** imapflow's options for a mailbox, signing in with a password or an access token. */
export function imapClientOptions(mailbox: MailboxConfig, log: Logger, auth: SignInCredentials): ImapFlowOptions {
  const { imap } = mailbox;
  return {
    host: imap.host,
    port: imapPort(mailbox),
    secure: imap.secure,
    auth,
    tls: { rejectUnauthorized: imap.tlsVerify },
    logger: log.isLevelEnabled('debug') ? (log.child({ component: 'imapflow' }) as never) : false,
    disableAutoIdle: !imap.idle,
    autoIdleDelay: AUTO_IDLE_DELAY_MS,
    connectionTimeout: 30_000,
    greetingTimeout: 16_000,
    clientInfo: { name: 'helpdesk' },
    maxLockHoldTime: false,
  };
}
