const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PART = /(\d+(?:\.\d+)?)\s*([smhd])/g;
const WHOLE = /^(?:\s*\d+(?:\.\d+)?\s*[smhd])+\s*$/;

/**
 * Parses a duration such as `30s`, `15m`, `4d` or `1h30m` into milliseconds.
 * Returns null for anything else (including a bare number: the unit is required).
 */
export function parseDuration(text: string): number | null {
  if (!WHOLE.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return Math.round(total);
}

/** Formats milliseconds the way the config writes them, largest units first (`1d2h`). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out || `${ms}ms`;
}
