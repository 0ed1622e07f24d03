import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV, FUNCTION_IDS, functionSpecs, type FunctionId, type QueueId } from '../../shared/contract/catalog.ts';
import { aws, resetAws } from '../../shared/adapters/aws.ts';
import { ensureTable, startDynamo, type LocalDynamo } from './dynamodb.ts';
import { startQueues, type LocalQueues } from './queues.ts';
import { clearInbox, countInbox, readInbox, startSes, type LocalSes, type StoredEmail } from './ses.ts';
import { startBus, type LocalBus } from './bus.ts';
import { LocalFunction } from './lambda.ts';
import { QueuePoller } from './poller.ts';
import { sleep } from '../../shared/retry.ts';
import { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { bucketNotifications } from '../../events/routes.ts';
import { startS3Notifications, startUploadServer } from './uploads.ts';
import { startCognito, type LocalCognito } from './cognito.ts';
import { localConsoleDeps, startConsole, type LocalConsole } from './console.ts';
import { S3_ROUTE, TagStore } from './s3-route.ts';
import { installClock } from '../../shared/adapters/clock.ts';

function uploadSecretIn(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('base64url');
  const file = resolve(dataDir, 'upload-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** The upload page's port of the previous run, kept so that the links in earlier emails still open. */
function uploadPortIn(dataDir: string | undefined): number | undefined {
  if (!dataDir) return undefined;
  const file = resolve(dataDir, 'upload-port');
  const port = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const REGION = 'ap-southeast-1';
export const BUS_NAME = 'thidua';
export const TABLE_NAME = 'thidua';
export const BUCKET_NAME = 'thidua-reports';

export interface StackOptions {
  /** Keep DynamoDB and SQS data in this folder; without it everything lives in memory. */
  dataDir?: string;
  /** Handlers' log level (Powertools): quiet by default so a person reads the story, not the logs. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  mailFrom?: string;
  sesPort?: number;
  /** Seconds before a failed record is retried; Lambda waits for the visibility timeout, locally we shorten it. */
  retryDelaySeconds?: (receiveCount: number) => number;
  /** Start the pollers and the bus's deliveries (false: only the services, for a client of a running stack). */
  runFunctions?: boolean;
  /** Signs upload links; kept in the data folder so links in emails stay valid across runs. */
  uploadSecret?: string;
  /** Serve the console (and start cognito-local for its sign-in); true by default. */
  console?: boolean;
  /** At most one rejection email per report in this many seconds (AWS: 10 minutes; locally 30 s by default). */
  rejectionMailWindowSeconds?: number;
  /** The stack's time where it makes one up (an upload's arrival): a simulated clock, when one runs. */
  now?: () => Date;
  log?: (msg: string) => void;
}

export interface LocalStack {
  env: Record<string, string>;
  inboxUrl: string;
  sesEndpoint: string;
  /** The upload page (the `upload` function behind a local HTTP server). */
  uploadUrl: string;
  /** The console and its identity provider (cognito-local), unless started with `console: false`. */
  console?: LocalConsole;
  cognito?: LocalCognito;
  queues: LocalQueues;
  bus: LocalBus;
  functions: Record<FunctionId, LocalFunction>;
  pollers: Partial<Record<FunctionId, QueuePoller>>;
  /** Deliver every SQS message and every event twice, as at-least-once delivery may. */
  setDuplicateDeliveries(on: boolean): void;
  /**
   * Resolves when no event, message or invocation is left in flight (dead-letter queues aside). Every hand-off
   * (bus → queue → poller → function → queue) is counted before the previous holder lets go, so one quiet
   * look would do; two are taken for safety.
   */
  settle(timeoutMs?: number): Promise<void>;
  /** The local inbox, oldest first; `from`: only the mails after the first `from`. */
  inbox(opts?: { from?: number }): Promise<StoredEmail[]>;
  /** How many mails the local inbox holds, without reading them. */
  inboxCount(): Promise<number>;
  /** Empties the local SES store (what the web inbox shows). */
  clearInbox(): Promise<void>;
  /** Messages waiting in a queue's dead-letter queue, read without consuming them. */
  deadLetters(queue: QueueId | 'events'): { body: string; attributes: Record<string, string> }[];
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<LocalStack> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`[local] ${m}\n`));
  const started: { stop(): Promise<void> }[] = [];
  let cognitoStarting: Promise<LocalCognito> | undefined;
  try {
    cognitoStarting = opts.console === false ? undefined : startCognito({ ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), log });
    // Awaited below; until then its failure must not go unhandled.
    cognitoStarting?.catch(() => undefined);
    const [dynamo, queues, ses]: [LocalDynamo, LocalQueues, LocalSes] = await Promise.all([
      startDynamo({ ...(opts.dataDir ? { dataDir: resolve(opts.dataDir, 'dynamodb') } : {}) }),
      startQueues({ prefix: 'thidua', ...(opts.dataDir ? { dataDir: resolve(opts.dataDir, 'sqs') } : {}) }),
      startSes({
        ...(opts.sesPort ? { port: opts.sesPort } : {}),
        ...(opts.dataDir ? { file: resolve(opts.dataDir, 'inbox', 'mails.jsonl') } : {}),
        log,
      }),
    ]);
    started.push(dynamo, queues, ses);

    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const sqs = new SQSClient({ region: REGION, endpoint: queues.endpoint, credentials });
    const functions = Object.fromEntries(FUNCTION_IDS.map((id) => [id, new LocalFunction(id, PROJECT_ROOT)])) as Record<FunctionId, LocalFunction>;
    queues.server.createBucket(BUCKET_NAME);
    const queueUrls = Object.fromEntries(Object.values(queues.byId).map((q) => [q.id, q.url])) as Record<QueueId, string>;
    const bus = await startBus({ functions, queueUrls, sqs, dlqUrl: queues.eventsDlqUrl, busName: BUS_NAME, log });
    started.push(bus);
    // The upload page, and the bucket on its origin (`/_s3`): the S3 endpoint of every client, presigned URLs included.
    const keptPort = uploadPortIn(opts.dataDir);
    const upload = await startUploadServer({
      fn: functions.upload,
      s3: { endpoint: queues.endpoint, tags: new TagStore(opts.dataDir ? resolve(opts.dataDir, 's3-tags.json') : undefined) },
      ...(keptPort ? { port: keptPort } : {}),
      log,
    });
    started.push(upload);
    if (opts.dataDir) {
      mkdirSync(opts.dataDir, { recursive: true });
      writeFileSync(resolve(opts.dataDir, 'upload-port'), `${upload.port}\n`);
    }

    const env: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: queues.endpoint,
      AWS_ENDPOINT_URL_S3: `${upload.origin}${S3_ROUTE}`,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      [ENV.table]: TABLE_NAME,
      [ENV.eventBus]: BUS_NAME,
      [ENV.mailFrom]: opts.mailFrom ?? 'thidua@thidua.local',
      // The local SES has no quota; a high rate keeps the limiter's code path in use without slowing the story.
      [ENV.sesMaxSendRate]: '500',
      [ENV.reportsBucket]: BUCKET_NAME,
      [ENV.uploadSecret]: opts.uploadSecret ?? uploadSecretIn(opts.dataDir),
      // One machine, one person testing: a rejection email at most every 30 s instead of every 10 minutes, so a story
      // that settles does not wait for a window to end.
      [ENV.rejectionMailWindowSeconds]: String(opts.rejectionMailWindowSeconds ?? 30),
      [ENV.uploadBaseUrl]: upload.url,
      POWERTOOLS_LOG_LEVEL: opts.logLevel ?? 'ERROR',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_METRICS_NAMESPACE: 'thidua',
    };
    for (const q of Object.values(queues.byId)) {
      env[ENV.queueUrl(q.id as QueueId)] = q.url;
      env[ENV.dlqUrl(q.id as QueueId)] = q.dlqUrl;
    }
    Object.assign(process.env, env);
    resetAws();
    await ensureTable(aws().dynamo, TABLE_NAME);

    // The functions judge time by the stack's clock (a simulated one when it runs): see shared/adapters/clock.ts.
    if (opts.now) {
      const uninstallClock = installClock({ now: opts.now });
      started.push({ stop: async () => uninstallClock() });
    }
    let cognito: LocalCognito | undefined;
    let consoleServer: LocalConsole | undefined;
    if (cognitoStarting) {
      cognito = await cognitoStarting;
      started.push(cognito);
      consoleServer = await startConsole({
        deps: localConsoleDeps({ cognito, uploadBaseUrl: upload.url, uploadSecret: env[ENV.uploadSecret]! }),
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        log,
      });
      started.push(consoleServer);
      env[ENV.consoleUrl] = consoleServer.url;
      process.env[ENV.consoleUrl] = consoleServer.url;
    }
    const s3 = new S3Client({ region: REGION, endpoint: queues.endpoint, credentials, forcePathStyle: true });
    const notifications = startS3Notifications({
      fauxqs: queues.server,
      s3,
      sqs,
      bucket: BUCKET_NAME,
      targets: bucketNotifications.map((n) => ({ prefix: n.prefix, queueUrl: queues.byId[n.queue].url })),
      log,
      ...(opts.now ? { now: opts.now } : {}),
    });
    started.push(notifications);

    const pollers: Partial<Record<FunctionId, QueuePoller>> = {};
    if (opts.runFunctions !== false) {
      for (const id of FUNCTION_IDS) await functions[id].load();
      for (const id of FUNCTION_IDS) {
        const trigger = functionSpecs[id].trigger;
        if (trigger.kind !== 'queue') continue;
        const q = queues.byId[trigger.queue];
        const poller = new QueuePoller(functions[id], sqs, {
          queueUrl: q.url,
          queueArn: `arn:aws:sqs:${REGION}:000000000000:${q.name}`,
          batchSize: trigger.batchSize,
          maxConcurrency: trigger.maxConcurrency,
          retryDelaySeconds: opts.retryDelaySeconds ?? ((n) => Math.min(8, 2 ** (n - 1))),
          log,
        });
        poller.start();
        pollers[id] = poller;
      }
    }

    const queueNames = Object.values(queues.byId).map((q) => q.name);
    const pending = () => {
      let n = bus.inFlight() + notifications.inFlight();
      for (const p of Object.values(pollers)) n += p?.inFlight() ?? 0;
      for (const name of queueNames) {
        const q = queues.server.inspectQueue(name);
        if (q) n += q.messages.ready.length + q.messages.delayed.length + q.messages.inflight.length;
      }
      return n;
    };

    bus.pending = pending;

    const stack: LocalStack = {
      env,
      inboxUrl: ses.inboxUrl,
      sesEndpoint: ses.endpoint,
      uploadUrl: upload.url,
      ...(consoleServer ? { console: consoleServer } : {}),
      ...(cognito ? { cognito } : {}),
      queues,
      bus,
      functions,
      pollers,
      setDuplicateDeliveries(on) {
        bus.duplicateDeliveries = on;
        for (const p of Object.values(pollers)) if (p) p.duplicateDeliveries = on;
      },
      async settle(timeoutMs = 120_000) {
        const deadline = Date.now() + timeoutMs;
        let quiet = 0;
        while (quiet < 2) {
          if (Date.now() > deadline) throw new Error(`The local stack did not settle in ${timeoutMs} ms (${pending()} items in flight)`);
          await sleep(25);
          quiet = pending() === 0 ? quiet + 1 : 0;
        }
      },
      inbox: (opts) => readInbox(ses.endpoint, opts),
      inboxCount: () => countInbox(ses.endpoint),
      clearInbox: () => clearInbox(ses.endpoint),
      deadLetters(queue) {
        const name = queue === 'events' ? 'thidua-events-dlq' : queues.byId[queue].dlqName;
        const q = queues.server.inspectQueue(name);
        const all = q ? [...q.messages.ready, ...q.messages.delayed, ...q.messages.inflight.map((i) => i.message)] : [];
        return all.map((m) => ({
          body: (m as { body: string }).body,
          attributes: Object.fromEntries(
            Object.entries((m as { messageAttributes?: Record<string, { StringValue?: string }> }).messageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
          ),
        }));
      },
      async stop() {
        await Promise.all(Object.values(pollers).map((p) => p?.stop()));
        sqs.destroy();
        resetAws();
        for (const s of started.reverse()) await s.stop();
      },
    };
    return stack;
  } catch (e) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    // cognito-local is a child process: stop it even when the stack failed before it was awaited.
    const cognito = await cognitoStarting?.catch(() => undefined);
    if (cognito && !started.includes(cognito)) await cognito.stop().catch(() => undefined);
    throw e;
  }
}

