/**
 * Fan-out benchmark (issue #3). Not a timed test: every figure is printed beside a baseline measured in the
 * same run on the same machine, and the ratios are what to read. See bench/README.md.
 *
 *   npm run bench                              # 1,000 and 10,000 villages
 *   npm run bench -- --units 1000 --json       # one scenario, one JSON object on stdout
 *   npm run bench -- --units 100000            # a manual run (minutes; mostly the mail stage)
 *
 * Progress goes to stderr, the table (or the JSON) to stdout; bench/out/fanout.json is always written.
 * Exit status is non-zero if any count check fails.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ENV, FUNCTION_IDS, functionSpecs, queues, type FunctionId, type QueueId } from '../shared/contract/catalog.ts';
import { PROJECT_ROOT, startStack, type LocalStack } from '../local/stack/stack.ts';
import { syntheticProvince } from '../local/sample/province.ts';
import { aws } from '../shared/adapters/aws.ts';
import { keys, MAIL_SHARDS } from '../shared/adapters/dynamo/keys.ts';
import { eventPublisher, repository } from '../shared/adapters/wiring.ts';
import { mailKey } from '../shared/app/assign-units.ts';
import { contentHash, issueDirective } from '../shared/app/directives.ts';
import { systemClock } from '../shared/app/ports.ts';
import { assignmentFor, obligationsFor, reportingPeriods, type Assignment, type Obligation } from '../shared/domain/assignment.ts';
import { DirectiveInput, shardCountFor, type Directive } from '../shared/domain/directive.ts';
import { buildPaths, type Unit } from '../shared/domain/units.ts';
import { renderAssignmentMail } from '../shared/mail/assignment-email.ts';
import { RateLimiter, SesMailer } from '../shared/adapters/ses.ts';
import { chunk, mapLimit } from '../shared/retry.ts';
import type { MailMessage } from '../events/schemas.ts';
import { itemOf } from '../shared/adapters/dynamo/items.ts';
import { itemSize, rcuOf, wcuOf, type AVItem } from './dynamo-size.ts';

// ---------------------------------------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
};
if (flag('help') || flag('h')) {
  process.stdout.write(
    [
      'npm run bench -- [--units 1000,10000] [--json] [--load-runs 5] [--naive-concurrency 8] [--no-bundles]',
      '  --units              target villages per scenario, comma separated (default 1000,10000; 100000 for a manual run)',
      '  --json               print one JSON object on stdout instead of the table',
      '  --load-runs          cold imports per bundle for the module load time (default 5)',
      '  --naive-concurrency  units in flight in the naive baseline (default 8)',
      '  --no-bundles         skip bundle sizes and load times',
      '  --no-baselines       thidua only, no naive loops and no ratios (the 100,000-village manual run)',
      '  --data-dir DIR       keep the stack\'s data on disk in DIR (emptied first): DynamoDB Local\'s file and the inbox',
      '',
    ].join('\n'),
  );
  process.exit(0);
}
const UNITS = (option('units') ?? '1000,10000').split(',').map((s) => Number(s.replace(/[_,]/g, '').trim()));
if (UNITS.some((n) => !Number.isInteger(n) || n < 1 || n > 200_000)) {
  process.stderr.write(`--units wants whole numbers from 1 to 200000, got "${option('units')}"\n`);
  process.exit(2);
}
const JSON_OUT = flag('json');
const LOAD_RUNS = Number(option('load-runs') ?? 5);
const NAIVE_CONCURRENCY = Number(option('naive-concurrency') ?? 8);
/** The 100,000-village manual run: thidua alone (the two naive loops would take most of an hour); no ratios. */
const BASELINES = !flag('no-baselines');
/** Where the stack keeps its data (DynamoDB Local's file, the inbox); in memory without it. The 100,000-village run uses one. */
const DATA_DIR = option('data-dir');
const BUNDLES = !flag('no-bundles');

const BENCH_DIR = resolve(PROJECT_ROOT, 'bench');
const OUT_DIR = resolve(BENCH_DIR, 'out');
const DIRECTIVE_FILE = resolve(PROJECT_ROOT, 'local/sample/directive-23-ct-tu-2027.json');
/** DynamoDB's documented ceiling per partition (and so, at best, per partition key). */
const PARTITION_WCU_PER_SECOND = 1_000;

const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

// ------------------------------------------------------------------------------------ request counting

type Service = 'DynamoDB' | 'SQS' | 'SES' | 'EventBridge' | 'S3';
/**
 * Who made a request. Function ids come from an AsyncLocalStorage set around each LocalFunction.invoke;
 * `issue` is the CLI side (issueDirective); `event-source` is the local pollers' own SQS client, i.e.
 * what Lambda's event source mapping does (Receive/Delete/ChangeVisibility), not billed to the function.
 */
type Actor = FunctionId | 'issue' | 'event-source' | 'naive' | 'other';
type IndexName = 'base' | 'GSI1' | 'GSI2';
const INDEXES: IndexName[] = ['base', 'GSI1', 'GSI2'];

const actorOf = new AsyncLocalStorage<Actor>();



interface KeyStat {
  writes: number;
  wcu: number;
  perSecond: Map<number, number>;
}

/** One measured run (thidua's fan-out, or the naive loop): requests by actor/service/command, writes by key. */
class Recording {
  readonly t0 = performance.now();
  /** Requests of these callers are not this run's (the pollers keep polling while the naive loop runs). */
  constructor(readonly ignored: ReadonlySet<Actor> = new Set()) {}
  readonly requests = new Map<string, number>();
  readonly errors = new Map<string, number>();
  readonly firstAt = new Map<Actor, number>();
  readonly lastAt = new Map<Actor, number>();
  readonly writesByKey: Record<IndexName, Map<string, KeyStat>> = { base: new Map(), GSI1: new Map(), GSI2: new Map() };
  readonly itemsByType = new Map<string, number>();
  /** Write units by the item type written (an update or delete: by its key's prefix), where the cost goes. */
  readonly wcuByType = new Map<string, number>();
  wcu = 0;
  rcu = 0;
  emailsSent = 0;

  elapsedMs(): number {
    return performance.now() - this.t0;
  }

  /** `mailsSent`: the mails SES took in this request (a SendBulkEmail takes up to 50). */
  request(actor: Actor, service: Service, command: string, failed?: string, mailsSent?: number): void {
    const k = `${actor}\t${service}\t${command}`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
    if (failed) this.errors.set(`${k}\t${failed}`, (this.errors.get(`${k}\t${failed}`) ?? 0) + 1);
    const at = this.elapsedMs();
    if (!this.firstAt.has(actor)) this.firstAt.set(actor, at);
    this.lastAt.set(actor, at);
    if (service === 'SES' && !failed) this.emailsSent += mailsSent ?? (command === 'SendEmail' ? 1 : 0);
  }

  private touch(index: IndexName, key: string, wcu: number, type: string): void {
    this.wcuByType.set(type, (this.wcuByType.get(type) ?? 0) + wcu);
    const map = this.writesByKey[index];
    let stat = map.get(key);
    if (!stat) map.set(key, (stat = { writes: 0, wcu: 0, perSecond: new Map() }));
    stat.writes++;
    stat.wcu += wcu;
    const second = Math.floor(this.elapsedMs() / 1000);
    stat.perSecond.set(second, (stat.perSecond.get(second) ?? 0) + 1);
    this.wcu += wcu;
  }

