import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_NAME_BYTES, safeFilename, splitExtension, uniqueName, withDetectedExtension } from '../../src/domain/attachment-name.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('safeFilename', () => {
  it.each([
    ['report.pdf', 'application/pdf', 'report.pdf'],
    ['../../etc/passwd', 'text/plain', 'passwd'],
    ['C:\\evil\\a.exe', 'application/octet-stream', 'a.exe'],
    ['/abs/path/x.png', 'image/png', 'x.png'],
    ['dir/../..', 'text/plain', 'attachment-3.txt'],
    ['CON.txt', 'text/plain', '_CON.txt'],
    ['con', 'text/plain', '_con'],
    ['Aux.tar.gz', 'application/gzip', '_Aux.tar.gz'],
    ['nul .txt', 'text/plain', '_nul .txt'],
    ['COM9.log', 'text/plain', '_COM9.log'],
    ['lpt1', 'text/plain', '_lpt1'],
    ['COM¹.txt', 'text/plain', '_COM¹.txt'],
    ['console.txt', 'text/plain', 'console.txt'],
    ['COM10.txt', 'text/plain', 'COM10.txt'],
    ['invoice\u202Egnp.exe', 'image/png', 'invoicegnp.exe'],
    ['\u2066evil\u2069\u200F.pdf', 'application/pdf', 'evil.pdf'],
    ['a<b>c:d|e?f*g".txt', 'text/plain', 'abcdefg.txt'],
    ['line\r\nbreak.txt', 'text/plain', 'line break.txt'],
    ['tabs\tand   spaces.txt', 'text/plain', 'tabs and spaces.txt'],
    ['nul\0byte\u001b[31m.txt', 'text/plain', 'nulbyte[31m.txt'],
    ['.bashrc', 'text/plain', 'bashrc'],
    ['..hidden', 'text/plain', 'hidden'],
    ['  ..  spaced  ', 'text/plain', 'spaced'],
    ['trailing dots...', 'text/plain', 'trailing dots'],
    ['name.pdf. . ', 'application/pdf', 'name.pdf'],
    ['.', 'image/png', 'attachment-3.png'],
    ['..', 'image/jpeg', 'attachment-3.jpg'],
    ['', 'text/plain', 'attachment-3.txt'],
    [null, 'image/gif', 'attachment-3.gif'],
    [null, 'IMAGE/WEBP; name="x"', 'attachment-3.webp'],
    [null, 'application/pdf', 'attachment-3.pdf'],
    [null, 'text/html; charset=utf-8', 'attachment-3.html'],
    [null, 'application/zip', 'attachment-3.zip'],
    [null, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'attachment-3.docx'],
    [null, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'attachment-3.xlsx'],
    [null, 'text/csv', 'attachment-3.csv'],
    [null, 'message/rfc822', 'attachment-3.eml'],
    [null, 'application/x-whatever', 'attachment-3.bin'],
    ['\u202E', 'text/plain', 'attachment-3.txt'],
    ['e\u0301te\u0301.txt', 'text/plain', 'été.txt'],
    ['ｆｕｌｌｗｉｄｔｈ 漢字.txt', 'text/plain', 'ｆｕｌｌｗｉｄｔｈ 漢字.txt'],
    ['👩\u200D💻 notes.txt', 'text/plain', '👩\u200D💻 notes.txt'],
  ])('%j (%s) → %j', (name, type, safe) => {
    expect(safeFilename(name, type, 3)).toBe(safe);
  });

  it('cuts a 500-character name to 200 UTF-8 bytes, keeping the extension', () => {
    const ascii = safeFilename(`${'x'.repeat(500)}.pdf`, 'application/pdf', 1);
    expect(bytes(ascii)).toBe(MAX_NAME_BYTES);
    expect(ascii).toBe(`${'x'.repeat(196)}.pdf`);

    const umlauts = safeFilename(`${'ü'.repeat(500)}.docx`, 'application/octet-stream', 1);
    expect(bytes(umlauts)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(umlauts).toBe(`${'ü'.repeat(97)}.docx`);

    // Whole graphemes only: an emoji with a skin tone is never cut in half.
    const emoji = safeFilename('👍🏽'.repeat(500), 'text/plain', 1);
    expect(bytes(emoji)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(emoji).toBe('👍🏽'.repeat(25));
  });

  it('does not take a long tail after the last dot for an extension', () => {
    const name = safeFilename(`report.${'y'.repeat(500)}`, 'text/plain', 1);
    expect(name).toBe(`report.${'y'.repeat(193)}`);
  });

  it('never yields a name that is unsafe anywhere (property)', () => {
    const reserved = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]) *(\.|$)/i;
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary', maxLength: 400 })), fc.constantFrom('text/plain', 'image/png', 'x/y'), (name, type) => {
        const safe = safeFilename(name, type, 7);
        expect(safe.length).toBeGreaterThan(0);
        expect(bytes(safe)).toBeLessThanOrEqual(MAX_NAME_BYTES);
        // eslint-disable-next-line no-control-regex
        expect(safe).not.toMatch(/[/\\<>:"|?*\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
        expect(safe).not.toMatch(/^[\s.]|[\s.]$/);
        expect(safe).not.toMatch(reserved);
        expect(safe).toBe(safe.normalize('NFC'));
        expect(safeFilename(safe, type, 7)).toBe(safe);
      }),
      { numRuns: 500 },
    );
  });
});

