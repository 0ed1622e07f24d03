/**
 * Reading an official document (plain text): header, references, numbered items, reporting duty, target groups.
 * What cannot be read is null, never invented.
 */
import { collapse, dateAt, fold1, numberRe, officialNumber, readColumns, readHeader, sameNumber } from './header.ts';

export { officialNumber } from './header.ts';
import { executors, readAddressees, vvSubject } from './letter.ts';
import { normalizeDocument } from './normalize.ts';
import { readReporting, type Cadence } from './reporting.ts';

export type { Cadence };

export { fold1 };

export type DocumentKind =
  | 'thông báo'
  | 'chỉ thị'
  | 'kế hoạch'
  | 'công văn'
  | 'quyết định'
  | 'báo cáo'
  | 'hướng dẫn'
  | 'nghị quyết'
  | 'kết luận';

export interface DocumentReference {
  kind: string | null;
  number: string;
  date: string | null;
}
export interface LabelledText {
  label: string;
  text: string;
}
export interface ExtractedDocument {
  kind: DocumentKind | null;
  number: string | null;
  issuedOn: string | null;
  place: string | null;
  issuer: string | null;
  subject: string | null;
  recipients: string[];
  signer: { name: string | null; title: string | null };
  references: DocumentReference[];
  items: LabelledText[];
  reporting: { cadences: Cadence[]; to: string | null } | null;
  targets: LabelledText[];
}


const KINDS: [string, DocumentKind][] = [
  ['thong bao', 'thông báo'],
  ['chi thi', 'chỉ thị'],
  ['ke hoach', 'kế hoạch'],
  ['cong van', 'công văn'],
  ['quyet dinh', 'quyết định'],
  ['bao cao', 'báo cáo'],
  ['huong dan', 'hướng dẫn'],
  ['nghi quyet', 'nghị quyết'],
  ['ket luan', 'kết luận'],
];
const REF_KINDS: Record<string, string> = {
  'chi thi': 'chỉ thị',
  'ke hoach': 'kế hoạch',
  'ket luan': 'kết luận',
  'nghi quyet': 'nghị quyết',
  'quyet dinh': 'quyết định',
  'thong tu': 'thông tư',
  'thong bao': 'thông báo',
  'cong van': 'công văn',
  'huong dan': 'hướng dẫn',
  'bao cao': 'báo cáo',
  'nghi dinh': 'nghị định',
};
const KIND_CODES: Record<string, string> = {
  CT: 'chỉ thị',
  TB: 'thông báo',
  KH: 'kế hoạch',
  KL: 'kết luận',
  NQ: 'nghị quyết',
  QĐ: 'quyết định',
  TT: 'thông tư',
  HD: 'hướng dẫn',
  BC: 'báo cáo',
  CV: 'công văn',
  NĐ: 'nghị định',
};

/** Proper spellings of bodies, places and titles; matched ignoring diacritics and case, longest first. */
const VOCABULARY = [
  'Văn phòng', 'Tỉnh ủy', 'Huyện ủy', 'Thành ủy', 'Thị ủy', 'Đảng ủy', 'Ban Thường vụ', 'Thường trực', 'Ban Chấp hành',
  'Ban Tuyên giáo', 'Ban Dân vận', 'Ban Tổ chức', 'Ban Nội chính', 'Ban Bí thư', 'Ủy ban Kiểm tra', 'Ủy ban nhân dân',
  'Hội đồng nhân dân', 'Mặt trận Tổ quốc Việt Nam', 'Trung ương', 'Đảng', 'Chính phủ', 'Thủ tướng', 'Bộ Công an', 'Bộ Nội vụ',
  'Sở Nội vụ', 'Phòng Nội vụ', 'Hội đồng Thi đua - Khen thưởng', 'Chánh Văn phòng', 'Phó Chánh Văn phòng', 'Bí thư',
  'Phó Bí thư', 'Chủ tịch', 'Phó Chủ tịch', 'Giám đốc', 'Phó Giám đốc', 'Trưởng ban', 'Phó Trưởng ban', 'Trưởng phòng',
  'Bình Thuận', 'Phan Thiết', 'La Gi', 'Tuy Phong', 'Bắc Bình', 'Hàm Thuận Bắc', 'Hàm Thuận Nam', 'Hàm Tân', 'Đức Linh',
  'Tánh Linh', 'Phú Quý', 'tỉnh', 'huyện', 'thành phố', 'thị xã', 'xã', 'phường', 'thị trấn',
];
const VOCAB = VOCABULARY.map((p) => ({ words: fold1(p).split(' '), proper: p.split(' ') })).sort((a, b) => b.words.length - a.words.length);
const PLACE_BEFORE = new Set(['tỉnh ủy', 'huyện ủy', 'thành ủy', 'thị ủy', 'tỉnh', 'huyện', 'thành phố', 'thị xã', 'xã', 'phường', 'thị trấn', 'ủy ban nhân dân', 'hội đồng nhân dân']);
const KEEP_UPPER = /^(T\/M|K\/T|TM\.?|KT\.?|TL\.?|TUQ\.?|UBND|HĐND|MTTQ|TW|[IVX]+)$/;