  /** A put of a whole item: the base table's key and each GSI key the item carries. */
  putItem(item: AVItem, factor = 1): void {
    const wcu = wcuOf(itemSize(item)) * factor;
    const pk = item.PK?.S;
    const type = item.type?.S ?? (pk?.startsWith('IDEMPOTENCY#') ? 'idempotency' : 'other');
    if (pk) this.touch('base', pk, wcu, type);
    if (item.GSI1PK?.S && item.GSI1SK?.S) this.touch('GSI1', item.GSI1PK.S, wcu, type);
    if (item.GSI2PK?.S && item.GSI2SK?.S) this.touch('GSI2', item.GSI2PK.S, wcu, type);
    this.itemsByType.set(type, (this.itemsByType.get(type) ?? 0) + 1);
  }

  /** An update or delete: only the base key is in the request (GSI keys of the stored item are not visible here). */
  keyWrite(key: AVItem | undefined, extra: AVItem | undefined, factor = 1): void {
    const pk = key?.PK?.S;
    if (!pk) return;
    const type = `${pk.startsWith('IDEMPOTENCY#') ? 'idempotency' : pk.split('#')[0]} (update/delete)`;
    this.touch('base', pk, wcuOf(itemSize(key ?? {}) + itemSize(extra ?? {})) * factor, type);
  }
}

let recording: Recording | undefined;

interface MiddlewareArgs {
  input: Record<string, unknown>;
}
interface MiddlewareContext {
  commandName?: string;
}
type Next = (args: MiddlewareArgs) => Promise<{ output: Record<string, unknown> }>;
interface Instrumentable {
  middlewareStack: { add(mw: (next: Next, ctx: MiddlewareContext) => Next, opts: Record<string, unknown>): void };
}

const CONDITIONAL = new Set(['ConditionalCheckFailedException', 'TransactionCanceledException']);

/** Writes of one DynamoDB request, from its (marshalled) input; unprocessed batch items are skipped. */
function recordWrites(rec: Recording, command: string, input: Record<string, unknown>, output: Record<string, unknown> | undefined): void {
  if (command === 'PutItem') rec.putItem(input.Item as AVItem);
  else if (command === 'UpdateItem') rec.keyWrite(input.Key as AVItem, input.ExpressionAttributeValues as AVItem | undefined);
  else if (command === 'DeleteItem') rec.keyWrite(input.Key as AVItem, undefined);
  else if (command === 'BatchWriteItem') {
    const unprocessed = new Set<string>();
    for (const reqs of Object.values((output?.UnprocessedItems ?? {}) as Record<string, { PutRequest?: { Item: AVItem }; DeleteRequest?: { Key: AVItem } }[]>)) {
      for (const r of reqs) {
        const k = r.PutRequest?.Item ?? r.DeleteRequest?.Key;
        if (k) unprocessed.add(`${k.PK?.S}|${k.SK?.S}`);
      }
    }
    for (const reqs of Object.values(input.RequestItems as Record<string, { PutRequest?: { Item: AVItem }; DeleteRequest?: { Key: AVItem } }[]>)) {
      for (const r of reqs) {
        const k = r.PutRequest?.Item ?? r.DeleteRequest?.Key;
        if (!k || unprocessed.has(`${k.PK?.S}|${k.SK?.S}`)) continue;
        if (r.PutRequest) rec.putItem(r.PutRequest.Item);
        else rec.keyWrite(r.DeleteRequest?.Key, undefined);
      }
    }
  } else if (command === 'BatchExecuteStatement') {
    // PartiQL INSERTs (batch.ts batchInsert): one plain Put each; a duplicate refused still consumed its write.
    for (const st of input.Statements as { Statement: string; Parameters?: AVItem[keyof AVItem][] }[]) {
      const names = [...st.Statement.matchAll(/'((?:[^']|'')*)': \?/g)].map((m) => (m[1] as string).replaceAll("''", "'"));
      if (!/^INSERT /.test(st.Statement) || names.length !== st.Parameters?.length) throw new Error(`bench cannot size statement: ${st.Statement}`);
      rec.putItem(Object.fromEntries(names.map((n, i) => [n, st.Parameters?.[i]])) as AVItem);
    }
  } else if (command === 'TransactWriteItems') {
    // Transactional writes cost two write units per KB.
    for (const t of input.TransactItems as { Put?: { Item: AVItem }; Update?: { Key: AVItem; ExpressionAttributeValues?: AVItem }; Delete?: { Key: AVItem } }[]) {
      if (t.Put) rec.putItem(t.Put.Item, 2);
      else if (t.Update) rec.keyWrite(t.Update.Key, t.Update.ExpressionAttributeValues, 2);
      else if (t.Delete) rec.keyWrite(t.Delete.Key, undefined, 2);
    }
  }
}

/** Read units, estimated from what came back: missing items still cost the minimum. */
function recordReads(rec: Recording, command: string, input: Record<string, unknown>, output: Record<string, unknown>): void {
  if (command === 'GetItem') {
    const item = output.Item as AVItem | undefined;
    rec.rcu += (item ? rcuOf(itemSize(item)) : 1) * (input.ConsistentRead ? 1 : 0.5);
  } else if (command === 'BatchGetItem') {
    for (const [table, req] of Object.entries(input.RequestItems as Record<string, { Keys: AVItem[]; ConsistentRead?: boolean }>)) {
      const found = ((output.Responses as Record<string, AVItem[]> | undefined)?.[table] ?? []).map((i) => rcuOf(itemSize(i)));
      const left = ((output.UnprocessedKeys as Record<string, { Keys: AVItem[] }> | undefined)?.[table]?.Keys ?? []).length;
      const missing = Math.max(0, req.Keys.length - left - found.length);
      rec.rcu += (found.reduce((a, b) => a + b, 0) + missing) * (req.ConsistentRead ? 1 : 0.5);
    }
  } else if (command === 'Query' || command === 'Scan') {
    const bytes = ((output.Items as AVItem[] | undefined) ?? []).reduce((n, i) => n + itemSize(i), 0);
    rec.rcu += rcuOf(bytes) * (input.ConsistentRead ? 1 : 0.5);
  }
}

const instrumented = new WeakSet<object>();

/**
 * Counts every HTTP attempt of a client (after the SDK's retry middleware, so a retried request counts each
 * time it goes out), and records the partition keys each DynamoDB write touches.
 */
function instrument(client: Instrumentable, service: Service, fixedActor?: Actor): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  client.middlewareStack.add(
    (next, ctx) => async (args) => {
      const rec = recording;
      const actor: Actor = fixedActor ?? actorOf.getStore() ?? 'other';
      if (!rec || rec.ignored.has(actor)) return next(args);
      const command = String(ctx.commandName ?? 'Unknown').replace(/Command$/, '');
      try {
        const out = await next(args);
        const empty = command === 'ReceiveMessage' && !((out.output.Messages as unknown[] | undefined)?.length);
        const bulk = command === 'SendBulkEmail' ? ((out.output.BulkEmailEntryResults as { Status?: string }[] | undefined) ?? []) : undefined;
        rec.request(actor, service, empty ? 'ReceiveMessage (empty)' : command, undefined, bulk?.filter((r) => r.Status === 'SUCCESS').length);
        if (service === 'DynamoDB') {
          recordWrites(rec, command, args.input, out.output);
          recordReads(rec, command, args.input, out.output);
        }
        return out;
      } catch (e) {
        const name = (e as { name?: string }).name ?? 'Error';
        rec.request(actor, service, command, name);
        // A write refused by its condition still consumed write capacity on its partition.
        if (service === 'DynamoDB' && CONDITIONAL.has(name)) recordWrites(rec, command, args.input, undefined);
        throw e;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'thiduaBenchCounter' },
  );
}

