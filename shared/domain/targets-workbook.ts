/**
 * Per-unit targets as a workbook the issuing office fills in Excel: one row per target unit, one column per
 * indicator, a blank cell meaning "the indicator's common target". Built and read here (pure: bytes in, bytes out);
 * an uploaded workbook is read in a worker under the report parse budget (shared/runtime/parse-budget.ts).
 */
import ExcelJS from 'exceljs';
import type { IndicatorKind, TargetValue } from './indicator.ts';
import type { z } from 'zod';
import { formatNumberVi, parseNumberVi, parseYesNo } from './report/values.ts';
import { columnLetter } from './report/template.ts';

export const TARGETS_SHEET = 'Mục tiêu';
const IDS_LABEL = 'Mã chỉ tiêu';
const COMMON_LABEL = 'Mục tiêu chung';
const FIRST_COL = 3;
const MAX_PROBLEMS = 20;

export interface TargetsIndicator {
  id: string;
  name: string;
  measure: string | null;
  kind: z.infer<typeof IndicatorKind> | null;
  target: TargetValue | null;
}

export interface TargetsWorkbookInput {
  title: string;
  indicators: readonly TargetsIndicator[];
  units: readonly { id: string; name: string }[];
  unitTargets: Readonly<Record<string, Readonly<Record<string, TargetValue>>>>;
}

export type UnitTargets = Record<string, Record<string, TargetValue>>;
export type TargetsReadResult = { ok: true; unitTargets: UnitTargets } | { ok: false; problems: string[] };

const shownTarget = (v: TargetValue | null | undefined) => (v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? 'Có' : 'Không') : v);

export async function buildTargetsWorkbook(input: TargetsWorkbookInput): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(TARGETS_SHEET);
  ws.getCell(1, 1).value = `Mục tiêu riêng của từng đơn vị – ${input.title}`;
  ws.getCell(1, 1).font = { bold: true, size: 13 };
  ws.getCell(2, 1).value = `Để trống ô: đơn vị nhận mục tiêu chung (dòng “${COMMON_LABEL}”). Chỉ tiêu có/không: ghi Có hoặc Không. Không sửa hai cột đầu và dòng mã chỉ tiêu.`;
  const header = ws.getRow(3);
  header.values = ['Mã đơn vị', 'Đơn vị', ...input.indicators.map((i) => (i.measure ? `${i.name} (${i.measure})` : i.name))];
  header.font = { bold: true };
  ws.getRow(4).values = ['', IDS_LABEL, ...input.indicators.map((i) => i.id)];
  ws.getRow(5).values = ['', COMMON_LABEL, ...input.indicators.map((i) => shownTarget(i.target))];
  ws.getRow(5).font = { italic: true };
  input.units.forEach((u, r) => {
    const own = input.unitTargets[u.id] ?? {};
    ws.getRow(6 + r).values = [u.id, u.name, ...input.indicators.map((i) => shownTarget(own[i.id]))];
  });
  ws.getColumn(1).width = 22;
  ws.getColumn(2).width = 28;
  input.indicators.forEach((_, k) => (ws.getColumn(FIRST_COL + k).width = 18));
  ws.views = [{ state: 'frozen', xSplit: 2, ySplit: 5 }];
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** A cell as the office typed it: text (numbers as Excel stored them, formulas by their result). */
function cellOf(value: ExcelJS.CellValue): { text: string; number?: number; bool?: boolean } {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'number') return { text: String(value), number: value };
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE', bool: value };
  if (typeof value === 'string') return { text: value.trim() };
  if (value instanceof Date) return { text: value.toISOString().slice(0, 10) };
  if (typeof value === 'object' && 'result' in value) return cellOf((value as { result?: ExcelJS.CellValue }).result ?? null);
  if (typeof value === 'object' && 'richText' in value) return { text: value.richText.map((t) => t.text).join('').trim() };
  if (typeof value === 'object' && 'text' in value) return { text: String((value as { text: unknown }).text).trim() };
  return { text: '' };
}

