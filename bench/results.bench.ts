/**
 * Period results and leaders' digests (issue #6). Not a timed test: every figure is printed beside a baseline measured
 * in the same run on the same machine, and the ratios are what to read. See bench/README.md.
 *
 *   npx tsx bench/results.bench.ts                       # A: 100 communes × 10 villages; B: the national shape
 *   npx tsx bench/results.bench.ts --json                # one JSON object on stdout
 *   npx tsx bench/results.bench.ts --communes 200 --villages 20 --runs 5
 *
 * Scenario A (measured, on the embedded stack, services only): one province, its communes and villages, a directive
 * issued to the communes, Q1 obligations and accepted reports written straight into the table; then thidua's
 * `computePeriodResults` (GSI1 Queries, one Query per report) against a baseline that reads the table with one
 * filtered Scan and computes the same results with the same code; then `sendDigests` (XLSX to S3, messages on the
 * mail queue; nothing consumes the queue, so no email leaves: the queued messages are the emails that would be sent).
 *
 * Scenario B (planned, the national shape: 34 provinces, 3,321 communes, ~63,600 villages, 10 indicators): seeding
 * that into DynamoDB Local would take longer than the bench should, so (a) `computeResults` and the digests' rendering
 * run in memory on generated inputs of that shape, and (b) the DynamoDB requests and read units the production reads
 * would take are computed from the items' sizes with DynamoDB's read-cost rules, the same rules checked against what
 * DynamoDB Local reported in scenario A. (b) is an extrapolation, and says so in its output.
 *
 * Progress goes to stderr, the table (or the JSON) to stdout; bench/out/results.json is always written.
 * Exit status is 1 if any check fails (unit counts, reporting counts, thidua = baseline results, digests queued).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { functionSpecs } from '../shared/contract/catalog.ts';
import type { MailMessage } from '../events/schemas.ts';
import { unpackMailMessage } from '../events/mail-batch.ts';
import { measureMailStage, mailStageLines } from './mail-stage.ts';
import { PROJECT_ROOT, startStack, TABLE_NAME, type LocalStack } from '../local/stack/stack.ts';
import { aws } from '../shared/adapters/aws.ts';
import { keys } from '../shared/adapters/dynamo/keys.ts';
import { mailQueue, reportStorage, repository, resultsStore } from '../shared/adapters/wiring.ts';
import { sendDigests } from '../shared/app/digests.ts';
import { systemClock, type AssignmentStore, type DirectiveStore, type MailQueue, type ObligationIndex, type ReportLog, type ReportRecord, type ReportStorage, type UnitDirectory } from '../shared/app/ports.ts';
import { computePeriodResults, type ResultsDeps } from '../shared/app/results.ts';
import { assignmentFor, obligationsFor, reportingPeriods, type Assignment, type Obligation } from '../shared/domain/assignment.ts';
import { addWorkingDays } from '../shared/domain/calendar/index.ts';
import { Directive, shardCountFor, type Indicator } from '../shared/domain/directive.ts';
import { computeResults, isFourNo, type PeriodResults, type ResultsInput } from '../shared/domain/results/index.ts';
import { buildPaths, Unit, type UnitLevel, type UnitRow } from '../shared/domain/units.ts';
import { mapLimit } from '../shared/retry.ts';
import { itemOf } from '../shared/adapters/dynamo/items.ts';
import { itemSize, type AV, type AVItem } from './dynamo-size.ts';

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

// ---------------------------------------------------------------------------------------------- options

const { values: opt } = parseArgs({
  options: {
    communes: { type: 'string', default: '100' },
    villages: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    'national-provinces': { type: 'string', default: '34' },
    'national-communes': { type: 'string', default: '3321' },
    'national-villages': { type: 'string', default: '63600' },
    'digest-sample': { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(
    [
      'npx tsx bench/results.bench.ts [--communes 100] [--villages 10] [--runs 3] [--digest-sample 100] [--json]',
      '  --communes, --villages     scenario A: communes in the province, villages per commune',
      '  --runs                     measured runs of each side in scenario A (after one warm-up run each); medians are shown',
      '  --national-provinces, --national-communes, --national-villages   scenario B\'s shape (34, 3321, 63600)',
      '  --digest-sample            scenario B: commune digests rendered in memory (provinces: a tenth of it, at most all)',
      '  --json                     one JSON object on stdout instead of the table',
      '',
    ].join('\n'),
  );
  process.exit(0);
}
const whole = (name: string, v: string | undefined, min: number) => {
  const n = Number(String(v).replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} wants a whole number ≥ ${min}, got "${v}"\n`);
    process.exit(2);
  }
  return n;
};
const A_COMMUNES = whole('communes', opt.communes, 1);
const A_VILLAGES = whole('villages', opt.villages, 1);
const RUNS = whole('runs', opt.runs, 1);
const B_PROVINCES = whole('national-provinces', opt['national-provinces'], 1);
const B_COMMUNES = whole('national-communes', opt['national-communes'], B_PROVINCES);
const B_VILLAGES = whole('national-villages', opt['national-villages'], B_COMMUNES);
const DIGEST_SAMPLE = Math.min(B_COMMUNES, whole('digest-sample', opt['digest-sample'], 1));
const PROVINCE_SAMPLE = Math.min(B_PROVINCES, Math.max(1, Math.round(DIGEST_SAMPLE / 10)));

const OUT_DIR = resolve(PROJECT_ROOT, 'bench/out');
const progress = (m: string) => process.stderr.write(`[results-bench] ${m}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const mib = (bytes: number) => round(bytes / 1048576, 1);
const rssMiB = () => mib(process.memoryUsage().rss);
const maxRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

// ------------------------------------------------------------------------- the directive and its inputs

const SAMPLE = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'local/sample/directive-23-ct-tu-2027.json'), 'utf8')) as { indicators: Indicator[] } & Record<string, unknown>;
/**
 * Ten of the sample directive's fourteen indicators, one of each way of rolling up: plain mean, sum, weighted by
 * households, weighted by population, a count, a yes-no criterion ("all"), and two of the "4 không" counts.
 */
const INDICATOR_IDS = ['thu-quy', 'giao-thong', 'ho-ngheo', 'thon-van-hoa', 'gia-dinh-van-hoa', 'bhyt', 'dang-vien-moi', 'chi-bo-vung-manh', 'khong-toi-pham', 'khong-tai-nan'];
const INDICATORS = INDICATOR_IDS.map((id) => {
  const ind = SAMPLE.indicators.find((i) => i.id === id);
  if (!ind) throw new Error(`The sample directive has no indicator "${id}" (local/sample/directive-23-ct-tu-2027.json changed?)`);
  return ind;
});
const ISSUED_AT = '2026-11-20T02:00:00.000Z';
const PERIOD_ID = '2027-Q1';

function benchDirective(id: string, issuer: Unit, communes: number): Directive {
  // Without the sample's rubric (if it has one): its points may name indicators left out here. The default rubric scores.
  const { rubric: _rubric, ...sample } = SAMPLE;
  return Directive.parse({
    ...sample,
    id,
    issuerId: issuer.id,
    issuerName: `Ban Thường vụ ${issuer.name}`,
    targetUnits: { scope: 'level', level: 'commune' },
    indicators: INDICATORS,
    unitTargets: {},
    version: 1,
    status: 'issued',
    shardCount: shardCountFor(communes),
    contentHash: 'bench',
    updatedAt: ISSUED_AT,
  });
}

/** Deterministic noise in [0, 1). */
function noise(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 2 ** 32;
}

/** A village's reported value: in range for the indicator's kind, a few "4 không" incidents, now and then a "no". */
function valueOf(ind: Indicator, village: number, k: number): number | boolean {
  const r = noise(village, k);
  if (ind.kind === 'yes-no') return r < 0.95;
  if (isFourNo(ind)) return r < 0.03 ? 1 : 0;
  if (ind.kind === 'count') return Math.floor(r * 3);
  if (ind.kind === 'percent') return ind.direction === 'decrease' ? round(r * 6) : round(70 + r * 30);
  return round(r * 0.5);
}

/** Provinces → communes → villages, spread as evenly as the numbers allow; communes and provinces have addresses. */
function hierarchy(prefix: string, provinces: number, communes: number, villages: number): Unit[] {
  const rows: UnitRow[] = [];
  const share = (i: number, total: number, parts: number) => Math.floor(((i + 1) * total) / parts) - Math.floor((i * total) / parts);
  let c = 0;
  let v = 0;
  for (let p = 0; p < provinces; p++) {
    const pid = `${prefix}-p${p}`;
    rows.push({ id: pid, name: `Tỉnh Thử Nghiệm ${p + 1}`, level: 'province', emails: [`vp.p${p}@${prefix}.thidua.local`], leaderEmails: [`bithu.p${p}@${prefix}.thidua.local`] });
    for (let pc = share(p, communes, provinces); pc > 0; pc--, c++) {
      const cid = `${pid}-x${c}`;
      rows.push({ id: cid, name: `Xã Thử Nghiệm ${c + 1}`, level: 'commune', parentId: pid, emails: [`ubnd.x${c}@${prefix}.thidua.local`], leaderEmails: [`chutich.x${c}@${prefix}.thidua.local`] });
      for (let cv = share(c, villages, communes); cv > 0; cv--, v++) {
        const households = 150 + Math.floor(noise(v, 101) * 400);
        rows.push({
          id: `${cid}-t${v}`,
          name: `Thôn ${v + 1}`,
          level: 'village',
          parentId: cid,
          emails: [`thon${v}@${prefix}.thidua.local`],
          leaderEmails: [],
          households,
          population: households * 4 + Math.floor(noise(v, 102) * 90),
        });
      }
    }
  }
  return buildPaths(rows);
}

