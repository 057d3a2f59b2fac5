import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReplyToken, replyTokenAddress } from '../../src/usecases/reply-token.js';
import { buildMail } from '../support/mail.js';
import { htmlMail, mailWithAttachment, webFixture, type WebFixture } from '../support/web-fixture.js';

/**
 * The web view in a real headless Chromium: log in with the form, filter the
 * list, open a ticket, download its attachment. Screenshots go to
 * test-results/; with UPDATE_SCREENSHOT=1 the ticket page is also written to
 * docs/web-view.png (the README shows it).
 *
 * Needs Debian's chromium (CHROMIUM_PATH to use another). Without it the suite
 * says it did not run; under CI=true its absence is an error.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RESULTS = join(process.cwd(), 'test-results');
const DOCS_SCREENSHOT = join(process.cwd(), 'docs', 'web-view.png');

const missing = existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
if (missing && process.env.CI === 'true') throw new Error(`${missing}: the browser test is required under CI=true`);
const describeBrowser = missing ? (name: string, body: () => void) => describe.skip(`${name} — did not run: ${missing}`, body) : describe;

/** A PDF-looking file with bytes that are not text: what the download must give back exactly. */
const STATEMENT = Buffer.concat([Buffer.from('%PDF-1.4\n% statement\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\n%%EOF\n')]);
const HOUR = 3600_000;

/** Demo-like tickets through the real ingest path: a billing thread with an agent's answer, an outage, a breached one. */
async function seed(f: WebFixture): Promise<{ invoice: number }> {
  const ago = (hours: number) => new Date(Date.now() - hours * HOUR);
  const store = async (raw: string, hoursAgo: number) => (await f.ingest(raw, ago(hoursAgo))).ticketNumber!;
  await store(buildMail({ from: 'Erin Example <erin@shop.example>', subject: 'Feature request: export tickets as CSV', body: 'It would help our monthly report.', date: ago(26) }).raw, 26);
  await store(buildMail({ from: 'Frank Fischer <frank@fischer.example>', subject: 'Password reset mail never arrives', body: 'I tried three times since Monday.', date: ago(50) }).raw, 50);
  await store(
    htmlMail({
      from: 'Grace Ops <grace@bigstore.example>',
      subject: 'Total outage since 9:00: checkout returns 502',
      html: '<p>Our checkout has been failing since 9:00 CET.</p><p>Screenshot: <img src="https://tracker.example/pixel.gif" alt="pixel"></p>',
      date: ago(0.2),
    }),
    0.2,
  );
  const first = mailWithAttachment({
    from: 'Carol Customer <carol@acme.example>',
    subject: 'Invoice 2026-03 charges us twice',
    body: 'Hello,\n\nour March invoice lists the Pro plan twice (lines 3 and 4).\nThe statement from our bank is attached.\n\nBest regards,\nCarol',
    filename: 'Bank statement März 2026.pdf',
    contentType: 'application/pdf',
    content: STATEMENT,
    messageId: 'invoice-1@acme.example',
    date: ago(3),
  });
  const invoice = await store(first, 3);
  const token = makeReplyToken(f.tokenKey, invoice, 'alice@example.test', new Date());
  const answer = buildMail({
    from: 'Alice Agent <alice@example.test>',
    to: replyTokenAddress('support@example.test', token),
    subject: `Re: [#${invoice}] Invoice 2026-03 charges us twice`,
    inReplyTo: 'invoice-1@acme.example',
    body: 'Hi Carol,\n\nyou are right: the Pro plan was billed twice. A corrected invoice and a refund of 49.00 EUR are on their way.\n\nAlice',
    date: ago(2),
  });
  await store(answer.raw, 2);
  const thanks = buildMail({
    from: 'Carol Customer <carol@acme.example>',
    subject: `Re: [#${invoice}] Invoice 2026-03 charges us twice`,
    inReplyTo: answer.messageId!,
    body: 'Thank you! Could you send the corrected invoice to billing@acme.example as well?',
    date: ago(1),
  });
  await store(thanks.raw, 1);
  return { invoice };
}

describeBrowser('the web view in a browser', () => {
  let f: WebFixture;
  let browser: Browser;
  let page: Page;
  let invoice: number;

  beforeAll(async () => {
    f = await webFixture({ extraConfig: 'notifications: { enabled: false }\n' });
    ({ invoice } = await seed(f));
    Object.assign(f.telemetry.mailbox('support', 'support@example.test'), { state: 'watching', connected: true, lastSyncAt: new Date() });
    await mkdir(RESULTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it('logs in with the form, filters the list, opens a ticket and downloads its attachment', async () => {
    await page.goto(`${f.base}/tickets`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=token]', 'wrong');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('.error')).toContain('not the right one');
    await page.fill('input[name=token]', f.token);
    await page.click('button[type=submit]');
    await page.waitForURL(`${f.base}/tickets`);
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'helpdesk_session', httpOnly: true, sameSite: 'Strict' })]);
    expect(cookies[0]!.value).not.toContain(f.token);

    // To solve: the breached ticket first, coloured.
    await expect.poll(() => page.locator('table.tickets tbody tr').count()).toBe(4);
    await expect.poll(() => page.locator('tbody tr').first().locator('.subject').textContent()).toBe('Password reset mail never arrives');
    expect(await page.locator('tbody tr').first().locator('.due').getAttribute('class')).toContain('due-breached');
    await page.screenshot({ path: join(RESULTS, 'web-view-list.png'), fullPage: true });

    await page.selectOption('select[name=view]', 'all');
    await page.selectOption('select[name=tag]', 'billing');
    await page.fill('input[name=q]', 'invoice');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/q=invoice/);
    await expect.poll(() => page.locator('table.tickets tbody tr').count()).toBe(1);

    await page.click('a.subject');
    await page.waitForURL(`${f.base}/tickets/${invoice}`);
    expect(await page.textContent('h1')).toContain('Invoice 2026-03 charges us twice');
    expect(await page.locator('article.msg').count()).toBeGreaterThanOrEqual(3);
    expect(await page.textContent('main')).toContain('A corrected invoice and a refund');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    expect(download.suggestedFilename()).toBe('Bank statement März 2026.pdf');
    expect((await readFile((await download.path())!)).equals(STATEMENT)).toBe(true);

    await page.screenshot({ path: join(RESULTS, 'web-view-ticket.png'), fullPage: true });
    if (process.env.UPDATE_SCREENSHOT === '1') await page.screenshot({ path: DOCS_SCREENSHOT, fullPage: true });

    await page.click('nav >> text=Mailboxes');
    await page.waitForURL(`${f.base}/mailboxes`);
    expect(await page.textContent('table.tickets tbody')).toContain('watching (connected)');
    await page.screenshot({ path: join(RESULTS, 'web-view-mailboxes.png'), fullPage: true });
  });

  it('fits a phone: the list becomes cards, nothing scrolls sideways', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const mobile = await phone.newPage();
      await mobile.setExtraHTTPHeaders({ authorization: `Bearer ${f.token}` });
      await mobile.goto(`${f.base}/tickets?view=all`);
      await expect.poll(() => mobile.locator('table.tickets tbody tr').count()).toBe(4);
      expect(await mobile.locator('table.tickets thead').isVisible()).toBe(false);
      expect(await mobile.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await mobile.screenshot({ path: join(RESULTS, 'web-view-phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
