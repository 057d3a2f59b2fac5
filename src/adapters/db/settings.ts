import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { Environment } from '../../environment.js';
import type { Logger } from '../../usecases/ports.js';
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

/** The reply-token key: HELPDESK_TOKEN_KEY, else the one generated once and kept in the database. */
export async function resolveTokenKey(environment: Pick<Environment, 'tokenKey'>, database: { readonly db: Db }, log: Pick<Logger, 'warn'>, warn = true): Promise<Buffer> {
  if (environment.tokenKey) {
    if (environment.tokenKey.length < 16) throw new AppError('CONFIG_INVALID', 'HELPDESK_TOKEN_KEY must be at least 16 characters');
    return createHash('sha256').update(environment.tokenKey).digest();
  }
  const { key, generated } = await storedTokenKey(database.db);
  // The key itself is never printed.
  if (warn) {
    log.warn(
      { generated },
      'HELPDESK_TOKEN_KEY is not set: reply tokens are signed with a key kept in the database, so a copy of the database is enough to forge agent replies; set HELPDESK_TOKEN_KEY (16 characters or more) to keep the key out of it',
    );
  }
  return key;
}
