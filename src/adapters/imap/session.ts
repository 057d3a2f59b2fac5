import type { ImapFlow, MailboxObject } from 'imapflow';
import type { MailboxSession } from '../../usecases/ports.js';
import { toImapError } from './errors.js';

/** The sync use case's view of an open folder on an imapflow connection. */
export function imapSession(client: ImapFlow, folders: { processed: string | null; quarantine: string | null }): MailboxSession {
  const opened = (): MailboxObject => {
    if (!client.mailbox) throw toImapError(new Error('no folder is open'), 'reading mailbox');
    return client.mailbox;
  };
  return {
    get uidValidity() {
      return BigInt(opened().uidValidity);
    },

    async listNewMessages(afterUid) {
      if (opened().exists === 0) return [];
      try {
        // `N:*` also returns the highest message when N is past it (RFC 3501 §6.4.8): filter.
        const found = await client.fetchAll(`${afterUid + 1}:*`, { uid: true, size: true }, { uid: true });
        return found
          .filter((m) => m.uid > afterUid)
          .map((m) => ({ uid: m.uid, size: m.size ?? 0 }))
          .sort((a, b) => a.uid - b.uid);
      } catch (err) {
        throw toImapError(err, 'listing new messages');
      }
    },

    async fetchSources(uids, maxBytes) {
      if (uids.length === 0) return [];
      try {
        const found = await client.fetchAll(uids.join(','), { uid: true, size: true, internalDate: true, source: { maxLength: maxBytes } }, { uid: true });
        return found
          .filter((m) => m.source !== undefined)
          .map((m) => ({ uid: m.uid, size: m.size ?? m.source!.length, source: m.source!, arrivedAt: arrival(m.internalDate) }))
          .sort((a, b) => a.uid - b.uid);
      } catch (err) {
        throw toImapError(err, 'fetching messages');
      }
    },

    markProcessed: (uids) => moveOrFlag(client, uids, folders.processed),
    markQuarantined: (uids) => moveOrFlag(client, uids, folders.quarantine),
  };
}

/** INTERNALDATE: when the server received the message. */
function arrival(internalDate: Date | string | undefined): Date | null {
  if (internalDate === undefined) return null;
  const date = new Date(internalDate);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Moves messages to `folder`, or flags them `\Seen` when there is none. */
async function moveOrFlag(client: ImapFlow, uids: readonly number[], folder: string | null): Promise<void> {
  if (uids.length === 0) return;
  try {
    if (folder) await client.messageMove(uids.join(','), folder, { uid: true });
    else await client.messageFlagsAdd(uids.join(','), ['\\Seen'], { uid: true });
  } catch (err) {
    throw toImapError(err, folder ? `moving messages to ${folder}` : 'flagging messages \\Seen');
  }
}
