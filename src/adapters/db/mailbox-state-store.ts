import { eq } from 'drizzle-orm';
import type { MailboxStateStore } from '../../usecases/ports.js';
import { toAppError, type Db } from './client.js';
import { mailboxState } from './schema.js';

/** Mailbox resume points in Postgres. */
export function createMailboxStateStore(db: Db): MailboxStateStore {
  return {
    async read(mailbox) {
      try {
        const [row] = await db.select().from(mailboxState).where(eq(mailboxState.mailbox, mailbox));
        return row ? { uidValidity: BigInt(row.uidValidity), lastUid: row.lastUid, existingUpTo: row.existingUpTo } : null;
      } catch (err) {
        throw toAppError(err, `reading state of mailbox ${mailbox}`);
      }
    },
    async write(mailbox, state) {
      const values = { mailbox, uidValidity: Number(state.uidValidity), lastUid: state.lastUid, updatedAt: new Date(), ...(state.existingUpTo === undefined ? {} : { existingUpTo: state.existingUpTo }) };
      try {
        // `existingUpTo` is kept when a write does not name it.
        const { mailbox: _key, ...set } = values;
        await db.insert(mailboxState).values(values).onConflictDoUpdate({ target: mailboxState.mailbox, set });
      } catch (err) {
        throw toAppError(err, `saving state of mailbox ${mailbox}`);
      }
    },
  };
}
