/**
 * The header of an official document as text extraction really leaves it: two columns side by side with wide gaps,
 * flattened into "|" rows, interleaved line by line with lone "|" lines, or the whole header on one line, often
 * under a web page's boilerplate. The fields are found by what they are (the national motto, "Số: …", "<place>,
 * ngày …", the kind word) rather than by the line they sit on.
 */

/** Length-preserving fold of NFC text (one char in, one char out), so indices found in the fold slice the original. */
export function fold1(text: string): string {
  let out = '';
  for (const ch of text) {
    let f = FOLDED.get(ch);
    if (f === undefined) {
      const d = ch === 'đ' || ch === 'Đ' ? 'd' : ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
      f = d.length === ch.length ? d : ch;
      FOLDED.set(ch, f);
    }
    out += f;
  }
  return out;
}
/** Each character's fold, computed once: a document folds the same few hundred characters again and again. */
const FOLDED = new Map<string, string>();

export const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The cells of a header row: columns split by "|", a tab or a wide gap. */
const cellsOf = (line: string): string[] =>
  line
    .split(/\s*\|\s*|\t|\s{3,}/)
    .map((c) => c.trim())
    .filter((c) => c !== '');

const HEADER_SCAN_LINES = 40;
const DATE_IN_LINE = /,\s*ngay\b/;

/**
 * Lines with the header's two columns read column by column: the rows from the first one with two cells down to the
 * one with the place and date give their left cells first (with the one-cell lines between them, which belong to the
 * longer left column), then their right cells. Lines that are only "|" are dropped.
 */
export function readColumns(lines: string[]): string[] {
  const kept = lines.filter((l) => !/^\s*\|+\s*$/.test(l));
  const limit = Math.min(kept.length, HEADER_SCAN_LINES);
  const multi = (i: number) => cellsOf(kept[i] as string).length >= 2;
  let first = -1;
  for (let i = 0; i < limit && first < 0; i++) if (multi(i)) first = i;
  if (first < 0) return kept.map((l) => l.trim());
  let last = first;
  for (let i = first; i < Math.min(limit, first + 8); i++) {
    if (!multi(i)) continue;
    last = i;
    if (DATE_IN_LINE.test(fold1(kept[i] as string))) break;
  }
  const left: string[] = [];
  const right: string[] = [];
  for (let i = first; i <= last; i++) {
    const [l, ...r] = cellsOf(kept[i] as string);
    if (l) left.push(l);
    right.push(...r);
  }
  return [...kept.slice(0, first), ...left, ...right, ...kept.slice(last + 1)].map((l) => l.trim());
}

// ---- Numbers --------------------------------------------------------------------------------------

/** One part of a symbol ("KH", "UBND", "TTg", "TƯ", "BLĐTBXH") and the separator before it ("-", "/", " – ", "- "). */
const SEG = '\\p{Lu}[\\p{Lu}\\p{Ll}&]{0,11}';
const SEP = '\\s{0,2}[-–/]\\s{0,2}';
/** A document number: "594/KH-UBND", "445-KL/TƯ", "06/2024/QĐ-UBND", "281  / TB – HTS", "09/2019/NĐCP". */
export const NUMBER_SOURCE = `(?<![\\p{L}\\d/])\\d{1,5}(?:(?:${SEP}${SEG}){2,3}|\\s{0,2}/\\s{0,2}\\d{4}(?:${SEP}${SEG}){1,3})(?![\\p{L}\\d/])`;
export const numberRe = (): RegExp => new RegExp(NUMBER_SOURCE, 'gu');

/** Official spelling of a number and symbol read from text that lost Đ or case: "1980/QD-TTG" → "1980/QĐ-TTg". */
export function officialNumber(n: string): string {
  return collapse(n)
    .replace(/([/-])QD(?=[-/])/g, '$1QĐ')
    .replace(/([/-])ND(?=-CP)/g, '$1NĐ')
    .replace(/-TTG\b/g, '-TTg');
}

/** Two spellings of one number: the same but for spaces, dashes, case and diacritics. */
export const sameNumber = (a: string, b: string): boolean => fold1(a).replace(/[\s\-–—]/g, '') === fold1(b).replace(/[\s\-–—]/g, '');

// ---- Dates ------------------------------------------------------------------------------------------