function instrumentStack(stack: LocalStack): void {
  const c = aws();
  instrument(c.dynamo as unknown as Instrumentable, 'DynamoDB'); // the document client shares this stack
  instrument(c.sqs as unknown as Instrumentable, 'SQS');
  instrument(c.ses as unknown as Instrumentable, 'SES');
  instrument(c.sesv2 as unknown as Instrumentable, 'SES');
  instrument(c.events as unknown as Instrumentable, 'EventBridge');
  // Not in the fan-out's path today (report uploads and attachments); counted so a new use shows up.
  instrument(c.s3 as unknown as Instrumentable, 'S3');
  // The pollers' (and the local bus's dead-letter) SQS client is private to startStack; the pollers hold it.
  for (const id of FUNCTION_IDS) {
    const poller = stack.pollers[id];
    if (!poller) continue;
    const sqs = (poller as unknown as { sqs?: SQSClient }).sqs;
    if (!sqs?.middlewareStack) throw new Error(`cannot reach the SQS client of the ${id} poller (local/stack/poller.ts changed?)`);
    instrument(sqs as unknown as Instrumentable, 'SQS', 'event-source');
  }
  // Requests made inside a handler are attributed to its function.
  for (const id of FUNCTION_IDS) {
    const fn = stack.functions[id];
    const invoke = fn.invoke.bind(fn);
    fn.invoke = (event: unknown) => actorOf.run(id, () => invoke(event));
  }
}

// ------------------------------------------------------------------------------------------- summaries

interface KeyRow {
  key: string;
  writes: number;
  wcu: number;
  /** writes on this key / wall seconds of the run */
  writesPerSecondOverWall: number;
  /** write units on this key / wall seconds, as % of a partition's 1,000 WCU/s */
  percentOfPartitionLimit: number;
  /** most writes this key took within one clock second of the run */
  peakWritesInOneSecond: number;
}

interface RunSummary {
  wallSeconds: number;
  /** seconds from the start of the run to the first and the last request each actor made */
  firstRequestAt: Partial<Record<Actor, number>>;
  lastRequestAt: Partial<Record<Actor, number>>;
  requests: { byActor: Record<string, Record<string, Record<string, number>>>; errors: Record<string, number> };
  totals: Record<Service | 'SQS (event source)', number>;
  perAssignment: { dynamodb: number; sqs: number; ses: number; eventbridge: number; s3: number; all: number; sqsEventSource: number; wcu: number; rcu: number };
  estimatedWcu: number;
  estimatedRcu: number;
  itemsWritten: Record<string, number>;
  /** write units per assignment, by the item type written */
  wcuPerAssignmentByItem: Record<string, number>;
  hottestKeys: Record<IndexName, KeyRow[]>;
}

function summarize(rec: Recording, wallSeconds: number, assignments: number): RunSummary {
  const byActor: RunSummary['requests']['byActor'] = {};
  const totals: RunSummary['totals'] = { DynamoDB: 0, SQS: 0, SES: 0, EventBridge: 0, S3: 0, 'SQS (event source)': 0 };
  for (const [k, n] of rec.requests) {
    const [actor, service, command] = k.split('\t') as [Actor, Service, string];
    ((byActor[actor] ??= {})[service] ??= {})[command] = n;
    if (actor === 'event-source') totals['SQS (event source)'] += n;
    else totals[service] += n;
  }
  const hottestKeys = {} as Record<IndexName, KeyRow[]>;
  for (const index of INDEXES) {
    hottestKeys[index] = [...rec.writesByKey[index].entries()]
      .sort((a, b) => b[1].writes - a[1].writes || b[1].wcu - a[1].wcu)
      .slice(0, 5)
      .map(([key, s]) => ({
        key,
        writes: s.writes,
        wcu: s.wcu,
        writesPerSecondOverWall: s.writes / wallSeconds,
        percentOfPartitionLimit: (100 * s.wcu) / wallSeconds / PARTITION_WCU_PER_SECOND,
        peakWritesInOneSecond: Math.max(0, ...s.perSecond.values()),
      }));
  }
  const per = (n: number) => n / assignments;
  const fnTotal = totals.DynamoDB + totals.SQS + totals.SES + totals.EventBridge + totals.S3;
  return {
    wallSeconds,
    firstRequestAt: Object.fromEntries([...rec.firstAt].map(([a, ms]) => [a, ms / 1000])),
    lastRequestAt: Object.fromEntries([...rec.lastAt].map(([a, ms]) => [a, ms / 1000])),
    requests: { byActor, errors: Object.fromEntries(rec.errors) },
    totals,
    perAssignment: {
      dynamodb: per(totals.DynamoDB),
      sqs: per(totals.SQS),
      ses: per(totals.SES),
      eventbridge: per(totals.EventBridge),
      s3: per(totals.S3),
      all: per(fnTotal),
      sqsEventSource: per(totals['SQS (event source)']),
      wcu: per(rec.wcu),
      rcu: per(rec.rcu),
    },
    estimatedWcu: rec.wcu,
    estimatedRcu: rec.rcu,
    itemsWritten: Object.fromEntries(rec.itemsByType),
    wcuPerAssignmentByItem: Object.fromEntries([...rec.wcuByType].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, per(v)])),
    hottestKeys,
  };
}

// -------------------------------------------------------------------------------------------- scenario

interface Check {
  what: string;
  expected: number;
  actual: number;
  ok: boolean;
}

interface ScenarioResult {
  units: number;
  provinceId: string;
  directiveId: string;
  periods: string[];
  shardCount: number;
  importSeconds: number;
  /** The machine's 1-minute load average: other work on the machine skews both runs, and not equally. */
  loadAverage1m: { beforeNaiveOld: number; beforeNaive: number; beforeThidua: number; afterThidua: number };
  thidua: RunSummary & { invocations: Record<FunctionId, number>; batches: Partial<Record<FunctionId, number>>; handlerErrors: Record<FunctionId, number>; bus: { delivered: number; deadLettered: number } };
  /** The fair baseline: the naive loop sends each unit's email. */
  naive: RunSummary & { concurrency: number };
  /** The baseline of earlier runs: the email only queued, never sent. */
  naiveOld: RunSummary & { concurrency: number };
  /** SES requests (every attempt) per email that went out. */
  sesCallsPerEmail: { thidua: number; naive: number };
  ratiosToOldNaive: { wall: number; dynamodbRequestsPerAssignment: number; allRequestsPerAssignment: number; wcuPerAssignment: number };
  ratios: { wall: number; toLastAssignmentWrite: number; dynamodbRequestsPerAssignment: number; sqsRequestsPerAssignment: number; allRequestsPerAssignment: number; wcuPerAssignment: number };
  checks: Check[];
  /** Production status readers that disagree with the bench's own counts (not a failure of the fan-out). */
  warnings: string[];
  ok: boolean;
  error?: string;
  memory: { peakRssMbAtSettle: number; heapUsedMbAtSettle: number; peakRssMbAfterChecks: number; rssMbAfter: number; dynamoDbLocalPeakRssMb?: number };
}

const check = (what: string, expected: number, actual: number): Check => ({ what, expected, actual, ok: expected === actual });

function benchDirective(provinceId: string, directiveId: string): DirectiveInput {
  const sample = JSON.parse(readFileSync(DIRECTIVE_FILE, 'utf8')) as Record<string, unknown>;
  return DirectiveInput.parse({ ...sample, id: directiveId, issuerId: provinceId, targetUnits: { scope: 'level', level: 'village' }, unitTargets: {} });
}


/**
 * The naive baseline: for each unit one PutItem for its assignment, one PutItem per obligation and its email,
 * a unit's requests one after another, NAIVE_CONCURRENCY units in flight. The fair baseline (issue #15) sends the
 * email (one SendEmail of the same rendered message, through the same SesMailer); the old one (kept for
 * continuity with earlier runs) only put it on a scratch queue nobody reads.
 */
