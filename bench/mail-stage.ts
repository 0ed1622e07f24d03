/**
 * The mail stage measured on its own, for the benches whose emails are not the fan-out's (the sweep's reminders, the
 * results' digests): the mails go to the real mail function as their producer queues them, and every AWS request is
 * counted. The baseline, in the same run on the same mails: one SES SendEmail (or SendRawEmail) and one PutItem of
 * the mail log's record per mail, with no exactly-once at all.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { packMailBatches } from '../events/mail-batch.ts';
import type { MailMessage } from '../events/schemas.ts';
import type { LocalStack } from '../local/stack/stack.ts';
import { aws } from '../shared/adapters/aws.ts';
import { keys } from '../shared/adapters/dynamo/keys.ts';
import { RateLimiter, SesMailer } from '../shared/adapters/ses.ts';
import { reportStorage, repository } from '../shared/adapters/wiring.ts';
import { functionSpecs } from '../shared/contract/catalog.ts';
import { chunk, mapLimit } from '../shared/retry.ts';

type Service = 'DynamoDB' | 'SQS' | 'SES' | 'S3';
interface Counts {
  requests: Record<Service, number>;
  byCommand: Record<string, number>;
  mailsTaken: number;
}

let current: Counts | undefined;
const instrumented = new WeakSet<object>();

interface Instrumentable {
  middlewareStack: { add(mw: unknown, opts: Record<string, unknown>): void };
}

/** Counts every HTTP attempt of the process-wide clients while a measurement runs (after the SDK's retries). */
function instrument(client: Instrumentable, service: Service): void {
  if (instrumented.has(client)) return;
  instrumented.add(client);
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<{ output: Record<string, unknown> }>, ctx: { commandName?: string }) => async (args: unknown) => {
      const out = await next(args);
      const counts = current;
      if (counts) {
        const command = String(ctx.commandName ?? '').replace(/Command$/, '');
        counts.requests[service]++;
        counts.byCommand[`${service} ${command}`] = (counts.byCommand[`${service} ${command}`] ?? 0) + 1;
        if (command === 'SendBulkEmail') counts.mailsTaken += ((out.output.BulkEmailEntryResults as { Status?: string }[] | undefined) ?? []).filter((r) => r.Status === 'SUCCESS').length;
        else if (command === 'SendEmail' || command === 'SendRawEmail') counts.mailsTaken++;
      }
      return out;
    },
    { step: 'finalizeRequest', priority: 'low', name: 'thiduaMailStageCounter' },
  );
}

function instrumentAll(): void {
  const c = aws();
  instrument(c.dynamo as unknown as Instrumentable, 'DynamoDB');
  instrument(c.sqs as unknown as Instrumentable, 'SQS');
  instrument(c.ses as unknown as Instrumentable, 'SES');
  instrument(c.sesv2 as unknown as Instrumentable, 'SES');
  instrument(c.s3 as unknown as Instrumentable, 'S3');
}

/** Runs `act` and counts the requests of the process-wide clients meanwhile. */
export async function measured<T>(act: () => Promise<T>): Promise<{ result: T; counts: Counts; wallSeconds: number }> {
  instrumentAll();
  const counts: Counts = { requests: { DynamoDB: 0, SQS: 0, SES: 0, S3: 0 }, byCommand: {}, mailsTaken: 0 };
  current = counts;
  const t0 = performance.now();
  try {
    const result = await act();
    return { result, counts, wallSeconds: (performance.now() - t0) / 1000 };
  } finally {
    current = undefined;
  }
}

export interface MailStageSide {
  mails: number;
  /** Mails SES took (bulk entries that succeeded, single sends). */
  sent: number;
  wallSeconds: number;
  invocations: number;
  perEmail: { dynamodb: number; ses: number; s3: number; all: number };
  byCommand: Record<string, number>;
}

export interface MailStageFigures {
  /** How the producer queues the mails: `each` one message per mail (notify, intake), `packed` 50 to a message. */
  shape: 'each' | 'packed';
  messages: number;
  thidua: MailStageSide;
  naive: MailStageSide;
  ratio: { requestsPerEmail: number; dynamodbPerEmail: number; wall: number };
}

const side = (mails: number, m: { counts: Counts; wallSeconds: number }, invocations: number): MailStageSide => {
  const per = (n: number) => n / mails;
  const all = m.counts.requests.DynamoDB + m.counts.requests.SES + m.counts.requests.S3 + m.counts.requests.SQS;
  return {
    mails,
    sent: m.counts.mailsTaken,
    wallSeconds: m.wallSeconds,
    invocations,
    perEmail: { dynamodb: per(m.counts.requests.DynamoDB), ses: per(m.counts.requests.SES), s3: per(m.counts.requests.S3), all: per(all) },
    byCommand: m.counts.byCommand,
  };
};