const pad = (n: string): string => n.padStart(2, '0');
export function isoDate(d: string, m: string, y: string): string | null {
  const day = Number(d);
  const month = Number(m);
  if (day < 1 || day > 31 || month < 1 || month > 12) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** The header's place and date: "<Place>, ngày 21 tháng 10 năm 2021" (or "ngày 21/10/2021"), over any line breaks. */
const PLACE_DATE = /(?<![\p{L}\p{M}\d/-])((?:\p{Lu}[\p{Ll}\p{M}]*[ \t]+){0,3}\p{Lu}[\p{Ll}\p{M}]*)[ \t]*,\s*ng[àa]y\b/gu;

/** Day, month and year, each allowed one stray space inside ("1 5", "20 21"), as OCR and web pages leave them. */
const DAY = '(\\d(?:[ \\t]?\\d)?)';
const YEAR = '(\\d(?:[ \\t]?\\d){3})';
const WORDS_DATE = new RegExp(`^\\s*,?\\s*(?:ngay\\s*)?${DAY}\\s*thang\\s*${DAY}?\\s*nam\\s*${YEAR}`);
const NUMERIC_DATE = new RegExp(`^\\s*,?\\s*(?:ngay\\s*)?${DAY}\\s*[/.-]\\s*${DAY}\\s*[/.-]\\s*${YEAR}`);
const digits = (s: string): string => s.replace(/\s/g, '');

/** OCR's letters for digits inside a number ("2o22", "0l", "3i"), one char for one, so offsets still hold. */
const ocrDigits = (f: string): string => f.replace(/(?<=\d)o|o(?=\d)/g, '0').replace(/(?<=[\d/])[li]|[li](?=\d)/g, '1');

/**
 * A date at the start of folded text: "21/4/2017", "ngay 21/4/2017", "ngay 07 thang 4 nam 2021", with the breaks and
 * OCR letters above. `iso` is null when the date is there but incomplete ("ngày 05 tháng năm 2018" has no month).
 */
export function dateAt(f: string): { iso: string | null; length: number } | null {
  const g = ocrDigits(f.slice(0, 80));
  const w = WORDS_DATE.exec(g);
  if (w) return { iso: w[2] ? isoDate(digits(w[1] as string), digits(w[2]), digits(w[3] as string)) : null, length: w[0].length };
  const n = NUMERIC_DATE.exec(g);
  if (n) return { iso: isoDate(digits(n[1] as string), digits(n[2] as string), digits(n[3] as string)), length: n[0].length };
  return null;
}

// ---- Issuer ---------------------------------------------------------------------------------------------

/** The national motto (or the party's) in the right column; OCR reads "CỘNG" as "CQNG". */
const MOTTO = /c[o0q]ng hoa xa h[o0q]i|dang c[o0q]ng san viet nam|chu nghia viet nam|doc lap\s*[-–]?\s*tu do/;
const DOC_NUMBER = new RegExp(`\\bS[ốoô]\\s*:?\\s*(${NUMBER_SOURCE})`, 'gu');
const SEPARATOR = /^[-_*=|.]+$/;
const isCapsWord = (w: string): boolean => {
  const letters = w.replace(/[^\p{L}]/gu, '');
  return letters !== '' && letters === letters.toUpperCase();
};

/** Words of a run repeated at once ("UBND TỈNH SƠN LA UBND TỈNH SƠN LA …", a page that printed its header twice) kept once. */
function dropRepeats(words: string[]): string[] {
  for (let n = Math.floor(words.length / 2); n >= 2; n--) {
    for (let i = 0; i + 2 * n <= words.length; i++) {
      const a = words.slice(i, i + n).join(' ');
      if (a === words.slice(i + n, i + 2 * n).join(' ')) return dropRepeats([...words.slice(0, i + n), ...words.slice(i + 2 * n)]);
    }
  }
  return words;
}

/** The capitals (and separators) just before an index: the left column's body name, however it was laid out. */
function capsBefore(text: string, end: number): string[] {
  const words = text.slice(0, end).split(/\s+/).filter(Boolean);
  const run: string[] = [];
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i] as string;
    if (SEPARATOR.test(w)) continue;
    if (!isCapsWord(w) || /\d/.test(w)) break;
    run.unshift(w);
  }
  // A page that flattened both columns puts the motto right after the issuer: the issuer ends there.
  const motto = MOTTO.exec(fold1(run.join(' ')));
  const kept = motto ? fold1(run.join(' ')).slice(0, motto.index).split(' ').filter(Boolean).length : run.length;
  return dropRepeats(run.slice(0, kept));
}