interface Plan {
  directive: Directive;
  period: ReturnType<typeof reportingPeriods>[number];
  units: Unit[];
  provinces: Unit[];
  communes: Unit[];
  villagesOf: Map<string, Unit[]>;
  assignments: Assignment[];
  obligations: Obligation[];
  reports: ReportRecord[];
  submitted: number;
  onTime: number;
  /** The scheduler's moment: the first working day after the deadline, 07:00 Vietnam time. */
  asOf: Date;
}

/**
 * What the table holds at the period's results: one assignment and one Q1 obligation per commune; nine communes in
 * ten submitted (eight of those on time), each with one accepted report of one row per village, every indicator filled.
 */
function plan(directive: Directive, units: Unit[]): Plan {
  const period = reportingPeriods(directive).find((p) => p.period.id === PERIOD_ID)!;
  const communes = units.filter((u) => u.level === 'commune');
  const villagesOf = new Map<string, Unit[]>();
  for (const u of units) if (u.level === 'village') villagesOf.set(u.parentId!, [...(villagesOf.get(u.parentId!) ?? []), u]);
  const assignments = communes.map((c) => assignmentFor(directive, c, new Date(ISSUED_AT)));
  const obligations: Obligation[] = [];
  const reports: ReportRecord[] = [];
  let submitted = 0;
  let onTime = 0;
  let village = 0;
  communes.forEach((c, i) => {
    const [o] = obligationsFor(directive, c, [period]);
    const villages = villagesOf.get(c.id) ?? [];
    if (i % 10 === 9) {
      obligations.push(o!);
      village += villages.length;
      return;
    }
    const late = i % 10 === 8;
    const submittedAt = new Date(late ? `${addWorkingDays(period.due, 1)}T06:30:00+07:00` : `${period.due}T09:00:00+07:00`).toISOString();
    obligations.push({ ...o!, status: 'submitted', submittedAt, onTime: !late });
    submitted++;
    if (!late) onTime++;
    reports.push({
      directiveId: directive.id,
      periodId: period.period.id,
      unitId: c.id,
      reportKey: `reports/${directive.id}/${period.period.id}/${c.id}/b${i}.xlsx`,
      versionId: `v${i}`,
      receivedAt: submittedAt,
      status: 'accepted',
      format: 'xlsx',
      rows: villages.map((v) => ({ unitId: v.id, name: v.name, values: Object.fromEntries(INDICATORS.map((ind, k) => [ind.id, valueOf(ind, village++, k)])) })),
      notes: [],
      onTime: !late,
      resubmission: false,
    });
  });
  return {
    directive,
    period,
    units,
    provinces: units.filter((u) => u.level === 'province'),
    communes,
    villagesOf,
    assignments,
    obligations,
    reports,
    submitted,
    onTime,
    asOf: new Date(`${addWorkingDays(period.due, 1)}T07:00:00+07:00`),
  };
}

/** The input `computePeriodResults` gives `computeResults` (shared/app/results.ts), built from the plan in memory. */
function resultsInput(p: Plan, units: readonly Unit[] = p.units): ResultsInput {
  return {
    directive: p.directive,
    periodId: p.period.period.id,
    units,
    targets: Object.fromEntries(p.assignments.filter((a) => a.status === 'active').map((a) => [a.unitId, a.targets])),
    obligations: p.obligations,
    reports: p.reports.map((r) => ({ unitId: r.unitId, rows: r.rows as ResultsInput['reports'][number]['rows'] })),
    weights: Object.fromEntries(
      units.filter((u) => u.households !== undefined || u.population !== undefined).map((u) => [u.id, { ...(u.households !== undefined ? { households: u.households } : {}), ...(u.population !== undefined ? { population: u.population } : {}) }]),
    ),
    ...(p.directive.rubric ? { rubric: p.directive.rubric } : {}),
    now: p.asOf.toISOString(),
  };
}

// ----------------------------------------------------------------------------- DynamoDB's size and cost rules

const bytesOf = (item: Record<string, unknown>) => itemSize(marshall(item, { removeUndefinedValues: true }) as unknown as AVItem);

/** The items as DynamoRepository stores them, from the repository's own builders. */
const stored = { ...itemOf, resultsIndex: (d: Directive) => itemOf.resultsIndex(d.id, PERIOD_ID, ISSUED_AT) };

const KB4 = 4096;
const PAGE = 1024 * 1024;
interface Cost {
  requests: number;
  readUnits: number;
  items: number;
  bytes: number;
}
const zero = (): Cost => ({ requests: 0, readUnits: 0, items: 0, bytes: 0 });
const add = (a: Cost, b: Cost): Cost => ({ requests: a.requests + b.requests, readUnits: a.readUnits + b.readUnits, items: a.items + b.items, bytes: a.bytes + b.bytes });
/**
 * One Query (or Scan) and its continuation pages: a page stops at 1 MB of items read; each page costs its bytes rounded
 * up to 4 KB (at least one 4 KB unit), one read unit per 4 KB with ConsistentRead, half without (GSIs are always
 * eventually consistent).
 */
function queryCost(items: readonly number[], consistent: boolean): Cost {
  const f = consistent ? 1 : 0.5;
  const c = zero();
  let page = 0;
  const close = () => {
    c.requests++;
    c.readUnits += Math.max(1, Math.ceil(page / KB4)) * f;
    page = 0;
  };
  for (const b of items) {
    if (page > 0 && page + b > PAGE) close();
    page += b;
    c.items++;
    c.bytes += b;
  }
  close();
  return c;
}
/** GetItem / BatchGetItem: each item rounded up to 4 KB on its own; BatchGetItem takes 100 keys a request. */
function getCost(items: readonly number[], consistent: boolean, perRequest = 1): Cost {
  const f = consistent ? 1 : 0.5;
  return {
    requests: Math.max(1, Math.ceil(items.length / perRequest)),
    readUnits: items.reduce((n, b) => n + Math.max(1, Math.ceil(b / KB4)) * f, 0),
    items: items.length,
    bytes: items.reduce((n, b) => n + b, 0),
  };
}

const CATEGORIES = ['directive (GetItem)', 'issuer/leaders (BatchGetItem)', 'units by level (GSI1 Query)', 'obligations (GSI1 Query)', 'assignments (GSI1 Query)', 'reports (Query, 1 per report)', 'results index (GetItem)', 'Scan'] as const;
type Category = (typeof CATEGORIES)[number];
type Costs = Partial<Record<Category, Cost>>;

/**
 * The reads `computePeriodResults` makes for one issuer (shared/app/results.ts and the repository), modelled from the
 * items' sizes: GetItem of the directive (consistent), BatchGetItem of the issuer, one GSI1 Query per level, one per
 * obligation shard and one per assignment shard, one consistent Query per submitted obligation for its reports.
 * `leaders`: the BatchGetItem of sendDigests, when given.
 */
function modelJob(p: Plan, issuer: Unit, opts: { leaders?: readonly Unit[] } = {}): Costs {
  const under = p.units.filter((u) => issuer.path.every((id, i) => u.path[i] === id));
  const byLevel = (level: UnitLevel) =>
    under
      .filter((u) => u.level === level)
      .map((u) => ({ sk: keys.unitTree(u.path[0]!, u.level, u.path).GSI1SK, bytes: bytesOf(stored.unit(u)) }))
      .sort((a, b) => (a.sk < b.sk ? -1 : 1))
      .map((x) => x.bytes);
  const communeIds = new Set(under.filter((u) => u.level === 'commune').map((u) => u.id));
  const shards = (items: { shard: number; bytes: number }[]) =>
    Array.from({ length: p.directive.shardCount }, (_, s) => queryCost(items.filter((i) => i.shard === s).map((i) => i.bytes), false)).reduce(add, zero());
  const obligations = p.obligations.filter((o) => communeIds.has(o.unitId));
  const costs: Costs = {
    'directive (GetItem)': getCost([bytesOf(stored.directive(p.directive))], true),
    'issuer/leaders (BatchGetItem)': getCost([bytesOf(stored.unit(issuer))], false, 100),
    'units by level (GSI1 Query)': (['province', 'district', 'commune', 'village'] as const).map((l) => queryCost(byLevel(l), false)).reduce(add, zero()),
    'obligations (GSI1 Query)': shards(obligations.map((o) => ({ shard: o.shard, bytes: bytesOf(stored.obligation(o)) }))),
    'assignments (GSI1 Query)': shards(p.assignments.filter((a) => communeIds.has(a.unitId)).map((a) => ({ shard: a.shard, bytes: bytesOf(stored.assignment(a)) }))),
    'reports (Query, 1 per report)': p.reports
      .filter((r) => communeIds.has(r.unitId))
      .map((r) => queryCost([bytesOf(stored.report(r))], true))
      .reduce(add, zero()),
  };
  if (opts.leaders) costs['issuer/leaders (BatchGetItem)'] = getCost(opts.leaders.map((u) => bytesOf(stored.unit(u))), false, 100);
  return costs;
}
const sumCosts = (list: Costs[]): Costs => {
  const out: Costs = {};
  for (const c of list) for (const k of Object.keys(c) as Category[]) out[k] = add(out[k] ?? zero(), c[k]!);
  return out;
};
const total = (c: Costs): Cost => Object.values(c).reduce(add, zero());
/** Every item of the table (what a Scan reads before its filter), in no particular order: units once, each directive's items. */
function tableItemBytes(units: readonly Unit[], plans: readonly Pick<Plan, 'directive' | 'assignments' | 'obligations' | 'reports'>[]): number[] {
  return [
    ...units.map((u) => bytesOf(stored.unit(u))),
    ...plans.flatMap((p) => [
      bytesOf(stored.directive(p.directive)),
      bytesOf(stored.directiveVersion(p.directive)),
      bytesOf(stored.resultsIndex(p.directive)),
      ...p.assignments.map((a) => bytesOf(stored.assignment(a))),
      ...p.obligations.map((o) => bytesOf(stored.obligation(o))),
      ...p.reports.map((r) => bytesOf(stored.report(r))),
    ]),
  ];
}

