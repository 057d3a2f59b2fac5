import type { Db } from './client.js';
import { attachmentBlobs, attachments } from './schema.js';

/** A drizzle transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** What the store's reads and writes need: a transaction, or (reading only) the database itself. */
export type Queryable = Pick<Tx, 'select' | 'insert' | 'update' | 'delete' | 'execute' | '$with' | 'with'>;

/** Attachment rows for a message; content stored once per sha256. */
export async function insertAttachments(
  tx: Queryable,
  files: readonly { readonly messageRowId: number; readonly attachment: AttachmentInput }[],
  now: Date,
  /** Contents this change stored already (the inbound message's): not sent to Postgres again. */
  stored: ReadonlySet<string> = new Set(),
): Promise<void> {
  if (files.length === 0) return;
  const blobs = new Map<string, AttachmentInput>();
  for (const { attachment: a } of files) if (a.content !== null && !stored.has(a.sha256)) blobs.set(a.sha256, a);
  if (blobs.size > 0) {
    await tx
      .insert(attachmentBlobs)
      .values([...blobs.values()].map((a) => ({ sha256: a.sha256, size: a.size, content: a.content!, createdAt: now })))
      .onConflictDoNothing();
  }
  await tx.insert(attachments).values(
    files.map(({ messageRowId, attachment: a }) => ({
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


/* eslint-disable-next-line no-control-regex */
const NOT_IN_JSONB = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A value jsonb accepts: NUL and lone surrogates (which it refuses) replaced in every string, at any depth. */
export function jsonSafe<T>(value: T): T {
  if (typeof value === 'string') return value.replace(NOT_IN_JSONB, '\uFFFD') as T;
  if (Array.isArray(value)) return value.map(jsonSafe) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [jsonSafe(k), jsonSafe(v)])) as T;
  }
  return value;
}
