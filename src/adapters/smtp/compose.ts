import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { ComposeMail, OutboundMail } from '../../usecases/ports.js';

/** Renders an outgoing mail to MIME with nodemailer's composer (it encodes every header it writes). */
export const composeMail: ComposeMail = (mail: OutboundMail) => {
  const composer = new MailComposer({
    messageId: `<${mail.messageId}>`,
    date: mail.date,
    from: mail.from,
    to: [...mail.to],
    cc: mail.cc.length > 0 ? [...mail.cc] : undefined,
    replyTo: mail.replyTo ?? undefined,
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? undefined,
    inReplyTo: mail.inReplyTo ? `<${mail.inReplyTo}>` : undefined,
    references: mail.references.length > 0 ? mail.references.map((id) => `<${id}>`) : undefined,
    headers: { ...mail.headers },
    attachments: mail.attachments.map((a) => ({
      filename: a.filename ?? undefined,
      content: a.content,
      contentType: a.contentType,
      cid: a.inline && a.contentId ? a.contentId : undefined,
    })),
  });
  return composer.compile().build();
};
