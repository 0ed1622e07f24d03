import ExcelJS from 'exceljs';
import { formatDateVi, vietnamDate } from '../domain/calendar/index.ts';
import type { Indicator } from '../domain/directive.ts';
import type { IndicatorResult, UnitResult } from '../domain/results/types.ts';
import { digestModel, type DigestArgs, type DigestChild } from './digest-email.ts';

/**
 * Where things are on the sheet "Kết quả" of the digest workbook: a title block, two header rows (fixed columns merged
 * over both; each indicator's name merged over its "Thực hiện" and "Chỉ tiêu" columns), one row per child unit in
 * ranking order, then the leader's own unit as a total row.
 */
export const DIGEST_XLSX_LAYOUT = Object.freeze({
  sheet: 'Kết quả',
  fourNoSheet: '4 không',
  headerRow: 5,
  subHeaderRow: 6,
  firstDataRow: 7,
  /** Columns before the indicators. */
  fixedHeaders: Object.freeze(['Hạng', 'Đơn vị', 'Tình trạng báo cáo', 'Ngày nộp', 'Tỷ lệ đầy đủ', 'Tỷ lệ đúng hạn', 'Điểm', 'Thay đổi điểm', 'Thay đổi hạng', 'Số chỉ tiêu đạt']),
});

const THIN = { style: 'thin' as const, color: { argb: 'FFA6ADB6' } };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const fill = (argb: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });
const HEADER_FILL = fill('FFDDE5EF');
const TOTAL_FILL = fill('FFF1F4F8');
const MET_FILL = fill('FFE5F2EA');
const MISSED_FILL = fill('FFFBE8E6');

function metText(c: DigestChild): string | null {
  return c.met === null ? null : `${c.met}/${c.withTarget}`;
}

function cellValue(v: IndicatorResult['actual']): ExcelJS.CellValue {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? 'Có' : 'Không';
  return v;
}

/**
 * The digest's full table as an XLSX workbook: one row per direct child of the leader's unit (rank, name, reporting
 * status, completeness, timeliness, score, change, then each indicator's actual and target), the unit's own totals,
 * and a second sheet listing the "4 không" breaches by village. Same scope as the email: the leader's branch only.
 */