/** Proper case and diacritics from the vocabulary: "TINH UY BINH THUAN" → "Tỉnh ủy Bình Thuận", "VĂN PHÒNG" → "Văn phòng". */
export function restoreVi(text: string): string {
  const words = collapse(text).split(' ').filter(Boolean);
  const folded = words.map((w) => fold1(w).replace(/[^a-z0-9/]/g, ''));
  const caps = words.join('') === words.join('').toUpperCase();
  const out: string[] = [];
  // After "Tỉnh ủy", "huyện", "xã"… an unknown capitalised word is a place name: "TỈNH ỦY KHÁNH HÒA" → "Tỉnh ủy Khánh Hòa".
  let placeNext = false;
  for (let i = 0; i < words.length; ) {
    const hit = VOCAB.find((v) => v.words.every((w, k) => folded[i + k] === w));
    if (hit) {
      hit.proper.forEach((p, k) => out.push(p + (words[i + k] as string).replace(/^.*?([,.;:)]*)$/, '$1')));
      placeNext = PLACE_BEFORE.has(hit.proper.join(' ').toLowerCase());
      i += hit.words.length;
      continue;
    }
    const w = words[i] as string;
    const isName: boolean = caps && placeNext && /^\p{Lu}/u.test(w) && !KEEP_UPPER.test(w);
    out.push(isName ? w.charAt(0) + w.slice(1).toLowerCase() : KEEP_UPPER.test(w) || !caps ? w : w.toLowerCase());
    placeNext = isName;
    i++;
  }
  const s = out.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The kind code of a number: "KH" in "594/KH-UBND", "KL" in "445-KL/TƯ", "TB" in "281  / TB – HTS". */
const codeOf = (n: string): string | undefined => /^\d+\s*[-/]\s*(?:\d{4}\s*\/\s*)?(\p{Lu}+)/u.exec(n)?.[1];

const isCaps = (s: string): boolean => {
  const letters = s.replace(/[^\p{L}]/gu, '');
  return letters.length >= 2 && letters === letters.toUpperCase();
};

const CLOSING = /^(noi nhan|van phong .{0,40}thong bao|can cu (thong bao|ke hoach|chi thi|cong van|van ban|nghi quyet)|nhan duoc .{0,40}(nay|tren))/;
const SECTION = /^([IVX]{1,4})\s*[.\-–)]\s*(.*)$/;
/** The articles of a quyết định: "Điều 1. Ban hành …". */
const ARTICLE = /^Điều\s+(\d{1,2})\s*[.:]\s+(.*)$/;
/** Where a flattened paragraph holds the next article ("… Cao Bằng Điều 2. Quyết định …"), not a citation ("tại Điều 3."). */
const INLINE_ARTICLE = /(?<!(?:tại|theo|của|và|khoản|tai|cua|va|khoan),?)\s+(?=Điều \d{1,2}\.\s+\p{Lu})/u;
/** OCR's labels: "l." for "1.", "Il." for "II.". */
const ocrLabel = (l: string): string =>
  l.replace(/^([IVX]*l[IVXl]*)(?=\s*[.\-–)]\s)/, (lab) => (/[IVX]/.test(lab) ? lab.replace(/l/g, 'I') : lab === 'l' ? '1' : lab));
