import ExcelJS from 'exceljs';
import { capitalize } from './look.ts';
import type { MultiYearReview, ScoreMove } from '../domain/emulation/review.ts';
import type { IndicatorValue } from '../domain/results/types.ts';
import { LEVEL_NAME_VI } from '../domain/units.ts';
import { docNameOf, trendVi, yearSpan } from './review-email.ts';

/**
 * Where things are in the review workbook: each sheet has a title row, a subtitle row, a blank row, then its header row
 * and one row per item. Figures are numbers (not text) so the office can sum and chart them in Excel.
 *   "Tổng hợp": one row per year — registrations, titles, "4 không".
 *   "Đơn vị": one row per unit × indicator (the score first, as "Điểm thi đua"), a column per year, the change and
 *            the trend in words ("tiến bộ", "giảm", "không đổi").
 *   "Tiến bộ nhiều nhất", "Giảm nhiều nhất": the units whose score moved most, with their score by year.
 */
export const REVIEW_XLSX_LAYOUT = Object.freeze({
  summarySheet: 'Tổng hợp',
  unitsSheet: 'Đơn vị',
  improvedSheet: 'Tiến bộ nhiều nhất',
  declinedSheet: 'Giảm nhiều nhất',
  headerRow: 4,
  firstDataRow: 5,
  summaryHeaders: Object.freeze([
    'Năm',
    'Đăng ký thi đua',
    'Được duyệt',
    'Đăng ký muộn',
    'Số đơn vị được công nhận danh hiệu',
    'Danh hiệu (số đơn vị)',
    'Lượt vi phạm "4 không"',
    'Số đơn vị vi phạm',
    'Số đơn vị giữ vững',
    'Số đơn vị chưa có số liệu',
  ]),
  /** "Đơn vị": these columns, then one per year, then "Thay đổi" and "Đánh giá". */
  unitFixedHeaders: Object.freeze(['Đơn vị', 'Thuộc', 'Chỉ tiêu', 'Đơn vị tính']),
  /** The row of a unit's score on "Đơn vị". */
  scoreLabel: 'Điểm thi đua',
});

const THIN = { style: 'thin' as const, color: { argb: 'FFA6ADB6' } };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const fill = (argb: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });
const HEADER_FILL = fill('FFDDE5EF');
const GOOD_FILL = fill('FFE5F2EA');
const BAD_FILL = fill('FFFBE8E6');

const cap = capitalize;

function cellValue(v: IndicatorValue): ExcelJS.CellValue {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? 'Có' : 'Không';
  return v;
}

