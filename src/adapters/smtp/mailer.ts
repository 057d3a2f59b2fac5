import nodemailer, { type Transporter } from 'nodemailer';
import type { Config, MailboxConfig } from '../../config/schema.js';
import { AppError } from '../../errors.js';
import type { Mailer } from '../../usecases/ports.js';
import { toSmtpError } from './errors.js';

/** Sends rendered mail through each mailbox's SMTP server, one connection pool per mailbox. */
export function createMailer(config: () => Config): Mailer {
  const pools = new Map<string, { settings: string; transport: Transporter }>();

  const transportFor = (mailbox: MailboxConfig): Transporter => {
    const smtp = mailbox.smtp;
    if (!smtp) throw new AppError('SMTP_NOT_CONFIGURED', `mailbox ${mailbox.name} has no smtp settings: add smtp: { host, port } to it`);
    const settings = JSON.stringify(smtp);
    const existing = pools.get(mailbox.name);
    if (existing && existing.settings === settings) return existing.transport;
    existing?.transport.close();
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      tls: { rejectUnauthorized: smtp.tlsVerify },
      pool: true,
      maxConnections: 5,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    pools.set(mailbox.name, { settings, transport });
    return transport;
  };

  return {
    async send(mailboxName, envelope, raw) {
      const mailbox = config().mailboxes.find((m) => m.name === mailboxName);
      if (!mailbox) throw new AppError('SMTP_NOT_CONFIGURED', `mailbox ${mailboxName} is no longer configured`);
      const transport = transportFor(mailbox);
      try {
        const info = await transport.sendMail({ envelope: { from: envelope.from, to: [...envelope.to] }, raw });
        return { accepted: (info.accepted ?? []).map(String), rejected: (info.rejected ?? []).map(String) };
      } catch (err) {
        throw toSmtpError(err, `sending through ${mailbox.smtp?.host}:${mailbox.smtp?.port}`);
      }
    },
    close() {
      for (const { transport } of pools.values()) transport.close();
      pools.clear();
    },
  };
}