const SIGN_START =
  /^(t\/m|tm\.?|k\/t|kt\.?|tl\.?|tuq\.?|chu tich|pho chu tich|giam doc|pho giam doc|tong giam doc|bi thu|pho bi thu|chanh van phong|pho chanh van phong|truong ban|pho truong ban|truong phong|pho truong phong|thu truong|chu nhiem|thu tuong|bo truong|cuc truong|vu truong|hieu truong)\b/;
const ITEM = /^(\d{1,2})\s*[.\-–)]\s+(.*)$/;
const TARGET = /^\((\d{1,2})\)\s*[-–]?\s*(.*)$/;

const LOCAL_LEVEL = '(?:tinh|huyen|xa|thanh pho|thi xa|quan|phuong|thi tran)';

/**
 * A title lost with the header: the sentence in which the issuer itself "ban hành" the document ("UBND tỉnh ban
 * hành Kế hoạch giám sát …"), not a cited one ("… của UBND tỉnh về ban hành Kế hoạch …").
 */
function issuedSubject(flat: string, ff: string, kind: DocumentKind): string | null {
  const re = new RegExp(`(?:ubnd|uy ban nhan dan)(?: ${LOCAL_LEVEL}(?: [a-z]+){0,2})? ban hanh ${fold1(kind)} `, 'g');
  for (const m of ff.matchAll(re)) {
    if (/(cua|ve)\s*$/.test(ff.slice(Math.max(0, m.index - 5), m.index)) || / ve ban hanh /.test(m[0])) continue;
    const from = m.index + m[0].length;
    const stop = ff.slice(from).search(/\s*\(|, cu the|\s+voi cac noi dung|\s+nhu sau|:|\.\s/);
    const title = collapse(flat.slice(from, stop < 0 ? undefined : from + stop));
    if (title) return title.charAt(0).toUpperCase() + title.slice(1);
  }
  return null;
}

export function extractDocument(raw: string): ExtractedDocument {
  const { text } = normalizeDocument(raw);
  // The header's columns read one after the other, whatever the extraction did to them.
  const lines = readColumns(text.split('\n').filter((l) => l.trim() !== ''))
    .flatMap((l) => l.split(INLINE_ARTICLE))
    .map(ocrLabel);
  const fl = lines.map(fold1);
  const joined = lines.join('\n');
  // The fold is per character, so the folded lines joined are the fold of the joined text.
  const foldedText = fl.join('\n');

  // ---- Header ---------------------------------------------------------------------------------
  const head = readHeader(joined, KINDS.map(([w]) => w), restoreVi, foldedText);
  const { number, issuedOn, place, issuer } = head;
  let kind: DocumentKind | null = KINDS.find(([w]) => w === head.kindWord)?.[1] ?? null;
  let subject = head.subject;
  // The body starts on the line where the header ended (the same line, when the header was flattened into it).
  const headLine = joined.slice(0, head.end).split('\n').length - 1;
  let firstBodyLine = head.end === 0 ? 0 : /^\s*(\n|$)/.test(joined.slice(head.end)) ? headLine + 1 : headLine;
  const addressees = readAddressees(lines, fl);
  // A letter without a kind line: the kind its symbol names, else a công văn (it has V/v or Kính gửi).
  if (kind === null && number !== null) {
    const code = codeOf(number);
    const k = code ? KIND_CODES[code] : undefined;
    const found = KINDS.find(([, v]) => v === k);
    if (found) kind = found[1];
  }
  subject ??= vvSubject(joined, addressees.line >= 0 ? lines.slice(0, addressees.line + 1).join('\n').length : Math.min(joined.length, 3000), foldedText);
  if (kind === null && (addressees.line >= 0 || (subject !== null && head.subject === null))) kind = 'công văn';

  // ---- Footer: recipients and signer ----------------------------------------------------------
  const recipients: string[] = [];
  const addRecipient = (r: string) => {
    const t = collapse(r).replace(/^[-–+•]\s*/, '').replace(/[,.;]+$/, '').trim();
    const f = fold1(t);
    if (!t || /^(nhu tren|luu\b)/.test(f) || recipients.includes(t)) return;
    recipients.push(t);
  };
  let bodyEnd = lines.length;
  if (addressees.line >= 0) {
    addressees.recipients.forEach(addRecipient);
    firstBodyLine = Math.max(firstBodyLine, addressees.end);
  }
  let signerTitle: string | null = null;
  let signerName: string | null = null;
  const noiNhan = fl.findIndex((f, i) => i >= firstBodyLine && /^noi nhan\s*:?/.test(f));
  let after = -1;
  if (noiNhan >= 0) {
    bodyEnd = noiNhan;
    const list: string[] = [];
    const rest = (lines[noiNhan] as string).replace(/^\S+\s+\S+\s*:?\s*/, '');
    if (rest) list.push(rest);
    let i = noiNhan + 1;
    for (; i < lines.length; i++) {
      const l = lines[i] as string;
      if (/^[-–+•]/.test(l)) list.push(l);
      else if (/^\p{Ll}/u.test(l) && list.length) list[list.length - 1] += ' ' + l;
      else break;
    }
    list.forEach(addRecipient);
    after = i;
  } else {
    after = Math.max(firstBodyLine, lines.length - 8);
  }
  // The signature: a run of capital lines that opens with a signing word ("T/M", "KT.", "CHỦ TỊCH", "CHÁNH VĂN
  // PHÒNG"…); a heading in capitals where the text stops is no title.
  let titleLines: string[] = [];
  let t = after;
  for (; t < lines.length; t++) {
    const l = lines[t] as string;
    if (isCaps(l) && !/\d/.test(l)) {
      titleLines.push(l);
      continue;
    }
    if (titleLines.length && SIGN_START.test(fold1(titleLines.join(' ')))) break;
    titleLines = [];
    if (noiNhan >= 0) break;
  }
  if (titleLines.length && !SIGN_START.test(fold1(titleLines.join(' ')))) titleLines = [];
  if (titleLines.length) {
    signerTitle = restoreVi(titleLines.join(' ')).replace(/^(T\/M|K\/T|TM\.|KT\.)\s+(\S)/, (_, a: string, c: string) => `${a} ${c.toUpperCase()}`);
    for (let i = lines.length - 1; i >= t; i--) {
      const l = lines[i] as string;
      const words = l.split(/\s+/);
      if (words.length >= 2 && words.length <= 5 && words.every((w) => /^\p{Lu}/u.test(w)) && !/\d/.test(l)) {
        signerName = isCaps(l) ? words.map((w) => w.charAt(0) + w.slice(1).toLowerCase()).join(' ') : l;
        break;
      }
    }
  } else {
    // A web page's own record of the document: "Người ký: Nguyễn Kim Dũng".
    signerName = /Người ký[ \t]*:[ \t]*((?:\p{Lu}\p{Ll}*[ \t]+){1,4}\p{Lu}\p{Ll}*)/u.exec(lines.slice(0, 40).join('\n'))?.[1] ?? null;
  }

  // ---- Body: flat text for references and reporting ------------------------------------------
  const flat = lines.join(' ');
  const ff = fl.join(' ');
  // A quyết định is addressed by its last article: those who "chịu trách nhiệm thi hành" it.
  const executing = kind === 'quyết định' && addressees.line < 0 ? executors(flat, ff) : [];
  if (executing.length) recipients.splice(0, recipients.length, ...executing);
  const references: DocumentReference[] = [];
  for (const m of flat.matchAll(numberRe())) {
    const num = officialNumber(m[0]);
    if (number !== null && sameNumber(num, number)) continue;
    const idx = m.index;
    const before = ff.slice(Math.max(0, idx - 30), idx);
    let refKind: string | null = null;
    const kw = Object.keys(REF_KINDS).map((k) => ({ k, at: before.lastIndexOf(k) })).filter((x) => x.at >= 0).sort((a, b) => b.at - a.at)[0];
    if (kw && /^\s*(so\s*)?$/.test(before.slice(kw.at + kw.k.length))) refKind = REF_KINDS[kw.k] ?? null;
    if (refKind === null) {
      const code = codeOf(num);
      refKind = (code && KIND_CODES[code]) || null;
    }
    const date = dateAt(ff.slice(idx + m[0].length, idx + m[0].length + 60))?.iso ?? null;
    const prev = references.find((r) => r.number === num);
    if (prev) {
      if (prev.date === null) prev.date = date;
      if (prev.kind === null) prev.kind = refKind;
    } else references.push({ kind: refKind, number: num, date });
  }

  // ---- Items and targets -----------------------------------------------------------------------
  interface Item { label: string; lines: string[]; section: number }
  const sections: string[] = [];
  const headings: LabelledText[] = [];
  const items: Item[] = [];
  const targets: Item[] = [];
  let current: Item | null = null;
  let currentTarget: Item | null = null;
  let lastNo = 0;
  let run = 0;
  const runs: number[] = [];
  for (let i = firstBodyLine; i < bodyEnd; i++) {
    const l = lines[i] as string;
    const f = fl[i] as string;
    const sec = SECTION.exec(l);
    if (sec && (sec[2] as string).length > 0) {
      sections.push(fold1(l));
      headings.push({ label: sec[1] as string, text: collapse(sec[2] as string) });
      // a heading may run onto the next line; it is not item text either way
      current = null;
      currentTarget = null;
      lastNo = 0;
      continue;
    }
    if (CLOSING.test(f)) {
      current = null;
      currentTarget = null;
      continue;
    }
    const it = ITEM.exec(l) ?? ARTICLE.exec(l);
    if (it && (Number(it[1]) === lastNo + 1 || Number(it[1]) === 1)) {
      if (Number(it[1]) === 1) run++;
      lastNo = Number(it[1]);
      current = { label: it[1] as string, lines: [it[2] as string], section: sections.length };
      runs.push(run);
      items.push(current);
      currentTarget = null;
      continue;
    }
    const tg = TARGET.exec(l);
    if (tg && Number(tg[1]) === targets.length + 1) {
      currentTarget = { label: `(${tg[1]})`, lines: [tg[2] as string], section: sections.length };
      targets.push(currentTarget);
      current?.lines.push(l);
      continue;
    }
    if (current) current.lines.push(l);
    if (currentTarget) currentTarget.lines.push(l);
  }
  // The tasks: the items of the section about tasks ("nhiệm vụ"), else the first run of items.
  const taskSection = sections.findIndex((s) => /nhiem vu|giai phap|noi dung/.test(s));
  let chosen = items.map((it, k) => ({ it, run: runs[k] as number }));
  if (taskSection >= 0 && chosen.some((c) => c.it.section === taskSection + 1)) chosen = chosen.filter((c) => c.it.section === taskSection + 1);
  else if (chosen.length) {
    const firstRun = (chosen[0] as { run: number }).run;
    chosen = chosen.filter((c) => c.run === firstRun);
  }

  // ---- Reporting duty --------------------------------------------------------------------------
  const reporting = readReporting(flat, ff);
  if (subject === null && kind !== null) subject = issuedSubject(flat, ff, kind);

  return {
    kind,
    number,
    issuedOn,
    place,
    issuer,
    subject,
    recipients,
    signer: { name: signerName, title: signerTitle },
    references,
    // Without numbered items, the Roman-numeral sections are what the document asks.
    items: chosen.length ? chosen.map(({ it }) => ({ label: it.label, text: collapse(it.lines.join(' ')) })) : headings,
    reporting,
    targets: targets.map((x) => ({ label: x.label, text: collapse(x.lines.join(' ')) })),
  };
}