// ------------------------------------------------------------------------------------------ measuring

interface Tally extends Cost {
  writeUnits: number;
  scanned: number;
}
const tally = (): Tally => ({ ...zero(), writeUnits: 0, scanned: 0 });
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

interface MiddlewareContext {
  commandName?: string;
}
type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
interface Instrumentable {
  middlewareStack: { add(mw: (next: Next, ctx: MiddlewareContext) => Next, opts: Record<string, unknown>): void };
}

const sv = (v: unknown) => (typeof v === 'string' ? v : ((v as AV | undefined)?.S ?? ''));
function categoryOf(command: string, input: Record<string, unknown>): Category | 'writes' | 'other' {
  if (!READS.has(command)) return 'writes';
  if (command === 'Scan') return 'Scan';
  if (command === 'BatchGetItem') return 'issuer/leaders (BatchGetItem)';
  if (command === 'GetItem') {
    const key = input.Key as Record<string, unknown>;
    return sv(key.SK).startsWith('RESULTS#') ? 'results index (GetItem)' : sv(key.PK).startsWith('DIR#') ? 'directive (GetItem)' : 'other';
  }
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  const pk = sv(values[':pk']);
  if (pk.startsWith('TREE#')) return 'units by level (GSI1 Query)';
  if (pk.startsWith('DIRO#')) return 'obligations (GSI1 Query)';
  if (pk.startsWith('DIRA#')) return 'assignments (GSI1 Query)';
  if (sv(values[':prefix']).startsWith('REPORT#')) return 'reports (Query, 1 per report)';
  return 'other';
}

/**
 * DynamoDB: requests, the capacity units DynamoDB Local returns (ReturnConsumedCapacity TOTAL, set on every request),
 * items and bytes read, by what is read. S3: PutObject/GetObject with bytes. SQS: SendMessageBatch with message sizes.
 * Counting sits after the retry middleware, so a retried attempt counts again.
 */
class Meter {
  dynamo = new Map<string, Tally>();
  s3 = { puts: 0, putBytes: 0, xlsxPuts: 0, xlsxBytes: 0, resultsPuts: 0, resultsBytes: 0, gets: 0 };
  sqs = { batches: 0, messages: 0, bytes: 0, maxMessageBytes: 0, maxBatchBytes: 0, batchesOver256KiB: 0 };
  reset(): void {
    this.dynamo = new Map();
    this.s3 = { puts: 0, putBytes: 0, xlsxPuts: 0, xlsxBytes: 0, resultsPuts: 0, resultsBytes: 0, gets: 0 };
    this.sqs = { batches: 0, messages: 0, bytes: 0, maxMessageBytes: 0, maxBatchBytes: 0, batchesOver256KiB: 0 };
  }
  dynamoTotal(): Tally {
    const t = tally();
    for (const x of this.dynamo.values()) for (const k of Object.keys(t) as (keyof Tally)[]) t[k] += x[k];
    return t;
  }
  snapshot() {
    return { dynamo: Object.fromEntries([...this.dynamo].map(([k, v]) => [k, { ...v }])), dynamoTotal: this.dynamoTotal(), s3: { ...this.s3 }, sqs: { ...this.sqs } };
  }
  install(clients: { dynamo: DynamoDBClient; s3: unknown; sqs: unknown }): void {
    const dynamo = clients.dynamo as unknown as Instrumentable;
    dynamo.middlewareStack.add(
      (next) => async (args) => {
        args.input.ReturnConsumedCapacity = 'TOTAL';
        return next(args);
      },
      { step: 'initialize', name: 'resultsBenchCapacity' },
    );
    // After serialisation (the document client's values are marshalled) and after the retry middleware.
    dynamo.middlewareStack.add(
      (next, ctx) => async (args) => {
        const command = String(ctx.commandName ?? '').replace(/Command$/, '');
        const out = await next(args);
        const cat = categoryOf(command, args.input);
        const t = this.dynamo.get(cat) ?? tally();
        this.dynamo.set(cat, t);
        t.requests++;
        const cc = out.output.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
        const units = (Array.isArray(cc) ? cc : cc ? [cc] : []).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
        if (READS.has(command)) t.readUnits += units;
        else t.writeUnits += units;
        const items: AVItem[] =
          command === 'GetItem'
            ? out.output.Item
              ? [out.output.Item as AVItem]
              : []
            : command === 'BatchGetItem'
              ? Object.values((out.output.Responses ?? {}) as Record<string, AVItem[]>).flat()
              : ((out.output.Items ?? []) as AVItem[]);
        if (READS.has(command)) {
          t.items += items.length;
          t.bytes += items.reduce((n, i) => n + itemSize(i), 0);
          t.scanned += Number(out.output.ScannedCount ?? items.length);
        }
        return out;
      },
      { step: 'finalizeRequest', priority: 'low', name: 'resultsBenchDynamo' },
    );
    (clients.s3 as Instrumentable).middlewareStack.add(
      (next, ctx) => async (args) => {
        const out = await next(args);
        const command = String(ctx.commandName ?? '');
        if (command === 'PutObjectCommand') {
          const key = String(args.input.Key ?? '');
          const body = args.input.Body as { length?: number; byteLength?: number } | undefined;
          const size = body?.byteLength ?? body?.length ?? 0;
          this.s3.puts++;
          this.s3.putBytes += size;
          if (key.endsWith('.xlsx')) (this.s3.xlsxPuts++, (this.s3.xlsxBytes += size));
          if (key.startsWith('results/')) (this.s3.resultsPuts++, (this.s3.resultsBytes += size));
        } else if (command === 'GetObjectCommand') this.s3.gets++;
        return out;
      },
      { step: 'initialize', name: 'resultsBenchS3' },
    );
    (clients.sqs as Instrumentable).middlewareStack.add(
      (next, ctx) => async (args) => {
        const out = await next(args);
        if (String(ctx.commandName) === 'SendMessageBatchCommand') {
          const sizes = ((args.input.Entries ?? []) as { MessageBody?: string }[]).map((e) => utf8(e.MessageBody ?? ''));
          const batch = sizes.reduce((a, b) => a + b, 0);
          this.sqs.batches++;
          this.sqs.messages += sizes.length;
          this.sqs.bytes += batch;
          this.sqs.maxMessageBytes = Math.max(this.sqs.maxMessageBytes, ...sizes);
          this.sqs.maxBatchBytes = Math.max(this.sqs.maxBatchBytes, batch);
          if (batch > 256 * 1024) this.sqs.batchesOver256KiB++;
        }
        return out;
      },
      { step: 'initialize', name: 'resultsBenchSqs' },
    );
  }
}

interface Span {
  calls: number;
  busyMs: number;
  first: number;
  last: number;
}
/** Wraps a port so the time in each method (promises and async iterables alike) is recorded: calls, summed time, span. */
function timed<T extends object>(target: T, spans: Map<string, Span>, t0: () => number): T {
  return new Proxy(target, {
    get(t, prop) {
      const v = Reflect.get(t, prop, t) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const start = performance.now();
        const done = () => {
          const end = performance.now();
          const s = spans.get(String(prop)) ?? { calls: 0, busyMs: 0, first: Infinity, last: 0 };
          s.calls++;
          s.busyMs += end - start;
          s.first = Math.min(s.first, start - t0());
          s.last = Math.max(s.last, end - t0());
          spans.set(String(prop), s);
        };
        const out = (v as (...a: unknown[]) => unknown).apply(t, args);
        if (out instanceof Promise) return out.finally(done);
        if (out && typeof out === 'object' && Symbol.asyncIterator in out) {
          return (async function* () {
            try {
              yield* out as AsyncIterable<unknown>;
            } finally {
              done();
            }
          })();
        }
        done();
        return out;
      };
    },
  });
}
const spanRows = (spans: Map<string, Span>) =>
  Object.fromEntries([...spans].map(([k, s]) => [k, { calls: s.calls, busyMs: round(s.busyMs), fromMs: round(s.first), toMs: round(s.last) }]));

// -------------------------------------------------------------------------------- the Scan baseline

const strip = (item: Record<string, unknown>) => {
  const { PK: _pk, SK: _sk, GSI1PK: _a, GSI1SK: _b, GSI2PK: _c, GSI2SK: _d, type: _t, ...rest } = item;
  return rest;
};

/**
 * How a results job is often first written: read the table with one Scan (pages followed one after another),
 * keep the directive's units, assignments, this period's obligations and reports, and compute from that. The same
 * `computePeriodResults` then runs on the snapshot, so both sides produce the same results by construction of the
 * inputs, not of the code: the check compares them.
 */
