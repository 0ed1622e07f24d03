import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildSync } from 'esbuild';
import { PARSE_WORKER_FILE } from '../../shared/runtime/sandbox.ts';
import { fromRoot } from '../paths.ts';

/**
 * Functions that read uploaded files in a worker thread under a budget (shared/runtime/parse-budget.ts). NodejsFunction
 * bundles one entry into index.mjs; the worker's code is a second bundle beside it, which the sandbox finds by name.
 */
export const FUNCTIONS_WITH_PARSE_WORKER: ReadonlySet<string> = new Set(['intake', 'document']);

export const PARSE_WORKER_ENTRY = 'shared/runtime/parse-worker.ts';

/** Where the worker's code-split chunks go in the asset: the report parser and the PDF reader load only when needed. */
export const PARSE_WORKER_CHUNKS = 'parse-worker-chunks';

let built: string | undefined;

/**
 * Bundles the worker entry once per synth (every function that carries it gets the same files) with the settings of
 * index.mjs: ESM for Node 24, `require` defined for inlined CommonJS, source maps. Split at the dynamic imports of
 * parse-jobs.ts, so a report worker never compiles pdf.js. Whitespace and names are minified, not syntax: that pass
 * triples the build time of pdf.js for 3 % of the size.
 */
export function buildParseWorker(requireShim: string): string {
  if (built) return built;
  const outdir = mkdtempSync(join(tmpdir(), 'thidua-parse-worker-'));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  buildSync({
    entryPoints: { [PARSE_WORKER_FILE.replace(/\.mjs$/, '')]: fromRoot(PARSE_WORKER_ENTRY) },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    banner: { js: requireShim },
    outExtension: { '.js': '.mjs' },
    chunkNames: `${PARSE_WORKER_CHUNKS}/[name]-[hash]`,
    minifyWhitespace: true,
    minifyIdentifiers: true,
    sourcemap: true,
    sourcesContent: false,
    charset: 'utf8',
    logLevel: 'warning',
  });
  built = outdir;
  return outdir;
}

/** After the function's own bundle: the worker bundle is copied beside index.mjs. */
export function parseWorkerHooks(requireShim: string): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [`cp -R "${buildParseWorker(requireShim)}/." "${outputDir}/"`],
  };
}
