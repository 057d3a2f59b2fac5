import { describe, expect, it } from 'vitest';
import { agentByAddress, agentsOfTicket, chooseAgent, findAgent } from '../../src/domain/agents.js';

const ALICE = { name: 'Alice', email: 'alice@example.test', departments: ['general'] };
const BOB = { name: 'Bob Builder', email: 'bob@example.test', departments: ['general', 'billing'] };
const BERTA = { name: 'Berta', email: 'berta@example.test', departments: ['billing'] };
const TWIN = { name: 'Alex', email: 'alex@other.test', departments: [] };
const TWIN2 = { name: 'Sam', email: 'alex@example.test', departments: [] };
const AGENTS = [ALICE, BOB, BERTA];

describe('findAgent: one meaning everywhere (#assign, tickets set --assign, rules)', () => {
  it.each<[string, string, typeof ALICE | null]>([
    ['the address', 'bob@example.test', BOB],
    ['the address in any case, padded', '  Bob@Example.TEST ', BOB],
    ['the name', 'Bob Builder', BOB],
    ['the name in any case', 'bob builder', BOB],
    ['the local part of the address', 'bob', BOB],
    ['nobody', 'carol', null],
    ['an empty query', '  ', null],
  ])('%s', (_name, query, want) => {
    expect(findAgent(AGENTS, query)).toBe(want);
  });

  it('a local part two agents share names nobody; their addresses still do', () => {
    expect(findAgent([TWIN, TWIN2], 'alex')).toBe(TWIN); // the name comes before the local part
    expect(findAgent([TWIN2, { ...TWIN, name: 'Other' }], 'alex')).toBeNull();
    expect(findAgent([TWIN2, TWIN], 'alex@example.test')).toBe(TWIN2);
  });
});

describe('agentByAddress: who a mail claims to be from', () => {
  it('matches the address only, never a name', () => {
    expect(agentByAddress(AGENTS, 'ALICE@example.test')).toBe(ALICE);
    expect(agentByAddress(AGENTS, 'Alice')).toBeNull();
    expect(agentByAddress(AGENTS, null)).toBeNull();
  });
});

describe('agentsOfTicket and chooseAgent', () => {
  it('tells the assignee, else the department', () => {
    expect(agentsOfTicket(AGENTS, { assignee: 'berta@example.test', department: 'general' })).toEqual([BERTA]);
    expect(agentsOfTicket(AGENTS, { assignee: null, department: 'billing' })).toEqual([BOB, BERTA]);
    expect(agentsOfTicket(AGENTS, { assignee: 'gone@example.test', department: 'general' })).toEqual([ALICE, BOB]);
  });

  it('round-robin takes the one after the last assignee, wrapping; least-open the least busy', () => {
    const none = new Map<string, number>();
    expect(chooseAgent(AGENTS, 'billing', 'round-robin', { lastAssignee: null, openTickets: none })).toBe(BOB);
    expect(chooseAgent(AGENTS, 'billing', 'round-robin', { lastAssignee: BOB.email, openTickets: none })).toBe(BERTA);
    expect(chooseAgent(AGENTS, 'billing', 'round-robin', { lastAssignee: BERTA.email, openTickets: none })).toBe(BOB);
    expect(chooseAgent(AGENTS, 'billing', 'least-open', { lastAssignee: null, openTickets: new Map([[BOB.email, 3], [BERTA.email, 1]]) })).toBe(BERTA);
    expect(chooseAgent(AGENTS, 'nobody-works-here', 'round-robin', { lastAssignee: null, openTickets: none })).toBeNull();
    expect(chooseAgent(AGENTS, 'billing', 'alice', { lastAssignee: null, openTickets: none })).toBe(ALICE);
  });
});
