import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe } from 'vitest';

/**
 * The shared corpus of real mail, read in place, never copied (some of it is
 * under licenses we don't ship). `.ci/run` sets HELPDESK_CORPUS. Without it the
 * corpus suites say they did not run and why; under CI=true its absence is an error.
 */
function locateCorpus(): { dir: string; reason: null } | { dir: null; reason: string } {
  const dir = process.env.HELPDESK_CORPUS;
  const reason = !dir
    ? 'HELPDESK_CORPUS is not set (point it at the shared mail corpus, e.g. HELPDESK_CORPUS=../shared/corpus)'
    : !existsSync(dir) || !statSync(dir).isDirectory()
      ? `HELPDESK_CORPUS=${dir} is not a directory`
      : null;
  if (reason === null) return { dir: dir!, reason: null };
  if (process.env.CI === 'true') throw new Error(`${reason}: the corpus is required under CI=true`);
  return { dir: null, reason };
}

const CORPUS = locateCorpus();

/** Why the corpus suites did not run, or null when the corpus is here. */
export const CORPUS_MISSING: string | null = CORPUS.reason;

/** A describe block that needs the corpus: without it, it is reported as not run, with the reason in its title. */
export function describeCorpus(name: string, body: () => void): void {
  if (CORPUS.dir) describe(name, body);
  else describe.skip(`${name} — did not run: ${CORPUS.reason}`, body);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

/** Corpus files whose name ends in `suffix`, as sorted `/`-separated paths relative to the corpus root; none without the corpus. */
export function corpusFiles(suffix: string, under = ''): string[] {
  if (!CORPUS.dir) return [];
  const files = walk(join(CORPUS.dir, under))
    .filter((path) => path.endsWith(suffix))
    .map((path) => relative(CORPUS.dir, path).split(sep).join('/'))
    .sort();
  if (files.length === 0) throw new Error(`no *${suffix} files under ${join(CORPUS.dir, under)}`);
  return files;
}

/** The bytes of one corpus file. */
export function readCorpus(relativePath: string): Buffer {
  if (!CORPUS.dir) throw new Error(`the corpus is not here: ${CORPUS.reason}`);
  return readFileSync(join(CORPUS.dir, relativePath));
}
