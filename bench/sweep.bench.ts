/**
 * The daily sweep over 100,000 open obligations (issue #4): wall time, DynamoDB requests and read units consumed,
 * against a Scan-based baseline measured in the same run on the same table.
 *
 *   npm run bench:sweep                      # 100,000 obligations due on the sweep's dates
 *   npm run bench:sweep -- --obligations 20000 --json
 *
 * Both sides find the same reports and make the same announcements; the announcements themselves (PutEvents)
 * are counted, not sent, because they are identical for both and this measures how the sweep finds its work.
 *
 * Then the emails (issue #15): the first `--mails` reminders (default 2,000) go through the real notify use case
 * (its reads and its one-mail message on the mail queue counted) and the real mail function, as notify queues them
 * (one mail a message, ten messages to an invocation), beside the naive sender (one SendEmail and one PutItem a
 * mail): requests per email for each.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PROJECT_ROOT, startStack, TABLE_NAME } from '../local/stack/stack.ts';
import { mailQueue } from '../shared/adapters/wiring.ts';
import { notifyUnit, type NotificationEvent } from '../shared/app/notify.ts';
import { contentHash } from '../shared/app/directives.ts';
import { DirectiveInput } from '../shared/domain/directive.ts';
import type { Unit } from '../shared/domain/units.ts';
import type { MailMessage } from '../events/schemas.ts';
import { measured, measureMailStage, mailStageLines, type MailStageFigures } from './mail-stage.ts';
import { aws } from '../shared/adapters/aws.ts';
import { DynamoRepository } from '../shared/adapters/dynamo/repository.ts';
import { dailySweep, DEFAULT_REMINDER_POLICY } from '../shared/app/reminders.ts';
import type { EventPublisher } from '../shared/app/ports.ts';
import { obligationsFor, reportingPeriods, type Obligation } from '../shared/domain/assignment.ts';
import { addDays, addWorkingDays, subtractWorkingDays } from '../shared/domain/calendar/index.ts';
import type { Directive } from '../shared/domain/directive.ts';
import { chunk, mapLimit } from '../shared/retry.ts';

const { values } = parseArgs({ options: { obligations: { type: 'string', default: '100000' }, mails: { type: 'string', default: '2000' }, json: { type: 'boolean', default: false } } });
const N = Number(values.obligations);
const MAILS = Number(values.mails);
const progress = (m: string) => process.stderr.write(`${m}\n`);

/** Counts DynamoDB requests and the read units the service says they consumed. */
function meter(client: DynamoDBClient) {
  const m = { requests: 0, readUnits: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = 'TOTAL';
      m.requests++;
      const out = await next(args);
      const cc = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) m.readUnits += c.CapacityUnits ?? 0;
      return out;
    },
    { step: 'initialize', name: 'bench-meter' },
  );
  return {
    reset: () => Object.assign(m, { requests: 0, readUnits: 0 }),
    read: () => ({ ...m }),
  };
}

/** Counts the announcements and keeps the first `keep` of them (the reminders whose emails are measured). */
const counting = (keep = 0): EventPublisher & { events: number; kept: NotificationEvent[] } => {
  const p = {
    events: 0,
    kept: [] as NotificationEvent[],
    async publish() {
      p.events++;
    },
    async publishAll(events: readonly unknown[]) {
      p.events += events.length;
      for (const e of events) if (p.kept.length < keep) p.kept.push(e as NotificationEvent);
    },
  };
  return p;
};

