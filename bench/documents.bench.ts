/**
 * Reading official documents (issue #7): how many ~10-page documents per second `readDocumentFile` + `extractDocument`
 * get through, and the peak memory, against baselines measured in the same process: for text, decoding the bytes,
 * NFC and splitting lines and nothing more; for PDF, unpdf's own text extraction and nothing more. The ratio says
 * what reading a document properly costs over merely getting its characters out.
 *
 *   npm run bench:documents
 *   npm run -s bench:documents -- --runs 200 --pdf-runs 20 --json
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { extractText, getDocumentProxy } from 'unpdf';
import { extractDocument, readDocumentFile } from '../shared/domain/document/index.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '300' }, 'pdf-runs': { type: 'string', default: '20' }, json: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const textRuns = Number(values.runs);
const pdfRuns = Number(values['pdf-runs']);

const here = (path: string) => new URL(path, import.meta.url);
const seed = (name: string) => readFileSync(here(`../test/fixtures/seeds/${name}`), 'utf8');
const seeds = [seed('000_a833bee5ecf1b84c.txt'), seed('001_acdcd72a09cda526.txt'), seed('002_5e0a79aa8fbcde40.txt')];

/** About ten pages of 3,000 characters: the three seeds one after another, then the first again, cut at a line end. */
const TARGET_CHARS = 30_000;
const joined = [...seeds, ...seeds].join('\n');
const textDoc = joined.slice(0, joined.lastIndexOf('\n', TARGET_CHARS) + 1);
const textBytes = new TextEncoder().encode(textDoc);
const pdfBytes = new Uint8Array(readFileSync(here('../test/fixtures/documents/seeds-10-pages.pdf')));

interface Measured {
  msPerDoc: number;
  docsPerSecond: number;
  peakRssMiB: number;
  rssGrowthMiB: number;
}

async function time(label: string, runs: number, fn: () => Promise<void> | void): Promise<Measured> {
  await fn(); // warm-up: module code, JIT
  const rssBefore = process.memoryUsage.rss();
  let peak = rssBefore;
  // Sampled between runs as well: a synchronous run never lets the timer fire.
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  const ms = (performance.now() - t0) / runs;
  clearInterval(sampler);
  process.stderr.write(`${label}: ${ms.toFixed(2)} ms per document\n`);
  return { msPerDoc: +ms.toFixed(3), docsPerSecond: +(1000 / ms).toFixed(1), peakRssMiB: Math.round(peak / 1048576), rssGrowthMiB: Math.round((peak - rssBefore) / 1048576) };
}

/** The reading must be a real one: a bench of a reader that fails is no bench. */
async function readAndExtract(bytes: Uint8Array, minItems: number): Promise<void> {
  const read = await readDocumentFile(bytes);
  if (!read.ok) throw new Error(`the bench document was not read: ${read.code} ${read.messageEn}`);
  const doc = extractDocument(read.text);
  if (doc.items.length < minItems || doc.references.length === 0) throw new Error(`the bench document read badly: ${doc.items.length} items`);
}

/** Each measurement, by name. Each runs in a process of its own, so its peak RSS is its own. */
const MEASUREMENTS: Record<string, { runs: number; fn: () => Promise<void> | void }> = {
  'text-full': { runs: textRuns, fn: () => readAndExtract(textBytes, 5) },
  'text-read': {
    runs: textRuns,
    fn: async () => {
      const read = await readDocumentFile(textBytes);
      if (!read.ok) throw new Error(read.messageEn);
    },
  },
  'text-baseline': {
    runs: textRuns,
    fn: () => {
      const lines = new TextDecoder('utf-8').decode(textBytes).normalize('NFC').split('\n');
      if (lines.length < 100) throw new Error('baseline read too few lines');
    },
  },
  'pdf-full': { runs: pdfRuns, fn: () => readAndExtract(pdfBytes, 5) },
  'pdf-baseline': {
    runs: pdfRuns,
    fn: async () => {
      const pdf = await getDocumentProxy(new Uint8Array(pdfBytes), { verbosity: 0 });
      const { text } = await extractText(pdf, { mergePages: false });
      await pdf.loadingTask.destroy();
      if (text.length !== 11) throw new Error(`baseline read ${text.length} pages`);
    },
  },
};

if (values.only) {
  const m = MEASUREMENTS[values.only];
  if (!m) throw new Error(`no measurement "${values.only}"`);
  process.stdout.write(JSON.stringify(await time(values.only, m.runs, m.fn)));
  process.exit(0);
}

function measureApart(name: string): Measured {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--only', name, '--runs', String(textRuns), '--pdf-runs', String(pdfRuns)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`measurement ${name} failed (exit ${child.status})`);
  return JSON.parse(child.stdout) as Measured;
}

const [textFull, textRead, textBaseline, pdfFull, pdfBaseline] = ['text-full', 'text-read', 'text-baseline', 'pdf-full', 'pdf-baseline'].map(measureApart) as [Measured, Measured, Measured, Measured, Measured];

const result = {
  text: {
    chars: textDoc.length,
    bytes: textBytes.length,
    lines: textDoc.split('\n').length,
    runs: textRuns,
    full: textFull,
    readOnly: textRead,
    baseline: textBaseline,
    ratio: +(textFull.msPerDoc / textBaseline.msPerDoc).toFixed(1),
    readRatio: +(textRead.msPerDoc / textBaseline.msPerDoc).toFixed(1),
  },
  pdf: { pages: 11, bytes: pdfBytes.length, runs: pdfRuns, full: pdfFull, baseline: pdfBaseline, ratio: +(pdfFull.msPerDoc / pdfBaseline.msPerDoc).toFixed(2) },
};

if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  const row = (label: string, m: Measured) => `  ${label.padEnd(48)} ${String(m.msPerDoc).padStart(8)} ms/doc = ${String(m.docsPerSecond).padStart(8)} docs/s, peak RSS ${m.peakRssMiB} MiB`;
  process.stdout.write(
    [
      `Reading documents: ${result.text.chars.toLocaleString('en')} characters of text (~10 pages, ${result.text.lines} lines), ${textRuns} runs each`,
      row('full (detect, decode, legacy check, extract)', textFull),
      row('  of which readDocumentFile alone', textRead),
      row('baseline (decode, NFC, split lines)', textBaseline),
      `  ratio full / baseline: ${result.text.ratio}× the time (readDocumentFile alone: ${result.text.readRatio}×)`,
      `The same seeds as an ${result.pdf.pages}-page PDF (${(pdfBytes.length / 1024).toFixed(0)} KiB), ${pdfRuns} runs each`,
      row('full (readDocumentFile + extractDocument)', pdfFull),
      row('baseline (unpdf extractText only)', pdfBaseline),
      `  ratio full / baseline: ${result.pdf.ratio}× the time`,
      'Each line is measured in a process of its own (after one warm-up run): its peak RSS includes Node, tsx and the modules.',
    ].join('\n') + '\n',
  );
}
