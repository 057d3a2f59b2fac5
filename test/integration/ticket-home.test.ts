import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/db/client.js';
import { createStore } from '../../src/adapters/db/store.js';
import { isAppError } from '../../src/errors.js';
import type { DryRunReport } from '../../src/usecases/dry-run.js';
import { runCli } from '../support/cli.js';
import { DOVECOT_PASSWORD } from '../support/dovecot.js';
import { runningHarness, type MailboxHarness } from '../support/harness.js';
import { buildMail } from '../support/mail.js';
import { waitFor } from '../support/wait.js';

const running = runningHarness();

function cliEnv(h: MailboxHarness): Record<string, string> {
  return { DATABASE_URL: h.db.url, IMAP_PASSWORD: DOVECOT_PASSWORD, HELPDESK_QUEUE_PREFIX: h.queuePrefix, REDIS_URL: h.redisUrl };
}

async function rulesTest(h: MailboxHarness, raw: string): Promise<DryRunReport> {
  const file = join(await mkdtemp(join(tmpdir(), 'helpdesk-dry-')), 'mail.eml');
  await writeFile(file, raw);
  const result = await runCli(['rules', 'test', file, '--config', h.configFile, '--json'], cliEnv(h));
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as DryRunReport;
}

async function onlyTicket(h: MailboxHarness) {
  return waitFor(async () => (await h.tickets())[0], { what: 'the ticket' });
}

describe('rules test decides as the daemon does, against its database', () => {
  it('names the ticket a mail the daemon stored is on, and what its ingest recorded', async () => {
    const h = await running();
    const mail = buildMail({ subject: 'Dry run of a stored mail' });
    await h.append(mail.raw);
    const ticket = await onlyTicket(h);
    const report = await rulesTest(h, mail.raw);
    expect(report.threading).toMatchObject({ decision: 'duplicate', ticket: ticket.number, stored: { ticket: ticket.number, kind: 'customer' } });
    expect(report.threading.stored!.events).toContain('created');
    expect(report.trigger).toBeNull();
  });

  it('predicts Open for a customer reply to a Resolved ticket, as ingest then does, and changes nothing itself', async () => {
    const h = await running();
    const mail = buildMail({ subject: 'Resolved, then not' });
    await h.append(mail.raw);
    const ticket = await onlyTicket(h);
    const set = await runCli(['tickets', 'set', String(ticket.number), '--status', 'resolved', '--config', h.configFile], cliEnv(h));
    expect(set.code).toBe(0);
    const reply = buildMail({ subject: 'Re: Resolved, then not', inReplyTo: mail.messageId!, body: 'It broke again.' });

    const report = await rulesTest(h, reply.raw);
    expect(report.threading).toMatchObject({ decision: 'existing', ticket: ticket.number, via: 'in-reply-to' });
    expect(report.result.status).toBe('open');
    expect((await h.tickets())[0]!.status).toBe('resolved');

    await h.append(reply.raw);
    await waitFor(async () => (await h.tickets())[0]!.status === 'open', { what: 'the reply to reopen the ticket' });
  });
});

describe('a save applies only to the version it was decided on (real Postgres)', () => {
  it('refuses a change to a ticket another change saved meanwhile, and writes nothing of it', async () => {
    const h = await running();
    await h.append(buildMail({ subject: 'Two changes at once' }).raw);
    const { id } = await onlyTicket(h);
    const database = openDatabase(h.db.url, { max: 2 });
    try {
      const store = createStore(database.db);
      const eventsBefore = await h.db.sql`select count(*)::int as n from events where ticket_id = ${id}`;
      const attempt = store.transaction(`test:${id}`, async (uow) => {
        const before = await uow.tickets.load(id);
        // Another process saves the ticket between this change's load and its save.
        await h.db.sql`update tickets set version = version + 1, assignee = 'bob@example.test' where id = ${id}`;
        return uow.tickets.save({
          now: new Date(),
          ticket: { before, after: { ...before, priority: 'urgent' } },
          events: [{ ticketId: id, type: 'priority_changed', actor: 'cli', data: { from: before.priority, to: 'urgent' } }],
          outbox: [],
          automated: [],
        });
      });
      const error = await attempt.then(() => null, (err: unknown) => err);
      expect(isAppError(error, 'TICKET_CHANGED')).toBe(true);
      const [row] = await h.db.sql`select priority::text, assignee from tickets where id = ${id}`;
      expect(row).toEqual({ priority: 'medium', assignee: 'bob@example.test' });
      expect(await h.db.sql`select count(*)::int as n from events where ticket_id = ${id}`).toEqual(eventsBefore);
    } finally {
      await database.close();
    }
  });
});
