import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/domain/duration.js';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each<[string, number | null]>([
    ['30s', 30 * S],
    ['15m', 15 * M],
    ['8h', 8 * H],
    ['4d', 4 * D],
    ['1h30m', H + 30 * M],
    ['1d2h3m4s', D + 2 * H + 3 * M + 4 * S],
    ['1h 30m', H + 30 * M],
    [' 30m ', 30 * M],
    ['1.5h', 1.5 * H],
    ['0.5s', 500],
    ['0s', 0],
    ['30', null],
    ['0', null],
    ['4 days', null],
    ['4days', null],
    ['30S', null],
    ['1w', null],
    ['30ms', null],
    ['-5m', null],
    ['1h30', null],
    ['h', null],
    ['', null],
    ['   ', null],
    ['1.h', null],
  ])('%j → %s', (text, want) => {
    expect(parseDuration(text)).toBe(want);
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [30 * S, '30s'],
    [15 * M, '15m'],
    [4 * D, '4d'],
    [H + 30 * M, '1h30m'],
    [D + 2 * H, '1d2h'],
    [D + 4 * S, '1d4s'],
    [0, '0s'],
    [-5 * S, '0s'],
    [500, '500ms'],
  ])('%s ms → %j', (ms, want) => {
    expect(formatDuration(ms)).toBe(want);
  });

  it('parseDuration reads back what formatDuration writes, for whole seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 * 86_400 }), (seconds) => parseDuration(formatDuration(seconds * S)) === seconds * S),
    );
  });

  it('formatDuration writes each unit at most once, largest first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 * 86_400 }), (seconds) => /^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/.test(formatDuration(seconds * S))),
    );
  });

  it('parseDuration adds up its parts, in any order', () => {
    const part = fc.tuple(fc.nat({ max: 999 }), fc.constantFrom(['s', S] as const, ['m', M] as const, ['h', H] as const, ['d', D] as const));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.map(([n, [unit]]) => `${n}${unit}`).join('');
        return parseDuration(text) === parts.reduce((sum, [n, [, ms]]) => sum + n * ms, 0);
      }),
    );
  });
});