const stack = await startStack({ logLevel: 'SILENT', runFunctions: false, console: false, log: () => undefined });
try {
  const repo = new DynamoRepository(aws().doc, TABLE_NAME);
  // One directive, N villages, quarterly: the sweep day is the working day before the first quarter's deadline.
  // The sample directive 23-CT/TU, quarterly only (its emails render the real wording).
  const input = DirectiveInput.parse({
    ...(JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'local/sample/directive-23-ct-tu-2027.json'), 'utf8')) as object),
    id: 'bench-sweep',
    issuerId: 'bench-p',
    year: 2027,
    cadences: ['quarterly'],
    cutoff: 'decree09',
    deadline: { kind: 'workingDaysAfterCutoff', days: 5 },
    targetUnits: { scope: 'level', level: 'village' },
    unitTargets: {},
  });
  const directive: Directive = { ...input, version: 1, status: 'issued', shardCount: Math.ceil(N / 1000), contentHash: contentHash(input), updatedAt: new Date().toISOString() };
  await repo.putDirectiveVersion(directive, 0);
  const periods = reportingPeriods(directive);
  const q1Due = periods[0]!.due;
  const today = subtractWorkingDays(q1Due, 1);

  progress(`Seeding ${N.toLocaleString('en')} units × ${periods.length} quarterly obligations (${(N * periods.length).toLocaleString('en')} items), 5% already submitted…`);
  const t0 = performance.now();
  await mapLimit(chunk(Array.from({ length: N }, (_, i) => i), 2000), 4, async (ids) => {
    const obligations: Obligation[] = ids.flatMap((i) =>
      obligationsFor(directive, { id: `bench-t${i}`, parentId: `bench-x${Math.floor(i / 20)}` }, periods).map((o) =>
        // Every twentieth first-quarter report is already in: the sweep must not read it, the Scan reads it anyway.
        i % 20 === 0 && o.periodId === '2027-Q1' ? { ...o, status: 'submitted' as const, submittedAt: `${today}T01:00:00Z`, onTime: true } : o,
      ),
    );
    await repo.putNewObligations(obligations);
  });
  progress(`Seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);

  const metered = meter(aws().dynamo);
  const scheduledTime = new Date(`${today}T07:00:00+07:00`).toISOString();

  // The sweep as it runs in production: Queries on the sparse open-by-due-date index.
  metered.reset();
  const sweepEvents = counting(MAILS);
  const ts = performance.now();
  const sweep = await dailySweep(scheduledTime, { obligations: repo, events: sweepEvents });
  const sweepMs = performance.now() - ts;
  const sweepCost = metered.read();

  // The baseline: one Scan of the table, filtered to open obligations due on the same dates, grouped the same way.
  metered.reset();
  const ts2 = performance.now();
  const policy = DEFAULT_REMINDER_POLICY;
  const dates = [...policy.remindBefore.map((k) => addWorkingDays(today, k)), ...policy.overdueAfter.map((k) => subtractWorkingDays(today, k))];
  const found: Obligation[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await aws().doc.send(
      new ScanCommand({
        TableName: TABLE_NAME,
        FilterExpression: `#type = :obl AND #status = :open AND dueDate IN (${dates.map((_, i) => `:d${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: { ':obl': 'obligation', ':open': 'open', ...Object.fromEntries(dates.map((d, i) => [`:d${i}`, d])) },
        ExclusiveStartKey,
      }),
    );
    found.push(...((out.Items ?? []) as Obligation[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const owed = found.filter((o) => o.dueDate !== q1Due || addDays(o.periodEnd, 1) < today);
  const scanUnits = new Set(owed.map((o) => o.unitId)).size;
  const scanMs = performance.now() - ts2;
  const scanCost = metered.read();

  const expected = N - Math.ceil(N / 20);
  if (sweep.reminders !== expected || scanUnits !== expected) {
    throw new Error(`Count check failed: sweep announced ${sweep.reminders}, scan found ${scanUnits}, expected ${expected}`);
  }
  // ---- the reminders' emails: notify (real reads, one message each on the mail queue), then the mail function.
  progress(`Emails: ${sweepEvents.kept.length.toLocaleString('en')} reminders through notify and the mail function, then the naive sender…`);
  const recipients = [...new Set(sweepEvents.kept.map((e) => e.detail.recipientUnitId))];
  const villages: Unit[] = recipients.map((id) => {
    const commune = `bench-x${Math.floor(Number(id.slice('bench-t'.length)) / 20)}`;
    return { id, name: `Thôn ${id.slice('bench-t'.length)}`, level: 'village', parentId: commune, emails: [`${id}@sweep.thidua.local`], leaderEmails: [], path: ['bench-p', commune, id] };
  });
  await repo.putUnits(villages);
  const captured: MailMessage[] = [];
  const queue = mailQueue();
  const capture = { sendAll: async (mails: readonly MailMessage[]) => void (captured.push(...mails), await queue.sendAll(mails)) };
  const notify = await measured(() => mapLimit(sweepEvents.kept, 8, (e) => notifyUnit(e, { obligations: repo, units: repo, directives: repo, mail: capture })));
  const mailStage: MailStageFigures | undefined = captured.length ? await measureMailStage(stack, captured, 'each', 'sweep') : undefined;
  if (mailStage && (mailStage.thidua.sent !== captured.length || mailStage.naive.sent !== captured.length)) {
    throw new Error(`Email check failed: ${captured.length} reminders, thidua sent ${mailStage.thidua.sent}, naive ${mailStage.naive.sent}`);
  }

  const result = {
    emails: {
      reminders: captured.length,
      notifyDynamoRequestsPerEmail: captured.length ? +(notify.counts.requests.DynamoDB / captured.length).toFixed(3) : 0,
      notifySqsRequestsPerEmail: captured.length ? +(notify.counts.requests.SQS / captured.length).toFixed(3) : 0,
      mailStage,
    },
    obligationsInTable: N * periods.length,
    openDueOnSweepDates: expected,
    sweep: { wallMs: Math.round(sweepMs), requests: sweepCost.requests, readUnits: sweepCost.readUnits, announcements: sweepEvents.events },
    scanBaseline: { wallMs: Math.round(scanMs), requests: scanCost.requests, readUnits: scanCost.readUnits, announcements: scanUnits },
    ratio: {
      wall: +(sweepMs / scanMs).toFixed(3),
      readUnits: +(sweepCost.readUnits / scanCost.readUnits).toFixed(3),
    },
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const row = (name: string, r: { wallMs: number; requests: number; readUnits: number; announcements: number }) =>
      `${name.padEnd(26)} ${String(r.wallMs).padStart(8)} ms ${String(r.requests).padStart(8)} ${r.readUnits.toFixed(1).padStart(12)} ${String(r.announcements).padStart(10)}`;
    process.stdout.write(
      [
        `Daily sweep: ${result.obligationsInTable.toLocaleString('en')} obligations in the table, ${expected.toLocaleString('en')} open and due on the sweep's dates`,
        `${''.padEnd(26)} ${'wall'.padStart(11)} ${'requests'.padStart(8)} ${'read units'.padStart(12)} ${'announced'.padStart(10)}`,
        row('sweep (Query, sparse GSI2)', result.sweep),
        row('baseline (Scan + filter)', result.scanBaseline),
        `ratio sweep / baseline: wall ${result.ratio.wall}, read units ${result.ratio.readUnits}`,
        `peak RSS ${result.peakRssMiB} MiB`,
        '',
        `Reminders' emails: notify makes ${result.emails.notifyDynamoRequestsPerEmail} DynamoDB and ${result.emails.notifySqsRequestsPerEmail} SQS requests per email (its reads; each email its own message).`,
        ...(mailStage ? mailStageLines(mailStage, 'reminders') : ['  (no reminder to send)']),
      ].join('\n') + '\n',
    );
  }
} finally {
  await stack.stop();
}
