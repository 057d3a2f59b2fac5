import { UnrecoverableError, type Job } from 'bullmq';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toSmtpError } from '../../src/adapters/smtp/errors.js';
import { AppError, isAppError } from '../../src/errors.js';
import type { Store, Ticket, TicketSave, UnitOfWork } from '../../src/usecases/ports.js';
import { reconcileOutbox, sendOutbound, type SendDeps } from '../../src/usecases/send-outbound.js';
import { outboundProcessor } from '../../workers/outbound.js';
import { parseOk } from '../support/config-text.js';
import { FakeDeliveryStore, FakeMailer, FakeOutboxQueue } from '../support/fake-delivery.js';
import { aTicket } from '../support/ticket.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const MINUTE = 60_000;

const config = parseOk([
  'mailboxes:',
  '  - { name: support, address: support@example.test, imap: { host: 127.0.0.1, user: u }, smtp: { host: 127.0.0.1, port: 2525, secure: false } }',
  'agents:',
  '  - { name: Alice, email: alice@example.test, departments: [general] }',
  'outbound: { stuckAfter: 10m }',
]);

const ticket: Ticket = aTicket(NOW, { number: 1042, subject: 'The printer is on fire' });

/** SMTP failures as the mailer reports them: through toSmtpError, which classifies them (errors.ts). */
const smtp = {
  greylisted: () => toSmtpError({ responseCode: 451, response: '451 4.7.1 greylisted, try again later', command: 'RCPT TO' }, 'sending through 127.0.0.1:2525'),
  unknownUser: () => toSmtpError({ responseCode: 550, response: '550 5.1.1 no such user', command: 'RCPT TO' }, 'sending through 127.0.0.1:2525'),
  connectionLost: () => toSmtpError({ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }, 'sending through 127.0.0.1:2525'),
};

/**
 * The ticket side of a failed delivery, in memory: what send-outbound's failure path reads and saves
 * in its transaction (the row, `send_failed`, the agents' notices). A save marks the rows it names
 * failed in the fake outbox; anything else the path asks for fails the test.
 */
function fakeStore(delivery: FakeDeliveryStore) {
  const saves: TicketSave[] = [];
  let rowIds = 1000;
  const uow = {
    messages: {
      outboundById: async (id: number) => {
        const row = delivery.rows.get(id);
        if (!row) return null;
        const { ticketId, kind, messageId, recipients } = row.message;
        return { id, ticketId, kind, messageId, recipients, deliveryState: row.state };
      },
      thread: async () => [],
    },
    tickets: {
      load: async () => ticket,
      save: async (save: TicketSave) => {
        saves.push(save);
        for (const { id, reason } of save.failedOutbound ?? []) Object.assign(delivery.row(id), { state: 'failed', lastError: reason });
        return { messageRowId: null, outboxIds: save.outbox.map(() => ++rowIds) };
      },
    },
    counters: { countNotices: async () => ({ sameKey: 0, sameKind: 0 }) },
  };
  const strict = <T extends object>(part: object, name: string): T =>
    new Proxy(part, {
      get: (target, key) => (target as Record<string | symbol, unknown>)[key] ?? (() => Promise.reject(new Error(`the fake ${name} has no ${String(key)}`))),
    }) as T;
  const unitOfWork = strict<UnitOfWork>(
    { messages: strict(uow.messages, 'message log'), tickets: strict(uow.tickets, 'ticket repository'), counters: strict(uow.counters, 'counters') },
    'unit of work',
  );
  const store: Store = { transaction: (_key, work) => work(unitOfWork), read: (work) => work(unitOfWork) };
  return {
    store,
    events: () => saves.flatMap((s) => s.events),
    notices: () => saves.flatMap((s) => s.outbox),
  };
}