async function scanSnapshot(directiveId: string, issuerId: string, periodId: string) {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await aws().doc.send(
      new ScanCommand({
        TableName: TABLE_NAME,
        FilterExpression:
          '(#t = :unit AND contains(#path, :issuer)) OR (#t IN (:obl, :rep) AND directiveId = :d AND periodId = :p) OR (#t = :asg AND directiveId = :d) OR (PK = :dpk AND SK = :meta)',
        ExpressionAttributeNames: { '#t': 'type', '#path': 'path' },
        ExpressionAttributeValues: { ':unit': 'unit', ':issuer': issuerId, ':obl': 'obligation', ':rep': 'report', ':asg': 'assignment', ':d': directiveId, ':p': periodId, ':dpk': `DIR#${directiveId}`, ':meta': '#META' },
        ExclusiveStartKey,
      }),
    );
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  items.sort((a, b) => (String(a.SK) < String(b.SK) ? -1 : String(a.SK) > String(b.SK) ? 1 : 0));
  const of = (type: string) => items.filter((i) => i.type === type);
  const directive = of('directive').map((i) => Directive.parse(strip(i)))[0];
  const units = of('unit').map((i) => Unit.parse(strip(i)));
  const unitById = new Map(units.map((u) => [u.id, u]));
  const obligations = of('obligation').map((i) => strip(i) as unknown as Obligation);
  const assignments = of('assignment').map((i) => strip(i) as unknown as Assignment);
  const reports = new Map<string, ReportRecord[]>();
  for (const r of of('report').map((i) => strip(i) as unknown as ReportRecord)) reports.set(r.unitId, [...(reports.get(r.unitId) ?? []), r]);
  const snapshot: {
    directives: Pick<DirectiveStore, 'getDirective'>;
    units: Pick<UnitDirectory, 'getUnits' | 'descendantsAt'>;
    assignments: Pick<AssignmentStore, 'assignmentsOfDirective'>;
    obligations: Pick<ObligationIndex, 'obligationsOfPeriod'>;
    reports: Pick<ReportLog, 'reportsOf'>;
  } = {
    directives: { getDirective: async (id) => (directive?.id === id ? directive : undefined) },
    units: {
      getUnits: async (ids) => new Map(ids.flatMap((id) => (unitById.has(id) ? [[id, unitById.get(id)!] as const] : []))),
      async *descendantsAt(ancestor, level) {
        const found = units.filter((u) => u.level === level && ancestor.path.every((id, i) => u.path[i] === id));
        if (found.length) yield found;
      },
    },
    assignments: {
      async *assignmentsOfDirective() {
        if (assignments.length) yield assignments;
      },
    },
    obligations: { obligationsOfPeriod: async (_d, p) => obligations.filter((o) => o.periodId === p) },
    reports: { reportsOf: async (ref) => reports.get(ref.unitId) ?? [] },
  };
  return { snapshot, scanned: items.length };
}

// ------------------------------------------------------------------------------- digests in memory

/**
 * The real `sendDigests` with in-memory ports: storage and mail queue only count bytes, and the unit directory answers
 * only for `leaders` (sendDigests skips a leader it cannot find), so a sample of the leaders is rendered with the
 * rest of the work (who leads whom, over every unit of the results) done in full.
 */
async function digestsInMemory(results: PeriodResults, directive: Directive, unitById: ReadonlyMap<string, Unit>, leaders: readonly string[]) {
  const xlsx: number[] = [];
  const messages: number[] = [];
  const wanted = new Set(leaders);
  const units = { getUnits: async (ids: readonly string[]) => new Map(ids.filter((id) => wanted.has(id) && unitById.has(id)).map((id) => [id, unitById.get(id)!])) };
  const storage = { put: async (_key: string, bytes: Uint8Array) => void xlsx.push(bytes.length) };
  const mail = { sendAll: async (list: readonly MailMessage[]) => void messages.push(...list.map((m) => utf8(JSON.stringify(m)))) };
  const t0 = performance.now();
  const out = await sendDigests(results, directive, { units: units as unknown as UnitDirectory, storage: storage as unknown as ReportStorage, mail: mail as unknown as MailQueue });
  return { ms: performance.now() - t0, sent: out.sent, xlsx, messages };
}
const stats = (xs: readonly number[]) => ({ n: xs.length, mean: xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0, max: xs.length ? Math.max(...xs) : 0 });

// ------------------------------------------------------------------------------------------- checks

const checks: { name: string; ok: boolean; detail: string }[] = [];
function check(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
  if (!ok) progress(`CHECK FAILED: ${name}: ${detail}`);
}
const nonLeaf = (r: PeriodResults) => new Set(Object.values(r.units).flatMap((u) => (u.parentId && r.units[u.parentId] ? [u.parentId] : []))).size;

// ================================================================================ scenario B, in memory

