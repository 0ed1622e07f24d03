import type { Indicator } from '../directive.ts';
import { foldVi } from '../text.ts';
import { isTargetsRow, isTotalRow, rowMatcher, type ExpectedRow } from './rows.ts';
import { columnLetter } from './template.ts';
import { VILLAGE_TARGET_HEADER_PREFIX, type ExpectedReport, type ParsedReportRow, type ReportLimits, type ReportProblem, type ReportValue } from './types.ts';
import { interpret, isTick, looksLikeValue, quote, formatDateCell, formatNumberVi, type RawCell } from './values.ts';

/** A sheet or a CSV file as cells: row number (spreadsheet row or CSV line) → column (1-based) → cell. */
export interface Grid {
  format: 'xlsx' | 'csv';
  sheet?: string;
  cells: Map<number, Map<number, RawCell>>;
}

/** What the template's hidden sheet says about the visible one; every field may be stale after an officer's edits. */
export interface GridHints {
  headerRow?: number;
  targetsRow?: number;
  nameColumn?: number;
  /** column → indicator id */
  columns: Map<number, string>;
  /** row → unit id */
  rows: Map<number, string>;
}

export interface TableResult {
  rows: ParsedReportRow[];
  problems: ReportProblem[];
  notes: string[];
}

export function cellText(raw: RawCell | undefined): string {
  if (!raw) return '';
  switch (raw.t) {
    case 'text':
      return raw.s;
    case 'number':
      return formatNumberVi(raw.n);
    case 'bool':
      return raw.b ? 'TRUE' : 'FALSE';
    case 'date':
      return formatDateCell(raw.d);
    case 'error':
      return raw.e;
    default:
      return '';
  }
}

const normHeader = (s: string) => foldVi(s).replace(/\s+/g, ' ').replace(/[\s:*]+$/, '').trim();

/** Header texts that name an indicator: its id, its name, "name (measure)", case and diacritics ignored. */
export function headerIndex(indicators: readonly Indicator[]): (text: string) => Indicator[] {
  const byKey = new Map<string, Indicator[]>();
  const add = (key: string, ind: Indicator) => {
    if (!key) return;
    const list = byKey.get(key) ?? [];
    if (!list.includes(ind)) list.push(ind);
    byKey.set(key, list);
  };
  // Most specific keys first, so "name (measure)" wins over a bare name shared by two indicators.
  for (const ind of indicators) add(normHeader(`${ind.name} (${ind.measure})`), ind);
  for (const ind of indicators) add(normHeader(ind.name), ind);
  for (const ind of indicators) add(ind.id.toLowerCase(), ind);
  return (text: string) => {
    if (text.length > 1_000) return []; // longer than any indicator's name; keeps the patterns below linear
    const t = normHeader(text);
    if (!t) return [];
    const direct = byKey.get(t);
    if (direct) return direct;
    const withoutTrailing = normHeader(t.replace(/\s*\([^()]*\)\s*$/, ''));
    const loose = withoutTrailing !== t ? byKey.get(withoutTrailing) : undefined;
    if (loose) return loose;
    // "(1) Huy động …" or "1. Huy động …": a numbering in front of the name.
    const unnumbered = normHeader(t.replace(/^\(?\d{1,2}[).]\s*/, ''));
    return unnumbered !== t ? (byKey.get(unnumbered) ?? byKey.get(normHeader(unnumbered.replace(/\s*\([^()]*\)\s*$/, ''))) ?? []) : [];
  };
}

const sortedKeys = <T>(m: Map<number, T>) => [...m.keys()].sort((a, b) => a - b);

/** The row among the first 60 rows with content that names the most indicators. */
export function findHeaderRow(grid: Grid, indicators: readonly Indicator[]): { row: number; count: number } {
  const lookup = headerIndex(indicators);
  let best = { row: 0, count: 0 };
  for (const r of sortedKeys(grid.cells).slice(0, 60)) {
    const found = new Set<string>();
    for (const raw of grid.cells.get(r)?.values() ?? []) for (const ind of lookup(cellText(raw))) found.add(ind.id);
    if (found.size > best.count) best = { row: r, count: found.size };
  }
  return best;
}

export interface TableContext {
  expected: ExpectedReport;
  limits: ReportLimits;
  /** "trang "Báo cáo"" or "tệp" — where the table is, for messages. */
  where: string;
}

/**
 * Reads the report table of a grid: finds the header row and each indicator's column, the column of village names,
 * matches rows to the expected villages, and checks every value. Used by both XLSX and CSV.
 */
