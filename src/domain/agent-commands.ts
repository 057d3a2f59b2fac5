import { parseLocalDateTime } from './business-time.js';
import { parseDuration } from './duration.js';
import { PRIORITIES, type Priority, type TicketStatus } from './ticket.js';

/** What an agent can say at the top of a reply (README, "Agents answer by email"). */
export type AgentCommand =
  | { readonly type: 'status'; readonly status: Extract<TicketStatus, 'resolved' | 'postponed' | 'closed' | 'spam' | 'open'> }
  | { readonly type: 'priority'; readonly priority: Priority }
  /** `#assign none` unassigns: agent null. */
  | { readonly type: 'assign'; readonly agent: string | null }
  | { readonly type: 'tag'; readonly tag: string }
  | { readonly type: 'untag'; readonly tag: string }
  | { readonly type: 'postpone'; readonly until: Date }
  | { readonly type: 'cc'; readonly action: 'add' | 'remove'; readonly address: string }
  | { readonly type: 'note' }
  /** `#spam`, `#spam block`: the ticket is spam; `block` also blocks its requester's address. */
  | { readonly type: 'spam'; readonly block: boolean }
  /** `#new ADDRESS`, in mail to an agent's personal address: a ticket for that customer, the mail's text its first answer. */
  | { readonly type: 'new'; readonly address: string }
  /** `#status deleted`: soft-deleted (hidden from lists, purged after `retention.deleted`). */
  | { readonly type: 'delete' }
  /** `#merge N`: this ticket is merged into ticket N (same requester), which keeps its messages and history. */
  | { readonly type: 'merge'; readonly into: number };

export interface ParsedAgentReply {
  readonly commands: readonly AgentCommand[];
  /** The text for the customer: the reply without its command lines. */
  readonly body: string;
  /** Command lines that could not be understood, with the reason. */
  readonly problems: readonly string[];
}

const SETTABLE_STATUSES = ['resolved', 'postponed', 'closed', 'spam', 'open'] as const;
const COMMAND_LINE = /^#([a-z]+)\b\s*(.*)$/i;
const ADDRESS_ARG = /^<?([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>?$/;

/**
 * Reads command lines (`#status resolved`, `#priority high`, `#assign bob|none`,
 * `#tag x`, `#untag x`, `#postpone 2d|2026-12-01`, `#cc add|remove ADDRESS`, `#note`,
 * `#spam [block]`, `#new ADDRESS`, `#status deleted`, `#merge N`) from the top of an
 * agent's reply — blank lines between them allowed — and returns them with the
 * remaining text. Pure: `now` resolves relative postpone times, `timezone`
 * (the helpdesk's calendar) dates written without an offset.
 */
export function parseAgentReply(text: string, now: Date, timezone = 'UTC'): ParsedAgentReply {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const commands: AgentCommand[] = [];
  const problems: string[] = [];
  let index = 0;
  for (; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    const match = COMMAND_LINE.exec(line);
    if (!match) break;
    const parsed = parseCommand(match[1]!.toLowerCase(), match[2]!.trim(), now, timezone);
    if (typeof parsed === 'string') problems.push(`${line}: ${parsed}`);
    else commands.push(parsed);
  }
  const body = lines.slice(index).join('\n').trim();
  return { commands, body, problems };
}

function parseCommand(name: string, arg: string, now: Date, timezone: string): AgentCommand | string {
  switch (name) {
    case 'status': {
      const status = arg.toLowerCase();
      if (status === 'deleted') return { type: 'delete' };
      return (SETTABLE_STATUSES as readonly string[]).includes(status)
        ? { type: 'status', status: status as (typeof SETTABLE_STATUSES)[number] }
        : `status must be one of ${SETTABLE_STATUSES.join(', ')}, deleted`;
    }
    case 'priority': {
      const priority = arg.toLowerCase();
      return (PRIORITIES as readonly string[]).includes(priority)
        ? { type: 'priority', priority: priority as Priority }
        : `priority must be one of ${PRIORITIES.join(', ')}`;
    }
    case 'assign':
      if (arg.toLowerCase() === 'none') return { type: 'assign', agent: null };
      return arg ? { type: 'assign', agent: arg } : 'name the agent to assign, or none';
    case 'tag':
    case 'untag': {
      const tag = arg.toLowerCase();
      return /^[\p{L}\p{N}_.-]{1,50}$/u.test(tag) ? { type: name, tag } : 'a tag is one word of letters, digits, - _ .';
    }
    case 'postpone': {
      const until = postponeUntil(arg, now, timezone);
      return until ? { type: 'postpone', until } : 'write a duration (2d, 4h) or a date (2026-12-01)';
    }
    case 'merge': {
      const into = /^(?:\[?#?)(\d{1,15})\]?$/.exec(arg)?.[1];
      return into ? { type: 'merge', into: Number(into) } : 'write #merge and the number of the ticket to merge this one into: #merge 1042';
    }
    case 'spam':
      if (arg === '' || arg.toLowerCase() === 'block') return { type: 'spam', block: arg !== '' };
      return 'write #spam, or #spam block to block the sender too';
    case 'new': {
      const address = ADDRESS_ARG.exec(arg)?.[1];
      return address ? { type: 'new', address: address.toLowerCase() } : "write #new and the customer's address: #new customer@example.com";
    }
    case 'cc': {
      const cc = /^(add|remove)\s+<?([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>?$/i.exec(arg);
      return cc ? { type: 'cc', action: cc[1]!.toLowerCase() as 'add' | 'remove', address: cc[2]!.toLowerCase() } : 'write #cc add ADDRESS or #cc remove ADDRESS';
    }
    case 'note':
      return { type: 'note' };
    default:
      return 'unknown command';
  }
}

/** A duration from now (`2d`, `4h`), or a date read in the helpdesk's time zone; only the future counts. */
function postponeUntil(arg: string, now: Date, timezone: string): Date | null {
  const ms = parseDuration(arg.toLowerCase());
  if (ms !== null && ms > 0) return new Date(now.getTime() + ms);
  const date = parseLocalDateTime(arg.toUpperCase(), timezone);
  return date && date > now ? date : null;
}