/** Runs first, before the stack exists, so the process's memory is the computation's (and the modules'). */
async function scenarioBInMemory() {
  progress(`B: generating the national shape: ${B_PROVINCES} provinces, ${B_COMMUNES.toLocaleString('en')} communes, ${B_VILLAGES.toLocaleString('en')} villages, ${INDICATORS.length} indicators…`);
  const rssStart = rssMiB();
  let t = performance.now();
  const units = hierarchy('vn', B_PROVINCES, B_COMMUNES, B_VILLAGES);
  const directive = benchDirective('bench-national-2027', units[0]!, B_COMMUNES);
  const p = plan(directive, units);
  const generateMs = performance.now() - t;
  const input = resultsInput(p);
  // What the repository does to every unit item it reads (repository.ts: `Unit.parse(strip(item))`).
  t = performance.now();
  for (const u of units) Unit.parse(u);
  const unitParseMs = performance.now() - t;

  const measure = async <T>(fn: () => T | Promise<T>) => {
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.memoryUsage();
    let peak = before.rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t0 = performance.now();
    const value = await fn();
    const ms = performance.now() - t0;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, ms, rssBeforeMiB: mib(before.rss), peakRssMiB: mib(peak), heapAfterMiB: mib(process.memoryUsage().heapUsed) };
  };

  progress('B: computeResults (warm-up on scenario A\'s shape, then the national input)…');
  const warmUnits = hierarchy('w', 1, 10, 100);
  const warm = plan(benchDirective('bench-warm', warmUnits[0]!, 10), warmUnits);
  const warmResults = computeResults(resultsInput(warm));
  const first = await measure(() => computeResults(input));
  const results = first.value;
  const json = await measure(() => JSON.stringify(results));
  const jsonBytes = utf8(json.value);
  const parsed = await measure(() => JSON.parse(json.value) as PeriodResults);
  // The next period's computation reads this one back as `previous` and works out every unit's change.
  const withPrevious = await measure(() => computeResults({ ...input, previous: parsed.value }));

  const unitCount = Object.keys(results.units).length;
  check('B: one result per unit', unitCount === units.length, `${unitCount} results for ${units.length} units (${B_PROVINCES} + ${B_COMMUNES} + ${B_VILLAGES})`);
  check('B: one root per province', results.rootIds.length === B_PROVINCES, `${results.rootIds.length} roots`);
  const expected = results.rootIds.reduce((n, id) => n + (results.units[id]?.rates.expected ?? 0), 0);
  const received = results.rootIds.reduce((n, id) => n + (results.units[id]?.rates.received ?? 0), 0);
  check('B: reporting counts', expected === B_COMMUNES && received === p.submitted, `expected ${expected}/${B_COMMUNES}, received ${received}/${p.submitted}`);
  const leaders = nonLeaf(results);
  check('B: digests = non-leaf units', leaders === B_PROVINCES + B_COMMUNES, `${leaders} units with children, ${B_PROVINCES} + ${B_COMMUNES} expected`);
  check('B: no notes', results.notes.length === 0, `${results.notes.length} notes ${[...new Set(results.notes.map((n) => n.code))].join(', ')}`);

  progress(`B: sendDigests in memory on a sample (${PROVINCE_SAMPLE} province and ${DIGEST_SAMPLE} commune digests)…`);
  const unitById = new Map(units.map((u) => [u.id, u]));
  await digestsInMemory(warmResults, warm.directive, new Map(warmUnits.map((u) => [u.id, u])), warmUnits.filter((u) => u.level !== 'village').map((u) => u.id));
  const none = await digestsInMemory(results, directive, unitById, []);
  const provinceSample = p.provinces.filter((_, i) => i % Math.floor(B_PROVINCES / PROVINCE_SAMPLE) === 0).slice(0, PROVINCE_SAMPLE).map((u) => u.id);
  const communeSample = p.communes.filter((_, i) => i % Math.floor(B_COMMUNES / DIGEST_SAMPLE) === 0).slice(0, DIGEST_SAMPLE).map((u) => u.id);
  const prov = await digestsInMemory(results, directive, unitById, provinceSample);
  const comm = await digestsInMemory(results, directive, unitById, communeSample);
  check('B: digest sample rendered', prov.sent === provinceSample.length && comm.sent === communeSample.length, `${prov.sent}/${provinceSample.length} province, ${comm.sent}/${communeSample.length} commune digests`);
  const perProvinceMs = (prov.ms - none.ms) / Math.max(1, prov.sent);
  const perCommuneMs = (comm.ms - none.ms) / Math.max(1, comm.sent);
  const messageStats = { province: stats(prov.messages), commune: stats(comm.messages) };
  const xlsxStats = { province: stats(prov.xlsx), commune: stats(comm.xlsx) };

  // Sizes for the read model need the plan; the plan and results are dropped once this returns.
  const provinceJobs = p.provinces.map((prov) => {
    const communesOf = p.communes.filter((c) => c.parentId === prov.id);
    return { province: prov, communes: communesOf };
  });
  progress('B: modelling the production reads from the items\' sizes…');
  const jobs = provinceJobs.map(({ province, communes }) => {
    const d = { ...directive, id: `bench-national-2027-${province.id}`, issuerId: province.id, shardCount: shardCountFor(communes.length) };
    const ids = new Set(communes.map((c) => c.id));
    const sub: Plan = {
      ...p,
      directive: d,
      units: p.units.filter((u) => u.path[0] === province.id),
      assignments: p.assignments.filter((a) => ids.has(a.unitId)).map((a) => ({ ...a, directiveId: d.id, shard: 0 })),
      obligations: p.obligations.filter((o) => ids.has(o.unitId)).map((o) => ({ ...o, directiveId: d.id, shard: 0 })),
      reports: p.reports.filter((r) => ids.has(r.unitId)).map((r) => ({ ...r, directiveId: d.id, reportKey: r.reportKey.replace(directive.id, d.id) })),
    };
    if (d.shardCount !== 1) throw new Error('bench: a province with more than 250 communes; the model assumes one shard per provincial directive');
    return { sub, province, communes };
  });
  // One provincial job, in memory: what each of the 34 results invocations computes and renders.
  const job0 = jobs[0]!;
  const provinceInput = resultsInput(job0.sub);
  const jobCompute = await measure(() => computeResults(provinceInput));
  const jobLeaders = [job0.province.id, ...job0.communes.map((c) => c.id)];
  const jobDigests = await digestsInMemory(jobCompute.value, job0.sub.directive, unitById, jobLeaders);
  check('B: one province\'s digests', jobDigests.sent === jobLeaders.length && nonLeaf(jobCompute.value) === jobLeaders.length, `${jobDigests.sent} sent, ${nonLeaf(jobCompute.value)} non-leaf, ${jobLeaders.length} expected`);
  const provinceJob = {
    province: job0.province.id,
    communes: job0.communes.length,
    villages: job0.sub.units.filter((u) => u.level === 'village').length,
    computeMs: round(jobCompute.ms),
    jsonMiB: mib(utf8(JSON.stringify(jobCompute.value))),
    digests: jobDigests.sent,
    digestsMs: round(jobDigests.ms),
    perDigestMs: round(jobDigests.ms / Math.max(1, jobDigests.sent), 2),
  };

  const compute = sumCosts(jobs.map((j) => modelJob(j.sub, j.province)));
  // The same shape as one national directive: a unit above the 34 provinces (the hierarchy may repeat a level, so it is
  // a 'province' too), issuing to every commune; the directive then has shardCountFor(3,321) shards.
  const root: Unit = { id: 'vn', name: 'Cả nước', level: 'province', emails: ['vp@vn.thidua.local'], leaderEmails: [], path: ['vn'] };
  const rooted = [root, ...p.units.map((u) => ({ ...u, parentId: u.parentId ?? root.id, path: [root.id, ...u.path] }))];
  const national = { ...p, units: rooted };
  const nationalCompute = modelJob(national, root);
  const nationalDigestsRead = modelJob(national, root, { leaders: rooted.filter((u) => u.level !== 'village') })['issuer/leaders (BatchGetItem)']!;
  const nationalScan = queryCost(tableItemBytes(rooted, [p]), false);
  const digestsRead = sumCosts(jobs.map((j) => ({ 'issuer/leaders (BatchGetItem)': modelJob(j.sub, j.province, { leaders: [j.province, ...j.communes] })['issuer/leaders (BatchGetItem)']! })));
  const tableBytes = tableItemBytes(p.units, jobs.map((j) => j.sub));
  const oneScan = queryCost(tableBytes, false);
  const perItemBytes = {
    unit: stats(p.units.map((u) => bytesOf(stored.unit(u)))),
    obligation: stats(p.obligations.map((o) => bytesOf(stored.obligation(o)))),
    assignment: stats(p.assignments.map((a) => bytesOf(stored.assignment(a)))),
    report: stats(p.reports.map((r) => bytesOf(stored.report(r)))),
  };

  return {
    shape: { provinces: B_PROVINCES, communes: B_COMMUNES, villages: B_VILLAGES, units: units.length, indicators: INDICATORS.length, reportingUnits: p.communes.length, submitted: p.submitted, onTime: p.onTime, villagesPerCommune: round(B_VILLAGES / B_COMMUNES, 2) },
    generateMs: Math.round(generateMs),
    unitParseMs: Math.round(unitParseMs),
    computeResults: {
      wallMs: Math.round(first.ms),
      rssBeforeMiB: first.rssBeforeMiB,
      peakRssMiB: first.peakRssMiB,
      heapAfterMiB: first.heapAfterMiB,
      withPreviousWallMs: Math.round(withPrevious.ms),
      withPreviousPeakRssMiB: withPrevious.peakRssMiB,
      resultsUnits: unitCount,
      notes: results.notes.length,
    },
    json: { bytes: jsonBytes, MiB: mib(jsonBytes), stringifyMs: Math.round(json.ms), parseMs: Math.round(parsed.ms), peakRssMiB: Math.max(json.peakRssMiB, parsed.peakRssMiB) },
    processRss: { startMiB: rssStart, maxRssMiB: maxRssMiB() },
    digests: {
      leaders,
      sample: { provinces: prov.sent, communes: comm.sent },
      fixedMs: round(none.ms),
      perProvinceDigestMs: round(perProvinceMs),
      perCommuneDigestMs: round(perCommuneMs),
      estimatedCpuMs: Math.round(none.ms + B_PROVINCES * perProvinceMs + B_COMMUNES * perCommuneMs),
      messageBytes: messageStats,
      xlsxBytes: xlsxStats,
      estimatedMessageBytes: B_PROVINCES * messageStats.province.mean + B_COMMUNES * messageStats.commune.mean,
      estimatedXlsxBytes: B_PROVINCES * xlsxStats.province.mean + B_COMMUNES * xlsxStats.commune.mean,
      /** Leaders are queued in tree order (a province, then its communes), ten to a SendMessageBatch. */
      estimatedMaxBatchBytes: messageStats.province.max + 9 * messageStats.commune.max,
    },
    provinceJob,
    model: {
      compute,
      digestsRead,
      oneScan,
      tableItems: tableBytes.length,
      tableBytes: tableBytes.reduce((a, b) => a + b, 0),
      perItemBytes,
      jobs: jobs.length,
      national: { shardCount: directive.shardCount, compute: nationalCompute, digestsRead: nationalDigestsRead, scan: nationalScan, digests: rooted.filter((u) => u.level !== 'village').length },
    },
  };
}

// ================================================================================ scenario A, measured

