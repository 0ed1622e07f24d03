import ExcelJS from 'exceljs';
import { zipSync } from 'fflate';
import { foldVi } from '../text.ts';
import { checkIdentity, identityFromText, type ClaimedIdentity } from './identity.ts';
import { cellText, docName, findHeaderRow, readTable, type Grid, type GridHints, type TableResult } from './table.ts';
import { META_FORMAT, META_SHEET, type ExpectedReport, type ReportLimits, type ReportProblem } from './types.ts';
import { EMPTY, quote, type RawCell } from './values.ts';
import { extractEntry, readCentralDirectory, ZipError, type ZipEntryInfo } from './zip.ts';

const MAX_COL = 16_384; // XFD
const MAX_ROW = 1_048_576;

const NEEDED = (name: string) =>
  name === '_rels/.rels' ||
  name === 'xl/workbook.xml' ||
  name === 'xl/_rels/workbook.xml.rels' ||
  name === 'xl/styles.xml' ||
  name === 'xl/sharedStrings.xml' ||
  /^xl\/worksheets\/sheet\d+\.xml$/.test(name);

type Fail = { problems: ReportProblem[] };

function zipProblem(e: ZipError, fileLabel: string): ReportProblem {
  switch (e.failure.kind) {
    case 'zip-bomb':
      return { code: 'zip-bomb', messageVi: `${fileLabel} bị từ chối vì ${e.failure.detail} (dấu hiệu tệp "bom nén"); một báo cáo bình thường nhỏ hơn nhiều` };
    case 'unsupported':
      return { code: 'corrupt', messageVi: `${fileLabel} không đọc được: ${e.failure.detail}; hãy mở bằng Excel và lưu lại dưới dạng "Excel Workbook (.xlsx)"` };
    case 'corrupt':
      return { code: 'corrupt', messageVi: `${fileLabel} bị hỏng, không đọc được: ${e.failure.detail}; hãy mở bằng Excel, lưu lại rồi gửi lại` };
  }
}

/** Which other ZIP-based document an archive is, when it is not a workbook. */
function whatZipIs(names: Set<string>): string {
  if (names.has('word/document.xml')) return 'tài liệu Word (.docx)';
  if (names.has('ppt/presentation.xml')) return 'bản trình chiếu PowerPoint (.pptx)';
  if (names.has('content.xml') && names.has('mimetype')) return 'tài liệu OpenDocument (.ods/.odt), không phải .xlsx';
  return 'tệp nén ZIP';
}

/** The first element `<name …/>` or `<name …>…</name>` (unprefixed, as exceljs reads it), found with indexOf only. */
function element(xml: string, name: string): string {
  let from = 0;
  for (;;) {
    const start = xml.indexOf(`<${name}`, from);
    if (start < 0) return '';
    const after = xml.charAt(start + name.length + 1);
    if (after !== '>' && after !== '/' && after !== ' ' && after !== '\t' && after !== '\r' && after !== '\n') {
      from = start + 1;
      continue;
    }
    const close = xml.indexOf('>', start);
    if (close < 0) return '';
    if (xml.charAt(close - 1) === '/') return xml.slice(start, close + 1);
    const end = xml.indexOf(`</${name}>`, close);
    return end < 0 ? '' : xml.slice(start, end + name.length + 3);
  }
}

