/**
 * The bundled worker entry's file name, beside index.mjs: known to the sandbox (which loads it), the builder (which
 * writes it) and infra (which ships it), without the sandbox importing the builder and its esbuild.
 */
export const PARSE_WORKER_FILE = 'parse-worker.mjs';
