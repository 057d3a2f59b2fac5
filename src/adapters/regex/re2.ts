import { RE2JS } from 're2js';
import type { RegexTest } from '../../domain/rules.js';

const compiled = new Map<string, RE2JS>();

/**
 * Rule regexes run on RE2 (re2js, pure JavaScript): matching time is linear
 * in the text, so no pattern can stall ingest. Patterns were validated at
 * config load; compiled ones are cached.
 */
export const re2Test: RegexTest = (pattern, text) => {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.matcher(text).find();
};