describe('uniqueName', () => {
  it.each([
    ['report.pdf', [], 'report.pdf'],
    ['report.pdf', ['other.pdf'], 'report.pdf'],
    ['report.pdf', ['report.pdf'], 'report (2).pdf'],
    ['report.pdf', ['REPORT.PDF', 'Report (2).pdf'], 'report (3).pdf'],
    ['README', ['readme'], 'README (2)'],
    ['backup.tar.gz', ['backup.tar.gz'], 'backup (2).tar.gz'],
    ['été.txt', ['e\u0301te\u0301.txt'], 'été (2).txt'],
  ])('%j beside %j → %j', (name, taken, unique) => {
    expect(uniqueName(name, new Set(taken))).toBe(unique);
  });

  it('stays within 200 bytes when it adds a number', () => {
    const long = safeFilename(`${'x'.repeat(500)}.pdf`, 'application/pdf', 1);
    const unique = uniqueName(long, new Set([long]));
    expect(bytes(unique)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(unique.endsWith('x (2).pdf')).toBe(true);
  });
});

describe('splitExtension', () => {
  it.each([
    ['a.pdf', 'a', '.pdf'],
    ['a.b.c', 'a.b', '.c'],
    ['x.tar.bz2', 'x', '.tar.bz2'],
    ['noext', 'noext', ''],
    ['.profile', '.profile', ''],
    ['v1.2 final', 'v1.2 final', ''],
  ])('%j → %j + %j', (name, stem, extension) => {
    expect(splitExtension(name)).toEqual({ stem, extension });
  });
});

describe('withDetectedExtension', () => {
  it.each([
    ['invoice.pdf', 'exe', 'invoice.pdf.exe'],
    ['invoicegnp.exe', 'png', 'invoicegnp.exe.png'],
    ['photo', 'jpg', 'photo.jpg'],
    ['photo.JPEG', 'jpg', 'photo.JPEG'],
    ['photo.jpg', null, 'photo.jpg'],
    ['letter.doc', 'cfb', 'letter.doc'],
    ['sheet.xlsx', 'zip', 'sheet.xlsx'],
    ['sheet.xlsx', 'xlsx', 'sheet.xlsx'],
    ['report.pdf', 'zip', 'report.pdf.zip'],
    ['backup.tgz', 'gz', 'backup.tgz'],
    ['backup.tar.gz', 'gz', 'backup.tar.gz'],
    ['logo.svg', 'xml', 'logo.svg'],
    ['setup.dll', 'exe', 'setup.dll'],
  ])('%j with content %j → %j', (name, detected, result) => {
    expect(withDetectedExtension(name, detected)).toBe(result);
  });

  it('keeps the appended extension within 200 bytes', () => {
    const long = safeFilename(`${'x'.repeat(500)}.pdf`, 'application/pdf', 1);
    const renamed = withDetectedExtension(long, 'exe');
    expect(bytes(renamed)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(renamed.endsWith('.exe')).toBe(true);
  });
});
