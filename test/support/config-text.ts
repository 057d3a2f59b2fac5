import { formatProblem, parseConfig, type ConfigProblem } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';

/** The file name config tests write, as problems report it. */
export const FILE = 'helpdesk.yaml';

type Env = Record<string, string>;
type Read = (path: string) => string;

/** Parses config lines that must be valid; a rejection fails with every problem. */
export function parseOk(lines: readonly string[], env: Env = {}, read?: Read): Config {
  const result = parseConfig(lines.join('\n'), FILE, env, read);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.config;
}

/** Parses config lines that must be rejected, and returns the problems. */
export function problemsOf(lines: readonly string[], env: Env = {}, read?: Read): ConfigProblem[] {
  const result = parseConfig(lines.join('\n'), FILE, env, read);
  if (result.ok) throw new Error('expected problems, the config was accepted');
  return result.problems;
}

/**
 * Where `token` stands in `lines`, 1-based: on the first line containing
 * `lineMarker` (the token itself by default), at the first `token` from the marker on.
 */
export function at(lines: readonly string[], token: string, lineMarker = token): { line: number; column: number } {
  const index = lines.findIndex((l) => l.includes(lineMarker));
  if (index < 0) throw new Error(`no line contains ${lineMarker}`);
  const column = lines[index]!.indexOf(token, lines[index]!.indexOf(lineMarker));
  if (column < 0) throw new Error(`line ${index + 1} has no ${token}`);
  return { line: index + 1, column: column + 1 };
}
