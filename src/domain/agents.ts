import { normalizeAddress } from './address.js';

/** An agent as the domain sees one. */
export interface Agent {
  readonly name: string;
  readonly email: string;
  readonly departments: readonly string[];
}

/**
 * The agent a person means by `query` — from `#assign`, `tickets set
 * --assign`, a rule's `assign` — with one meaning everywhere: the address,
 * else the name, else the local part of the address (all without case).
 * Null when none matches, or when two match at the same level.
 */
export function findAgent<A extends Agent>(agents: readonly A[], query: string): A | null {
  const wanted = query.trim().toLowerCase();
  if (wanted === '') return null;
  const levels: ((a: A) => boolean)[] = [
    (a) => normalizeAddress(a.email) === wanted,
    (a) => a.name.trim().toLowerCase() === wanted,
    (a) => normalizeAddress(a.email).split('@')[0] === wanted,
  ];
  for (const matches of levels) {
    const found = agents.filter(matches);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) return null;
  }
  return null;
}

/** The agent whose address this is: who a mail claims to be from (a name never identifies anyone). */
export function agentByAddress<A extends Agent>(agents: readonly A[], address: string | null): A | null {
  if (!address) return null;
  const wanted = normalizeAddress(address);
  return agents.find((a) => normalizeAddress(a.email) === wanted) ?? null;
}

/** The agents a ticket's news goes to: its assignee, else every agent of its department. */
export function agentsOfTicket<A extends Agent>(agents: readonly A[], ticket: { readonly assignee: string | null; readonly department: string }): A[] {
  const assignee = ticket.assignee ? agentByAddress(agents, ticket.assignee) : null;
  if (assignee) return [assignee];
  return agents.filter((a) => a.departments.includes(ticket.department));
}

/**
 * An agent for a ticket by a rule's `assign`: `round-robin` (the one after the
 * department's last assignee), `least-open` (fewest unresolved tickets, first
 * in config order on a tie), or a name as findAgent reads it.
 */
export function chooseAgent<A extends Agent>(
  agents: readonly A[],
  department: string,
  how: string,
  facts: { readonly lastAssignee: string | null; readonly openTickets: ReadonlyMap<string, number> },
): A | null {
  const team = agentsOfTicket(agents, { assignee: null, department });
  if (how === 'round-robin') {
    if (team.length === 0) return null;
    const last = team.findIndex((a) => a.email === facts.lastAssignee);
    return team[(last + 1) % team.length]!;
  }
  if (how === 'least-open') {
    if (team.length === 0) return null;
    return [...team].sort((a, b) => (facts.openTickets.get(a.email) ?? 0) - (facts.openTickets.get(b.email) ?? 0))[0]!;
  }
  return findAgent(agents, how);
}