/** Title, subtitle, then the header row styled; returns the sheet. */
function sheetWithHeader(wb: ExcelJS.Workbook, name: string, title: string, subtitle: string, headers: readonly string[], widths: readonly number[]): ExcelJS.Worksheet {
  const L = REVIEW_XLSX_LAYOUT;
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 1, ySplit: L.headerRow }], pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 } });
  ws.mergeCells(1, 1, 1, Math.max(1, headers.length));
  ws.getCell(1, 1).value = title;
  ws.getCell(1, 1).font = { bold: true, size: 14, color: { argb: 'FF1D3557' } };
  ws.mergeCells(2, 1, 2, Math.max(1, headers.length));
  ws.getCell(2, 1).value = subtitle;
  ws.getCell(2, 1).font = { italic: true, color: { argb: 'FF5F6B7A' } };
  const row = ws.getRow(L.headerRow);
  headers.forEach((h, i) => {
    const cell = row.getCell(i + 1);
    cell.value = h;
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  row.height = 36;
  headers.forEach((_, i) => (ws.getColumn(i + 1).width = widths[i] ?? 12));
  return ws;
}

function writeRow(ws: ExcelJS.Worksheet, rowNo: number, values: readonly ExcelJS.CellValue[]): ExcelJS.Row {
  const row = ws.getRow(rowNo);
  values.forEach((v, i) => {
    const cell = row.getCell(i + 1);
    cell.value = v;
    cell.border = BORDER;
    cell.alignment = { vertical: 'top', horizontal: typeof v === 'number' ? 'right' : 'left', wrapText: typeof v === 'string' };
  });
  return row;
}

/** The review as an XLSX workbook: the same figures as the email, in full. */
export async function reviewWorkbook(review: MultiYearReview): Promise<Uint8Array> {
  const L = REVIEW_XLSX_LAYOUT;
  const noun = LEVEL_NAME_VI[review.level];
  const span = yearSpan(review);
  const title = `KẾT QUẢ ${review.years.length} NĂM (${span}) THỰC HIỆN ${docNameOf(review).toLocaleUpperCase('vi')}`;
  const subtitle = `${review.directive.title} – so sánh các ${noun}`;
  const first = review.years[0] ?? 0;
  const last = review.years[review.years.length - 1] ?? 0;

  const wb = new ExcelJS.Workbook();
  wb.creator = 'thidua';
  wb.lastModifiedBy = 'thidua';
  // A fixed date: the same review gives the same workbook.
  wb.created = new Date(Date.UTC(last, 11, 31));
  wb.modified = wb.created;

  // Tổng hợp
  const sum = sheetWithHeader(wb, L.summarySheet, title, subtitle, L.summaryHeaders, [8, 12, 12, 12, 16, 44, 14, 14, 14, 14]);
  review.years.forEach((year, i) => {
    const reg = review.registrationsByYear[i]!;
    const tit = review.titlesByYear[i]!;
    const four = review.fourNoByYear[i]!;
    writeRow(sum, L.firstDataRow + i, [
      year,
      reg.registered,
      reg.approved,
      reg.late,
      tit.unitsWithTitle,
      tit.titles.length ? tit.titles.map((t) => `${t.titleVi}: ${t.units}`).join('; ') : 'Chưa có',
      four.breaches,
      four.unitsBreaching,
      four.unitsClean,
      four.unitsUnassessed,
    ]);
  });

  // Đơn vị
  const yearHeaders = review.years.map(String);
  const unitHeaders = [...L.unitFixedHeaders, ...yearHeaders, `Thay đổi ${first}–${last}`, 'Đánh giá'];
  const units = sheetWithHeader(wb, L.unitsSheet, title, subtitle, unitHeaders, [26, 22, 40, 12, ...yearHeaders.map(() => 10), 14, 12]);
  const trendCol = unitHeaders.length;
  let r = L.firstDataRow;
  for (const u of review.units) {
    const scoreTrend = u.scoreChange === null ? null : u.scoreChange > 0 ? 'improved' : u.scoreChange < 0 ? 'declined' : 'unchanged';
    const lines: { label: string; measure: string; values: IndicatorValue[]; change: number | null; trend: string }[] = [
      { label: L.scoreLabel, measure: 'điểm', values: u.scores, change: u.scoreChange, trend: trendVi(scoreTrend) },
      ...review.indicators.map((ind) => {
        const x = u.indicators[ind.id]!;
        return { label: ind.name + (ind.direction === 'decrease' ? ' (càng thấp càng tốt)' : ''), measure: ind.measure, values: x.values, change: x.change, trend: trendVi(x.trend) };
      }),
    ];
    for (const line of lines) {
      const row = writeRow(units, r++, [u.name, u.parentName, line.label, line.measure, ...line.values.map(cellValue), line.change, line.trend]);
      row.getCell(trendCol - 1).numFmt = '+0.##;-0.##;0';
      if (line.trend === 'tiến bộ') row.getCell(trendCol).fill = GOOD_FILL;
      if (line.trend === 'giảm') row.getCell(trendCol).fill = BAD_FILL;
    }
  }
  if (r > L.firstDataRow) units.autoFilter = { from: { row: L.headerRow, column: 1 }, to: { row: r - 1, column: unitHeaders.length } };

  // Tiến bộ / Giảm nhiều nhất
  const byUnit = new Map(review.units.map((u) => [u.unitId, u]));
  const moveSheet = (name: string, moves: readonly ScoreMove[], none: string) => {
    const headers = ['STT', cap(noun), 'Thuộc', ...yearHeaders.map((y) => `Điểm ${y}`), `Thay đổi ${first}–${last}`];
    const ws = sheetWithHeader(wb, name, title, subtitle, headers, [6, 26, 22, ...yearHeaders.map(() => 11), 14]);
    moves.forEach((m, i) => {
      const u = byUnit.get(m.unitId);
      const row = writeRow(ws, L.firstDataRow + i, [i + 1, m.name, u?.parentName ?? '', ...(u?.scores ?? []), m.change]);
      row.getCell(headers.length).numFmt = '+0.##;-0.##;0';
    });
    if (!moves.length) ws.getCell(L.firstDataRow, 1).value = none;
  };
  moveSheet(L.improvedSheet, review.improvedMost, `Không có ${noun} nào tăng điểm.`);
  moveSheet(L.declinedSheet, review.declinedMost, `Không có ${noun} nào giảm điểm.`);

  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}
