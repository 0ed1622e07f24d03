/**
 * The console's status page (issue 12): DynamoDB requests (by command) and read capacity units per page view of a
 * directive's status page, and the server's time per page view against the same page rendered from the same data
 * already in memory, in the same run on the same machine (the ratio is what to read). See bench/README.md.
 *
 *   npm run bench:console                  # A: a province of 100 communes / 1,000 villages; B: the national shape
 *   npm run bench:console -- --json        # one JSON object on stdout
 *   npm run bench:console -- --runs 9 --national-villages 0
 *
 * Both shapes are seeded into DynamoDB Local (in memory): units, one directive issued to every commune, its quarter I
 * obligations (60 % on time, 10 % late, 10 % with a refused file, 20 % overdue), the verdicts of their files and the
 * intake's records of them (an accepted file's rows, one per village; a refused file's problem). A page
 * view is one GET through the console's Hono app (the same app the Lambda and the local server serve), signed in as
 * the issuing office (a token verifier that accepts the bench's cookie; the person is read from the table as always).
 * The baseline serves the same request from the same app with the ports answered from memory: the difference is the
 * table's reads. Counting sits after the SDK's retry middleware, so a retried request counts again.
 *
 * Progress goes to stderr, the table (or JSON) to stdout; bench/out/console.json is always written.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createConsoleApp } from '../functions/console/app.ts';
import type { ConsoleDeps } from '../functions/console/context.ts';
import { ensureTable, startDynamo } from '../local/stack/dynamodb.ts';
import { PROJECT_ROOT } from '../local/stack/stack.ts';
import { batchPut } from '../shared/adapters/dynamo/batch.ts';
import { itemOf } from '../shared/adapters/dynamo/items.ts';
import { DynamoRepository } from '../shared/adapters/dynamo/repository.ts';
import type { ReportRecord, UploadOutcome } from '../shared/app/ports.ts';
import type { Person } from '../shared/domain/access.ts';
import { obligationsFor, reportingPeriods, type Obligation } from '../shared/domain/assignment.ts';
import { Directive, DirectiveInput, shardCountFor } from '../shared/domain/directive.ts';
import { buildPaths, type Unit, type UnitLevel, type UnitRow } from '../shared/domain/units.ts';
import { mapLimit } from '../shared/retry.ts';
import { statusRoutes } from '../functions/console/routes/status.ts';

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    'province-communes': { type: 'string', default: '100' },
    'province-villages': { type: 'string', default: '1000' },
    'national-provinces': { type: 'string', default: '34' },
    'national-communes': { type: 'string', default: '3321' },
    'national-villages': { type: 'string', default: '63600' },
  },
});
const RUNS = Number(opt.runs);
const progress = (m: string) => process.stderr.write(`${m}\n`);
const PERIOD = '2027-Q1';
const NOW = new Date('2027-03-23T02:00:00Z'); // Tuesday after the deadline (Friday 19/03/2027)
const OFFICE = (root: string) => `vp@${root}.bench.vn`;

// ---- shapes

/** `provinces` provinces (under a national root when more than one) over `communes` communes and `villages` villages. */
function shape(root: string, provinces: number, communes: number, villages: number): UnitRow[] {
  const rows: UnitRow[] = [];
  const national = provinces > 1;
  // The hierarchy may repeat a level: the national root is a 'province' above the provinces (as bench/results does).
  if (national) rows.push({ id: root, name: 'Toàn quốc', level: 'province', emails: [OFFICE(root)], leaderEmails: [] });
  const provinceIds = national ? Array.from({ length: provinces }, (_, p) => `${root}-p${p}`) : [root];
  provinceIds.forEach((id, p) => rows.push({ id, name: `Tỉnh ${p + 1}`, level: 'province', ...(national ? { parentId: root } : {}), emails: [OFFICE(id)], leaderEmails: [] }));
  for (let c = 0; c < communes; c++) {
    const province = provinceIds[c % provinceIds.length]!;
    const id = `${province}-x${c}`;
    rows.push({ id, name: `Xã ${c + 1}`, level: 'commune', parentId: province, emails: [`ubnd.x${c}@${root}.bench.vn`], leaderEmails: [] });
  }
  const communeIds = rows.filter((r) => r.level === 'commune').map((r) => r.id);
  for (let v = 0; v < villages; v++) {
    const commune = communeIds[v % communeIds.length]!;
    rows.push({ id: `${commune}-t${v}`, name: `Thôn ${v + 1}`, level: 'village', parentId: commune, emails: [], leaderEmails: [] });
  }
  return rows;
}

