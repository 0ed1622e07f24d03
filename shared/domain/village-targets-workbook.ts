/**
 * The village-target split as a workbook (the XLSX round trip of the targets page): one row per indicator, with the
 * commune's target and one column per village; the officer fills the villages' cells and uploads it back. The
 * indicator ids (column B) and the village ids (row 3, hidden) say what each cell is, whatever the names became.
 */
import ExcelJS from 'exceljs';
import type { Indicator, TargetValue } from './directive.ts';
import { InputError } from './errors.ts';
import type { RawSplit, SplitVillage, VillageTargetMap } from './targets-split.ts';

export const SPLIT_SHEET = 'Chỉ tiêu thôn';
const HEADER_ROW = 2;
const IDS_ROW = 3;
const FIRST_ROW = 4;
const FIRST_VILLAGE_COL = 4;
const MAX_SPLIT_BYTES = 1024 * 1024;

const shown = (v: TargetValue | undefined) => (typeof v === 'boolean' ? (v ? 'Có' : 'Không') : (v ?? null));

export async function buildSplitWorkbook(input: {
  title: string;
  indicators: readonly Indicator[];
  communeTargets: Record<string, TargetValue>;
  villages: readonly SplitVillage[];
  current: VillageTargetMap;
}): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'thidua';
  const ws = wb.addWorksheet(SPLIT_SHEET, { views: [{ state: 'frozen', xSplit: 3, ySplit: IDS_ROW }] });
  ws.getCell(1, 1).value = input.title;
  ws.getCell(1, 1).font = { bold: true, size: 13 };
  const header = ['Chỉ tiêu', 'Mã chỉ tiêu', 'Chỉ tiêu của xã', ...input.villages.map((v) => v.name)];
  header.forEach((text, i) => {
    const cell = ws.getCell(HEADER_ROW, i + 1);
    cell.value = text;
    cell.font = { bold: true };
    cell.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  });
  input.villages.forEach((v, i) => (ws.getCell(IDS_ROW, FIRST_VILLAGE_COL + i).value = v.id));
  ws.getRow(IDS_ROW).hidden = true;
  ws.getColumn(1).width = 48;
  ws.getColumn(2).width = 16;
  ws.getColumn(3).width = 14;
  input.villages.forEach((_, i) => (ws.getColumn(FIRST_VILLAGE_COL + i).width = 14));
  input.indicators.forEach((ind, k) => {
    const r = FIRST_ROW + k;
    ws.getCell(r, 1).value = `${ind.name} (${ind.measure})`;
    ws.getCell(r, 1).alignment = { wrapText: true };
    ws.getCell(r, 2).value = ind.id;
    ws.getCell(r, 3).value = shown(input.communeTargets[ind.id] ?? ind.target);
    input.villages.forEach((v, i) => (ws.getCell(r, FIRST_VILLAGE_COL + i).value = shown(input.current[v.id]?.[ind.id])));
  });
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** A cell's value as the split reads it: numbers and booleans as they are, text as text, a formula by its result. */
function cellValue(v: ExcelJS.CellValue): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'object' && 'result' in v) return cellValue(v.result as ExcelJS.CellValue);
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((t) => t.text).join('');
  return String(v);
}

/** What an uploaded split workbook says, by village and indicator id; a wrong file is an InputError saying what to fix. */
export async function readSplitWorkbook(bytes: Uint8Array, indicators: readonly Indicator[], villages: readonly SplitVillage[]): Promise<RawSplit> {
  if (bytes.length > MAX_SPLIT_BYTES) throw new InputError('Tệp quá lớn', ['Tệp chỉ tiêu của các thôn không quá 1 MB.']);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch {
    throw new InputError('Không đọc được tệp', ['Hãy tải tệp mẫu chỉ tiêu của các thôn, điền rồi tải lên đúng tệp .xlsx đó.']);
  }
  const ws = wb.getWorksheet(SPLIT_SHEET);
  if (!ws) throw new InputError(`Tệp không có trang "${SPLIT_SHEET}"`, ['Hãy dùng tệp mẫu tải từ trang này.']);
  const columnOf = new Map<string, number>();
  for (let c = FIRST_VILLAGE_COL; c <= ws.columnCount; c++) {
    const id = cellValue(ws.getCell(IDS_ROW, c).value);
    if (typeof id === 'string') columnOf.set(id, c);
  }
  const rowOf = new Map<string, number>();
  for (let r = FIRST_ROW; r <= ws.rowCount; r++) {
    const id = cellValue(ws.getCell(r, 2).value);
    if (typeof id === 'string') rowOf.set(id.trim(), r);
  }
  const missing = [...villages.filter((v) => !columnOf.has(v.id)).map((v) => `cột của ${v.name}`), ...indicators.filter((i) => !rowOf.has(i.id)).map((i) => `dòng của chỉ tiêu "${i.name}"`)];
  if (missing.length) throw new InputError('Tệp thiếu một phần của mẫu', [`Thiếu ${missing.join(', ')}. Hãy tải lại tệp mẫu từ trang này.`]);
  const raw: RawSplit = {};
  for (const v of villages) {
    raw[v.id] = Object.fromEntries(indicators.map((ind) => [ind.id, cellValue(ws.getCell(rowOf.get(ind.id)!, columnOf.get(v.id)!).value)]));
  }
  return raw;
}
