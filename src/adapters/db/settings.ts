import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { toAppError, type Db } from './client.js';
import { settings } from './schema.js';

const TOKEN_KEY = 'reply_token_key';

/**
 * The reply-token key kept in the database: generated once (32 random bytes)
 * and shared by every daemon on this database, so tokens survive restarts.
 * Returns whether it was generated now.
 */
export async function storedTokenKey(db: Db): Promise<{ key: Buffer; generated: boolean }> {
  try {
    const inserted = await db
      .insert(settings)
      .values({ key: TOKEN_KEY, value: randomBytes(32).toString('hex') })
      .onConflictDoNothing()
      .returning({ value: settings.value });
    if (inserted[0]) return { key: Buffer.from(inserted[0].value, 'hex'), generated: true };
    const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, TOKEN_KEY));
    return { key: Buffer.from(row!.value, 'hex'), generated: false };
  } catch (err) {
    throw toAppError(err, 'reading the reply-token key');
  }
}
