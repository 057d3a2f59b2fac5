import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../src/adapters/db/client.js';
import { batched, createDeliveryStore } from '../../src/adapters/db/delivery-store.js';
import { AppError, isAppError } from '../../src/errors.js';

/** A statement runner whose statements finish when the test says; each item is answered with ten times itself. */
function statements() {
  const runs: { items: readonly number[]; finish(): void; fail(err: unknown): void }[] = [];
  const run = (items: readonly number[]) =>
    new Promise<number[]>((resolve, reject) => {
      runs.push({ items, finish: () => resolve(items.map((i) => i * 10)), fail: reject });
    });
  return { run, runs, batches: () => runs.map((r) => r.items) };
}

/** Lets the batcher's next turn of the event loop happen. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('batched: the claims (or marks) of concurrent jobs share statements (group commit)', () => {
  it('sends a lone call at once, in a statement of its own', async () => {
    const s = statements();
    const call = batched(s.run);
    const answer = call(1);
    await Promise.resolve();
    expect(s.batches()).toEqual([[1]]);
    s.runs[0]!.finish();
    expect(await answer).toBe(10);
  });

  it('puts the calls of one tick in one statement, and those made while it runs in the next, each answered with its own result', async () => {
    const s = statements();
    const call = batched(s.run, { parallel: 1 });
    const first = [call(1), call(2), call(3)];
    await turn();
    const second = [call(4), call(5)];
    await turn();
    expect(s.batches()).toEqual([[1, 2, 3]]);

    s.runs[0]!.finish();
    expect(await Promise.all(first)).toEqual([10, 20, 30]);
    await turn();
    expect(s.batches()).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    s.runs[1]!.finish();
    expect(await Promise.all(second)).toEqual([40, 50]);
  });

  it('lets a few jobs at a time go without waiting: calls wait only while `parallel` statements are in flight', async () => {
    const s = statements();
    const call = batched(s.run, { parallel: 2 });
    const answers = [call(1)];
    await turn();
    answers.push(call(2));
    await turn();
    answers.push(call(3), call(4));
    await turn();
    expect(s.batches()).toEqual([[1], [2]]);

    s.runs[1]!.finish();
    await turn();
    expect(s.batches()).toEqual([[1], [2], [3, 4]]);
    s.runs[0]!.finish();
    s.runs[2]!.finish();
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40]);
  });

  it('fails every call of a failed statement with its error, and sends the next calls in a new statement', async () => {
    const s = statements();
    const call = batched(s.run);
    const outage = new AppError('DB_UNAVAILABLE', 'database unavailable for now', { retryable: true });
    const failed = [call(1), call(2)].map((p) => p.catch((err: unknown) => err));
    await turn();
    s.runs[0]!.fail(outage);
    expect(await Promise.all(failed)).toEqual([outage, outage]);

    const retried = call(1);
    await turn();
    expect(s.batches()).toEqual([[1, 2], [1]]);
    s.runs[1]!.finish();
    expect(await retried).toBe(10);
  });

  it('carries at most maxBatch calls per statement', async () => {
    const s = statements();
    const call = batched(s.run, { maxBatch: 2, parallel: 1 });
    const all = Promise.all([1, 2, 3].map(call));
    await turn();
    s.runs[0]!.finish();
    await turn();
    await turn();
    s.runs[1]!.finish();
    expect(await all).toEqual([10, 20, 30]);
    expect(s.batches()).toEqual([[1, 2], [3]]);
  });

  it('does not let a statement stuck longer than stallMs (a lock wait, a dying connection) hold the next back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    const s = statements();
    const call = batched(s.run, { parallel: 1, stallMs: 1_000 });
    void call(1);
    await turn();
    const next = call(2);
    await vi.advanceTimersByTimeAsync(900);
    await turn();
    expect(s.batches()).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(200);
    await turn();
    expect(s.batches()).toEqual([[1], [2]]);
    s.runs[1]!.finish();
    expect(await next).toBe(20);
  });
});

/**
 * A database that answers the delivery store's two statements from a script: every row asked for is
 * claimable; the next `outages` marks fail as a terminated connection does (57P01).
 */
function scriptedDatabase() {
  const dialect = new PgDialect();
  const statements: { kind: 'claim' | 'mark'; ids: number[] }[] = [];
  const state = { outages: 0 };
  const idsOf = (literal: unknown) => String(literal).replace(/[{}]/g, '').split(',').filter(Boolean).map(Number);
  const execute = async (query: SQL) => {
    const { sql, params } = dialect.sqlToQuery(query);
    if (sql.startsWith("update messages set delivery_state = 'sent'")) {
      statements.push({ kind: 'mark', ids: idsOf(params[1]) });
      if (state.outages-- > 0) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      return [];
    }
    if (!sql.startsWith("update messages set delivery_state = 'sending'")) throw new Error(`unexpected statement: ${sql}`);
    const ids = idsOf(params[1]);
    statements.push({ kind: 'claim', ids });
    return ids.map((id) => ({ id: String(id), ticket_id: '7', kind: 'auto_ack', mailbox: 'support', message_id: `m${id}@x`, from_address: 'support@x', to: [{ address: 'c@y', name: '' }], cc: [], raw: Buffer.from('x'), attempts: 1 }));
  };
  return { db: { execute } as unknown as Db, statements, state };
}

describe('createDeliveryStore: batched statements on a scripted database', () => {
  const now = new Date('2026-03-02T10:00:00Z');
  const stuckBefore = new Date('2026-03-02T09:50:00Z');

  it('claims the rows of concurrent jobs in one statement, and gives a row asked for twice to the first request only', async () => {
    const { db, statements } = scriptedDatabase();
    const store = createDeliveryStore(db);
    const claimed = await Promise.all([store.claim(3, now, stuckBefore), store.claim(1, now, stuckBefore), store.claim(3, now, stuckBefore)]);
    expect(statements).toEqual([{ kind: 'claim', ids: [1, 3] }]);
    expect(claimed.map((c) => c && { id: c.id, ticketId: c.ticketId, recipients: c.recipients })).toEqual([
      { id: 3, ticketId: 7, recipients: ['c@y'] },
      { id: 1, ticketId: 7, recipients: ['c@y'] },
      null,
    ]);
  });

  it('marks the rows of concurrent jobs sent in one statement', async () => {
    const { db, statements } = scriptedDatabase();
    const store = createDeliveryStore(db);
    await Promise.all([store.markSent(2, now), store.markSent(1, now)]);
    expect(statements).toEqual([{ kind: 'mark', ids: [1, 2] }]);
  });

  it('refuses, without asking the database, a claim of a row whose mark failed in an outage, until the mark lands', async () => {
    const { db, statements, state } = scriptedDatabase();
    const store = createDeliveryStore(db);
    state.outages = 1;
    const outage = await store.markSent(5, now).catch((err: unknown) => err);
    expect(isAppError(outage, 'DB_UNAVAILABLE') && outage.retryable).toBe(true);

    expect(await store.claim(5, now, stuckBefore)).toBeNull();
    expect(statements).toEqual([{ kind: 'mark', ids: [5] }]);

    await store.markSent(5, now);
    expect(await store.claim(5, now, stuckBefore)).not.toBeNull();
    expect(statements.map((s) => s.kind)).toEqual(['mark', 'mark', 'claim']);
  });
});