async function scenarioA(stack: LocalStack) {
  const meter = new Meter();
  meter.install(aws());
  const repo = repository();
  const units = hierarchy('ra', 1, A_COMMUNES, A_COMMUNES * A_VILLAGES);
  const issuer = units[0]!;
  const directive = benchDirective('bench-results-2027', issuer, A_COMMUNES);
  const p = plan(directive, units);

  progress(`A: seeding ${units.length.toLocaleString('en')} units, the directive, ${p.assignments.length} assignments, ${p.obligations.length} Q1 obligations (${p.submitted} submitted), ${p.reports.length} accepted reports…`);
  let t = performance.now();
  await repo.putUnits(units);
  const put = await repo.putDirectiveVersion(directive, 0);
  if (put.outcome !== 'written') throw new Error(`bench: the directive was not written (${put.outcome})`);
  await mapLimit(p.assignments, 8, (a) => repo.putAssignmentIfNewer(a));
  await repo.putObligationsOfNewUnits(p.obligations);
  await mapLimit(p.reports, 8, (r) => repo.putReport(r));
  const seedMs = performance.now() - t;
  const seededItems = units.length + 2 + p.assignments.length + p.obligations.length + p.reports.length;

  const results = resultsStore();
  const deps = (spans: Map<string, Span>, t0: () => number): ResultsDeps => {
    const r = timed(repo, spans, t0);
    return { directives: r, units: r, assignments: r, obligations: r, reports: r, results: timed(results, spans, t0), clock: systemClock };
  };

  type Run = { wallMs: number; cost: ReturnType<Meter['snapshot']>; results: PeriodResults; spans: Map<string, Span>; scanMs?: number; scanned?: number };
  const thiduaRun = async (): Promise<Run> => {
    meter.reset();
    const spans = new Map<string, Span>();
    const t0 = performance.now();
    const r = await computePeriodResults(directive.id, PERIOD_ID, deps(spans, () => t0), p.asOf);
    return { wallMs: performance.now() - t0, cost: meter.snapshot(), results: r, spans };
  };
  const baselineRun = async (): Promise<Run> => {
    meter.reset();
    const t0 = performance.now();
    const { snapshot, scanned } = await scanSnapshot(directive.id, issuer.id, PERIOD_ID);
    const scanMs = performance.now() - t0;
    const r = await computePeriodResults(directive.id, PERIOD_ID, { ...snapshot, results, clock: systemClock } as unknown as ResultsDeps, p.asOf);
    return { wallMs: performance.now() - t0, cost: meter.snapshot(), results: r, spans: new Map(), scanMs, scanned };
  };

  progress(`A: computePeriodResults vs the Scan baseline: one warm-up each, then ${RUNS} measured runs each, alternating…`);
  const load = [loadavg()[0]!];
  const cold = await thiduaRun();
  await baselineRun();
  const thidua: Run[] = [];
  const baseline: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(await baselineRun());
    thidua.push(await thiduaRun());
  }
  load.push(loadavg()[0]!);
  const last = thidua.at(-1)!;
  const lastBase = baseline.at(-1)!;
  const r = last.results;

  const unitCount = Object.keys(r.units).length;
  check('A: one result per unit', unitCount === units.length && Object.keys(lastBase.results.units).length === units.length, `thidua ${unitCount}, baseline ${Object.keys(lastBase.results.units).length}, units ${units.length}`);
  const rates = r.units[issuer.id]!.rates;
  check('A: reporting counts', rates.expected === A_COMMUNES && rates.received === p.submitted && rates.onTime === p.onTime, `expected ${rates.expected}/${A_COMMUNES}, received ${rates.received}/${p.submitted}, on time ${rates.onTime}/${p.onTime}`);
  const overdue = Object.values(r.units).filter((u) => u.reporting?.status === 'overdue').length;
  check('A: overdue communes', overdue === A_COMMUNES - p.submitted, `${overdue} overdue, ${A_COMMUNES - p.submitted} expected`);
  check('A: thidua and baseline agree', isDeepStrictEqual(r, lastBase.results), 'the results of computePeriodResults on the Queries and on the Scan snapshot are deep-equal');
  check('A: no notes', r.notes.length === 0, `${r.notes.length} notes ${[...new Set(r.notes.map((n) => n.code))].join(', ')}`);
  const reportQueries = last.cost.dynamo['reports (Query, 1 per report)']?.requests ?? 0;
  check('A: one report Query per submitted commune', reportQueries === p.submitted, `${reportQueries} Queries, ${p.submitted} submitted`);

  // ---- digests: the real sendDigests on the stack (XLSX to S3, messages on the mail queue nobody consumes)
  progress(`A: sendDigests: one warm-up, then ${RUNS} measured runs…`);
  /** The mail queue's messages (nobody consumes it here); each is a batch of up to 50 mails. */
  const queuedBodies = () => {
    const q = stack.queues.server.inspectQueue(stack.queues.byId.mail.name);
    return q ? [...q.messages.ready, ...q.messages.delayed, ...q.messages.inflight.map((i) => i.message)].map((m) => m.body) : [];
  };
  const queued = () => queuedBodies().length;
  const digestRun = async () => {
    meter.reset();
    const spans = new Map<string, Span>();
    const before = queued();
    const t0 = performance.now();
    const out = await sendDigests(r, directive, { units: timed(repo, spans, () => t0), storage: timed(reportStorage(), spans, () => t0), mail: timed(mailQueue(), spans, () => t0) });
    const wallMs = performance.now() - t0;
    const messages = queuedBodies().slice(before);
    const mails = messages.flatMap((b) => unpackMailMessage(JSON.parse(b)).mails);
    return { wallMs, out, queued: messages.length, mails, cost: meter.snapshot(), spans };
  };
  const digestCold = await digestRun();
  const digests: Awaited<ReturnType<typeof digestRun>>[] = [];
  for (let i = 0; i < RUNS; i++) digests.push(await digestRun());
  const d = digests.at(-1)!;
  const leaders = nonLeaf(r);
  check('A: digests sent = non-leaf units', d.out.sent === 1 + A_COMMUNES && leaders === 1 + A_COMMUNES && d.out.withoutAddress.length === 0, `sent ${d.out.sent}, non-leaf ${leaders}, expected ${1 + A_COMMUNES}, without address ${d.out.withoutAddress.length}`);
  check('A: digests on the mail queue', d.mails.length === d.out.sent && new Set(d.mails.map((m) => m.key)).size === d.out.sent && d.cost.sqs.messages === d.queued, `${d.mails.length} mails in ${d.queued} new messages on the queue, ${d.cost.sqs.messages} sent in ${d.cost.sqs.batches} SendMessageBatch`);
  // The digests' emails through the real mail function (attachments read from the bucket), beside the naive sender.
  progress(`A: the ${d.mails.length} digests through the mail function, then the naive sender…`);
  const digestMailStage = await measureMailStage(stack, d.mails, 'packed', 'digests');
  check('A: every digest sent by both', digestMailStage.thidua.sent === d.out.sent && digestMailStage.naive.sent === d.out.sent, `thidua ${digestMailStage.thidua.sent}, naive ${digestMailStage.naive.sent}, expected ${d.out.sent}`);
  check('A: one XLSX per digest', d.cost.s3.xlsxPuts === d.out.sent, `${d.cost.s3.xlsxPuts} XLSX PutObject for ${d.out.sent} digests`);
  load.push(loadavg()[0]!);

  // ---- the same digests' rendering in memory (no I/O), to compare per-digest CPU with scenario B's
  const unitById = new Map(units.map((u) => [u.id, u]));
  const mem = await digestsInMemory(r, directive, unitById, units.filter((u) => u.level !== 'village').map((u) => u.id));
  const memNone = await digestsInMemory(r, directive, unitById, []);

  // ---- the read model on scenario A's own items, beside what DynamoDB Local reported
  const model = modelJob(p, issuer);
  const modelDigests = modelJob(p, issuer, { leaders: units.filter((u) => u.level !== 'village') })['issuer/leaders (BatchGetItem)']!;
  const tableBytes = tableItemBytes(p.units, [p]);
  const scanModel = queryCost(tableBytes, false);

  const side = (runs: Run[]) => {
    const l = runs.at(-1)!;
    return {
      wallMs: round(median(runs.map((x) => x.wallMs))),
      wallMsRuns: runs.map((x) => round(x.wallMs)),
      requests: l.cost.dynamoTotal.requests,
      readUnits: l.cost.dynamoTotal.readUnits,
      writeUnits: l.cost.dynamoTotal.writeUnits,
      itemsRead: l.cost.dynamoTotal.items,
      bytesRead: l.cost.dynamoTotal.bytes,
      byCategory: l.cost.dynamo,
      s3: l.cost.s3,
    };
  };
  const thiduaSide = side(thidua);
  const baseSide = { ...side(baseline), scanMs: round(median(baseline.map((x) => x.scanMs ?? 0))), itemsScanned: lastBase.cost.dynamo.Scan?.scanned ?? 0, itemsKept: lastBase.scanned ?? 0 };
  const dSide = {
    wallMs: round(median(digests.map((x) => x.wallMs))),
    wallMsRuns: digests.map((x) => round(x.wallMs)),
    coldMs: round(digestCold.wallMs),
    sent: d.out.sent,
    withoutAddress: d.out.withoutAddress.length,
    queued: d.queued,
    emails: d.mails.length,
    mailStage: digestMailStage,
    s3: d.cost.s3,
    sqs: d.cost.sqs,
    dynamo: d.cost.dynamo,
    spans: spanRows(d.spans),
    perDigestMs: round(median(digests.map((x) => x.wallMs)) / d.out.sent, 2),
    putObjectMsEach: round((d.spans.get('put')?.busyMs ?? 0) / Math.max(1, d.spans.get('put')?.calls ?? 1), 2),
    inMemory: { ms: round(mem.ms), fixedMs: round(memNone.ms), perDigestMs: round((mem.ms - memNone.ms) / Math.max(1, mem.sent), 2), messageBytes: stats(mem.messages), xlsxBytes: stats(mem.xlsx) },
  };
  return {
    shape: { provinces: 1, communes: A_COMMUNES, villages: A_COMMUNES * A_VILLAGES, units: units.length, indicators: INDICATORS.length, submitted: p.submitted, onTime: p.onTime, reports: p.reports.length },
    seed: { ms: Math.round(seedMs), items: seededItems },
    tableItems: tableBytes.length,
    tableMiB: round(tableBytes.reduce((x, y) => x + y, 0) / 1048576, 3),
    /** Table size at which one eventually consistent Scan (½ unit per 4 KB) costs what thidua's reads cost. */
    breakEvenMiB: round((thiduaSide.readUnits * 8192) / 1048576, 2),
    loadavg1m: load.map((x) => round(x, 2)),
    results: {
      thidua: { ...thiduaSide, coldMs: round(cold.wallMs), spans: spanRows(last.spans) },
      baseline: baseSide,
      ratio: {
        wall: round(thiduaSide.wallMs / baseSide.wallMs, 3),
        readUnits: round(thiduaSide.readUnits / baseSide.readUnits, 3),
        requests: round(thiduaSide.requests / baseSide.requests, 3),
      },
      resultsJsonBytes: utf8(JSON.stringify(r)),
    },
    digests: dSide,
    model: { compute: model, digestsRead: modelDigests, scan: scanModel, perItemBytes: { report: stats(p.reports.map((x) => bytesOf(stored.report(x)))) } },
  };
}

// ========================================================================================= main

const startedAt = new Date();
const loadAtStart = round(loadavg()[0]!, 2);
const B = await scenarioBInMemory();
progress('Starting the embedded stack (services only)…');
const stack = await startStack({ logLevel: 'SILENT', runFunctions: false, console: false, log: () => undefined });
let A: Awaited<ReturnType<typeof scenarioA>>;
try {
  A = await scenarioA(stack);
} finally {
  await stack.stop();
}

