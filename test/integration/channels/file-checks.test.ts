import { sniffContentType } from '../../../src/modules/channels/attachments/content-type';
import { cleanFilename, dispositionFor } from '../../../src/modules/channels/attachments/filename';
import { EXE, HTML, JPEG, PDF, PNG, SVG, TEXT } from './helpers';

describe('content sniffing', () => {
  it.each([
    ['PNG', PNG, 'image/png'],
    ['JPEG', JPEG, 'image/jpeg'],
    ['PDF', PDF, 'application/pdf'],
    ['UTF-8 text', TEXT, 'text/plain'],
    ['text with a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), TEXT]), 'text/plain'],
  ])('accepts %s', async (_what, bytes, type) => {
    expect(await sniffContentType(bytes, true)).toBe(type);
  });

  it.each([
    ['HTML', HTML],
    ['an HTML comment first', Buffer.from('<!-- hi --><script>alert(1)</script>')],
    ['SVG', SVG],
    ['an executable', EXE],
    ['binary junk', Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe])],
    ['Latin-1 text (not UTF-8)', Buffer.from('caf\xe9', 'latin1')],
    ['nothing', Buffer.alloc(0)],
  ])('refuses %s', async (_what, bytes) => {
    expect(await sniffContentType(bytes, true)).toBeNull();
  });

  it('accepts a text sample whose last character was cut in two, when the file goes on', async () => {
    const cut = Buffer.from('prix: 5 €').subarray(0, -1);
    expect(await sniffContentType(cut, false)).toBe('text/plain');
    expect(await sniffContentType(cut, true)).toBeNull();
  });
});

describe('file names', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['bell\u0007and\u0000nul.txt', 'bellandnul.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['  spaced.png  ', 'spaced.png'],
    ['', 'file'],
    ['/', 'file'],
    ['e\u0301.txt', 'é.txt'],
  ])('cleans %j to %j', (raw, clean) => {
    expect(cleanFilename(raw)).toBe(clean);
  });

  it('shortens long names to 200 characters and keeps the extension', () => {
    const clean = cleanFilename(`${'a'.repeat(300)}.pdf`);
    expect([...clean]).toHaveLength(200);
    expect(clean.endsWith('.pdf')).toBe(true);
  });

  it('serves raster images inline and everything else as an attachment', () => {
    expect(dispositionFor('a.png', 'image/png')).toBe('inline; filename=a.png');
    expect(dispositionFor('a.pdf', 'application/pdf')).toBe('attachment; filename=a.pdf');
    expect(dispositionFor('a.txt', 'text/plain')).toBe('attachment; filename=a.txt');
  });
});
