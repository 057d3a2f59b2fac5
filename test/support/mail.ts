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
