import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/import.js';

describe('import progress', () => {
  it.each([
    [{ done: 0, total: 400, quarantined: 0 }, 1_000, '[--------------------] 0/400 0% · 0.0 mails/s · ETA ?'],
    [{ done: 100, total: 400, quarantined: 0 }, 10_000, '[#####---------------] 100/400 25% · 10 mails/s · ETA 30s'],
    [{ done: 120, total: 12_120, quarantined: 2 }, 60_000, '[--------------------] 120/12120 0% · 2.0 mails/s · ETA 1h40m · 2 quarantined'],
    [{ done: 400, total: 400, quarantined: 0 }, 8_000, '[####################] 400/400 100% · 50 mails/s · ETA 0s'],
    // More done than first counted (mail arrived meanwhile): never over 100 %.
    [{ done: 12, total: 10, quarantined: 0 }, 4_000, '[####################] 12/12 100% · 3.0 mails/s · ETA 0s'],
  ])('%o after %i ms reads %s', (counts, elapsedMs, text) => {
    const line = progressLine({ ...counts, startedAt: 0 }, elapsedMs);
    expect(line.text).toBe(text);
  });

  it('gives the same figures as log fields', () => {
    expect(progressLine({ done: 100, total: 400, quarantined: 0, startedAt: 0 }, 10_000).fields).toEqual({ done: 100, total: 400, percent: 25, perSecond: 10, etaSeconds: 30 });
  });
});
