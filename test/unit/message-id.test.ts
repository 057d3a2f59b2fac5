import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeMessageId, parseMessageIdList } from '../../src/domain/message-id.js';

describe('parseMessageIdList', () => {
  it.each<[string | null | undefined, string[]]>([
    ['<a1@example.test>', ['a1@example.test']],
    ['<a1@example.test> <b2@example.test>\r\n <c3@example.test>', ['a1@example.test', 'b2@example.test', 'c3@example.test']],
    ['<a1@example.test><b2@example.test>', ['a1@example.test', 'b2@example.test']],
    ['<a1@example.test>, <b2@example.test>', ['a1@example.test', 'b2@example.test']],
    ['<a1@example.test> <a1@example.test>', ['a1@example.test']],
    ['<Case@Example.TEST>', ['Case@Example.TEST']],
    ['<topic/22638@discourse.test>', ['topic/22638@discourse.test']],
    ['u4w8c9r4y984yh98r3h69873@foo.bar.mail', ['u4w8c9r4y984yh98r3h69873@foo.bar.mail']],
    ['  bare@example.test  ', ['bare@example.test']],
    ['<no-at-sign> <a1@example.test>', ['a1@example.test']],
    ['"Carol" <carol@x> (in reply to)', ['carol@x']],
    ['', []],
    [null, []],
    [undefined, []],
    ['   ', []],
    ['garbage', []],
    ['<garbage>', []],
    ['<>', []],
    ['two bare@ids.test ids@here.test', []],
  ])('%j → %j', (value, want) => {
    expect(parseMessageIdList(value)).toEqual(want);
  });

  it('drops ids longer than a header line may be (998)', () => {
    expect(parseMessageIdList(`<${'a'.repeat(990)}@example.test>`)).toEqual([]);
  });

  it('keeps order and drops repeats, for any list of plausible ids', () => {
    const id = fc.tuple(fc.stringMatching(/^[A-Za-z0-9.$%_+-]{1,20}$/), fc.stringMatching(/^[a-z0-9.-]{1,20}$/)).map(([l, d]) => `${l}@${d}`);
    fc.assert(
      fc.property(fc.array(id, { maxLength: 10 }), (ids) => {
        expect(parseMessageIdList(ids.map((i) => `<${i}>`).join('\r\n '))).toEqual([...new Set(ids)]);
      }),
    );
  });
});

describe('normalizeMessageId', () => {
  it.each<[string | null | undefined, string | null]>([
    ['<1234@local.machine.example>', '1234@local.machine.example'],
    ['  <1234@local.machine.example>  ', '1234@local.machine.example'],
    ['<MiXeD@Example.test>', 'MiXeD@Example.test'],
    ['1234@local.machine.example', '1234@local.machine.example'],
    ['<a@x> <b@x>', 'a@x'],
    ['', null],
    [null, null],
    ['<garbage>', null],
  ])('%j → %j', (value, want) => {
    expect(normalizeMessageId(value)).toBe(want);
  });
});
