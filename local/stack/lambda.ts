import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { functionSpecs, type FunctionId } from '../../shared/contract/catalog.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** A function as Lambda would run it: its handler module, a context with a deadline, its timeout enforced. */
export class LocalFunction {
  private handler?: Handler;
  invocations = 0;
  errors = 0;
  constructor(
    readonly id: FunctionId,
    private readonly root: string,
  ) {}

  async load(): Promise<void> {
    const mod = (await import(pathToFileURL(resolve(this.root, functionSpecs[this.id].entry)).href)) as { handler: Handler };
    this.handler = mod.handler;
  }

  async invoke(event: unknown): Promise<unknown> {
    if (!this.handler) await this.load();
    const spec = functionSpecs[this.id];
    const deadline = Date.now() + spec.timeoutSeconds * 1000;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: `thidua-${this.id}`,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:ap-southeast-1:000000000000:function:thidua-${this.id}`,
      memoryLimitInMB: String(spec.memoryMb),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/thidua-${this.id}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    this.invocations++;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        (this.handler as Handler)(event, context),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Task timed out after ${spec.timeoutSeconds} seconds`)), spec.timeoutSeconds * 1000);
        }),
      ]);
    } catch (e) {
      this.errors++;
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}
