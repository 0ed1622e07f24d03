/**
 * Reading an uploaded official document into plain text, one line per line of the document: PDF with a text
 * layer (unpdf), DOCX (mammoth) and plain text in any encoding offices use (UTF-8, UTF-16, Windows-1258, and the
 * legacy TCVN3 and VNI font encodings, wherever they hide). The format comes from the bytes, never from the file's
 * name. Bad input is never thrown: it comes back as a code and a message for the officer.
 */
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import iconv from 'iconv-lite';
import { zipSync } from 'fflate';
import mammoth from 'mammoth';
import { getDocumentProxy } from 'unpdf';
import { sniff } from '../report/detect.ts';
import { extractEntry, readCentralDirectory, ZipError, type ZipEntryInfo, type ZipLimits } from '../report/zip.ts';
import { decodeTcvn3, decodeVni, detectEncoding } from './normalize.ts';

/** 'too-complex' comes from the budget the reader runs under (shared/runtime/parse-budget.ts), not from the reader. */
export type ReadFailureCode = 'empty' | 'too-large' | 'no-text-layer' | 'encrypted' | 'damaged' | 'unsupported' | 'too-complex';

export type ReadResult =
  | {
      ok: true;
      format: 'pdf' | 'docx' | 'text';
      text: string;
      pages?: number;
      /**
       * For text: the bytes' encoding ('utf-8', 'utf-16le', 'utf-16be', 'windows-1258'). For PDF and DOCX: 'pdf' or
       * 'docx'. In every format, 'tcvn3' or 'vni' when the text was in a legacy font encoding (now decoded).
       */
      encoding: string;
    }
  | { ok: false; code: ReadFailureCode; messageVi: string; adviceVi?: string; messageEn: string };

type Failure = Extract<ReadResult, { ok: false }>;

export const DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/** A DOCX is a ZIP: its declared and actual inflated sizes are checked before mammoth sees any of it. */
const DOCX_ZIP_LIMITS: ZipLimits = {
  maxUncompressedBytes: 60 * 1024 * 1024,
  maxZipEntries: 2_000,
  maxCompressionRatio: 200,
  ratioGraceBytes: 1024 * 1024,
};
/** The parts mammoth reads for raw text; images and the rest are left out of what it is given. */
const DOCX_PARTS = new Set(['[Content_Types].xml', '_rels/.rels', 'word/document.xml', 'word/_rels/document.xml.rels', 'word/styles.xml', 'word/numbering.xml']);

/** Limits that keep reading any PDF within the document function's memory and time. */
const MAX_PDF_PAGES = 300;
const MAX_PDF_CHARACTERS = 2_000_000;
const MAX_PDF_MILLISECONDS = 60_000;
/** All of a PDF's compressed streams together may inflate to this much: text documents need a few MB. */
const MAX_PDF_INFLATED_BYTES = 64 * 1024 * 1024;

/**
 * pdf.js inflates content streams whole and keeps them: a 50 KB file whose stream inflates to 50 MB took 2.4 GB.
 * Before pdf.js sees the file, every FlateDecode stream is inflated here with a cap on the total output.
 * Returns why the file is refused, or undefined. Streams that fail to inflate are left to pdf.js to judge.
 */
function inflatedTooMuch(bytes: Uint8Array): string | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let budget = MAX_PDF_INFLATED_BYTES;
  let at = 0;
  for (;;) {
    const start = buf.indexOf('stream', at, 'latin1');
    if (start < 0) return undefined;
    at = start + 6;
    if (buf.subarray(Math.max(0, start - 3), start).toString('latin1') === 'end') continue;
    let body = at;
    if (buf[body] === 0x0d) body++;
    if (buf[body] !== 0x0a) continue;
    body++;
    const end = buf.indexOf('endstream', body, 'latin1');
    if (end < 0) return undefined;
    const dictionary = buf.subarray(Math.max(0, start - 512), start).toString('latin1');
    const dictStart = dictionary.lastIndexOf('<<');
    at = end + 9;
    if (dictStart < 0 || !dictionary.slice(dictStart).includes('/FlateDecode')) continue;
    try {
      const out = inflateSync(buf.subarray(body, end), { maxOutputLength: budget + 1, finishFlush: zlibConstants.Z_SYNC_FLUSH });
      budget -= out.length;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) budget = -1;
    }
    if (budget < 0) return `nội dung giải nén vượt ${mb(MAX_PDF_INFLATED_BYTES)}`;
  }
}