/** One cell's value for the indicator, or why not (a clause after "Ô D7 (…): "). */
function interpret(cell: { text: string; number?: number; bool?: boolean }, ind: TargetsIndicator): { value: TargetValue } | { why: string } {
  if (ind.kind === 'yes-no') {
    const yes = cell.bool ?? parseYesNo(cell.text);
    return yes === undefined ? { why: `“${cell.text}” không phải Có hoặc Không` } : { value: yes };
  }
  const n = cell.number ?? parseNumberVi(cell.text, { percent: ind.kind === 'percent', ...(ind.measure ? { measure: ind.measure } : {}) });
  if (n === undefined) return { why: `“${cell.text}” không phải là một số` };
  if (ind.kind === 'percent' && (n < 0 || n > 100)) return { why: `tỷ lệ phải từ 0 đến 100, nhận được ${formatNumberVi(n)}` };
  if (ind.kind === 'count' && (!Number.isInteger(n) || n < 0)) return { why: `số lượng phải là số nguyên không âm, nhận được ${formatNumberVi(n)}` };
  return { value: n };
}

/**
 * Reads a filled targets workbook against the directive's indicators and target units. Every problem is listed with
 * its cell; any problem and nothing is taken.
 */
export async function readTargetsWorkbook(bytes: Uint8Array, expected: { indicators: readonly TargetsIndicator[]; units: readonly { id: string; name: string }[] }): Promise<TargetsReadResult> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    return { ok: false, problems: ['Tệp không phải bảng tính Excel (.xlsx) đọc được; hãy tải tệp mẫu mục tiêu, điền rồi lưu dưới dạng .xlsx'] };
  }
  const ws = wb.getWorksheet(TARGETS_SHEET);
  if (!ws) return { ok: false, problems: [`Không có trang “${TARGETS_SHEET}” trong tệp; hãy dùng tệp mẫu mục tiêu tải từ trang chỉ thị`] };
  let idsRow = 0;
  for (let r = 1; r <= Math.min(ws.rowCount, 10) && !idsRow; r++) if (cellOf(ws.getCell(r, 2).value).text === IDS_LABEL) idsRow = r;
  if (!idsRow) return { ok: false, problems: [`Không tìm thấy dòng “${IDS_LABEL}” ở cột B; hãy dùng tệp mẫu mục tiêu tải từ trang chỉ thị`] };

  const problems: string[] = [];
  const byId = new Map(expected.indicators.map((i) => [i.id, i]));
  const columns: { col: number; ind: TargetsIndicator }[] = [];
  for (let col = FIRST_COL; col <= ws.columnCount; col++) {
    const id = cellOf(ws.getCell(idsRow, col).value).text;
    if (!id) continue;
    const ind = byId.get(id);
    if (!ind) problems.push(`Ô ${columnLetter(col)}${idsRow}: không có chỉ tiêu mã “${id}” trong chỉ thị`);
    else columns.push({ col, ind });
  }
  const units = new Map(expected.units.map((u) => [u.id, u]));
  const seen = new Set<string>();
  const unitTargets: UnitTargets = {};
  for (let r = idsRow + 1; r <= ws.rowCount && problems.length < MAX_PROBLEMS; r++) {
    const unitId = cellOf(ws.getCell(r, 1).value).text;
    if (!unitId) continue; // the common targets' row, or a blank line
    const unit = units.get(unitId);
    if (!unit) {
      problems.push(`Dòng ${r}: mã đơn vị “${unitId}” không thuộc các đơn vị nhận chỉ tiêu`);
      continue;
    }
    if (seen.has(unitId)) problems.push(`Dòng ${r}: ${unit.name} (mã ${unitId}) xuất hiện hai lần`);
    seen.add(unitId);
    for (const { col, ind } of columns) {
      const cell = cellOf(ws.getCell(r, col).value);
      if (!cell.text) continue;
      const read = interpret(cell, ind);
      if ('why' in read) problems.push(`Ô ${columnLetter(col)}${r} (${unit.name}, “${ind.name}”): ${read.why}`);
      else (unitTargets[unitId] ??= {})[ind.id] = read.value;
    }
  }
  return problems.length ? { ok: false, problems: problems.slice(0, MAX_PROBLEMS) } : { ok: true, unitTargets };
}