/**
 * Sends `mails` twice over, each time to its own copy of the keys: through the real mail function, records of the
 * queue's shape (as `shape` packs them) ten to an invocation, two invocations at once (the function's batch size
 * and concurrency); then the naive way. Mails with attachments read them from the reports bucket on both sides.
 */
export async function measureMailStage(stack: LocalStack, mails: readonly MailMessage[], shape: 'each' | 'packed', tag = 'mail-stage'): Promise<MailStageFigures> {
  const fresh = (suffix: string) => mails.map((m) => ({ ...m, key: `${m.key}#${tag}-${suffix}` }));
  const mine = fresh('thidua');
  const bodies = shape === 'each' ? mine.flatMap((m) => packMailBatches([m])) : packMailBatches(mine);
  const trigger = functionSpecs.mail.trigger;
  const invocations = chunk(bodies, trigger.batchSize);
  const thidua = await measured(() =>
    mapLimit(invocations, trigger.maxConcurrency, (records, i) =>
      stack.functions.mail.invoke({ Records: records.map((b, j) => ({ messageId: `${tag}-${i}-${j}`, body: JSON.stringify(b), attributes: { ApproximateReceiveCount: '1' } })) }),
    ),
  );
  const failed = thidua.result.flatMap((r) => ((r as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures ?? []));
  if (failed.length) throw new Error(`the mail function asked to retry ${failed.length} records`);

  const theirs = fresh('naive');
  const { doc } = aws();
  const table = repository().tableName;
  const mailer = new SesMailer(aws().ses, 'thidua@thidua.local', new RateLimiter(0), reportStorage());
  const naive = await measured(() =>
    mapLimit(theirs, 8, async (m) => {
      const { messageId } = await mailer.send(m);
      await doc.send(new PutCommand({ TableName: table, Item: { ...keys.mailLog(m.key), type: 'mail', key: m.key, kind: m.kind, to: m.to, subject: m.subject, messageId, sentAt: new Date().toISOString() } }));
    }),
  );
  const t = side(mails.length, thidua, invocations.length);
  const b = side(mails.length, naive, 0);
  return {
    shape,
    messages: bodies.length,
    thidua: t,
    naive: b,
    ratio: { requestsPerEmail: t.perEmail.all / b.perEmail.all, dynamodbPerEmail: t.perEmail.dynamodb / b.perEmail.dynamodb, wall: t.wallSeconds / b.wallSeconds },
  };
}

/** The figures as lines for a bench's table. */
export function mailStageLines(f: MailStageFigures, what: string): string[] {
  const n3 = (x: number) => x.toFixed(3);
  const cmds = (s: MailStageSide) => Object.entries(s.byCommand).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `Mail stage, ${f.thidua.mails.toLocaleString('en')} ${what} (${f.shape === 'each' ? 'one message per mail, as its producer queues them' : '50 mails to a message'}; ${f.messages.toLocaleString('en')} messages, ${f.thidua.invocations} invocations of the mail function):`,
    `                          per email: DynamoDB   SES      S3       all      wall (s)   sent`,
    `  thidua (claim, bulk, record)      ${n3(f.thidua.perEmail.dynamodb)}    ${n3(f.thidua.perEmail.ses)}    ${n3(f.thidua.perEmail.s3)}    ${n3(f.thidua.perEmail.all)}    ${f.thidua.wallSeconds.toFixed(2).padStart(7)}    ${f.thidua.sent}`,
    `  naive (SendEmail + PutItem)       ${n3(f.naive.perEmail.dynamodb)}    ${n3(f.naive.perEmail.ses)}    ${n3(f.naive.perEmail.s3)}    ${n3(f.naive.perEmail.all)}    ${f.naive.wallSeconds.toFixed(2).padStart(7)}    ${f.naive.sent}`,
    `  ratio thidua / naive: requests per email ${f.ratio.requestsPerEmail.toFixed(2)}×, DynamoDB per email ${f.ratio.dynamodbPerEmail.toFixed(2)}×, wall ${f.ratio.wall.toFixed(2)}×`,
    `  thidua: ${cmds(f.thidua)}`,
    `  naive:  ${cmds(f.naive)}`,
  ];
}
