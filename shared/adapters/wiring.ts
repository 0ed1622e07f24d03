/** The composition root: real adapters from the environment (Lambda's, or the local stack's). */
import { aws, requireEnv } from './aws.ts';
import { DynamoRepository } from './dynamo/repository.ts';
import { DynamoDraftStore } from './dynamo/drafts.ts';
import { DynamoEmulationStore } from './dynamo/emulation-store.ts';
import { EventBridgePublisher } from './eventbridge.ts';
import { RateLimiter, SesMailer } from './ses.ts';
import { SqsMailQueue, SqsWorkQueue } from './sqs.ts';
import { S3ReportStorage, S3ResultsStore } from './s3.ts';
import { ENV, functionSpecs } from '../contract/catalog.ts';
import type { AssignmentWorkItem, MailMessage, RejectionMailDue } from '../../events/schemas.ts';
import { DEFAULT_REMINDER_POLICY, type ReminderPolicy } from '../app/reminders.ts';
import type { UnitLevel } from '../domain/units.ts';

export const repository = () => new DynamoRepository(aws().doc, requireEnv(ENV.table));
export const draftStore = () => new DynamoDraftStore(aws().doc, requireEnv(ENV.table));
export const emulationStore = () => new DynamoEmulationStore(aws().doc, requireEnv(ENV.table));
export const assignmentQueue = () => new SqsWorkQueue<AssignmentWorkItem>(aws().sqs, requireEnv(ENV.queueUrl('assignment')));
export const mailQueue = () => new SqsMailQueue(aws().sqs, requireEnv(ENV.queueUrl('mail')));
/** The intake queue, for intake's own delayed messages (the end of a rejection-email window). */
export const intakeQueue = () => new SqsWorkQueue<RejectionMailDue>(aws().sqs, requireEnv(ENV.queueUrl('intake')));
export const eventPublisher = () => new EventBridgePublisher(aws().events, requireEnv(ENV.eventBus));

/** Each concurrent sender's share of the account's SES rate (emails a second). */
export const sesRatePerSender = (): number => Number(process.env[ENV.sesMaxSendRate] ?? 14) / functionSpecs.mail.trigger.maxConcurrency;

/** Each concurrent sender takes its share of the account's SES rate. */
export function mailer(): SesMailer {
  return new SesMailer(aws().ses, requireEnv(ENV.mailFrom), new RateLimiter(sesRatePerSender()), process.env[ENV.reportsBucket] ? reportStorage() : undefined, 6, aws().sesv2);
}

export const resultsStore = () => new S3ResultsStore(reportStorage(), repository());
export const reportStorage = () => new S3ReportStorage(aws().s3, requireEnv(ENV.reportsBucket), aws().s3Presign);
export const maxReportBytes = () => Number(process.env[ENV.maxReportBytes] ?? 5 * 1024 * 1024);
export const maxDocumentBytes = () => Number(process.env[ENV.maxDocumentBytes] ?? 20 * 1024 * 1024);

let secret: Promise<string> | undefined;
/** The key that signs upload links: the variable itself locally, a Secrets Manager secret on AWS (read once). */
export function uploadSecret(): Promise<string> {
  secret ??= (async () => {
    const direct = process.env[ENV.uploadSecret];
    if (direct) return direct;
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: requireEnv(ENV.uploadSecretArn) }));
    if (!out.SecretString) throw new Error('The upload link secret is empty');
    return out.SecretString;
  })();
  return secret;
}

/** The reminder policy the sweep runs with, from its environment (infra sets it from the CDK context). */
export function reminderPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): ReminderPolicy {
  const list = (v: string | undefined, d: number[]) => (v ? v.split(',').map((x) => Number(x.trim())).filter((n) => Number.isInteger(n) && n > 0) : d);
  return {
    remindBefore: list(env[ENV.remindBefore], DEFAULT_REMINDER_POLICY.remindBefore),
    overdueAfter: list(env[ENV.overdueAfter], DEFAULT_REMINDER_POLICY.overdueAfter),
    escalateFrom: Number(env[ENV.escalateFrom] ?? DEFAULT_REMINDER_POLICY.escalateFrom),
  };
}

/** Whose leaders get the weekly status, from the sweep's environment. */
export function statusDigestLevelsFromEnv(env: NodeJS.ProcessEnv = process.env): UnitLevel[] {
  return (env[ENV.statusDigestLevels] ?? 'province,district').split(',').map((x) => x.trim()).filter((x): x is UnitLevel => ['province', 'district', 'commune', 'village'].includes(x));
}
