import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerEnvelope, type SMTPServerOptions } from 'smtp-server';
import { waitFor } from './wait.js';

export interface CapturedMail {
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

/**
 * The options every loopback SMTP server of the tests, the bench and the demo
 * shares: plain SMTP (smtp-server's built-in certificate has expired), any
 * credentials accepted, and no 30 s wait at close for connections a killed
 * daemon left open.
 */
export function loopbackSmtpOptions(user: string): Pick<SMTPServerOptions, 'authOptional' | 'allowInsecureAuth' | 'disabledCommands' | 'logger' | 'closeTimeout' | 'onAuth'> {
  return {
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    onAuth: (_auth, _session, callback) => callback(null, { user }),
  };
}

/** What the server answers to a message: null accepts it, else an SMTP reply code and text. */
export type Responder = (envelope: CapturedMail['envelope'], raw: Buffer) => { code: number; message: string } | null;

export interface CaptureOptions {
  /** Delay between recording a mail and answering it: sends stay in flight long enough for a fault to land. */
  readonly delayMs?: number;
  /** Runs after a mail is recorded and before the server answers it (a fault can be set up there). */
  readonly beforeAnswer?: (mail: CapturedMail) => Promise<void>;
}

/** A real SMTP receiver in this process that keeps what it accepts and can be told to refuse. */
export interface SmtpCapture {
  readonly port: number;
  /**
   * Accepted mails. A mail counts once its DATA ended, as a real MTA's would:
   * a client killed before it read the answer has still delivered it.
   */
  readonly mails: CapturedMail[];
  /** Every DATA attempt, accepted or refused. */
  readonly attempts: number;
  respond(responder: Responder): void;
  /** Accepted mails to `address` (envelope recipient). */
  to(address: string): CapturedMail[];
  waitForMail(predicate: (mail: CapturedMail) => boolean, what: string, timeoutMs?: number): Promise<CapturedMail>;
  /** Message-IDs (without brackets) accepted more than once, with their counts. */
  duplicates(): Map<string, number>;
  /** Copies beyond the first, over every Message-ID. */
  extraCopies(): number;
  close(): Promise<void>;
}

export async function startSmtpCapture(options: CaptureOptions = {}): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  let responder: Responder = () => null;
  let attempts = 0;
  const server = new SMTPServer({
    // Any credentials are accepted: tests check what the daemon sends, not the server's checks.
    ...loopbackSmtpOptions('test'),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        attempts++;
        const raw = Buffer.concat(chunks);
        const env = envelopeOf(session.envelope);
        const refusal = responder(env, raw);
        if (refusal) {
          const err = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
          callback(err);
          return;
        }
        simpleParser(raw).then(
          async (parsed) => {
            const mail = { envelope: env, raw, parsed };
            mails.push(mail);
            await options.beforeAnswer?.(mail).catch(() => undefined);
            if (options.delayMs) setTimeout(() => callback(), options.delayMs);
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
    get attempts() {
      return attempts;
    },
    respond(next) {
      responder = next;
    },
    to: (address) => mails.filter((m) => m.envelope.to.includes(address.toLowerCase())),
    waitForMail: (predicate, what, timeoutMs = 15_000) => waitFor(() => mails.find(predicate), { timeoutMs, what }),
    duplicates,
    extraCopies: () => [...duplicates().values()].reduce((sum, n) => sum + n - 1, 0),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function envelopeOf(envelope: SMTPServerEnvelope): CapturedMail['envelope'] {
  const from = envelope.mailFrom ? envelope.mailFrom.address : '';
  return { from, to: envelope.rcptTo.map((r) => r.address.toLowerCase()) };
}
