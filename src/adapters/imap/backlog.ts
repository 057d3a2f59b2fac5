import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { MailboxConfig } from '../../config/schema.js';
import type { MailboxSession } from '../../usecases/ports.js';
import type { SignInCredentials } from '../oauth/mailbox-tokens.js';
import { imapClientOptions } from './client-options.js';
import { toImapError } from './errors.js';
import { imapSession } from './session.js';

/**
 * A folder opened read-only for a backlog import: the messages since a date
 * (all without one), in UID order. Nothing on the server changes: no flags,
 * no moves.
 */
export async function openBacklog(
  mailbox: MailboxConfig,
  folder: string,
  since: Date | null,
  options: { readonly log: Logger; readonly credentials: () => Promise<SignInCredentials> },
): Promise<{ readonly session: MailboxSession; readonly messages: number; close(): Promise<void> }> {
  const client = new ImapFlow({ ...imapClientOptions(mailbox, options.log, await options.credentials()), disableAutoIdle: true });
  client.on('error', (err: Error) => options.log.warn({ error: { message: err.message } }, 'IMAP connection error'));
  try {
    await client.connect();
    await client.mailboxOpen(folder, { readOnly: true });
  } catch (err) {
    client.close();
    throw toImapError(err, `mailbox ${mailbox.name}, folder ${folder}`);
  }
  const inner = imapSession(client, { processed: null, quarantine: null });
  let wanted: Set<number> | null = null;
  if (since) {
    try {
      wanted = new Set((await client.search({ since }, { uid: true })) || []);
    } catch (err) {
      client.close();
      throw toImapError(err, `searching ${folder} for mail since ${since.toISOString().slice(0, 10)}`);
    }
  }
  const session: MailboxSession = {
    get uidValidity() {
      return inner.uidValidity;
    },
    async listNewMessages(afterUid) {
      const found = await inner.listNewMessages(afterUid);
      return wanted ? found.filter((m) => wanted!.has(m.uid)) : found;
    },
    fetchSources: (uids, maxBytes) => inner.fetchSources(uids, maxBytes),
    // An import reads; the mailbox stays as it is.
    markProcessed: async () => undefined,
    markQuarantined: async () => undefined,
  };
  return {
    session,
    messages: wanted ? wanted.size : (client.mailbox ? client.mailbox.exists : 0),
    async close() {
      await client.logout().catch(() => client.close());
    },
  };
}
