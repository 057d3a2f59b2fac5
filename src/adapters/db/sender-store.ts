import { asc, eq } from 'drizzle-orm';
import { storeCall, type Db } from './client.js';
import { blockedSenders } from './schema.js';
import type { Queryable } from './tx.js';

/** One entry of the database's block list (`helpdesk senders block`, `#spam block`). */
export interface BlockedSender {
  readonly pattern: string;
  readonly reason: string;
  /** `agent:<email>`, `cli`. */
  readonly addedBy: string;
  readonly createdAt: Date;
}

export interface NewBlockedSender {
  /** A valid pattern (senderPatternProblem); kept lower-cased. */
  readonly pattern: string;
  readonly reason?: string;
  readonly addedBy: string;
  /** When; the transaction's start when absent. */
  readonly now?: Date;
}

/** How long ingest trusts the list it read: a change by the CLI or by another daemon reaches it within this. */
export const BLOCKED_SENDER_TTL_MS = 10_000;

/** The database's block list, oldest first. */
export function listBlockedSenders(db: Queryable): Promise<BlockedSender[]> {
  return storeCall('listing blocked senders', () => db.select().from(blockedSenders).orderBy(asc(blockedSenders.createdAt), asc(blockedSenders.pattern)));
}

/**
 * Adds a pattern on a transaction (ingest's unit of work: it fits the
 * SenderBlocklist port as `block: (entry) => insertBlockedSender(tx, entry)`)
 * or on the database itself. Errors are left to the caller's translation,
 * like the unit of work's other writes. An existing pattern keeps its first
 * reason. Returns whether the pattern is new.
 */
export async function insertBlockedSender(tx: Queryable, entry: NewBlockedSender): Promise<boolean> {
  const inserted = await tx
    .insert(blockedSenders)
    .values({ pattern: entry.pattern.toLowerCase(), reason: entry.reason ?? '', addedBy: entry.addedBy, createdAt: entry.now })
    .onConflictDoNothing()
    .returning({ pattern: blockedSenders.pattern });
  return inserted.length > 0;
}

/** insertBlockedSender on its own, its errors translated. Returns whether the pattern is new. */
export function blockSender(db: Db, entry: NewBlockedSender): Promise<boolean> {
  return storeCall(`blocking ${entry.pattern}`, () => insertBlockedSender(db, entry));
}

/** Removes a pattern (compared in lower case). Returns whether it was there. */
export function unblockSender(db: Db, pattern: string): Promise<boolean> {
  return storeCall(`unblocking ${pattern}`, async () => {
    const deleted = await db.delete(blockedSenders).where(eq(blockedSenders.pattern, pattern.toLowerCase())).returning({ pattern: blockedSenders.pattern });
    return deleted.length > 0;
  });
}

export interface BlockedSenderCache {
  /**
   * The database's patterns, read at most once per TTL (concurrent callers share
   * one read). The same array comes back while the list is unchanged, so a
   * caller can keep what it compiled from it until the identity changes.
   */
  patterns(): Promise<readonly string[]>;
  /** Forget the list: the next call reads it (after this process changed it). */
  invalidate(): void;
}

/**
 * The block list as ingest reads it: not a query per mail but one per `ttlMs`.
 * A `helpdesk senders block`/`unblock` runs in another process and cannot tell
 * a running daemon, so the change takes effect there within the TTL (10 s by
 * default); a change made in this process calls invalidate() and counts at once.
 */
export function blockedSenderCache(db: Db, ttlMs = BLOCKED_SENDER_TTL_MS, clock: () => number = Date.now): BlockedSenderCache {
  let current: { readonly patterns: readonly string[]; readonly readAt: number } | null = null;
  let reading: Promise<readonly string[]> | null = null;
  // A read started before invalidate() may have missed the change: its result is returned but not kept.
  let generation = 0;

  async function read(): Promise<readonly string[]> {
    const started = generation;
    const readAt = clock();
    const rows = await listBlockedSenders(db);
    const fresh = rows.map((r) => r.pattern);
    const same = current !== null && fresh.length === current.patterns.length && fresh.every((p, i) => p === current!.patterns[i]);
    const patterns = same ? current!.patterns : Object.freeze(fresh);
    if (started === generation) current = { patterns, readAt };
    return patterns;
  }

  return {
    patterns() {
      if (current !== null && clock() - current.readAt < ttlMs) return Promise.resolve(current.patterns);
      if (reading === null) {
        const started: Promise<readonly string[]> = read().finally(() => {
          if (reading === started) reading = null;
        });
        reading = started;
      }
      return reading;
    },
    invalidate() {
      generation++;
      current = null;
      reading = null;
    },
  };
}