async function runNaive(
  stack: LocalStack,
  directive: Directive,
  villages: Unit[],
  queueName: string,
  sendsEmail: boolean,
): Promise<{ rec: Recording; wall: number; queued: number }> {
  const server = stack.queues.server;
  server.deleteQueue(queueName);
  const created = server.createQueue(queueName);
  // fauxqs names queues sqs.<region>.<host>; the path form on its own address resolves (as local/stack/queues.ts does).
  const queueUrl = `${server.address}${new URL(created.queueUrl.replace(/^http:\/\/[^/]+/, 'http://x')).pathname}`;
  const { doc, sqs } = aws();
  const table = repository().tableName;
  const periods = reportingPeriods(directive);
  // No rate limit of its own: the stack's mailer allows 500/s locally, more than eight units in flight reach.
  const mailer = new SesMailer(aws().ses, 'thidua@thidua.local', new RateLimiter(0));
  const rec = (recording = new Recording(new Set<Actor>(['event-source', 'fan-out', 'assignment', 'mail', 'other'])));
  await actorOf.run('naive', () =>
    mapLimit(villages, NAIVE_CONCURRENCY, async (unit) => {
      const now = systemClock.now();
      const assignment = assignmentFor(directive, unit, now);
      await doc.send(new PutCommand({ TableName: table, Item: itemOf.assignment(assignment) }));
      for (const o of obligationsFor(directive, unit, periods)) await doc.send(new PutCommand({ TableName: table, Item: itemOf.obligation(o) }));
      const mail: MailMessage = {
        key: mailKey('assigned', directive.id, directive.version, unit.id),
        to: unit.emails,
        cc: [],
        ...renderAssignmentMail('assigned', directive, unit, assignment.targets, periods),
        kind: 'directive-assigned',
        directiveId: directive.id,
        unitId: unit.id,
      };
      if (sendsEmail) await mailer.send(mail);
      else await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(mail) }));
    }),
  );
  const wall = rec.elapsedMs() / 1000;
  recording = undefined;
  const q = server.inspectQueue(queueName);
  const queued = q ? q.messages.ready.length + q.messages.delayed.length + q.messages.inflight.length : 0;
  server.deleteQueue(queueName);
  return { rec, wall, queued };
}

function javaPeakRssMb(): number | undefined {
  // DynamoDB Local runs in its own JVM, a child of this process; its high-water mark is not in process.resourceUsage().
  try {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (!new RegExp(`^PPid:\\s+${process.pid}$`, 'm').test(status)) continue;
      if (!/java/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) continue;
      const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
      if (hwm) return Number(hwm[1]) / 1024;
    }
  } catch {
    /* not Linux */
  }
  return undefined;
}

type SesStore = { emails: readonly { destination: { to: readonly string[] } }[] };

/**
 * The local SES runs in this process (local/stack/ses.ts); its store module is the same CommonJS instance,
 * so the bench can read it without the /store endpoint serialising every mail into one JSON string (at
 * ~15 KB a mail, 100,000 mails are more than a string may hold). Undefined if that ever stops being true.
 */
function inProcessSesStore(): { get(): SesStore; clear(): void } | undefined {
  try {
    const mod = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as { getStoreReadonly?: () => SesStore; clearStore?: () => void };
    if (typeof mod.getStoreReadonly === 'function' && typeof mod.clearStore === 'function') return { get: mod.getStoreReadonly, clear: mod.clearStore };
  } catch {
    /* a different version of aws-ses-v2-local: use the HTTP endpoint */
  }
  return undefined;
}

async function clearSesStore(stack: LocalStack): Promise<void> {
  const store = inProcessSesStore();
  if (store) store.clear();
  await fetch(`${stack.sesEndpoint}/clear-store`, { method: 'POST' }).catch(() => undefined);
}

const isVillageMail = (to: string, domain: string) => to.endsWith(`@${domain}`) && /^thon\d+\./.test(to);

/** Emails to this scenario's villages in the local SES store: from the in-process store, else streamed from /store. */
async function countEmails(stack: LocalStack, domain: string): Promise<{ mails: number; recipients: number; source: string }> {
  const store = inProcessSesStore()?.get();
  if (store && store.emails.length > 0) {
    let mails = 0;
    const recipients = new Set<string>();
    for (const m of store.emails) {
      const to = m.destination.to[0] ?? '';
      if (!isVillageMail(to, domain)) continue;
      mails++;
      recipients.add(to);
    }
    return { mails, recipients: recipients.size, source: 'in-process SES store' };
  }
  const res = await fetch(`${stack.sesEndpoint}/store`, { signal: AbortSignal.timeout(300_000) });
  if (!res.ok || !res.body) throw new Error(`SES inbox answered ${res.status}`);
  const pattern = /"destination":\{"to":\["((?:[^"\\]|\\.)*)"/g;
  const recipients = new Set<string>();
  let mails = 0;
  let carry = '';
  const decoder = new TextDecoder();
  const scan = (text: string, final: boolean) => {
    let last = 0;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      const to = m[1] as string;
      if (isVillageMail(to, domain)) {
        mails++;
        // A copy: the match is a slice of the whole chunk, and 100,000 kept slices would keep every chunk.
        recipients.add(Buffer.from(to, 'utf8').toString('utf8'));
      }
      last = pattern.lastIndex;
    }
    // A copy, not a slice: V8's sliced string would keep the whole chunk alive, and each chunk's text (carry + chunk)
    // the one before, so 100,000 mails (1.6 GB of JSON) would stay in memory as one chain.
    carry = final ? '' : Buffer.from(text.slice(Math.max(last, text.length - 400)), 'utf8').toString('utf8');
  };
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) scan(carry + decoder.decode(chunk, { stream: true }), false);
  scan(carry + decoder.decode(), true);
  return { mails, recipients: recipients.size, source: 'SES /store endpoint' };
}

/** Query COUNT on one GSI1 key (optionally a sort-key prefix), every page: the bench's own count, not the status reader's. */
async function countGsi1(pk: string, prefix?: string): Promise<number> {
  const { doc } = aws();
  const table = repository().tableName;
  let total = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'GSI1',
        KeyConditionExpression: prefix ? 'GSI1PK = :pk AND begins_with(GSI1SK, :p)' : 'GSI1PK = :pk',
        ExpressionAttributeValues: prefix ? { ':pk': pk, ':p': prefix } : { ':pk': pk },
        Select: 'COUNT',
        ExclusiveStartKey,
      }),
    );
    total += out.Count ?? 0;
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return total;
}

async function sumOverShards(shards: number, count: (shard: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let s = 0; s < shards; s++) total += await count(s);
  return total;
}