function directiveFor(id: string, issuer: Unit, communes: number): Directive {
  const sample = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'local/sample/directive-23-ct-tu-2027.json'), 'utf8')) as Record<string, unknown>;
  const input = DirectiveInput.parse({ ...sample, id, issuerId: issuer.id, issuerName: issuer.name, targetUnits: { scope: 'level', level: 'commune' }, unitTargets: {} });
  return Directive.parse({ ...input, version: 1, status: 'issued', shardCount: shardCountFor(communes), contentHash: 'bench', updatedAt: NOW.toISOString() });
}

/** Quarter I's obligations in a fixed mix, and the verdicts of the files behind them. */
function periodState(directive: Directive, communes: readonly Unit[], villagesPerCommune: number): { obligations: Obligation[]; verdicts: ReportRecord[] } {
  const period = reportingPeriods(directive).filter((p) => p.period.id === PERIOD);
  const obligations: Obligation[] = [];
  const verdicts: ReportRecord[] = [];
  communes.forEach((u, i) => {
    const [o] = obligationsFor(directive, u, period);
    const kind = i % 10;
    const at = kind === 6 ? '2027-03-22T03:00:00.000Z' : '2027-03-16T02:00:00.000Z';
    const file = (status: 'accepted' | 'rejected'): ReportRecord => ({
      directiveId: directive.id,
      periodId: PERIOD,
      unitId: u.id,
      reportKey: `reports/${directive.id}/${PERIOD}/${u.id}/${at.replace(/\D/g, '').slice(0, 14)}-bench.xlsx`,
      versionId: 'v1',
      receivedAt: at,
      status,
      // As the intake records them: an accepted file's rows (one per village), a refused one's problems.
      ...(status === 'accepted'
        ? { format: 'xlsx', onTime: kind !== 6, resubmission: false, notes: [], rows: Array.from({ length: villagesPerCommune }, (_, k) => ({ unitId: `${u.id}-t${k}`, name: `Thôn ${k + 1}`, values: Object.fromEntries(directive.indicators.map((ind) => [ind.id, ind.kind === 'yes-no' ? true : 1.5])) })) }
        : { format: 'xlsx', problems: [{ code: 'not-a-workbook', messageVi: 'Tệp không phải là bảng tính Excel (.xlsx); hãy dùng mẫu báo cáo đã gửi kèm thư.' }] }),
    });
    if (kind <= 6) {
      obligations.push({ ...o!, status: 'submitted', submittedAt: at, onTime: kind !== 6, acceptedReports: 1 });
      verdicts.push(file('accepted'));
    } else {
      obligations.push(o!);
      if (kind === 7) verdicts.push(file('rejected'));
    }
  });
  return { obligations, verdicts };
}

// ---- counting

interface Tally {
  requests: Record<string, number>;
  readUnits: number;
  items: number;
}
const tally = (): Tally => ({ requests: {}, readUnits: 0, items: 0 });
type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
interface Instrumentable {
  middlewareStack: { add(mw: (next: Next, ctx: { commandName?: string }) => Next, opts: Record<string, unknown>): void };
}

/** Counts every DynamoDB request by command, with the read units DynamoDB Local reports and the items returned. */
function meter(client: DynamoDBClient): { take(): Tally } {
  let current = tally();
  const stack = client as unknown as Instrumentable;
  stack.middlewareStack.add(
    (next) => async (args) => {
      args.input.ReturnConsumedCapacity = 'TOTAL';
      return next(args);
    },
    { step: 'initialize', name: 'consoleBenchCapacity' },
  );
  stack.middlewareStack.add(
    (next, ctx) => async (args) => {
      const out = await next(args);
      const command = String(ctx.commandName ?? '').replace(/Command$/, '');
      current.requests[command] = (current.requests[command] ?? 0) + 1;
      const cc = out.output.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
      current.readUnits += (Array.isArray(cc) ? cc : cc ? [cc] : []).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      const responses = out.output.Responses as Record<string, unknown[]> | undefined;
      current.items += out.output.Item ? 1 : ((out.output.Items as unknown[] | undefined)?.length ?? Object.values(responses ?? {}).flat().length);
      return out;
    },
    { step: 'finalizeRequest', name: 'consoleBenchCount', priority: 'low' },
  );
  return {
    take() {
      const t = current;
      current = tally();
      return t;
    },
  };
}

// ---- the same data in memory

