import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerEnvelope } from 'smtp-server';
import { waitFor } from './wait.js';

export interface CapturedMail {
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

/** What the server answers to a message: null accepts it, else an SMTP reply code and text. */
export type Responder = (envelope: CapturedMail['envelope'], raw: Buffer) => { code: number; message: string } | null;

/** A real SMTP receiver in this process that keeps what it accepts and can be told to refuse. */
export interface SmtpCapture {
  readonly port: number;
  readonly mails: CapturedMail[];
  /** Every DATA attempt, accepted or refused. */
  readonly attempts: number;
  respond(responder: Responder): void;
  /** Accepted mails to `address` (envelope recipient). */
  to(address: string): CapturedMail[];
  waitForMail(predicate: (mail: CapturedMail) => boolean, what: string, timeoutMs?: number): Promise<CapturedMail>;
  close(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  let responder: Responder = () => null;
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Any credentials are accepted: tests check what the daemon sends, not the server's checks.
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
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
          (parsed) => {
            mails.push({ envelope: env, raw, parsed });
            callback();
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function envelopeOf(envelope: SMTPServerEnvelope): CapturedMail['envelope'] {
  const from = envelope.mailFrom ? envelope.mailFrom.address : '';
  return { from, to: envelope.rcptTo.map((r) => r.address.toLowerCase()) };
}
