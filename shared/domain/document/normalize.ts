/**
 * Plain-text normalisation of an official document as it really arrives: legacy TCVN3 (ABC) and VNI
 * encodings, NFD Unicode, lines broken inside a number or a date, page footers, OCR substitutions.
 */

/** The 12 Vietnamese vowel bases; each takes 6 tones in this order: none, huyền, sắc, hỏi, ngã, nặng. */
const BASES = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'] as const;
const TONE_MARKS = ['', '\u0300', '\u0301', '\u0309', '\u0303', '\u0323'] as const;

/** Lower-case Vietnamese vowels, 6 per base in the order of BASES × TONE_MARKS. */
const VOWELS: string[] = BASES.flatMap((b) => TONE_MARKS.map((m) => (b + m).normalize('NFC')));

/** TCVN3 (ABC, .VnTime) code points for VOWELS, same order. Toned capitals use these same codes (.VnTimeH font). */
const TCVN3_VOWELS =
  'aµ¸¶·¹' + '¨»¾¼½Æ' + '©ÇÊÈÉË' + 'eÌÐÎÏÑ' + 'ªÒÕÓÔÖ' + 'i×ÝØÜÞ' + 'oßãáâä' + '«åèæçé' + '¬êíëìî' + 'uïóñòô' + '­õøö÷ù' + 'yúýûüþ';
const TCVN3_EXTRA: Record<string, string> = { '®': 'đ', '¡': 'Ă', '¢': 'Â', '§': 'Đ', '£': 'Ê', '¤': 'Ô', '¥': 'Ơ', '¦': 'Ư' };

const TCVN3_DECODE = new Map<string, string>();
const TCVN3_ENCODE = new Map<string, string>();
[...TCVN3_VOWELS].forEach((code, i) => {
  const uni = VOWELS[i] as string;
  if (code !== uni) {
    TCVN3_DECODE.set(code, uni);
    TCVN3_ENCODE.set(uni, code);
    const upper = uni.toUpperCase();
    if (!TCVN3_ENCODE.has(upper)) TCVN3_ENCODE.set(upper, code);
  }
});
for (const [code, uni] of Object.entries(TCVN3_EXTRA)) {
  TCVN3_DECODE.set(code, uni);
  TCVN3_ENCODE.set(uni, code);
}
// Capitals without a tone have their own codes (¡ ¢ £ ¤ ¥ ¦ §); they override the lower-case fallback above.

/** VNI-Windows: a base letter followed by modifier characters. Lower-case and upper-case modifiers differ. */
const VNI_TONE_LO = ['', 'ø', 'ù', 'û', 'õ', 'ï'];
const VNI_TONE_UP = ['', 'Ø', 'Ù', 'Û', 'Õ', 'Ï'];
const VNI_CIRC_LO = ['â', 'à', 'á', 'å', 'ã', 'ä']; // â ầ ấ ẩ ẫ ậ (also ê ô)
const VNI_CIRC_UP = ['Â', 'À', 'Á', 'Å', 'Ã', 'Ä'];
const VNI_BREVE_LO = ['ê', 'è', 'é', 'ú', 'ü', 'ë']; // ă ằ ắ ẳ ẵ ặ
const VNI_BREVE_UP = ['Ê', 'È', 'É', 'Ú', 'Ü', 'Ë'];
const VNI_I_LO = ['i', 'ì', 'í', 'æ', 'ó', 'ò'];
const VNI_I_UP = ['I', 'Ì', 'Í', 'Æ', 'Ó', 'Ò'];

function vniOf(base: string, tone: number, upper: boolean): string {
  const t = (upper ? VNI_TONE_UP : VNI_TONE_LO)[tone] as string;
  const circ = (upper ? VNI_CIRC_UP : VNI_CIRC_LO)[tone] as string;
  const breve = (upper ? VNI_BREVE_UP : VNI_BREVE_LO)[tone] as string;
  const up = (s: string) => (upper ? s.toUpperCase() : s);
  switch (base) {
    case 'ă':
      return up('a') + breve;
    case 'â':
      return up('a') + circ;
    case 'ê':
      return up('e') + circ;
    case 'ô':
      return up('o') + circ;
    case 'ơ':
      return (upper ? 'Ô' : 'ô') + t;
    case 'ư':
      return (upper ? 'Ö' : 'ö') + t;
    case 'i':
      return (upper ? VNI_I_UP : VNI_I_LO)[tone] as string;
    case 'y':
      return tone === 5 ? (upper ? 'Î' : 'î') : up('y') + t;
    default:
      return up(base) + t;
  }
}

