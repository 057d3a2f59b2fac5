import { randomBytes } from 'node:crypto';

export interface MailSpec {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  body?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  date?: Date;
  headers?: Record<string, string>;
}

/** A fresh Message-ID (without brackets). */
export function newMessageId(domain = 'customer.test'): string {
  return `${randomBytes(8).toString('hex')}@${domain}`;
}

/** Builds a raw RFC 5322 message with CRLF line endings. */
export function buildMail(spec: MailSpec = {}): { raw: string; messageId: string | null } {
  const messageId = spec.messageId === undefined ? newMessageId() : spec.messageId;
  const lines = [
    `From: ${spec.from ?? 'Carol Customer <carol@customer.test>'}`,
    `To: ${spec.to ?? 'support@example.test'}`,
    ...(spec.cc ? [`Cc: ${spec.cc}`] : []),
    `Subject: ${spec.subject ?? 'Printer on fire'}`,
    `Date: ${(spec.date ?? new Date()).toUTCString()}`,
    ...(messageId ? [`Message-ID: <${messageId}>`] : []),
    ...(spec.inReplyTo ? [`In-Reply-To: <${spec.inReplyTo}>`] : []),
    ...(spec.references?.length ? [`References: ${spec.references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    spec.body ?? 'Hello, the printer in room 4 is on fire. Please advise.',
    '',
  ];
  return { raw: lines.join('\r\n'), messageId };
}

/** The bits of a received mail a reply needs. */
export interface Replyable {
  readonly messageId?: string | undefined;
  readonly subject?: string | undefined;
  readonly text?: string | undefined;
  readonly replyTo?: { readonly value: readonly { readonly address?: string | undefined }[] } | undefined;
  readonly from?: { readonly value: readonly { readonly address?: string | undefined; readonly name?: string }[] } | undefined;
}

/**
 * A reply as a mail client writes it: to the Reply-To (else From), `Re:`
 * subject, In-Reply-To/References, the new text on top and the original
 * quoted under an "On … wrote:" line.
 */
export function replyTo(original: Replyable, spec: { from: string; body: string; headers?: Record<string, string>; to?: string }): { raw: string; messageId: string } {
  const target = spec.to ?? original.replyTo?.value[0]?.address ?? original.from?.value[0]?.address ?? 'support@example.test';
  const parent = (original.messageId ?? '').replace(/^<|>$/g, '');
  const sender = original.from?.value[0];
  const quoted = (original.text ?? '').split('\n').map((l) => `> ${l}`).join('\n');
  const body = `${spec.body}\n\nOn Mon, 23 Nov 2026 at 10:00, ${sender?.name ?? 'Support'} <${sender?.address ?? 'support@example.test'}> wrote:\n${quoted}\n`;
  const subject = /^re:/i.test(original.subject ?? '') ? original.subject! : `Re: ${original.subject ?? ''}`;
  const mail = buildMail({
    from: spec.from,
    to: target,
    subject,
    inReplyTo: parent || undefined,
    references: parent ? [parent] : undefined,
    body,
    headers: spec.headers,
  });
  return { raw: mail.raw, messageId: mail.messageId! };
}

/**
 * A delivery status report (RFC 3464) returning one of our mails: `returned`
 * is its Message-ID with brackets, as the capture parsed it.
 */
export function buildDsn(returned: string, recipient: string): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>',
    'To: support@example.test',
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${newMessageId('mx.customer.test')}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--b',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.customer.test',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 no such user',
    '--b',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${returned}`,
    'From: support@example.test',
    '--b--',
    '',
  ].join('\r\n');
}
