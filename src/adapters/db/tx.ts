import type { Db } from './client.js';
import { attachmentBlobs, attachments } from './schema.js';

/** A drizzle transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Attachment rows for a message; content stored once per sha256. */
export async function insertAttachments(tx: Tx, messageRowId: number, list: readonly AttachmentInput[], now: Date): Promise<void> {
  if (list.length === 0) return;
  const blobs = list.filter((a) => a.content !== null);
  if (blobs.length > 0) {
    await tx
      .insert(attachmentBlobs)
      .values(blobs.map((a) => ({ sha256: a.sha256, size: a.size, content: a.content!, createdAt: now })))
      .onConflictDoNothing();
  }
  await tx.insert(attachments).values(
    list.map((a) => ({
      messageId: messageRowId,
      sha256: a.sha256,
      stored: a.content !== null,
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      contentId: a.contentId,
      inline: a.inline,
    })),
  );
}

export interface AttachmentInput {
  readonly sha256: string;
  readonly size: number;
  readonly content: Buffer | null;
  readonly filename: string | null;
  readonly contentType: string;
  readonly contentId: string | null;
  readonly inline: boolean;
}

