import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * The shared corpus of real mail (../shared/corpus), read in place, never copied.
 * `.ci/run` sets HELPDESK_CORPUS; without it the corpus tests must fail loudly, not skip.
 */
function corpusRoot(): string {
  const dir = process.env.HELPDESK_CORPUS;
  if (!dir) {
    throw new Error('HELPDESK_CORPUS is not set: point it at the shared mail corpus, e.g. HELPDESK_CORPUS=/work/shared/corpus');
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`HELPDESK_CORPUS=${dir} is not a directory: point it at the shared mail corpus`);
  }
  return dir;
}

export const CORPUS_DIR = corpusRoot();

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

/** Corpus files whose name ends in `suffix`, as sorted `/`-separated paths relative to the corpus root. */
export function corpusFiles(suffix: string, under = ''): string[] {
  const files = walk(join(CORPUS_DIR, under))
    .filter((path) => path.endsWith(suffix))
    .map((path) => relative(CORPUS_DIR, path).split(sep).join('/'))
    .sort();
  if (files.length === 0) throw new Error(`no *${suffix} files under ${join(CORPUS_DIR, under)}`);
  return files;
}

/** The bytes of one corpus file. */
export function readCorpus(relativePath: string): Buffer {
  return readFileSync(join(CORPUS_DIR, relativePath));
}
