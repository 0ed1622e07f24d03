/**
 * What a letter (công văn) says where a kind line would be: its trích yếu after "V/v", its addressees after
 * "Kính gửi:"; and for a quyết định without "Kính gửi", the executors its last article names.
 */
import { collapse, fold1 } from './header.ts';

const ADDRESS = /(?:^|\s)kinh gui\s*:?\s*/;
const BULLET = /^[-–+•]\s*/;

export interface Addressees {
  /** The line "Kính gửi" is on, or -1. */
  line: number;
  recipients: string[];
  /** The first line after the list. */
  end: number;
}

/**
 * The addressees after "Kính gửi:": the rest of its line ("- A; - B; …" split, flattened pages put them on one line),
 * then the lines that carry the list on: "- X" lines, or any line after one that ended in "," or ";".
 */
export function readAddressees(lines: readonly string[], folded: readonly string[], scan = 40): Addressees {
  const line = folded.findIndex((f, i) => i < scan && ADDRESS.test(f));
  if (line < 0) return { line, recipients: [], end: 0 };
  const m = ADDRESS.exec(folded[line] as string) as RegExpExecArray;
  const content = (lines[line] as string).slice(m.index + m[0].length).trim();
  const out: string[] = [];
  if (BULLET.test(content) && /;\s*[-–+•]\s/.test(content)) {
    const parts = content.split(/;\s*(?=[-–+•]\s)/);
    // The last addressee ends at its ";" or "."; what follows on the line is the body.
    parts[parts.length - 1] = (parts.at(-1) as string).split(/[;.](?:\s|$)/)[0] as string;
    out.push(...parts);
  } else if (content) out.push(content);
  let end = line + 1;
  for (; end < lines.length; end++) {
    const l = lines[end] as string;
    const carriesOn = BULLET.test(l) || (out.length > 0 && /[,;]$/.test(out.at(-1) as string) && l.length < 120 && !/:$/.test(l));
    if (!carriesOn) break;
    out.push(l);
  }
  return { line, recipients: out.map(clean).filter(Boolean), end };
}

const clean = (r: string): string =>
  collapse(r)
    .replace(BULLET, '')
    .replace(/[,.;]+$/, '')
    .trim();

/**
 * The trích yếu after "V/v" nearest before `before` (the addressees), within the header: up to a closing quote,
 * "Kính gửi", the place and date, or a line that does not carry on in lower case.
 */
export function vvSubject(text: string, before: number, fold = fold1(text)): string | null {
  const all = [...fold.slice(0, before).matchAll(/(?:^|[\s“"])v\/v\s*:?\s*/g)];
  const m = all.at(-1);
  if (!m) return null;
  const from = m.index + m[0].length;
  let end = from;
  for (;;) {
    const nl = text.indexOf('\n', end);
    const lineEnd = nl < 0 ? text.length : nl;
    end = lineEnd;
    const next = nl < 0 ? '' : (text.slice(nl + 1).split('\n')[0] as string);
    if (!next || !/^\s*\p{Ll}/u.test(next)) break;
    end = nl + 1;
  }
  let s = text.slice(from, end);
  const stop = fold.slice(from, end).search(/[”"]|(?:^|\s)kinh gui|\s\p{L}+(?: \p{L}+){0,3}, ngay \d|cong hoa xa hoi/u);
  if (stop >= 0) s = s.slice(0, stop);
  return collapse(s).replace(/^[“"]|[”"]$/g, '') || null;
}

/** "Điều 3. A; B; C và D chịu trách nhiệm thi hành Quyết định này": A, B, C and D. */
export function executors(flat: string, fold = fold1(flat)): string[] {
  const duty = [...fold.matchAll(/\s*chiu trach nhiem thi hanh/g)].at(-1);
  if (!duty) return [];
  const article = [...fold.slice(0, duty.index).matchAll(/dieu \d+\s*[.:]\s*/g)].at(-1);
  if (!article) return [];
  const parts = flat.slice(article.index + article[0].length, duty.index).split(/\s*;\s*/);
  const last = (parts.pop() as string).split(/\s+và\s+(?=các\s|\p{Lu})/u);
  return [...parts, ...last].map(clean).filter(Boolean);
}
