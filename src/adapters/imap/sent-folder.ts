import { ImapFlow } from 'imapflow';
import type { Config } from '../../config/schema.js';
import type { CopyToSentFolder } from '../../usecases/ports.js';
import { signIn, type MailboxTokens } from '../oauth/mailbox-tokens.js';
import { toImapError } from './errors.js';

/** APPENDs a copy of a sent mail to the mailbox's `imap.sentFolder`, on a short connection of its own. */
export function sentFolderCopier(config: () => Config, tokens?: MailboxTokens): CopyToSentFolder {
  return async (mailboxName, raw) => {
    const mailbox = config().mailboxes.find((m) => m.name === mailboxName);
    const folder = mailbox?.imap.sentFolder;
    if (!mailbox || !folder) return;
    const { imap } = mailbox;
    const { credentials } = await signIn(mailbox.name, imap, tokens);
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port ?? (imap.secure ? 993 : 143),
      secure: imap.secure,
      auth: credentials,
      tls: { rejectUnauthorized: imap.tlsVerify },
      logger: false,
      disableAutoIdle: true,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const list = await client.list();
      if (!list.some((box) => box.path === folder)) await client.mailboxCreate(folder);
      await client.append(folder, raw, ['\\Seen']);
    } catch (err) {
      throw toImapError(err, `copying to ${folder}`);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };
}
