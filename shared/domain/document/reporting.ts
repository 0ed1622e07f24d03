/**
 * The reporting duty a document sets: its cadences ("định kỳ 6 tháng và cuối năm", "hằng tháng", "trước ngày 20
 * hằng tháng", a yearly "báo cáo tổng kết … năm học") and the body the reports go to ("gửi …", "gửi về …", "qua …").
 */
import { collapse } from './header.ts';

export type Cadence = 'monthly' | 'quarterly' | 'half-year' | 'year';
export interface Reporting {
  cadences: Cadence[];
  to: string | null;
}

/** Cues of a periodic duty, in folded text; "định kỳ" first, as it names the cadences after it. */
const CUES = [/dinh ky/g, /(?:hang|moi) (?:thang|quy)\b/g, /bao cao tong ket\b/g];
/** OCR reads "năm" as "narn". */
const YEAR = /cuoi na(m|rn)\b|(hang|moi) na(m|rn)\b|(^|\s)na(m|rn)\b/;
const SENTENCE_END = /[;]|\.(\s|\/|$)/;

function cadencesNear(near: string): Cadence[] {
  const out: Cadence[] = [];
  if (/(hang|moi) thang/.test(near)) out.push('monthly');
  if (/quy\b/.test(near)) out.push('quarterly');
  if (/(6|sau) thang/.test(near)) out.push('half-year');
  if (YEAR.test(near)) out.push('year');
  return out;
}

/** The body after "gửi (báo cáo) (về)" or "qua", named with a capital; "(qua …)" in brackets as it is written. */
function bodyIn(sentence: string, fold: string): string | null {
  const until = '(?=\\s+(?:de|truoc|cham nhat|theo)\\b|\\s*$)';
  const bodyAfter = (cue: RegExp, written?: RegExp): string | null => {
    for (const m of fold.matchAll(cue)) {
      const at = m.index + m[0].length;
      if (written && !written.test(sentence.slice(m.index, at))) continue;
      const rest = new RegExp(`^(.+?)${until}`).exec(fold.slice(at));
      const body = rest ? collapse(sentence.slice(at, at + (rest[1] as string).length)).replace(/[,.;]+$/, '') : '';
      if (/^\p{Lu}/u.test(body)) return body;
    }
    return null;
  };
  // "qua" as written: the fold would also find the "quả" of "kết quả".
  const named = bodyAfter(/(?<=^|\s)gui\s+(?:bao cao\s+)?(?:ve\s+)?/g) ?? bodyAfter(/(?<=^|\s)qua\s+/g, /^qua\s/);
  if (named) return named;
  const bracket = /\(qua\s+([^)]+)\)/.exec(fold);
  return bracket ? collapse(sentence.slice(bracket.index + 5, bracket.index + bracket[0].length - 1)) : null;
}

/** `flat` is the document on one line, `ff` its length-preserving fold. */
export function readReporting(flat: string, ff: string): Reporting | null {
  for (const cue of CUES) {
    for (const m of ff.matchAll(cue)) {
      // The sentence around the cue: the body may be named before it ("gửi về X trước ngày 20 hằng tháng").
      const before = ff.slice(Math.max(0, m.index - 200), m.index);
      const start = m.index - (before.length - Math.max(before.lastIndexOf('. '), before.lastIndexOf(';'), before.lastIndexOf(':')) - 1);
      const stop = ff.slice(m.index).search(SENTENCE_END);
      const end = stop < 0 ? ff.length : m.index + stop;
      const sentence = ff.slice(start, end);
      const near = ff.slice(m.index, Math.min(end, m.index + 60));
      // "Định kỳ" with a cadence is a duty by itself; "hằng tháng" is one only where something is reported.
      if (!cue.source.startsWith('dinh ky') && !/bao cao|so ket|tong ket/.test(sentence)) continue;
      const cadences = cue.source.startsWith('bao cao') ? (/nam hoc|hang nam|cuoi nam|nam \d{4}/.test(near) ? (['year'] as Cadence[]) : []) : cadencesNear(near);
      if (cue.source.startsWith('bao cao') && cadences.length === 0) continue;
      if (cue.source.startsWith('dinh ky') && !/bao cao|so ket|tong ket|hang|quy|thang|nam/.test(near)) continue;
      return { cadences, to: bodyIn(flat.slice(start, end), sentence) };
    }
  }
  return null;
}
