import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT, startStack, type LocalStack, type StackOptions } from '../stack/stack.ts';
import { resetAws } from '../../shared/adapters/aws.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { ENV } from '../../shared/contract/catalog.ts';
import { LocalClock } from './clock.ts';

export const STATE_DIR = resolve(process.env.THIDUA_HOME ?? resolve(PROJECT_ROOT, '.thidua'));
const STACK_FILE = resolve(STATE_DIR, 'stack.json');

export interface RunningStack {
  pid: number;
  /** The stack's environment without its secret (UPLOAD_TOKEN_SECRET stays in `dataDir`/upload-secret). */
  env: Record<string, string>;
  inboxUrl: string;
  startedAt: string;
  /** The running stack's data folder, where a command beside it reads the upload-link secret. */
  dataDir?: string;
}

/** The environment a running stack shares with other processes: everything but the upload-link secret. */
export function shareableEnv(env: Record<string, string>): Record<string, string> {
  const { [ENV.uploadSecret]: _secret, ...rest } = env;
  return rest;
}

export interface Session {
  /** The stack this command started itself, or undefined when it talks to a running `thidua up`. */
  embedded?: LocalStack;
  running?: RunningStack;
  inboxUrl: string;
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A session on a stack this process runs: commands settle it rather than poll, as `thidua` does for a one-off
 * command. `close` leaves the stack running unless told otherwise (a demo or a test owns it).
 */
export function embeddedSession(stack: LocalStack, close: () => Promise<void> = async () => undefined): Session {
  return { embedded: stack, inboxUrl: stack.inboxUrl, settle: () => stack.settle(), close };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readRunning(): RunningStack | undefined {
  if (!existsSync(STACK_FILE)) return undefined;
  try {
    const s = JSON.parse(readFileSync(STACK_FILE, 'utf8')) as RunningStack;
    return alive(s.pid) ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `.thidua/stack.json`, readable by its owner only (0600, also when an older file was wider) and without the
 * upload-link secret: a command beside `up` reads that from the data folder's `upload-secret` (0600 too).
 */
export function writeRunning(stack: LocalStack, dataDir = resolve(STATE_DIR, 'data')): void {
  mkdirSync(STATE_DIR, { recursive: true });
  const state: RunningStack = { pid: process.pid, env: shareableEnv(stack.env), inboxUrl: stack.inboxUrl, startedAt: new Date().toISOString(), dataDir };
  const tmp = `${STACK_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, STACK_FILE);
}

/** The upload-link secret of a running stack, from its data folder (never from stack.json). */
function runningSecret(running: RunningStack): string | undefined {
  const file = resolve(running.dataDir ?? resolve(STATE_DIR, 'data'), 'upload-secret');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

export function clearRunning(): void {
  rmSync(STACK_FILE, { force: true });
}

/** Waits until the running stack reports nothing in flight, three times in a row. */
async function settleRemote(running: RunningStack, timeoutMs = 120_000): Promise<void> {
  const url = `${running.env.AWS_ENDPOINT_URL_EVENTBRIDGE}/_local/pending`;
  const deadline = Date.now() + timeoutMs;
  for (let quiet = 0; quiet < 3; ) {
    if (Date.now() > deadline) throw new Error('The running local stack did not settle in time');
    await new Promise((r) => setTimeout(r, 100));
    const { pending } = (await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as { pending: number };
    quiet = pending === 0 ? quiet + 1 : 0;
  }
}

/**
 * Where a command does its work: the stack of a running `thidua up` if there is one (its pollers do the
 * asynchronous part), otherwise an embedded stack on the same data folder for the length of the command.
 */
export async function connect(opts: Pick<StackOptions, 'logLevel' | 'log'> & { aws?: boolean } = {}): Promise<Session> {
  if (opts.aws) {
    // The deployed stack: the SDK's own configuration (credentials, AWS_REGION) plus the names the CDK outputs.
    for (const name of ['TABLE_NAME', 'EVENT_BUS_NAME']) {
      if (!process.env[name]) throw new InputError(`Thiếu biến môi trường ${name} để làm việc với AWS`, ['Lấy giá trị từ đầu ra của npx cdk deploy (ThiduaStateful / ThiduaStateless)']);
    }
    resetAws();
    return { inboxUrl: 'SES (AWS)', settle: async () => undefined, close: async () => undefined };
  }
  const running = readRunning();
  if (running) {
    Object.assign(process.env, running.env);
    const secret = runningSecret(running);
    if (secret) process.env[ENV.uploadSecret] = secret;
    resetAws();
    return { running, inboxUrl: running.inboxUrl, settle: () => settleRemote(running), close: async () => undefined };
  }
  const clock = new LocalClock(STATE_DIR);
  // A one-off command needs no console: `thidua up` serves it.
  const embedded = await startStack({ dataDir: resolve(STATE_DIR, 'data'), now: () => clock.now(), console: false, ...opts });
  return embeddedSession(embedded, () => embedded.stop());
}
