import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractReply } from '../../src/adapters/mime/extract-reply.js';

/*
 * Replies as clients write them, one folder per class of the reader's rules
 * (test/fixtures/replies/, text we wrote for these tests): `NAME.txt` is the
 * plain-text body, `NAME.expected.txt` the new text a person reads in it. The
 * `customer/` folder holds ordinary mail with nothing to remove: there the
 * whole text is expected back, so it has no expected files.
 */

const DIR = new URL('../fixtures/replies/', import.meta.url);
const KEEP_ALL = 'customer';

/** Every class of the reader, with the least number of cases each must keep. */
const CLASSES: Record<string, number> = {
  'folded-headers': 6,
  separators: 8,
  'header-blocks': 8,
  attributions: 20,
  interleaved: 6,
  'mobile-footers': 6,
  signatures: 4,
  [KEEP_ALL]: 10,
};

const read = (path: string): string => readFileSync(new URL(path, DIR), 'utf8');
const inputs = (folder: string): string[] =>
  existsSync(new URL(`${folder}/`, DIR))
    ? readdirSync(new URL(`${folder}/`, DIR)).filter((name) => name.endsWith('.txt') && !name.endsWith('.expected.txt')).sort()
    : [];

describe('reply fixtures', () => {
  it('has every class, each with its cases', () => {
    const folders = readdirSync(DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(folders.sort()).toEqual(Object.keys(CLASSES).sort());
    for (const [folder, least] of Object.entries(CLASSES)) expect(inputs(folder).length, folder).toBeGreaterThanOrEqual(least);
  });

  for (const folder of Object.keys(CLASSES).filter((name) => name !== KEEP_ALL)) {
    describe(folder, () => {
      it.each(inputs(folder))('%s', (name) => {
        const expectedPath = `${folder}/${name.replace(/\.txt$/, '.expected.txt')}`;
        expect(existsSync(new URL(expectedPath, DIR)), `${expectedPath} is missing`).toBe(true);
        expect(extractReply(read(`${folder}/${name}`))).toBe(read(expectedPath).trimEnd());
      });
    });
  }

  describe(`${KEEP_ALL}: ordinary mail keeps all its text`, () => {
    it.each(inputs(KEEP_ALL))('%s', (name) => {
      const text = read(`${KEEP_ALL}/${name}`);
      expect(existsSync(new URL(`${KEEP_ALL}/${name.replace(/\.txt$/, '.expected.txt')}`, DIR))).toBe(false);
      expect(extractReply(text)).toBe(text.trim());
    });
  });
});
