import { describe, expect, it } from 'vitest';
import { decideNewParticipants, initialParticipants, type JoinFacts } from '../../src/domain/participants.js';

const CAROL = 'carol@customer.test';
const DAVE = 'dave@customer.test';
const EVE = 'eve@evil.test';

function facts(over: Partial<JoinFacts> = {}): JoinFacts {
  return {
    via: 'in-reply-to',
    sender: CAROL,
    participants: new Set([CAROL]),
    correspondents: new Set([CAROL]),
    senderProven: false,
    candidates: [CAROL],
    cap: 20,
    ...over,
  };
}

describe('decideNewParticipants: who a customer mail on a ticket adds (I9)', () => {
  it.each<[string, Partial<JoinFacts>, { add: string[]; held: string[]; reason?: RegExp }]>([
    ['nobody new: nothing to decide', {}, { add: [], held: [] }],
    ['a participant replying to our mail, copying a colleague', { candidates: [CAROL, DAVE] }, { add: [DAVE], held: [] }],
    ['a new sender replying to a mail we sent them', { sender: DAVE, correspondents: new Set([DAVE]), candidates: [DAVE] }, { add: [DAVE], held: [] }],
    ['a new sender replying by References to a mail we sent them', { via: 'references', sender: DAVE, correspondents: new Set([DAVE]), candidates: [DAVE] }, { add: [DAVE], held: [] }],
    ['a new sender referencing a mail they never had', { sender: EVE, candidates: [EVE] }, { add: [], held: [EVE], reason: /references no message we exchanged with eve@evil\.test/ }],
    ['a forged participant by subject tag, copying a stranger', { via: 'subject-tag', candidates: [CAROL, EVE] }, { add: [], held: [EVE], reason: /subject tag only/ }],
    ['a subject-tag mail whose From is proven by a signature', { via: 'subject-tag', senderProven: true, candidates: [CAROL, DAVE] }, { add: [DAVE], held: [] }],
    ['a stranger proven by a signature (their own domain, signed)', { sender: DAVE, correspondents: new Set(), senderProven: true, candidates: [DAVE] }, { add: [DAVE], held: [] }],
    ['no sender address at all', { sender: null, candidates: [DAVE] }, { add: [], held: [DAVE], reason: /no sender address/ }],
    ['case and padding of addresses do not matter', { sender: ' Carol@Customer.TEST', candidates: ['DAVE@customer.test'] }, { add: [DAVE], held: [] }],
    ['the cap holds the rest back', { cap: 2, candidates: [CAROL, DAVE, EVE] }, { add: [DAVE], held: [EVE], reason: /limit of 2 participants/ }],
    ['a full ticket adds nobody', { cap: 1, candidates: [DAVE] }, { add: [], held: [DAVE], reason: /limit of 1/ }],
  ])('%s', (_name, over, want) => {
    const decision = decideNewParticipants(facts(over));
    expect(decision.add).toEqual(want.add);
    expect(decision.heldBack.flatMap((h) => h.addresses)).toEqual(want.held);
    if (want.reason) expect(decision.heldBack[0]!.reason).toMatch(want.reason);
  });

  it('never adds anyone when the mail proves nothing, whoever it names', () => {
    for (const via of ['subject-tag', 'in-reply-to', 'references'] as const) {
      const decision = decideNewParticipants(facts({ via, sender: EVE, correspondents: new Set([CAROL]), candidates: [EVE, DAVE, 'x@y.test'] }));
      expect(decision.add).toEqual([]);
    }
  });
});

describe('initialParticipants: a new ticket', () => {
  it('takes the To/Cc after the requester, within the cap, once each', () => {
    expect(initialParticipants(CAROL, [DAVE, 'dave@CUSTOMER.test', CAROL], 20)).toEqual({ add: [DAVE], heldBack: [] });
    expect(initialParticipants(CAROL, [DAVE, EVE], 2)).toEqual({ add: [DAVE], heldBack: [{ addresses: [EVE], reason: 'the ticket has its limit of 2 participants' }] });
  });
});
