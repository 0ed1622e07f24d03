import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import mammoth from 'mammoth';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  decodeLegacyText,
  encodeTcvn3,
  encodeVni,
  extractDocument,
  readDocumentFile,
  type ExtractedDocument,
  type ReadResult,
} from '../shared/domain/document/index.ts';

// The fixtures come from test/fixtures/documents/make.ts; the seeds' own extraction is pinned to hand-written
// values by test/document-seeds.test.ts, so here each format is compared with reading the seed's plain text.
const fixture = (name: string): Uint8Array => readFileSync(fileURLToPath(new URL(`./fixtures/documents/${name}`, import.meta.url)));
const seedText = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/seeds/${name}`, import.meta.url)), 'utf8');
const SEED = { '000': seedText('000_a833bee5ecf1b84c.txt'), '001': seedText('001_acdcd72a09cda526.txt'), '002': seedText('002_5e0a79aa8fbcde40.txt') };
/** The header make.ts puts above seed 002, as the text of a two-column header reads. */
const HEADER_002 = [
  'HUYỆN ỦY HÀM THUẬN BẮC   ĐẢNG CỘNG SẢN VIỆT NAM',
  '*',
  'Số 45-CV/HU   Hàm Thuận Bắc, ngày 10 tháng 3 năm 2020',
  'V/v tiếp tục thực hiện Chỉ thị số 23-CT/TU năm 2020',
  '',
].join('\n');

/** Windows-1258 keeps the shape of a vowel precomposed (ê, ơ) and the tone as a combining mark after it. */
function windows1258(text: string): Uint8Array {
  const tone = /[\u0300\u0301\u0303\u0309\u0323]/g;
  const spelled = [...text.normalize('NFC')]
    .map((ch) => {
      const nfd = ch.normalize('NFD');
      return nfd.replace(tone, '').normalize('NFC') + (nfd.match(tone) ?? []).join('');
    })
    .join('');
  const bytes = iconv.encode(spelled, 'windows1258');
  if (iconv.decode(bytes, 'windows1258').normalize('NFC') !== text.normalize('NFC')) throw new Error('text not representable in Windows-1258');
  return bytes;
}
const windows1252 = (text: string): Uint8Array => iconv.encode(text, 'windows-1252');

interface Case {
  name: string;
  bytes: () => Uint8Array;
  /** The plain text the file was made from. */
  source: string;
  format: 'pdf' | 'docx' | 'text';
  encoding: string;
  pages?: number;
  /** Read by hand from the seed: keeps the comparison from passing on two empty readings. */
  anchor: { items: string[]; references: string[]; targets: number };
}

const ANCHOR_000 = { items: ['1', '2', '3', '4', '5'], references: ['23-CT/TU'], targets: 0 };
const ANCHOR_001 = { items: ['1', '2', '3', '4', '5'], references: ['158-KH/TU', '43-KL/TW', '25-NQ/TW', '44-CT/TU', '42-CT/TU'], targets: 0 };
const ANCHOR_002 = { items: ['1', '2', '3', '4'], references: ['23-CT/TU', '23/2012/TT-BCA', '1980/QĐ-TTg'], targets: 6 };
/** Seeds 000, 001, 002 and 000 read as one document: the items of the first, every reference once, no target groups (they come after the first "Nơi nhận"). */
const ANCHOR_10_PAGES = { items: ['1', '2', '3', '4', '5'], references: ['23-CT/TU', ...ANCHOR_001.references, '23/2012/TT-BCA', '1980/QĐ-TTg'], targets: 0 };
const file = (name: string) => () => fixture(name);

const CASES: Case[] = [
  { name: 'seed-000.docx', bytes: file('seed-000.docx'), source: SEED['000'], format: 'docx', encoding: 'docx', anchor: ANCHOR_000 },
  { name: 'seed-001.docx', bytes: file('seed-001.docx'), source: SEED['001'], format: 'docx', encoding: 'docx', anchor: ANCHOR_001 },
  { name: 'seed-002.docx', bytes: file('seed-002.docx'), source: SEED['002'], format: 'docx', encoding: 'docx', anchor: ANCHOR_002 },
  { name: 'seed-000-numbered.docx (Word numbering)', bytes: file('seed-000-numbered.docx'), source: SEED['000'], format: 'docx', encoding: 'docx', anchor: ANCHOR_000 },
  { name: 'seed-002-header.docx (header table)', bytes: file('seed-002-header.docx'), source: HEADER_002 + SEED['002'], format: 'docx', encoding: 'docx', anchor: ANCHOR_002 },
  { name: 'seed-002-tcvn3.docx (.VnTime runs)', bytes: file('seed-002-tcvn3.docx'), source: SEED['002'], format: 'docx', encoding: 'tcvn3', anchor: ANCHOR_002 },
  { name: 'seed-002-tcvn3.txt', bytes: file('seed-002-tcvn3.txt'), source: SEED['002'], format: 'text', encoding: 'tcvn3', anchor: ANCHOR_002 },
  { name: 'seed-001-utf16le.txt', bytes: file('seed-001-utf16le.txt'), source: SEED['001'], format: 'text', encoding: 'utf-16le', anchor: ANCHOR_001 },
  { name: 'seed 002 in Windows-1258 (made here)', bytes: () => windows1258(SEED['002']), source: SEED['002'], format: 'text', encoding: 'windows-1258', anchor: ANCHOR_002 },
  { name: 'seed 002 in VNI (made here)', bytes: () => windows1252(encodeVni(SEED['002'])), source: SEED['002'], format: 'text', encoding: 'vni', anchor: ANCHOR_002 },
  { name: 'seed 000 in UTF-8 with BOM (made here)', bytes: () => new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(SEED['000'])]), source: SEED['000'], format: 'text', encoding: 'utf-8', anchor: ANCHOR_000 },
  { name: 'seed-000.pdf', bytes: file('seed-000.pdf'), source: SEED['000'], format: 'pdf', encoding: 'pdf', pages: 3, anchor: ANCHOR_000 },
  { name: 'seed-001.pdf', bytes: file('seed-001.pdf'), source: SEED['001'], format: 'pdf', encoding: 'pdf', pages: 4, anchor: ANCHOR_001 },
  { name: 'seed-002.pdf', bytes: file('seed-002.pdf'), source: SEED['002'], format: 'pdf', encoding: 'pdf', pages: 1, anchor: ANCHOR_002 },
  { name: 'seed-002-header.pdf (two columns)', bytes: file('seed-002-header.pdf'), source: HEADER_002 + SEED['002'], format: 'pdf', encoding: 'pdf', pages: 2, anchor: ANCHOR_002 },
  {
    name: 'seeds-10-pages.pdf (page numbers)',
    bytes: file('seeds-10-pages.pdf'),
    source: [SEED['000'], SEED['001'], SEED['002'], SEED['000']].join('\n'),
    format: 'pdf',
    encoding: 'pdf',
    pages: 11,
    anchor: ANCHOR_10_PAGES,
  },
];

// ---- Field comparison -----------------------------------------------------------------------------
/** Where a format must lose nothing: the reading of the file equals the reading of its text. */
const EXACT_FIELDS = ['kind', 'number', 'issuedOn', 'references', 'reporting', 'recipients', 'item labels', 'target labels'] as const;

function fieldScores(actual: ExtractedDocument, expected: ExtractedDocument): Record<string, boolean> {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    kind: actual.kind === expected.kind,
    number: actual.number === expected.number,
    issuedOn: actual.issuedOn === expected.issuedOn,
    place: actual.place === expected.place,
    issuer: actual.issuer === expected.issuer,
    subject: actual.subject === expected.subject,
    recipients: same(actual.recipients, expected.recipients),
    'signer.name': actual.signer.name === expected.signer.name,
    'signer.title': actual.signer.title === expected.signer.title,
    references: same(actual.references, expected.references),
    'item labels': same(actual.items.map((i) => i.label), expected.items.map((i) => i.label)),
    'item texts': same(actual.items.map((i) => i.text), expected.items.map((i) => i.text)),
    reporting: same(actual.reporting, expected.reporting),
    'target labels': same(actual.targets.map((t) => t.label), expected.targets.map((t) => t.label)),
    'target texts': same(actual.targets.map((t) => t.text), expected.targets.map((t) => t.text)),
  };
}

async function readOk(bytes: Uint8Array, fileName?: string): Promise<Extract<ReadResult, { ok: true }>> {
  const read = await readDocumentFile(bytes, fileName ? { fileName } : {});
  if (!read.ok) throw new Error(`expected a reading, got ${read.code}: ${read.messageEn}`);
  return read;
}

describe('reading document files: every format gives what its plain text gives', () => {
  const table = new Map<string, { correct: number; total: number }>();

  for (const c of CASES) {
    it(c.name, async () => {
      // Prepare
      const expected = extractDocument(c.source);
      expect(expected.items.map((i) => i.label), 'anchor: the seed’s items').toEqual(c.anchor.items);
      expect(expected.references.map((r) => r.number), 'anchor: the seed’s references').toEqual(c.anchor.references);
      expect(expected.targets, 'anchor: the seed’s target groups').toHaveLength(c.anchor.targets);

      // Act
      const read = await readOk(c.bytes());
      const actual = extractDocument(read.text);

      // Assess
      expect({ format: read.format, encoding: read.encoding, pages: read.pages }).toEqual({ format: c.format, encoding: c.encoding, pages: c.pages });
      const scores = fieldScores(actual, expected);
      for (const [field, ok] of Object.entries(scores)) {
        const row = table.get(field) ?? { correct: 0, total: 0 };
        table.set(field, { correct: row.correct + (ok ? 1 : 0), total: row.total + 1 });
      }
      for (const field of EXACT_FIELDS) expect.soft(scores[field], `${field} of ${c.name}`).toBe(true);
      // Nothing else is lost either, today: a change that loses a field must say so here.
      expect(Object.entries(scores).filter(([, ok]) => !ok).map(([f]) => f)).toEqual([]);
    });
  }

  it('reads the two-column header as written (number, date, place, issuer, subject)', async () => {
    for (const name of ['seed-002-header.docx', 'seed-002-header.pdf']) {
      // Act
      const doc = extractDocument((await readOk(fixture(name))).text);

      // Assess
      expect({ kind: doc.kind, number: doc.number, issuedOn: doc.issuedOn, place: doc.place, issuer: doc.issuer, subject: doc.subject }, name).toEqual({
        kind: 'công văn',
        number: '45-CV/HU',
        issuedOn: '2020-03-10',
        place: 'Hàm Thuận Bắc',
        issuer: 'Huyện ủy Hàm Thuận Bắc',
        subject: 'tiếp tục thực hiện Chỉ thị số 23-CT/TU năm 2020',
      });
    }
  });

  it('turns TCVN3 into proper Unicode, in a .txt file and in .VnTime runs', async () => {
    for (const name of ['seed-002-tcvn3.txt', 'seed-002-tcvn3.docx']) {
      // Act
      const read = await readOk(fixture(name));

      // Assess
      expect(read.encoding, name).toBe('tcvn3');
      expect(read.text, name).toContain('Kính gửi: Đảng ủy các xã, thị trấn.');
      expect(read.text, name).toContain('(3) - Giảm tỷ lệ hộ nghèo; giảm tỷ lệ trẻ suy dinh dưỡng;');
      expect(read.text, name).toContain('T/M BAN THƯỜNG VỤ');
      expect(read.text, name).not.toMatch(/[µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË]/);
    }
  });

  it('gives one line per paragraph or printed line, without page numbers', async () => {
    // Act
    const docx = await readOk(fixture('seed-002.docx'));
    const pdf = await readOk(fixture('seeds-10-pages.pdf'));

    // Assess: the DOCX keeps the seed's lines exactly (blank paragraphs included), in NFC
    expect(docx.text).toBe(SEED['002'].normalize('NFC').replace(/\n$/, ''));
    const pdfLines = pdf.text.split('\n');
    expect(pdfLines).toContain('Nơi nhận:');
    expect(pdfLines).toContain('(2) - Làm giao thông nông thôn;');
    expect(pdfLines.filter((l) => /^\d{1,2}$/.test(l.trim())), 'the footer page numbers are lines of their own').toHaveLength(11);
    expect(extractDocument(pdf.text).items.map((i) => i.label)).toEqual(['1', '2', '3', '4', '5']);
  });

  afterAll(() => {
    const rows = [...table].map(([field, { correct, total }]) => `${field.padEnd(14)} ${String(correct).padStart(2)}/${total}  ${((100 * correct) / total).toFixed(0).padStart(3)}%`);
    console.log(`per-field accuracy over ${CASES.length} document files (file read vs its plain text, same extractor)\n${rows.join('\n')}`);
  });
});

// ---- Files that cannot be read -----------------------------------------------------------------------

/** A small PDF with a user password: the standard security handler, revision 2, keys that no empty password opens. */
function encryptedPdf(): Uint8Array {
  const hex32 = 'A1'.repeat(32);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    `<< /Filter /Standard /V 1 /R 2 /Length 40 /O <${hex32}> /U <${'B2'.repeat(32)}> /P -44 >>`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 4 0 R /ID [<${'0F'.repeat(16)}> <${'0F'.repeat(16)}>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return strToU8(body, true);
}

const DOCUMENT_XML = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`;

