/**
 * Runs a parse job (shared/runtime/parse-jobs.ts) in a worker thread with a real budget: a deadline at which the
 * worker is terminated, and V8 heap limits. A timer in the same thread cannot stop synchronous parsing; terminating
 * a worker can. Whatever the file does, the caller gets an outcome back, within the deadline plus start-up.
 *
 * The worker runs parse-worker.ts bundled: on AWS the parse-worker.mjs beside the function's index.mjs
 * (infra/constructs/parse-worker-bundle.ts); from the TypeScript sources, the same bundle built at the first parse.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParseJobName, ParseJobs } from './parse-jobs.ts';
import { PARSE_WORKER_FILE } from './parse-worker-file.ts';

export { PARSE_WORKER_FILE };

/**
 * Start-up (thread, module loading) is not the file's doing, so it is outside the deadline; a worker that does not
 * start in this time is a fault of the system, thrown for the queue to retry.
 */
export const WORKER_START_TIMEOUT_MS = 15_000;

/** How long terminate() may take before the outcome is returned anyway (the thread is stopped in the background). */
const TERMINATE_WAIT_MS = 2_000;

export interface SandboxBudget {
  /** Wall-clock time the job may run once its worker has started. */
  deadlineMs: number;
  /** V8 heap limits of the worker (see Worker `resourceLimits`). */
  maxOldGenerationSizeMb: number;
  maxYoungGenerationSizeMb: number;
  stackSizeMb: number;
}

export type SandboxOutcome<T> =
  | { kind: 'done'; value: T; ms: number }
  | { kind: 'deadline'; ms: number }
  | { kind: 'out-of-memory'; ms: number }
  /** The job threw or the thread died for another reason after it started. */
  | { kind: 'crashed'; error: string; ms: number };

/** Messages from the worker. */
export type WorkerMessage = { type: 'started' } | { type: 'done'; value: unknown };

/**
 * The worker's code: the bundle beside index.mjs on AWS; from the TypeScript sources, the same bundle built once per
 * process (parse-worker-build.ts). The builder is tooling (esbuild), so its specifier is computed: esbuild leaves
 * it out of the functions' bundles.
 */
async function workerEntry(bundledEntry?: URL): Promise<URL> {
  if (bundledEntry) return bundledEntry;
  if (!import.meta.url.endsWith('.ts')) return new URL(`./${PARSE_WORKER_FILE}`, import.meta.url);
  const builder = new URL('./parse-worker-build.ts', import.meta.url).href;
  const { buildParseWorker } = (await import(builder)) as typeof import('./parse-worker-build.ts');
  return new URL(PARSE_WORKER_FILE, `${pathToFileURL(await buildParseWorker()).href}/`);
}

const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * Runs `job` on `input` in a new worker within `budget`. Resolves with what happened to the job; rejects only when
 * the worker could not start (a fault of the system, not of the input). `bundledEntry` names a built
 * parse-worker.mjs to run instead of the default (the bench and the infra test run the deployed bundle so).
 */
export async function runInSandbox<N extends ParseJobName>(job: N, input: ParseJobs[N]['input'], budget: SandboxBudget, bundledEntry?: URL): Promise<SandboxOutcome<ParseJobs[N]['output']>> {
  type Outcome = SandboxOutcome<ParseJobs[N]['output']>;
  const entry = await workerEntry(bundledEntry);
  return new Promise<Outcome>((resolve, reject) => {
    let settled = false;
    let startedAt = 0;
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const worker = new Worker(entry, {
      // Copied, not transferred: the caller keeps its bytes (hashing, storing).
      workerData: { job, input },
      // A bundle needs no loader; inheriting the parent's (tsx, vitest) would slow every start.
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: budget.maxOldGenerationSizeMb,
        maxYoungGenerationSizeMb: budget.maxYoungGenerationSizeMb,
        stackSizeMb: budget.stackSizeMb,
      },
    });
    const elapsed = () => (startedAt ? Math.round(performance.now() - startedAt) : 0);
    const startTimer = setTimeout(() => finish(() => reject(new Error(`Parse worker (${job}) did not start within ${WORKER_START_TIMEOUT_MS} ms`))), WORKER_START_TIMEOUT_MS);

    /** Settles once: stops the timers and the thread, then answers. */
    const finish = (answer: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(startTimer);
      clearTimeout(deadline);
      const stopped = worker.terminate().catch(() => undefined);
      const waited = new Promise((r) => setTimeout(r, TERMINATE_WAIT_MS).unref());
      void Promise.race([stopped, waited]).then(answer);
    };

    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'started') {
        clearTimeout(startTimer);
        startedAt = performance.now();
        deadline = setTimeout(() => finish(() => resolve({ kind: 'deadline', ms: elapsed() })), budget.deadlineMs);
      } else if (message.type === 'done') {
        const ms = elapsed();
        finish(() => resolve({ kind: 'done', value: message.value as ParseJobs[N]['output'], ms }));
      }
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const ms = elapsed();
      if (!startedAt) finish(() => reject(new Error(`Parse worker (${job}) failed to start: ${describeError(e)}`, { cause: e })));
      else if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') finish(() => resolve({ kind: 'out-of-memory', ms }));
      else finish(() => resolve({ kind: 'crashed', error: describeError(e), ms }));
    });
    worker.on('exit', (code) => {
      const ms = elapsed();
      if (!startedAt) finish(() => reject(new Error(`Parse worker (${job}) exited with code ${code} before it started`)));
      else finish(() => resolve({ kind: 'crashed', error: `worker exited with code ${code} before answering`, ms }));
    });
  });
}
