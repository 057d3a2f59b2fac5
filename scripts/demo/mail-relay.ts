import { simpleParser, type ParsedMail } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loopbackSmtpOptions } from '../../test/support/smtp-capture.js';
import { waitFor } from '../../test/support/wait.js';

export interface RelayedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly parsed: ParsedMail;
}

/**
 * The demo's mail server: accepts every mail on a loopback port (the daemon's
 * SMTP, the customer's and the agent's mail client alike), keeps it, and
 * delivers it into the recipient's Dovecot mailbox as an MTA would —
 * `support+token@…` into `support@…`'s (Dovecot's `recipient_delimiter`).
 */
export interface MailRelay {
  readonly port: number;
  readonly mails: readonly RelayedMail[];
  /** Called for each mail accepted from now on. */
  onMail(listener: (mail: RelayedMail) => void): void;
  waitForMail(predicate: (mail: RelayedMail) => boolean, timeoutMs: number): Promise<RelayedMail | null>;
  /** Sends a raw mail through the relay, as a mail client would. */
  send(from: string, to: string, raw: string): Promise<void>;
  close(): Promise<void>;
}

/** The mailbox a recipient's mail goes to: the plus tag dropped. */
export function mailboxOf(address: string): string {
  const [local = '', domain = ''] = address.toLowerCase().split('@');
  return `${local.split('+')[0]}@${domain}`;
}

export async function startMailRelay(deliver: (mailbox: string, raw: Buffer) => Promise<void>): Promise<MailRelay> {
  const mails: RelayedMail[] = [];
  const listeners: ((mail: RelayedMail) => void)[] = [];
  const server = new SMTPServer({
    ...loopbackSmtpOptions('demo'),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        Promise.all([simpleParser(raw), ...to.map((address) => deliver(mailboxOf(address), raw))]).then(
          ([parsed]) => {
            const mail = { from, to, parsed };
            mails.push(mail);
            for (const listener of listeners) listener(mail);
            callback();
          },
          (err: Error) => callback(Object.assign(new Error(`delivery failed: ${err.message}`), { responseCode: 451 })),
        );
      });
    },
  });
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  return {
    port,
    mails,
    onMail: (listener) => void listeners.push(listener),
    waitForMail: (predicate, timeoutMs) =>
      waitFor(() => mails.find(predicate), { timeoutMs, intervalMs: 50 }).catch(() => null),
    async send(from, to, raw) {
      await transport.sendMail({ envelope: { from, to }, raw });
    },
    async close() {
      transport.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
