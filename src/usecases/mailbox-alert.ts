import { agentsOfTicket } from '../domain/agents.js';
import type { Config, MailboxConfig, OAuth2Auth } from '../config/schema.js';
import { GENERATED_HEADERS, pendingMail, queueLooseMail, type MailContext } from './outbound-mail.js';
import type { ComposeMail, Logger, OutboxQueue, Store } from './ports.js';
import { runChange } from './save-change.js';

export interface MailboxAlertDeps {
  readonly store: Store;
  readonly outbox?: OutboxQueue;
  readonly compose: ComposeMail;
  readonly tokenKey: Buffer;
  readonly config: () => Config;
  readonly now: () => Date;
  readonly log: Logger;
}

export interface MailboxAlert {
  readonly mailbox: string;
  /** Why it cannot sign in, as the token endpoint said it (no secrets). */
  readonly reason: string;
  /** When signing in last worked, if known: a notice written since then (by any daemon) is this streak's. */
  readonly since: Date | null;
}

export type MailboxAlertOutcome = 'queued' | 'already-told' | 'no-agents' | 'no-smtp' | 'unknown-mailbox';

/** Recorded with the automated-mail counters (`notice:` kinds never count against customers' limits). */
export const SIGN_IN_NOTICE = 'notice:mailbox-sign-in';

/**
 * Tells the agents of a mailbox's department, in one mail through the
 * durable outbox, that the mailbox cannot sign in (its OAuth2 grant fails).
 * Once per streak: a notice recorded since `since` (else within the
 * automated-mail window) means they were told already — by this daemon or
 * another, before a restart or not. Serialised per mailbox by the store's lock.
 */
export async function alertMailboxSignIn(deps: MailboxAlertDeps, alert: MailboxAlert): Promise<MailboxAlertOutcome> {
  const result = await runChange(deps, `mailbox-alert:${alert.mailbox}`, async (uow) => {
    const config = deps.config();
    const now = deps.now();
    const broken = config.mailboxes.find((m) => m.name === alert.mailbox);
    if (!broken) return { outcome: 'unknown-mailbox' as const, outboxIds: [] };
    const agents = agentsOfTicket(config.agents, { assignee: null, department: broken.department });
    if (agents.length === 0) return { outcome: 'no-agents' as const, outboxIds: [] };
    const sender = noticeSender(config, broken);
    if (!sender) return { outcome: 'no-smtp' as const, outboxIds: [] };
    const since = alert.since ?? new Date(now.getTime() - config.autoAcknowledge.limits.window);
    if ((await uow.counters.countNotices(SIGN_IN_NOTICE, broken.name, since)).sameKey > 0) return { outcome: 'already-told' as const, outboxIds: [] };
    const ctx: MailContext = { uow, config, now, deps, pending: pendingMail() };
    const notice = signInNotice(broken, alert.reason);
    await queueLooseMail(ctx, sender.name, {
      kind: 'notification',
      from: { address: sender.address, name: sender.name },
      to: agents.map((a) => ({ address: a.email, name: a.name })),
      ...notice,
      headers: GENERATED_HEADERS,
    });
    ctx.pending.automated.push({ address: broken.name, ticketId: null, kind: SIGN_IN_NOTICE, mailbox: null });
    const saved = await uow.tickets.save({ now, events: [], outbox: ctx.pending.outbox, automated: ctx.pending.automated });
    return { outcome: 'queued' as const, outboxIds: saved.outboxIds };
  });
  return result.outcome;
}

/**
 * The mailbox whose SMTP sends the notice: the broken one when its SMTP does
 * not use a broken grant (a password), else another mailbox whose SMTP uses
 * none of them, else the broken one after all — its notice then waits in the
 * outbox, retried with backoff, and goes out if the grant works again before
 * the attempts run out. Null when no mailbox has SMTP at all.
 */
export function noticeSender(config: Pick<Config, 'mailboxes'>, broken: MailboxConfig): MailboxConfig | null {
  const grants = [broken.imap.auth, broken.smtp?.auth].filter((g): g is OAuth2Auth => g !== undefined);
  const independent = (m: MailboxConfig) => m.smtp !== undefined && !grants.some((g) => sameGrant(m.smtp?.auth, g));
  if (independent(broken)) return broken;
  return config.mailboxes.find(independent) ?? (broken.smtp ? broken : null);
}

function sameGrant(a: OAuth2Auth | undefined, b: OAuth2Auth): boolean {
  return a !== undefined && a.tokenUrl === b.tokenUrl && a.clientId === b.clientId && a.refreshToken === b.refreshToken;
}

function signInNotice(broken: MailboxConfig, reason: string): { subject: string; text: string } {
  const smtpBroken = broken.smtp?.auth !== undefined;
  return {
    subject: `Mailbox ${broken.address} cannot sign in`,
    text: [
      `The helpdesk cannot get an OAuth2 access token for the mailbox "${broken.name}" <${broken.address}>:`,
      `  ${reason}`,
      '',
      'Until this is fixed:',
      `- new mail to ${broken.address} is not read: it waits on the server, nothing is lost;`,
      smtpBroken
        ? `- mail sent from ${broken.address} waits in the outbox and is retried; if it is not fixed before the retries run out, that mail fails.`
        : `- mail from ${broken.address} is still sent (its SMTP signs in with a password).`,
      '',
      'An administrator must authorize the mailbox again (a new refresh token) or fix the app',
      "registration's client id or secret, put it in the daemon's environment, and restart the daemon.",
      '',
      'You get this notice once; another comes only if signing in breaks again after it worked.',
    ].join('\n'),
  };
}
