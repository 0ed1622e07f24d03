import { checkIdentity, identityFromText } from './identity.ts';
import { findHeaderRow, readTable, type Grid, type TableResult } from './table.ts';
import type { ExpectedReport, ReportLimits, ReportProblem } from './types.ts';
import { EMPTY, type RawCell } from './values.ts';

import { DELIMITERS, EXCEL_MAX_CELL_CHARS, splitCsv, type CsvSplit, type Delimiter } from '../csv.ts';
export { DELIMITERS, splitCsv, type Delimiter };

const DELIMITER_VI: Record<Delimiter, string> = { ',': 'dấu phẩy (,)', ';': 'dấu chấm phẩy (;)', '\t': 'dấu tab', '|': 'dấu gạch đứng (|)' };

function toGrid(rows: CsvSplit['rows']): Grid {
  const cells = new Map<number, Map<number, RawCell>>();
  for (const { line, cells: values } of rows) {
    const m = new Map<number, RawCell>();
    values.forEach((v, i) => {
      const raw: RawCell = v.trim() ? { t: 'text', s: v.trim() } : EMPTY;
      if (raw.t !== 'empty') m.set(i + 1, raw);
    });
    if (m.size) cells.set(line, m);
  }
  return { format: 'csv', cells };
}

const MAX_CELL_VI = EXCEL_MAX_CELL_CHARS.toLocaleString('vi-VN');

function overlongProblem(cell: NonNullable<CsvSplit['overlongCell']>, fileLabel: string): ReportProblem {
  if (cell.quoted) {
    return {
      code: 'bad-csv',
      row: cell.line,
      messageVi: `Dòng ${cell.line}: ô bắt đầu bằng dấu ngoặc kép (") dài hơn ${MAX_CELL_VI} ký tự, mức tối đa của một ô bảng tính; có thể dấu ngoặc kép mở nhưng không đóng — hãy mở tệp bằng Excel, kiểm tra dòng này rồi lưu lại dưới dạng CSV`,
    };
  }
  return {
    code: 'too-complex',
    row: cell.line,
    messageVi: `${fileLabel}: dòng ${cell.line} có một ô dài hơn ${MAX_CELL_VI} ký tự (mức tối đa của một ô bảng tính) dù tách cột theo dấu phẩy, chấm phẩy, tab hay gạch đứng, nên không phải là bảng báo cáo; hãy gửi tệp Excel (.xlsx) theo mẫu`,
  };
}

/** CSV already decoded to text. The delimiter is the one under which the header names the most indicators. */
export function readCsv(text: string, expected: ExpectedReport, limits: ReportLimits, fileLabel: string): TableResult & { delimiter?: Delimiter } {
  const src = text.replace(/^\uFEFF/, '');
  const indicators = expected.directive.indicators;
  let best: { d: Delimiter; split: CsvSplit; grid: Grid; header: { row: number; count: number }; width: number } | undefined;
  let overlong: CsvSplit['overlongCell'];
  for (const d of DELIMITERS) {
    const split = splitCsv(src, d, limits.maxCells, EXCEL_MAX_CELL_CHARS);
    if (split.truncated) {
      return { rows: [], notes: [], problems: [{ code: 'too-complex', messageVi: `${fileLabel} có hơn ${limits.maxCells.toLocaleString('vi-VN')} ô dữ liệu, quá lớn so với một báo cáo` }] };
    }
    // A cell longer than Excel allows: this delimiter does not split the file; another may.
    if (split.overlongCell) {
      overlong ??= split.overlongCell;
      continue;
    }
    const grid = toGrid(split.rows);
    const header = findHeaderRow(grid, indicators);
    const width = header.row ? (grid.cells.get(header.row)?.size ?? 0) : 0;
    if (!best || header.count > best.header.count || (header.count === best.header.count && width > best.width)) best = { d, split, grid, header, width };
  }
  if (!best && overlong) return { rows: [], notes: [], problems: [overlongProblem(overlong, fileLabel)] };
  if (!best) return { rows: [], notes: [], problems: [{ code: 'internal', messageVi: `${fileLabel}: không tách được các cột` }] };

  const { d, split, grid } = best;
  if (split.openQuoteLine !== undefined) {
    return {
      rows: [],
      notes: [],
      problems: [{ code: 'bad-csv', row: split.openQuoteLine, messageVi: `Dòng ${split.openQuoteLine}: dấu ngoặc kép (") mở nhưng không đóng; phần còn lại của tệp không đọc được` }],
    };
  }
  const widest = split.rows.reduce((most, r) => Math.max(most, r.cells.length), 0);
  if (widest > limits.maxColumns) {
    return { rows: [], notes: [], problems: [{ code: 'too-complex', messageVi: `${fileLabel} có ${widest} cột, vượt giới hạn ${limits.maxColumns} cột` }] };
  }
  if (best.header.count > 0) {
    const identityProblems = checkIdentity(identityFromText(grid, best.header.row, expected), expected, limits.maxQuotedChars);
    if (identityProblems.length) return { rows: [], notes: [], problems: identityProblems };
  }
  const result = readTable(grid, { expected, limits, where: 'tệp CSV' });
  const notes = d === ',' ? [] : [`Các cột được phân cách bằng ${DELIMITER_VI[d]}`];
  return { ...result, notes: [...notes, ...result.notes], delimiter: d };
}
