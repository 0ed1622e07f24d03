import type { Indicator } from '../directive.ts';
import { foldVi } from '../text.ts';
import type { ReportProblemCode } from './types.ts';

/** A cell as read from any format, before it is interpreted for an indicator. */
export type RawCell =
  | { t: 'empty' }
  | { t: 'number'; n: number; percentFormat?: boolean; formula?: string }
  | { t: 'bool'; b: boolean; formula?: string }
  | { t: 'text'; s: string; formula?: string }
  | { t: 'date'; d: Date; formula?: string }
  | { t: 'error'; e: string; formula?: string }
  | { t: 'formula-no-result'; formula: string };

export const EMPTY: RawCell = { t: 'empty' };

/** Text from the file, as-is but at most `n` characters (by code point). */
export function quote(text: string, n: number): string {
  const chars = Array.from(text);
  return chars.length <= n ? text : `${chars.slice(0, Math.max(1, n - 1)).join('')}…`;
}

const NUMBER_FORMAT = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 10, useGrouping: false });
/** 1234.5 → "1234,5" (Vietnamese decimal comma, no grouping so it cannot be misread). */
export function formatNumberVi(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e15 || (n !== 0 && Math.abs(n) < 1e-6)) return String(n).replace('.', ',');
  return NUMBER_FORMAT.format(n);
}

