/**
 * A unit's past titles (hồ sơ thành tích) against a title's history rules, explained in words the council reads beside
 * each candidate ("Thiếu năm 2024: chưa đủ 5 năm liên tục …"): the rules flag, the council still decides. Also the
 * workbook of past years' titles an office imports once, from the files it kept before the system.
 */
import ExcelJS from 'exceljs';
import { columnLetter } from '../report/template.ts';
import { foldVi } from '../text.ts';
import type { Unit } from '../units.ts';
import type { HistoryEntry, HistoryRule, Title } from './types.ts';

/** "A", "A hoặc B", "A, B hoặc C". */
function anyOf(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} hoặc ${names.at(-1)}`;
}

/**
 * Checks one rule over the unit's history (`history` holds that unit's entries only). The window is the `rule.years`
 * years before `year` (year − rule.years … year − 1); each must hold one of `rule.titleIds`. For
 * `consecutive-including`, at least `rule.times` of the window's years must also hold `includingTitleId`.
 */
export function checkHistoryRule(rule: HistoryRule, history: readonly HistoryEntry[], year: number, titleName: (id: string) => string): { met: boolean; explanationVi: string } {
  const from = year - rule.years;
  const to = year - 1;
  const window = Array.from({ length: rule.years }, (_, k) => from + k);
  const holds = (y: number, ids: readonly string[]) => history.some((e) => e.year === y && ids.includes(e.titleId));
  const missing = window.filter((y) => !holds(y, rule.titleIds));
  const titles = anyOf(rule.titleIds.map(titleName));
  const span = `${rule.years} năm liên tục (${from}–${to})`;
  let consecutive: string;
  if (rule.years === 1) consecutive = missing.length ? `Năm ${to} chưa đạt ${titles}` : `Năm ${to} đạt ${titles}`;
  else if (missing.length) consecutive = `Thiếu ${missing.length === 1 ? 'năm' : 'các năm'} ${missing.join(', ')}: chưa đủ ${span} đạt ${titles}`;
  else consecutive = `Đủ ${span} đạt ${titles}`;
  if (rule.kind === 'consecutive') return { met: missing.length === 0, explanationVi: consecutive };

  const including = titleName(rule.includingTitleId);
  const times = window.filter((y) => holds(y, [rule.includingTitleId])).length;
  const enough = times >= rule.times;
  if (!missing.length) {
    const tail = enough ? `, trong đó ${times} lần ${including}` : ` nhưng chỉ ${times} lần ${including} (cần ít nhất ${rule.times} lần)`;
    return { met: enough, explanationVi: consecutive + tail };
  }
  const tail = enough ? `; đã có ${times} lần ${including}` : `; mới có ${times}/${rule.times} lần ${including}`;
  return { met: false, explanationVi: consecutive + tail };
}

/** Each of the title's history rules checked over the unit's history; empty for a title without any. */
export function historyNotes(title: Title, history: readonly HistoryEntry[], year: number, titleName: (id: string) => string): { met: boolean; explanationVi: string }[] {
  return title.historyRules.map((rule) => checkHistoryRule(rule, history, year, titleName));
}

/** Accepted column names, compared without diacritics, spaces as "_". */
const COLUMNS = {
  unitId: ['ma_don_vi', 'unit_id'],
  year: ['nam', 'year'],
  title: ['danh_hieu', 'title'],
  decisionNumber: ['so_quyet_dinh', 'so_qd', 'decision_number'],
  decidedOn: ['ngay_quyet_dinh', 'ngay_qd', 'decided_on'],
  issuerName: ['co_quan_ban_hanh', 'issuer'],
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: readonly Column[] = ['unitId', 'year', 'title'];
const HISTORY_HEADER = 'ma_don_vi, nam, danh_hieu, so_quyet_dinh, ngay_quyet_dinh, co_quan_ban_hanh';
/** Past titles are of the Republic's years; an entry past 2100 is a typing slip (the directives' own bound). */
const FIRST_YEAR = 1945;
const LAST_YEAR = 2100;
const HEADER_SEARCH_ROWS = 10;

const headerKey = (text: string) => foldVi(text).replace(/\s+/g, '_');
const titleKey = (text: string) => foldVi(text).replace(/\s+/g, ' ');

/** A cell as the office typed it (formulas by their result, rich text joined). */
function cellOf(value: ExcelJS.CellValue): { text: string; number?: number; date?: Date } {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'number') return { text: String(value), number: value };
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE' };
  if (typeof value === 'string') return { text: value.trim() };
  if (value instanceof Date) return { text: value.toISOString().slice(0, 10), date: value };
  if (typeof value === 'object' && 'result' in value) return cellOf((value as { result?: ExcelJS.CellValue }).result ?? null);
  if (typeof value === 'object' && 'richText' in value) return { text: value.richText.map((t) => t.text).join('').trim() };
  if (typeof value === 'object' && 'text' in value) return { text: String((value as { text: unknown }).text).trim() };
  return { text: '' };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An ISO date if the day exists ("31/02/2024" does not). */
function isoIfReal(year: number, month: number, day: number): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? `${pad(year, 4)}-${pad(month)}-${pad(day)}` : undefined;
}

/**
 * A decision date: a date cell (Excel stores it at midnight UTC), an Excel day number of an unformatted date cell, or
 * text dd/mm/yyyy (also with "-" or "."), never mm/dd.
 */
function decisionDate(cell: { text: string; number?: number; date?: Date }): string | undefined {
  if (cell.date) return cell.date.toISOString().slice(0, 10);
  if (cell.number !== undefined) {
    if (!Number.isInteger(cell.number) || cell.number < 1) return undefined;
    return new Date(Date.UTC(1899, 11, 30) + cell.number * 86_400_000).toISOString().slice(0, 10);
  }
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(cell.text);
  return m ? isoIfReal(Number(m[3]), Number(m[2]), Number(m[1])) : undefined;
}

/**
 * Reads a workbook of past titles: its first sheet, a header row (within the first rows) naming the columns
 * `ma_don_vi, nam, danh_hieu, so_quyet_dinh, ngay_quyet_dinh, co_quan_ban_hanh` (the last three optional), one title
 * of one unit in one year per row. A title is written by its id or its Vietnamese name (diacritics and case do not
 * matter). Every problem is listed with its row and column; rows without a problem are returned. A problem about the
 * whole file has row 0.
 */
export async function readHistoryWorkbook(
  bytes: Uint8Array,
  titles: readonly Title[],
  units: ReadonlyMap<string, Pick<Unit, 'id' | 'name'>>,
): Promise<{ entries: HistoryEntry[]; problems: { row: number; messageVi: string }[] }> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    return { entries: [], problems: [{ row: 0, messageVi: 'Tệp không phải bảng tính Excel (.xlsx) đọc được; hãy lưu tệp dưới dạng .xlsx rồi tải lên lại' }] };
  }
  const ws = wb.worksheets[0];
  if (!ws) return { entries: [], problems: [{ row: 0, messageVi: 'Tệp không có trang tính nào' }] };

  let headerRow = 0;
  const index = {} as Record<Column, number>;
  for (let r = 1; r <= Math.min(ws.rowCount, HEADER_SEARCH_ROWS) && !headerRow; r++) {
    const names = Array.from({ length: ws.columnCount }, (_, k) => headerKey(cellOf(ws.getCell(r, k + 1).value).text));
    if (!names.some((n) => (COLUMNS.unitId as readonly string[]).includes(n))) continue;
    headerRow = r;
    for (const [field, aliases] of Object.entries(COLUMNS)) index[field as Column] = names.findIndex((n) => (aliases as readonly string[]).includes(n)) + 1;
  }
  if (!headerRow) return { entries: [], problems: [{ row: 0, messageVi: `Không tìm thấy dòng tiêu đề có cột ma_don_vi trong ${HEADER_SEARCH_ROWS} dòng đầu (tiêu đề cần có: ${HISTORY_HEADER})` }] };
  const missing = REQUIRED.filter((f) => !index[f]).map((f) => COLUMNS[f][0]);
  if (missing.length) return { entries: [], problems: [{ row: headerRow, messageVi: `Dòng ${headerRow}: thiếu cột ${missing.join(', ')} (tiêu đề cần có: ${HISTORY_HEADER})` }] };

  const titleByKey = new Map<string, Title>();
  for (const t of titles) titleByKey.set(titleKey(t.nameVi), t);
  for (const t of titles) titleByKey.set(t.id, t);

  const entries: HistoryEntry[] = [];
  const problems: { row: number; messageVi: string }[] = [];
  const seen = new Map<string, number>();
  for (let r = headerRow + 1; r <= ws.rowCount; r++) {
    const cell = (f: Column) => (index[f] ? cellOf(ws.getCell(r, index[f]).value) : { text: '' });
    const where = (f: Column) => `Dòng ${r}, cột ${columnLetter(index[f])} (${COLUMNS[f][0]})`;
    if ((Object.keys(COLUMNS) as Column[]).every((f) => !cell(f).text)) continue;
    const rowProblems: string[] = [];

    const unitId = cell('unitId').text;
    const unit = units.get(unitId);
    if (!unit) rowProblems.push(unitId ? `${where('unitId')}: không có đơn vị mã “${unitId}”` : `${where('unitId')}: thiếu mã đơn vị`);

    const yearCell = cell('year');
    const year = yearCell.number ?? (/^\d+$/.test(yearCell.text) ? Number(yearCell.text) : Number.NaN);
    if (!yearCell.text) rowProblems.push(`${where('year')}: thiếu năm`);
    else if (!Number.isInteger(year)) rowProblems.push(`${where('year')}: “${yearCell.text}” không phải là một năm`);
    else if (year < FIRST_YEAR || year > LAST_YEAR) rowProblems.push(`${where('year')}: năm ${year} nằm ngoài khoảng ${FIRST_YEAR}–${LAST_YEAR}`);

    const titleText = cell('title').text;
    const title = titleByKey.get(titleText) ?? titleByKey.get(titleKey(titleText));
    if (!title) rowProblems.push(titleText ? `${where('title')}: không có danh hiệu “${titleText}” trong quy định` : `${where('title')}: thiếu danh hiệu`);

    const dateCell = cell('decidedOn');
    const decidedOn = dateCell.text ? decisionDate(dateCell) : null;
    if (decidedOn === undefined) rowProblems.push(`${where('decidedOn')}: “${dateCell.text}” không phải ngày dạng dd/mm/yyyy`);

    if (!rowProblems.length && unit && title) {
      const key = `${unit.id}\n${year}\n${title.id}`;
      const earlier = seen.get(key);
      if (earlier) rowProblems.push(`Dòng ${r}: trùng với dòng ${earlier} (${unit.name}, năm ${year}, ${title.nameVi})`);
      else seen.set(key, r);
    }
    if (rowProblems.length || !unit || !title || decidedOn === undefined) {
      problems.push(...rowProblems.map((messageVi) => ({ row: r, messageVi })));
      continue;
    }
    entries.push({
      unitId: unit.id,
      year,
      titleId: title.id,
      titleVi: title.nameVi,
      decisionNumber: cell('decisionNumber').text || null,
      decidedOn,
      issuerName: cell('issuerName').text.replace(/\s+/g, ' ') || null,
      source: 'import',
    });
  }
  return { entries, problems };
}