function setup() {
  const delivery = new FakeDeliveryStore();
  const mailer = new FakeMailer();
  const outbox = new FakeOutboxQueue();
  const tickets = fakeStore(delivery);
  const copies: Buffer[] = [];
  const warnings: { obj: object; msg?: string }[] = [];
  const deps: SendDeps = {
    delivery,
    store: tickets.store,
    mailer,
    compose: async (mail) => Buffer.from(`Subject: ${mail.subject}\r\n\r\n${mail.text}`),
    outbox,
    copyToSent: async (_mailbox, raw) => void copies.push(raw),
    config: () => config,
    now: () => NOW,
    tokenKey: Buffer.alloc(32),
    log: { debug() {}, info() {}, warn: (obj, msg) => void warnings.push({ obj, msg }), error() {} },
  };
  return { deps, delivery, mailer, outbox, events: tickets.events, notices: tickets.notices, copies, warnings };
}

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (err: unknown) => err,
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe('sendOutbound: one outbox row', () => {
  it('sends a queued row once, records it sent, and keeps a copy of customer-facing mail', async () => {
    const { deps, delivery, mailer, copies } = setup();
    const id = delivery.add({ kind: 'auto_ack', recipients: ['carol@customer.test', 'dan@customer.test'] });

    expect(await sendOutbound(deps, id, { final: false })).toBe('sent');

    expect(mailer.accepted).toEqual([
      { mailbox: 'support', envelope: { from: 'support@example.test', to: ['carol@customer.test', 'dan@customer.test'] }, raw: delivery.row(id).message.raw },
    ]);
    expect(delivery.row(id)).toMatchObject({ state: 'sent', attempts: 1, deliveredAt: NOW, lastError: null });
    expect(delivery.calls).toEqual([`claim ${id}`, `markSent ${id}`]);
    expect(copies).toEqual([delivery.row(id).message.raw]);
  });

  it('keeps no sent-folder copy of a notification to an agent', async () => {
    const { deps, delivery, copies } = setup();
    const id = delivery.add({ kind: 'notification' });
    expect(await sendOutbound(deps, id, { final: false })).toBe('sent');
    expect(copies).toEqual([]);
  });

  const refused: [what: string, row: Parameters<FakeDeliveryStore['add']>[1]][] = [
    ['already sent', { state: 'sent', attempts: 1, deliveredAt: NOW }],
    ['already failed', { state: 'failed', attempts: 8 }],
    ['in flight with another sender (claimed 5 s ago)', { state: 'sending', attempts: 1, claimedAt: new Date(NOW.getTime() - 5_000) }],
    ['in flight with another sender (claimed 9 min ago, stuckAfter 10 min)', { state: 'sending', attempts: 1, claimedAt: new Date(NOW.getTime() - 9 * MINUTE) }],
  ];
  it.each(refused)('sends nothing for a row %s: the claim is refused', async (_what, state) => {
    const { deps, delivery, mailer } = setup();
    const id = delivery.add({}, state);
    const before = { ...delivery.row(id) };

    expect(await sendOutbound(deps, id, { final: false })).toBe('skipped');

    expect(mailer.attempts).toBe(0);
    expect(delivery.row(id)).toEqual(before);
    expect(delivery.calls).toEqual([`claim ${id}`]);
  });

  it('takes over a row whose sender died (claimed longer ago than stuckAfter) and sends it', async () => {
    const { deps, delivery, mailer } = setup();
    const id = delivery.add({}, { state: 'sending', attempts: 1, claimedAt: new Date(NOW.getTime() - 11 * MINUTE) });
    expect(await sendOutbound(deps, id, { final: false })).toBe('sent');
    expect(mailer.accepted).toHaveLength(1);
    expect(delivery.row(id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('sends a row once when its job runs twice at the same moment', async () => {
    const { deps, delivery, mailer } = setup();
    const id = delivery.add();
    const outcomes = await Promise.all([sendOutbound(deps, id, { final: false }), sendOutbound(deps, id, { final: false })]);
    expect(outcomes.sort()).toEqual(['sent', 'skipped']);
    expect(mailer.attempts).toBe(1);
  });
});

describe('sendOutbound: SMTP failures', () => {
  it.each([
    ['a 4xx reply', smtp.greylisted, '451'],
    ['a lost connection', smtp.connectionLost, 'ECONNECTION'],
  ])('puts the row back to queued on a transient failure (%s) and throws for a retry, which sends it', async (_what, error, code) => {
    const { deps, delivery, mailer, events } = setup();
    const id = delivery.add();
    mailer.answer(error());

    const err = await failure(sendOutbound(deps, id, { final: false }));
    expect(isAppError(err, 'SMTP_TRANSIENT') && err.retryable).toBe(true);
    expect(delivery.row(id)).toMatchObject({ state: 'queued', attempts: 1 });
    expect(delivery.row(id).lastError).toContain(code);
    expect(delivery.calls).toEqual([`claim ${id}`, `release ${id}`]);
    expect(events()).toEqual([]);

    expect(await sendOutbound(deps, id, { final: false })).toBe('sent');
    expect(mailer.accepted).toHaveLength(1);
    expect(delivery.row(id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('fails a row at once on a permanent refusal, records send_failed and tells the agents', async () => {
    const { deps, delivery, mailer, outbox, events, notices } = setup();
    const id = delivery.add({ kind: 'agent_reply', recipients: ['carol@customer.test'] });
    mailer.answer(smtp.unknownUser());

    const err = await failure(sendOutbound(deps, id, { final: false }));
    expect(isAppError(err, 'SMTP_PERMANENT') && !err.retryable).toBe(true);

    expect(delivery.row(id)).toMatchObject({ state: 'failed' });
    expect(delivery.row(id).lastError).toContain('550 5.1.1 no such user');
    expect(delivery.calls).not.toContain(`release ${id}`);
    expect(events()).toEqual([
      expect.objectContaining({ ticketId: ticket.id, type: 'send_failed', data: expect.objectContaining({ kind: 'agent_reply', why: 'refused' }) }),
    ]);
    expect(notices().map((n) => ({ kind: n.mail.kind, to: n.mail.to.map((a) => a.address), subject: n.mail.subject }))).toEqual([
      { kind: 'notification', to: ['alice@example.test'], subject: expect.stringContaining('Not delivered: The printer is on fire') },
    ]);
    expect(notices()[0]!.mail.text).toContain('carol@customer.test');
    expect(outbox.enqueued).toEqual([1001]);
  });

  it('fails a row when the server accepts none of its recipients', async () => {
    const { deps, delivery, mailer, events } = setup();
    const id = delivery.add();
    mailer.answer('refuse-all');
    const err = await failure(sendOutbound(deps, id, { final: false }));
    expect(isAppError(err, 'SMTP_PERMANENT')).toBe(true);
    expect(delivery.row(id).state).toBe('failed');
    expect(events().map((e) => e.type)).toEqual(['send_failed']);
  });

  it('fails a row whose last attempt fails transiently: retries exhausted', async () => {
    const { deps, delivery, mailer, events, notices } = setup();
    const id = delivery.add({ kind: 'auto_ack' });
    mailer.answer(smtp.greylisted());

    const err = await failure(sendOutbound(deps, id, { final: true }));
    expect(isAppError(err, 'SMTP_TRANSIENT')).toBe(true);
    expect(delivery.row(id).state).toBe('failed');
    expect(events()).toEqual([expect.objectContaining({ type: 'send_failed', data: expect.objectContaining({ why: 'retries exhausted' }) })]);
    expect(notices()).toHaveLength(1);
  });

  it('tells nobody when a notification to an agent fails (a notice about a notice could loop)', async () => {
    const { deps, delivery, mailer, outbox, events, notices } = setup();
    const id = delivery.add({ kind: 'notification', recipients: ['alice@example.test'] });
    mailer.answer(smtp.unknownUser());
    await failure(sendOutbound(deps, id, { final: false }));
    expect(delivery.row(id).state).toBe('failed');
    expect(events().map((e) => e.type)).toEqual(['send_failed']);
    expect(notices()).toEqual([]);
    expect(outbox.enqueued).toEqual([]);
  });
});

describe('sendOutbound: the database fails after the SMTP server accepted the mail', () => {
  it('retries recording it sent until the database answers, and never sends it again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { deps, delivery, mailer, warnings } = setup();
    const id = delivery.add();
    delivery.markSentOutages = 4;

    const sending = sendOutbound(deps, id, { final: false });
    await vi.advanceTimersByTimeAsync(60_000);

    expect(await sending).toBe('sent');
    expect(mailer.attempts).toBe(1);
    expect(delivery.row(id).state).toBe('sent');
    expect(delivery.calls).toEqual([`claim ${id}`, ...Array<string>(5).fill(`markSent ${id}`)]);
    expect(warnings.map((w) => (w.obj as { retryInMs: number }).retryInMs)).toEqual([200, 400, 800, 1600]);
  });

  it('sends nothing for the row while its mark is retried, even once its claim is stale and the reconciler queued it again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { deps, delivery, mailer } = setup();
    const id = delivery.add();
    delivery.markSentOutages = 2;
    const sending = sendOutbound(deps, id, { final: false });
    await vi.advanceTimersByTimeAsync(100);

    const later = { ...deps, now: () => new Date(NOW.getTime() + 11 * MINUTE) };
    expect(await sendOutbound(later, id, { final: false })).toBe('skipped');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await sending).toBe('sent');
    expect(mailer.attempts).toBe(1);
  });

  it('does not complete the job before the row is recorded sent', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { deps, delivery } = setup();
    const id = delivery.add();
    delivery.markSentOutages = 1;
    let done = false;
    const sending = sendOutbound(deps, id, { final: false }).then((outcome) => ((done = true), outcome));

    await vi.advanceTimersByTimeAsync(100);
    expect(done).toBe(false);
    expect(delivery.row(id).state).toBe('sending');
    await vi.advanceTimersByTimeAsync(200);
    expect(await sending).toBe('sent');
    expect(delivery.row(id).state).toBe('sent');
  });
});

describe('reconcileOutbox: rows a lost queue held', () => {
  it('queues again rows queued for longer than a moment and rows whose sender died, and leaves the rest', async () => {
    const { deps, delivery, outbox } = setup();
    const ago = (ms: number) => new Date(NOW.getTime() - ms);
    const lost = delivery.add({}, { createdAt: ago(MINUTE) });
    delivery.add({}, { createdAt: ago(1_000) });
    const abandoned = delivery.add({}, { state: 'sending', attempts: 2, claimedAt: ago(11 * MINUTE) });
    delivery.add({}, { state: 'sending', attempts: 1, claimedAt: ago(MINUTE) });
    delivery.add({}, { state: 'sent', attempts: 1 });

    expect(await reconcileOutbox(deps)).toBe(2);
    expect(outbox.requeued).toEqual([
      { id: lost, attempts: 0 },
      { id: abandoned, attempts: 2 },
    ]);
  });
});

describe('outboundProcessor: one job, one row', () => {
  const job = (data: unknown, attemptsMade: number, attempts = 8) => ({ data, attemptsMade, opts: { attempts } }) as unknown as Job;

  it('sends the row the job names', async () => {
    const { deps, delivery } = setup();
    const id = delivery.add();
    expect(await outboundProcessor(deps)(job({ messageRowId: id }, 0))).toBe('sent');
    expect(delivery.row(id).state).toBe('sent');
  });

  it('throws a transient failure as it is (the queue retries) and a permanent one as UnrecoverableError', async () => {
    const { deps, delivery, mailer } = setup();
    const transient = delivery.add();
    const permanent = delivery.add();
    mailer.answer(smtp.greylisted(), smtp.unknownUser());

    const retried = await failure(outboundProcessor(deps)(job({ messageRowId: transient }, 0)));
    expect(retried).toBeInstanceOf(AppError);
    expect(retried).not.toBeInstanceOf(UnrecoverableError);
    expect(delivery.row(transient).state).toBe('queued');

    expect(await failure(outboundProcessor(deps)(job({ messageRowId: permanent }, 0)))).toBeInstanceOf(UnrecoverableError);
    expect(delivery.row(permanent).state).toBe('failed');
  });

  it("makes the queue's last attempt the final one: a transient failure then fails the row", async () => {
    const { deps, delivery, mailer } = setup();
    const id = delivery.add();
    mailer.answer(smtp.greylisted());
    await failure(outboundProcessor(deps)(job({ messageRowId: id }, 7, 8)));
    expect(delivery.row(id).state).toBe('failed');
  });

  it('says once per failed send, with the ticket number, when the queue will try again', async () => {
    const { deps, delivery, mailer, warnings } = setup();
    const id = delivery.add({ ticketNumber: 1042 });
    mailer.answer(smtp.greylisted(), smtp.greylisted());
    const withBackoff = (attemptsMade: number) => ({ data: { messageRowId: id }, attemptsMade, opts: { attempts: 8, backoff: { type: 'exponential', delay: 30_000 } } }) as unknown as Job;

    await failure(outboundProcessor(deps)(withBackoff(0)));
    await failure(outboundProcessor(deps)(withBackoff(3)));
    expect(warnings.map((w) => w.msg)).toEqual(['delivery failed; retrying in 30 s', 'delivery failed; retrying in 4 min']);
    expect(warnings.map((w) => w.obj)).toEqual([
      expect.objectContaining({ ticket: 1042, outbox: id, retryInMs: 30_000, final: false }),
      expect.objectContaining({ ticket: 1042, outbox: id, retryInMs: 240_000, final: false }),
    ]);
  });

  it('says when a failed send will not be retried', async () => {
    const { deps, delivery, mailer, warnings } = setup();
    const refused = delivery.add();
    const exhausted = delivery.add();
    mailer.answer(smtp.unknownUser(), smtp.greylisted());
    await failure(outboundProcessor(deps)(job({ messageRowId: refused }, 0)));
    await failure(outboundProcessor(deps)(job({ messageRowId: exhausted }, 7, 8)));
    expect(warnings.map((w) => w.msg)).toEqual(['delivery refused; the mail failed and will not be retried', 'delivery failed on the last attempt; the mail failed']);
  });

  it('refuses a job whose payload is not a row id, touching nothing', async () => {
    const { deps, delivery } = setup();
    await failure(outboundProcessor(deps)(job({ messageRowId: 'x' }, 0)));
    expect(delivery.calls).toEqual([]);
  });
});
