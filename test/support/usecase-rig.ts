import { extractReply } from '../../src/adapters/mime/extract-reply.js';
import { readForwardedText } from '../../src/adapters/mime/forwarded-text.js';
import { htmlForAgents } from '../../src/adapters/mime/notice-html.js';
import { agentReplyHtml } from '../../src/adapters/mime/reply-html.js';
import { detectLanguage } from '../../src/adapters/language/detect-language.js';
import { parseMail } from '../../src/adapters/mime/parse-mail.js';
import { re2Test } from '../../src/adapters/regex/re2.js';
import { composeMail } from '../../src/adapters/smtp/compose.js';
import type { Config } from '../../src/config/schema.js';
import { NOT_CHECKED } from '../../src/domain/sender-auth.js';
import { ingestMessage, type IngestDeps, type IngestResult } from '../../src/usecases/ingest-message.js';
import type { Logger } from '../../src/usecases/ports.js';
import type { ScheduleDeps } from '../../src/usecases/scheduled-change.js';
import { parseOk } from './config-text.js';
import { MemoryOutbox, MemoryStore } from './memory-store.js';

export const AGENT = 'alice@example.test';

/** A config for the use-case tests: one mailbox, two agents, rules, SLA targets. */
export function rigConfig(extra: readonly string[] = []): Config {
  return parseOk([
    'mailboxes:',
    '  - name: support',
    '    address: support@example.test',
    '    imap: { host: 127.0.0.1, user: support }',
    'agents:',
    `  - { name: Alice, email: ${AGENT}, departments: [general] }`,
    '  - { name: Bob Builder, email: bob@example.test, departments: [general] }',
    'sla:',
    '  policies: { high: { firstResponse: 4h, nextResponse: 8h }, medium: { firstResponse: 8h } }',
    ...extra,
  ]);
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The use cases over the in-memory store and queue, with the real pure
 * adapters (mail parsing and composing in this thread, RE2): no services.
 */
export class UseCaseRig {
  readonly store = new MemoryStore();
  readonly outbox = new MemoryOutbox();
  now = new Date('2026-11-30T10:00:00Z');
  private uid = 0;
  /** The database's blocklist, as the daemon would read it. */
  blocked: readonly string[] = [];

  constructor(public config: Config = rigConfig()) {}

  get deps(): IngestDeps & ScheduleDeps {
    return {
      store: this.store,
      schedule: this.store.schedule(),
      config: () => this.config,
      now: () => this.now,
      parse: (raw, options) => parseMail(raw, options),
      compose: composeMail,
      outbox: this.outbox,
      tokenKey: Buffer.alloc(32, 7),
      extractReply,
      regex: re2Test,
      verifySender: async () => NOT_CHECKED,
      mailHtml: { agentReply: agentReplyHtml, forAgents: htmlForAgents },
      readForwardedText,
      detectLanguage,
      blockedSenders: { patterns: async () => this.blocked, invalidate: () => {} },
      log: quiet,
    };
  }

  ingest(raw: string): Promise<IngestResult> {
    const source = Buffer.from(raw);
    return ingestMessage(this.deps, { mailbox: 'support', uid: ++this.uid, source, size: source.length });
  }

  later(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  /** Outgoing mail of a kind, oldest first. */
  sent(kind: string, to?: string) {
    return this.store.outbox().filter((m) => m.kind === kind && (to === undefined || m.to.includes(to)));
  }
}
