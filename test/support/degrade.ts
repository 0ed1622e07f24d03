/**
 * Degraded copies of a document's text, as documents really arrive (../shared/domain.md): what OCR, PDF extraction,
 * legacy encodings and NFD do. Used by the document tests and benches.
 */
import { encodeTcvn3, encodeVni } from '../../shared/domain/document/index.ts';

export const stripMarks = (s: string): string =>
  s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replaceAll('đ', 'd').replaceAll('Đ', 'D').normalize('NFC');

/** What OCR of a scan does: capitals lose their marks, key words lose diacritics, "Số"/"số" read as "S6"/"s6", Đ as D. */
export function ocr(s: string): string {
  return s
    .split('\n')
    .map((line) => {
      const letters = line.replace(/[^\p{L}]/gu, '');
      return letters.length > 1 && letters === letters.toUpperCase() ? stripMarks(line) : line;
    })
    .join('\n')
    .replace(/Số(?= ?\d)/g, 'S6')
    .replace(/số(?= ?\d)/g, 's6')
    .replace(/ngày/g, 'ngay')
    .replace(/tháng/g, 'thang')
    .replace(/năm/g, 'nam')
    .replace(/Chỉ thị/g, 'Chi thi')
    .replace(/Tỉnh ủy/g, 'Tinh uy')
    .replace(/QĐ-/g, 'QD-');
}

/** Lines broken inside numbers, symbols and dates, and page footers between pages. */
export function broken(s: string): string {
  const cut = s
    .replace(/(\d+-)([A-Z]{2}\/[A-Z]+)/g, '$1\n$2')
    .replace(/(\d{1,2}\/\d{1,2}\/)(\d{4})/g, '$1\n$2')
    .replace(/(\d+\/Q[ĐD]-)(TTg)/g, '$1\n$2')
    .replace(/(tháng \d{1,2} năm) (\d{4})/g, '$1\n$2');
  const lines = cut.split('\n');
  const out: string[] = [];
  lines.forEach((l, i) => {
    out.push(l);
    if (i > 0 && i % 40 === 0) out.push('', `45TBVP2020_sk 03nam Chi thi 23CTTU ${i / 40 + 1} `, ' ', String(i / 40 + 1));
  });
  return out.join('\n');
}

/** What PDF text extraction does to some fonts: "có" → "c ", "Phong" → " hong" (as in seed 000). */
export function glyphDrops(s: string): string {
  return s.replace(/ó/g, ' ').replace(/(^|\s)P(?=hong)/g, '$1 ');
}

export const VARIANTS: Record<string, (s: string) => string> = {
  clean: (s) => s,
  nfd: (s) => s.normalize('NFD'),
  'no diacritics': stripMarks,
  ocr,
  'broken lines': broken,
  tcvn3: encodeTcvn3,
  vni: encodeVni,
  'glyph drops': glyphDrops,
  'scan (ocr+broken+nfd)': (s) => broken(ocr(s)).normalize('NFD'),
  'tcvn3 of ocr': (s) => encodeTcvn3(ocr(s)),
  'misread 1% (weak scan)': (s) => ocrNoise(s, 0.01),
  'misread 3% (weak scan)': (s) => ocrNoise(s, 0.03),
};


/** A weak scan: at `rate` of the letters and digits OCR reads a look-alike character, or nothing where it has none (seeded, reproducible). */
export function ocrNoise(s: string, rate: number, seed = 7): string {
  let state = seed >>> 0;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const lookAlike: Record<string, string> = { o: '0', l: '1', i: 'l', e: 'c', a: 'o', n: 'u', u: 'n', h: 'b', m: 'rn', t: 'f', '0': 'o', '1': 'l', '5': 'S' };
  let out = '';
  for (const ch of s.normalize('NFC')) {
    const base = ch.normalize('NFD')[0]!.toLowerCase();
    out += /[\p{L}\p{N}]/u.test(ch) && next() < rate ? (lookAlike[base] ?? '') : ch;
  }
  return out;
}
