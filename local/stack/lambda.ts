import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { functionSpecs, type FunctionId } from '../../shared/contract/catalog.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** The context Lambda hands a function's invocation; the time left is the caller's to say (tests choose it). */
export function lambdaContext(id: FunctionId, remainingMs: () => number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `thidua-${id}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-southeast-1:000000000000:function:thidua-${id}`,
    memoryLimitInMB: String(functionSpecs[id].memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/thidua-${id}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * A function as Lambda would run it: its handler module, a context with a deadline, its timeout enforced.
 *
 * A queue-triggered function runs in as many execution environments as its concurrency allows, each with its own
 * module state (the mail sender's token bucket is one environment's share of the SES rate). Locally each environment
 * is its own instance of the handler module (imported again under its own URL); the modules it imports are shared.
 */
export class LocalFunction {
  private environments?: { handler: Handler; busy: boolean }[];
  private loading?: Promise<void>;
  invocations = 0;
  errors = 0;
  constructor(
    readonly id: FunctionId,
    private readonly root: string,
  ) {}

  async load(): Promise<void> {
    this.loading ??= this.loadEnvironments();
    await this.loading;
  }

  private async loadEnvironments(): Promise<void> {
    const spec = functionSpecs[this.id];
    const count = spec.trigger.kind === 'queue' ? spec.trigger.maxConcurrency : 1;
    const url = pathToFileURL(resolve(this.root, spec.entry)).href;
    const environments = [];
    for (let i = 0; i < count; i++) {
      const mod = (await import(i === 0 ? url : `${url}?environment=${i}`)) as { handler: Handler };
      environments.push({ handler: mod.handler, busy: false });
    }
    this.environments = environments;
  }

  /** A free environment, as Lambda picks one; the first if all are busy (the poller never asks for more). */
  private environment(): { handler: Handler; busy: boolean } {
    const all = this.environments as { handler: Handler; busy: boolean }[];
    return all.find((e) => !e.busy) ?? (all[0] as { handler: Handler; busy: boolean });
  }

  async invoke(event: unknown): Promise<unknown> {
    await this.load();
    const spec = functionSpecs[this.id];
    const env = this.environment();
    const deadline = Date.now() + spec.timeoutSeconds * 1000;
    const context = lambdaContext(this.id, () => Math.max(0, deadline - Date.now()));
    this.invocations++;
    let timer: NodeJS.Timeout | undefined;
    const wasBusy = env.busy;
    env.busy = true;
    try {
      return await Promise.race([
        env.handler(event, context),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Task timed out after ${spec.timeoutSeconds} seconds`)), spec.timeoutSeconds * 1000);
        }),
      ]);
    } catch (e) {
      this.errors++;
      throw e;
    } finally {
      clearTimeout(timer);
      env.busy = wasBusy;
    }
  }
}
