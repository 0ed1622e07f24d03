import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildParseWorkerSync } from '../../shared/runtime/parse-worker-build.ts';

/**
 * Functions that read uploaded files in a worker thread under a budget (shared/runtime/parse-budget.ts). NodejsFunction
 * bundles one entry into index.mjs; the worker's code is a second bundle beside it, which the sandbox finds by name.
 */
export const FUNCTIONS_WITH_PARSE_WORKER: ReadonlySet<string> = new Set(['intake', 'document', 'console']);

/** After the function's own bundle: the worker bundle (built once per synth, the same for every function) is copied beside index.mjs. */
export function parseWorkerHooks(): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [`cp -R "${buildParseWorkerSync()}/." "${outputDir}/"`],
  };
}
