import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalFunction } from './lambda.ts';
import { sleep } from '../../shared/retry.ts';

export interface PollerOptions {
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  maxConcurrency: number;
  /** Seconds a failed record stays invisible before its next try (Lambda leaves it to the visibility timeout). */
  retryDelaySeconds: (receiveCount: number) => number;
  log: (msg: string) => void;
}

function toRecord(m: Message, queueArn: string): SQSRecord {
  const attrs = (m.Attributes ?? {}) as Record<string, string>;
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? '1',
      SentTimestamp: attrs.SentTimestamp ?? String(Date.now()),
      SenderId: attrs.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, { stringValue: v.StringValue, dataType: v.DataType ?? 'String', stringListValues: [], binaryListValues: [] }]),
    ),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'ap-southeast-1',
  };
}

/**
 * Lambda's SQS event source, locally: up to maxConcurrency batches in flight, each of up to batchSize records;
 * records the handler reports as failed stay on the queue and come back, and the queue's redrive policy moves
 * them to the dead-letter queue after maxReceiveCount receives.
 */
export class QueuePoller {
  private stopped = false;
  private loops: Promise<void>[] = [];
  private busy = 0;
  /** Deliver every message twice, as SQS's at-least-once delivery may: the first success is not deleted. */
  duplicateDeliveries = false;
  private readonly deliveredOnce = new Set<string>();
  batches = 0;
  /** Records handed to the function, redeliveries included. */
  records = 0;

  constructor(
    private readonly fn: LocalFunction,
    private readonly sqs: SQSClient,
    private readonly opts: PollerOptions,
  ) {}

  inFlight(): number {
    return this.busy;
  }

  start(): void {
    for (let i = 0; i < this.opts.maxConcurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let messages: Message[] = [];
      try {
        const out = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.opts.queueUrl,
            MaxNumberOfMessages: this.opts.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = out.Messages ?? [];
      } catch (e) {
        if (this.stopped) return;
        this.opts.log(`receive from ${this.opts.queueUrl} failed: ${(e as Error).message}`);
        await sleep(500);
        continue;
      }
      if (messages.length === 0) continue;
      this.busy++;
      try {
        await this.handle(messages);
      } finally {
        this.busy--;
      }
    }
  }

  private async handle(messages: Message[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, this.opts.queueArn)) };
    let failedIds: Set<string>;
    this.batches++;
    this.records += messages.length;
    try {
      const response = (await this.fn.invoke(event)) as SQSBatchResponse | undefined;
      failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (e) {
      this.opts.log(`${this.fn.id}: the whole batch failed: ${(e as Error).message}`);
      failedIds = new Set(messages.map((m) => m.MessageId ?? ''));
    }
    const done: Message[] = [];
    const again: { m: Message; delay: number }[] = [];
    for (const m of messages) {
      const id = m.MessageId ?? '';
      if (failedIds.has(id)) {
        again.push({ m, delay: this.opts.retryDelaySeconds(Number(m.Attributes?.ApproximateReceiveCount ?? 1)) });
      } else if (this.duplicateDeliveries && !this.deliveredOnce.has(id)) {
        this.deliveredOnce.add(id);
        again.push({ m, delay: 0 });
      } else {
        done.push(m);
      }
    }
    if (done.length) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.opts.queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
      );
    }
    if (again.length) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.opts.queueUrl,
          Entries: again.map(({ m, delay }, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: delay })),
        }),
      );
    }
  }
}
