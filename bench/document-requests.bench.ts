/**
 * What one uploaded directive document costs in AWS requests (issue #7), on the embedded stack: the document
 * function's own requests, by service and command, for each outcome (a new draft, the same file again, the same
 * document in another format, an unreadable scan), in a province of `--communes` communes. The baseline, counted
 * the same way in the same run, is the least any processor must do: GetObject the file and PutItem one record.
 *
 *   npm run bench:document-requests
 *   npm run bench:document-requests -- --communes 300 --json
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startStack, PROJECT_ROOT } from '../local/stack/stack.ts';
import { uploadDocument } from '../local/cli/drafts.ts';
import { aws } from '../shared/adapters/aws.ts';
import { repository } from '../shared/adapters/wiring.ts';
import { ENV } from '../shared/contract/catalog.ts';
import { buildPaths, type UnitRow } from '../shared/domain/units.ts';

const { values } = parseArgs({ options: { communes: { type: 'string', default: '300' }, json: { type: 'boolean', default: false } } });
const communes = Number(values.communes);
const progress = (m: string) => process.stderr.write(`${m}\n`);

type Middlewared = { middlewareStack: { add(mw: (next: (a: { input: object }) => Promise<{ output: object }>, ctx: { commandName?: string }) => (a: { input: object }) => Promise<{ output: object }>, opts: object): void } };
const inDocumentFunction = new AsyncLocalStorage<boolean>();
let counts: Record<string, number> = {};

/** Counts each request a client sends from inside the document function (or the baseline), after retries. */
function meter(client: unknown, service: string) {
  (client as Middlewared).middlewareStack.add(
    (next, ctx) => async (args) => {
      if (inDocumentFunction.getStore()) {
        const key = `${service} ${String(ctx.commandName ?? '?').replace(/Command$/, '')}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'benchDocumentMeter' },
  );
}

const read = (p: string) => new Uint8Array(readFileSync(`${PROJECT_ROOT}/${p}`));
const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

progress(`Starting the embedded stack; a province of ${communes} communes…`);
const stack = await startStack({ logLevel: 'SILENT', console: false, log: () => undefined, retryDelaySeconds: () => 1 });
try {
  const rows: UnitRow[] = [
    { id: 'bp', name: 'Tỉnh Bình Thuận', level: 'province', emails: ['vp@bp.test.vn'], leaderEmails: [] },
    { id: 'bp-htb', name: 'Huyện Hàm Thuận Bắc', level: 'district', parentId: 'bp', emails: ['noivu@bp.test.vn'], leaderEmails: [] },
  ];
  for (let i = 0; i < communes; i++) rows.push({ id: `bp-htb-x${i}`, name: `Xã Thử Nghiệm ${i + 1}`, level: 'commune', parentId: 'bp-htb', emails: [], leaderEmails: [] });
  await repository().putUnits(buildPaths(rows));

  const c = aws();
  meter(c.dynamo, 'DynamoDB');
  meter(c.s3, 'S3');
  meter(c.sqs, 'SQS');
  meter(c.events, 'EventBridge');
  const fn = stack.functions.document;
  const invoke = fn.invoke.bind(fn);
  fn.invoke = (event: unknown) => inDocumentFunction.run(true, () => invoke(event));
  const session = { embedded: stack, inboxUrl: stack.inboxUrl, settle: () => stack.settle(), close: async () => undefined };

  const cases: [string, string, Uint8Array][] = [
    ['new document (PDF) → draft', 'cong-van.pdf', read('test/fixtures/documents/seed-002.pdf')],
    ['the same file again → duplicate (bytes)', 'cong-van-ban-sao.pdf', read('test/fixtures/documents/seed-002.pdf')],
    ['its DOCX → duplicate (text)', 'cong-van.docx', read('test/fixtures/documents/seed-002.docx')],
    ['a scan without text → rejected', 'ban-scan.pdf', read('test/fixtures/documents/seed-002-scan.pdf')],
  ];
  const results = [];
  for (const [label, name, bytes] of cases) {
    counts = {};
    const r = await uploadDocument({ path: name, bytes }, 'bp-htb', session);
    results.push({ case: label, outcome: r.outcome, requests: total(counts), byCommand: counts });
    progress(`  ${label}: ${r.outcome}, ${total(counts)} requests`);
  }

  // Baseline: what any processor of an upload must do, counted by the same meter.
  counts = {};
  const bucket = process.env[ENV.reportsBucket]!;
  await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'bench/baseline.pdf', Body: cases[0]![2] }));
  await stack.settle();
  await inDocumentFunction.run(true, async () => {
    const got = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'bench/baseline.pdf' }));
    await got.Body!.transformToByteArray();
    await c.doc.send(new PutCommand({ TableName: process.env[ENV.table]!, Item: { PK: 'BENCH#baseline', SK: '#META', at: new Date().toISOString() } }));
  });
  const baseline = total(counts);

  const out = { communes, baseline: { requests: baseline, byCommand: counts }, cases: results.map((r) => ({ ...r, ratio: +(r.requests / baseline).toFixed(1) })) };
  if (values.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  else {
    const lines = [`Requests of the document function per uploaded document (a district of ${communes} communes); baseline GetObject + PutItem = ${baseline}`];
    for (const r of out.cases) {
      lines.push(`  ${r.case}: ${r.requests} requests (${r.ratio}× the baseline)`);
      lines.push(`    ${Object.entries(r.byCommand).sort().map(([k, n]) => `${k} ${n}`).join(', ')}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
} finally {
  await stack.stop();
}
