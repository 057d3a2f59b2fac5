import { createHash } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import type { Quarantine, QuarantinedMail } from '../../usecases/ports.js';
import { storeCall, type Db } from './client.js';
import { quarantine } from './schema.js';

const LISTED = {
  id: quarantine.id,
  mailbox: quarantine.mailbox,
  uidValidity: quarantine.uidValidity,
  uid: quarantine.uid,
  size: quarantine.size,
  errorCode: quarantine.errorCode,
  errorMessage: quarantine.errorMessage,
  attempts: quarantine.attempts,
  firstSeenAt: quarantine.firstSeenAt,
  lastSeenAt: quarantine.lastSeenAt,
  replayAttempts: quarantine.replayAttempts,
};

type Row = { [K in keyof typeof LISTED]: (typeof LISTED)[K]['_']['data'] };

function toEntry(row: Row): QuarantinedMail {
  return { ...row, uidValidity: BigInt(row.uidValidity) };
}

/** The quarantine in Postgres: one row per mailbox, UIDVALIDITY and UID. */
export function createQuarantine(db: Db): Quarantine {
  return {
    hold: (entry, now) =>
      storeCall(`keeping message ${entry.uid} of ${entry.mailbox} in the quarantine`, async () => {
        const [row] = await db
          .insert(quarantine)
          .values({
            mailbox: entry.mailbox,
            uidValidity: Number(entry.uidValidity),
            uid: entry.uid,
            size: entry.size,
            raw: entry.raw,
            rawSha256: createHash('sha256').update(entry.raw).digest('hex'),
            errorCode: entry.errorCode,
            errorMessage: entry.errorMessage.slice(0, 1_000),
            attempts: entry.attempts,
            firstSeenAt: now,
            lastSeenAt: now,
          })
          .onConflictDoUpdate({
            target: [quarantine.mailbox, quarantine.uidValidity, quarantine.uid],
            set: {
              attempts: sql`${quarantine.attempts} + excluded.attempts`,
              errorCode: sql`excluded.error_code`,
              errorMessage: sql`excluded.error_message`,
              lastSeenAt: sql`excluded.last_seen_at`,
            },
          })
          .returning({ id: quarantine.id });
        return row!.id;
      }),
    list: () =>
      storeCall('listing the quarantine', async () => {
        const rows = await db.select(LISTED).from(quarantine).orderBy(asc(quarantine.id));
        return rows.map(toEntry);
      }),
    source: (id) =>
      storeCall(`reading quarantined message ${id}`, async () => {
        const [row] = await db.select({ ...LISTED, raw: quarantine.raw }).from(quarantine).where(eq(quarantine.id, id));
        if (!row) return null;
        const { raw, ...entry } = row;
        return { entry: toEntry(entry), raw };
      }),
    release: (id) =>
      storeCall(`removing quarantined message ${id}`, async () => {
        await db.delete(quarantine).where(eq(quarantine.id, id));
      }),
    replayFailed: (id, error, now) =>
      storeCall(`recording a failed replay of quarantined message ${id}`, async () => {
        await db
          .update(quarantine)
          .set({ replayAttempts: sql`${quarantine.replayAttempts} + 1`, errorCode: error.code, errorMessage: error.message.slice(0, 1_000), lastSeenAt: now })
          .where(eq(quarantine.id, id));
      }),
  };
}
