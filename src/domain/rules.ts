import { domainOf, normalizeAddress } from './address.js';
import type { Priority, TicketStatus } from './ticket.js';

/** One or several values: `domain: example.test` or `domain: [a.test, b.test]`. */
export type OneOrMany<T> = T | readonly T[];

export interface AddressMatch {
  readonly address?: OneOrMany<string>;
  /** The domain or any subdomain of it. */
  readonly domain?: OneOrMany<string>;
  /** `*` any run of characters, `?` one character; the whole address must match. */
  readonly glob?: OneOrMany<string>;
}

/** Case-insensitive. `matches` is an RE2 pattern (no backtracking), validated at load. */
export interface TextMatch {
  readonly contains?: string;
  readonly matches?: string;
}

export interface HeaderMatch extends TextMatch {
  readonly name: string;
  readonly exists?: boolean;
}

/** Keys of one condition all have to hold; `all` / `any` / `not` combine conditions. */
export interface Condition {
  readonly all?: readonly Condition[];
  readonly any?: readonly Condition[];
  readonly not?: Condition;
  readonly from?: AddressMatch;
  readonly to?: AddressMatch;
  readonly cc?: AddressMatch;
  readonly subject?: TextMatch;
  readonly body?: TextMatch;
  readonly header?: HeaderMatch;
  readonly mailbox?: OneOrMany<string>;
  readonly department?: OneOrMany<string>;
  readonly hasAttachment?: boolean;
  readonly isNewTicket?: boolean;
  readonly isCustomerReply?: boolean;
  readonly withinBusinessHours?: boolean;
  readonly priority?: { readonly is?: OneOrMany<Priority>; readonly isNot?: OneOrMany<Priority> };
}

/** A template by name (`templates:` in the config; the loader names templates written in place). */
export type TemplateRef = string;

export interface RuleActions {
  readonly priority?: Priority;
  readonly department?: string;
  /** An agent's name or email, `round-robin` or `least-open` (within the ticket's department). */
  readonly assign?: string;
  readonly tags?: readonly string[] | { readonly add?: readonly string[]; readonly remove?: readonly string[] };
  readonly status?: TicketStatus;
  readonly autoAcknowledge?: boolean;
  readonly reply?: TemplateRef;
  readonly notify?: { readonly to: readonly string[]; readonly template: TemplateRef };
  readonly stop?: boolean;
}

export type RuleTrigger = 'new' | 'customerReply';

export interface Rule {
  readonly name: string;
  /** When the rule runs; new tickets only by default. */
  readonly on?: readonly RuleTrigger[];
  readonly when: Condition;
  readonly then: RuleActions;
}

/** What the rules see of a mail and its ticket. `body` is already bounded in size. */
export interface RuleFacts {
  readonly from: string | null;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  readonly body: string;
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly mailbox: string;
  readonly department: string;
  readonly hasAttachment: boolean;
  readonly isNewTicket: boolean;
  readonly isCustomerReply: boolean;
  readonly withinBusinessHours: boolean;
  readonly priority: Priority;
}

/** Tests an RE2 pattern against a text, case-insensitively (injected: the engine lives in an adapter). */
export type RegexTest = (pattern: string, text: string) => boolean;

export interface RuleMatch {
  readonly rule: string;
  /** Why it matched, one line per condition that held. */
  readonly why: readonly string[];
  readonly then: RuleActions;
}

export interface RuleOutcome {
  readonly priority?: Priority;
  readonly department?: string;
  readonly assign?: string;
  readonly tagsAdd: readonly string[];
  readonly tagsRemove: readonly string[];
  readonly status?: TicketStatus;
  readonly autoAcknowledge: boolean;
  readonly replies: readonly { readonly rule: string; readonly template: TemplateRef }[];
  readonly notifies: readonly { readonly rule: string; readonly to: readonly string[]; readonly template: TemplateRef }[];
}

const many = <T>(value: OneOrMany<T> | undefined): readonly T[] => (value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T]);

/**
 * How much of an address a rule sees. Parsing drops addresses over RFC 5321's
 * 254 characters already; this bounds the work of a rule whatever it is given.
 */
export const RULE_ADDRESS_CHARS = 320;

/**
 * `*@partner.example` → an anchored RE2 pattern (`*` any run, `?` one
 * character, everything else literal). Matched on the linear-time engine: a
 * backtracking matcher took seconds on `*@*.*.x` against a long address.
 */
export function globPattern(glob: string): string {
  const body = [...glob.toLowerCase()].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : /[\\.+*?()|[\]{}^$]/.test(c) ? `\\${c}` : c)).join('');
  return `(?s)^${body}$`;
}

/** Whether the whole of `text` matches the glob, case-insensitively. */
export function globMatches(glob: string, text: string, regex: RegexTest): boolean {
  return regex(globPattern(glob), text.toLowerCase());
}

function addressMatches(match: AddressMatch, address: string, regex: RegexTest): string | null {
  const a = normalizeAddress(address).slice(0, RULE_ADDRESS_CHARS);
  const exact = many(match.address).find((x) => normalizeAddress(x) === a);
  if (exact) return `is ${a}`;
  const domain = domainOf(a);
  const d = many(match.domain).find((x) => {
    const want = x.toLowerCase().replace(/^[@.]+/, '');
    return domain === want || domain.endsWith(`.${want}`);
  });
  if (d) return `${a} is in domain ${d}`;
  const g = many(match.glob).find((x) => globMatches(x, a, regex));
  if (g) return `${a} matches ${g}`;
  return null;
}

