import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { messages } from './schema.js';

/**
 * Postgres refuses a btree entry over 2 704 bytes, and a sender may write a
 * Message-ID of any length. Ids longer than this are looked up by their hash;
 * the id as written is kept beside it (message_id_full).
 */
const MAX_KEY_BYTES = 512;

/** The key a Message-ID is stored and looked up under: itself, or `sha256:<hex>` when long (no real id lacks an @). */
export function messageKey(id: string): string {
  if (Buffer.byteLength(id, 'utf8') <= MAX_KEY_BYTES) return id;
  return `sha256:${createHash('sha256').update(id, 'utf8').digest('hex')}`;
}

/** The two columns one Message-ID is stored in. */
export function messageIdColumns(id: string | null): { messageId: string | null; messageIdFull: string | null } {
  if (id === null) return { messageId: null, messageIdFull: null };
  const key = messageKey(id);
  return { messageId: key, messageIdFull: key === id ? null : id };
}

/** The Message-ID as written, for reading back. */
export const fullMessageId: SQL<string | null> = sql<string | null>`coalesce(${messages.messageIdFull}, ${messages.messageId})`;

/** `message_id = any($1)` for a set of ids: one parameter however many ids (not one per id: a statement takes 65 534). */
export function messageIdIn(ids: readonly string[]): SQL {
  return sql`${messages.messageId} = any(${textArray([...new Set(ids.map(messageKey))])}::text[])`;
}

/** A text[] literal (`{"a","b"}`): postgres.js, without its type fetch, sends arrays only as such text. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}
