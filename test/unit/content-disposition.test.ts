import { describe, expect, it } from 'vitest';
import { asciiFilename, attachmentDisposition, encodeRfc5987, safeContentType, sanitizeFilename } from '../../src/adapters/http/content-disposition.js';

describe('sanitizeFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\eve\\evil.exe', 'evil.exe'],
    ['Rechnung "März" 2026.pdf', 'Rechnung _März_ 2026.pdf'],
    ['a<b>c:d|e?f*g.txt', 'a_b_c_d_e_f_g.txt'],
    ['line\r\nbreak.txt', 'line break.txt'],
    ['nul\0byte.txt', 'nulbyte.txt'],
    ['right\u202Eto-left.txt', 'rightto-left.txt'],
    ['  ..hidden  ', 'hidden'],
    ['trailing dots...', 'trailing dots'],
    ['tabs\tand   spaces.txt', 'tabs and spaces.txt'],
    ['CON.txt', '_CON.txt'],
    ['lpt1', '_lpt1'],
    ['', 'attachment'],
    [null, 'attachment'],
    ['../', 'attachment'],
    ['ｆｕｌｌｗｉｄｔｈ 漢字.txt', 'ｆｕｌｌｗｉｄｔｈ 漢字.txt'],
  ])('%j → %j', (name, clean) => {
    expect(sanitizeFilename(name)).toBe(clean);
  });

  it('cuts a long name to 150 characters and keeps its extension', () => {
    const clean = sanitizeFilename(`${'x'.repeat(400)}.pdf`);
    expect([...clean]).toHaveLength(150);
    expect(clean.endsWith('x.pdf')).toBe(true);
    expect([...sanitizeFilename('😀'.repeat(200))]).toHaveLength(150);
  });
});

describe('the header values', () => {
  it('asciiFilename replaces all but printable ASCII, and quotes and backslashes', () => {
    expect(asciiFilename('Grüße "x" \\ y.pdf')).toBe('Gr__e _x_ _ y.pdf');
  });

  it("encodeRfc5987 percent-encodes UTF-8 and the characters RFC 5987 does not allow bare", () => {
    expect(encodeRfc5987("März (1)'*.pdf")).toBe('M%C3%A4rz%20%281%29%27%2A.pdf');
  });

  it.each([
    ['report.pdf', `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`],
    ['../Rechnung "März".pdf', `attachment; filename="Rechnung _M_rz_.pdf"; filename*=UTF-8''Rechnung%20_M%C3%A4rz_.pdf`],
    ['a;b=c.txt', `attachment; filename="a;b=c.txt"; filename*=UTF-8''a%3Bb%3Dc.txt`],
    [null, `attachment; filename="attachment"; filename*=UTF-8''attachment`],
  ])('attachmentDisposition(%j)', (name, header) => {
    expect(attachmentDisposition(name)).toBe(header);
    expect(header).not.toMatch(/[\r\n]/);
  });
});

describe('safeContentType', () => {
  it.each([
    ['application/pdf', 'application/pdf'],
    ['IMAGE/PNG', 'image/png'],
    ['text/plain', 'text/plain'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['text/html', 'application/octet-stream'],
    ['application/xhtml+xml', 'application/octet-stream'],
    ['image/svg+xml', 'application/octet-stream'],
    ['text/xml', 'application/octet-stream'],
    ['application/javascript', 'application/octet-stream'],
    ['text/javascript', 'application/octet-stream'],
    ['application/rss+xml', 'application/octet-stream'],
    ['multipart/related', 'application/octet-stream'],
    ['text/plain\r\nX-Evil: 1', 'application/octet-stream'],
    ['text/plain; charset=utf-8', 'application/octet-stream'],
    ['', 'application/octet-stream'],
    [null, 'application/octet-stream'],
  ])('%j → %j', (type, sent) => {
    expect(safeContentType(type)).toBe(sent);
  });
});
