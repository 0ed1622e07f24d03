import { checkIdentity, identityFromText } from './identity.ts';
import { findHeaderRow, readTable, type Grid, type TableResult } from './table.ts';
import type { ExpectedReport, ReportLimits } from './types.ts';
import { EMPTY, type RawCell } from './values.ts';

import { DELIMITERS, splitCsv, type Delimiter } from '../csv.ts';
export { DELIMITERS, splitCsv, type Delimiter };

const DELIMITER_VI: Record<Delimiter, string> = { ',': 'dấu phẩy (,)', ';': 'dấu chấm phẩy (;)', '\t': 'dấu tab', '|': 'dấu gạch đứng (|)' };

function toGrid(rows: { line: number; cells: string[] }[]): Grid {
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

/** CSV already decoded to text. The delimiter is the one under which the header names the most indicators. */
export function readCsv(text: string, expected: ExpectedReport, limits: ReportLimits, fileLabel: string): TableResult & { delimiter?: Delimiter } {
  const src = text.replace(/^\uFEFF/, '');
  const indicators = expected.directive.indicators;
  let best: { d: Delimiter; split: ReturnType<typeof splitCsv>; grid: Grid; header: { row: number; count: number }; width: number } | undefined;
  for (const d of DELIMITERS) {
    const split = splitCsv(src, d, limits.maxCells);
    if (split.truncated) {
      return { rows: [], notes: [], problems: [{ code: 'too-complex', messageVi: `${fileLabel} có hơn ${limits.maxCells.toLocaleString('vi-VN')} ô dữ liệu, quá lớn so với một báo cáo` }] };
    }
    const grid = toGrid(split.rows);
    const header = findHeaderRow(grid, indicators);
    const width = header.row ? (grid.cells.get(header.row)?.size ?? 0) : 0;
    if (!best || header.count > best.header.count || (header.count === best.header.count && width > best.width)) best = { d, split, grid, header, width };
  }
  if (!best) return { rows: [], notes: [], problems: [{ code: 'internal', messageVi: `${fileLabel}: không tách được các cột` }] };

  const { d, split, grid } = best;
  if (split.openQuoteLine !== undefined) {
    return {
      rows: [],
      notes: [],
      problems: [{ code: 'bad-csv', row: split.openQuoteLine, messageVi: `Dòng ${split.openQuoteLine}: dấu ngoặc kép (") mở nhưng không đóng; phần còn lại của tệp không đọc được` }],
    };
  }
  const widest = Math.max(0, ...split.rows.map((r) => r.cells.length));
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
