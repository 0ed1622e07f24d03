import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DelayedQueue, MailQueue, WorkQueue } from '../app/ports.ts';
import type { MailBatch, MailMessage } from '../../events/schemas.ts';
import { packMailBatches } from '../../events/mail-batch.ts';
import { backoffMs, sleep } from '../retry.ts';

const MAX_ATTEMPTS = 8;

/** A queue of JSON messages, sent ten to a SendMessageBatch request; failed entries are retried with backoff. */
export class SqsWorkQueue<T extends { key: string }> implements WorkQueue<T>, DelayedQueue<T> {
  constructor(
    private readonly sqs: SQSClient,
    readonly queueUrl: string,
  ) {}

  /** One message, delivered after `delaySeconds` (SQS caps the delay at 900 s). */
  async sendAfter(item: T, delaySeconds: number): Promise<void> {
    const DelaySeconds = Math.max(0, Math.min(900, Math.ceil(delaySeconds)));
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(item), DelaySeconds }));
  }

  async sendAll(items: readonly T[]): Promise<void> {
    for (const group of batches(items)) {
      let pending = group.map((item, i) => ({ Id: String(i), MessageBody: JSON.stringify(item) }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new Error(`SendMessageBatch failed for ${pending.length} entries after ${MAX_ATTEMPTS} attempts`);
        }
        if (attempt > 0) await sleep(backoffMs(attempt, 100));
        const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
        const failed = new Set((out.Failed ?? []).filter((f) => !f.SenderFault).map((f) => f.Id));
        const senderFaults = (out.Failed ?? []).filter((f) => f.SenderFault);
        if (senderFaults.length > 0) {
          throw new Error(`SQS refused ${senderFaults.length} entries: ${senderFaults.map((f) => `${f.Code}: ${f.Message}`).join('; ')}`);
        }
        pending = pending.filter((e) => failed.has(e.Id));
      }
    }
  }
}

/**
 * The mail queue: mails go packed, up to 50 to a message (gzip-compressed, events/mail-batch.ts), so the sender claims,
 * sends and records them together. Producers keep calling `sendAll` with rendered mails.
 */
export class SqsMailQueue implements MailQueue {
  private readonly queue: SqsWorkQueue<MailBatch>;
  constructor(sqs: SQSClient, queueUrl: string) {
    this.queue = new SqsWorkQueue<MailBatch>(sqs, queueUrl);
  }

  async sendAll(mails: readonly MailMessage[]): Promise<void> {
    await this.queue.sendAll(packMailBatches(mails));
  }
}

/** SendMessageBatch takes ten entries and, conservatively, 256 KiB in all: big messages (digests) go fewer at a time. */
const MAX_BATCH_BYTES = 250 * 1024;
function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item));
    if (current.length === 10 || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

/** Puts a message that can never be processed on the dead-letter queue, with the reason beside it. */
export async function sendToDeadLetter(
  sqs: SQSClient,
  dlqUrl: string,
  body: string,
  reason: { error: string; source: string; messageId: string },
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: body,
      MessageAttributes: {
        reason: { DataType: 'String', StringValue: reason.error.slice(0, 1000) },
        source: { DataType: 'String', StringValue: reason.source },
        originalMessageId: { DataType: 'String', StringValue: reason.messageId },
      },
    }),
  );
}
