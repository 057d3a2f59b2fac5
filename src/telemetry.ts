import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What an admin needs to know about one watched mailbox: is it being read? */
export interface MailboxHealth {
  readonly name: string;
  readonly address: string;
  /** `watching`: connected and reading; `standby`: another instance holds the mailbox. */
  state: 'starting' | 'watching' | 'retrying' | 'standby' | 'stopped';
  connected: boolean;
  /** The end of the last sync that completed. */
  lastSyncAt: Date | null;
  lastError: { readonly code?: string; readonly message: string; readonly at: Date } | null;
  /** Failed connections or syncs since the last success. */
  errorStreak: number;
  /** OAuth2 mailboxes only: when the current access token expires, and the last refresh error. */
  oauth: { expiresAt: Date | null; error: string | null } | null;
}

/** Gauges read from the database at scrape time. */
export interface StoredCounts {
  readonly ticketsByStatus: Readonly<Record<string, number>>;
  readonly outboxByStatus: Readonly<Record<string, number>>;
  readonly quarantined: number;
  /** Tickets not closed, spam, deleted or merged, by status and age since creation (`under_1d`, `1d_3d`, `3d_7d`, `7d_plus`); every pair, zeros included. */
  readonly backlog: readonly { readonly status: string; readonly age: string; readonly count: number }[];
}

/** Buckets of the ingest latency (IMAP arrival → commit), in seconds. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800];

/**
 * The daemon's health and metrics: mailbox health for `/readyz` and the web
 * view, Prometheus metrics for `/metrics`. One per daemon process; the parts
 * of the daemon that see something happen report it here.
 */
export class Telemetry {
  readonly registry = new Registry();
  private readonly health = new Map<string, MailboxHealth>();
  private counts: (() => Promise<StoredCounts>) | null = null;

  readonly mailsIngested = new Counter({
    name: 'helpdesk_mails_ingested_total',
    help: 'Mails stored, by mailbox and kind (customer, agent, auto_reply, bounce, …)',
    labelNames: ['mailbox', 'kind'] as const,
    registers: [this.registry],
  });
  readonly ingestLatency = new Histogram({
    name: 'helpdesk_ingest_latency_seconds',
    help: 'Time from a mail arriving on the IMAP server (INTERNALDATE) to its ticket change being committed',
    labelNames: ['mailbox'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly imapReconnects = new Counter({
    name: 'helpdesk_imap_reconnects_total',
    help: 'IMAP connections lost or refused and retried, by mailbox',
    labelNames: ['mailbox'] as const,
    registers: [this.registry],
  });
  readonly ruleHits = new Counter({
    name: 'helpdesk_rule_hits_total',
    help: 'Rules applied to tickets, by rule name',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  readonly slaAlerts = new Counter({
    name: 'helpdesk_sla_alerts_total',
    help: 'SLA warnings and breaches recorded, by kind (warning, breach)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly oauthRefreshFailures = new Counter({
    name: 'helpdesk_oauth_refresh_failures_total',
    help: 'Failed OAuth2 access-token refreshes, by mailbox',
    labelNames: ['mailbox'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'helpdesk_' });
    const boxes = (): MailboxHealth[] => [...this.health.values()];
    const readCounts = (): Promise<StoredCounts | null> => this.counts?.() ?? Promise.resolve(null);
    new Gauge({
      name: 'helpdesk_mailbox_up',
      help: '1 when the mailbox is connected and being read by this instance',
      labelNames: ['mailbox'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const box of boxes()) this.set({ mailbox: box.name }, box.connected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'helpdesk_mailbox_last_sync_timestamp_seconds',
      help: 'End of the last completed sync, by mailbox (Unix time)',
      labelNames: ['mailbox'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const box of boxes()) if (box.lastSyncAt) this.set({ mailbox: box.name }, box.lastSyncAt.getTime() / 1000);
      },
    });
    new Gauge({
      name: 'helpdesk_oauth_token_expiry_timestamp_seconds',
      help: 'When the current OAuth2 access token of a mailbox expires (Unix time)',
      labelNames: ['mailbox'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const box of boxes()) if (box.oauth?.expiresAt) this.set({ mailbox: box.name }, box.oauth.expiresAt.getTime() / 1000);
      },
    });
    const stored = { tickets: null as Gauge<'status'> | null, outbox: null as Gauge<'status'> | null, quarantine: null as Gauge | null };
    // One database read per scrape feeds the stored-count gauges.
    let pending: Promise<StoredCounts | null> | null = null;
    const read = (): Promise<StoredCounts | null> => {
      pending ??= readCounts().catch(() => null).finally(() => setTimeout(() => (pending = null), 0));
      return pending;
    };
    stored.tickets = new Gauge({
      name: 'helpdesk_tickets',
      help: 'Tickets by status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await read();
        this.reset();
        for (const [status, n] of Object.entries(counts?.ticketsByStatus ?? {})) this.set({ status }, n);
      },
    });
    stored.outbox = new Gauge({
      name: 'helpdesk_outbox',
      help: 'Outgoing mails by state (queued, sending, sent, failed)',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await read();
        this.reset();
        for (const [status, n] of Object.entries(counts?.outboxByStatus ?? {})) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'helpdesk_backlog_tickets',
      help: 'Tickets not closed, spam, deleted or merged, by status and age since creation (under_1d, 1d_3d, 3d_7d, 7d_plus)',
      labelNames: ['status', 'age'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await read();
        this.reset();
        for (const { status, age, count } of counts?.backlog ?? []) this.set({ status, age }, count);
      },
    });
    stored.quarantine = new Gauge({
      name: 'helpdesk_quarantine_size',
      help: 'Mails in the quarantine (could not be ingested; kept with their source)',
      registers: [this.registry],
      async collect() {
        const counts = await read();
        if (counts) this.set(counts.quarantined);
      },
    });
  }

  /** Where the stored-count gauges come from (the database). */
  readCountsWith(counts: () => Promise<StoredCounts>): void {
    this.counts = counts;
  }

  /** The health record of a mailbox, created on first use; its owner updates it in place. */
  mailbox(name: string, address: string): MailboxHealth {
    let box = this.health.get(name);
    if (!box) {
      box = { name, address, state: 'starting', connected: false, lastSyncAt: null, lastError: null, errorStreak: 0, oauth: null };
      this.health.set(name, box);
    }
    return box;
  }

  mailboxes(): readonly MailboxHealth[] {
    return [...this.health.values()];
  }

  /** A mail stored: counted by kind, and its latency from arrival on the server when that is known. */
  ingested(mailbox: string, kind: string, arrivedAt: Date | null, committedAt: Date): void {
    this.mailsIngested.inc({ mailbox, kind });
    if (arrivedAt) this.ingestLatency.observe({ mailbox }, Math.max(0, committedAt.getTime() - arrivedAt.getTime()) / 1000);
  }

  /** Ticket events that were committed: rule hits and SLA alerts are counted from them. */
  eventsCommitted(events: readonly { readonly type: string; readonly data?: unknown }[]): void {
    for (const event of events) {
      if (event.type === 'rule_applied') this.ruleHits.inc({ rule: ruleName(event.data) });
      else if (event.type === 'sla_warning') this.slaAlerts.inc({ kind: 'warning' });
      else if (event.type === 'sla_breach') this.slaAlerts.inc({ kind: 'breach' });
    }
  }

  /** Prometheus text exposition. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function ruleName(data: unknown): string {
  const rule = (data as { rule?: unknown } | undefined)?.rule;
  return typeof rule === 'string' ? rule : 'unnamed';
}