/** Keeps the root start tag of an XML part and only the listed child elements. */
function rebuild(xml: string, root: string, keep: string[]): string | undefined {
  const open = new RegExp(`<((?:[\\w.-]{1,20}:)?)${root}\\b[^>]{0,20000}>`).exec(xml.slice(0, 50_000));
  if (!open) return undefined;
  const prefix = open[1] ?? '';
  const parts = keep.map((name) => element(xml, name));
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${open[0]}${parts.join('')}</${prefix}${root}>`;
}

const SHEET_DATA = ['sheetData'];
const WORKBOOK_PARTS = ['workbookPr', 'sheets'];

function colNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/**
 * Unzips the parts of a workbook the parser reads, after checking the ZIP against the limits, and strips every
 * worksheet down to its cells (no merges, validations, column ranges, drawings, names…) so nothing an officer or an
 * attacker put there can make exceljs loop over a huge range. Returns the bytes exceljs loads.
 */
function sanitizeWorkbook(bytes: Uint8Array, limits: ReportLimits, fileLabel: string): { zip: Uint8Array; notes: string[] } | Fail {
  let entries: ZipEntryInfo[];
  try {
    entries = readCentralDirectory(bytes, limits);
  } catch (e) {
    if (e instanceof ZipError) return { problems: [zipProblem(e, fileLabel)] };
    throw e;
  }
  const names = new Set(entries.map((e) => e.name));
  if (!names.has('xl/workbook.xml')) {
    if ([...names].some((n) => n.startsWith('xl/'))) {
      return { problems: [{ code: 'corrupt', messageVi: `${fileLabel} bị hỏng: thiếu phần mô tả sổ tính (xl/workbook.xml); hãy mở bằng Excel, lưu lại rồi gửi lại` }] };
    }
    return { problems: [{ code: 'not-a-report', messageVi: `${fileLabel} là ${whatZipIs(names)}, không phải bảng tính Excel (.xlsx) của báo cáo` }] };
  }
  const out: Record<string, Uint8Array> = {};
  let budget = limits.maxUncompressedBytes;
  let cells = 0;
  const decoder = new TextDecoder('utf-8');
  const encoder = new TextEncoder();
  for (const entry of entries) {
    if (!NEEDED(entry.name) || out[entry.name]) continue;
    let data: Uint8Array;
    try {
      data = extractEntry(bytes, entry, budget);
    } catch (e) {
      if (e instanceof ZipError) return { problems: [zipProblem(e, fileLabel)] };
      throw e;
    }
    budget -= data.length;
    if (entry.name.startsWith('xl/worksheets/')) {
      const xml = decoder.decode(data);
      const sheet = rebuild(xml, 'worksheet', SHEET_DATA);
      if (!sheet) return { problems: [{ code: 'corrupt', messageVi: `${fileLabel} bị hỏng: trang tính "${entry.name}" không đúng cấu trúc; hãy mở bằng Excel, lưu lại rồi gửi lại` }] };
      cells += (sheet.match(/<(?:[\w.-]{1,20}:)?c[\s>/]/g) ?? []).length;
      if (cells > limits.maxCells) {
        return { problems: [{ code: 'too-complex', messageVi: `${fileLabel} có hơn ${limits.maxCells.toLocaleString('vi-VN')} ô dữ liệu, quá lớn so với một báo cáo; hãy xóa các trang không cần thiết rồi gửi lại` }] };
      }
      const bad = badReference(sheet);
      if (bad !== undefined) {
        return { problems: [{ code: 'corrupt', messageVi: `${fileLabel} bị hỏng: có ô với địa chỉ không hợp lệ ("${quote(bad, 20)}"); hãy mở bằng Excel, lưu lại rồi gửi lại` }] };
      }
      data = encoder.encode(sheet);
    } else if (entry.name === 'xl/sharedStrings.xml') {
      // An empty string (<t/>) is valid OOXML but makes exceljs fail on the cells that use it: make it a space.
      data = encoder.encode(decoder.decode(data).replace(/<t\b[^>]{0,200}?\/>|<t\b[^>]{0,200}><\/t>/g, '<t xml:space="preserve"> </t>'));
    } else if (entry.name === 'xl/workbook.xml') {
      const wb = rebuild(decoder.decode(data), 'workbook', WORKBOOK_PARTS);
      if (!wb) return { problems: [{ code: 'corrupt', messageVi: `${fileLabel} bị hỏng: phần mô tả sổ tính (workbook.xml) không đúng cấu trúc` }] };
      data = encoder.encode(wb);
    }
    out[entry.name] = data;
  }
  if (!Object.keys(out).some((n) => n.startsWith('xl/worksheets/'))) {
    return { problems: [{ code: 'corrupt', messageVi: `${fileLabel} bị hỏng: không có trang tính nào; hãy mở bằng Excel, lưu lại rồi gửi lại` }] };
  }
  return { zip: zipSync(out, { level: 0 }), notes: [] };
}

/**
 * The first row or cell reference outside the sheet (past XFD1048576) or malformed, or of a tag too long to be one;
 * exceljs would otherwise allocate a column object for every column up to it.
 */
function badReference(sheet: string): string | undefined {
  for (const m of sheet.matchAll(/<(?:[\w.-]{1,20}:)?(c|row)[\s>/]/g)) {
    const tag = sheet.slice(m.index, m.index + 4_000);
    const end = tag.indexOf('>');
    if (end < 0) return tag.slice(0, 20);
    const r = /\sr\s*=\s*["']([^"']*)["']/.exec(tag.slice(0, end));
    if (!r) continue;
    const ref = r[1] ?? '';
    const parsed = m[1] === 'row' ? /^()(\d{1,7})$/.exec(ref) : /^([A-Za-z]{1,3})(\d{1,7})$/.exec(ref);
    const col = parsed?.[1] ? colNumber(parsed[1]) : 1;
    const row = parsed ? Number(parsed[2]) : 0;
    if (!parsed || col < 1 || col > MAX_COL || row < 1 || row > MAX_ROW) return ref;
  }
  return undefined;
}

function isPercentFormat(numFmt: unknown): boolean {
  return typeof numFmt === 'string' && numFmt.replace(/"[^"]*"|\\.|\[[^\]]*\]/g, '').includes('%');
}

function toRaw(cell: ExcelJS.Cell): RawCell {
  let value: unknown;
  let numFmt: unknown;
  try {
    value = cell.value;
    numFmt = cell.numFmt;
  } catch {
    return EMPTY;
  }
  const plain = (v: unknown, formula?: string): RawCell => {
    const f = formula !== undefined ? { formula } : {};
    if (v === null || v === undefined) return formula !== undefined ? { t: 'formula-no-result', formula } : EMPTY;
    if (typeof v === 'number') return { t: 'number', n: v, ...(isPercentFormat(numFmt) ? { percentFormat: true } : {}), ...f };
    if (typeof v === 'string') return v.trim() ? { t: 'text', s: v, ...f } : EMPTY;
    if (typeof v === 'boolean') return { t: 'bool', b: v, ...f };
    if (v instanceof Date) return { t: 'date', d: v, ...f };
    if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.error === 'string') return { t: 'error', e: o.error, ...f };
      if (Array.isArray(o.richText)) {
        const s = o.richText.map((r) => (r && typeof (r as { text?: unknown }).text === 'string' ? (r as { text: string }).text : '')).join('');
        return s.trim() ? { t: 'text', s, ...f } : EMPTY;
      }
      if ('text' in o) return plain(o.text, formula);
    }
    return EMPTY;
  };
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const o = value as Record<string, unknown>;
    const formula = typeof o.formula === 'string' ? o.formula : typeof o.sharedFormula === 'string' ? o.sharedFormula : undefined;
    if (formula !== undefined || 'result' in o) return plain(o.result, formula ?? '');
  }
  return plain(value);
}

function gridOf(ws: ExcelJS.Worksheet): Grid {
  const cells = new Map<number, Map<number, RawCell>>();
  ws.eachRow({ includeEmpty: false }, (row, r) => {
    const line = new Map<number, RawCell>();
    row.eachCell({ includeEmpty: false }, (cell, c) => {
      const raw = toRaw(cell);
      if (raw.t !== 'empty') line.set(c, raw);
    });
    if (line.size) cells.set(r, line);
  });
  return { format: 'xlsx', sheet: ws.name, cells };
}

interface Meta {
  identity: ClaimedIdentity;
  directiveVersion?: number;
  sheet?: string;
  hints: GridHints;
}

function readMeta(grid: Grid): Meta | undefined {
  const hints: GridHints = { columns: new Map(), rows: new Map() };
  const identity: ClaimedIdentity = {};
  let format: string | undefined;
  let sheet: string | undefined;
  let directiveVersion: number | undefined;
  const num = (s: string) => (/^\d{1,7}$/.test(s.trim()) ? Number(s.trim()) : undefined);
  const colNum = (s: string) => (/^[A-Za-z]{1,3}$/.test(s.trim()) ? colNumber(s.trim()) : undefined);
  for (const row of grid.cells.values()) {
    const at = (c: number) => cellText(row.get(c)).trim();
    const key = at(1);
    const value = at(2);
    switch (key) {
      case 'format':
        format = value;
        break;
      case 'directiveId':
        identity.directiveId = value;
        break;
      case 'directiveVersion': {
        const n = num(value);
        if (n) directiveVersion = n;
        break;
      }
      case 'directiveNumber':
        identity.directiveNumber = value;
        break;
      case 'periodId':
        identity.periodId = value;
        break;
      case 'periodLabel':
        identity.periodLabel = value;
        break;
      case 'unitId':
        identity.unitId = value;
        break;
      case 'unitName':
        identity.unitName = value;
        break;
      case 'sheet':
        sheet = value;
        break;
      case 'headerRow': {
        const n = num(value);
        if (n) hints.headerRow = n;
        break;
      }
      case 'targetsRow': {
        const n = num(value);
        if (n) hints.targetsRow = n;
        break;
      }
      case 'nameColumn': {
        const c = colNum(value);
        if (c) hints.nameColumn = c;
        break;
      }
      case 'column': {
        const c = colNum(value);
        const id = at(3);
        if (c && id) hints.columns.set(c, id);
        break;
      }
      case 'row': {
        const r = num(value);
        const id = at(3);
        if (r && id) hints.rows.set(r, id);
        break;
      }
    }
  }
  if (format !== META_FORMAT) return undefined;
  return { identity, ...(sheet ? { sheet } : {}), ...(directiveVersion ? { directiveVersion } : {}), hints };
}

export async function readXlsx(bytes: Uint8Array, expected: ExpectedReport, limits: ReportLimits, fileLabel: string): Promise<TableResult> {
  const clean = sanitizeWorkbook(bytes, limits, fileLabel);
  if ('problems' in clean) return { rows: [], notes: [], problems: clean.problems };

  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(clean.zip.buffer, clean.zip.byteOffset, clean.zip.byteLength) as unknown as ExcelJS.Buffer);
  } catch {
    // exceljs' own message is for programmers; the officer needs to know what to do
    return { rows: [], notes: [], problems: [{ code: 'corrupt', messageVi: `${fileLabel} bị hỏng: nội dung bảng tính không đúng cấu trúc nên không đọc được; hãy mở bằng Excel, lưu lại rồi gửi lại` }] };
  }

  const sheets = wb.worksheets.map((ws) => ({ ws, grid: gridOf(ws) }));
  // The identity sheet is the one named "thidua" that reads as one; any other sheet may hold the report.
  const found = sheets.filter((s) => foldVi(s.ws.name) === META_SHEET).map((s) => ({ s, meta: readMeta(s.grid) })).find((x) => x.meta);
  const metaSheet = found?.s;
  const meta = found?.meta;
  const candidates = sheets.filter((s) => s !== metaSheet);
  if (!candidates.length) {
    return { rows: [], notes: [], problems: [{ code: 'not-a-report', messageVi: `${fileLabel} không có trang tính nào chứa bảng báo cáo` }] };
  }
  const indicators = expected.directive.indicators;
  const scored = candidates.map((s) => ({ ...s, header: findHeaderRow(s.grid, indicators) }));
  const named = meta?.sheet ? scored.find((s) => s.ws.name === meta.sheet) : undefined;
  const best = [...scored].sort((a, b) => b.header.count - a.header.count || Number(a.ws.state !== 'visible') - Number(b.ws.state !== 'visible'))[0];
  const chosen = named && (named.header.count > 0 || (best?.header.count ?? 0) === 0) ? named : best;
  if (!chosen) return { rows: [], notes: [], problems: [{ code: 'not-a-report', messageVi: `${fileLabel} không có trang tính nào chứa bảng báo cáo` }] };

  const sheetName = chosen.ws.name;
  const claimed = meta ? meta.identity : identityFromText(chosen.grid, chosen.header.row || Number.MAX_SAFE_INTEGER, expected);
  const identityProblems = checkIdentity(claimed, expected, limits.maxQuotedChars, sheetName);
  if (identityProblems.length) return { rows: [], notes: [], problems: identityProblems };

  const hints = meta && (!meta.sheet || meta.sheet === sheetName) ? meta.hints : undefined;
  const result = readTable(chosen.grid, { expected, limits, where: `trang "${quote(sheetName, limits.maxQuotedChars)}"` }, hints);
  const notes: string[] = [];
  if (!meta) notes.push('Tệp không có phần nhận dạng của mẫu báo cáo (có thể được lập lại bằng tay); các cột được nhận theo tên chỉ tiêu');
  if (meta?.directiveVersion && meta.directiveVersion !== expected.directive.version) {
    notes.push(`Mẫu báo cáo được tạo theo lần ban hành thứ ${meta.directiveVersion} của ${docName(expected)}; văn bản hiện là lần thứ ${expected.directive.version}`);
  }
  const others = candidates.filter((s) => s.ws !== chosen.ws && s.grid.cells.size > 0).map((s) => `"${quote(s.ws.name, 30)}"`);
  if (others.length) notes.push(`Chỉ đọc trang "${quote(sheetName, 30)}"; bỏ qua ${others.length} trang khác: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''}`);
  return { ...result, notes: [...notes, ...result.notes] };
}