async function runScenario(stack: LocalStack, units: number, index: number): Promise<ScenarioResult> {
  const provinceId = `b${index}-${units}`;
  const directiveId = `${provinceId}-2027`;
  const domain = `${provinceId}.thidua.local`;
  const repo = repository();
  const tag = `[${units.toLocaleString('en-US')}]`;

  // Prepare: the synthetic hierarchy, not counted.
  const tImport = performance.now();
  const all = buildPaths(syntheticProvince(units, provinceId));
  await mapLimit(chunk(all, 500), 4, (part) => repo.putUnits(part));
  const importSeconds = (performance.now() - tImport) / 1000;
  const villages = all.filter((u) => u.level === 'village');
  progress(`${tag} imported ${all.length} units (${villages.length} villages) in ${importSeconds.toFixed(1)} s`);

  const input = benchDirective(provinceId, directiveId);
  const periods = reportingPeriods(input);
  const checks: Check[] = [];

  // Baseline first, so if the growing table slows DynamoDB Local down it is thidua that pays for it.
  const naiveDirective = (suffix: string): Directive => ({
    ...input,
    id: `${directiveId}-${suffix}`,
    version: 1,
    status: 'issued',
    shardCount: shardCountFor(villages.length),
    contentHash: contentHash(input),
    updatedAt: systemClock.now().toISOString(),
  });
  const load: ScenarioResult['loadAverage1m'] = { beforeNaiveOld: loadavg()[0] ?? 0, beforeNaive: 0, beforeThidua: 0, afterThidua: 0 };
  progress(`${tag} old naive baseline (email queued, not sent): ${villages.length} units, ${NAIVE_CONCURRENCY} in flight…`);
  const skipped = () => Promise.resolve({ rec: new Recording(), wall: Number.NaN, queued: 0 });
  const naiveOld = BASELINES ? await runNaive(stack, naiveDirective('naive-old'), villages, `bench-naive-old-${index}`, false) : await skipped();
  if (BASELINES) {
    checks.push(check('old naive: assignments written', villages.length, naiveOld.rec.itemsByType.get('assignment') ?? 0));
    checks.push(check('old naive: messages queued', villages.length, naiveOld.queued));
  }
  load.beforeNaive = loadavg()[0] ?? 0;
  progress(`${tag} naive baseline (email sent): ${villages.length} units, ${NAIVE_CONCURRENCY} in flight…`);
  const naive = BASELINES ? await runNaive(stack, naiveDirective('naive'), villages, `bench-naive-${index}`, true) : await skipped();
  if (BASELINES) {
    checks.push(check('naive: assignments written', villages.length, naive.rec.itemsByType.get('assignment') ?? 0));
    checks.push(check('naive: obligations written', villages.length * periods.length, naive.rec.itemsByType.get('obligation') ?? 0));
    checks.push(check('naive: emails sent', villages.length, naive.rec.emailsSent));
  }
  // The naive emails went to the same villages: thidua's must be counted alone.
  await clearSesStore(stack);
  progress(`${tag} naive baselines done in ${naiveOld.wall.toFixed(1)} s (old) and ${naive.wall.toFixed(1)} s`);

  // thidua: issue through issueDirective and the real EventBridge publisher, wait until the stack settles.
  const before = {
    invocations: Object.fromEntries(FUNCTION_IDS.map((id) => [id, stack.functions[id].invocations])) as Record<FunctionId, number>,
    errors: Object.fromEntries(FUNCTION_IDS.map((id) => [id, stack.functions[id].errors])) as Record<FunctionId, number>,
    batches: Object.fromEntries(FUNCTION_IDS.map((id) => [id, stack.pollers[id]?.batches ?? 0])) as Record<FunctionId, number>,
    delivered: stack.bus.delivered,
    deadLettered: stack.bus.deadLettered,
    dlq: (['assignment', 'mail', 'events'] as const).reduce((n, q) => n + stack.deadLetters(q).length, 0),
  };
  const deps = { directives: repo, units: repo, events: eventPublisher(), clock: systemClock };
  load.beforeThidua = loadavg()[0] ?? 0;
  progress(`${tag} thidua: issuing ${directiveId}…`);
  const rec = (recording = new Recording());
  const ticker = setInterval(() => {
    const depth = (name: string) => {
      const q = stack.queues.server.inspectQueue(name);
      return q ? q.messages.ready.length + q.messages.delayed.length + q.messages.inflight.length : 0;
    };
    progress(
      `${tag} ${(rec.elapsedMs() / 1000).toFixed(0).padStart(4)} s · assignments ${rec.itemsByType.get('assignment') ?? 0}/${villages.length}` +
        ` · obligations ${rec.itemsByType.get('obligation') ?? 0}/${villages.length * periods.length} · emails ${rec.emailsSent}/${villages.length}` +
        ` · queued: assignment ${depth(stack.queues.byId.assignment.name)}, mail ${depth(stack.queues.byId.mail.name)}`,
    );
  }, 5_000);
  let error: string | undefined;
  let issued: Awaited<ReturnType<typeof issueDirective>> | undefined;
  try {
    issued = await actorOf.run('issue', () => issueDirective(input, deps));
    await stack.settle(Math.max(180_000, villages.length * 60));
  } catch (e) {
    error = (e as Error).message;
  } finally {
    clearInterval(ticker);
    recording = undefined;
  }
  const wall = rec.elapsedMs() / 1000;
  load.afterThidua = loadavg()[0] ?? 0;
  progress(`${tag} thidua settled in ${wall.toFixed(1)} s${error ? ` with an error: ${error}` : ''}; checking counts…`);

  // Assess: counted outside the recording.
  const directive = issued?.directive ?? (await repo.getDirective(directiveId));
  if (!directive) throw new Error(`${directiveId} was not stored${error ? `: ${error}` : ''}`);
  const memoryAtSettle = { peakRssMb: process.resourceUsage().maxRSS / 1024, heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024 };
  // The bench counts with its own queries; the status reader (what `thidua status` shows) must agree, or it is reported.
  const warnings: string[] = [];
  const crossCheck = (what: string, ours: number, theirs: number) => {
    if (ours !== theirs) warnings.push(`${what}: the status reader (shared/adapters/dynamo/repository.ts) says ${theirs}, the bench counted ${ours}`);
  };
  checks.push(check('target units resolved by issueDirective', villages.length, issued?.targetUnitCount ?? 0));
  const assigned = await sumOverShards(directive.shardCount, (s) => countGsi1(keys.assignmentsOfDirective(directive.id, s), 'active#'));
  checks.push(check('assignments (active)', villages.length, assigned));
  crossCheck('countAssignments().active', assigned, (await repo.countAssignments(directive)).active);
  for (const p of reportingPeriods(directive)) {
    const open = await sumOverShards(directive.shardCount, (s) => countGsi1(keys.obligationsOfDirective(directive.id, p.period.id, s), 'open#'));
    checks.push(check(`obligations open, ${p.period.id}`, villages.length, open));
    crossCheck(`countObligations(${p.period.id}).open`, open, (await repo.countObligations(directive, p.period.id)).open);
  }
  const emails = await countEmails(stack, domain);
  checks.push(check(`emails in the local SES inbox (${emails.source})`, villages.length, emails.mails));
  checks.push(check('distinct recipients', villages.length, emails.recipients));
  const logged = await sumOverShards(MAIL_SHARDS, (s) => countGsi1(keys.mailLogOfDirective(directive.id, s)));
  checks.push(check('mail log records', villages.length, logged));
  crossCheck('countMailSent()', logged, await repo.countMailSent(directive.id));
  for (const w of warnings) progress(`${tag} WARNING ${w}`);
  const dlqAfter = (['assignment', 'mail', 'events'] as const).reduce((n, q) => n + stack.deadLetters(q).length, 0);
  checks.push(check('new dead letters', 0, dlqAfter - before.dlq));
  // Free the in-process SES store for the next scenario (its memory is not the fan-out's).
  await clearSesStore(stack);

  const thidua = summarize(rec, wall, villages.length);
  const naiveSummary = summarize(naive.rec, naive.wall, villages.length);
  const naiveOldSummary = summarize(naiveOld.rec, naiveOld.wall, villages.length);
  const lastAssignmentWrite = thidua.lastRequestAt.assignment ?? wall;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
  const ok = !error && checks.every((c) => c.ok);
  const usage = process.resourceUsage();
  const javaRss = javaPeakRssMb();
  return {
    units: villages.length,
    provinceId,
    directiveId,
    periods: periods.map((p) => p.period.id),
    shardCount: directive.shardCount,
    importSeconds,
    loadAverage1m: load,
    thidua: {
      ...thidua,
      invocations: Object.fromEntries(FUNCTION_IDS.map((id) => [id, stack.functions[id].invocations - before.invocations[id]])) as Record<FunctionId, number>,
      batches: Object.fromEntries(FUNCTION_IDS.filter((id) => stack.pollers[id]).map((id) => [id, (stack.pollers[id]?.batches ?? 0) - before.batches[id]])),
      handlerErrors: Object.fromEntries(FUNCTION_IDS.map((id) => [id, stack.functions[id].errors - before.errors[id]])) as Record<FunctionId, number>,
      bus: { delivered: stack.bus.delivered - before.delivered, deadLettered: stack.bus.deadLettered - before.deadLettered },
    },
    naive: { ...naiveSummary, concurrency: NAIVE_CONCURRENCY },
    naiveOld: { ...naiveOldSummary, concurrency: NAIVE_CONCURRENCY },
    sesCallsPerEmail: { thidua: ratio(thidua.totals.SES, rec.emailsSent), naive: ratio(naiveSummary.totals.SES, naive.rec.emailsSent) },
    ratios: {
      wall: ratio(wall, naive.wall),
      toLastAssignmentWrite: ratio(lastAssignmentWrite, naive.wall),
      dynamodbRequestsPerAssignment: ratio(thidua.perAssignment.dynamodb, naiveSummary.perAssignment.dynamodb),
      sqsRequestsPerAssignment: ratio(thidua.perAssignment.sqs, naiveSummary.perAssignment.sqs),
      allRequestsPerAssignment: ratio(thidua.perAssignment.all, naiveSummary.perAssignment.all),
      wcuPerAssignment: ratio(thidua.perAssignment.wcu, naiveSummary.perAssignment.wcu),
    },
    ratiosToOldNaive: {
      wall: ratio(wall, naiveOld.wall),
      dynamodbRequestsPerAssignment: ratio(thidua.perAssignment.dynamodb, naiveOldSummary.perAssignment.dynamodb),
      allRequestsPerAssignment: ratio(thidua.perAssignment.all, naiveOldSummary.perAssignment.all),
      wcuPerAssignment: ratio(thidua.perAssignment.wcu, naiveOldSummary.perAssignment.wcu),
    },
    checks,
    warnings,
    ok,
    ...(error ? { error } : {}),
    memory: {
      peakRssMbAtSettle: memoryAtSettle.peakRssMb,
      heapUsedMbAtSettle: memoryAtSettle.heapUsedMb,
      peakRssMbAfterChecks: usage.maxRSS / 1024,
      rssMbAfter: process.memoryUsage().rss / 1024 / 1024,
      ...(javaRss ? { dynamoDbLocalPeakRssMb: javaRss } : {}),
    },
  };
}

