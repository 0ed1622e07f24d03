/** The composition root: real adapters from the environment (Lambda's, or the local stack's). */
import { aws, requireEnv } from './aws.ts';
import { DynamoRepository } from './dynamo/repository.ts';
import { EventBridgePublisher } from './eventbridge.ts';
import { RateLimiter, SesMailer } from './ses.ts';
import { SqsWorkQueue } from './sqs.ts';
import { ENV, functionSpecs } from '../../functions/catalog.ts';
import type { AssignmentWorkItem, MailMessage } from '../../events/schemas.ts';

export const repository = () => new DynamoRepository(aws().doc, requireEnv(ENV.table));
export const assignmentQueue = () => new SqsWorkQueue<AssignmentWorkItem>(aws().sqs, requireEnv(ENV.queueUrl('assignment')));
export const mailQueue = () => new SqsWorkQueue<MailMessage>(aws().sqs, requireEnv(ENV.queueUrl('mail')));
export const eventPublisher = () => new EventBridgePublisher(aws().events, requireEnv(ENV.eventBus));

/** Each concurrent sender takes its share of the account's SES rate. */
export function mailer(): SesMailer {
  const rate = Number(process.env[ENV.sesMaxSendRate] ?? 14);
  const senders = functionSpecs.mail.trigger.maxConcurrency;
  return new SesMailer(aws().ses, requireEnv(ENV.mailFrom), new RateLimiter(rate / senders));
}