// ---- B (b): the production reads at the national shape, extrapolated
const cdk = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
const sesRate = Number(cdk.context?.['thidua:sesMaxSendRate'] ?? 14);
const spec = functionSpecs.results;
const measuredA = A.results.thidua.byCategory;
const perItemFromA = (cat: Category, itemsB: number) => {
  const m = measuredA[cat];
  return m && m.items ? round((m.readUnits / m.items) * itemsB, 1) : null;
};
const readRows = CATEGORIES.filter((c) => c !== 'Scan' && c !== 'results index (GetItem)').map((cat) => {
  const m = measuredA[cat];
  const modelA = A.model.compute[cat];
  const b = B.model.compute[cat] ?? zero();
  return {
    category: cat,
    A: { requests: m?.requests ?? 0, items: m?.items ?? 0, readUnitsMeasured: m?.readUnits ?? 0, readUnitsModel: modelA?.readUnits ?? 0 },
    B: { requests: b.requests, items: b.items, readUnits: b.readUnits, readUnitsPerItemFromA: perItemFromA(cat, b.items) },
    national: { requests: B.model.national.compute[cat]?.requests ?? 0, readUnits: B.model.national.compute[cat]?.readUnits ?? 0 },
  };
});
const totalA = { requests: readRows.reduce((n, x) => n + x.A.requests, 0), readUnitsMeasured: readRows.reduce((n, x) => n + x.A.readUnitsMeasured, 0), readUnitsModel: readRows.reduce((n, x) => n + x.A.readUnitsModel, 0) };
const totalB = total(B.model.compute);
const nationalB = total(B.model.national.compute);
const emailsB = B.digests.leaders;
const scanB = { perJob: B.model.oneScan, jobs: B.model.jobs, requests: B.model.oneScan.requests * B.model.jobs, readUnits: B.model.oneScan.readUnits * B.model.jobs };
const extrapolation = {
  note: 'Extrapolated, not measured: DynamoDB read-cost rules applied to the sizes of the items the national shape would store; the same rules are compared with DynamoDB Local\'s reported capacity on scenario A (readUnitsModel vs readUnitsMeasured).',
  formula: [
    'Query page (≤ 1 MB of items): max(1, ⌈Σ item bytes / 4 KB⌉) × ½ (GSI1, eventually consistent) or × 1 (ConsistentRead: reportsOf, GetItem of the directive)',
    'BatchGetItem (eventually consistent): Σ max(1, ⌈item bytes / 4 KB⌉) × ½, 100 keys a request',
    `per provincial job (${B.model.jobs} jobs, one per province, the directive issued to its communes, 1 shard each): 1 GetItem + 1 BatchGetItem + 4 GSI1 Queries (one per level) + 1 obligations Query + 1 assignments Query + 1 Query per submitted commune`,
    `national = Σ over the ${B.model.jobs} jobs; "per item from A" = A's measured read units ÷ A's items read × B's items (too low for reports: a national report item has ~19 rows, A's 10)`,
  ],
  rows: readRows,
  totalA,
  totalB: { requests: totalB.requests, readUnits: totalB.readUnits, items: totalB.items, bytes: totalB.bytes },
  digestsRead: B.model.digestsRead['issuer/leaders (BatchGetItem)'],
  scanBaseline: {
    note: `the naive job scans the whole table (every province's items) once per province: ${B.model.jobs} × ⌈table / 1 MB⌉ requests, ${B.model.jobs} × Σ pages ⌈page bytes / 4 KB⌉ × ½ read units`,
    tableItems: B.model.tableItems,
    tableMiB: mib(B.model.tableBytes),
    ...scanB,
    ratio: { readUnits: round(totalB.readUnits / scanB.readUnits, 4), requests: round(totalB.requests / scanB.requests, 3) },
  },
  nationalJob: {
    note: `one national directive instead: a unit above the provinces issues to all ${B_COMMUNES} communes (${B.model.national.shardCount} shards); the Scan baseline then scans the table once`,
    requests: nationalB.requests,
    readUnits: nationalB.readUnits,
    digestsRead: B.model.national.digestsRead,
    digests: B.model.national.digests,
    scan: B.model.national.scan,
    ratio: { readUnits: round(nationalB.readUnits / B.model.national.scan.readUnits, 3), requests: round(nationalB.requests / B.model.national.scan.requests, 2) },
  },
  scanModelCheckOnA: { measured: A.results.baseline.byCategory.Scan?.readUnits ?? 0, model: A.model.scan.readUnits },
  emails: {
    digests: emailsB,
    note: `one digest per non-leaf unit (${B_PROVINCES} provinces + ${B_COMMUNES} communes), each with an address; a national issuer above the provinces would add one`,
    mailStageSeconds: Math.round(emailsB / sesRate),
    sesMaxSendRate: sesRate,
    s3PutObject: emailsB,
    sqsSendMessageBatch: Math.ceil(emailsB / 10),
  },
};