const SUB_BODY = /^(so|phong|van phong|ban|chi cuc|trung tam)$/;
const LEVELS = ['tinh', 'thanh pho', 'huyen', 'quan', 'thi xa', 'xa', 'phuong', 'thi tran'];

/**
 * The issuer from the words of the left column: "UBND THÀNH PHỐ ĐÀ NẴNG / SỞ NỘI VỤ" reads "Sở Nội vụ thành phố
 * Đà Nẵng", "TỈNH ỦY BÌNH THUẬN / VĂN PHÒNG" reads "Văn phòng Tỉnh ủy Bình Thuận".
 */
function issuerOf(words: string[], restore: (s: string) => string): string | null {
  if (words.length === 0) return null;
  const f = words.map((w) => fold1(w).replace(/[^a-z]/g, ''));
  let sub = -1;
  for (let k = 1; k < words.length && sub < 0; k++) {
    const one = f[k] as string;
    const two = `${one} ${f[k + 1] ?? ''}`;
    if ((SUB_BODY.test(one) || SUB_BODY.test(two)) && !(one === 'ban' && f[k - 1] === 'uy')) sub = k;
  }
  if (sub < 0) return restore(words.join(' '));
  const parent = words.slice(0, sub).join(' ');
  const own = restore(words.slice(sub).join(' '));
  const people = /^(ubnd|uy ban nhan dan)\s+/.exec(fold1(parent));
  if (!people) return `${own} ${restore(parent)}`;
  const locality = restore(parent.slice(people[0].length));
  return `${own} ${locality.charAt(0).toLowerCase()}${locality.slice(1)}`;
}

/**
 * "Ủy ban nhân dân" alone (the locality lost with the header's second line) completed by the level the text itself
 * gives the place: "… tỉnh Hòa Bình", "huyện Tánh Linh". Nothing is added when the text does not say it.
 */
function completeIssuer(issuer: string, place: string | null, fold: string): string {
  if (!place || !/^(ubnd|uy ban nhan dan|hoi dong nhan dan)$/.test(fold1(issuer))) return issuer;
  const p = fold1(place);
  const level = LEVELS.find((l) => fold.includes(`${l} ${p}`));
  return level ? `${issuer} ${LEVELS_VI[level]} ${place}` : issuer;
}
const LEVELS_VI: Record<string, string> = {
  tinh: 'tỉnh', 'thanh pho': 'thành phố', huyen: 'huyện', quan: 'quận', 'thi xa': 'thị xã', xa: 'xã', phuong: 'phường', 'thi tran': 'thị trấn',
};

// ---- Kind and subject -----------------------------------------------------------------------------------

export interface HeaderFields {
  number: string | null;
  issuedOn: string | null;
  place: string | null;
  issuer: string | null;
  /** The kind word's own line, when the document has one. */
  kindWord: string | null;
  subject: string | null;
  /** Where the header ends in the text it was read from (the body starts there). */
  end: number;
}

const AUTHORITY = /^(uy ban nhan dan|ubnd|chu tich|hoi dong nhan dan|bo truong|giam doc|thu tuong|ban thuong vu)\b/;
const SKIP_AFTER_DATE = /^(\s|\||[-_*]{2,}|doc lap\s*[-–]?\s*tu\s*(do)?\s*[-–]?\s*hanh phuc)+/;

/** Title lines in capitals, word by word: lower-case words carry on ("… (KHOÁ XVI) về …"), a capitalised word ends it. */
function capsSubject(text: string, fold: string, from: number): { subject: string; end: number } {
  const words = [...text.slice(from).matchAll(/\S+/g)];
  let end = from;
  for (const m of words) {
    const w = m[0];
    const at = from + m.index;
    const letters = w.replace(/[^\p{L}]/gu, '');
    if (letters !== '' && letters !== letters.toUpperCase() && /^\p{Lu}/u.test(letters)) break;
    // The authority that decides ("ỦY BAN NHÂN DÂN TỈNH …", "CHỦ TỊCH …") opens the body, unless the title names it ("… CỦA THỦ TƯỚNG").
    if (isCapsWord(w) && AUTHORITY.test(fold.slice(at, at + 20)) && end > from && !/\b(cua|va|voi)\s*$/.test(fold.slice(from, at))) break;
    if (/^(kinh gui)/.test(fold.slice(at, at + 9))) break;
    end = at + w.length;
  }
  return { subject: collapse(text.slice(from, end)), end };
}