export function readTable(grid: Grid, ctx: TableContext, hints?: GridHints): TableResult {
  const { expected, limits } = ctx;
  const indicators = expected.directive.indicators;
  const problems: ReportProblem[] = [];
  const notes: string[] = [];
  const q = (s: string) => quote(s, limits.maxQuotedChars);
  const isXlsx = grid.format === 'xlsx';
  const sheet = grid.sheet;
  const get = (r: number, c: number): RawCell | undefined => grid.cells.get(r)?.get(c);

  // --- header and columns
  const lookup = headerIndex(indicators);
  const found = findHeaderRow(grid, indicators);
  let headerRow = found.row;
  if (found.count === 0) {
    if (hints?.headerRow && hints.columns.size) headerRow = hints.headerRow;
    else {
      return {
        rows: [],
        notes,
        problems: [
          {
            code: 'not-a-report',
            messageVi: `Không tìm thấy dòng tiêu đề có tên hoặc mã các chỉ tiêu của ${docName(expected)} trong ${ctx.where}`,
            ...(sheet ? { sheet } : {}),
          },
        ],
      };
    }
  }
  const headerText = (c: number) => cellText(get(headerRow, c));
  const columnLabel = (c: number) => (isXlsx ? `Cột ${columnLetter(c)}` : `Cột ${c}${headerText(c).trim() ? ` ("${q(headerText(c).trim())}")` : ''}`);
  const columnField = (c: number) => (isXlsx ? columnLetter(c) : headerText(c).trim() || String(c));

  const columnOf = new Map<string, number>(); // indicator id → column
  const indicatorAt = new Map<number, Indicator>(); // column → indicator
  const claim = (ind: Indicator, c: number) => {
    columnOf.set(ind.id, c);
    indicatorAt.set(c, ind);
  };
  const headerCells = [...(grid.cells.get(headerRow)?.entries() ?? [])].sort((a, b) => a[0] - b[0]);
  for (const [c, raw] of headerCells) {
    const candidates = lookup(cellText(raw));
    if (!candidates.length) continue;
    const free = candidates.find((ind) => !columnOf.has(ind.id));
    if (free) claim(free, c);
    else {
      const first = candidates[0] as Indicator;
      const at = columnOf.get(first.id) as number;
      problems.push({
        code: 'duplicate-indicator',
        messageVi: `${columnLabel(c)}: chỉ tiêu "${first.name}" đã có ở ${isXlsx ? `cột ${columnLetter(at)}` : `cột ${at}`}; hãy xóa một trong hai cột`,
        ...(sheet ? { sheet } : {}),
        row: headerRow,
        column: columnField(c),
        ...(isXlsx ? { cell: `${columnLetter(c)}${headerRow}` } : {}),
        indicatorId: first.id,
      });
    }
  }
  // Headers merged over two rows, or written one row up.
  for (let r = headerRow - 1; r >= Math.max(1, headerRow - 3) && columnOf.size < indicators.length; r--) {
    for (const [c, raw] of grid.cells.get(r) ?? []) {
      if (indicatorAt.has(c)) continue;
      const free = lookup(cellText(raw)).find((ind) => !columnOf.has(ind.id));
      if (free) claim(free, c);
    }
  }
  // The template's own record of its columns, for headers an officer reworded.
  if (hints) {
    for (const [c, id] of hints.columns) {
      const ind = indicators.find((i) => i.id === id);
      if (!ind || columnOf.has(id) || indicatorAt.has(c)) continue;
      if (lookup(headerText(c)).length) continue; // that column names another indicator now
      claim(ind, c);
      if (headerText(c).trim()) notes.push(`${columnLabel(c)} được nhận là chỉ tiêu "${ind.name}" theo mẫu báo cáo`);
    }
  }
  for (const ind of indicators) {
    if (!columnOf.has(ind.id)) {
      problems.push({
        code: 'missing-indicator',
        messageVi: `Thiếu cột "${ind.name} (${ind.measure})" (mã ${ind.id}) trong ${ctx.where}`,
        ...(sheet ? { sheet } : {}),
        indicatorId: ind.id,
      });
    }
  }

  // --- the column of village names
  const matcher = rowMatcher(expected.rows);
  const dataRows = sortedKeys(grid.cells).filter((r) => r > headerRow);
  if (dataRows.length > limits.maxRows) {
    problems.push({ code: 'too-complex', messageVi: `Bảng có ${dataRows.length} dòng, vượt giới hạn ${limits.maxRows} dòng`, ...(sheet ? { sheet } : {}) });
    return { rows: [], problems, notes };
  }
  const candidates = new Set<number>();
  for (const r of dataRows) for (const c of grid.cells.get(r)?.keys() ?? []) if (!indicatorAt.has(c)) candidates.add(c);
  let nameColumn = hints?.nameColumn && !indicatorAt.has(hints.nameColumn) ? hints.nameColumn : 1;
  let bestMatches = -1;
  for (const c of [...candidates].sort((a, b) => a - b)) {
    let n = 0;
    for (const r of dataRows) if (matcher(cellText(get(r, c))).kind === 'match') n++;
    if (n > bestMatches && n > 0) {
      bestMatches = n;
      nameColumn = c;
    }
  }
  if (indicatorAt.has(nameColumn)) nameColumn = 0;

  // --- rows
  const rowLabel = (r: number) => `Dòng ${r}`;
  const matched = new Map<string, { row: ExpectedRow; at: number; matchedFrom?: string }>();
  const ignored: string[] = [];
  for (const r of dataRows) {
    const nameRaw = nameColumn ? get(r, nameColumn) : undefined;
    const nameText = cellText(nameRaw).trim();
    if (nameText && (isTargetsRow(nameText) || (hints?.targetsRow === r && matcher(nameText).kind !== 'match'))) continue;
    if (nameText && isTotalRow(nameText)) {
      ignored.push(`dòng ${r} ("${q(nameText)}")`);
      continue;
    }
    const valueish = [...indicatorAt].some(([c, ind]) => looksLikeValue(ind, get(r, c) ?? { t: 'empty' }));
    let match = matcher(nameText);
    if (match.kind === 'none' && !nameText && hints?.rows.has(r)) {
      const row = expected.rows.find((x) => x.unitId === hints.rows.get(r));
      if (row && valueish) {
        match = { kind: 'match', row };
        notes.push(`${rowLabel(r)} không có tên; được nhận là ${row.name} theo mẫu báo cáo`);
      }
    }
    if (match.kind === 'ambiguous' && hints?.rows.has(r)) {
      // Two villages with the same name: the template knows which one this row was.
      const row = match.candidates.find((x) => x.unitId === hints.rows.get(r));
      if (row) match = { kind: 'match', row };
    }
    const base = { ...(sheet ? { sheet } : {}), row: r, ...(nameColumn ? { column: columnField(nameColumn) } : {}) };
    if (match.kind === 'ambiguous') {
      problems.push({
        code: 'ambiguous-row',
        messageVi: `${rowLabel(r)}: "${q(nameText)}" có thể là ${match.candidates.map((x) => x.name).join(' hoặc ')}; hãy ghi đầy đủ tên`,
        ...base,
      });
      continue;
    }
    if (match.kind === 'none') {
      if (!valueish) {
        if (nameText) ignored.push(`dòng ${r} ("${q(nameText)}")`);
        continue;
      }
      problems.push({
        code: 'unknown-row',
        messageVi: nameText
          ? `${rowLabel(r)}: "${q(nameText)}" không có trong danh sách thôn, khu phố của ${expected.unitName} (${listNames(expected.rows)})`
          : `${rowLabel(r)}: có số liệu nhưng không ghi tên thôn, khu phố`,
        ...base,
      });
      continue;
    }
    const previous = matched.get(match.row.unitId);
    if (previous) {
      problems.push({
        code: 'duplicate-row',
        messageVi: `${rowLabel(r)}: ${match.row.name} đã có ở dòng ${previous.at}; mỗi thôn, khu phố chỉ ghi một dòng`,
        ...base,
        unitId: match.row.unitId,
      });
      continue;
    }
    matched.set(match.row.unitId, { row: match.row, at: r, ...(match.matchedFrom !== undefined ? { matchedFrom: match.matchedFrom } : {}) });
  }
  if (ignored.length) notes.push(`Bỏ qua ${ignored.length} dòng không phải thôn, khu phố và không có số liệu: ${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? ', …' : ''}`);

  // --- values
  const tickColumns = new Set<number>();
  for (const [c, ind] of indicatorAt) {
    if (ind.kind !== 'yes-no') continue;
    if ([...matched.values()].some((m) => isTick(get(m.at, c) ?? { t: 'empty' }))) {
      tickColumns.add(c);
      notes.push(`${columnLabel(c)}: ô đánh dấu "x" được hiểu là "Có", ô trống là "Không"`);
    }
  }
  const rowsOut = new Map<string, ParsedReportRow>();
  const formulaCells: string[] = [];
  for (const { row, at, matchedFrom } of [...matched.values()].sort((a, b) => a.at - b.at)) {
    const values: Record<string, ReportValue> = {};
    for (const ind of indicators) {
      const c = columnOf.get(ind.id);
      if (c === undefined) continue;
      let raw: RawCell = get(at, c) ?? { t: 'empty' };
      if (raw.t === 'empty' && tickColumns.has(c)) raw = { t: 'bool', b: false };
      const result = interpret(ind, raw, limits.maxQuotedChars);
      if (result.ok) {
        values[ind.id] = result.value;
        if (result.note) notes.push(`${isXlsx ? `Ô ${columnLetter(c)}${at}` : `Dòng ${at}, ${columnLabel(c).toLowerCase()}`}: ${result.note}`);
        if ('formula' in raw && raw.formula) formulaCells.push(isXlsx ? `${columnLetter(c)}${at}` : `${at}`);
        continue;
      }
      if (result.code === 'missing-value' && limits.allowBlank) {
        values[ind.id] = null;
        continue;
      }
      const place = isXlsx ? `Ô ${columnLetter(c)}${at}` : `Dòng ${at}, cột "${q(headerText(c).trim() || String(c))}"`;
      const context = isXlsx ? `${row.name}, cột "${ind.name}"` : normHeader(headerText(c)) === normHeader(ind.name) ? row.name : `${row.name}, chỉ tiêu "${ind.name}"`;
      problems.push({
        code: result.code,
        messageVi: `${place}: ${result.detail} (${context})`,
        ...(sheet ? { sheet } : {}),
        row: at,
        column: columnField(c),
        ...(isXlsx ? { cell: `${columnLetter(c)}${at}` } : {}),
        indicatorId: ind.id,
        unitId: row.unitId,
      });
    }
    rowsOut.set(row.unitId, { unitId: row.unitId, name: row.name, ...(matchedFrom !== undefined ? { matchedFrom } : {}), values });
  }
  if (formulaCells.length) {
    notes.push(`Dùng kết quả đã tính sẵn của ${formulaCells.length} ô có công thức (${formulaCells.slice(0, 5).join(', ')}${formulaCells.length > 5 ? ', …' : ''}); công thức không được tính lại`);
  }
  for (const m of matched.values()) {
    if (m.matchedFrom !== undefined) notes.push(`Dòng ${m.at}: "${q(m.matchedFrom)}" được hiểu là ${m.row.name}`);
  }

  // Column problems first, then row and cell problems in the order of the sheet, then villages missing.
  const columnProblems = problems.filter((p) => p.row === undefined || p.code === 'duplicate-indicator');
  const placed = problems.filter((p) => !columnProblems.includes(p)).sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  problems.length = 0;
  problems.push(...columnProblems, ...placed);
  for (const row of expected.rows) {
    if (!matched.has(row.unitId)) {
      problems.push({
        code: 'missing-row',
        messageVi: `Thiếu dòng của ${row.name}: không tìm thấy tên thôn, khu phố này trong ${ctx.where}`,
        ...(sheet ? { sheet } : {}),
        unitId: row.unitId,
      });
    }
  }

  // The template's own columns of the villages' targets are not the officer's doing: nothing to tell.
  const unknownHeaders = headerCells.filter(([c, raw]) => !indicatorAt.has(c) && c !== nameColumn && cellText(raw).trim() && !cellText(raw).startsWith(VILLAGE_TARGET_HEADER_PREFIX));
  if (unknownHeaders.length) {
    notes.push(`Bỏ qua ${unknownHeaders.length} cột không phải chỉ tiêu: ${unknownHeaders.slice(0, 5).map(([c]) => columnLabel(c).replace(/^Cột/, 'cột')).join(', ')}${unknownHeaders.length > 5 ? ', …' : ''}`);
  }

  return { rows: expected.rows.flatMap((r) => rowsOut.get(r.unitId) ?? []), problems, notes };
}

export function listNames(rows: readonly ExpectedRow[], max = 8): string {
  const names = rows.map((r) => r.name);
  return names.length <= max ? `có: ${names.join(', ')}` : `có: ${names.slice(0, max).join(', ')}, … (${names.length} thôn, khu phố)`;
}

export function docName(expected: Pick<ExpectedReport, 'directive'>): string {
  const d = expected.directive;
  const kind = d.kind || 'chỉ thị';
  return `${kind.charAt(0).toUpperCase()}${kind.slice(1)} số ${d.number}`;
}
