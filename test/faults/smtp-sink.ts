import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerEnvelope } from 'smtp-server';
import type { CapturedMail } from '../support/smtp-capture.js';

/**
 * test/support/smtp-capture.ts with one addition: an optional delay between
 * the end of DATA and the server's answer, so that sends are in flight long
 * enough for a fault to land among them. A mail counts as accepted (it is
 * recorded) once its DATA ended, as a real MTA's would be: a client killed
 * before it read the answer has still delivered it.
 */
export interface SmtpSink {
  readonly port: number;
  readonly mails: CapturedMail[];
  /** Message-IDs (without brackets) accepted more than once, with their counts. */
  duplicates(): Map<string, number>;
  /** Copies beyond the first, over every Message-ID. */
  extraCopies(): number;
  close(): Promise<void>;
}

export interface SinkOptions {
  /** Delay before the answer to each mail. */
  delayMs?: number;
  /** Runs after a mail is recorded and before the server answers it (a fault can be set up there). */
  beforeAnswer?: (mail: CapturedMail) => Promise<void>;
}

export async function startSmtpSink(options: SinkOptions = {}): Promise<SmtpSink> {
  const mails: CapturedMail[] = [];
  const delayMs = options.delayMs ?? 0;
  const beforeAnswer = options.beforeAnswer ?? (() => Promise.resolve());
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // The daemon under test may have been killed with connections open: do not wait 30 s for them.
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const envelope = envelopeOf(session.envelope);
        simpleParser(raw).then(
          async (parsed) => {
            const mail = { envelope, raw, parsed };
            mails.push(mail);
            await beforeAnswer(mail).catch(() => undefined);
            if (delayMs > 0) setTimeout(() => callback(), delayMs);
            else callback();
          },
          (err: Error) => callback(err),
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
  const duplicates = () => {
    const counts = new Map<string, number>();
    for (const mail of mails) {
      const id = (mail.parsed.messageId ?? '').replace(/^<|>$/g, '');
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return new Map([...counts].filter(([, n]) => n > 1));
  };
  return {
    port,
    mails,
    duplicates,
    extraCopies: () => [...duplicates().values()].reduce((sum, n) => sum + n - 1, 0),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function envelopeOf(envelope: SMTPServerEnvelope): CapturedMail['envelope'] {
  const from = envelope.mailFrom ? envelope.mailFrom.address : '';
  return { from, to: envelope.rcptTo.map((r) => r.address.toLowerCase()) };
}