const VNI_ENCODE = new Map<string, string>();
BASES.forEach((b, bi) =>
  TONE_MARKS.forEach((_, ti) => {
    const uni = VOWELS[bi * 6 + ti] as string;
    const lo = vniOf(b, ti, false);
    const up = vniOf(b, ti, true);
    if (lo !== uni) VNI_ENCODE.set(uni, lo);
    if (up !== uni.toUpperCase()) VNI_ENCODE.set(uni.toUpperCase(), up);
  }),
);
VNI_ENCODE.set('đ', 'ñ');
VNI_ENCODE.set('Đ', 'Ñ');
const VNI_DECODE_KEYS = [...VNI_ENCODE.entries()].map(([u, v]) => [v, u] as const).sort((a, b) => b[0].length - a[0].length);
const VNI_DECODE = new Map(VNI_DECODE_KEYS);
const VNI_RE = new RegExp(VNI_DECODE_KEYS.map(([v]) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');

const VI_UNICODE = /[\u1EA0-\u1EF9ăâđêôơưĂÂĐÊÔƠƯ]/g;
const TCVN3_SIGNS = /[¡¢£¤¥¦§¨©ª«¬­®µ¶·¸¹»¼½¾]/g;
const VNI_SIGNS = /[aeoyuAEOYU][øùûõïØÙÛÕÏâàáåãäêèéúüëÂÀÁÅÃÄÊÈÉÚÜË]|[ôöÔÖ][øùûõïØÙÛÕÏ]|[ñÑ]/g;

export type Encoding = 'unicode' | 'tcvn3' | 'vni';

/** Which encoding the text is in: legacy encodings are recognised by their characteristic code points. */
export function detectEncoding(text: string): Encoding {
  const nfc = text.normalize('NFC');
  const vi = (nfc.match(VI_UNICODE) ?? []).length;
  const tcvn = (nfc.match(TCVN3_SIGNS) ?? []).length;
  const vni = (nfc.match(VNI_SIGNS) ?? []).length;
  if (Math.max(tcvn, vni) < 3 || vi * 4 > Math.max(tcvn, vni)) return 'unicode';
  return tcvn >= vni ? 'tcvn3' : 'vni';
}

/** TCVN3 → Unicode. Toned capitals share the lower-case codes, so a word written in capitals gets them back. */
export function decodeTcvn3(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const lineLetters = line.replace(/[^A-Za-z]/g, '');
      const lineCaps = lineLetters.length >= 3 && lineLetters === lineLetters.toUpperCase();
      return line.replace(/[^\s]+/g, (word) => {
        const letters = word.replace(/[^A-Za-z]/g, '');
        // one capital letter: "ñY" (ỦY) is a word in capitals, "Sè" (Số) is title case unless the whole line is in capitals
        const caps =
          lineCaps ||
          (letters.length > 0 && letters === letters.toUpperCase() && (letters.length > 1 || !/^[A-Z]/.test(word)));
        return [...word]
          .map((ch) => {
            const u = TCVN3_DECODE.get(ch);
            if (u === undefined) return ch;
            return caps ? u.toUpperCase() : u;
          })
          .join('');
      });
    })
    .join('\n');
}

export function encodeTcvn3(text: string): string {
  return [...text.normalize('NFC')].map((ch) => TCVN3_ENCODE.get(ch) ?? ch).join('');
}

export function decodeVni(text: string): string {
  return text.replace(VNI_RE, (m) => VNI_DECODE.get(m) ?? m);
}

export function encodeVni(text: string): string {
  return [...text.normalize('NFC')].map((ch) => VNI_ENCODE.get(ch) ?? ch).join('');
}

/** A page footer: a file name with an underscore and a page number ("45TBVP2020_sk 03nam Chi thi 23CTTU 2"), or a bare page number. */
export function isPageFooter(line: string): boolean {
  const t = line.trim();
  if (/^[-–]?\s*\d{1,3}\s*[-–]?$/.test(t)) return true;
  return /^\S*[A-Za-z0-9]_\S*(\s+\S+)*\s+\d{1,3}$/.test(t) && !/[\u00C0-\u1EF9]/.test(t);
}

/** Lines broken inside a number, a symbol or a date ("23-" / "CT/TU", "21/4/" / "2017", "1980/QĐ-" / "TTg"). */
export function joinBrokenLines(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    for (;;) {
      const end = line.trimEnd();
      const last = /(\S+)$/.exec(end)?.[1] ?? '';
      // "ngày 07 tháng 4 năm" / "2021": a date word left without its number (not before an item "2. ")
      const dateWord = /^(ngày|tháng|năm|ngay|thang|nam)$/i.test(last);
      if (!dateWord && !/^\d[\dA-Za-zĐđ/-]*[-/]$/.test(last)) break;
      let j = i + 1;
      while (j < lines.length && (lines[j] as string).trim() === '') j++;
      const next = j < lines.length ? (lines[j] as string).trimStart() : '';
      if (dateWord ? !/^\d+(?![\d.)–-])/.test(next) : !/^[\dA-ZĐ]/.test(next)) break;
      line = end + (dateWord ? ' ' : '') + next;
      i = j;
    }
    out.push(line);
  }
  return out;
}

/** OCR substitutions in key words: "S6 96-TB/VPTU" → "Số 96-TB/VPTU", "ngay 07 thang 4 nam 2021" → "ngày 07 tháng 4 năm 2021". */
export function fixOcr(text: string): string {
  return text
    .replace(/\b([Ss])[6o0ô](?=\s*:?\s*\d)/g, (_, s: string) => (s === 'S' ? 'Số' : 'số'))
    .replace(/\b([Nn])g[aà]y(\s+\d{1,2}\s+)th[aá]ng(\s+\d{1,2}\s+)n[aă]m(?=\s+\d{4})/g, (_, n: string, a: string, b: string) => `${n}gày${a}tháng${b}năm`);
}

export interface NormalizeResult {
  text: string;
  encoding: Encoding;
}

/** Everything above, in order: decode, NFC, line endings, footers, broken lines, OCR key words. */
export function normalizeDocument(raw: string): NormalizeResult {
  let text = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const encoding = detectEncoding(text);
  text = text.normalize('NFC');
  if (encoding === 'tcvn3') text = decodeTcvn3(text);
  else if (encoding === 'vni') text = decodeVni(text);
  text = text.normalize('NFC').replace(/\u00A0/g, ' ');
  const lines = text.split('\n').filter((l) => !isPageFooter(l) || l.trim() === '');
  text = joinBrokenLines(lines).join('\n');
  return { text: fixOcr(text), encoding };
}
