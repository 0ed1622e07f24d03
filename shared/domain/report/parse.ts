import { readCsv } from './csv.ts';
import { sniff, textShape } from './detect.ts';
import { readJson } from './json.ts';
import type { TableResult } from './table.ts';
import { DEFAULT_REPORT_LIMITS, type ExpectedReport, type ParseOutcome, type ReportFile, type ReportFormat, type ReportLimits, type ReportProblem } from './types.ts';
import { formatNumberVi, quote } from './values.ts';
import { readXlsx } from './xlsx.ts';

const FORMAT_VI: Record<ReportFormat, string> = { xlsx: 'bảng tính Excel (.xlsx)', csv: 'tệp CSV', json: 'dữ liệu JSON' };
const EXPECTED_EXTENSIONS: Record<ReportFormat, string[]> = { xlsx: ['xlsx', 'xlsm'], csv: ['csv', 'txt', 'tsv'], json: ['json'] };

/** 5242880 → "5 MB", 7549747 → "7,2 MB", 1000 → "1 KB". */
export function sizeVi(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${formatNumberVi(Math.round((bytes / 1024 / 1024) * 10) / 10)} MB`;
  return `${formatNumberVi(Math.max(1, Math.round(bytes / 1024)))} KB`;
}

/** Keeps the first `max` problems and says how many more there are. */
export function capProblems(problems: ReportProblem[], max: number): ReportProblem[] {
  if (problems.length <= max) return problems;
  const rest = problems.length - max;
  return [...problems.slice(0, max), { code: 'more-problems', messageVi: `… và ${rest} lỗi khác` }];
}

function limitsOf(overrides: Partial<ReportLimits> | undefined): ReportLimits {
  const limits: ReportLimits = { ...DEFAULT_REPORT_LIMITS };
  if (!overrides || typeof overrides !== 'object') return limits;
  for (const key of Object.keys(DEFAULT_REPORT_LIMITS) as (keyof ReportLimits)[]) {
    const v = overrides[key];
    if (key === 'allowBlank') {
      if (typeof v === 'boolean') limits.allowBlank = v;
    } else if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
      limits[key] = v;
    }
  }
  return limits;
}

function extensionOf(fileName: string): string {
  const m = /\.([A-Za-z0-9]{1,5})$/.exec(fileName.trim());
  return m ? (m[1] as string).toLowerCase() : '';
}

/**
 * Reads a filled report: XLSX (the template, or a workbook rebuilt by hand), CSV or the JSON API form, detected from
 * the bytes. Checks that it is the expected unit's report for the expected directive and period, that every indicator
 * and village is there, and every value. Never throws: whatever the bytes, the outcome is a result or a list of
 * problems in Vietnamese.
 *
 * It runs to the end in the calling thread: `limits.timeoutMs` is enforced by the worker that runs it for uploads
 * (parseReportWithinBudget, shared/runtime/parse-budget.ts), since no timer can stop synchronous parsing.
 */
export async function parseReport(file: ReportFile, expected: ExpectedReport, limits?: Partial<ReportLimits>): Promise<ParseOutcome> {
  try {
    return await parseInner(file, expected, limitsOf(limits));
  } catch (e) {
    return internalFailure(e);
  }
}

function internalFailure(e: unknown): ParseOutcome {
  let detail = 'lỗi không xác định';
  try {
    detail = quote(e instanceof Error ? `${e.name}: ${e.message}` : String(e), 120);
  } catch {
    // an exotic thrown value
  }
  return {
    ok: false,
    problems: [{ code: 'internal', messageVi: `Không đọc được tệp do một lỗi ngoài dự kiến của hệ thống (${detail}); vui lòng gửi lại hoặc báo cho quản trị hệ thống` }],
  };
}

async function parseInner(file: ReportFile, expected: ExpectedReport, limits: ReportLimits): Promise<ParseOutcome> {
  const fileName = typeof file?.fileName === 'string' && file.fileName.trim() ? file.fileName.trim() : 'báo cáo';
  const fileLabel = `Tệp "${quote(fileName, limits.maxQuotedChars)}"`;
  const bytes = file?.bytes;
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    return { ok: false, problems: [{ code: 'empty', messageVi: `${fileLabel} rỗng (0 byte); hãy chọn lại đúng tệp báo cáo đã nhập số liệu` }] };
  }
  if (bytes.length > limits.maxUploadBytes) {
    return {
      ok: false,
      problems: [
        {
          code: 'too-large',
          messageVi: `${fileLabel} có dung lượng ${sizeVi(bytes.length) === sizeVi(limits.maxUploadBytes) ? 'hơn ' : ''}${sizeVi(bytes.length)}, vượt giới hạn ${sizeVi(limits.maxUploadBytes)} của một báo cáo; hãy xóa các trang, hình ảnh không cần thiết rồi gửi lại`,
        },
      ],
    };
  }

  const ext = extensionOf(fileName);
  const sniffed = sniff(bytes);
  const looksLikeReport = ['xlsx', 'xlsm', 'xls', 'csv', 'txt', 'json', 'tsv'].includes(ext);
  const disguise = looksLikeReport ? ` (dù có đuôi .${ext})` : '';

  let format: ReportFormat;
  let result: TableResult;
  const notes: string[] = [];
  switch (sniffed.kind) {
    case 'other':
      return {
        ok: false,
        problems: [{ code: 'not-a-report', messageVi: `${fileLabel} là ${sniffed.what}${disguise}, không phải tệp báo cáo${sniffed.advice ? `; ${sniffed.advice}` : '; hãy gửi tệp Excel (.xlsx) theo mẫu'}` }],
      };
    case 'undecodable':
      return {
        ok: false,
        problems: [
          {
            code: 'encoding',
            messageVi: `${fileLabel} là văn bản nhưng không đọc được bảng mã (không phải UTF-8 hay Windows-1258); hãy mở bằng Excel và lưu lại dưới dạng "CSV UTF-8" hoặc gửi tệp Excel (.xlsx)`,
          },
        ],
      };
    case 'damaged-utf8': {
      const shown = sniffed.lines.slice(0, 5).join(', ') + (sniffed.lines.length > 5 ? ', …' : '');
      return {
        ok: false,
        problems: [
          {
            code: 'encoding',
            ...(sniffed.lines.length === 1 ? { row: sniffed.lines[0] as number } : {}),
            messageVi: `${fileLabel} là văn bản UTF-8 nhưng bị hỏng ở dòng ${shown}: có ký tự không đọc được; hãy mở tệp gốc, lưu lại rồi gửi lại`,
          },
        ],
      };
    }
    case 'zip':
      format = 'xlsx';
      result = await readXlsx(bytes, expected, limits, fileLabel);
      break;
    case 'text': {
      if (sniffed.encoding === 'windows-1258') notes.push('Tệp dùng bảng mã cũ Windows-1258 (không phải UTF-8); đã chuyển sang Unicode — hãy kiểm tra lại tên thôn, khu phố');
      else if (sniffed.encoding !== 'utf-8') notes.push(`Tệp dùng bảng mã ${sniffed.encoding.toUpperCase()}; đã chuyển sang UTF-8`);
      const shape = textShape(sniffed.text);
      if (typeof shape === 'object') {
        return { ok: false, problems: [{ code: 'not-a-report', messageVi: `${fileLabel} là ${shape.other}${disguise}, không phải tệp báo cáo; hãy gửi tệp Excel (.xlsx) theo mẫu` }] };
      }
      format = shape;
      result = shape === 'json' ? readJson(sniffed.text, expected, limits) : readCsv(sniffed.text, expected, limits, fileLabel);
      if (format === 'csv' && !EXPECTED_EXTENSIONS.csv.includes(ext) && result.problems.some((p) => p.code === 'not-a-report')) {
        result = {
          ...result,
          problems: result.problems.map((p) =>
            p.code === 'not-a-report' ? { ...p, messageVi: `${fileLabel} là văn bản thuần${disguise}, không phải bảng tính Excel, và ${lowerFirst(p.messageVi)}` } : p,
          ),
        };
      }
      break;
    }
  }

  if (ext && !EXPECTED_EXTENSIONS[format].includes(ext)) {
    notes.unshift(`${fileLabel} có đuôi .${ext} nhưng nội dung là ${FORMAT_VI[format]}; đã đọc theo nội dung`);
  }
  const allNotes = capNotes([...notes, ...result.notes]);
  if (result.problems.length) {
    return { ok: false, format, problems: capProblems(result.problems, limits.maxProblems), ...(allNotes.length ? { notes: allNotes } : {}) };
  }
  return { ok: true, format, rows: result.rows, notes: allNotes };
}

const MAX_NOTES = 20;
function capNotes(notes: string[]): string[] {
  return notes.length <= MAX_NOTES ? notes : [...notes.slice(0, MAX_NOTES), `… và ${notes.length - MAX_NOTES} ghi chú khác`];
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
