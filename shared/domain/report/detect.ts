import iconv from 'iconv-lite';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1258';

export type Sniffed =
  | { kind: 'zip' }
  /** Something that is certainly not a report, described for the officer. */
  | { kind: 'other'; what: string; advice?: string }
  | { kind: 'text'; text: string; encoding: TextEncodingName; bom: boolean }
  | { kind: 'undecodable' }
  /** UTF-8 with a few broken sequences (a damaged file, not a legacy encoding): the lines where they are. */
  | { kind: 'damaged-utf8'; lines: number[] };

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const SIGNATURES: { sig: number[]; at?: number; what: string; advice?: string }[] = [
  {
    sig: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    what: 'bảng tính Excel 97–2003 (.xls) hoặc tệp Excel có đặt mật khẩu mở tệp',
    advice: 'hãy mở bằng Excel, bỏ mật khẩu (nếu có) và chọn Lưu thành → "Excel Workbook (.xlsx)"',
  },
  { sig: ascii('%PDF'), what: 'tài liệu PDF', advice: 'hãy gửi tệp Excel (.xlsx) theo mẫu, không gửi bản PDF hay bản chụp' },
  { sig: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'ảnh PNG', advice: 'hãy gửi tệp Excel (.xlsx) theo mẫu, không gửi ảnh chụp' },
  { sig: [0xff, 0xd8, 0xff], what: 'ảnh JPEG', advice: 'hãy gửi tệp Excel (.xlsx) theo mẫu, không gửi ảnh chụp' },
  { sig: ascii('GIF8'), what: 'ảnh GIF', advice: 'hãy gửi tệp Excel (.xlsx) theo mẫu, không gửi ảnh' },
  { sig: ascii('RIFF'), what: 'tệp âm thanh, hình ảnh hoặc video' },
  { sig: ascii('ftyp'), at: 4, what: 'tệp video hoặc ảnh HEIC' },
  { sig: ascii('Rar!'), what: 'tệp nén RAR', advice: 'hãy giải nén và gửi riêng tệp Excel (.xlsx)' },
  { sig: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'tệp nén 7z', advice: 'hãy giải nén và gửi riêng tệp Excel (.xlsx)' },
  { sig: [0x1f, 0x8b], what: 'tệp nén gzip', advice: 'hãy giải nén và gửi riêng tệp Excel (.xlsx)' },
];

/** Control bytes that do not occur in text (tab, line feed, carriage return and form feed do). */
function isBinaryish(b: Uint8Array): boolean {
  const n = Math.min(b.length, 64 * 1024);
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const x = b[i] as number;
    if (x === 0) return true;
    if (x < 0x09 || (x > 0x0d && x < 0x20) || x === 0x7f) odd++;
  }
  return odd > n * 0.005;
}

/**
 * Invalid UTF-8 is either a legacy Windows-1258 file (where valid multi-byte sequences almost never occur by chance)
 * or a UTF-8 file with a few damaged bytes (mostly valid multi-byte sequences). Tells the second apart.
 */
function damagedUtf8(b: Uint8Array): { kind: 'damaged-utf8'; lines: number[] } | undefined {
  const text = new TextDecoder('utf-8').decode(b);
  let bad = 0;
  let good = 0;
  let line = 1;
  const lines: number[] = [];
  for (const ch of text) {
    if (ch === '\n') line++;
    else if (ch === '\ufffd') {
      bad++;
      if (lines.at(-1) !== line) lines.push(line);
    } else if (ch.codePointAt(0)! > 0x7f) good++;
  }
  return bad > 0 && good >= 4 * bad ? { kind: 'damaged-utf8', lines } : undefined;
}

/** UTF-16 text without a byte order mark: mostly ASCII, so every other byte is zero. */
function utf16WithoutBom(b: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(b.length, 4096) & ~1;
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenZero++;
    if (b[i + 1] === 0) oddZero++;
  }
  const half = n / 2;
  if (oddZero > half * 0.4 && evenZero < half * 0.05) return 'utf-16le';
  if (evenZero > half * 0.4 && oddZero < half * 0.05) return 'utf-16be';
  return undefined;
}

/** What the bytes are, from their content only: the file name's extension is not trusted. */
export function sniff(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return { kind: 'zip' };
  for (const s of SIGNATURES) {
    if (bytes.length >= (s.at ?? 0) + s.sig.length && startsWith(bytes, s.sig, s.at ?? 0)) {
      return { kind: 'other', what: s.what, ...(s.advice ? { advice: s.advice } : {}) };
    }
  }
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    try {
      const text = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(2));
      return { kind: 'text', text, encoding, bom: true };
    } catch {
      return { kind: 'undecodable' };
    }
  }
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) {
    try {
      return { kind: 'text', text: new TextDecoder(utf16, { fatal: true }).decode(bytes), encoding: utf16, bom: false };
    } catch {
      return { kind: 'undecodable' };
    }
  }
  const bom = startsWith(bytes, [0xef, 0xbb, 0xbf]);
  const body = bom ? bytes.subarray(3) : bytes;
  if (isBinaryish(body)) return { kind: 'other', what: 'tệp nhị phân không rõ loại' };
  try {
    return { kind: 'text', text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8', bom };
  } catch {
    // not UTF-8: a legacy Windows file, typed with Vietnamese Windows-1258
  }
  const damaged = damagedUtf8(body);
  if (damaged) return damaged;
  if (bom) return { kind: 'undecodable' };
  const text = iconv.decode(body, 'windows1258').normalize('NFC');
  if (text.includes('\ufffd')) return { kind: 'undecodable' };
  return { kind: 'text', text, encoding: 'windows-1258', bom: false };
}

export type TextShape = 'json' | 'csv' | { other: string };

/** Whether decoded text is the JSON form, a CSV, or some other text that is not a report. */
export function textShape(text: string): TextShape {
  const head = text.replace(/^\uFEFF/, '').trimStart().slice(0, 2_000);
  if (/^\{\\rtf/.test(head)) return { other: 'tài liệu RTF' };
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  if (/^<\?xml/i.test(head)) {
    return { other: /urn:schemas-microsoft-com:office:spreadsheet/.test(head) ? 'bảng tính "XML Spreadsheet 2003"' : 'tệp XML' };
  }
  if (/^<(!doctype\s+html|html|head|body|table|meta|div)\b/i.test(head)) {
    return { other: 'trang HTML (một số phần mềm xuất bảng dưới dạng HTML nhưng đặt đuôi .xls)' };
  }
  return 'csv';
}
