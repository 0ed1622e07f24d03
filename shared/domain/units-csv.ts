import { z } from 'zod';
import { InputError } from '../app/errors.ts';
import { UnitLevel, type UnitRow } from './units.ts';
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

const LEVEL_ALIASES: Record<string, UnitLevel> = {
  province: 'province',
  tinh: 'province',
  'tỉnh': 'province',
  'thành phố': 'province',
  district: 'district',
  huyen: 'district',
  'huyện': 'district',
  commune: 'commune',
  xa: 'commune',
  'xã': 'commune',
  'phường': 'commune',
  'thị trấn': 'commune',
  village: 'village',
  thon: 'village',
  'thôn': 'village',
  'khu phố': 'village',
  'tổ dân phố': 'village',
};

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

/** Reads a units CSV; every problem is reported with its line, and nothing is imported unless all lines are right. */
export function parseUnitsCsv(text: string): (UnitRow & { line: number })[] {
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
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const out: (UnitRow & { line: number })[] = [];
  const email = z.email();
  for (const { line, cells } of rows) {
    const get = (f: keyof UnitRow) => (index[f] >= 0 ? (cells[index[f]] ?? '').trim() : '');
    const id = get('id');
    const name = get('name');
    const levelRaw = get('level').toLowerCase();
    const level = LEVEL_ALIASES[levelRaw];
    const lineProblems: string[] = [];
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) lineProblems.push(`mã "${id}" chỉ được gồm chữ thường không dấu, số và dấu gạch ngang`);
    if (!name) lineProblems.push('thiếu tên đơn vị');
    if (!level) lineProblems.push(`cấp "${get('level')}" không hợp lệ; dùng một trong: tỉnh, huyện, xã, thôn (hoặc province, district, commune, village)`);
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
    seen.set(id, line);
    if (lineProblems.length) problems.push(...lineProblems.map((p) => `Dòng ${line}: ${p}`));
    else {
      const parentId = get('parentId');
      out.push({ id, name, level: level as UnitLevel, ...(parentId ? { parentId } : {}), emails, leaderEmails, ...counts, line });
    }
  }
  if (problems.length) throw new InputError(`Tệp đơn vị có ${problems.length} lỗi, chưa nhập đơn vị nào`, problems);
  return out;
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
