import { inject, afterEach, describe, expect, it } from 'vitest';
import { createDeliveryStore } from '../../src/adapters/db/delivery-store.js';
import { openDatabase, type Database } from '../../src/adapters/db/client.js';
import { createStore } from '../../src/adapters/db/store.js';
import { composeMail } from '../../src/adapters/smtp/compose.js';
import { createMailer } from '../../src/adapters/smtp/mailer.js';
import { parseConfig } from '../../src/config/load.js';
import { sendOutbound, type SendDeps } from '../../src/usecases/send-outbound.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.js';

let db: TestDatabase | null = null;
let database: Database | null = null;
let smtp: SmtpCapture | null = null;
let close: (() => void) | null = null;

afterEach(async () => {
  close?.();
  await database?.close();
  await smtp?.close();
  await db?.drop();
  db = database = smtp = close = null;
});

async function setup(): Promise<{ deps: SendDeps; row: (state: string, claimedAgoMs: number | null) => Promise<number> }> {
  db = await createTestDatabase(inject('templateDb'));
  smtp = await startSmtpCapture();
  database = openDatabase(db.url, { max: 4 });
  const text = [
    'mailboxes:',
    '  - { name: support, address: support@example.test, imap: { host: 127.0.0.1, user: u }, smtp: { host: 127.0.0.1, port: ' + smtp.port + ', secure: false } }',
    'outbound: { stuckAfter: 10m }',
  ].join('\n');
  const loaded = parseConfig(text, 'helpdesk.yaml', {});
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const config = loaded.config;
  const mailer = createMailer(() => config);
  close = () => mailer.close();
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const deps: SendDeps = {
    delivery: createDeliveryStore(database.db),
    store: createStore(database.db),
    mailer,
    compose: composeMail,
    outbox: { enqueue: async () => {}, requeue: async () => 0 },
    copyToSent: async () => {},
    config: () => config,
    now: () => new Date(),
    tokenKey: Buffer.alloc(32),
    log: silent,
  };
  let n = 0;
  const row = async (state: string, claimedAgoMs: number | null) => {
    const id = `claim-${n++}@example.test`;
    const raw = Buffer.from(`From: support@example.test\r\nTo: carol@customer.test\r\nSubject: hello\r\nMessage-ID: <${id}>\r\n\r\nhi\r\n`);
    const [inserted] = await db!.sql`
      insert into messages (direction, kind, message_id, from_address, "to", subject, raw, raw_size, mailbox, delivery_state, claimed_at)
      values ('out', 'auto_ack', ${id}, 'support@example.test', ${db!.sql.json([{ address: 'carol@customer.test', name: '' }])}, 'hello', ${raw}, ${raw.length}, 'support',
              ${state}::delivery_state, ${claimedAgoMs === null ? null : new Date(Date.now() - claimedAgoMs)})
      returning id::int`;
    return inserted!.id as number;
  };
  return { deps, row };
}

describe('at most one send per outbox row per attempt', () => {
  it('sends a row once when the same job runs twice at the same moment (a stalled job delivered again)', async () => {
    const { deps, row } = await setup();
    const id = await row('queued', null);
    const outcomes = await Promise.all([sendOutbound(deps, id, { final: false }), sendOutbound(deps, id, { final: false })]);
    expect(outcomes.sort()).toEqual(['sent', 'skipped']);
    expect(smtp!.mails).toHaveLength(1);
    expect(await sendOutbound(deps, id, { final: false })).toBe('skipped');
    expect(smtp!.attempts).toBe(1);
  });

  it('leaves a row another sender claimed a moment ago alone, and takes one whose sender died (claim older than stuckAfter)', async () => {
    const { deps, row } = await setup();
    const inFlight = await row('sending', 5_000);
    const abandoned = await row('sending', 11 * 60_000);
    expect(await sendOutbound(deps, inFlight, { final: false })).toBe('skipped');
    expect(await sendOutbound(deps, abandoned, { final: false })).toBe('sent');
    expect(smtp!.mails.map((m) => m.parsed.messageId)).toEqual(['<claim-1@example.test>']);
  });
});
