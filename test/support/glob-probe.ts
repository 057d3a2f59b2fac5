import { re2Test } from '../../src/adapters/regex/re2.js';
import { globMatches } from '../../src/domain/rules.js';

/** For a worker: does a glob match a text, on the engine rules use. */
export function probeGlob(glob: string, text: string): boolean {
  return globMatches(glob, text, re2Test);
}

/** The same on a backtracking RegExp, as rules matched globs before. */
export function probeBacktracking(glob: string, text: string): boolean {
  const pattern = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`, 's').test(text);
}