/** The ports the status page reads, answered from arrays: what rendering costs when the data is already at hand. */
class MemoryPorts {
  private readonly units: Map<string, Unit>;
  private readonly byParent = new Map<string, Unit[]>();
  private readonly byLevel = new Map<UnitLevel, Unit[]>();
  private readonly obligations: Map<string, Obligation>;
  constructor(
    units: readonly Unit[],
    private readonly directives: readonly Directive[],
    obligations: readonly Obligation[],
    private readonly verdicts: readonly ReportRecord[],
    private readonly people: readonly Person[],
  ) {
    this.units = new Map(units.map((u) => [u.id, u]));
    for (const u of units) {
      if (u.parentId) this.byParent.set(u.parentId, this.byParent.get(u.parentId) ?? []).get(u.parentId)!.push(u);
      this.byLevel.set(u.level, this.byLevel.get(u.level) ?? []).get(u.level)!.push(u);
    }
    this.obligations = new Map(obligations.map((o) => [`${o.directiveId}|${o.unitId}|${o.periodId}`, o]));
  }
  async getUnits(ids: readonly string[]) {
    return new Map(ids.flatMap((id) => (this.units.has(id) ? [[id, this.units.get(id)!] as const] : [])));
  }
  async *descendantsAt(ancestor: Unit, level: UnitLevel) {
    yield (this.byLevel.get(level) ?? []).filter((u) => u.path.includes(ancestor.id) && u.id !== ancestor.id);
  }
  async *childrenOf(parentId: string) {
    yield this.byParent.get(parentId) ?? [];
  }
  async getDirective(id: string) {
    return this.directives.find((d) => d.id === id);
  }
  async obligationsOfPeriod(directive: Pick<Directive, 'id'>, periodId: string) {
    return [...this.obligations.values()].filter((o) => o.directiveId === directive.id && o.periodId === periodId);
  }
  async getObligations(refs: readonly { directiveId: string; unitId: string; periodId: string }[]) {
    return refs.flatMap((r) => this.obligations.get(`${r.directiveId}|${r.unitId}|${r.periodId}`) ?? []);
  }
  async uploadOutcomesOfPeriod(directiveId: string, periodId: string): Promise<UploadOutcome[]> {
    return this.verdicts.filter((v) => v.directiveId === directiveId && v.periodId === periodId);
  }
  async latestReportOf(ref: { directiveId: string; periodId: string; unitId: string }) {
    return this.verdicts.filter((v) => v.directiveId === ref.directiveId && v.periodId === ref.periodId && v.unitId === ref.unitId).at(-1);
  }
  async getPerson(email: string) {
    return this.people.find((p) => p.email === email);
  }
}

/** Console dependencies for the status page: the given ports, a verifier that accepts the bench's cookie, a fixed clock. */
function benchDeps(ports: object): ConsoleDeps {
  const read = ports as ConsoleDeps['units'] & ConsoleDeps['directives'] & ConsoleDeps['obligations'] & ConsoleDeps['reports'] & ConsoleDeps['people'];
  const deps: Partial<ConsoleDeps> = {
    units: read,
    directives: read,
    obligations: read,
    reports: read,
    people: read,
    tokens: { verify: async (token: string) => ({ email: token, sub: token, expiresAt: Date.now() / 1000 + 3600, authTime: 1 }) },
    storage: { uploadOrigin: async () => 'http://127.0.0.1:9' } as unknown as ConsoleDeps['storage'],
    clock: { now: () => NOW },
    csrfKey: 'bench',
    secureCookies: false,
  };
  // Only what the status page reads: any other port is absent, and a page that reached for one would fail loudly.
  return deps as ConsoleDeps;
}

// ---- the run

interface View {
  name: string;
  path: string;
  office: string;
}