const result = {
  environment: { node: process.versions.node, cpus: availableParallelism(), platform: `${process.platform}-${process.arch}`, startedAt: startedAt.toISOString(), totalSeconds: round((Date.now() - startedAt.getTime()) / 1000), loadavg1mAtStart: loadAtStart },
  options: { communes: A_COMMUNES, villagesPerCommune: A_VILLAGES, runs: RUNS, national: { provinces: B_PROVINCES, communes: B_COMMUNES, villages: B_VILLAGES }, digestSample: { provinces: PROVINCE_SAMPLE, communes: DIGEST_SAMPLE }, indicators: INDICATOR_IDS },
  resultsFunction: { timeoutSeconds: spec.timeoutSeconds, memoryMb: spec.memoryMb },
  scenarioA: A,
  scenarioB: { ...B, model: undefined, extrapolation },
  checks,
  ok: checks.every((c) => c.ok),
  maxRssMiB: maxRssMiB(),
};
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(resolve(OUT_DIR, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);

// ------------------------------------------------------------------------------------------- the table

const n = (x: number, d = 0) => x.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d });
const col = (s: string | number, w: number) => String(s).padStart(w);
function table(): string {
  const L: string[] = [];
  const a = A.results;
  L.push(`thidua results bench · Node ${result.environment.node} · ${result.environment.cpus} CPUs · ${result.environment.totalSeconds} s · 1-min load ${[loadAtStart, ...A.loadavg1m].join(' → ')} (start, A's runs, after the digests)`);
  L.push('');
  L.push(`A. MEASURED: 1 province, ${n(A_COMMUNES)} communes × ${A_VILLAGES} villages (${n(A.shape.units)} units), ${INDICATORS.length} indicators, ${PERIOD_ID}`);
  L.push(`   ${A.shape.submitted} communes submitted (${A.shape.onTime} on time), ${A.shape.reports} accepted reports; ${n(A.seed.items)} items seeded in ${n(A.seed.ms)} ms; ${RUNS} runs each after a warm-up, medians`);
  L.push('');
  L.push(`   computePeriodResults               ${'wall ms'.padStart(9)} ${'requests'.padStart(9)} ${'read units'.padStart(11)} ${'items read'.padStart(11)} ${'KiB read'.padStart(9)}`);
  const row = (name: string, s: { wallMs: number; requests: number; readUnits: number; itemsRead: number; bytesRead: number }) =>
    `   ${name.padEnd(34)} ${col(n(s.wallMs, 1), 9)} ${col(n(s.requests), 9)} ${col(n(s.readUnits, 1), 11)} ${col(n(s.itemsRead), 11)} ${col(n(s.bytesRead / 1024), 9)}`;
  L.push(row('thidua (Query + 1 Query per report)', a.thidua));
  L.push(row('baseline (filtered Scan, same code)', a.baseline));
  L.push(`   ratio thidua / baseline: wall ${a.ratio.wall} · read units ${a.ratio.readUnits} · requests ${a.ratio.requests}`);
  L.push(`   thidua first (cold) call ${n(a.thidua.coldMs, 1)} ms; runs ${a.thidua.wallMsRuns.join(', ')} ms · baseline runs ${a.baseline.wallMsRuns.join(', ')} ms (Scan alone ${a.baseline.scanMs} ms, ${n(a.baseline.itemsScanned)} items scanned, ${n(a.baseline.itemsKept)} kept)`);
  L.push(`   both: 1 PutObject of the results JSON (${n(a.resultsJsonBytes / 1024)} KiB) + 1 PutItem (results index); writes ${a.thidua.writeUnits} WCU`);
  L.push('');
  L.push(`   thidua's reads by kind           ${'requests'.padStart(9)} ${'items'.padStart(7)} ${'RU measured'.padStart(12)} ${'RU model'.padStart(9)}`);
  for (const r of readRows) L.push(`   ${r.category.padEnd(32)} ${col(r.A.requests, 9)} ${col(r.A.items, 7)} ${col(n(r.A.readUnitsMeasured, 1), 12)} ${col(n(r.A.readUnitsModel, 1), 9)}`);
  L.push(`   ${'total'.padEnd(32)} ${col(totalA.requests, 9)} ${''.padStart(7)} ${col(n(totalA.readUnitsMeasured, 1), 12)} ${col(n(totalA.readUnitsModel, 1), 9)}`);
  L.push('   (the model charges an empty page one 4 KB unit; DynamoDB Local charged the empty district-level Query nothing)');
  L.push(`   Scan baseline: measured ${n(extrapolation.scanModelCheckOnA.measured, 1)} RU, model ${n(extrapolation.scanModelCheckOnA.model, 1)} RU over ${n(A.tableItems)} table items (${n(A.tableMiB, 2)} MiB)`);
  L.push(`   break-even: the Scan reads fewer units while the whole table is under ≈ ${n(a.thidua.readUnits)} RU × 8 KiB = ${n(A.breakEvenMiB, 1)} MiB; here it holds one province and one directive's Q1`);
  L.push('   where thidua\'s time goes (last run; spans overlap where calls run in parallel):');
  for (const [k, s] of Object.entries(a.thidua.spans)) L.push(`     ${k.padEnd(24)} ${col(s.calls, 4)} calls  ${col(n(s.busyMs, 1), 8)} ms busy  ${col(n(s.fromMs, 1), 7)} → ${n(s.toMs, 1)} ms`);
  L.push('');
  const dg = A.digests;
  L.push(`   sendDigests: ${dg.sent} digests (province + ${A_COMMUNES} communes) in ${n(dg.wallMs, 1)} ms (${dg.perDigestMs} ms each; cold ${n(dg.coldMs, 1)} ms; runs ${dg.wallMsRuns.join(', ')})`);
  L.push(`     emails queued ${dg.emails} in ${dg.queued} messages (mail queue, nobody consuming) in ${dg.sqs.batches} SendMessageBatch; messages ${n(dg.sqs.bytes / 1024)} KiB, largest ${n(dg.sqs.maxMessageBytes / 1024, 1)} KiB, largest batch ${n(dg.sqs.maxBatchBytes / 1024, 1)} KiB (${dg.sqs.batchesOver256KiB} batches over 256 KiB)`);
  for (const line of mailStageLines(dg.mailStage, 'digests')) L.push(`     ${line}`);
  L.push(`     S3: ${dg.s3.xlsxPuts} XLSX PutObject, ${n(dg.s3.xlsxBytes / 1024)} KiB (${dg.putObjectMsEach} ms each, one after another); DynamoDB: ${Object.values(dg.dynamo).reduce((x, t) => x + t.requests, 0)} BatchGetItem, ${Object.values(dg.dynamo).reduce((x, t) => x + t.readUnits, 0)} RU (model ${A.model.digestsRead.readUnits})`);
  for (const [k, s] of Object.entries(dg.spans)) L.push(`     ${k.padEnd(24)} ${col(s.calls, 4)} calls  ${col(n(s.busyMs, 1), 8)} ms busy`);
  L.push(`     rendering alone, in memory: ${dg.inMemory.perDigestMs} ms a digest (email HTML+text and XLSX), ${n(dg.inMemory.fixedMs, 1)} ms fixed`);
  L.push('');
  const b = B;
  L.push(`B. NATIONAL SHAPE: ${b.shape.provinces} provinces, ${n(b.shape.communes)} communes, ${n(b.shape.villages)} villages (${b.shape.villagesPerCommune} a commune), ${n(b.shape.units)} units, ${INDICATORS.length} indicators`);
  L.push(`   ${n(b.shape.submitted)} communes submitted (${n(b.shape.onTime)} on time)`);
  L.push('   (a) in memory, measured (the whole shape as one results object, 34 roots; then one province as its own job):');
  L.push(`     computeResults                 ${col(n(b.computeResults.wallMs), 7)} ms   RSS ${b.computeResults.rssBeforeMiB} → peak ${b.computeResults.peakRssMiB} MiB, heap after ${b.computeResults.heapAfterMiB} MiB`);
  L.push(`     computeResults with previous   ${col(n(b.computeResults.withPreviousWallMs), 7)} ms   peak RSS ${b.computeResults.withPreviousPeakRssMiB} MiB (the next period: change vs this one)`);
  L.push(`     results JSON                   ${col(n(b.json.MiB, 1), 7)} MiB  stringify ${n(b.json.stringifyMs)} ms, parse ${n(b.json.parseMs)} ms (S3 put now; S3 get + parse as the next period's previous)`);
  L.push(`     Unit.parse of every unit       ${col(n(b.unitParseMs), 7)} ms   (what descendantsAt does per item read)`);
  L.push(`     sendDigests on those results   ${b.digests.perProvinceDigestMs} ms a province digest, ${b.digests.perCommuneDigestMs} ms a commune digest (sample ${b.digests.sample.provinces} + ${b.digests.sample.communes}), ${n(b.digests.fixedMs)} ms fixed, rendering only (no I/O)`);
  L.push(`       → all ${n(b.digests.leaders)} digests from one results object ≈ ${n(b.digests.estimatedCpuMs / 1000, 1)} s CPU; a commune digest costs ×${round(b.digests.perCommuneDigestMs / Math.max(0.01, A.digests.inMemory.perDigestMs), 1)} scenario A's (${A.digests.inMemory.perDigestMs} ms): each digest walks every unit`);
  L.push(`       messages ≈ ${n(b.digests.estimatedMessageBytes / 1048576, 1)} MiB (province ${n(b.digests.messageBytes.province.max / 1024, 1)} KiB max, commune ${n(b.digests.messageBytes.commune.mean / 1024, 1)} KiB mean); largest batch of 10 ≈ ${n(b.digests.estimatedMaxBatchBytes / 1024)} KiB; XLSX ≈ ${n(b.digests.estimatedXlsxBytes / 1048576, 1)} MiB`);
  const pj = b.provinceJob;
  L.push(`     one provincial job (${pj.communes} communes, ${n(pj.villages)} villages): computeResults ${n(pj.computeMs, 1)} ms, results JSON ${pj.jsonMiB} MiB; its ${pj.digests} digests rendered in ${n(pj.digestsMs)} ms (${pj.perDigestMs} ms each)`);
  L.push(`       → ${B_PROVINCES} provincial jobs ≈ ${n((B_PROVINCES * (pj.computeMs + pj.digestsMs)) / 1000, 1)} s CPU in all, ${n((pj.computeMs + pj.digestsMs) / 1000, 1)} s each`);
  L.push(`     process max RSS after (a): ${b.processRss.maxRssMiB} MiB (results function: ${spec.memoryMb} MB, ${spec.timeoutSeconds} s)`);
  L.push('   (b) production reads, EXTRAPOLATED (not measured): read-cost rules on the national items\' sizes; one job per province (a provincial');
  L.push('       directive such as 23-CT/TU, each province its own tree), and beside it one national directive over the same shape');
  for (const f of extrapolation.formula) L.push(`       ${f}`);
  L.push(`       ${''.padEnd(32)} ${`${B.model.jobs} provincial jobs`.padStart(51)} ${'1 national job'.padStart(21)}`);
  L.push(`       ${'kind'.padEnd(32)} ${'requests'.padStart(9)} ${'items'.padStart(8)} ${'RU (model)'.padStart(11)} ${'RU (per item from A)'.padStart(21)} ${'requests'.padStart(9)} ${'RU'.padStart(11)}`);
  for (const r of readRows)
    L.push(
      `       ${r.category.padEnd(32)} ${col(n(r.B.requests), 9)} ${col(n(r.B.items), 8)} ${col(n(r.B.readUnits, 1), 11)} ${col(r.B.readUnitsPerItemFromA === null ? '–' : n(r.B.readUnitsPerItemFromA, 1), 21)} ${col(n(r.national.requests), 9)} ${col(n(r.national.readUnits, 1), 11)}`,
    );
  L.push(`       ${'total computePeriodResults'.padEnd(32)} ${col(n(totalB.requests), 9)} ${col(n(totalB.items), 8)} ${col(n(totalB.readUnits, 1), 11)} ${''.padStart(21)} ${col(n(nationalB.requests), 9)} ${col(n(nationalB.readUnits, 1), 11)}`);
  L.push(`       report items: ${b.model.perItemBytes.report.mean} B mean, ${b.model.perItemBytes.report.max} B max (A: ${A.model.perItemBytes.report.mean} B); units ${b.model.perItemBytes.unit.mean} B, obligations ${b.model.perItemBytes.obligation.mean} B, assignments ${b.model.perItemBytes.assignment.mean} B`);
  const nj = extrapolation.nationalJob;
  L.push(`       sendDigests reads: ${n(extrapolation.digestsRead?.requests ?? 0)} BatchGetItem, ${n(extrapolation.digestsRead?.readUnits ?? 0, 1)} RU (national job: ${n(nj.digestsRead.requests)}, ${n(nj.digestsRead.readUnits, 1)} RU)`);
  L.push(`       Scan baseline: ${n(extrapolation.scanBaseline.tableItems)} items, ${extrapolation.scanBaseline.tableMiB} MiB in the table (units, directives, assignments, Q1 obligations and reports only)`);
  L.push(`         ${scanB.jobs} provincial jobs sharing one table, each scanning all of it: ${scanB.jobs} × ${n(scanB.perJob.requests)} requests, ${n(scanB.perJob.readUnits, 1)} RU = ${n(scanB.requests)} requests, ${n(scanB.readUnits, 1)} RU → thidua / baseline: read units ${extrapolation.scanBaseline.ratio.readUnits}, requests ${extrapolation.scanBaseline.ratio.requests}`);
  L.push(`         1 national job, one Scan: ${n(nj.scan.requests)} requests, ${n(nj.scan.readUnits, 1)} RU → thidua / baseline: read units ${nj.ratio.readUnits}, requests ${nj.ratio.requests}`);
  L.push(`     digests = emails: ${n(emailsB)} (${B_PROVINCES} provinces + ${n(B_COMMUNES)} communes; ${n(nj.digests)} with a national issuer), as many XLSX PutObject, ${n(extrapolation.emails.sqsSendMessageBatch)} SendMessageBatch; sending at ${sesRate}/s (cdk.json) takes ≈ ${n(extrapolation.emails.mailStageSeconds)} s`);
  L.push('');
  L.push(`CHECKS ${checks.filter((c) => c.ok).length}/${checks.length} passed${checks.some((c) => !c.ok) ? ':' : ''}`);
  for (const c of checks) if (!c.ok) L.push(`   FAILED ${c.name}: ${c.detail}`);
  L.push(`process max RSS ${result.maxRssMiB} MiB · written to bench/out/results.json`);
  return L.join('\n') + '\n';
}

process.stdout.write(opt.json ? `${JSON.stringify(result, null, 2)}\n` : table());
if (!result.ok) process.exitCode = 1;
