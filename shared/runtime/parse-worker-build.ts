/**
 * Bundles the parse worker (parse-worker.ts and the parsers it loads) with esbuild, as it is deployed beside each
 * function's index.mjs (infra/constructs/parse-worker-bundle.ts). Running from the TypeScript sources (vitest, tsx,
 * the local stack), the sandbox builds it once per process and starts its workers on the bundle too: the same code
 * as on AWS, and a quarter of the CPU of starting each worker with tsx as loader.
 *
 * Build-time tooling: esbuild is a devDependency, so nothing imports this module from code that runs on AWS.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, buildSync, type BuildOptions } from 'esbuild';

import { PARSE_WORKER_FILE } from './parse-worker-file.ts';

/** Where the code-split chunks go: the report parser and the PDF reader load only for the job that needs them. */
export const PARSE_WORKER_CHUNKS = 'parse-worker-chunks';

/** Defines `require` inside the ESM bundle for the CommonJS dependencies esbuild inlines, as index.mjs does. */
const REQUIRE_SHIM = "import { createRequire as __thiduaCreateRequire } from 'node:module'; const require = __thiduaCreateRequire(import.meta.url);";
const OUTDIR_PREFIX = 'thidua-parse-worker-';

/**
 * The settings of index.mjs (ESM for Node 24, source maps), split at the dynamic imports of parse-jobs.ts. Whitespace
 * and names are minified, not syntax: that pass triples the build time of pdf.js for 3 % of the size.
 */
function options(outdir: string): BuildOptions {
  return {
    entryPoints: { [PARSE_WORKER_FILE.replace(/\.mjs$/, '')]: fileURLToPath(new URL('./parse-worker.ts', import.meta.url)) },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_SHIM },
    outExtension: { '.js': '.mjs' },
    chunkNames: `${PARSE_WORKER_CHUNKS}/[name]-[hash]`,
    minifyWhitespace: true,
    minifyIdentifiers: true,
    sourcemap: true,
    sourcesContent: false,
    charset: 'utf8',
    logLevel: 'warning',
  };
}

/** A folder of this process's own, removed when it exits; folders left by processes that were killed go first. */
function freshOutdir(): string {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(name.slice(OUTDIR_PREFIX.length).split('-')[0]);
    if (name.startsWith(OUTDIR_PREFIX) && pid && !alive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
  const outdir = mkdtempSync(join(tmpdir(), `${OUTDIR_PREFIX}${process.pid}-`));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  return outdir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let builtSync: string | undefined;
let building: Promise<string> | undefined;

/** The folder holding parse-worker.mjs and its chunks, built once per process (synth is synchronous). */
export function buildParseWorkerSync(): string {
  if (!builtSync) {
    const outdir = freshOutdir();
    buildSync(options(outdir));
    builtSync = outdir;
  }
  return builtSync;
}

/** The same, without blocking the event loop: concurrent first parses wait for one build. */
export function buildParseWorker(): Promise<string> {
  building ??= (async () => {
    const outdir = freshOutdir();
    await build(options(outdir));
    return outdir;
  })().catch((e: unknown) => {
    building = undefined; // the next parse tries again
    throw e;
  });
  return building;
}
