import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail.js';
import { runningHarness, type MailboxHarness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

const running = runningHarness();

const AGENTS = [
  'agents:',
  '  - { name: Alice, email: alice@example.test, departments: [general] }',
  '  - { name: Bob, email: bob@example.test, departments: [billing] }',
  '  - { name: Berta, email: berta@example.test, departments: [billing] }',
].join('\n');

const RULES = `
templates:
  outage-known:
    text: "We know about the outage ({{ticket.tag}}), {{customer.name}}. Rule: {{rule.name}}."
  heads-up:
    subject: "Outage reported by {{message.from}}"
    text: "{{message.text}}"
    html: "<p>Reported by <b>{{customer.name}}</b></p>"
rules:
  - name: vip customers
    when: { from: { domain: bigbank.example } }
    then: { priority: high, tags: [vip] }
  - name: outage
    when: { any: [ { subject: { contains: outage } },
                   { body: { matches: "site (is )?down" } } ] }
    then: { priority: urgent, tags: [outage], reply: outage-known, notify: { to: [leads@example.test], template: heads-up } }
  - name: newsletters
    when: { header: { name: List-Unsubscribe, exists: true } }
    then: { status: spam }
  - name: billing
    when: { all: [ { to: { address: billing@example.test } },
                   { not: { from: { glob: "*@partner.example" } } } ] }
    then: { department: billing, assign: round-robin, autoAcknowledge: false }
`;

async function ticketBySubject(h: MailboxHarness, subject: string) {
  return waitFor(async () => {
    const [row] = await h.db.sql`select id::int, number::int, status::text, priority::text, department, assignee, tags from tickets where subject = ${subject}`;
    return row;
  }, { what: `ticket "${subject}"` });
}

async function outboxDrained(h: MailboxHarness): Promise<boolean> {
  const [row] = await h.db.sql`select count(*)::int as n from messages where delivery_state in ('queued', 'sending')`;
  return row!.n === 0;
}

describe('rules on incoming mail', () => {
  it('applies the example rule set: VIP priority, outage reply, newsletter spam, billing round-robin without acknowledgement', async () => {
    const h = await running({ agents: AGENTS, extraConfig: RULES });
    await h.append(buildMail({ from: 'Vera <vera@bigbank.example>', subject: 'Statement question' }).raw);
    await h.append(buildMail({ from: 'Omar <omar@customer.test>', subject: 'Help', body: 'Our site is down since noon.' }).raw);
    await h.append(buildMail({ from: 'news@shop.test', subject: 'Weekly deals', headers: { 'List-Unsubscribe': '<mailto:unsub@shop.test>' } }).raw);
    await h.append(buildMail({ from: 'ida@customer.test', to: 'billing@example.test, support@example.test', subject: 'Invoice 1' }).raw);
    await h.append(buildMail({ from: 'jo@customer.test', to: 'billing@example.test, support@example.test', subject: 'Invoice 2' }).raw);
    await h.append(buildMail({ from: 'pat@partner.example', to: 'billing@example.test, support@example.test', subject: 'Invoice 3' }).raw);

    expect(await ticketBySubject(h, 'Statement question')).toMatchObject({ priority: 'high', tags: ['vip'] });
    expect(await ticketBySubject(h, 'Help')).toMatchObject({ priority: 'urgent', tags: ['outage'] });
    expect(await ticketBySubject(h, 'Weekly deals')).toMatchObject({ status: 'spam' });
    const first = await ticketBySubject(h, 'Invoice 1');
    const second = await ticketBySubject(h, 'Invoice 2');
    expect([first, second].map((t) => [t.department, t.assignee])).toEqual([
      ['billing', 'bob@example.test'],
      ['billing', 'berta@example.test'],
    ]);
    expect(await ticketBySubject(h, 'Invoice 3')).toMatchObject({ department: 'general', assignee: null });
    await waitFor(() => outboxDrained(h), { what: 'all mail sent' });

    const reply = h.smtp.to('omar@customer.test').find((m) => (m.parsed.text ?? '').includes('We know about the outage'));
    expect(reply?.parsed.text).toContain('Rule: outage.');
    const [headsUp] = h.smtp.to('leads@example.test');
    expect(headsUp?.parsed.subject).toMatch(/^Outage reported by omar@customer.test \[#\d+\]$/);
    expect(headsUp?.parsed.text).toContain('Our site is down since noon.');
    expect(headsUp?.parsed.html).toContain('<b>Omar</b>');
    expect(h.smtp.to('news@shop.test')).toEqual([]);
    expect(h.smtp.to('ida@customer.test')).toEqual([]); // autoAcknowledge: false
    expect(h.smtp.to('pat@partner.example')).toHaveLength(1); // not excluded by the billing rule: acknowledged
    const [applied] = await h.db.sql`select actor, data from events where type = 'rule_applied' and data->>'rule' = 'vip customers'`;
    expect(applied).toMatchObject({ actor: 'rule:vip customers' });
    expect(applied!.data.why).toEqual(['from vera@bigbank.example is in domain bigbank.example']);
  });
});

describe('hot reload', () => {
  const ruleWith = (priority: string) => `rules:\n  - name: printers\n    when: { subject: { contains: printer } }\n    then: { priority: ${priority} }\n`;

  it('applies an edited rule to the next mail without a restart, and keeps the last good rules when the file breaks', async () => {
    const h = await running({ extraConfig: ruleWith('high') });
    await h.append(buildMail({ subject: 'printer one' }).raw);
    expect(await ticketBySubject(h, 'printer one')).toMatchObject({ priority: 'high' });

    const original = await readFile(h.configFile, 'utf8');
    await writeFile(h.configFile, original.replace(ruleWith('high'), ruleWith('urgent')));
    const reloaded = await waitFor(() => h.logs.find('config reloaded')[0], { what: 'the reload' });
    expect(reloaded.rulesChanged).toEqual(['printers']);
    await h.append(buildMail({ subject: 'printer two' }).raw);
    expect(await ticketBySubject(h, 'printer two')).toMatchObject({ priority: 'urgent' });

    await writeFile(h.configFile, `${original.replace(ruleWith('high'), ruleWith('low'))}\nrules: [ broken\n`);
    const rejected = await waitFor(() => h.logs.find('config change rejected; the last good config stays in force')[0], { what: 'the rejection' });
    expect(String((rejected.problems as string[])[0])).toMatch(new RegExp(`^${h.configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ `));
    await h.append(buildMail({ subject: 'printer three' }).raw);
    expect(await ticketBySubject(h, 'printer three')).toMatchObject({ priority: 'urgent' });

    // An alias bomb is a located problem too, not an exception (vitest fails a test on an unhandled rejection).
    const bomb = ['x1: &a ["x","x","x","x","x","x","x","x","x","x"]', ...[2, 3, 4, 5, 6].map((n) => `x${n}: &${'abcdef'[n - 1]} [${Array(10).fill(`*${'abcdef'[n - 2]}`).join(',')}]`)];
    await writeFile(h.configFile, `${bomb.join('\n')}\n${original}`);
    await waitFor(() => h.logs.find('config change rejected; the last good config stays in force').length === 2, { what: 'the second rejection' });
    const second = h.logs.find('config change rejected; the last good config stays in force')[1]!;
    expect((second.problems as string[])[0]).toMatch(/:2:\d+ \(top level\): Excessive alias count/);
    await h.append(buildMail({ subject: 'printer four' }).raw);
    expect(await ticketBySubject(h, 'printer four')).toMatchObject({ priority: 'urgent' });
  });
});
