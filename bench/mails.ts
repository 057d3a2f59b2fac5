/**
 * Synthetic customer mail for the benchmark: deterministic (seeded), a few KB
 * of plain text each, every 5th with a small HTML alternative, some with a Cc,
 * a share of follow-ups that name an earlier mail in In-Reply-To and
 * References, so threading runs on real links rather than on subjects, and
 * one in ten with a 200 KB attachment.
 */

import { createCipheriv, createHash } from 'node:crypto';
import { seededRandom } from '../test/support/random.js';

export interface BenchMail {
  readonly raw: string;
  /** Message-ID without brackets. */
  readonly messageId: string;
  readonly replyTo: string | null;
  readonly html: boolean;
  /** Size of its attachment before base64 (0: none). */
  readonly attachmentBytes: number;
}

export interface CorpusOptions {
  /** Distinguishes the Message-IDs of two corpora built from the same seed. */
  readonly namespace: string;
  readonly seed?: number;
  /** One mail in this many carries an attachment (default 10; 0: none). */
  readonly attachmentEvery?: number;
}

/** Size of the attachment one mail in ten carries: 200 KB of incompressible bytes (~270 KB as base64). */
export const ATTACHMENT_BYTES = 200 * 1024;
const DEFAULT_SEED = 20_240_601;

const FIRST = ['Anna', 'Ben', 'Chloé', 'Dmitri', 'Eve', 'Farid', 'Grace', 'Hiro', 'Inês', 'Jonas', 'Kemal', 'Lena', 'Marta', 'Noah', 'Olga', 'Pavel'];
const LAST = ['Meyer', 'Okafor', 'Lindqvist', 'Rossi', 'Nakamura', 'Dubois', 'Kowalski', 'Müller', 'Santos', 'Hughes', 'Novak', 'Jensen'];
const COMPANIES = ['acme-logistics', 'northwind', 'bluefin-media', 'fjord-analytics', 'kestrel-health', 'orchid-retail', 'tandem-labs'];
const TOPICS = [
  'Invoice 2024-0417 charged twice',
  'Cannot log in after password reset',
  'Export to CSV times out',
  'Question about the annual plan',
  'API returns 502 on /v2/orders',
  'Wrong VAT number on receipt',
  'Team member cannot see shared reports',
  'Request to delete my account',
  'Webhook deliveries delayed',
  'Mobile app crashes on start',
  'How do I change the billing address?',
  'SSO login loops back to the start page',
];
const SENTENCES = [
  'We noticed this for the first time on Monday morning, right after the scheduled maintenance window.',
  'Three people on our team can reproduce it reliably; a fourth colleague on a different network cannot.',
  'I have attached nothing yet, but I can send screenshots or a HAR file if that would help you.',
  'Our finance department needs this resolved before the end of the month, when the books close.',
  'We tried clearing the browser cache, a private window and a second browser, with the same result.',
  'The error message says "something went wrong" and offers a reference number that changes every time.',
  'This worked fine last week, so we suspect a recent change on your side rather than on ours.',
  'Could you also confirm whether the same problem affects the staging environment we were given?',
  'For context: we have about 140 active users, most of them in Europe and a few in Singapore.',
  'Our account manager suggested writing to this address, so I hope this is the right place.',
  'If a call is easier, I am available between 09:00 and 17:00 CET on weekdays.',
  'The total on the last invoice was € 1 249,00 instead of the € 624,50 we agreed on in the contract.',
  'We rely on this every morning for the daily report, so a workaround would already be a great help.',
  'I checked the status page before writing; it shows all systems operational for the whole week.',
  'Please let me know which details you need from us, and we will collect them as quickly as we can.',
  'Nothing in our own logs points to a timeout; the requests leave our network and never come back.',
];
const FOLLOW_UPS = [
  'Any update on this? It is still happening today.',
  'A quick addition to my earlier mail: the problem also shows up on the mobile app.',
  'Thanks for looking into it. One more detail that may matter is below.',
  'Sorry to chase, but our deadline is getting close. Is there anything we can do meanwhile?',
];

