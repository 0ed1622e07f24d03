/**
 * The public posting (niêm yết công khai) of those the council passed: its window of whole Vietnam days (one province
 * posts for 7 days, Decree 98/2023 Art. 31 practice), and the opinions anyone may send while it is open. An opinion
 * is the public's text: it is cleaned (no control characters, one Unicode form), bounded, and flagged as spam when it
 * looks like advertising or noise — flagged, not refused, so nothing a citizen wrote is lost; the office's list hides it.
 */
import { addDays, parseIsoDate } from '../calendar/index.ts';
import type { Posting } from './types.ts';

/** The days a posting runs, both ends included: 7 days from 01/12 are 01/12 to 07/12. */
export function postingWindow(startsOn: string, days: number): { startsOn: string; endsOn: string } {
  parseIsoDate(startsOn);
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`A posting runs at least one whole day: ${days}`);
  return { startsOn, endsOn: addDays(startsOn, days - 1) };
}

/** Whether opinions are taken on `today` (Vietnam's date): from the first day to the last, inclusive. */
export const postingOpen = (p: Pick<Posting, 'startsOn' | 'endsOn'>, today: string): boolean => p.startsOn <= today && today <= p.endsOn;

/** Whether the posting's last day is behind: only then may the decision be issued. */
export const postingEnded = (p: Pick<Posting, 'startsOn' | 'endsOn'>, today: string): boolean => today > p.endsOn;

export const ANONYMOUS_VI = 'Người dân (không ghi tên)';
export const MIN_OPINION_CHARS = 5;
const DEFAULT_LIMITS = { maxName: 100, maxText: 2000 };

const COUNT = new Intl.NumberFormat('vi-VN');

/**
 * One Unicode form (a "ế" typed on a phone and one pasted from Word compare equal), line breaks as "\n", and no
 * control or invisible direction characters (which can make a text read differently than it is stored). Tabs become
 * spaces so the words they separated stay apart.
 */
function clean(raw: string): string {
  // Stripped before composing, so a mark after a stripped character still joins its letter.
  return raw
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g, '')
    .normalize('NFC')
    .trim();
}

const URL_LIKE = /(https?:\/\/|www\.|\b[a-z0-9-]+\.(com|net|org|info|biz|xyz|top|vn|io|ru|cn|me|ly|link|site|online|shop|click|club)\b)/i;
const HTML_TAG = /<\s*\/?\s*[a-z][^>]*>/i;

/** More than 60% of the visible characters are one character ("!!!!!!!", "aaaaaaa ok"). */
function oneCharacterFlood(text: string): boolean {
  const visible = [...text.toLowerCase()].filter((ch) => !/\s/u.test(ch));
  const counts = new Map<string, number>();
  for (const ch of visible) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const most = Math.max(0, ...counts.values());
  return visible.length > 0 && most * 10 > visible.length * 6;
}

/** The same word more than 10 times in a row ("mua mua mua …"). */
function wordFlood(text: string): boolean {
  const words = text
    .toLowerCase()
    .split(/\s+/u)
    .map((w) => w.replace(/[^\p{L}\p{M}\p{N}]/gu, ''))
    .filter(Boolean);
  let run = 1;
  for (let i = 1; i < words.length; i++) {
    run = words[i] === words[i - 1] ? run + 1 : 1;
    if (run > 10) return true;
  }
  return false;
}

/**
 * Mostly symbols: fewer letters than other visible characters, digits aside (an opinion may quote "95,5%" or
 * "1.234 hộ"), or no letter at all.
 */
function mostlyNonLetters(text: string): boolean {
  const letters = (text.match(/[\p{L}\p{M}]/gu) ?? []).length;
  const symbols = (text.match(/[^\p{L}\p{M}\p{N}\s]/gu) ?? []).length;
  return letters === 0 || letters < symbols;
}

const looksLikeSpam = (text: string): boolean =>
  URL_LIKE.test(text) || HTML_TAG.test(text) || oneCharacterFlood(text) || wordFlood(text) || mostlyNonLetters(text);

/**
 * An opinion as the public sent it: a name (optional, one line) and a text of 5 to 2,000 characters. Lengths are in
 * UTF-16 units, as the stored record's schema counts them (the same as letters for Vietnamese text). A link or a tag
 * in the name flags the opinion as spam too.
 */
export function checkOpinion(
  input: { name: unknown; text: unknown },
  limits: { maxName: number; maxText: number } = DEFAULT_LIMITS,
): { ok: true; name: string; text: string; spam: boolean } | { ok: false; messageVi: string } {
  if (input.name !== undefined && input.name !== null && typeof input.name !== 'string') return { ok: false, messageVi: 'Họ tên phải là chữ.' };
  if (input.text !== undefined && input.text !== null && typeof input.text !== 'string') return { ok: false, messageVi: 'Nội dung ý kiến phải là chữ.' };
  const name = clean(input.name ?? '').replace(/\s+/g, ' ');
  const text = clean(input.text ?? '');
  if (name.length > limits.maxName) {
    return { ok: false, messageVi: `Họ tên dài ${COUNT.format(name.length)} ký tự, tối đa ${COUNT.format(limits.maxName)} ký tự.` };
  }
  if (text.length === 0) return { ok: false, messageVi: 'Xin nhập nội dung ý kiến.' };
  if (text.length < MIN_OPINION_CHARS) {
    return { ok: false, messageVi: `Nội dung ý kiến quá ngắn: ${COUNT.format(text.length)} ký tự, cần ít nhất ${MIN_OPINION_CHARS} ký tự.` };
  }
  if (text.length > limits.maxText) {
    return { ok: false, messageVi: `Nội dung ý kiến quá dài: ${COUNT.format(text.length)} ký tự, tối đa ${COUNT.format(limits.maxText)} ký tự.` };
  }
  const spam = looksLikeSpam(text) || URL_LIKE.test(name) || HTML_TAG.test(name);
  return { ok: true, name: name || ANONYMOUS_VI, text, spam };
}
