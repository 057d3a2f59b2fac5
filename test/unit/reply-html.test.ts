import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitiseHtml } from '../../src/adapters/mime/parse-mail.js';
import { agentReplyHtml, MAX_REPLY_HTML } from '../../src/adapters/mime/reply-html.js';

/*
 * Agents' replies as each client writes them (test/fixtures/html-replies/, HTML
 * we wrote for these tests in the clients' shapes). The helpdesk stores HTML
 * only after its ingest sanitiser, so every fixture is read two ways: through
 * the ingest policy (parse-mail.ts, which keeps the marks clients put on quoted
 * history), and raw.
 */

const INGESTS: readonly [string, (html: string) => string][] = [
  ['ingest', sanitiseHtml],
  ['raw', (html) => html],
];

interface FixtureCase {
  readonly file: string;
  /** Fragments of the result: the agent's words and their formatting. */
  readonly keeps: readonly string[];
  /** Text that must be gone: the quoted customer, the attribution, the commands. */
  readonly drops: readonly string[];
  readonly cids?: readonly string[];
  /** Nothing is left for the customer. */
  readonly empty?: boolean;
  /** Only the client's marks show the quote (no language rule reads it): needs the ingest change. */
  readonly marksOnly?: boolean;
}

const CASES: readonly FixtureCase[] = [
  { file: 'gmail.html', keeps: ['Hi Carol,', 'the <b>new driver</b>', '<img src="cid:ii_abc123"', 'Let me know', 'Bob'],
    drops: ['offline since this morning', 'wrote:', 'blockquote'], cids: ['ii_abc123'] },
  { file: 'gmail-greek.html', keeps: ['Καλημέρα Carol,', '<b>νέο οδηγό</b>'], drops: ['έγραψε', 'εκτός σύνδεσης', 'blockquote'], marksOnly: true },
  { file: 'outlook-desktop.html', keeps: ['Hi Carol,', '<b>not seated properly</b>', 'Kind regards,', 'Bob'],
    drops: ['#status', 'From:', 'Sent:', 'offline since this morning', 'font-family', '<hr'] },
  { file: 'outlook-desktop-nl.html', keeps: ['Beste Carol,', '<i>firmware</i>', 'Bob'], drops: ['Van:', 'Verzonden', 'sinds vanochtend'] },
  { file: 'outlook-desktop-divrplyfwdmsg.html', keeps: ['Hi Carol,', '<b>temporary password</b>', 'Bob'],
    drops: ['From:', 'Subject:', 'cannot log in', '<hr'] },
  { file: 'outlook-web.html', keeps: ['Hello Carol,', '<b>Please restart the client</b>', 'Bob'],
    drops: ['#status', '#priority', 'From:', 'certificate expired', '<hr'] },
  { file: 'outlook-original-message.html', keeps: ['Hi Carol,', 'license key is in the attached PDF', 'Bob'],
    drops: ['Original Message', 'From:', 'send the license key again'] },
  { file: 'apple-mail.html', keeps: ['Hi Carol,', '<i>iPhone</i>', 'Bob'], drops: ['wrote:', 'since Friday', 'blockquote'] },
  { file: 'ios-mail.html', keeps: ['Done, the <b>refund</b> is on its way.'], drops: ['#status', 'wrote:', 'order 5521', 'blockquote'] },
  { file: 'thunderbird.html', keeps: ['Hi Carol,', '<u>50 GB</u>', 'Bob'], drops: ['#status', '#priority', 'wrote:', 'mailbox is full'] },
  { file: 'yahoo.html', keeps: ['Hi Carol,', '<b>corrected</b>', 'Bob'], drops: ['wrote:', 'wrong VAT number'] },
  { file: 'protonmail.html', keeps: ['Hi Carol,', '<strong>disabled</strong>', 'Bob'], drops: ['wrote:', 'lost my phone'] },
  { file: 'zoho.html', keeps: ['Hi Carol,', '<a href="https://track.example.net/AB123">AB123</a>', 'Bob'], drops: ['wrote', 'order 7781'] },
  { file: 'commands-divs.html', keeps: ['Hi Carol,', '<b>power supply</b>', '#tag-style labels', '#note this line is not at the top', 'Bob'],
    drops: ['#status', '#priority', '#assign', 'does not power on'] },
  { file: 'commands-br.html', keeps: ['Hi Carol,', '<em>unlocked</em>', 'Bob'], drops: ['#status', '#priority', '#cc', 'dave@', 'wrote:', 'is locked'] },
  { file: 'commands-only.html', keeps: [], drops: [], empty: true },
  { file: 'hostile.html', keeps: ['Hi Carol,', '<a href="https://example.com/manual">manual</a>', '<a href="mailto:support@example.com">',
    '<img src="https://cdn.example.com/logo.png"', '<img src="data:image/png;base64,', 'Important', 'Thanks, Bob'],
  drops: ['<script', 'alert', 'javascript', 'onerror', 'onclick', 'onload', 'tracker.example', 'data:text', 'svg', 'iframe', '<form', '<input',
    '<object', '<meta', 'evil.example'] },
];