// ----------------------------------------------------------------------------------- bundles and loads

interface BundleResult {
  fn: FunctionId | '(empty ESM module)';
  bytes: number;
  mapBytes: number;
  /** Bytes each package contributes to the bundle, largest first (esbuild metafile). */
  packages: { name: string; kb: number }[];
  error?: string;
  importMs: number[];
  importMedianMs: number;
  importWithSourceMapsMedianMs: number;
  ratioToEmpty: number;
  ratioToEmptyWithSourceMaps: number;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** The banner infra gives the bundle, read from the construct so the two cannot drift apart. */
function requireShim(): string {
  const src = readFileSync(resolve(PROJECT_ROOT, 'infra/constructs/thidua-function.ts'), 'utf8');
  const m = /const REQUIRE_SHIM\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*');/.exec(src);
  if (!m?.[1]) throw new Error('REQUIRE_SHIM not found in infra/constructs/thidua-function.ts');
  const literal = m[1];
  return literal.startsWith('"') ? (JSON.parse(literal) as string) : literal.slice(1, -1).replace(/\\'/g, "'");
}

async function bundlesAndLoadTimes(): Promise<BundleResult[]> {
  const { build } = await import('esbuild');
  const banner = requireShim();
  const dir = resolve(OUT_DIR, 'bundles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: { fn: BundleResult['fn']; file: string; mapBytes: number; packages: BundleResult['packages'] }[] = [];
  const failed: BundleResult[] = [];
  for (const id of FUNCTION_IDS) {
    const outfile = resolve(dir, id, 'index.mjs');
    const entry = resolve(PROJECT_ROOT, functionSpecs[id].entry);
    // The options of infra/constructs/thidua-function.ts (NodejsFunction bundling): ESM, node24, minified,
    // external source map without sources, the AWS SDK bundled, `require` defined by the banner.
    const built = await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      mainFields: ['module', 'main'],
      banner: { js: banner },
      sourcemap: true,
      sourcesContent: false,
      charset: 'utf8',
      logLevel: 'silent',
      metafile: true,
    }).catch((e: Error) => e);
    if (built instanceof Error) {
      failed.push({ fn: id, bytes: 0, mapBytes: 0, packages: [], importMs: [], importMedianMs: Number.NaN, importWithSourceMapsMedianMs: Number.NaN, ratioToEmpty: Number.NaN, ratioToEmptyWithSourceMaps: Number.NaN, error: built.message.split('\n')[0] ?? 'build failed' });
      progress(`bundle ${id} failed: ${built.message.split('\n').slice(0, 3).join(' ')}`);
      continue;
    }
    const byPackage = new Map<string, number>();
    for (const output of Object.values(built.metafile.outputs)) {
      for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
        const name = m?.[1] ?? '(project code)';
        byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
      }
    }
    const packages = [...byPackage].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => ({ name, kb: bytes / 1024 }));
    files.push({ fn: id, file: outfile, mapBytes: statSync(`${outfile}.map`).size, packages });
  }
  const empty = resolve(dir, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  files.push({ fn: '(empty ESM module)', file: empty, mapBytes: 0, packages: [] });

  const probe = resolve(dir, 'load-probe.mjs');
  writeFileSync(
    probe,
    [
      'const t0 = performance.now();',
      'await import(process.argv[2]);',
      'const t1 = performance.now();',
      'process.stdout.write(JSON.stringify({ importMs: t1 - t0 }));',
      'process.exit(0);',
      '',
    ].join('\n'),
  );
  // What a handler reads at module load; values are dummies, nothing is called. Every variable the catalog
  // names gets a placeholder, so a function added later loads too; the known ones get plausible values.
  const placeholders = Object.fromEntries(
    (Object.values(ENV) as unknown[])
      // An ARN would make a handler fetch a secret over the network; the plain-value variable is enough to load.
      .filter((v): v is string => typeof v === 'string' && !v.endsWith('_ARN'))
      .map((name) => [name, /SECONDS|BYTES|RATE|DAYS/.test(name) ? '1' : /URL$/.test(name) ? 'https://example.invalid/' : `bench-${name.toLowerCase()}`]),
  );
  const env = (sourceMaps: boolean): NodeJS.ProcessEnv => ({
    ...placeholders,
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_OPTIONS: sourceMaps ? '--enable-source-maps' : '',
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    [ENV.table]: 'thidua',
    ...Object.fromEntries(
      (Object.keys(queues) as QueueId[]).flatMap((q) => [
        [ENV.queueUrl(q), `https://sqs.ap-southeast-1.amazonaws.com/000000000000/thidua-${q}`],
        [ENV.dlqUrl(q), `https://sqs.ap-southeast-1.amazonaws.com/000000000000/thidua-${q}-dlq`],
      ]),
    ),
    [ENV.mailFrom]: 'thidua@example.vn',
    [ENV.eventBus]: 'thidua',
    [ENV.sesMaxSendRate]: '14',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_METRICS_NAMESPACE: 'thidua',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const timings = new Map<string, { plain: number[]; maps: number[] }>(files.map((f) => [f.file, { plain: [], maps: [] }]));
  const once = (file: string, sourceMaps: boolean): number => {
    const r = spawnSync(process.execPath, [probe, pathToFileURL(file).href], { env: env(sourceMaps), encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) {
      const why = r.stderr.split('\n').map((l) => l.trim()).find((l) => /^\w*Error\b/.test(l)) ?? r.stderr.trim().slice(-300);
      throw new Error(`cold import failed (exit ${r.status}): ${why}`);
    }
    return (JSON.parse(r.stdout) as { importMs: number }).importMs;
  };
  const loadErrors = new Map<string, string>();
  for (const f of files) {
    try {
      once(f.file, false); // warms the file cache; not counted
    } catch (e) {
      loadErrors.set(f.file, (e as Error).message);
      progress(`loading the ${f.fn} bundle failed: ${(e as Error).message}`);
    }
  }
  // Round robin, so a slow moment of the machine does not land on one bundle only.
  for (let i = 0; i < LOAD_RUNS; i++) {
    for (const f of files) {
      if (loadErrors.has(f.file)) continue;
      const t = timings.get(f.file) as { plain: number[]; maps: number[] };
      t.plain.push(once(f.file, false));
      t.maps.push(once(f.file, true));
    }
  }
  const emptyT = timings.get(empty) as { plain: number[]; maps: number[] };
  const emptyPlain = median(emptyT.plain);
  const emptyMaps = median(emptyT.maps);
  const loaded = files.map((f): BundleResult => {
    const t = timings.get(f.file) as { plain: number[]; maps: number[] };
    const error = loadErrors.get(f.file);
    return {
      fn: f.fn,
      bytes: statSync(f.file).size,
      mapBytes: f.mapBytes,
      packages: f.packages,
      ...(error ? { error } : {}),
      importMs: t.plain,
      importMedianMs: median(t.plain),
      importWithSourceMapsMedianMs: median(t.maps),
      ratioToEmpty: median(t.plain) / emptyPlain,
      ratioToEmptyWithSourceMaps: median(t.maps) / emptyMaps,
    };
  });
  return [...loaded, ...failed];
}

// ---------------------------------------------------------------------------------------------- output

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const n1 = (x: number) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }) : '–');
const n2 = (x: number) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '–');
const n3 = (x: number) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 }) : '–');
const times = (x: number) => (Number.isFinite(x) ? `${n2(x)}×` : '–');