function textMatches(match: TextMatch, text: string, regex: RegexTest): string | null {
  if (match.contains !== undefined && text.toLowerCase().includes(match.contains.toLowerCase())) return `contains "${match.contains}"`;
  if (match.matches !== undefined && regex(match.matches, text)) return `matches /${match.matches}/`;
  return null;
}

/** Evaluates one condition; returns why it holds, or null. All keys of one condition must hold. */
export function evaluateCondition(condition: Condition, facts: RuleFacts, regex: RegexTest): string[] | null {
  const why: string[] = [];
  const check = (holds: string | null | string[]) => {
    if (holds === null) return false;
    if (Array.isArray(holds)) why.push(...holds);
    else why.push(holds);
    return true;
  };
  for (const [key, value] of Object.entries(condition) as [keyof Condition, never][]) {
    if (!check(evaluateKey(key, value, facts, regex))) return null;
  }
  return why;
}

function evaluateKey(key: keyof Condition, value: never, facts: RuleFacts, regex: RegexTest): string | string[] | null {
  switch (key) {
    case 'all': {
      const parts = (value as readonly Condition[]).map((c) => evaluateCondition(c, facts, regex));
      return parts.every((p) => p !== null) ? parts.flat() as string[] : null;
    }
    case 'any': {
      for (const c of value as readonly Condition[]) {
        const holds = evaluateCondition(c, facts, regex);
        if (holds) return holds;
      }
      return null;
    }
    case 'not':
      return evaluateCondition(value as Condition, facts, regex) === null ? ['not: the inner condition did not hold'] : null;
    case 'from': {
      const why = facts.from ? addressMatches(value as AddressMatch, facts.from, regex) : null;
      return why && `from ${why}`;
    }
    case 'to':
    case 'cc': {
      for (const address of facts[key]) {
        const why = addressMatches(value as AddressMatch, address, regex);
        if (why) return `${key} ${why}`;
      }
      return null;
    }
    case 'subject':
    case 'body': {
      const why = textMatches(value as TextMatch, facts[key], regex);
      return why && `${key} ${why}`;
    }
    case 'header':
      return headerHolds(value as HeaderMatch, facts, regex);
    case 'mailbox':
    case 'department':
      return many(value as OneOrMany<string>).includes(facts[key]) ? `${key} is ${facts[key]}` : null;
    case 'hasAttachment':
    case 'isNewTicket':
    case 'isCustomerReply':
    case 'withinBusinessHours':
      return facts[key] === (value as boolean) ? `${key} is ${String(value)}` : null;
    case 'priority': {
      const { is, isNot } = value as NonNullable<Condition['priority']>;
      if (is !== undefined && !many(is).includes(facts.priority)) return null;
      if (isNot !== undefined && many(isNot).includes(facts.priority)) return null;
      return `priority is ${facts.priority}`;
    }
  }
}

function headerHolds(match: HeaderMatch, facts: RuleFacts, regex: RegexTest): string | null {
  const values = facts.headers.get(match.name.toLowerCase()) ?? [];
  if (match.exists !== undefined && (values.length > 0) !== match.exists) return null;
  if (match.contains === undefined && match.matches === undefined) return `header ${match.name} ${values.length > 0 ? 'exists' : 'is absent'}`;
  for (const v of values) {
    const why = textMatches(match, v, regex);
    if (why) return `header ${match.name} ${why}`;
  }
  return null;
}

/**
 * Runs the rules in order on a mail: each whose trigger fits (`on`, new
 * tickets by default) and whose condition holds applies; later rules
 * override single values, tags accumulate, `stop` ends the run. Pure.
 */
export function evaluateRules(rules: readonly Rule[], facts: RuleFacts, regex: RegexTest): { matches: RuleMatch[]; outcome: RuleOutcome } {
  const matches: RuleMatch[] = [];
  const outcome: { -readonly [K in keyof RuleOutcome]: RuleOutcome[K] } = {
    tagsAdd: [],
    tagsRemove: [],
    autoAcknowledge: true,
    replies: [],
    notifies: [],
  };
  for (const rule of rules) {
    const on = rule.on ?? ['new'];
    if (!((facts.isNewTicket && on.includes('new')) || (facts.isCustomerReply && on.includes('customerReply')))) continue;
    const why = evaluateCondition(rule.when, facts, regex);
    if (!why) continue;
    matches.push({ rule: rule.name, why, then: rule.then });
    apply(outcome, rule);
    if (rule.then.stop) break;
  }
  return { matches, outcome };
}

function apply(outcome: { -readonly [K in keyof RuleOutcome]: RuleOutcome[K] }, rule: Rule): void {
  const t = rule.then;
  if (t.priority) outcome.priority = t.priority;
  if (t.department) outcome.department = t.department;
  if (t.assign) outcome.assign = t.assign;
  if (t.status) outcome.status = t.status;
  if (t.autoAcknowledge === false) outcome.autoAcknowledge = false;
  const add = [...new Set(Array.isArray(t.tags) ? (t.tags as readonly string[]) : ((t.tags as { add?: readonly string[] } | undefined)?.add ?? []))];
  const remove = [...new Set(Array.isArray(t.tags) ? [] : ((t.tags as { remove?: readonly string[] } | undefined)?.remove ?? []))];
  outcome.tagsAdd = [...outcome.tagsAdd.filter((x) => !remove.includes(x)), ...add.filter((x) => !outcome.tagsAdd.includes(x))];
  outcome.tagsRemove = [...outcome.tagsRemove.filter((x) => !add.includes(x)), ...remove.filter((x) => !outcome.tagsRemove.includes(x))];
  if (t.reply) outcome.replies = [...outcome.replies, { rule: rule.name, template: t.reply }];
  if (t.notify) outcome.notifies = [...outcome.notifies, { rule: rule.name, to: t.notify.to, template: t.notify.template }];
}