/** Points the central directory's uncompressed size of `name` at `size`: a directory that lies about what it holds. */
function lieAboutSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  for (let p = 0; p + 46 < out.length; p++) {
    if (view.getUint32(p, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(p + 28, true);
    if (new TextDecoder().decode(out.subarray(p + 46, p + 46 + nameLength)) === name) view.setUint32(p + 24, size, true);
  }
  return out;
}

/** A deterministic stream of bytes (xorshift), so a failure can be replayed. */
function randomBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('reading document files: what cannot be read is refused, clearly', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('refuses a scan, with advice to upload a text layer or OCR', async () => {
    // Act
    const read = await readDocumentFile(fixture('seed-002-scan.pdf'), { fileName: 'scan.pdf' });

    // Assess
    expect(read).toMatchObject({ ok: false, code: 'no-text-layer', messageVi: expect.stringContaining('scan.pdf') });
    expect(!read.ok && read.adviceVi).toContain('(OCR)');
  });

  it('refuses a truncated PDF, an encrypted one and one whose body is rubbish', async () => {
    // Prepare
    const whole = fixture('seed-002.pdf');
    const truncated = whole.subarray(0, Math.floor(whole.length * 0.6));
    const rubbish = new Uint8Array([...strToU8('%PDF-1.7\n'), ...randomBytes(7, 5_000), ...strToU8('\nstartxref\n9\n%%EOF\n')]);

    // Act
    const results = await Promise.all([truncated, encryptedPdf(), rubbish].map((b) => readDocumentFile(b)));

    // Assess
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['damaged', 'encrypted', 'damaged']);
    expect(results.every((r) => !r.ok && /[ạ-ỹ]/.test(r.messageVi) && r.messageEn.length > 0)).toBe(true);
  });

  it('refuses zip bombs before mammoth opens them', async () => {
    // Prepare
    const extract = vi.spyOn(mammoth, 'extractRawText');
    const filler = DOCUMENT_XML(`<w:p><w:r><w:t>${'A'.repeat(20 * 1024 * 1024)}</w:t></w:r></w:p>`);
    const ratioBomb = zipSync({ 'word/document.xml': strToU8(filler) }, { level: 9 });
    const bigText = DOCUMENT_XML(`<w:p><w:r><w:t>${SEED['002'].repeat(600).replace(/[<&>]/g, ' ')}</w:t></w:r></w:p>`);
    const lyingBomb = lieAboutSize(zipSync({ 'word/document.xml': strToU8(bigText) }, { level: 9 }), 'word/document.xml', 10_000);
    const crowd = zipSync({ 'word/document.xml': strToU8(DOCUMENT_XML('')), ...Object.fromEntries(Array.from({ length: 2_500 }, (_, i) => [`word/media/x${i}.bin`, new Uint8Array(1)])) });

    // Act
    const bombs = await Promise.all([ratioBomb, lyingBomb, crowd].map((b) => readDocumentFile(b)));
    const callsAfterBombs = extract.mock.calls.length;
    const control = await readDocumentFile(fixture('seed-002.docx'));

    // Assess
    expect(bombs.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['too-large', 'too-large', 'too-large']);
    expect(bombs.every((r) => !r.ok && r.messageVi.includes('bom nén'))).toBe(true);
    expect(callsAfterBombs, 'mammoth was never called for a bomb').toBe(0);
    expect(control.ok).toBe(true);
    expect(extract, 'the spy does see a real DOCX').toHaveBeenCalledTimes(1);
  });

  it('refuses a PDF whose streams inflate to far more than a document needs, before pdf.js inflates them', async () => {
    // Prepare: 80 MB of spaces deflated to about 80 KB, as one page's content stream, in an otherwise whole PDF.
    const stream = deflateSync(Buffer.alloc(80 * 1024 * 1024, 0x20), { level: 9 });
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n'),
      Buffer.from('3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n'),
      Buffer.from(`4 0 obj << /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`),
      stream,
      Buffer.from('\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
    ]);

    // Act
    const read = await readDocumentFile(new Uint8Array(pdf), { fileName: 'bom.pdf' });

    // Assess
    expect(pdf.length).toBeLessThan(200_000);
    expect(read).toMatchObject({ ok: false, code: 'too-large', messageVi: expect.stringContaining('bom nén') });
    // Refused by the pre-check (its own English reason), not by pdf.js after inflating 80 MB.
    expect(!read.ok && read.messageEn).toMatch(/^PDF streams inflate beyond the budget/);
    expect((await readDocumentFile(fixture('seed-002.pdf'))).ok, 'a real PDF still reads').toBe(true);
  });

  it('reads Word numbering in linear time, even when a hostile file leaves every paragraph property open', async () => {
    // Prepare: about 4 MB of "<w:pPr>" never closed, with text that compresses like text (no bomb); with a lazy
    // regex each one scanned to the end of the file.
    const noise = randomBytes(11, 35_000 * 16);
    const word = (i: number) => Array.from(noise.subarray(i * 16, i * 16 + 16), (b) => String.fromCharCode(97 + (b % 26))).join('');
    const open = Array.from({ length: 35_000 }, (_, i) => `<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr><w:r><w:t>${word(i)}</w:t></w:r></w:p>`).join('');
    const numbering = `<w:numbering xmlns:w="x">${'<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0">'.repeat(5_000)}</w:numbering>`;
    const hostile = zipSync({ 'word/document.xml': strToU8(DOCUMENT_XML(open)), 'word/numbering.xml': strToU8(numbering) }, { level: 9 });
    const started = process.hrtime.bigint();

    // Act
    const read = await readDocumentFile(hostile, { fileName: 'hostile.docx' });

    // Assess: refused as malformed, and the answer comes at all (the lazy regex took 20 s on this file; the linear one 0.3 s).
    expect(read).toMatchObject({ ok: false, code: 'damaged' });
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(5);
  });

  it('refuses other Office files: an XLSX, a Word 97–2003 .doc, a password-protected DOCX', async () => {
    // Prepare
    const xlsx = zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'xl/workbook.xml': strToU8('<workbook/>') });
    const ole = (stream: string) => new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Uint8Array(504), ...Buffer.from(`Root Entry\0${stream}\0`, 'utf16le')]);

    // Act
    const [asXlsx, asDoc, asEncrypted] = await Promise.all([readDocumentFile(xlsx, { fileName: 'bao-cao.docx' }), readDocumentFile(ole('WordDocument')), readDocumentFile(ole('EncryptedPackage'))]);

    // Assess
    expect(asXlsx).toMatchObject({ ok: false, code: 'unsupported', messageVi: expect.stringContaining('bảng tính Excel') });
    expect(asDoc).toMatchObject({ ok: false, code: 'unsupported', messageVi: expect.stringContaining('.doc'), adviceVi: expect.stringContaining('lưu lại dưới dạng .docx hoặc PDF') });
    expect(asEncrypted).toMatchObject({ ok: false, code: 'encrypted' });
  });

  it('refuses empty files and files over the size limit, and reads the format from the bytes, not the name', async () => {
    // Act
    const empty = await readDocumentFile(new Uint8Array(0));
    const blank = await readDocumentFile(strToU8(' \r\n\t\r\n'));
    const overDefault = await readDocumentFile(new Uint8Array(20 * 1024 * 1024 + 1).fill(0x20));
    const overGiven = await readDocumentFile(fixture('seed-002.pdf'), { maxBytes: 10_000 });
    const pdfNamedTxt = await readDocumentFile(fixture('seed-002.pdf'), { fileName: 'cong-van.txt' });

    // Assess
    expect([empty, blank, overDefault, overGiven].map((r) => (r.ok ? 'ok' : r.code))).toEqual(['empty', 'empty', 'too-large', 'too-large']);
    expect(!overDefault.ok && overDefault.messageVi).toContain('20 MB');
    expect(pdfNamedTxt).toMatchObject({ ok: true, format: 'pdf' });
  });

  it('never throws on random bytes, whatever their first bytes claim', async () => {
    // Prepare
    const prefixes = [[], [0x25, 0x50, 0x44, 0x46, 0x2d], [0x50, 0x4b, 0x03, 0x04], [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], [0xff, 0xfe], [0xef, 0xbb, 0xbf]];
    const inputs = prefixes.flatMap((prefix, k) => [1, 17, 300, 5_000, 70_000].map((n, j) => new Uint8Array([...prefix, ...randomBytes(1 + k * 10 + j, n)])));

    // Act
    const results: ReadResult[] = [];
    for (const bytes of inputs) results.push(await readDocumentFile(bytes));

    // Assess: each is a refusal with a message (UTF-16 noise can decode as "text": that is a reading, not a crash)
    for (const r of results) {
      if (r.ok) expect(r.format).toBe('text');
      else expect(r.messageVi.length).toBeGreaterThan(10);
    }
    expect(results.filter((r) => !r.ok).length).toBeGreaterThan(inputs.length * 0.8);
  });

  it('decodes only the legacy lines of a mixed document', () => {
    // Prepare
    const mixed = ['Kính gửi: Đảng ủy các xã, thị trấn.', encodeTcvn3('Giảm tỷ lệ hộ nghèo; giảm tỷ lệ trẻ suy dinh dưỡng;'), 'Nơi nhận:'].join('\n');

    // Act
    const { text, legacy } = decodeLegacyText(mixed);

    // Assess
    expect(legacy).toBe('tcvn3');
    expect(text.split('\n')).toEqual(['Kính gửi: Đảng ủy các xã, thị trấn.', 'Giảm tỷ lệ hộ nghèo; giảm tỷ lệ trẻ suy dinh dưỡng;', 'Nơi nhận:']);
  });
});