export function formatDateCell(d: Date): string {
  if (Number.isNaN(d.getTime())) return 'ngày không hợp lệ';
  const p = (x: number) => String(x).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

/** Rounds away binary noise (0.93 × 100 = 93.00000000000001). */
export function tidy(n: number): number {
  return Number.isFinite(n) ? Number(n.toPrecision(12)) : n;
}

/**
 * A number typed as text, Vietnamese or plain: "1.234,5" → 1234.5, "12,5" → 12.5, "1 234" → 1234, "1234.5" → 1234.5,
 * "1.234.567" → 1234567, "12,5%" → 12.5 (when `percent`). A trailing measure ("2,5 km") is tolerated. Anything that
 * starts with "=", "+" or "@" is text: never evaluated. Returns undefined when it is not a number.
 */
export function parseNumberVi(raw: string, opts: { percent?: boolean; measure?: string } = {}): number | undefined {
  const r = readNumberVi(raw, opts);
  return r && 'n' in r ? r.n : undefined;
}

/**
 * Like parseNumberVi, but tells apart "1.000" and "1,234" — one separator followed by exactly three digits, which is
 * 1000 (resp. 1,234) to a Vietnamese reader and 1 (resp. 1234) to an English one — instead of guessing.
 */
export function readNumberVi(raw: string, opts: { percent?: boolean; measure?: string } = {}): { n: number } | { ambiguous: [number, number] } | undefined {
  if (raw.length > 200) return undefined; // no number is that long; keeps every pattern below linear
  let s = raw.normalize('NFC').replace(/[\u00a0\u202f\u2007]/g, ' ').trim();
  if (s === '' || /^[=+@]/.test(s)) return undefined;
  if (opts.measure) {
    const m = foldVi(opts.measure);
    const folded = foldVi(s);
    if (m && !/^[\d.,\s%-]+$/.test(m) && folded.endsWith(m) && folded.length > m.length) s = s.slice(0, s.length - opts.measure.trim().length).trim();
  }
  if (opts.percent && s.endsWith('%')) s = s.slice(0, -1).trim();
  s = s.replace(/^[\u2212\u2013]/, '-');
  if (!/^-?[\d][\d\s.,]*$/.test(s) || /[.,]$/.test(s)) return undefined;
  const negative = s.startsWith('-');
  let body = negative ? s.slice(1) : s;
  if (/\s/.test(body)) {
    // Spaces only as thousands separators: "1 234 567,5".
    if (!/^\d{1,3}( \d{3})+([.,]\d+)?$/.test(body)) return undefined;
    body = body.replace(/ /g, '');
  }
  const dots = (body.match(/\./g) ?? []).length;
  const commas = (body.match(/,/g) ?? []).length;
  let normalized: string;
  if (dots && commas) {
    const decimal = body.lastIndexOf(',') > body.lastIndexOf('.') ? ',' : '.';
    const group = decimal === ',' ? '.' : ',';
    const [int, frac, ...rest] = body.split(decimal);
    if (rest.length || frac === undefined || frac.includes(group) || !new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(int ?? '')) return undefined;
    normalized = `${(int ?? '').split(group).join('')}.${frac}`;
  } else if (commas > 1 || dots > 1) {
    const group = commas > 1 ? ',' : '.';
    if (!new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(body)) return undefined;
    normalized = body.split(group).join('');
  } else {
    // One separator at most: the Vietnamese decimal comma, or a plain decimal point.
    normalized = body.replace(',', '.');
    if (/^[1-9]\d{0,2}[.,]\d{3}$/.test(body)) {
      const sign = negative ? -1 : 1;
      const asDecimal = sign * Number(normalized);
      const asThousands = sign * Number(body.replace(/[.,]/, ''));
      return { ambiguous: body.includes('.') ? [asThousands, asDecimal] : [asDecimal, asThousands] };
    }
  }
  if (!/^\d+(\.\d+)?$/.test(normalized)) return undefined;
  const n = Number(normalized);
  if (!Number.isFinite(n)) return undefined;
  return { n: negative ? -n : n };
}

const YES = new Set(['co', 'x', '1', 'dat', 'true', 'yes', '✓', '✔', 'da dat', 'hoan thanh']);
const NO = new Set(['khong', '0', 'khong dat', 'false', 'no', 'chua dat', 'chua hoan thanh', 'khong hoan thanh']);

/** "Có", "co", "x", "1", "Đạt", "TRUE" → true; "Không", "khong", "0", "không đạt", "false" → false. */
export function parseYesNo(raw: string): boolean | undefined {
  if (raw.length > 100) return undefined;
  const s = foldVi(raw).replace(/\s+/g, ' ').replace(/[.!]+$/, '').trim();
  if (YES.has(s)) return true;
  if (NO.has(s)) return false;
  return undefined;
}

export function isTick(raw: RawCell): boolean {
  return raw.t === 'text' && raw.s.length < 20 && ['x', '✓', '✔'].includes(foldVi(raw.s));
}

export type Interpretation =
  | { ok: true; value: number | boolean; note?: string }
  | { ok: false; code: Exclude<ReportProblemCode, 'more-problems'>; detail: string };

const MAX_MAGNITUDE = 1e12;

/** What the officer sees in the cell, for messages. */
export function shown(raw: RawCell, maxChars: number): string {
  switch (raw.t) {
    case 'empty':
    case 'formula-no-result':
      return '';
    case 'number':
      return formatNumberVi(raw.percentFormat ? tidy(raw.n * 100) : raw.n) + (raw.percentFormat ? '%' : '');
    case 'bool':
      return raw.b ? 'TRUE' : 'FALSE';
    case 'text':
      return quote(raw.s, maxChars);
    case 'date':
      return formatDateCell(raw.d);
    case 'error':
      return raw.e;
  }
}

/** Checks a raw cell against an indicator's kind; a blank is reported as 'missing-value' (the caller decides). */
export function interpret(ind: Indicator, raw: RawCell, maxChars: number): Interpretation {
  switch (raw.t) {
    case 'empty':
      return { ok: false, code: 'missing-value', detail: 'chưa nhập số liệu' };
    case 'formula-no-result':
      return {
        ok: false,
        code: 'formula-no-result',
        detail: `ô chứa công thức "=${quote(raw.formula, maxChars)}" nhưng tệp không lưu kết quả đã tính; hãy mở tệp bằng Excel, lưu lại rồi gửi, hoặc nhập số trực tiếp`,
      };
    case 'error':
      return { ok: false, code: 'formula-error', detail: `ô có lỗi ${quote(raw.e, maxChars)}${raw.formula ? ` (công thức "=${quote(raw.formula, maxChars)}")` : ''}` };
    case 'date':
      return {
        ok: false,
        code: ind.kind === 'yes-no' ? 'not-yes-no' : 'not-a-number',
        detail: `ô đang ở dạng ngày tháng (${formatDateCell(raw.d)}); hãy định dạng ô là số (General) rồi nhập lại`,
      };
    default:
      break;
  }

  if (ind.kind === 'yes-no') {
    if (raw.t === 'bool') return { ok: true, value: raw.b };
    if (raw.t === 'number' && (raw.n === 1 || raw.n === 0)) return { ok: true, value: raw.n === 1 };
    if (raw.t === 'text') {
      const b = parseYesNo(raw.s);
      if (b !== undefined) return { ok: true, value: b };
    }
    return { ok: false, code: 'not-yes-no', detail: `phải là "Có" hoặc "Không", nhận được "${shown(raw, maxChars)}"` };
  }

  let n: number | undefined;
  let note: string | undefined;
  if (raw.t === 'number') {
    n = raw.n;
    if (raw.percentFormat && ind.kind === 'percent') {
      n = tidy(raw.n * 100);
      note = `ô định dạng phần trăm: ${formatNumberVi(raw.n)} được hiểu là ${formatNumberVi(n)}%`;
    }
  } else if (raw.t === 'text') {
    const read = readNumberVi(raw.s, { percent: ind.kind === 'percent', measure: ind.measure });
    if (read && 'ambiguous' in read) {
      const [vi, en] = read.ambiguous;
      return {
        ok: false,
        code: 'ambiguous-number',
        detail: `không rõ "${quote(raw.s, maxChars)}" là ${formatNumberVi(vi)} hay ${formatNumberVi(en)}; hãy nhập số không có dấu phân cách hàng nghìn, phần thập phân dùng dấu phẩy (ví dụ 1234 hoặc 1,5)`,
      };
    }
    if (read === undefined) {
      const hint = /^[=+@]/.test(raw.s.trim()) ? '; ô bắt đầu bằng "=", "+" hoặc "@" được coi là chữ, không được tính' : '';
      return { ok: false, code: 'not-a-number', detail: `phải là một số, nhận được "${quote(raw.s, maxChars)}"${hint}` };
    }
    n = read.n;
  } else {
    return { ok: false, code: 'not-a-number', detail: `phải là một số, nhận được "${shown(raw, maxChars)}"` };
  }
  if (!Number.isFinite(n)) return { ok: false, code: 'not-a-number', detail: `phải là một số, nhận được "${shown(raw, maxChars)}"` };
  const got = formatNumberVi(n);
  switch (ind.kind) {
    case 'percent':
      if (n < 0 || n > 100) return { ok: false, code: 'out-of-range', detail: `tỷ lệ phải từ 0 đến 100, nhận được ${got}` };
      break;
    case 'count':
      if (n < 0) return { ok: false, code: 'negative', detail: `số lượng không được âm, nhận được ${got}` };
      if (!Number.isInteger(n)) return { ok: false, code: 'not-whole', detail: `số lượng phải là số nguyên, nhận được ${got}` };
      if (n > MAX_MAGNITUDE) return { ok: false, code: 'out-of-range', detail: `số lượng quá lớn, nhận được ${got}` };
      break;
    case 'number':
      if (n < 0) return { ok: false, code: 'negative', detail: `giá trị không được âm, nhận được ${got}` };
      if (n > MAX_MAGNITUDE) return { ok: false, code: 'out-of-range', detail: `giá trị quá lớn, nhận được ${got}` };
      break;
  }
  return note ? { ok: true, value: n, note } : { ok: true, value: n };
}

/** Whether a cell holds something that reads as a value of the indicator (used to tell data rows from notes). */
export function looksLikeValue(ind: Indicator, raw: RawCell): boolean {
  if (raw.t === 'empty') return false;
  if (raw.t === 'number' || raw.t === 'bool' || raw.t === 'formula-no-result' || raw.t === 'error') return true;
  if (raw.t === 'text') {
    if (ind.kind === 'yes-no') return parseYesNo(raw.s) !== undefined;
    return readNumberVi(raw.s, { percent: ind.kind === 'percent', measure: ind.measure }) !== undefined || /^-?\s*\d/.test(raw.s.trim());
  }
  return false;
}