export async function digestWorkbook(args: DigestArgs): Promise<Uint8Array> {
  const m = digestModel(args);
  const { directive, periodLabel, leader } = args;
  const indicators: Indicator[] = [...m.indicators, ...m.fourNo];
  const L = DIGEST_XLSX_LAYOUT;
  const fixed = L.fixedHeaders.length;
  const lastCol = fixed + indicators.length * 2;

  const wb = new ExcelJS.Workbook();
  wb.creator = 'thidua';
  wb.lastModifiedBy = 'thidua';
  wb.created = new Date(args.results.computedAt);
  wb.modified = wb.created;
  const ws = wb.addWorksheet(L.sheet, {
    views: [{ state: 'frozen', xSplit: 2, ySplit: L.subHeaderRow }],
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 },
  });

  ws.mergeCells(1, 1, 1, lastCol);
  ws.getCell(1, 1).value = `KẾT QUẢ THI ĐUA ${periodLabel.toLocaleUpperCase('vi')} – ${leader.name.toLocaleUpperCase('vi')}`;
  ws.getCell(1, 1).font = { bold: true, size: 14, color: { argb: 'FF1D3557' } };
  ws.mergeCells(2, 1, 2, lastCol);
  ws.getCell(2, 1).value = `Thực hiện ${m.docName} ngày ${formatDateVi(directive.issuedOn)} của ${directive.issuerName} "${directive.title}"`;
  ws.mergeCells(3, 1, 3, lastCol);
  ws.getCell(3, 1).value =
    `Số liệu tính đến ${m.asOf}` + (m.dueDate ? `; hạn nộp báo cáo ${formatDateVi(m.dueDate)}` : '') + `. Đã báo cáo ${m.unit.rates.received}/${m.unit.rates.expected} ${m.reportingNoun}.`;
  ws.getCell(3, 1).font = { italic: true, color: { argb: 'FF5F6B7A' } };

  // Headers
  const h = L.headerRow;
  const s = L.subHeaderRow;
  L.fixedHeaders.forEach((text, i) => {
    ws.mergeCells(h, i + 1, s, i + 1);
    ws.getCell(h, i + 1).value = text;
  });
  indicators.forEach((ind, i) => {
    const col = fixed + 1 + i * 2;
    ws.mergeCells(h, col, h, col + 1);
    ws.getCell(h, col).value = `${ind.group && /^\(.*\)$/.test(ind.group.trim()) ? `${ind.group.trim()} ` : ''}${ind.name} (${ind.measure})`;
    ws.getCell(s, col).value = 'Thực hiện';
    ws.getCell(s, col + 1).value = ind.direction === 'decrease' ? 'Chỉ tiêu (không quá)' : 'Chỉ tiêu';
  });
  for (const r of [h, s]) {
    const row = ws.getRow(r);
    for (let c = 1; c <= lastCol; c++) {
      const cell = row.getCell(c);
      cell.font = { bold: true };
      cell.fill = HEADER_FILL;
      cell.border = BORDER;
      cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    }
  }
  ws.getRow(h).height = 48;

  // Rows
  const write = (rowNo: number, u: UnitResult, status: string, submitted: string | null, met: string | null, total: boolean) => {
    const row = ws.getRow(rowNo);
    const values: ExcelJS.CellValue[] = [
      total ? null : u.rank,
      total ? `Toàn ${leader.name}` : u.name,
      status,
      submitted,
      u.rates.completeness,
      u.rates.timeliness,
      u.score,
      u.change?.score ?? null,
      total ? null : (u.change?.rank ?? null),
      met,
    ];
    for (const ind of indicators) {
      const r = u.indicators[ind.id];
      values.push(cellValue(r?.actual ?? null), cellValue(r?.target ?? null));
    }
    values.forEach((v, i) => {
      const cell = row.getCell(i + 1);
      cell.value = v;
      cell.border = BORDER;
      cell.alignment = { vertical: 'top', horizontal: i === 1 || i === 2 ? 'left' : 'right', wrapText: i === 1 || i === 2 };
      if (total) {
        cell.fill = TOTAL_FILL;
        cell.font = { bold: true };
      }
    });
    row.getCell(5).numFmt = '0.0%';
    row.getCell(6).numFmt = '0.0%';
    row.getCell(8).numFmt = '+0.##;-0.##;0';
    row.getCell(9).numFmt = '+0;-0;0';
    indicators.forEach((ind, i) => {
      const met = u.indicators[ind.id]?.met;
      if (met === true || met === false) row.getCell(fixed + 1 + i * 2).fill = met ? MET_FILL : MISSED_FILL;
    });
  };
  let r = L.firstDataRow;
  for (const c of m.children) {
    const status = [c.status, c.statusDetail].filter(Boolean).join(', ');
    const submitted = c.unit.reporting?.submittedAt ? formatDateVi(vietnamDate(c.unit.reporting.submittedAt)) : null;
    write(r++, c.unit, status, submitted, metText(c), false);
  }
  write(r, m.unit, `${m.unit.rates.received}/${m.unit.rates.expected} đã nộp, ${m.unit.rates.onTime} đúng hạn`, null, m.targeted ? `${m.metAll}/${m.children.length} ${m.childNoun} đạt toàn bộ` : `${m.ownMet}/${m.ownWithTarget}`, true);

  const widths = [7, 24, 24, 12, 11, 11, 9, 10, 10, 12];
  widths.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  for (let c = fixed + 1; c <= lastCol; c++) ws.getColumn(c).width = 12;
  ws.autoFilter = { from: { row: s, column: 1 }, to: { row: r - 1, column: lastCol } };

  // "4 không"
  const fs = wb.addWorksheet(L.fourNoSheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  fs.columns = [
    { header: 'Thôn', width: 24 },
    { header: 'Thuộc', width: 28 },
    { header: 'Tiêu chí vi phạm', width: 44 },
    { header: 'Số vụ', width: 9 },
  ];
  fs.getRow(1).eachCell((cell) => {
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
  });
  for (const b of m.breaches) {
    const row = fs.addRow([b.village.name, b.via, b.indicator?.name ?? b.breach.indicatorId, b.breach.count]);
    row.eachCell((cell) => (cell.border = BORDER));
  }
  if (!m.breaches.length) fs.addRow(['Không có thôn nào vi phạm tiêu chí "4 không".']);

  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}
