import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { contentTypeOf, normaliseType } from '../../src/adapters/mime/content-type.js';

/** A 1×1 PNG as an image editor writes it. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d2a1a10000000049454e44ae426082',
  'hex',
);
const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffdb004300' + '08'.repeat(64) + 'ffd9', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
/** The start of a Windows program: the MZ header and its stub. */
const EXE = Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000b800000000000000400000000000000000', 'hex'), Buffer.alloc(256)]);
/** OLE2 compound file (old .doc, .xls, .msg). */
const OLE = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);
const TEXT = Buffer.from('Hello,\nthe printer on floor 2 shows error 42.\n');
const CSV = Buffer.from('name,amount\nACME,12.50\n');
const HTML = Buffer.from('<!doctype html><html><body><p>hi</p></body></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
const SVG_WITH_PROLOG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>');

/** A zip archive with these entries, stored uncompressed, as any zip tool can write it. */
function zip(entries: Record<string, string>): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const file = Buffer.from(name);
    const data = Buffer.from(text);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt32LE(crc32(data), 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(file.length, 26);
    local.push(header, file, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc32(data), 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(file.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, file);
    offset += header.length + file.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, directory, end]);
}

const ZIP = zip({ 'readme.txt': 'hello' });
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const DOCX = zip({
  '[Content_Types].xml': `<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="${DOCX_TYPE}.main+xml"/></Types>`,
  'word/document.xml': '<w:document/>',
});

describe('contentTypeOf', () => {
  it.each([
    // Honest declarations.
    ['a PNG declared image/png', PNG, 'image/png', 'image/png', null, 'png'],
    ['a JPEG declared image/jpg', JPEG, 'image/jpg', 'image/jpeg', null, 'jpg'],
    ['a PDF with parameters and capitals', PDF, 'Application/PDF; name="x.pdf"', 'application/pdf', null, 'pdf'],
    ['a zip declared application/x-zip-compressed', ZIP, 'application/x-zip-compressed', 'application/zip', null, 'zip'],
    ['a docx declared as such', DOCX, DOCX_TYPE, DOCX_TYPE, null, 'docx'],
    ['a docx declared application/zip: the more exact type', DOCX, 'application/zip', DOCX_TYPE, null, 'docx'],
    ['a zip declared docx: the declared type inside the container', ZIP, DOCX_TYPE, DOCX_TYPE, null, 'zip'],
    ['an old Word file (OLE2)', OLE, 'application/msword', 'application/msword', null, 'cfb'],
    ['an SVG with an XML prolog', SVG_WITH_PROLOG, 'image/svg+xml', 'image/svg+xml', null, 'xml'],
    ['a PNG declared octet-stream', PNG, 'application/octet-stream', 'image/png', null, 'png'],
    // Lies: the bytes win.
    ['a program declared image/png', EXE, 'image/png', 'application/x-msdownload', 'declared image/png, content is application/x-msdownload', 'exe'],
    ['a program declared application/pdf', EXE, 'application/pdf', 'application/x-msdownload', 'declared application/pdf, content is application/x-msdownload', 'exe'],
    ['a program declared text/plain', EXE, 'text/plain', 'application/x-msdownload', 'declared text/plain, content is application/x-msdownload', 'exe'],
    ['a zip declared application/pdf', ZIP, 'application/pdf', 'application/zip', 'declared application/pdf, content is application/zip', 'zip'],
    ['a PDF declared image/jpeg', PDF, 'image/jpeg', 'application/pdf', 'declared image/jpeg, content is application/pdf', 'pdf'],
    ['a PNG declared text/html', PNG, 'text/html', 'image/png', 'declared text/html, content is image/png', 'png'],
    // Text file-type cannot recognise: the declaration stands when it is text or undetectable.
    ['plain text', TEXT, 'text/plain; charset=utf-8', 'text/plain', null, null],
    ['CSV', CSV, 'text/csv', 'text/csv', null, null],
    ['HTML', HTML, 'TEXT/HTML', 'text/html', null, null],
    ['an SVG without prolog', SVG, 'image/svg+xml', 'image/svg+xml', null, null],
    ['JSON', Buffer.from('{"a":1}'), 'application/json', 'application/json', null, null],
    ['text declared octet-stream', TEXT, 'application/octet-stream', 'application/octet-stream', null, null],
    ['a malformed declaration', TEXT, 'not a type', 'application/octet-stream', null, null],
    // …but never a recognisable type the bytes are not.
    ['text declared image/png', TEXT, 'image/png', 'application/octet-stream', 'declared image/png, content is not image/png', null],
    ['text declared application/pdf', TEXT, 'application/pdf', 'application/octet-stream', 'declared application/pdf, content is not application/pdf', null],
    ['text declared application/zip', TEXT, 'application/zip', 'application/octet-stream', 'declared application/zip, content is not application/zip', null],
    ['text declared docx', TEXT, DOCX_TYPE, 'application/octet-stream', `declared ${DOCX_TYPE}, content is not ${DOCX_TYPE}`, null],
    ['text declared an undetectable image type', TEXT, 'image/x-emf', 'application/octet-stream', 'declared image/x-emf, content is not image/x-emf', null],
    ['text declared a program', TEXT, 'application/x-msdownload', 'application/octet-stream', 'declared application/x-msdownload, content is not application/x-msdownload', null],
    ['nothing at all declared image/gif', Buffer.alloc(0), 'image/gif', 'application/octet-stream', 'declared image/gif, content is not image/gif', null],
  ])('%s', async (_what, content, declared, type, mismatch, extension) => {
    expect(await contentTypeOf(content, declared, null)).toEqual({ type, mismatch, extension });
  });

  it('reports a name that claims a recognisable format the bytes are not', async () => {
    expect(await contentTypeOf(TEXT, 'application/octet-stream', 'holiday.JPG')).toEqual({
      type: 'application/octet-stream',
      mismatch: 'named ".jpg", content is not that format',
      extension: null,
    });
    expect((await contentTypeOf(TEXT, 'text/plain', 'notes.txt')).mismatch).toBeNull();
    expect((await contentTypeOf(SVG, 'image/svg+xml', 'logo.xml')).mismatch).toBeNull();
  });

  it('reads the whole buffer, so a large file is recognised like a small one', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024, 0x20)]);
    expect(await contentTypeOf(big, 'application/pdf', 'big.pdf')).toEqual({ type: 'application/pdf', mismatch: null, extension: 'pdf' });
  });
});

describe('normaliseType', () => {
  it.each([
    ['Image/PNG; name="a.png"', 'image/png'],
    ['image/pjpeg', 'image/jpeg'],
    ['application/x-dosexec', 'application/x-msdownload'],
    ['', 'application/octet-stream'],
    ['text', 'application/octet-stream'],
    ['text/plain\r\nX-Injected: 1', 'application/octet-stream'],
  ])('%j → %j', (declared, type) => {
    expect(normaliseType(declared)).toBe(type);
  });
});