/** A scan has no text layer; a page of an official document has hundreds of letters, a stamp or page number a few. */
const MIN_LETTERS_PER_PAGE = 25;

const OCR_ADVICE = 'Hãy tải lên bản PDF có lớp chữ (xuất trực tiếp từ Word), hoặc bản chữ đã nhận dạng (OCR) dạng .txt.';
const RESAVE_ADVICE = 'Hãy mở bằng Word và lưu lại dưới dạng .docx hoặc PDF rồi tải lên lại.';

const fail = (code: ReadFailureCode, messageVi: string, messageEn: string, adviceVi?: string): Failure => ({
  ok: false,
  code,
  messageVi,
  messageEn,
  ...(adviceVi ? { adviceVi } : {}),
});

const startsWith = (b: Uint8Array, sig: readonly number[]) => sig.every((x, i) => b[i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const PDF_MAGIC = ascii('%PDF-');
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const mb = (n: number) => `${String(Math.round((n / 1024 / 1024) * 10) / 10).replace('.', ',')} MB`;

/** Reads a document from its bytes. Never throws for bad input. */
export async function readDocumentFile(bytes: Uint8Array, opts: { fileName?: string; maxBytes?: number } = {}): Promise<ReadResult> {
  const label = opts.fileName ? `Tệp "${opts.fileName}"` : 'Tệp';
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  if (bytes.length === 0) return fail('empty', `${label} rỗng (0 byte).`, 'empty file');
  if (bytes.length > maxBytes) {
    return fail('too-large', `${label} nặng ${mb(bytes.length)}, vượt giới hạn ${mb(maxBytes)} của một văn bản.`, `file of ${bytes.length} bytes exceeds ${maxBytes}`, 'Hãy tải lên bản PDF hoặc .docx không kèm ảnh chụp, hoặc chỉ phần văn bản.');
  }
  try {
    // A PDF may have a few bytes (a BOM, a mail header) before its signature; readers accept up to 1,024.
    if (indexOf(bytes.subarray(0, 1024), PDF_MAGIC) >= 0) return await readPdf(bytes, label);
    if (startsWith(bytes, ZIP_MAGIC)) return await readZip(bytes, label);
    if (startsWith(bytes, OLE_MAGIC)) return readOle(bytes, label);
    return readText(bytes, label);
  } catch (e) {
    // Last resort: a library failing on input none of the checks above caught is still the file's fault.
    return fail('damaged', `${label} bị hỏng, không đọc được.`, `unexpected reader failure: ${(e as Error).message}`, RESAVE_ADVICE);
  }
}

function indexOf(haystack: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

// ---- Legacy font encodings ---------------------------------------------------------------------

/**
 * TCVN3 and VNI text reaches us as Windows-1252 characters (a .txt file's bytes, a DOCX run in ".VnTime", a PDF
 * with a legacy font). A whole document in one is decoded at once; a Unicode document with a pasted legacy
 * paragraph has only those lines decoded.
 */
export function decodeLegacyText(text: string): { text: string; legacy?: 'tcvn3' | 'vni' } {
  const nfc = text.normalize('NFC');
  const whole = detectEncoding(nfc);
  if (whole === 'tcvn3') return { text: decodeTcvn3(nfc).normalize('NFC'), legacy: 'tcvn3' };
  if (whole === 'vni') return { text: decodeVni(nfc).normalize('NFC'), legacy: 'vni' };
  let legacy: 'tcvn3' | 'vni' | undefined;
  const lines = nfc.split('\n').map((line) => {
    const found = detectEncoding(line);
    if (found === 'unicode') return line;
    legacy ??= found;
    return (found === 'tcvn3' ? decodeTcvn3(line) : decodeVni(line)).normalize('NFC');
  });
  return legacy ? { text: lines.join('\n'), legacy } : { text: nfc };
}

function finish(format: 'pdf' | 'docx' | 'text', raw: string, encoding: string, label: string, pages?: number): ReadResult {
  // A form feed is a page break; other control characters but the tab are debris of the conversion, not text.
  const cleaned = raw.replace(/\r\n?|\f/g, '\n').replace(/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/g, '');
  const { text, legacy } = decodeLegacyText(cleaned);
  if (text.trim() === '') return fail('empty', `${label} không có nội dung chữ.`, `${format} without text`);
  return { ok: true, format, text, encoding: legacy ?? encoding, ...(pages !== undefined ? { pages } : {}) };
}

// ---- Plain text ----------------------------------------------------------------------------------

function readText(bytes: Uint8Array, label: string): ReadResult {
  const s = sniff(bytes);
  switch (s.kind) {
    case 'text': {
      if (/^\{\\rtf/.test(s.text.trimStart())) {
        return fail('unsupported', `${label} là tài liệu RTF, chưa đọc được loại này.`, 'RTF document', RESAVE_ADVICE);
      }
      if (s.encoding === 'windows-1258') {
        // Not UTF-8: a legacy 8-bit file, TCVN3 and VNI being commoner than Windows-1258 for documents.
        const asWindows1252 = iconv.decode(Buffer.from(bytes), 'windows-1252');
        if (detectEncoding(asWindows1252) !== 'unicode') return finish('text', asWindows1252, 'windows-1258', label);
      }
      return finish('text', s.text.replace(/^\uFEFF/, ''), s.encoding, label);
    }
    case 'damaged-utf8':
      // A few broken bytes in a UTF-8 file: the rest is still worth reading.
      return finish('text', new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, ''), 'utf-8', label);
    case 'undecodable':
      return fail('unsupported', `${label} không đọc được: không nhận ra bảng mã chữ.`, 'text in an unknown encoding', 'Hãy lưu lại văn bản dưới dạng Unicode (UTF-8), .docx hoặc PDF rồi tải lên lại.');
    case 'zip':
      return fail('damaged', `${label} bị hỏng, không đọc được.`, 'zip archive without entries', RESAVE_ADVICE);
    case 'other': {
      const image = /^ảnh/.test(s.what);
      return fail(
        'unsupported',
        `${label} là ${s.what}, không phải văn bản đọc được.`,
        `not a document: ${s.what}`,
        image ? OCR_ADVICE : 'Hãy tải lên văn bản dạng PDF, .docx hoặc .txt.',
      );
    }
  }
}

// ---- Word: DOCX, and the older formats it refuses -------------------------------------------------

/** An OLE compound file: Word 97–2003 (.doc), Excel 97–2003, or an Office file protected by a password. */
function readOle(bytes: Uint8Array, label: string): ReadResult {
  // Stream names are UTF-16LE in directory entries (aligned to 128 bytes); the first megabytes hold the directory.
  const head = Buffer.from(bytes.subarray(0, 4 * 1024 * 1024)).toString('utf16le');
  const has = (name: string) => head.includes(name);
  if (has('EncryptedPackage')) {
    return fail('encrypted', `${label} có đặt mật khẩu, không mở được.`, 'password-protected Office file', 'Hãy mở bằng Word, bỏ mật khẩu rồi lưu lại dưới dạng .docx hoặc PDF.');
  }
  if (has('WordDocument')) {
    return fail('unsupported', `${label} là tài liệu Word 97–2003 (.doc), chưa đọc được định dạng cũ này.`, 'legacy Word .doc', 'Hãy mở bằng Word và lưu lại dưới dạng .docx hoặc PDF rồi tải lên lại.');
  }
  return fail('unsupported', `${label} là tệp Office 97–2003 (không phải văn bản Word), không đọc được.`, 'legacy OLE file, not Word', 'Hãy tải lên văn bản dạng PDF, .docx hoặc .txt.');
}

function zipFailure(e: ZipError, label: string): Failure {
  switch (e.failure.kind) {
    case 'zip-bomb':
      return fail('too-large', `${label} bị từ chối vì ${e.failure.detail} (dấu hiệu tệp "bom nén"); một văn bản bình thường nhỏ hơn nhiều.`, `zip bomb: ${e.failure.detail}`);
    case 'unsupported':
      return /mật khẩu/.test(e.failure.detail)
        ? fail('encrypted', `${label} có đặt mật khẩu, không mở được.`, 'encrypted zip entry', 'Hãy bỏ mật khẩu rồi lưu lại dưới dạng .docx.')
        : fail('unsupported', `${label} không đọc được: ${e.failure.detail}.`, `unsupported zip: ${e.failure.detail}`, RESAVE_ADVICE);
    case 'corrupt':
      return fail('damaged', `${label} bị hỏng, không đọc được: ${e.failure.detail}.`, `corrupt zip: ${e.failure.detail}`, RESAVE_ADVICE);
  }
}

/** Which ZIP-based file it is when it is not a Word document. */
function whatZipIs(names: Set<string>): string {
  if (names.has('xl/workbook.xml')) return 'bảng tính Excel (.xlsx)';
  if (names.has('ppt/presentation.xml')) return 'bản trình chiếu PowerPoint (.pptx)';
  if (names.has('content.xml') && names.has('mimetype')) return 'tài liệu OpenDocument (.odt/.ods)';
  return 'tệp nén ZIP';
}

async function readZip(bytes: Uint8Array, label: string): Promise<ReadResult> {
  let entries: ZipEntryInfo[];
  try {
    entries = readCentralDirectory(bytes, DOCX_ZIP_LIMITS);
  } catch (e) {
    if (e instanceof ZipError) return zipFailure(e, label);
    throw e;
  }
  const names = new Set(entries.map((e) => e.name));
  if (!names.has('word/document.xml')) {
    const what = whatZipIs(names);
    return fail('unsupported', `${label} là ${what}, không phải văn bản Word (.docx).`, `zip that is not a docx: ${what}`, /OpenDocument/.test(what) ? RESAVE_ADVICE : 'Hãy tải lên văn bản dạng PDF, .docx hoặc .txt.');
  }
  // Inflate only the parts mammoth reads, each checked against its declared size (a lying directory is caught),
  // and hand mammoth those alone, stored uncompressed: it never inflates anything of the upload itself.
  const parts: Record<string, Uint8Array> = {};
  let budget = DOCX_ZIP_LIMITS.maxUncompressedBytes;
  try {
    for (const entry of entries) {
      if (!DOCX_PARTS.has(entry.name) || parts[entry.name]) continue;
      const data = extractEntry(bytes, entry, budget);
      budget -= data.length;
      parts[entry.name] = data;
    }
  } catch (e) {
    if (e instanceof ZipError) return zipFailure(e, label);
    throw e;
  }
  parts['word/document.xml'] = new TextEncoder().encode(prepareDocumentXml(new TextDecoder().decode(parts['word/document.xml']), parts['word/numbering.xml']));
  let raw: string;
  try {
    raw = (await mammoth.extractRawText({ buffer: Buffer.from(zipSync(parts, { level: 0 })) })).value;
  } catch (e) {
    return fail('damaged', `${label} bị hỏng: nội dung văn bản Word không đúng cấu trúc.`, `mammoth: ${(e as Error).message}`, RESAVE_ADVICE);
  }
  return finish('docx', paragraphsToLines(raw), 'docx', label);
}

/** Stands in for a line break inside a paragraph while mammoth runs: its raw text drops <w:br/> altogether. */
const LINE_BREAK = '\uE000';

/**
 * What mammoth's raw text would lose, put into the XML as text: line breaks inside a paragraph (Shift+Enter,
 * common in header cells: "TỈNH ỦY BÌNH THUẬN⏎VĂN PHÒNG") and Word's automatic list numbers ("1.", "I.", "(1)").
 */
function prepareDocumentXml(xml: string, numberingXml: Uint8Array | undefined): string {
  const withBreaks = xml.replace(/<w:(?:br|cr)\b[^>]*\/>/g, `<w:t>${LINE_BREAK}</w:t>`);
  return numberingXml ? numberParagraphs(withBreaks, new TextDecoder().decode(numberingXml)) : withBreaks;
}

interface ListLevel {
  start: number;
  format: string;
  text: string;
}

const xmlUnescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attr = (xml: string, element: string) => new RegExp(`<w:${element}\\b[^>]*?w:val="([^"]*)"`).exec(xml)?.[1];

function romanOf(n: number): string {
  const table: [number, string][] = [[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']];
  let out = '';
  for (const [value, letters] of table) for (; n >= value; n -= value) out += letters;
  return out;
}

function formatListNumber(n: number, format: string): string {
  switch (format) {
    case 'upperRoman':
      return romanOf(n);
    case 'lowerRoman':
      return romanOf(n).toLowerCase();
    case 'upperLetter':
      return String.fromCharCode(64 + (((n - 1) % 26) + 1));
    case 'lowerLetter':
      return String.fromCharCode(96 + (((n - 1) % 26) + 1));
    case 'decimalZero':
      return String(n).padStart(2, '0');
    default:
      return String(n);
  }
}

/**
 * Word's automatic numbering lives in numbering.xml, not in the text, and mammoth's raw text leaves it out: the
 * numbered tasks of a directive would lose their "1.", "2.". Writes each numbered paragraph's label (from its level's
 * format and text, "%1." or "(%1)"; bullets as "-") into the paragraph. Numbering that comes from a paragraph style
 * (numPr in styles.xml) is not followed.
 */
/**
 * The body of an element that cannot run into another element of the same name: `[^<]*(?:<(?!/?tag\b)[^<]*)*`.
 * A lazy `[\s\S]*?` would scan to the end of the file for every opening tag whose closing tag is missing
 * (quadratic: a 2 KB hostile DOCX held the reader for 18 s); this stops at the next tag of the same name.
 */
const inside = (tag: string) => `([^<]*(?:<(?!\\/?${tag}\\b)[^<]*)*)`;
const ELEMENT = (tag: string, attrs = '[^>]*') => new RegExp(`<${tag}\\b${attrs}>${inside(tag)}<\\/${tag}>`, 'g');
const ABSTRACT_NUM = ELEMENT('w:abstractNum', '[^>]*?w:abstractNumId="(\\d+)"[^>]*');
const LVL = ELEMENT('w:lvl', '[^>]*?w:ilvl="(\\d+)"[^>]*');
const NUM = ELEMENT('w:num', '[^>]*?w:numId="(\\d+)"[^>]*');
const LVL_OVERRIDE = ELEMENT('w:lvlOverride', '[^>]*?w:ilvl="(\\d+)"[^>]*');
const PPR = ELEMENT('w:pPr', '[^>]*(?<!\\/)');
const NUM_PR = new RegExp(`<w:numPr>${inside('w:numPr')}<\\/w:numPr>`);

function numberParagraphs(documentXml: string, numberingXml: string): string {
  const abstractLevels = new Map<string, Map<number, ListLevel>>();
  for (const m of numberingXml.matchAll(ABSTRACT_NUM)) {
    const levels = new Map<number, ListLevel>();
    for (const l of (m[2] as string).matchAll(LVL)) {
      const body = l[2] as string;
      levels.set(Number(l[1]), { start: Number(attr(body, 'start') ?? 1), format: attr(body, 'numFmt') ?? 'decimal', text: xmlUnescape(attr(body, 'lvlText') ?? '') });
    }
    abstractLevels.set(m[1] as string, levels);
  }
  // Each list instance (w:num) counts on its own; "restart at 1" in Word makes a new one with a start override.
  const lists = new Map<string, { levels: Map<number, ListLevel>; starts: Map<number, number> }>();
  for (const m of numberingXml.matchAll(NUM)) {
    const levels = abstractLevels.get(attr(m[2] as string, 'abstractNumId') ?? '');
    if (!levels) continue;
    const starts = new Map<number, number>();
    for (const o of (m[2] as string).matchAll(LVL_OVERRIDE)) {
      const start = attr(o[2] as string, 'startOverride');
      if (start !== undefined) starts.set(Number(o[1]), Number(start));
    }
    lists.set(m[1] as string, { levels, starts });
  }
  const counters = new Map<string, number[]>();
  return documentXml.replace(PPR, (whole, props: string) => {
    const numPr = NUM_PR.exec(props)?.[1];
    if (!numPr) return whole;
    const numId = attr(numPr, 'numId') ?? '0';
    const list = numId === '0' ? undefined : lists.get(numId); // numId 0: numbering switched off
    const level = Number(attr(numPr, 'ilvl') ?? 0);
    const def = list?.levels.get(level);
    if (!list || !def || def.format === 'none') return whole;
    const startOf = (lvl: number) => list.starts.get(lvl) ?? list.levels.get(lvl)?.start ?? 1;
    const counts = counters.get(numId) ?? [];
    counts[level] = (counts[level] ?? startOf(level) - 1) + 1;
    counts.length = level + 1; // a new item at this level restarts the levels below it
    counters.set(numId, counts);
    const label =
      def.format === 'bullet'
        ? '-'
        : def.text.replace(/%(\d)/g, (_, k: string) => {
            const at = Number(k) - 1;
            return formatListNumber(counts[at] ?? startOf(at), list.levels.get(at)?.format ?? 'decimal');
          });
    return label.trim() === '' ? whole : `${whole}<w:r><w:t xml:space="preserve">${label.replace(/&/g, '&amp;').replace(/</g, '&lt;')} </w:t></w:r>`;
  });
}

/** mammoth ends every paragraph with a blank line; the extractor wants one paragraph per line. */
function paragraphsToLines(raw: string): string {
  return raw.replace(/\n\n$/, '').split('\n\n').join('\n').replaceAll(LINE_BREAK, '\n');
}

// ---- PDF -------------------------------------------------------------------------------------------

interface PositionedText {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

/**
 * A page's text items as lines. pdf.js marks most line ends (hasEOL); a change of baseline ends a line too, and a
 * wide gap on one line (the two columns of an official header) is kept as three spaces, which the extractor splits on.
 */
function itemsToLines(items: readonly PositionedText[]): string[] {
  const lines: string[] = [];
  let line = '';
  let prev: { y: number; end: number } | undefined;
  const endLine = () => {
    if (line.trim() !== '') lines.push(line.trimEnd());
    line = '';
  };
  for (const item of items) {
    const [, , c = 0, d = 0, x = 0, y = 0] = item.transform;
    const size = Math.hypot(c, d) || item.height || 10;
    if (item.str !== '') {
      const wide = (width: number) => width > size * 2;
      if (prev && line !== '' && Math.abs(y - prev.y) > size * 0.5) endLine();
      else if (prev && line !== '') {
        const gap = x - prev.end;
        if (wide(gap)) line = `${line.trimEnd()}   `;
        else if (gap > size * 0.2 && !/\s$/.test(line) && !/^\s/.test(item.str)) line += ' ';
      }
      // pdf.js fills a gap between columns with one space item as wide as the gap.
      if (item.str.trim() === '' && wide(item.width)) line = line === '' ? '' : `${line.trimEnd()}   `;
      else line += item.str;
      prev = { y, end: x + item.width };
    }
    if (item.hasEOL) endLine();
  }
  endLine();
  return lines;
}

async function readPdf(bytes: Uint8Array, label: string): Promise<ReadResult> {
  // Every PDF ends with %%EOF (after its cross-reference table); a download cut short does not, and pdf.js would
  // otherwise quietly read the pages it still finds.
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 8192))).toString('latin1');
  if (!tail.includes('%%EOF')) {
    return fail('damaged', `${label} bị cắt cụt (thiếu phần cuối của tệp PDF), không đọc được.`, 'truncated PDF: no %%EOF', 'Hãy tải lại tệp gốc hoặc xuất lại PDF rồi tải lên lại.');
  }
  const bomb = inflatedTooMuch(bytes);
  if (bomb) return fail('too-large', `${label} bị từ chối vì ${bomb} (dấu hiệu tệp "bom nén"); một văn bản bình thường nhỏ hơn nhiều.`, `PDF streams inflate beyond the budget: ${bomb}`, OCR_ADVICE);
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // A plain Uint8Array copy: pdf.js refuses a Buffer, and may take over (detach) the buffer it is given.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, stopAtErrors: false });
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'PasswordException') {
      return fail('encrypted', `${label} có đặt mật khẩu, không mở được.`, 'password-protected PDF', 'Hãy xuất lại PDF không đặt mật khẩu rồi tải lên lại.');
    }
    return fail('damaged', `${label} bị hỏng, không đọc được tệp PDF.`, `pdf.js: ${name}: ${(e as Error).message}`, 'Hãy xuất lại PDF từ văn bản gốc rồi tải lên lại.');
  }
  try {
    if (pdf.numPages > MAX_PDF_PAGES) {
      return fail('too-large', `${label} có ${pdf.numPages} trang; hệ thống đọc văn bản chỉ đạo đến ${MAX_PDF_PAGES} trang.`, `PDF of ${pdf.numPages} pages`, 'Hãy tải lên riêng văn bản chỉ đạo, không kèm phụ lục.');
    }
    const pages: string[] = [];
    let characters = 0;
    const started = Date.now();
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      pages.push(itemsToLines(content.items.flatMap((i) => ('str' in i ? [i] : []))).join('\n'));
      page.cleanup();
      characters += pages.at(-1)!.length;
      // Bounded work for any file: the function must answer the office before its own timeout.
      if (characters > MAX_PDF_CHARACTERS || Date.now() - started > MAX_PDF_MILLISECONDS) {
        return fail('too-large', `${label} quá dài hoặc quá phức tạp để đọc (dừng ở trang ${n}/${pdf.numPages}).`, `PDF reading stopped at page ${n}: ${characters} characters, ${Date.now() - started} ms`, 'Hãy tải lên riêng văn bản chỉ đạo, không kèm phụ lục.');
      }
    }
    const text = pages.join('\n');
    const letters = (text.match(/\p{L}/gu) ?? []).length;
    if (letters < MIN_LETTERS_PER_PAGE * pdf.numPages) {
      return fail(
        'no-text-layer',
        `${label} là bản chụp (scan): không có lớp chữ để đọc.`,
        `PDF without a text layer: ${letters} letters on ${pdf.numPages} pages`,
        'Hãy tải lên bản có lớp chữ, hoặc bản chữ đã nhận dạng (OCR) dạng .txt.',
      );
    }
    return finish('pdf', text, 'pdf', label, pdf.numPages);
  } catch (e) {
    return fail('damaged', `${label} bị hỏng: không đọc được nội dung trang PDF.`, `pdf.js page: ${(e as Error).message}`, 'Hãy xuất lại PDF từ văn bản gốc rồi tải lên lại.');
  } finally {
    await pdf.loadingTask.destroy();
  }
}
