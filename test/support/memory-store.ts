import { AppError } from '../../src/errors.js';
import type { Ticket } from '../../src/domain/ticket.js';
import type { SlaMetric } from '../../src/domain/sla.js';
import type { TicketStatus } from '../../src/domain/ticket.js';
import type {
  AutomatedMailRecord,
  OutboxQueue,
  Participant,
  ScheduleStore,
  Store,
  TicketSave,
  UnitOfWork,
} from '../../src/usecases/ports.js';

/** A stored message, as the fake keeps it. */
export interface MemoryMessage {
  readonly id: number;
  readonly ticketId: number | null;
  readonly direction: 'in' | 'out';
  readonly kind: string;
  readonly messageId: string | null;
  readonly rawSha256: string | null;
  readonly from: string | null;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly threadIndex: string | null;
  /** Of our outgoing mail: where answers go (a notification's carries the agent's reply token). */
  readonly replyTo: string | null;
  readonly references: readonly string[];
  deliveryState: 'queued' | 'sending' | 'sent' | 'failed' | null;
  lastError: string | null;
}

export interface MemoryEvent {
  readonly id: number;
  readonly ticketId: number;
  readonly messageId: number | null;
  readonly type: string;
  readonly actor: string;
  readonly data: Record<string, unknown>;
}

interface State {
  tickets: Map<number, Ticket>;
  participants: Map<number, Participant[]>;
  contacts: Map<string, { id: number; name: string }>;
  requesters: Map<number, string>;
  messages: MemoryMessage[];
  events: MemoryEvent[];
  automated: (AutomatedMailRecord & { sentAt: Date })[];
  slaNotices: Set<string>;
  settings: Map<string, string>;
  blockedSenders: Map<string, { reason: string; addedBy: string }>;
  nextId: number;
}

/**
 * The store's ports in memory, for the use cases' unit tests: the same
 * contract as Postgres — a transaction that rolls back when its work throws,
 * a save conditional on the version loaded — and nothing else.
 */
export class MemoryStore implements Store {
  private state: State = {
    tickets: new Map(),
    participants: new Map(),
    contacts: new Map(),
    requesters: new Map(),
    messages: [],
    events: [],
    automated: [],
    slaNotices: new Set(),
    settings: new Map(),
    blockedSenders: new Map(),
    nextId: 1,
  };
  /** Runs once before the next save (a concurrent change, in a test). */
  beforeNextSave: (() => void) | null = null;
  transactions = 0;

  get tickets(): Ticket[] {
    return [...this.state.tickets.values()];
  }
  get messages(): readonly MemoryMessage[] {
    return this.state.messages;
  }
  get events(): readonly MemoryEvent[] {
    return this.state.events;
  }
  ticket(number: number): Ticket {
    const found = this.tickets.find((t) => t.number === number);
    if (!found) throw new Error(`no ticket #${number}`);
    return found;
  }
  eventsOf(ticketNumber: number): string[] {
    const id = this.ticket(ticketNumber).id;
    return this.state.events.filter((e) => e.ticketId === id).map((e) => e.type);
  }
  outbox(): MemoryMessage[] {
    return this.state.messages.filter((m) => m.direction === 'out');
  }
  /** Changes a stored ticket directly, as another process would: the change outlives a rollback of the transaction in progress. */
  touch(id: number, fields: Partial<Ticket>): void {
    const apply = (state: State) => {
      const ticket = state.tickets.get(id)!;
      state.tickets.set(id, { ...ticket, ...fields, version: ticket.version + 1 });
    };
    apply(this.state);
    this.committedElsewhere.push(apply);
  }
  private committedElsewhere: ((state: State) => void)[] = [];

  async transaction<T>(_keys: string | readonly string[], work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    this.transactions++;
    const saved = structuredClone(this.state);
    this.committedElsewhere = [];
    try {
      return await work(this.unitOfWork(true));
    } catch (err) {
      this.state = saved;
      for (const apply of this.committedElsewhere) apply(this.state);
      throw err;
    } finally {
      this.committedElsewhere = [];
    }
  }

