/**
 * Parsing uploads under a real budget (issue 11): a worker thread terminated at its deadline, with a heap limit.
 * A file that runs past either ends as a 'too-complex' rejection with a reason in Vietnamese, and the process goes on.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDocumentFile } from '../shared/domain/document/read.ts';
import { buildReportTemplate, parseReport } from '../shared/domain/report/index.ts';
import { DOCUMENT_BUDGET, parseReportWithinBudget, readDocumentWithinBudget, REPORT_BUDGET } from '../shared/runtime/parse-budget.ts';
import { runInSandbox } from '../shared/runtime/sandbox.ts';
import { XLSX_SHAPES } from './fixtures/reports/adversarial.ts';
import { csvOf, expectedFor, fillTemplate, sampleDirective, templateInput, utf8 } from './fixtures/reports/build.ts';

const directive = sampleDirective();
const expected = expectedFor(directive);
const documentFixture = (name: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, 'fixtures/documents', name)));
let xlsx: Uint8Array;
let slowXlsx: Uint8Array;

beforeAll(async () => {
  xlsx = await fillTemplate(await buildReportTemplate(templateInput(directive)), directive);
  slowXlsx = XLSX_SHAPES['row-of-16000-cells']!(unzipSync(xlsx));
});

describe('budget constants', () => {
  it('stay within the functions they run in (120 s, 1536 MB), with room for the rest of the record', () => {
    expect(REPORT_BUDGET.deadlineMs).toBe(20_000);
    expect(2 * (REPORT_BUDGET.maxOldGenerationSizeMb + REPORT_BUDGET.maxYoungGenerationSizeMb)).toBeLessThan(1536 - 256);
    expect(DOCUMENT_BUDGET.deadlineMs + 15_000).toBeLessThan(120_000 - 20_000);
    expect(DOCUMENT_BUDGET.maxOldGenerationSizeMb + DOCUMENT_BUDGET.maxYoungGenerationSizeMb).toBeLessThan(1536 - 256);
  });
});

describe('parseReportWithinBudget', () => {
  it('reads good CSV, XLSX and JSON reports exactly as parseReport does in process', async () => {
    // Prepare
    const json = JSON.stringify({ directiveId: directive.id, periodId: '2027-Q1', unitId: expected.unitId, rows: expected.rows.map((r) => ({ unitId: r.unitId, values: {} })) });
    const files = [
      { bytes: utf8(csvOf(directive)), fileName: 'bao-cao.csv' },
      { bytes: xlsx, fileName: 'bao-cao.xlsx' },
      { bytes: utf8(json), fileName: 'bao-cao.json' },
    ];

    // Act
    const inWorker = await Promise.all(files.map((f) => parseReportWithinBudget(f, expected)));
    const inProcess = await Promise.all(files.map((f) => parseReport(f, expected)));

    // Assess
    expect(inWorker.map((o) => o.ok)).toEqual([true, true, false]);
    expect(inWorker).toEqual(inProcess);
    expect(files[1]!.bytes.length, 'the caller keeps its bytes (copied, not transferred)').toBe(xlsx.length);
  });

  it('ends a synchronous parse that runs past its deadline as too-complex, soon after the deadline, and the next parse works', async () => {
    // Prepare: 4,000 rows of villages the commune does not have; reading them is synchronous work of about half a
    // second, during which the old in-process Promise.race timer could not fire
    const header = csvOf(directive).split('\r\n')[0]!;
    const rows = Array.from({ length: 4_000 }, (_, i) => [`Thôn ${i + 1}`, ...directive.indicators.map(() => '1')].join(','));
    const bytes = utf8([header, ...rows].join('\r\n'));

    // Act
    const started = performance.now();
    const stopped = await parseReportWithinBudget({ bytes, fileName: 'bao-cao.csv' }, expected, { timeoutMs: 50 });
    const waited = performance.now() - started;
    const next = await parseReportWithinBudget({ bytes: utf8(csvOf(directive)), fileName: 'bao-cao.csv' }, expected);

    // Assess
    expect(stopped).toEqual({
      ok: false,
      problems: [
        {
          code: 'too-complex',
          messageVi:
            'Tệp "bao-cao.csv" quá phức tạp để đọc: hệ thống đã dừng sau 0,05 giây mà chưa đọc xong; hãy mở tệp bằng Excel, xóa các trang, hình ảnh và công thức không cần thiết (hoặc chép số liệu sang tệp mẫu đã gửi kèm thư) rồi lưu lại và gửi lại',
        },
      ],
    });
    expect(waited, 'worker start-up (at most WORKER_START_TIMEOUT_MS) plus the deadline').toBeLessThan(15_000);
    expect(next.ok).toBe(true);
  });

  it('stops an XLSX parse at its deadline too', async () => {
    // Act: about a second of exceljs work in process
    const outcome = await runInSandbox('parse-report', { file: { bytes: slowXlsx, fileName: 'bao-cao.xlsx' }, expected }, { ...REPORT_BUDGET, deadlineMs: 50 });

    // Assess
    expect(outcome.kind).toBe('deadline');
  });

  it('ends a parse that outgrows its heap limit as too-complex (ERR_WORKER_OUT_OF_MEMORY), and the process is fine', async () => {
    // Prepare: 4.2 MB of JSON, 1.4 million empty objects, take about 94 MB of heap once parsed: three times 32 MB
    const bytes = utf8(`{"rows":[${new Array<string>(1_400_000).fill('{}').join(',')}]}`);
    const heapBefore = process.memoryUsage().heapUsed;

    // Act
    const outcome = await parseReportWithinBudget({ bytes, fileName: 'bao-cao.json' }, expected, {}, { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 });

    // Assess
    expect(outcome).toEqual({
      ok: false,
      problems: [
        {
          code: 'too-complex',
          messageVi:
            'Tệp "bao-cao.json" quá phức tạp để đọc: cần nhiều bộ nhớ hơn mức 32 MB dành cho một tệp; hãy kiểm tra lại dữ liệu JSON (quá lớn hoặc lồng nhau quá sâu), hoặc nộp tệp Excel theo mẫu đã gửi kèm thư',
        },
      ],
    });
    expect(process.memoryUsage().heapUsed - heapBefore, 'the worker heap is not the caller’s').toBeLessThan(64 * 1024 * 1024);
    expect((await parseReportWithinBudget({ bytes: utf8(csvOf(directive)), fileName: 'bao-cao.csv' }, expected)).ok).toBe(true);
  });
});

describe('readDocumentWithinBudget', () => {
  it('reads a PDF and a DOCX exactly as readDocumentFile does in process', async () => {
    // Prepare
    const files = [documentFixture('seed-002.pdf'), documentFixture('seed-002.docx')];

    // Act
    const inWorker = await Promise.all(files.map((bytes) => readDocumentWithinBudget(bytes, { fileName: 'cong-van' })));
    const inProcess = await Promise.all(files.map((bytes) => readDocumentFile(bytes, { fileName: 'cong-van' })));

    // Assess
    expect(inWorker.map((r) => r.ok && r.format)).toEqual(['pdf', 'docx']);
    expect(inWorker).toEqual(inProcess);
  });

  it('makes a document the budget stops unreadable (too-complex) with a reason and advice', async () => {
    // Act
    const read = await readDocumentWithinBudget(documentFixture('seed-002.pdf'), { fileName: 'cong-van.pdf' }, { deadlineMs: 1 });

    // Assess
    expect(read).toEqual({
      ok: false,
      code: 'too-complex',
      messageVi: 'Tệp "cong-van.pdf" quá phức tạp để đọc: hệ thống đã dừng sau 0,001 giây mà chưa đọc xong.',
      messageEn: 'reading stopped at the 1 ms deadline',
      adviceVi: 'Hãy tải lên riêng văn bản chỉ đạo dưới dạng PDF xuất trực tiếp từ Word hoặc .docx chỉ gồm chữ, không kèm ảnh quét, phụ lục hay bảng biểu lớn.',
    });
  });
});