async function pageView(app: ReturnType<typeof createConsoleApp>, view: View): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await app.request(view.path, { headers: { cookie: `thidua-id=${view.office}` } });
  const html = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${view.path}: ${res.status} ${html.slice(0, 300)}`);
  return { ms, bytes: Buffer.byteLength(html) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const dynamo = await startDynamo({});
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  await ensureTable(client, 'thidua');
  const repo = new DynamoRepository(doc, 'thidua');
  const counts = meter(client);
  const shapes = [
    { root: 'pa', directiveId: 'bench-province-2027', provinces: 1, communes: Number(opt['province-communes']), villages: Number(opt['province-villages']) },
    { root: 'vn', directiveId: 'bench-national-2027', provinces: Number(opt['national-provinces']), communes: Number(opt['national-communes']), villages: Number(opt['national-villages']) },
  ];
  const all = { units: [] as Unit[], directives: [] as Directive[], obligations: [] as Obligation[], verdicts: [] as ReportRecord[], people: [] as Person[] };
  const views: View[] = [];
  for (const s of shapes) {
    const t0 = performance.now();
    const units = buildPaths(shape(s.root, s.provinces, s.communes, s.villages));
    const issuer = units[0]!;
    const directive = directiveFor(s.directiveId, issuer, s.communes);
    const { obligations, verdicts } = periodState(directive, units.filter((u) => u.level === 'commune'), Math.round(s.villages / s.communes));
    const person: Person = { email: OFFICE(s.root), name: 'Văn phòng thi đua', grants: [{ role: 'office', unitId: issuer.id }] };
    progress(`seeding ${s.root}: ${units.length.toLocaleString('en')} units, ${obligations.length.toLocaleString('en')} obligations, ${verdicts.length.toLocaleString('en')} verdicts…`);
    await mapLimit(Array.from({ length: Math.ceil(units.length / 1000) }, (_, i) => units.slice(i * 1000, (i + 1) * 1000)), 4, (part) => repo.putUnits(part));
    await repo.putDirectiveVersion(directive, 0);
    await repo.putObligationsOfNewUnits(obligations);
    await batchPut(doc, 'thidua', verdicts.flatMap((v) => [itemOf.uploadOutcome(v), itemOf.report(v)]));
    await repo.putPeople([person]);
    progress(`  seeded in ${round((performance.now() - t0) / 1000, 1)} s`);
    all.units.push(...units);
    all.directives.push(directive);
    all.obligations.push(...obligations);
    all.verdicts.push(...verdicts);
    all.people.push(person);
    const base = `/directives/${directive.id}/status?period=${PERIOD}`;
    if (s.provinces === 1) views.push({ name: `province (${s.communes} communes, ${s.villages.toLocaleString('en')} villages): the province office's page`, path: base, office: person.email });
    else {
      views.push({ name: `national (${s.communes.toLocaleString('en')} communes, ${s.villages.toLocaleString('en')} villages): the national office's page`, path: base, office: person.email });
      views.push({ name: `national: one province's page (${Math.ceil(s.communes / s.provinces)} communes)`, path: `${base}&unit=${s.root}-p0`, office: person.email });
    }
  }
  counts.take();

  const groups = [{ routes: statusRoutes }];
  const tableApp = createConsoleApp(benchDeps(repo), { groups, log: progress });
  const memoryApp = createConsoleApp(benchDeps(new MemoryPorts(all.units, all.directives, all.obligations, all.verdicts, all.people)), { groups, log: progress });
  const rows = [];
  for (const view of views) {
    progress(`page views: ${view.name}…`);
    await pageView(tableApp, view); // warm-up (module and JIT), not counted
    await pageView(memoryApp, view);
    counts.take();
    const table: number[] = [];
    const memory: number[] = [];
    let per: Tally | undefined;
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = await pageView(tableApp, view);
      table.push(t.ms);
      bytes = t.bytes;
      per = counts.take();
      memory.push((await pageView(memoryApp, view)).ms);
    }
    const reads = per!;
    rows.push({
      view: view.name,
      requests: reads.requests,
      requestsTotal: Object.values(reads.requests).reduce((a, b) => a + b, 0),
      readUnits: round(reads.readUnits, 1),
      itemsRead: reads.items,
      htmlBytes: bytes,
      msTable: round(median(table), 1),
      msMemory: round(median(memory), 1),
      ratio: round(median(table) / median(memory), 1),
    });
  }
  await dynamo.stop();

  const out = { runs: RUNS, at: NOW.toISOString(), note: 'per page view (median of runs); requests by DynamoDB command; the session\'s person is one GetItem of them', rows };
  mkdirSync(resolve(PROJECT_ROOT, 'bench/out'), { recursive: true });
  writeFileSync(resolve(PROJECT_ROOT, 'bench/out/console.json'), `${JSON.stringify(out, null, 2)}\n`);
  if (opt.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  for (const r of rows) {
    process.stdout.write(
      `${r.view}\n  requests ${r.requestsTotal} (${Object.entries(r.requests).map(([k, v]) => `${k} ${v}`).join(', ')}), read units ${r.readUnits}, items ${r.itemsRead}, HTML ${Math.round(r.htmlBytes / 1024)} KiB\n  server ${r.msTable} ms per view vs ${r.msMemory} ms from memory: ×${r.ratio}\n`,
    );
  }
  const scans = rows.filter((r) => 'Scan' in r.requests);
  if (scans.length) {
    process.stderr.write('a Scan was made\n');
    process.exitCode = 1;
  }
}

await main();
