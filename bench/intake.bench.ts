/**
 * The report processor alone (issue #5): how many 200-village workbooks it reads and validates per second, and
 * its peak memory, against a baseline measured in the same process: exceljs loading the same workbook and
 * nothing more. The ratio says what reading a report properly costs over merely opening it.
 *
 * Issue 11: uploads are parsed in a worker thread under a budget (parseReportWithinBudget). The same workbook, and a
 * small CSV where start-up is nearly all of it, are also read in a worker started on the bundle the functions
 * deploy (parse-worker.mjs). The difference is what a worker costs per file.
 *
 *   npm run bench:intake
 *   npm run bench:intake -- --villages 200 --runs 30 --worker-runs 10 --json
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { pathToFileURL } from 'node:url';
import { buildReportTemplate, parseReport } from '../shared/domain/report/index.ts';
import { buildParseWorker } from '../shared/runtime/parse-worker-build.ts';
import { REPORT_BUDGET } from '../shared/runtime/parse-budget.ts';
import { PARSE_WORKER_FILE, runInSandbox } from '../shared/runtime/sandbox.ts';
import type { ParseOutcome } from '../shared/domain/report/types.ts';
import type { Directive } from '../shared/domain/directive.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';

const { values } = parseArgs({
  options: { villages: { type: 'string', default: '200' }, runs: { type: 'string', default: '30' }, 'worker-runs': { type: 'string', default: '10' }, json: { type: 'boolean', default: false } },
});
const villages = Number(values.villages);
const runs = Number(values.runs);
const workerRuns = Number(values['worker-runs']);

const directive = {
  ...JSON.parse(readFileSync(new URL('../local/sample/directive-23-ct-tu-2027.json', import.meta.url), 'utf8')),
  version: 1,
  status: 'issued',
  shardCount: 1,
  contentHash: 'bench',
  updatedAt: new Date().toISOString(),
} as Directive;
const rows = Array.from({ length: villages }, (_, i) => ({ unitId: `v${i}`, name: `Thôn Thử Nghiệm ${i + 1}` }));
const template = await buildReportTemplate({
  directive,
  unit: { id: 'bench-x', name: 'Xã Thử Nghiệm' },
  period: { id: '2027-Q1', label: 'Quý I/2027', start: '2026-12-15', end: '2027-03-14', due: '2027-03-19' },
  rows,
  targets: Object.fromEntries(directive.indicators.map((i) => [i.id, i.target])),
});
const bytes = await fillTemplate(template, directive, goodValue);
const expected = { directive, unitId: 'bench-x', unitName: 'Xã Thử Nghiệm', periodId: '2027-Q1', rows };

async function time(label: string, fn: () => Promise<void>, n = runs) {
  await fn(); // warm-up: module code, JIT
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage(); // every thread of the process, workers included
  for (let i = 0; i < n; i++) await fn();
  const ms = (performance.now() - t0) / n;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / n;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stderr.write(`${label}: ${ms.toFixed(1)} ms per workbook\n`);
  return { msPerReport: +ms.toFixed(2), cpuMsPerReport: +cpuMs.toFixed(1), reportsPerSecond: +(1000 / ms).toFixed(1), peakRssMiB: Math.round(peak / 1048576), rssGrowthMiB: Math.round((peak - rssBefore) / 1048576) };
}

const processor = await time('processor (parseReport)', async () => {
  const out = await parseReport({ bytes, fileName: 'bao-cao.xlsx' }, expected);
  if (!out.ok || out.rows.length !== villages) throw new Error(`The bench workbook was not accepted: ${JSON.stringify(out).slice(0, 300)}`);
});
const baseline = await time('baseline (exceljs load only)', async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
});

// --- the same parses in a worker thread, as uploads are read (issue 11)
const smallCsv = new TextEncoder().encode(
  [['Thôn', ...directive.indicators.map((i) => i.id)], ...rows.slice(0, 5).map((r, k) => [r.name, ...directive.indicators.map((i) => String(goodValue(k, i.id)).replace('true', 'có').replace('false', 'không'))])].map((l) => l.join(',')).join('\n'),
);
const smallExpected = { ...expected, rows: rows.slice(0, 5) };
const bundled = new URL(PARSE_WORKER_FILE, `${pathToFileURL(await buildParseWorker()).href}/`);
const inWorker = (file: { bytes: Uint8Array; fileName: string }, exp: typeof expected, entry?: URL) => async () => {
  const out = await runInSandbox('parse-report', { file, expected: exp }, REPORT_BUDGET, entry);
  const value: ParseOutcome | undefined = out.kind === 'done' ? out.value : undefined;
  if (!value?.ok) throw new Error(`A bench file was not accepted in the worker: ${JSON.stringify(out).slice(0, 300)}`);
};
const workbook = { bytes, fileName: 'bao-cao.xlsx' };
const csvFile = { bytes: smallCsv, fileName: 'bao-cao.csv' };
const csvInProcess = await time('small CSV in process (parseReport)', async () => void (await parseReport(csvFile, smallExpected)));
const csvBundled = await time('small CSV in a worker from the bundle', inWorker(csvFile, smallExpected, bundled), workerRuns);
const workbookBundled = await time('workbook in a worker from the bundle', inWorker(workbook, expected, bundled), workerRuns);
const worker = {
  smallCsv: { inProcess: csvInProcess.msPerReport, bundled: csvBundled.msPerReport },
  workbook: { inProcess: processor.msPerReport, bundled: workbookBundled.msPerReport },
  /** What a worker adds per file, from the bundle: start-up and copying the bytes in and the outcome out. */
  overheadMs: +(csvBundled.msPerReport - csvInProcess.msPerReport).toFixed(1),
  overheadCpuMs: +(csvBundled.cpuMsPerReport - csvInProcess.cpuMsPerReport).toFixed(1),
  ratioWorkbookBundledOverInProcess: +(workbookBundled.msPerReport / processor.msPerReport).toFixed(2),
};

const result = {
  workbook: { villages, indicators: directive.indicators.length, bytes: bytes.length },
  runs,
  processor,
  baseline,
  ratio: { timeProcessorOverBaseline: +(processor.msPerReport / baseline.msPerReport).toFixed(2) },
  worker,
  maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
};
if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  process.stdout.write(
    [
      `Report processor: a ${villages}-village workbook (${directive.indicators.length} indicators, ${(bytes.length / 1024).toFixed(0)} KiB), ${runs} runs each`,
      `  processor (detect, zip checks, read, match, validate): ${processor.msPerReport} ms/report = ${processor.reportsPerSecond} reports/s, peak RSS ${processor.peakRssMiB} MiB`,
      `  baseline (exceljs load only):                          ${baseline.msPerReport} ms/report = ${baseline.reportsPerSecond} reports/s, peak RSS ${baseline.peakRssMiB} MiB`,
      `  ratio processor / baseline: ${result.ratio.timeProcessorOverBaseline}× the time · process max RSS ${result.maxRssMiB} MiB`,
      `Parsing in a worker thread (${workerRuns} runs each; start-up included):`,
      `  small CSV: ${worker.smallCsv.inProcess} ms in process, ${worker.smallCsv.bundled} ms in a worker`,
      `  workbook:  ${worker.workbook.inProcess} ms in process, ${worker.workbook.bundled} ms in a worker (${worker.ratioWorkbookBundledOverInProcess}×)`,
      `  a worker adds about ${worker.overheadMs} ms per file (${worker.overheadCpuMs} ms of CPU, all threads)`,
    ].join('\n') + '\n',
  );
}
