/**
 * Entry of a sandbox worker thread (shared/runtime/sandbox.ts): runs the one job named in workerData and posts its
 * result. On AWS this file is bundled on its own as parse-worker.mjs beside the function's index.mjs.
 */
import { enableCompileCache } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { loadJob, type ParseJobName } from './parse-jobs.ts';
import type { WorkerMessage } from './sandbox.ts';

const { job, input } = workerData as { job: ParseJobName; input: never };
const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs as a worker thread only');

// The parsers' code is compiled once per machine (Lambda: per execution environment, in /tmp), not once per file.
enableCompileCache();
const run = await loadJob(job);
port.postMessage({ type: 'started' } satisfies WorkerMessage);
const value = await run(input);
port.postMessage({ type: 'done', value } satisfies WorkerMessage);