function grid(rows: string[][], align: ('l' | 'r')[]): string[] {
  const widths = align.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ').trimEnd());
}

const ACTOR_ORDER: Actor[] = ['issue', ...FUNCTION_IDS, 'event-source', 'naive', 'other'];
const actorLabel = (a: Actor): string =>
  ({ issue: 'issueDirective (caller)', 'event-source': 'SQS event source (local poller)', naive: 'naive loop', other: 'other' })[a as string] ?? `${a} function`;

function requestLines(summary: RunSummary): string[] {
  const rows: string[][] = [];
  for (const actor of ACTOR_ORDER) {
    const services = summary.requests.byActor[actor];
    if (!services) continue;
    let first = true;
    for (const [service, commands] of Object.entries(services)) {
      for (const [command, count] of Object.entries(commands).sort((a, b) => b[1] - a[1])) {
        rows.push([first ? actorLabel(actor) : '', `${service} ${command}`, n0(count)]);
        first = false;
      }
    }
  }
  return grid(rows, ['l', 'l', 'r']).map((l) => `    ${l}`);
}

function keyLines(s: ScenarioResult): string[] {
  const rows: string[][] = [['', 'partition key', 'writes', 'WCU≈', 'avg writes/s', '% of 1,000 WCU/s', 'peak writes in 1 s']];
  const add = (label: string, list: KeyRow[], count: number) => {
    list.slice(0, count).forEach((k, i) =>
      rows.push([i === 0 ? label : '', k.key, n0(k.writes), n0(k.wcu), n1(k.writesPerSecondOverWall), `${n1(k.percentOfPartitionLimit)}%`, n0(k.peakWritesInOneSecond)]),
    );
  };
  for (const index of INDEXES) add(`thidua ${index}`, s.thidua.hottestKeys[index], 3);
  for (const index of INDEXES) add(`naive ${index}`, s.naive.hottestKeys[index], 1);
  return grid(rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r']).map((l) => `    ${l}`);
}

function table(result: BenchResult): string {
  const out: string[] = [];
  out.push(`thidua fan-out benchmark · node ${result.environment.node} · ${result.environment.cpus} CPUs · ${result.environment.platform}`);
  out.push('Embedded stack in this process: DynamoDB Local (Java child process), fauxqs, local SES, local bus, pollers.');
  out.push('Ratios are thidua / naive baseline, both measured in this run on the same units.');
  for (const s of result.scenarios) {
    const t = s.thidua;
    const b = s.naive;
    out.push('');
    out.push(`== ${n0(s.units)} villages · directive ${s.directiveId} · ${s.periods.length} periods (${s.periods.join(', ')}) · shardCount ${s.shardCount} · ${s.ok ? 'checks OK' : 'CHECKS FAILED'}`);
    out.push(
      `   machine load (1-min average, ${result.environment.cpus} CPUs): ${n2(s.loadAverage1m.beforeNaiveOld)} before the old naive, ${n2(s.loadAverage1m.beforeNaive)} before naive,` +
        ` ${n2(s.loadAverage1m.beforeThidua)} before thidua, ${n2(s.loadAverage1m.afterThidua)} after`,
    );
    if (s.error) out.push(`   error: ${s.error}`);
    const o = s.naiveOld;
    const r0 = s.ratiosToOldNaive;
    const rows: string[][] = [['', 'thidua', 'naive', 'thidua/naive', 'old naive (no email)', 'thidua/old']];
    rows.push(['wall time, issue → settled (s)', n2(t.wallSeconds), n2(b.wallSeconds), times(s.ratios.wall), n2(o.wallSeconds), times(r0.wall)]);
    rows.push(['  last fan-out request at (s)', n2(t.lastRequestAt['fan-out'] ?? Number.NaN), '', '']);
    rows.push(['  last assignment request at (s)', n2(t.lastRequestAt.assignment ?? Number.NaN), n2(b.wallSeconds), times(s.ratios.toLastAssignmentWrite)]);
    rows.push(['  last mail request at (s)', n2(t.lastRequestAt.mail ?? Number.NaN), '', '']);
    const rate = (actor: Actor) => s.units / ((t.lastRequestAt[actor] ?? Number.NaN) - (t.firstRequestAt[actor] ?? Number.NaN));
    rows.push(['assignment stage, units/s (first → last request)', n0(rate('assignment')), n0(s.units / b.wallSeconds), times(rate('assignment') / (s.units / b.wallSeconds))]);
    rows.push(['mail stage, emails/s (first → last request)', n0(rate('mail')), '', '']);
    rows.push(['DynamoDB requests / assignment', n3(t.perAssignment.dynamodb), n3(b.perAssignment.dynamodb), times(s.ratios.dynamodbRequestsPerAssignment), n3(o.perAssignment.dynamodb), times(r0.dynamodbRequestsPerAssignment)]);
    rows.push(['SQS requests / assignment (functions)', n3(t.perAssignment.sqs), n3(b.perAssignment.sqs), times(s.ratios.sqsRequestsPerAssignment), n3(o.perAssignment.sqs), '']);
    rows.push(['SES requests / assignment', n3(t.perAssignment.ses), n3(b.perAssignment.ses), '', n3(o.perAssignment.ses), '']);
    rows.push(['SES requests / email sent', n3(s.sesCallsPerEmail.thidua), n3(s.sesCallsPerEmail.naive), '', '', '']);
    rows.push(['EventBridge requests / assignment', n3(t.perAssignment.eventbridge), n3(b.perAssignment.eventbridge), '']);
    if (t.totals.S3 || b.totals.S3) rows.push(['S3 requests / assignment', n3(t.perAssignment.s3), n3(b.perAssignment.s3), '']);
    rows.push(['all requests / assignment', n3(t.perAssignment.all), n3(b.perAssignment.all), times(s.ratios.allRequestsPerAssignment), n3(o.perAssignment.all), times(r0.allRequestsPerAssignment)]);
    rows.push(['SQS event-source requests / assignment (excluded above)', n3(t.perAssignment.sqsEventSource), '–', '']);
    rows.push(['write units≈ / assignment (base + GSIs)', n2(t.perAssignment.wcu), n2(b.perAssignment.wcu), times(s.ratios.wcuPerAssignment), n2(o.perAssignment.wcu), times(r0.wcuPerAssignment)]);
    rows.push(['read units≈ / assignment', n2(t.perAssignment.rcu), n2(b.perAssignment.rcu), '']);
    out.push(...grid(rows, ['l', 'r', 'r', 'r', 'r', 'r']).map((l) => `  ${l}`));
    const invoked = FUNCTION_IDS.filter((id) => t.invocations[id] > 0 || t.handlerErrors[id] > 0);
    out.push(
      `  Lambda invocations: ${invoked.map((id) => `${id} ${n0(t.invocations[id])}`).join(', ')}` +
        ` · handler errors (retried): ${invoked.map((id) => `${id} ${t.handlerErrors[id]}`).join(', ')}` +
        ` · bus deliveries ${t.bus.delivered}, dead-lettered ${t.bus.deadLettered}`,
    );
    out.push(`  Items written (thidua): ${Object.entries(t.itemsWritten).map(([k, v]) => `${k} ${n0(v)}`).join(', ')}`);
    for (const [who, run] of [['thidua', t], ['naive', b]] as const) {
      out.push(`  Write units≈ / assignment by item (${who}): ${Object.entries(run.wcuPerAssignmentByItem).map(([k, v]) => `${k} ${n2(v)}`).join(', ')}`);
    }
    out.push('  Requests by caller and command (thidua; every HTTP attempt):');
    out.push(...requestLines(t));
    out.push('  Requests by command (naive):');
    out.push(...requestLines(b));
    const errs = Object.entries(t.requests.errors);
    if (errs.length) out.push(`  Failed requests (thidua): ${errs.map(([k, v]) => `${k.replace(/\t/g, ' ')} ${v}`).join('; ')}`);
    out.push(`  Writes per partition key (avg writes/s and % of limit over the run's wall time; WCU≈ from item sizes):`);
    out.push(...keyLines(s));
    out.push(
      `  Memory (this process: stack + handlers + bench; maxRSS is a high-water mark for the whole run): peak RSS at settle ${n0(s.memory.peakRssMbAtSettle)} MB` +
        ` (heap used ${n0(s.memory.heapUsedMbAtSettle)} MB), after the checks ${n0(s.memory.peakRssMbAfterChecks)} MB, RSS now ${n0(s.memory.rssMbAfter)} MB` +
        (s.memory.dynamoDbLocalPeakRssMb ? `; DynamoDB Local JVM peak RSS ${n0(s.memory.dynamoDbLocalPeakRssMb)} MB` : ''),
    );
    out.push(`  Checks: ${s.checks.map((c) => `${c.what} ${n0(c.actual)}/${n0(c.expected)} ${c.ok ? 'ok' : 'FAIL'}`).join(' · ')}`);
    for (const w of s.warnings) out.push(`  WARNING ${w}`);
  }
  if (result.bundles.length) {
    out.push('');
    out.push(`== Function bundles (esbuild as in infra/constructs/thidua-function.ts) and cold module load, median of ${LOAD_RUNS} fresh node processes`);
    const rows: string[][] = [['', 'bundle KB', 'map KB', 'import ms', '× empty', 'import ms --enable-source-maps', '× empty']];
    for (const r of result.bundles) {
      rows.push([r.fn, n1(r.bytes / 1024), n1(r.mapBytes / 1024), n1(r.importMedianMs), times(r.ratioToEmpty), n1(r.importWithSourceMapsMedianMs), times(r.ratioToEmptyWithSourceMaps)]);
    }
    out.push(...grid(rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r']).map((l) => `  ${l}`));
    out.push('  Largest parts of each bundle (KB in the minified output):');
    for (const r of result.bundles) {
      if (r.error) out.push(`    ${r.fn}: ${r.error}`);
      else if (r.packages.length) out.push(`    ${r.fn}: ${r.packages.slice(0, 7).map((p) => `${p.name} ${n0(p.kb)}`).join(', ')}`);
    }
  }
  if (result.bundleError) out.push(`  bundles: ${result.bundleError}`);
  out.push('');
  out.push(`${result.ok ? 'All checks passed.' : 'SOME CHECKS FAILED.'} Startup of the stack: ${n1(result.stackStartSeconds)} s. Total: ${n1(result.totalSeconds)} s. JSON: bench/out/fanout.json`);
  return out.join('\n');
}

// ------------------------------------------------------------------------------------------------ main

interface BenchResult {
  environment: { node: string; cpus: number; platform: string; startedAt: string; units: number[]; naiveConcurrency: number; loadRuns: number };
  stackStartSeconds: number;
  scenarios: ScenarioResult[];
  bundles: BundleResult[];
  bundleError?: string;
  ok: boolean;
  totalSeconds: number;
}

async function main(): Promise<number> {
  const tStart = performance.now();
  mkdirSync(OUT_DIR, { recursive: true });
  if (!process.versions.node.startsWith('24.')) progress(`warning: running on node ${process.versions.node}; the functions target Node 24 (use npm run bench)`);
  const result: BenchResult = {
    environment: {
      node: process.versions.node,
      cpus: availableParallelism(),
      platform: `${process.platform}-${process.arch}`,
      startedAt: new Date().toISOString(),
      units: UNITS,
      naiveConcurrency: NAIVE_CONCURRENCY,
      loadRuns: LOAD_RUNS,
    },
    stackStartSeconds: 0,
    scenarios: [],
    bundles: [],
    ok: true,
    totalSeconds: 0,
  };

  // Bundles first, while nothing else runs on the machine.
  if (BUNDLES) {
    progress(`bundling ${FUNCTION_IDS.join(', ')} and timing cold imports (${LOAD_RUNS} runs each)…`);
    try {
      result.bundles = await bundlesAndLoadTimes();
    } catch (e) {
      result.bundleError = (e as Error).message;
      result.ok = false;
      progress(`bundles failed: ${result.bundleError}`);
    }
  }

  progress('starting the embedded stack…');
  const tStack = performance.now();
  if (DATA_DIR) rmSync(DATA_DIR, { recursive: true, force: true });
  const stack = await startStack({ logLevel: 'SILENT', console: false, log: (m) => progress(`stack: ${m}`), ...(DATA_DIR ? { dataDir: resolve(DATA_DIR) } : {}) });
  result.stackStartSeconds = (performance.now() - tStack) / 1000;
  try {
    instrumentStack(stack);
    for (const [i, units] of UNITS.entries()) {
      try {
        const s = await runScenario(stack, units, i);
        result.scenarios.push(s);
        if (!s.ok) {
          result.ok = false;
          for (const c of s.checks.filter((x) => !x.ok)) progress(`CHECK FAILED [${units}]: ${c.what}: expected ${c.expected}, got ${c.actual}`);
        }
      } catch (e) {
        result.ok = false;
        progress(`scenario ${units} failed: ${(e as Error).stack ?? (e as Error).message}`);
      }
    }
  } finally {
    await stack.stop();
  }
  result.totalSeconds = (performance.now() - tStart) / 1000;
  const file = resolve(OUT_DIR, 'fanout.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(JSON_OUT ? `${JSON.stringify(result)}\n` : `${table(result)}\n`);
  return result.ok && result.scenarios.length === UNITS.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`[bench] failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
