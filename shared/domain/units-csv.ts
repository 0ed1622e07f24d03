import { z } from 'zod';
import { InputError } from './errors.ts';
import { foldVi } from './text.ts';
import { type UnitLevel, type UnitLine, type UnitProblem, type UnitRow } from './units.ts';
import { splitCsv } from './csv.ts';

/** Accepted column names: English for engineers, Vietnamese without diacritics for officers' spreadsheets. */
const COLUMNS: Record<keyof UnitRow, string[]> = {
  id: ['id', 'ma', 'ma_don_vi'],
  name: ['name', 'ten', 'ten_don_vi'],
  level: ['level', 'cap'],
  parentId: ['parent_id', 'parent', 'ma_cap_tren', 'ma_don_vi_cha'],
  emails: ['emails', 'email'],
  leaderEmails: ['leader_emails', 'email_lanh_dao'],
  households: ['households', 'so_ho'],
  population: ['population', 'dan_so'],
};

/**
 * The words for each level, as units are called across the country (Circular 04/2012/TT-BNV: "thôn, làng, ấp, bản,
 * buôn, bon, phum, sóc" are all a thôn; "tổ dân phố, khu phố, khối phố, khóm, tiểu khu" a tổ dân phố; xóm in the
 * north). "thành phố" alone is a province (Hà Nội, Huế…); a city under a province is "thành phố thuộc tỉnh".
 */
export const LEVEL_WORDS: Record<UnitLevel, readonly string[]> = {
  province: ['tỉnh', 'thành phố', 'thành phố trực thuộc trung ương'],
  district: ['huyện', 'quận', 'thị xã', 'thành phố thuộc tỉnh', 'thành phố thuộc thành phố trực thuộc trung ương'],
  commune: ['xã', 'phường', 'thị trấn', 'đặc khu'],
  village: ['thôn', 'bản', 'ấp', 'xóm', 'làng', 'buôn', 'bon', 'phum', 'sóc', 'tổ dân phố', 'khu phố', 'khối phố', 'khóm', 'tiểu khu'],
};

const levelKey = (text: string) => foldVi(text).replace(/\s+/g, ' ');

/** Case, diacritics and spacing do not matter: "Tiểu khu", "tieu khu" and "TIỂU  KHU" are all a village. */
const LEVEL_ALIASES: ReadonlyMap<string, UnitLevel> = new Map(
  (Object.entries(LEVEL_WORDS) as [UnitLevel, readonly string[]][]).flatMap(([level, words]) => [[level, level] as const, ...words.map((w) => [levelKey(w), level] as const)]),
);

export function levelOf(text: string): UnitLevel | undefined {
  return LEVEL_ALIASES.get(levelKey(text));
}

const LEVEL_HINT = 'dùng tỉnh, thành phố; huyện, quận, thị xã, thành phố thuộc tỉnh; xã, phường, thị trấn, đặc khu; thôn, bản, ấp, xóm, làng, buôn, bon, phum, sóc, tổ dân phố, khu phố, khối phố, khóm, tiểu khu (hoặc province, district, commune, village)';

/** Splits CSV text (RFC 4180: quotes, doubled quotes, newlines inside quotes) into rows with their line numbers. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const split = splitCsv(text.replace(/^\uFEFF/, ''), ',', Number.POSITIVE_INFINITY);
  if (split.openQuoteLine) throw new InputError(`Dòng ${split.openQuoteLine}: dấu ngoặc kép (") mở nhưng không đóng`);
  return split.rows;
}

const emailList = (raw: string) =>
  raw
    .split(/[;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** A units file as read: the good rows, every line that has an id (for the hierarchy checks), and each line's problems. */
export interface UnitsFile {
  rows: (UnitRow & { line: number })[];
  lines: UnitLine[];
  problems: UnitProblem[];
}

/**
 * Reads a units CSV without stopping at the first bad line: every line's problems are collected. Only a file that
 * cannot be read as a table at all (no header, missing columns, an open quote) is refused at once.
 */