// ---- The command -------------------------------------------------------------------------------------
describe('thidua extract', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const home = mkdtempSync(join(tmpdir(), 'thidua-extract-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const thidua = (...args: string[]) => {
    const r = spawnSync(process.execPath, [resolve(root, 'local/bin/thidua.mjs'), ...args], { cwd: root, env: { ...process.env, THIDUA_HOME: home, CI: 'true' }, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const fixturePath = (name: string) => fileURLToPath(new URL(`./fixtures/documents/${name}`, import.meta.url));

  it('prints exactly the issue’s object with --json, and a summary in Vietnamese without', () => {
    // Act
    const json = thidua('extract', fixturePath('seed-002-header.pdf'), '--json');
    const human = thidua('extract', fixturePath('seed-002-header.docx'));

    // Assess
    expect(json.code, json.stderr).toBe(0);
    const printed = JSON.parse(json.stdout) as ExtractedDocument;
    expect(Object.keys(printed)).toEqual(['kind', 'number', 'issuedOn', 'place', 'issuer', 'subject', 'recipients', 'signer', 'references', 'items', 'reporting', 'targets']);
    expect(printed).toEqual(extractDocument(HEADER_002 + SEED['002']));
    expect(human.code, human.stderr).toBe(0);
    for (const line of ['Công văn số 45-CV/HU – ngày 10/03/2020, Hàm Thuận Bắc', 'Chỉ thị 23-CT/TU ngày 21/04/2017', 'Chế độ báo cáo: hằng quý, 6 tháng, cuối năm', '(2) Làm giao thông nông thôn;']) {
      expect(human.stdout).toContain(line);
    }
  });

  it('exits 3 for an unreadable file and 4 for a missing one', () => {
    // Act
    const scan = thidua('extract', fixturePath('seed-002-scan.pdf'), '--json');
    const missing = thidua('extract', join(home, 'khong-co.pdf'));

    // Assess
    expect(scan.code).toBe(3);
    expect(JSON.parse(scan.stdout)).toEqual({ error: expect.stringContaining('bản chụp (scan)'), details: [expect.stringContaining('OCR')] });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('Không tìm thấy tệp');
  });
});
