/**
 * Reading uploaded files under a real budget: every report (CSV, XLSX, JSON) and every directive document (PDF,
 * DOCX, text) is parsed in a worker thread that is terminated at its deadline or when it outgrows its heap. A hostile
 * file therefore ends as a rejection with a reason ("quá phức tạp để đọc"), never as a function timeout, a retry
 * storm or a dead letter. The parsers themselves (parseReport, readDocumentFile) stay pure and callable anywhere.
 */
import type { Title } from '../domain/emulation/types.ts';
import type { HistoryReadResult } from './parse-jobs.ts';
import type { ReadResult } from '../domain/document/read.ts';
import { DEFAULT_REPORT_LIMITS, type ExpectedReport, type ParseOutcome, type ReportFile, type ReportLimits } from '../domain/report/types.ts';
import { formatNumberVi, quote } from '../domain/report/values.ts';
import type { TargetsIndicator, TargetsReadResult } from '../domain/targets-workbook.ts';
import type { Indicator } from '../domain/directive.ts';
import { InputError } from '../domain/errors.ts';
import type { RawSplit, SplitVillage } from '../domain/targets-split.ts';
import { runInSandbox, type SandboxBudget, type SandboxOutcome } from './sandbox.ts';

/**
 * One report: the intake function has 120 s and 1536 MB for a batch of two records read side by side. 20 s of
 * parsing (a real 5 MB workbook takes a few seconds) plus start-up leaves most of the time for storage, events and
 * mail; two workers of 512 + 32 MB leave the function's own heap room within 1536 MB.
 */
export const REPORT_BUDGET: Readonly<SandboxBudget> = Object.freeze({
  deadlineMs: DEFAULT_REPORT_LIMITS.timeoutMs,
  maxOldGenerationSizeMb: 512,
  maxYoungGenerationSizeMb: 32,
  stackSizeMb: 4,
});

/**
 * One document: the document function has 120 s and 1536 MB for one record. The PDF reader stops itself after 60 s
 * between pages with its own message; 75 s is the backstop for a single page or a DOCX that never yields, and still
 * leaves time to draft the directive and answer. pdf.js needs more heap than a workbook: 1024 MB.
 */
export const DOCUMENT_BUDGET: Readonly<SandboxBudget> = Object.freeze({
  deadlineMs: 75_000,
  maxOldGenerationSizeMb: 1024,
  maxYoungGenerationSizeMb: 64,
  stackSizeMb: 4,
});

const seconds = (ms: number) => formatNumberVi(ms / 1000);

/** Why the budget ended the work, in Vietnamese: the clause after "quá phức tạp để đọc: ". */
function whyVi(outcome: Exclude<SandboxOutcome<unknown>, { kind: 'done' }>, budget: SandboxBudget): string {
  if (outcome.kind === 'deadline') return `hệ thống đã dừng sau ${seconds(budget.deadlineMs)} giây mà chưa đọc xong`;
  if (outcome.kind === 'out-of-memory') return `cần nhiều bộ nhớ hơn mức ${formatNumberVi(budget.maxOldGenerationSizeMb)} MB dành cho một tệp`;
  return 'việc đọc tệp bị dừng giữa chừng';
}

function logStopped(job: string, fileName: string, outcome: Exclude<SandboxOutcome<unknown>, { kind: 'done' }>, budget: SandboxBudget): void {
  const reason = outcome.kind === 'deadline' ? `deadline of ${budget.deadlineMs} ms` : outcome.kind === 'out-of-memory' ? `heap limit of ${budget.maxOldGenerationSizeMb} MB` : outcome.error;
  console.warn(JSON.stringify({ level: 'WARN', message: 'Parse stopped by its budget', job, fileName, outcome: outcome.kind, reason, ms: outcome.ms }));
}

/**
 * parseReport in a worker within the budget: `limits.timeoutMs` is the deadline (REPORT_BUDGET's by default),
 * `resources` may lower the heap limits (tests). Same outcome type as parseReport; never throws for the file's sake
 * (only when no worker can start, which is the system's fault and worth a retry).
 */
export async function parseReportWithinBudget(file: ReportFile, expected: ExpectedReport, limits?: Partial<ReportLimits>, resources?: Partial<SandboxBudget>): Promise<ParseOutcome> {
  const deadlineMs = typeof limits?.timeoutMs === 'number' && limits.timeoutMs > 0 ? limits.timeoutMs : REPORT_BUDGET.deadlineMs;
  const budget: SandboxBudget = { ...REPORT_BUDGET, deadlineMs, ...resources };
  const outcome = await runInSandbox('parse-report', { file, expected, ...(limits ? { limits } : {}) }, budget);
  if (outcome.kind === 'done') return outcome.value;
  logStopped('parse-report', file.fileName, outcome, budget);
  const label = `Tệp "${quote(file.fileName || 'báo cáo', DEFAULT_REPORT_LIMITS.maxQuotedChars)}"`;
  if (outcome.kind === 'crashed') {
    return { ok: false, problems: [{ code: 'internal', messageVi: `Không đọc được ${label.charAt(0).toLowerCase()}${label.slice(1)} do một lỗi ngoài dự kiến của hệ thống; vui lòng gửi lại hoặc báo cho quản trị hệ thống` }] };
  }
  return {
    ok: false,
    problems: [
      {
        code: 'too-complex',
        messageVi: `${label} quá phức tạp để đọc: ${whyVi(outcome, budget)}; ${adviceFor(file.fileName)}`,
      },
    ],
  };
}