const DIR = new URL('../fixtures/html-replies/', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, DIR), 'utf8');

describe('agentReplyHtml on replies as clients write them', () => {
  it('has a case for every fixture', () => {
    expect(readdirSync(DIR).sort()).toEqual(CASES.map((c) => c.file).sort());
  });

  describe.each(INGESTS)('%s', (ingest, stored) => {
    it.each(CASES.filter((c) => !(c.marksOnly && ingest === 'current ingest')).map((c) => [c.file, c] as const))('%s', (_, c) => {
      const reply = agentReplyHtml(stored(read(c.file)));
      if (c.empty) {
        expect(reply).toBeNull();
        return;
      }
      expect(reply).not.toBeNull();
      for (const fragment of c.keeps) expect(reply!.html).toContain(fragment);
      for (const fragment of c.drops) expect(reply!.html.toLowerCase()).not.toContain(fragment.toLowerCase());
      expect(reply!.cids).toEqual(c.cids ?? []);
    });
  });

  it("cuts a quote in a language no rule knows, by the mark the ingest keeps (Greek Gmail's \"έγραψε:\")", () => {
    const reply = agentReplyHtml(sanitiseHtml(read('gmail-greek.html')))?.html ?? '';
    expect(reply).not.toContain('εκτός σύνδεσης');
    expect(reply).not.toBe('');
  });

  it('keeps the allowed inline styles and nothing else', () => {
    const reply = agentReplyHtml(read('hostile.html'))!;
    expect(reply.html).toContain('<div style="color:#c00000;font-weight:bold">Important</div>');
    expect(reply.html).not.toMatch(/position|url\(|Hidden title/);
    expect(agentReplyHtml(sanitiseHtml(read('outlook-web.html')))!.html).toContain(
      '<span style="color:rgb(192, 0, 0)"><b>Please restart the client</b></span>',
    );
  });
});

describe('agentReplyHtml', () => {
  it.each([
    ['the whole reply, its wrappers trimmed', '<div><div><br></div><p>Hi <i>Carol</i></p><div><br></div></div>', '<div><p>Hi <i>Carol</i></p></div>'],
    ['a blockquote without an attribution: the agent quotes on purpose',
      '<p>The manual says:</p><blockquote>Hold the button for 10 seconds.</blockquote><p>Try that.</p>',
      '<p>The manual says:</p><blockquote>Hold the button for 10 seconds.</blockquote><p>Try that.</p>'],
    ['"From:" in a sentence is no header block', '<p>From: the logs, the job failed at 10:15.</p><p>To: fix it, restart.</p>',
      '<p>From: the logs, the job failed at 10:15.</p><p>To: fix it, restart.</p>'],
    ['commands in inline formatting, then text on the same block level', '<div><b>#status</b> resolved<br><br>Hello</div>', '<div>Hello</div>'],
    ['a command after text stays', '<p>Hello</p><p>#status resolved</p>', '<p>Hello</p><p>#status resolved</p>'],
    ['"#1" is no command', '<p>#1 priority for us: your order.</p>', '<p>#1 priority for us: your order.</p>'],
    ['an attribution after a <br>, then the quote', 'Thanks!<br>On Mon, 2 Mar 2026 at 10:15, Carol &lt;carol@example.com&gt; wrote:<br><blockquote>old</blockquote>',
      'Thanks!'],
    ['the agent\'s words on the attribution\'s line stay, the quote goes',
      '<p>Hi</p>Thanks! On Mon, 2 Mar 2026 at 10:15, Carol &lt;carol@example.com&gt; wrote:<blockquote>old</blockquote>',
      '<p>Hi</p>Thanks! On Mon, 2 Mar 2026 at 10:15, Carol &lt;carol@example.com&gt; wrote:'],
    ['history under such a line goes, the line stays', '<p>Thanks! On Mon, 2 Mar 2026 at 10:15, Carol &lt;carol@example.com&gt; wrote:</p><p>old</p>',
      '<p>Thanks! On Mon, 2 Mar 2026 at 10:15, Carol &lt;carol@example.com&gt; wrote:</p>'],
    ['an interleaved answer after a quote stays', '<p>Hi</p><div>On Mon, 2 Mar 2026 at 10:15, Carol &lt;carol@example.com&gt; wrote:</div><blockquote>Q1?</blockquote><p>A1: yes.</p>',
      '<p>Hi</p><p>A1: yes.</p>'],
    ['a rule with a From: block under it goes with everything after',
      '<p>Done.</p><hr><p><b>From:</b> Carol &lt;carol@example.com&gt;<br><b>Sent:</b> Monday, March 2, 2026 10:15<br><b>To:</b> Support<br><b>Subject:</b> Help</p><p>old</p>',
      '<p>Done.</p>'],
  ])('%s', (_, html, expected) => {
    expect(agentReplyHtml(html)?.html).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['blank', ' <div><br>&nbsp;</div>\n'],
    ['only a quote', '<div class="gmail_quote"><blockquote class="gmail_quote">old</blockquote></div>'],
    ['only an Outlook history', '<div id="divRplyFwdMsg"><b>From:</b> x</div><div>old</div>'],
    ['only a refused image', '<img src="http://tracker.example/p.gif">'],
  ])('is null when nothing is left: %s', (_, html) => {
    expect(agentReplyHtml(html)).toBeNull();
  });

  it('lists the Content-IDs of the images left, normalised, once each', () => {
    const reply = agentReplyHtml(
      '<p><img src="cid:%3CPart1.ABC@Example.COM%3E"><img src="CID:ii_x1"><img src="cid:part1.abc@example.com"></p>'
      + '<div class="gmail_quote"><img src="cid:quoted_only"></div>',
    );
    expect(reply?.cids).toEqual(['part1.abc@example.com', 'ii_x1']);
  });

  it.each([
    ['cid:ii_1', true],
    ['https://cdn.example.com/a.png', true],
    ['data:image/gif;base64,R0lGODlhAQABAAAAACw=', true],
    ['http://tracker.example/p.gif', false],
    ['//tracker.example/p.gif', false],
    ['javascript:alert(1)', false],
    ['data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=', false],
    ['data:text/html;base64,PHNjcmlwdD4=', false],
  ])('an image from %s is kept: %s', (src, kept) => {
    const reply = agentReplyHtml(`<p>See <img src="${src}" alt="pic"></p>`)!;
    expect(reply.html.includes('<img')).toBe(kept);
  });

  it('never lets an event handler, a script or a non-web link through', () => {
    const fragments = fc.constantFrom(
      '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">x</a>', '<svg onload=alert(1)>',
      '<div class="gmail_quote">', '<blockquote type="cite">', '</blockquote>', '</div>', '<br>', '#status resolved', 'On Mon, 2 Mar 2026 at 10:15, ',
      'Carol &lt;carol@example.com&gt; wrote:', '<hr>', '<b>From:</b> a@b.c<br>Sent: Monday<br>To: x<br>', '<p>', '</p>', 'text',
      '<style>p{}</style>', '<iframe src="https://x">', '<a href="vbscript:x">', '<img src="cid:a">', '<!--', '-->', '<![CDATA[', '<',
    );
    fc.assert(
      fc.property(fc.array(fragments, { maxLength: 40 }), (parts) => {
        const reply = agentReplyHtml(parts.join(''));
        if (reply === null) return;
        expect(reply.html).not.toMatch(/<script|<iframe|<svg|<style|\son\w+=|javascript:|vbscript:/i);
      }),
      { numRuns: 300 },
    );
  });
});

describe('agentReplyHtml on hostile sizes', () => {
  it('reads deep nesting without exhausting the stack', () => {
    const depth = 100_000;
    const reply = agentReplyHtml(`<p>Hi <b>Carol</b></p>${'<div>'.repeat(depth)}deep text${'</div>'.repeat(depth)}`);
    expect(reply?.html).toContain('<p>Hi <b>Carol</b></p>');
    expect(reply?.html).toContain('deep text');
  }, 30_000);

  it('cuts input past the cap and still answers', () => {
    const reply = agentReplyHtml(`<p>Hello</p>${'<p>filler text</p>'.repeat(MAX_REPLY_HTML / 10)}`);
    expect(reply?.html.startsWith('<p>Hello</p>')).toBe(true);
    expect(reply!.html.length).toBeLessThan(MAX_REPLY_HTML + 100);
  }, 30_000);

  it('stays linear on many leading blanks, many quotes and many empty wrappers', () => {
    const quotes = '<div>On Mon, 2 Mar 2026 at 10:15, Carol &lt;carol@example.com&gt; wrote:</div><blockquote>old</blockquote><p>a</p>'.repeat(10_000);
    const html = `${'<div><br></div>'.repeat(50_000)}${'#tag x<br>'.repeat(20_000)}<p>Hi</p>${quotes}${'<span></span>'.repeat(100_000)}`;
    const started = performance.now();
    const reply = agentReplyHtml(html)!;
    expect(reply.html.startsWith('<p>Hi</p><p>a</p>')).toBe(true);
    expect(reply.html).not.toContain('old');
    expect(reply.html.endsWith('<p>a</p>')).toBe(true);
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
