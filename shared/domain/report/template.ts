import ExcelJS from 'exceljs';
import { formatDateVi } from '../calendar/index.ts';
import type { Indicator } from '../directive.ts';
import { META_FORMAT, META_SHEET, REPORT_SHEET, TARGETS_ROW_LABEL, TEMPLATE_VERSION, VILLAGE_TARGET_HEADER_PREFIX, VILLAGE_TARGETS_LABEL, type ReportTemplateInput } from './types.ts';

/** Where things are on the visible sheet of a template this module writes (the parser does not rely on it). */
export const TEMPLATE_LAYOUT = Object.freeze({ groupRow: 7, headerRow: 8, targetsRow: 9, firstDataRow: 10, nameColumn: 1, firstIndicatorColumn: 2 });

export function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export function groupLabel(group: string | undefined): string {
  if (!group) return '';
  return /^\(.*\)$/.test(group.trim()) ? `Nhóm chỉ tiêu ${group.trim()}` : group.trim();
}

export function headerText(ind: Pick<Indicator, 'name' | 'measure'>): string {
  return `${ind.name} (${ind.measure})`;
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

function validationFor(ind: Indicator): ExcelJS.DataValidation {
  const common = { allowBlank: true, showErrorMessage: true, showInputMessage: true, errorStyle: 'stop', promptTitle: clip(ind.name, 32), errorTitle: 'Giá trị không hợp lệ' };
  switch (ind.kind) {
    case 'yes-no':
      return { ...common, type: 'list', formulae: ['"Có,Không"'], prompt: 'Chọn "Có" hoặc "Không".', error: 'Chỉ chọn "Có" hoặc "Không".' };
    case 'count':
      return { ...common, type: 'whole', operator: 'greaterThanOrEqual', formulae: [0], prompt: `Số nguyên không âm (${ind.measure}).`, error: 'Nhập số nguyên không âm (0, 1, 2, …).' };
    case 'percent':
      return { ...common, type: 'decimal', operator: 'between', formulae: [0, 100], prompt: 'Tỷ lệ từ 0 đến 100 (không gõ dấu %).', error: 'Nhập tỷ lệ từ 0 đến 100.' };
    case 'number':
      return { ...common, type: 'decimal', operator: 'greaterThanOrEqual', formulae: [0], prompt: `Số không âm (${ind.measure}); phần thập phân dùng dấu phẩy.`, error: 'Nhập một số không âm.' };
  }
}

const THIN = { style: 'thin' as const, color: { argb: 'FF808080' } };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
const TARGET_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEDEDED' } };
const INPUT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFFF0' } };

const shownTarget = (v: number | boolean | undefined) => (typeof v === 'boolean' ? (v ? 'Có' : 'Không') : (v ?? null));

/**
 * Each village's own target, locked, in a block of columns right of the indicators: what the officer fills stays
 * where the parser reads it, and the headers ("Chỉ tiêu giao: …") name no indicator, so the parser skips the block.
 */
function showVillageTargets(ws: ExcelJS.Worksheet, input: ReportTemplateInput, firstCol: number): void {
  const { groupRow, headerRow, firstDataRow } = TEMPLATE_LAYOUT;
  const indicators = input.directive.indicators;
  const lastCol = firstCol + indicators.length - 1;
  ws.mergeCells(`${columnLetter(firstCol)}${groupRow}:${columnLetter(lastCol)}${groupRow}`);
  ws.getCell(groupRow, firstCol).value = VILLAGE_TARGETS_LABEL;
  indicators.forEach((ind, i) => {
    ws.getColumn(firstCol + i).width = 16;
    ws.getCell(headerRow, firstCol + i).value = `${VILLAGE_TARGET_HEADER_PREFIX}${headerText(ind)}`;
  });
  for (const r of [groupRow, headerRow]) {
    for (let c = firstCol; c <= lastCol; c++) {
      const cell = ws.getCell(r, c);
      cell.font = { bold: true, size: 10 };
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      cell.fill = TARGET_FILL;
      cell.border = BORDER;
    }
  }
  input.rows.forEach((village, k) => {
    indicators.forEach((ind, i) => {
      const cell = ws.getCell(firstDataRow + k, firstCol + i);
      cell.value = shownTarget(village.targets?.[ind.id]);
      cell.font = { italic: true, size: 10 };
      cell.fill = TARGET_FILL;
      cell.border = BORDER;
      cell.alignment = { horizontal: 'center', vertical: 'middle' };
      cell.protection = { locked: true };
    });
  });
}

/**
 * The XLSX report template of one unit for one period: a protected sheet "Báo cáo" where only the village × indicator
 * cells can be edited, and a very hidden sheet "thidua" with the identities the parser checks.
 */
export async function buildReportTemplate(input: ReportTemplateInput): Promise<Uint8Array> {
  const { directive, unit, period, rows, targets } = input;
  const indicators = directive.indicators;
  const lastCol = TEMPLATE_LAYOUT.firstIndicatorColumn + indicators.length - 1;
  const last = columnLetter(lastCol);
  const kind = directive.kind || 'chỉ thị';
  const Kind = kind.charAt(0).toUpperCase() + kind.slice(1);

  const wb = new ExcelJS.Workbook();
  wb.creator = 'thidua';
  wb.lastModifiedBy = 'thidua';
  const stamp = new Date(`${period.start}T00:00:00Z`);
  if (!Number.isNaN(stamp.getTime())) wb.created = wb.modified = stamp;
  wb.title = `Báo cáo ${period.label} – ${unit.name}`;

  const ws = wb.addWorksheet(REPORT_SHEET, {
    views: [{ state: 'frozen', xSplit: 1, ySplit: TEMPLATE_LAYOUT.targetsRow }],
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.getColumn(1).width = 30;
  for (let c = TEMPLATE_LAYOUT.firstIndicatorColumn; c <= lastCol; c++) ws.getColumn(c).width = 18;

  const line = (row: number, text: string, font: Partial<ExcelJS.Font>, height?: number) => {
    ws.mergeCells(`A${row}:${last}${row}`);
    const cell = ws.getCell(`A${row}`);
    cell.value = text;
    cell.font = font;
    cell.alignment = { horizontal: row <= 2 ? 'center' : 'left', vertical: 'middle', wrapText: true };
    if (height) ws.getRow(row).height = height;
  };
  line(1, `BÁO CÁO KẾT QUẢ THỰC HIỆN ${kind.toLocaleUpperCase('vi')} SỐ ${directive.number}`, { bold: true, size: 14 }, 24);
  line(2, `${Kind} số ${directive.number} ngày ${formatDateVi(directive.issuedOn)} của ${directive.issuerName} "${directive.title}"`, { italic: true, size: 11 }, 32);
  line(3, `Đơn vị báo cáo: ${unit.name}`, { bold: true, size: 12 });
  line(4, `Kỳ báo cáo: ${period.label} (từ ngày ${formatDateVi(period.start)} đến ngày ${formatDateVi(period.end)})`, { size: 12 });
  line(5, `Hạn nộp báo cáo: ${formatDateVi(period.due)}`, { size: 12, color: { argb: 'FFC00000' } });
  line(
    6,
    'Hướng dẫn: chỉ nhập số liệu vào các ô nền vàng nhạt. Tỷ lệ (%) nhập từ 0 đến 100, không gõ dấu %; số lượng nhập số nguyên; phần thập phân dùng dấu phẩy (ví dụ 2,5); cột có/không chọn "Có" hoặc "Không". Không đổi tên thôn, khu phố và không xóa trang, cột.',
    { italic: true, size: 10 },
    30,
  );

  // Header: column A spans the group row and the header row; groups are merged over their indicators.
  const { groupRow, headerRow, targetsRow, firstDataRow } = TEMPLATE_LAYOUT;
  ws.mergeCells(`A${groupRow}:A${headerRow}`);
  const corner = ws.getCell(`A${groupRow}`);
  corner.value = 'Thôn, khu phố';
  for (let i = 0; i < indicators.length; ) {
    let j = i;
    const group = indicators[i]?.group;
    while (j + 1 < indicators.length && group && indicators[j + 1]?.group === group) j++;
    const from = columnLetter(TEMPLATE_LAYOUT.firstIndicatorColumn + i);
    const to = columnLetter(TEMPLATE_LAYOUT.firstIndicatorColumn + j);
    if (j > i) ws.mergeCells(`${from}${groupRow}:${to}${groupRow}`);
    ws.getCell(`${from}${groupRow}`).value = groupLabel(group);
    i = j + 1;
  }
  indicators.forEach((ind, i) => {
    ws.getCell(headerRow, TEMPLATE_LAYOUT.firstIndicatorColumn + i).value = headerText(ind);
  });
  for (const r of [groupRow, headerRow]) {
    const row = ws.getRow(r);
    for (let c = 1; c <= lastCol; c++) {
      const cell = row.getCell(c);
      cell.font = { bold: true, size: 10 };
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      cell.fill = HEADER_FILL;
      cell.border = BORDER;
    }
  }
  ws.getRow(groupRow).height = 20;
  ws.getRow(headerRow).height = 96;

  // The targets the unit was given: shown, locked.
  const targetRow = ws.getRow(targetsRow);
  targetRow.getCell(1).value = TARGETS_ROW_LABEL;
  indicators.forEach((ind, i) => {
    const target = targets[ind.id] ?? ind.target;
    targetRow.getCell(TEMPLATE_LAYOUT.firstIndicatorColumn + i).value = typeof target === 'boolean' ? (target ? 'Có' : 'Không') : target;
  });
  for (let c = 1; c <= lastCol; c++) {
    const cell = targetRow.getCell(c);
    cell.font = { italic: true, bold: c === 1, size: 10 };
    cell.fill = TARGET_FILL;
    cell.border = BORDER;
    cell.alignment = { horizontal: c === 1 ? 'left' : 'center', vertical: 'middle' };
    cell.protection = { locked: true };
  }

  // One editable row per village.
  rows.forEach((village, k) => {
    const row = ws.getRow(firstDataRow + k);
    const nameCell = row.getCell(1);
    nameCell.value = village.name;
    nameCell.border = BORDER;
    nameCell.protection = { locked: true };
    indicators.forEach((ind, i) => {
      const cell = row.getCell(TEMPLATE_LAYOUT.firstIndicatorColumn + i);
      cell.protection = { locked: false };
      cell.fill = INPUT_FILL;
      cell.border = BORDER;
      cell.alignment = { horizontal: 'center', vertical: 'middle' };
      cell.numFmt = ind.kind === 'count' ? '0' : 'General';
      cell.dataValidation = validationFor(ind);
    });
  });

  if (rows.some((r) => r.targets)) showVillageTargets(ws, input, lastCol + 1);

  await ws.protect('', {
    selectLockedCells: true,
    selectUnlockedCells: true,
    formatCells: true,
    formatColumns: true,
    formatRows: true,
    insertColumns: false,
    insertRows: false,
    deleteColumns: false,
    deleteRows: false,
    sort: false,
    autoFilter: false,
  });

  // Machine-readable identity, very hidden (not listed by Excel's "Unhide").
  const meta = wb.addWorksheet(META_SHEET, { state: 'veryHidden' });
  meta.addRows([
    ['format', META_FORMAT],
    ['templateVersion', TEMPLATE_VERSION],
    ['directiveId', directive.id],
    ['directiveVersion', directive.version],
    ['directiveNumber', directive.number],
    ['periodId', period.id],
    ['periodLabel', period.label],
    ['unitId', unit.id],
    ['unitName', unit.name],
    ['sheet', REPORT_SHEET],
    ['headerRow', headerRow],
    ['targetsRow', targetsRow],
    ['nameColumn', 'A'],
    ...indicators.map((ind, i) => ['column', columnLetter(TEMPLATE_LAYOUT.firstIndicatorColumn + i), ind.id]),
    ...rows.map((village, k) => ['row', firstDataRow + k, village.unitId, village.name]),
  ]);
  await meta.protect('', { selectLockedCells: false, selectUnlockedCells: false });

  const buffer = await wb.xlsx.writeBuffer();
  return new Uint8Array(buffer as unknown as ArrayBuffer);
}