/** What to do about a file too complex to read, by what it claims to be. */
function adviceFor(fileName: string | undefined): string {
  if (/\.json$/i.test(fileName ?? '')) return 'hãy kiểm tra lại dữ liệu JSON (quá lớn hoặc lồng nhau quá sâu), hoặc nộp tệp Excel theo mẫu đã gửi kèm thư';
  return 'hãy mở tệp bằng Excel, xóa các trang, hình ảnh và công thức không cần thiết (hoặc chép số liệu sang tệp mẫu đã gửi kèm thư) rồi lưu lại và gửi lại';
}

/** readDocumentFile in a worker within DOCUMENT_BUDGET (or `resources`, for tests). Same result type; a file the budget stops is unreadable ('too-complex'). */
export async function readDocumentWithinBudget(bytes: Uint8Array, opts: { fileName?: string; maxBytes?: number } = {}, resources?: Partial<SandboxBudget>): Promise<ReadResult> {
  const budget: SandboxBudget = { ...DOCUMENT_BUDGET, ...resources };
  const outcome = await runInSandbox('read-document', { bytes, ...opts }, budget);
  if (outcome.kind === 'done') return outcome.value;
  logStopped('read-document', opts.fileName ?? '', outcome, budget);
  const label = opts.fileName ? `Tệp "${opts.fileName}"` : 'Tệp';
  if (outcome.kind === 'crashed') {
    return { ok: false, code: 'damaged', messageVi: `${label} không đọc được: ${whyVi(outcome, budget)}.`, messageEn: `reader crashed: ${outcome.error}`, adviceVi: 'Hãy mở bằng Word và lưu lại dưới dạng .docx hoặc PDF rồi tải lên lại.' };
  }
  return {
    ok: false,
    code: 'too-complex',
    messageVi: `${label} quá phức tạp để đọc: ${whyVi(outcome, budget)}.`,
    messageEn: outcome.kind === 'deadline' ? `reading stopped at the ${budget.deadlineMs} ms deadline` : `reading stopped at the ${budget.maxOldGenerationSizeMb} MB heap limit`,
    adviceVi: 'Hãy tải lên riêng văn bản chỉ đạo dưới dạng PDF xuất trực tiếp từ Word hoặc .docx chỉ gồm chữ, không kèm ảnh quét, phụ lục hay bảng biểu lớn.',
  };
}

/**
 * readTargetsWorkbook (an office's per-unit targets) in a worker within REPORT_BUDGET: the same kind of file as a
 * report, read by the console while the person waits, so it gets the report's deadline and heap.
 */
export async function readTargetsWithinBudget(bytes: Uint8Array, expected: { indicators: TargetsIndicator[]; units: { id: string; name: string }[] }, resources?: Partial<SandboxBudget>): Promise<TargetsReadResult> {
  const budget: SandboxBudget = { ...REPORT_BUDGET, ...resources };
  const outcome = await runInSandbox('read-targets', { bytes, ...expected }, budget);
  if (outcome.kind === 'done') return outcome.value;
  logStopped('read-targets', 'targets.xlsx', outcome, budget);
  return { ok: false, problems: [`Tệp mục tiêu quá phức tạp để đọc: ${whyVi(outcome, budget)}; ${adviceFor('targets.xlsx')}`] };
}

/**
 * readSplitWorkbook (a commune's targets split over its villages) in a worker within REPORT_BUDGET, as the office's
 * targets are: read while the officer waits, so a hostile workbook ends as a message, never as a stuck console.
 */
export async function readSplitWithinBudget(bytes: Uint8Array, expected: { indicators: Indicator[]; villages: SplitVillage[] }, resources?: Partial<SandboxBudget>): Promise<RawSplit> {
  const budget: SandboxBudget = { ...REPORT_BUDGET, ...resources };
  const outcome = await runInSandbox('read-split', { bytes, ...expected }, budget);
  if (outcome.kind === 'done') {
    if (outcome.value.ok) return outcome.value.raw;
    throw new InputError(outcome.value.messageVi, outcome.value.details);
  }
  logStopped('read-split', 'village-targets.xlsx', outcome, budget);
  throw new InputError(`Tệp chỉ tiêu các thôn quá phức tạp để đọc: ${whyVi(outcome, budget)}`, ['Hãy tải tệp mẫu từ trang này, chỉ điền số vào các ô của thôn rồi tải lên lại.']);
}

/**
 * readHistoryWorkbook (past years' titles, an office's XLSX) in a worker within REPORT_BUDGET: read while the
 * office waits, so a hostile workbook ends as a message naming what to do.
 */
export async function readHistoryWithinBudget(bytes: Uint8Array, expected: { titles: Title[]; units: { id: string; name: string }[] }, resources?: Partial<SandboxBudget>): Promise<HistoryReadResult> {
  const budget: SandboxBudget = { ...REPORT_BUDGET, ...resources };
  const outcome = await runInSandbox('read-history', { bytes, ...expected }, budget);
  if (outcome.kind === 'done') return outcome.value;
  logStopped('read-history', 'lich-su-danh-hieu.xlsx', outcome, budget);
  return { entries: [], problems: [{ row: 0, messageVi: `Tệp lịch sử danh hiệu quá phức tạp để đọc: ${whyVi(outcome, budget)}; hãy lưu lại tệp chỉ gồm một trang với các cột ma_don_vi, nam, danh_hieu rồi tải lên lại` }] };
}
