/**
 * The report processor alone (issue #5): how many 200-village workbooks it reads and validates per second, and
 * its peak memory, against a baseline measured in the same process: exceljs loading the same workbook and
 * nothing more. The ratio says what reading a report properly costs over merely opening it.
 *
 *   npm run bench:intake
 *   npm run bench:intake -- --villages 200 --runs 30 --json
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { buildReportTemplate, parseReport } from '../shared/domain/report/index.ts';
import type { Directive } from '../shared/domain/directive.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';

const { values } = parseArgs({ options: { villages: { type: 'string', default: '200' }, runs: { type: 'string', default: '30' }, json: { type: 'boolean', default: false } } });
const villages = Number(values.villages);
const runs = Number(values.runs);

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

async function time(label: string, fn: () => Promise<void>) {
  await fn(); // warm-up: module code, JIT
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  const ms = (performance.now() - t0) / runs;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stderr.write(`${label}: ${ms.toFixed(1)} ms per workbook\n`);
  return { msPerReport: +ms.toFixed(2), reportsPerSecond: +(1000 / ms).toFixed(1), peakRssMiB: Math.round(peak / 1048576), rssGrowthMiB: Math.round((peak - rssBefore) / 1048576) };
}

const processor = await time('processor (parseReport)', async () => {
  const out = await parseReport({ bytes, fileName: 'bao-cao.xlsx' }, expected);
  if (!out.ok || out.rows.length !== villages) throw new Error(`The bench workbook was not accepted: ${JSON.stringify(out).slice(0, 300)}`);
});
const baseline = await time('baseline (exceljs load only)', async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
});

const result = {
  workbook: { villages, indicators: directive.indicators.length, bytes: bytes.length },
  runs,
  processor,
  baseline,
  ratio: { timeProcessorOverBaseline: +(processor.msPerReport / baseline.msPerReport).toFixed(2) },
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
    ].join('\n') + '\n',
  );
}