export function readUnitsCsv(text: string): UnitsFile {
  const rows = parseCsv(text);
  const header = rows.shift();
  if (!header) throw new InputError('Tệp đơn vị trống', ['Dòng 1 phải là tiêu đề: id,name,level,parent_id,emails,leader_emails']);
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const index = {} as Record<keyof UnitRow, number>;
  const missing: string[] = [];
  for (const [field, aliases] of Object.entries(COLUMNS) as [keyof UnitRow, string[]][]) {
    const i = names.findIndex((n) => aliases.includes(n));
    index[field] = i;
    if (i < 0 && (field === 'id' || field === 'name' || field === 'level')) missing.push(aliases[0] as string);
  }
  if (missing.length) {
    throw new InputError(`Dòng 1: thiếu cột ${missing.join(', ')}`, [`Tiêu đề đọc được: ${header.cells.join(',')}`, 'Tiêu đề cần có: id,name,level,parent_id,emails,leader_emails']);
  }
  const problems: UnitProblem[] = [];
  const lines: UnitLine[] = [];
  const seen = new Map<string, number>();
  const out: (UnitRow & { line: number })[] = [];
  const email = z.email();
  for (const { line, cells } of rows) {
    const get = (f: keyof UnitRow) => (index[f] >= 0 ? (cells[index[f]] ?? '').trim() : '');
    const id = get('id');
    const name = get('name');
    const level = levelOf(get('level'));
    const parentId = get('parentId');
    const lineProblems: string[] = [];
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) lineProblems.push(id ? `mã "${id}" chỉ được gồm chữ thường không dấu, số và dấu gạch ngang` : 'thiếu mã đơn vị');
    if (!name) lineProblems.push('thiếu tên đơn vị');
    if (!level) lineProblems.push(get('level') ? `cấp "${get('level')}" không hợp lệ; ${LEVEL_HINT}` : `thiếu cấp đơn vị; ${LEVEL_HINT}`);
    const emails = emailList(get('emails'));
    const leaderEmails = emailList(get('leaderEmails'));
    for (const e of [...emails, ...leaderEmails]) if (!email.safeParse(e).success) lineProblems.push(`địa chỉ email "${e}" không hợp lệ`);
    const counts: { households?: number; population?: number } = {};
    for (const f of ['households', 'population'] as const) {
      const raw = get(f).replace(/[.\s]/g, '');
      if (!raw) continue;
      if (!/^\d+$/.test(raw)) lineProblems.push(`cột ${f === 'households' ? 'số hộ' : 'dân số'} phải là số nguyên không âm, nhận được "${get(f).slice(0, 30)}"`);
      else counts[f] = Number(raw);
    }
    const previous = seen.get(id);
    if (id && previous) lineProblems.push(`mã "${id}" đã có ở dòng ${previous}`);
    else if (id) seen.set(id, line);
    if (id) lines.push({ line, id, name, ...(level ? { level } : {}), ...(parentId ? { parentId } : {}) });
    if (lineProblems.length) problems.push(...lineProblems.map((message) => ({ line, message })));
    else out.push({ id, name, level: level as UnitLevel, ...(parentId ? { parentId } : {}), emails, leaderEmails, ...counts, line });
  }
  return { rows: out, lines, problems };
}

/** Reads a units CSV; every problem of its lines is reported with its line, and nothing is imported unless all lines are right. */
export function parseUnitsCsv(text: string): (UnitRow & { line: number })[] {
  const file = readUnitsCsv(text);
  if (file.problems.length) throw unitsRefusal(file.problems);
  return file.rows;
}

/** The refusal of a units file: each problem as "Dòng N: …", in the order of the lines. */
export function unitsRefusal(problems: readonly UnitProblem[]): InputError {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  return new InputError(`Tệp đơn vị có ${sorted.length} lỗi, chưa nhập đơn vị nào`, sorted.map((p) => `Dòng ${p.line}: ${p.message}`));
}

export function unitsToCsv(rows: readonly UnitRow[]): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return [
    'id,name,level,parent_id,emails,leader_emails,households,population',
    ...rows.map((r) =>
      [r.id, r.name, r.level, r.parentId ?? '', r.emails.join(';'), r.leaderEmails.join(';'), r.households?.toString() ?? '', r.population?.toString() ?? ''].map(q).join(','),
    ),
  ].join('\n') + '\n';
}
