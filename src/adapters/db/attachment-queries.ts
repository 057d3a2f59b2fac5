import { and, asc, eq } from 'drizzle-orm';
import { toAppError, type Db } from './client.js';
import { attachments, messages, tickets } from './schema.js';

/**
 * A ticket's attachments, for `helpdesk attachments`. Metadata only: the bytes
 * are read one attachment at a time with web-queries' `attachmentContent`
 * (the web view's download), so a ticket with many large files never sits in
 * memory whole.
 */

export interface TicketAttachmentRow {
  /** The attachment's row id (`attachmentContent` reads its bytes by it). */
  readonly id: number;
  /** The message's row id (`messages.id`). */
  readonly messageId: number;
  readonly messageFrom: string | null;
  /** When the message was stored (its Date header is the sender's to write). */
  readonly messageDate: Date;
  /** As the mail named it: a stranger's text, never a path to use as it is. */
  readonly filename: string | null;
  /** As the mail declared it. */
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  /** False when it was over the size cap: only its metadata was kept. */
  readonly stored: boolean;
  readonly inline: boolean;
  readonly contentId: string | null;
}

export type TicketAttachments =
  | { readonly found: true; readonly rows: readonly TicketAttachmentRow[] }
  /** No ticket has the number, or `messageId` is not one of its messages. */
  | { readonly found: false; readonly missing: 'ticket' | 'message' };

/** The attachments of ticket `ticketNumber` (of its message `messageId` only, when given), by message, then attachment. */
export async function ticketAttachments(db: Db, ticketNumber: number, messageId?: number): Promise<TicketAttachments> {
  try {
    const [ticket] = await db.select({ id: tickets.id }).from(tickets).where(eq(tickets.number, ticketNumber));
    if (!ticket) return { found: false, missing: 'ticket' };
    if (messageId !== undefined) {
      const [message] = await db
        .select({ id: messages.id })
        .from(messages)
        .where(and(eq(messages.id, messageId), eq(messages.ticketId, ticket.id)));
      if (!message) return { found: false, missing: 'message' };
    }
    const rows = await db
      .select({
        id: attachments.id,
        messageId: attachments.messageId,
        messageFrom: messages.fromAddress,
        messageDate: messages.createdAt,
        filename: attachments.filename,
        contentType: attachments.contentType,
        size: attachments.size,
        sha256: attachments.sha256,
        stored: attachments.stored,
        inline: attachments.inline,
        contentId: attachments.contentId,
      })
      .from(attachments)
      .innerJoin(messages, eq(messages.id, attachments.messageId))
      .where(and(eq(messages.ticketId, ticket.id), messageId === undefined ? undefined : eq(messages.id, messageId)))
      .orderBy(asc(messages.id), asc(attachments.id));
    return { found: true, rows };
  } catch (err) {
    throw toAppError(err, `reading the attachments of ticket ${ticketNumber}`);
  }
}