/** Builds `count` distinct customer mails, the same text for the same seed. */
export function buildCustomerMails(count: number, options: CorpusOptions): BenchMail[] {
  return [...customerMails(count, options)];
}

/**
 * The same mails one at a time, for runs too large to hold in memory at once
 * (10 000 mails are ~300 MB with their attachments). Which mails carry an
 * attachment, and its bytes, follow from the seed and the mail's index only:
 * the seeded text stream is the same with or without attachments.
 */
export function* customerMails(count: number, options: CorpusOptions): Generator<BenchMail> {
  const seed = options.seed ?? DEFAULT_SEED;
  const random = seededRandom(seed);
  const every = options.attachmentEvery ?? 10;
  const customers = Array.from({ length: Math.max(8, Math.ceil(count / 4)) }, (_, i) => customer(random, i));
  const sent: { messageId: string; subject: string; customer: number; references: string[]; body: string }[] = [];
  const start = Date.UTC(2024, 5, 3, 7, 0, 0);
  for (let i = 0; i < count; i++) {
    const messageId = `${options.namespace}.${i}.${Math.floor(random() * 2 ** 32).toString(16)}@${COMPANIES[i % COMPANIES.length]}.example`;
    const parent = i >= 10 && i % 6 === 0 ? sent[Math.floor(random() * sent.length)]! : null;
    const who = parent ? parent.customer : Math.floor(random() * customers.length);
    const subject = parent ? `Re: ${parent.subject.replace(/^Re: /, '')}` : pick(random, TOPICS);
    const text = parent ? followUpText(random, customers[who]!, parent.body) : newText(random, customers[who]!);
    const html = i % 5 === 4;
    const references = parent ? [...parent.references, parent.messageId] : [];
    const headers = [
      `From: ${encodeName(customers[who]!.name)} <${customers[who]!.address}>`,
      'To: Support <support@example.test>',
      ...(i % 7 === 3 ? [`Cc: ${customers[(who + 1) % customers.length]!.address}`] : []),
      `Subject: ${subject}`,
      `Date: ${new Date(start + i * 97_000).toUTCString()}`,
      `Message-ID: <${messageId}>`,
      ...(parent ? [`In-Reply-To: <${parent.messageId}>`, `References: ${references.map((r) => `<${r}>`).join(' ')}`] : []),
      'MIME-Version: 1.0',
      'User-Agent: Bench/1.0',
    ];
    const body = html ? alternative(text, i) : plain(text);
    const attached = hasAttachment(i, every);
    yield {
      raw: [...headers, ...(attached ? mixed(body, i, attachment(seed, options.namespace, i)) : body)].join('\r\n'),
      messageId,
      replyTo: parent?.messageId ?? null,
      html,
      attachmentBytes: attached ? ATTACHMENT_BYTES : 0,
    };
    sent.push({ messageId, subject, customer: who, references, body: text });
  }
}

/**
 * One mail in `every`: in each block of `every` consecutive mails the one at
 * position (block number mod every), so the attachments fall on plain and
 * HTML mails, new tickets and follow-ups alike (a fixed `i % 10` would land on
 * one kind only, since every 5th mail is the HTML one).
 */
function hasAttachment(i: number, every: number): boolean {
  return every > 0 && i % every === Math.floor(i / every) % every;
}

