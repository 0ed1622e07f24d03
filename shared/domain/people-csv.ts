/**
 * The people file an administrator imports: one line per role a person holds at a unit
 * (`email,name,role,unit_id`; Vietnamese headers `email,ho_ten,vai_tro,ma_don_vi` work too). A person who acts for
 * several units has several lines; their grants are merged. Every problem of the file is reported at once.
 */
import { z } from 'zod';
import { Person, Role, type Grant } from './access.ts';
import { InputError } from './errors.ts';
import { foldVi } from './text.ts';
import { parseCsv } from './units-csv.ts';

const COLUMNS = {
  email: ['email', 'thu_dien_tu'],
  name: ['name', 'ho_ten', 'ten'],
  role: ['role', 'vai_tro'],
  unitId: ['unit_id', 'unit', 'ma_don_vi', 'don_vi'],
} as const;

/** The role words an office types, with or without diacritics. */
const ROLE_WORDS: Record<Role, readonly string[]> = {
  office: ['office', 'văn phòng', 'văn phòng thi đua', 'thường trực thi đua'],
  officer: ['officer', 'cán bộ', 'cán bộ đơn vị'],
  approver: ['approver', 'duyệt', 'người duyệt', 'cấp duyệt'],
  leader: ['leader', 'lãnh đạo'],
  admin: ['admin', 'quản trị', 'quản trị viên'],
  secretary: ['secretary', 'thư ký', 'thư ký hội đồng', 'thư ký hội đồng thi đua'],
};
const ROLE_BY_WORD = new Map(Object.entries(ROLE_WORDS).flatMap(([role, words]) => words.map((w) => [foldVi(w).replace(/\s+/g, ' '), role as Role] as const)));

export const roleOf = (text: string): Role | undefined => ROLE_BY_WORD.get(foldVi(text).replace(/\s+/g, ' '));

export interface PeopleFile {
  people: (Person & { lines: number[] })[];
  problems: { line: number; messageVi: string }[];
}

/** Reads the file; never throws on its content (problems are listed by line). */
export function readPeopleCsv(text: string): PeopleFile {
  const rows = parseCsv(text);
  const header = rows.shift();
  const problems: PeopleFile['problems'] = [];
  if (!header) return { people: [], problems: [{ line: 1, messageVi: 'Tệp trống; dòng 1 phải là tiêu đề: email,name,role,unit_id' }] };
  const names = header.cells.map((c) => foldVi(c).replace(/\s+/g, '_'));
  const index = Object.fromEntries(Object.entries(COLUMNS).map(([field, aliases]) => [field, names.findIndex((n) => (aliases as readonly string[]).includes(n))])) as Record<keyof typeof COLUMNS, number>;
  const missing = Object.entries(index).filter(([, i]) => i < 0).map(([f]) => COLUMNS[f as keyof typeof COLUMNS][0]);
  if (missing.length) return { people: [], problems: [{ line: 1, messageVi: `Dòng 1: thiếu cột ${missing.join(', ')} (tiêu đề cần có: email,name,role,unit_id)` }] };

  const byEmail = new Map<string, Person & { lines: number[] }>();
  const email = z.email();
  for (const { line, cells } of rows) {
    const get = (f: keyof typeof COLUMNS) => (cells[index[f]] ?? '').trim();
    const address = get('email').toLowerCase();
    const role = roleOf(get('role'));
    const unitId = get('unitId');
    const lineProblems: string[] = [];
    if (!email.safeParse(address).success) lineProblems.push(`địa chỉ email "${get('email')}" không hợp lệ`);
    if (!get('name')) lineProblems.push('thiếu họ tên');
    if (!role) lineProblems.push(`vai trò "${get('role')}" không có; dùng một trong: văn phòng, cán bộ, duyệt, lãnh đạo, quản trị`);
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(unitId)) lineProblems.push(`mã đơn vị "${unitId}" không hợp lệ`);
    if (lineProblems.length) {
      problems.push(...lineProblems.map((messageVi) => ({ line, messageVi: `Dòng ${line}: ${messageVi}` })));
      continue;
    }
    const person = byEmail.get(address) ?? { email: address, name: get('name'), grants: [] as Grant[], lines: [] as number[] };
    if (!person.grants.some((g) => g.role === role && g.unitId === unitId)) person.grants.push({ role: role!, unitId });
    person.lines.push(line);
    byEmail.set(address, person);
  }
  return { people: [...byEmail.values()], problems };
}

export function peopleRefusal(problems: readonly { messageVi: string }[]): InputError {
  return new InputError(`Tệp người dùng có ${problems.length} lỗi, chưa nhập ai`, problems.map((p) => p.messageVi));
}

export const PEOPLE_CSV_HEADER = 'email,name,role,unit_id';
