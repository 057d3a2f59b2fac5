import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/adapters/db/client.js';
import { storedCounts } from '../../src/adapters/db/stored-counts.js';
import { startHttpServer, type HttpServer } from '../../src/adapters/http/server.js';
import { createParserPool, type MailParser } from '../../src/adapters/mime/parser-pool.js';
import { redisLeases } from '../../src/adapters/queue/lease.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging.js';
import { ingestDeps } from '../../src/main.js';
import { Telemetry } from '../../src/telemetry.js';
import { ingestMessage, type IngestResult } from '../../src/usecases/ingest-message.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { LogCapture } from './harness.js';

/**
 * The HTTP server of the daemon on port 0, over a throwaway database whose
 * tickets come through the real ingest path (parse in worker threads,
 * classify, rules, decide, save), with the daemon's own Redis ping.
 * The IMAP side is not under test: mails are handed to ingest directly.
 */
export interface WebFixture {
  readonly db: TestDatabase;
  readonly server: HttpServer;
  readonly base: string;
  readonly token: string;
  /** The reply-token key ingest signs and checks agents' reply addresses with. */
  readonly tokenKey: Buffer;
  readonly telemetry: Telemetry;
  readonly config: Config;
  readonly logs: LogCapture;
  /** Another server on the same database and telemetry: without a token, or with another Redis ping. */
  anotherServer(options: { token?: string | null; pingRedis?: () => Promise<void> }): Promise<HttpServer>;
  /** Stores a raw mail as if it had arrived in the `support` mailbox at `now` (default: now). */
  ingest(raw: string | Buffer, now?: Date): Promise<IngestResult>;
  close(): Promise<void>;
}

export const FIXTURE_CONFIG = `
mailboxes:
  - name: support
    address: support@example.test
    imap: { host: 127.0.0.1, user: support@example.test, pollInterval: 60s }
agents:
  - { name: Alice Agent, email: alice@example.test, departments: [general] }
  - { name: Bob Agent, email: bob@example.test, departments: [general] }
http: { port: 8080, token: \${HELPDESK_HTTP_TOKEN} }
sla:
  policies:
    urgent: { firstResponse: 1h, resolution: 8h }
    high: { firstResponse: 4h, resolution: 2d }
    medium: { firstResponse: 8h, resolution: 5d }
  warnBefore: 2h
rules:
  - name: billing
    when: { subject: { contains: invoice } }
    then: { priority: high, tags: [billing], assign: alice@example.test }
  - name: outage
    when: { subject: { contains: outage } }
    then: { priority: urgent, tags: [outage], assign: bob@example.test }
`;

export interface WebFixtureOptions {
  /** The Redis the readiness probe pings (default: the local one). */
  readonly redisUrl?: string;
  /** Extra YAML appended to the config. */
  readonly extraConfig?: string;
}

export async function webFixture(options: WebFixtureOptions = {}): Promise<WebFixture> {
  const token = `tok-${randomBytes(16).toString('hex')}`;
  const loaded = parseConfig(FIXTURE_CONFIG + (options.extraConfig ?? ''), 'helpdesk.yaml', { HELPDESK_HTTP_TOKEN: token });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  // The schema takes ports 1-65535; the test's server listens where the OS says (port 0).
  const config: Config = { ...loaded.config, http: { ...loaded.config.http!, port: 0 } };
  const db = await createTestDatabase(inject('templateDb'));
  const database: Database = openDatabase(db.url, { max: 4 });
  const parser: MailParser = createParserPool({ budgetMs: () => 5_000, threads: 1 });
  const leases = redisLeases(options.redisUrl ?? 'redis://127.0.0.1:6379', `hdweb-${randomBytes(4).toString('hex')}`);
  const logs = new LogCapture();
  const log = createLogger('info', logs.stream);
  const telemetry = new Telemetry({ defaultMetrics: false });
  telemetry.readCountsWith(() => storedCounts(database.db));
  const queued: number[] = [];
  const tokenKey = Buffer.alloc(32, 9);
  const deps = ingestDeps({
    config: () => config,
    database,
    // Sending is not under test: the rows ingest queues are only noted.
    outbox: { enqueue: async (ids) => void queued.push(...ids), requeue: async () => 0 },
    tokenKey,
    parse: parser.parse,
    log,
    telemetry,
  });
  let uid = 0;
  const server = await startHttpServer({ config: () => config, telemetry, db: database.db, pingRedis: () => leases.ping(), log });
  const others: HttpServer[] = [];
  return {
    db,
    server,
    base: `http://127.0.0.1:${server.port}`,
    token,
    tokenKey,
    telemetry,
    config,
    logs,
    async anotherServer(o) {
      const other = { ...config, http: { ...config.http!, token: o.token === undefined ? token : o.token } };
      const started = await startHttpServer({ config: () => other, telemetry, db: database.db, pingRedis: o.pingRedis ?? (() => leases.ping()), log });
      others.push(started);
      return started;
    },
    ingest(raw, now) {
      const source = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
      const at = now ? { ...deps, now: () => now } : deps;
      return ingestMessage(at, { mailbox: 'support', uid: ++uid, source, size: source.length });
    },
    async close() {
      for (const other of others) await other.close();
      await server.close();
      leases.close();
      await parser.close();
      await database.close();
      await db.drop();
    },
  };
}

/** A mail with a text part and one attachment (base64), as mail clients write it. */
export function mailWithAttachment(spec: { subject: string; body: string; filename: string; contentType: string; content: Buffer; from?: string; messageId?: string; date?: Date }): string {
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  const encodedName = `UTF-8''${encodeURIComponent(spec.filename)}`;
  return [
    `From: ${spec.from ?? 'Carol Customer <carol@customer.test>'}`,
    'To: support@example.test',
    `Subject: ${spec.subject}`,
    `Date: ${(spec.date ?? new Date()).toUTCString()}`,
    `Message-ID: <${spec.messageId ?? `${randomBytes(8).toString('hex')}@customer.test`}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    spec.body,
    `--${boundary}`,
    `Content-Type: ${spec.contentType}`,
    `Content-Disposition: attachment; filename*=${encodedName}`,
    'Content-Transfer-Encoding: base64',
    '',
    spec.content.toString('base64').replace(/.{76}/g, '$&\r\n'),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** A mail with an HTML part only. */
export function htmlMail(spec: { subject: string; html: string; from?: string; date?: Date }): string {
  return [
    `From: ${spec.from ?? 'Dave Customer <dave@customer.test>'}`,
    'To: support@example.test',
    `Subject: ${spec.subject}`,
    `Date: ${(spec.date ?? new Date()).toUTCString()}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@customer.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    spec.html,
    '',
  ].join('\r\n');
}