/** ATTACHMENT_BYTES of AES-CTR keystream keyed by seed, namespace and index: deterministic, distinct per mail, incompressible. */
function attachment(seed: number, namespace: string, i: number): Buffer {
  const key = createHash('sha256').update(`bench-attachment:${seed}:${namespace}:${i}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(ATTACHMENT_BYTES)), cipher.final()]);
}

/** multipart/mixed: the body part (plain or alternative) first, then the attachment, base64 in 76-character lines. */
function mixed(body: string[], i: number, bytes: Buffer): string[] {
  const boundary = `=_bench_mixed_${i}`;
  const encoded = bytes.toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < encoded.length; at += 76) lines.push(encoded.slice(at, at + 76));
  return [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    ...body,
    `--${boundary}`,
    `Content-Type: application/pdf; name="report-${i}.pdf"`,
    `Content-Disposition: attachment; filename="report-${i}.pdf"`,
    'Content-Transfer-Encoding: base64',
    '',
    ...lines,
    `--${boundary}--`,
    '',
  ];
}

/** What an agent notification quotes: the customer who wrote, the subject and the text. */
export interface CustomerMessage {
  readonly customer: { readonly name: string; readonly address: string };
  readonly subject: string;
  readonly text: string;
}

/**
 * `count` customer messages of the same kind as buildCustomerMails' new
 * tickets (~1.5–3 KB of text), from a seed of their own, for the outgoing
 * notifications the outbound benchmark renders.
 */
export function buildCustomerMessages(count: number, seed = 20_240_602): CustomerMessage[] {
  const random = seededRandom(seed);
  const customers = Array.from({ length: Math.max(8, Math.ceil(count / 4)) }, (_, i) => customer(random, i));
  return Array.from({ length: count }, () => {
    const who = customers[Math.floor(random() * customers.length)]!;
    return { customer: { name: who.name, address: who.address }, subject: pick(random, TOPICS), text: newText(random, who).replace(/\r\n/g, '\n') };
  });
}

/**
 * One plain new-ticket mail with a fresh Message-ID, for the latency probe,
 * from a sender of its own (`sender`): acknowledgements are rate-limited per address.
 */
export function buildProbeMail(index: number, namespace: string): BenchMail & { readonly sender: string } {
  const messageId = `${namespace}.probe.${index}.${Date.now().toString(36)}@probe.example`;
  const sender = `pat.${namespace}.${index}@probe.example`;
  const raw = [
    `From: Pat Probe ${index} <${sender}>`,
    'To: support@example.test',
    `Subject: Latency probe ${index}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${messageId}>`,
    'MIME-Version: 1.0',
    ...plain(wrap(SENTENCES.slice(0, 6).join(' '))),
  ].join('\r\n');
  return { raw, messageId, replyTo: null, html: false, attachmentBytes: 0, sender };
}

interface Customer {
  readonly name: string;
  readonly address: string;
  readonly company: string;
}

function customer(random: () => number, i: number): Customer {
  const first = pick(random, FIRST);
  const last = pick(random, LAST);
  const company = COMPANIES[i % COMPANIES.length]!;
  const local = `${first}.${last}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase();
  return { name: `${first} ${last}`, address: `${local}${i}@${company}.example`, company };
}

function newText(random: () => number, who: Customer): string {
  const paragraphs = Array.from({ length: 4 + Math.floor(random() * 5) }, () =>
    wrap(Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(random, SENTENCES)).join(' ')),
  );
  return ['Hello support team,', '', ...paragraphs.flatMap((p) => [p, '']), signature(who)].join('\r\n');
}

function followUpText(random: () => number, who: Customer, quoted: string): string {
  const intro = wrap(`${pick(random, FOLLOW_UPS)} ${pick(random, SENTENCES)}`);
  const quote = quoted.split('\r\n').map((line) => (line ? `> ${line}` : '>'));
  return ['Hi again,', '', intro, '', signature(who), '', 'On an earlier day, I wrote:', ...quote].join('\r\n');
}

function signature(who: Customer): string {
  return ['Kind regards,', who.name, `${who.company.replace(/-/g, ' ')} | operations`, '+49 30 1234 5678'].join('\r\n');
}

function plain(text: string): string[] {
  return ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text, ''];
}

function alternative(text: string, i: number): string[] {
  const boundary = `=_bench_alt_${i}`;
  const paragraphs = text.split('\r\n\r\n').slice(0, 4);
  const html = `<html><body>${paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\r\n/g, '<br>')}</p>`).join('\r\n')}</body></html>`;
  return [
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    ...plain(text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html,
    `--${boundary}--`,
    '',
  ];
}

function encodeName(name: string): string {
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name}"`;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function wrap(text: string, width = 72): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\r\n');
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