  read<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return work(this.unitOfWork(false));
  }

  private id(): number {
    return this.state.nextId++;
  }

  private contact(address: string, name: string): number {
    const email = address.toLowerCase();
    const known = this.state.contacts.get(email);
    if (known) {
      if (!known.name) known.name = name;
      return known.id;
    }
    const id = this.id();
    this.state.contacts.set(email, { id, name });
    return id;
  }

  private unitOfWork(writable: boolean): UnitOfWork {
    const s = () => this.state;
    const writeable = () => {
      if (!writable) throw new Error('a read-only unit of work cannot write');
    };
    return {
      tickets: {
        load: async (id) => {
          const ticket = s().tickets.get(id);
          if (!ticket) throw new AppError('NOT_FOUND', `ticket id ${id} not found`);
          return ticket;
        },
        findByNumber: async (number) => [...s().tickets.values()].find((t) => t.number === number) ?? null,
        participants: async (ticketId) => [...(s().participants.get(ticketId) ?? [])],
        requester: async (ticketId) => {
          const address = s().requesters.get(ticketId)!;
          return { address, name: s().contacts.get(address)?.name ?? '' };
        },
        automatedRequester: async (ticketId) => {
          const created = s().events.find((e) => e.ticketId === ticketId && e.type === 'created');
          const reasons = created?.data.automatedSender;
          return Array.isArray(reasons) ? reasons.map(String) : null;
        },
        create: async (t) => {
          writeable();
          const requesterId = this.contact(t.requester.address, t.requester.name);
          const id = this.id();
          const ticket: Ticket = {
            id,
            number: 1000 + id,
            status: 'new',
            subject: t.subject,
            priority: t.priority,
            department: t.department,
            assignee: null,
            tags: [],
            mailbox: t.mailbox,
            requesterId,
            closedAt: null,
            postponedUntil: null,
            lastActivityAt: t.now,
            lastCustomerMessageAt: t.now,
            lastAgentReplyAt: null,
            autoCloseWarnedAt: null,
            language: t.language,
            deletedAt: null,
            mergedIntoId: null,
            satisfactionAskedAt: null,
            sla: t.sla,
            version: 0,
          };
          s().tickets.set(id, ticket);
          s().requesters.set(id, t.requester.address.toLowerCase());
          s().participants.set(id, [{ address: t.requester.address.toLowerCase(), name: t.requester.name, role: 'requester' }]);
          return ticket;
        },
        save: async (change: TicketSave) => {
          writeable();
          const hook = this.beforeNextSave;
          this.beforeNextSave = null;
          hook?.();
          if (change.ticket) {
            const { before, after } = change.ticket;
            const stored = s().tickets.get(before.id);
            if (!stored || stored.version !== before.version) throw new AppError('TICKET_CHANGED', `ticket ${before.number} changed since it was read`, { retryable: true });
            s().tickets.set(before.id, { ...after, version: before.version + 1 });
          }
          let messageRowId: number | null = null;
          if (change.message) {
            const m = change.message;
            messageRowId = this.id();
            s().messages.push({
              id: messageRowId,
              ticketId: m.ticketId,
              direction: 'in',
              kind: m.kind,
              messageId: m.messageId,
              rawSha256: m.rawSha256,
              from: m.from?.address ?? null,
              to: m.to.map((a) => a.address),
              cc: m.cc.map((a) => a.address),
              subject: m.subject,
              text: m.text,
              threadIndex: m.threadIndex,
              replyTo: null,
              references: m.references,
              deliveryState: null,
              lastError: null,
            });
          }
          if (change.participants) {
            const { ticketId, add, remove } = change.participants;
            const list = s().participants.get(ticketId) ?? [];
            for (const p of add) {
              this.contact(p.address, p.name);
              if (!list.some((q) => q.address === p.address.toLowerCase())) list.push({ address: p.address.toLowerCase(), name: p.name, role: p.role });
            }
            s().participants.set(ticketId, list.filter((p) => !(remove.includes(p.address) && p.role === 'cc')));
          }
          for (const e of change.events) {
            s().events.push({ id: this.id(), ticketId: e.ticketId, messageId: e.onMessage ? messageRowId : null, type: e.type, actor: e.actor, data: e.data as Record<string, unknown> });
          }
          const outboxIds = change.outbox.map(({ ticketId, mail, threadIndex }) => {
            const id = this.id();
            s().messages.push({
              id,
              ticketId,
              direction: 'out',
              kind: mail.kind,
              messageId: mail.messageId,
              rawSha256: null,
              from: mail.from.address,
              to: mail.to.map((a) => a.address),
              cc: mail.cc.map((a) => a.address),
              subject: mail.subject,
              text: mail.text,
              threadIndex,
              replyTo: mail.replyTo?.address ?? null,
              references: mail.references,
              deliveryState: 'queued',
              lastError: null,
            });
            return id;
          });
          for (const a of change.automated) s().automated.push({ ...a, sentAt: change.now });
          for (const failed of change.failedOutbound ?? []) {
            const row = s().messages.find((m) => m.id === failed.id)!;
            row.deliveryState = 'failed';
            row.lastError = failed.reason;
          }
          return { messageRowId, outboxIds };
        },
        moveHistory: async (fromId, intoId) => {
          writeable();
          const st = s();
          st.messages = st.messages.map((m) => (m.ticketId === fromId ? { ...m, ticketId: intoId } : m));
          st.events = st.events.map((e) => (e.ticketId === fromId ? { ...e, ticketId: intoId } : e));
          const into = st.participants.get(intoId) ?? [];
          const known = new Set(into.map((p) => p.address));
          st.participants.set(intoId, [...into, ...(st.participants.get(fromId) ?? []).filter((p) => !known.has(p.address)).map((p) => ({ ...p, role: 'cc' as const }))]);
        },
        lastAssignee: async (department) => [...s().tickets.values()].filter((t) => t.department === department && t.assignee).at(-1)?.assignee ?? null,
        openTicketCounts: async (assignees) => {
          const counts = new Map<string, number>();
          for (const t of s().tickets.values()) {
            if (t.assignee && assignees.includes(t.assignee) && ['new', 'open', 'answered', 'postponed'].includes(t.status)) counts.set(t.assignee, (counts.get(t.assignee) ?? 0) + 1);
          }
          return counts;
        },
      },
      messages: {
        find: async (messageId, rawSha256) => {
          const m = s().messages.find((x) => (messageId === null ? x.messageId === null && x.rawSha256 === rawSha256 : x.messageId === messageId));
          if (!m) return null;
          const ticketNumber = m.ticketId === null ? null : (s().tickets.get(m.ticketId)?.number ?? null);
          return { id: m.id, ticketId: m.ticketId, ticketNumber, kind: m.kind as never, events: s().events.filter((e) => e.messageId === m.id).map((e) => e.type) };
        },
        ticketIdsByMessageIds: async (ids) => {
          const found = new Map<string, number>();
          for (const id of ids) {
            const m = s().messages.find((x) => x.messageId === id && x.ticketId !== null);
            if (m) found.set(id, m.ticketId!);
          }
          return found;
        },
        correspondents: async (ticketId, ids) => {
          const found = new Set<string>();
          for (const m of s().messages.filter((x) => x.ticketId === ticketId && x.messageId !== null && ids.includes(x.messageId))) {
            if (m.direction === 'in' && m.from) found.add(m.from.toLowerCase());
            if (m.direction === 'out') for (const a of [...m.to, ...m.cc]) found.add(a.toLowerCase());
          }
          return found;
        },
        thread: async (ticketId) =>
          s()
            .messages.filter((m) => m.ticketId === ticketId && m.messageId !== null)
            .map((m) => ({ messageId: m.messageId!, direction: m.direction, kind: m.kind as never, threadIndex: m.threadIndex })),
        outboundByMessageIds: async (ids) =>
          s()
            .messages.filter((m) => m.direction === 'out' && m.messageId !== null && ids.includes(m.messageId))
            .reverse()
            .map((m) => ({ id: m.id, ticketId: m.ticketId, kind: m.kind as never, messageId: m.messageId!, deliveryState: m.deliveryState })),
        outboundById: async (id) => {
          const m = s().messages.find((x) => x.id === id && x.direction === 'out');
          return m ? { id: m.id, ticketId: m.ticketId, kind: m.kind as never, messageId: m.messageId!, deliveryState: m.deliveryState, recipients: [...m.to, ...m.cc] } : null;
        },
      },
      counters: {
        countAutoResponses: async ({ address, ticketId, mailbox, since }) => {
          const recent = s().automated.filter((a) => a.sentAt >= since && !a.kind.startsWith('notice:'));
          return {
            toAddress: recent.filter((a) => a.address === address).length,
            onTicket: ticketId === null ? 0 : recent.filter((a) => a.ticketId === ticketId).length,
            fromMailbox: recent.filter((a) => a.mailbox === mailbox).length,
          };
        },
        countNotices: async (kind, key, since) => {
          const recent = s().automated.filter((a) => a.sentAt >= since && a.kind === kind);
          return { sameKey: recent.filter((a) => a.address === key).length, sameKind: recent.length };
        },
      },
      senders: {
        block: async ({ pattern, reason, addedBy }) => {
          writeable();
          if (s().blockedSenders.has(pattern)) return false;
          s().blockedSenders.set(pattern, { reason, addedBy });
          return true;
        },
      },
      slaNotices: {
        claim: async (ticketId: number, metric: SlaMetric, dueAt: Date, kind: string, target: string) => {
          writeable();
          const key = `${ticketId}|${metric}|${dueAt.toISOString()}|${kind}|${target}`;
          if (s().slaNotices.has(key)) return false;
          s().slaNotices.add(key);
          return true;
        },
      },
    };
  }

  /** The scheduled jobs' reads, over the same tickets. */
  schedule(): ScheduleStore {
    const s = () => this.state;
    return {
      dueSlaTickets: async (now, horizon, limit) => {
        const due: { ticketId: number; metric: SlaMetric; dueAt: Date }[] = [];
        for (const t of s().tickets.values()) {
          const times: [SlaMetric, Date | null][] = [
            ['first_response', t.sla.firstResponseDueAt],
            ['next_response', t.sla.nextResponseDueAt],
            ['resolution', t.sla.resolutionDueAt],
          ];
          for (const [metric, dueAt] of times) {
            if (!dueAt || dueAt > horizon) continue;
            const kind = dueAt <= now ? 'breach' : 'warning';
            if (!s().slaNotices.has(`${t.id}|${metric}|${dueAt.toISOString()}|${kind}|*`)) due.push({ ticketId: t.id, metric, dueAt });
          }
        }
        return due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()).slice(0, limit);
      },
      postponedDue: async (now, limit) =>
        [...s().tickets.values()].filter((t) => t.status === 'postponed' && t.postponedUntil !== null && t.postponedUntil <= now).slice(0, limit).map((t) => t.id),
      idleTickets: async (statuses: readonly TicketStatus[], before, unwarnedOnly, limit) =>
        [...s().tickets.values()]
          .filter((t) => statuses.includes(t.status) && t.lastActivityAt <= before && (!unwarnedOnly || t.autoCloseWarnedAt === null || t.autoCloseWarnedAt < t.lastActivityAt))
          .slice(0, limit)
          .map((t) => ({ ticketId: t.id, lastActivityAt: t.lastActivityAt })),
      clockedTickets: async (afterId, limit) => [...s().tickets.values()].filter((t) => t.id > afterId && !t.sla.stopped).slice(0, limit),
      saveSla: async (ticketId, sla) => {
        const t = s().tickets.get(ticketId)!;
        s().tickets.set(ticketId, { ...t, sla });
      },
      setting: async (key) => s().settings.get(key) ?? null,
      saveSetting: async (key, value) => void s().settings.set(key, value),
    };
  }
}

/** A queue that remembers what it was given. */
export class MemoryOutbox implements OutboxQueue {
  readonly queued: number[] = [];
  async enqueue(rowIds: readonly number[]): Promise<void> {
    this.queued.push(...rowIds);
  }
  async requeue(rows: readonly { readonly id: number; readonly attempts: number }[]): Promise<number> {
    this.queued.push(...rows.map((r) => r.id));
    return rows.length;
  }
}
