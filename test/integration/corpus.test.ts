import { afterAll, expect, it } from 'vitest';
import { corpusFiles, describeCorpus, readCorpus } from '../support/corpus.js';
import { mailboxHarness, type MailboxHarness } from '../support/harness.js';
import { waitFor } from '../support/wait.js';

let h: MailboxHarness | null = null;

afterAll(async () => {
  await h?.close();
});

describeCorpus('the real-world corpus through the poller', () => {
  it('ingests every corpus mail without an error reaching the poller, and flags each', async () => {
    const files = corpusFiles('.eml');
    expect(files.length).toBeGreaterThanOrEqual(460);
    const harness = (h = await mailboxHarness());
    for (const file of files) await harness.appendRaw(readCorpus(file));

    await harness.start();
    await waitFor(() => harness.logs.find('message ingested').length === files.length, {
      timeoutMs: 120_000,
      intervalMs: 100,
      what: `${files.length} messages ingested`,
    });
    await waitFor(async () => (await harness.unseenUids()).length === 0, { what: 'every corpus mail flagged' });

    const problems = harness.logs.lines.filter((l) => l.level === 'error' || l.level === 'fatal' || l.msg === 'sync interrupted; messages stay unflagged and will be retried');
    expect(problems).toEqual([]);
    const outcomes = harness.logs.find('message ingested').map((l) => l.outcome as string);
    const duplicates = outcomes.filter((o) => o === 'duplicate').length;
    expect(await harness.messageCount()).toBe(files.length - duplicates);
    const [kinds] = await harness.db.sql`
      select count(*) filter (where kind = 'customer')::int as customer,
             count(*) filter (where kind = 'auto_reply')::int as auto_reply,
             count(*) filter (where kind = 'bounce')::int as bounce,
             count(*) filter (where raw is null)::int as without_raw
      from messages where direction = 'in'`;
    expect(kinds!.without_raw).toBe(0);
    expect(kinds!.bounce).toBeGreaterThan(140);
    expect(kinds!.auto_reply).toBeGreaterThanOrEqual(14);
  });
});