/** A title not in capitals: its line, then the lines that carry on in lower case. */
function lineSubject(text: string, from: number): { subject: string; end: number } {
  let end = text.indexOf('\n', from);
  if (end < 0) end = text.length;
  for (;;) {
    const next = /^\n([^\n]*)/.exec(text.slice(end));
    if (!next || !/^\s*[\p{Ll}\d(“"]/u.test(next[1] as string)) break;
    end += next[0].length;
  }
  return { subject: collapse(text.slice(from, end)), end };
}

/** Kind words at the start of the text ("KẾ HOẠCH", "K ÉT LUẬN" with a stray space): the kind and where it ends. */
function kindAt(text: string, fold: string, from: number, kinds: readonly string[]): { kind: string; end: number } | null {
  const words = [...text.slice(from, from + 40).matchAll(/\S+/g)].slice(0, 3);
  let joined = '';
  for (const m of words) {
    if (!isCapsWord(m[0])) return null;
    joined += fold.slice(from + m.index, from + m.index + m[0].length);
    const kind = kinds.find((k) => k.replace(/ /g, '') === joined);
    if (kind) return { kind, end: from + m.index + m[0].length };
  }
  return null;
}

/**
 * Reads the header out of the text (lines joined by "\n", columns already read by readColumns).
 * `kinds` are the folded kind words ("ke hoach", …); `restore` gives proper case and diacritics.
 */
export function readHeader(text: string, kinds: readonly string[], restore: (s: string) => string, fold = fold1(text)): HeaderFields {
  const scope = Math.min(text.length, 4000);
  const date = [...text.slice(0, scope).matchAll(PLACE_DATE)].find((m) => dateAt(fold.slice(m.index + m[0].length)) !== null);
  let issuedOn: string | null = null;
  let place: string | null = null;
  let end = 0;
  if (date) {
    const d = dateAt(fold.slice(date.index + date[0].length)) as { iso: string | null; length: number };
    place = restore(text.slice(date.index, date.index + (date[1] as string).length));
    issuedOn = d.iso;
    end = date.index + date[0].length + d.length;
  }
  // The number beside the date: the last "Số: …" before it, else the first one.
  const numbers = [...text.slice(0, scope).matchAll(DOC_NUMBER)];
  const own = (date ? numbers.filter((m) => m.index < date.index).at(-1) : undefined) ?? numbers[0];
  const number = own ? officialNumber(own[1] as string) : null;
  if (!date && own) end = own.index + own[0].length;

  // The issuer: the capitals before the first of the motto, the number and the date.
  const motto = MOTTO.exec(fold.slice(0, scope))?.index ?? -1;
  const anchors = [motto, own?.index ?? -1, date?.index ?? -1].filter((x) => x >= 0);
  let issuer: string | null = null;
  for (const a of [...anchors].sort((x, y) => x - y)) {
    issuer = issuerOf(capsBefore(text, a), restore);
    if (issuer) break;
  }
  if (issuer) issuer = completeIssuer(issuer, place, fold);

  // After the header: the kind word on its line, then the title.
  let from = end + (SKIP_AFTER_DATE.exec(fold.slice(end))?.[0].length ?? 0);
  let kindWord: string | null = null;
  let subject: string | null = null;
  const k = kindAt(text, fold, from, kinds);
  if (k) {
    kindWord = k.kind;
    from = k.end + (/^\s*/.exec(text.slice(k.end))?.[0].length ?? 0);
  }
  const firstWord = /^\S+/.exec(text.slice(from))?.[0] ?? '';
  if (/^v\/v\b/i.test(fold.slice(from, from + 4)) || /^[“"]v\/v/i.test(fold.slice(from, from + 5))) {
    // left to the công văn's own reading
  } else if (k || (firstWord && isCapsWord(firstWord) && !/\d/.test(firstWord) && date)) {
    // A separator line within a few lines closes the title, whatever its case (seeds 000 and 001).
    const sep = /\n[-_*]{3,}[ \t]*(\n|$)/.exec(text.slice(from, from + 600));
    const span = sep && text.slice(from, from + sep.index).split('\n').length <= 6 ? { subject: collapse(text.slice(from, from + sep.index)), end: from + sep.index + sep[0].length } : null;
    const read = span ?? (isCapsWord(firstWord) ? capsSubject(text, fold, from) : lineSubject(text, from));
    if (read.subject) {
      subject = read.subject;
      from = read.end;
    }
  }
  return { number, issuedOn, place, issuer, kindWord, subject, end: k || subject ? from : end };
}
