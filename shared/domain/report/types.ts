import type { Directive } from '../directive.ts';
import type { Unit } from '../units.ts';

export type ReportFormat = 'xlsx' | 'csv' | 'json';

/**
 * Stable machine codes of what can be wrong with a report file. The Vietnamese message says the same thing for the
 * officer; the code is for programs (metrics, tests, the API).
 */
export type ReportProblemCode =
  // the file as a whole
  | 'empty'
  | 'too-large'
  | 'zip-bomb'
  | 'too-complex'
  | 'corrupt'
  | 'not-a-report'
  | 'encoding'
  | 'bad-csv'
  | 'invalid-json'
  /** No longer produced: a parse that runs out of time ends as 'too-complex'. Kept for stored outcomes. */
  | 'timeout'
  | 'internal'
  // whose report it is
  | 'wrong-unit'
  | 'wrong-period'
  | 'wrong-directive'
  // columns
  | 'missing-indicator'
  | 'duplicate-indicator'
  | 'unknown-indicator'
  // rows
  | 'unknown-row'
  | 'missing-row'
  | 'duplicate-row'
  | 'ambiguous-row'
  // cells
  | 'missing-value'
  | 'not-a-number'
  | 'ambiguous-number'
  | 'out-of-range'
  | 'not-whole'
  | 'negative'
  | 'not-yes-no'
  | 'formula-no-result'
  | 'formula-error'
  // the cap on the list
  | 'more-problems';

export interface ReportProblem {
  /** One of ReportProblemCode from this parser; callers may add their own (e.g. 'cancelled'). */
  code: ReportProblemCode | (string & {});
  /** Precise, in Vietnamese with diacritics, naming the place: "Ô D12: tỷ lệ phải từ 0 đến 100, nhận được 112 (…)". */
  messageVi: string;
  sheet?: string;
  /** Spreadsheet row number, CSV line number, or (JSON) index in `rows` counted from 1. */
  row?: number;
  /** Column letter (XLSX), header text (CSV) or indicator id (JSON). */
  column?: string;
  /** "D12" (XLSX only). */
  cell?: string;
  indicatorId?: string;
  unitId?: string;
}

export type ReportValue = number | boolean | null;

export interface ParsedReportRow {
  unitId: string;
  /** The expected (canonical) name. */
  name: string;
  /** The text in the file when it differed from the name, e.g. "Liem Thuan" for "Thôn Liêm Thuận". */
  matchedFrom?: string;
  values: Record<string, ReportValue>;
}

export type ParseOutcome =
  | { ok: true; format: ReportFormat; rows: ParsedReportRow[]; notes: string[] }
  | { ok: false; format?: ReportFormat; problems: ReportProblem[]; notes?: string[] };

export interface ReportLimits {
  /** The upload itself. */
  maxUploadBytes: number;
  /** Sum of the declared uncompressed sizes of a ZIP's entries, and of what is actually inflated. */
  maxUncompressedBytes: number;
  maxZipEntries: number;
  /** Uncompressed ÷ compressed size of one entry, checked for entries of at least `ratioGraceBytes`. */
  maxCompressionRatio: number;
  ratioGraceBytes: number;
  /** Cells over all worksheets of a workbook (XLSX) or in the file (CSV). */
  maxCells: number;
  /** Rows of the report table (XLSX rows, CSV lines). */
  maxRows: number;
  maxColumns: number;
  /** Problems listed before "… và N lỗi khác". */
  maxProblems: number;
  /** Characters of text from the file quoted in a message. */
  maxQuotedChars: number;
  /**
   * Wall-clock budget of one parse: the deadline of the worker thread that runs it for an upload
   * (shared/runtime/parse-budget.ts). parseReport called directly does not enforce it.
   */
  timeoutMs: number;
  /** Accept blank cells as `null` instead of a problem per cell. */
  allowBlank: boolean;
}

export const DEFAULT_REPORT_LIMITS: Readonly<ReportLimits> = Object.freeze({
  maxUploadBytes: 5 * 1024 * 1024,
  maxUncompressedBytes: 30 * 1024 * 1024,
  maxZipEntries: 2_000,
  maxCompressionRatio: 200,
  ratioGraceBytes: 256 * 1024,
  maxCells: 200_000,
  maxRows: 5_000,
  maxColumns: 500,
  maxProblems: 50,
  maxQuotedChars: 60,
  timeoutMs: 20_000,
  allowBlank: false,
});

export interface ExpectedReport {
  directive: Directive;
  unitId: string;
  unitName: string;
  periodId: string;
  /** The unit's villages, or the unit itself when it has none. */
  rows: { unitId: string; name: string }[];
}

export interface ReportFile {
  bytes: Uint8Array;
  fileName: string;
}

export interface ReportPeriodInput {
  id: string;
  label: string;
  /** ISO dates. */
  start: string;
  end: string;
  due: string;
}

export interface ReportTemplateInput {
  directive: Directive;
  unit: Pick<Unit, 'id' | 'name'>;
  period: ReportPeriodInput;
  /** `targets`: the village's own targets, when its commune split the commune's over its villages. */
  rows: { unitId: string; name: string; targets?: Record<string, number | boolean> }[];
  targets: Record<string, number | boolean>;
}

/** Names shared by the template and the parser. */
export const REPORT_SHEET = 'Báo cáo';
export const META_SHEET = 'thidua';
export const META_FORMAT = 'thidua-report';
export const TEMPLATE_VERSION = 1;
export const TARGETS_ROW_LABEL = 'Chỉ tiêu được giao';
/** Over the columns that show each village's own target (locked, right of the indicators; the parser skips them). */
export const VILLAGE_TARGETS_LABEL = 'Chỉ tiêu giao cho thôn';
/** How each of those columns' headers starts: the parser knows them as the template's own, not the officer's. */
export const VILLAGE_TARGET_HEADER_PREFIX = 'Chỉ tiêu giao: ';
