import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queues as queueSpecs, visibilityTimeoutSeconds, type QueueId } from '../../functions/catalog.ts';
import { pascal } from '../naming.ts';

/** How long a dead-letter queue keeps a message: the SQS maximum, to leave time to inspect and redrive. */
export const DLQ_RETENTION = Duration.days(14);

export interface QueuePair {
  readonly queue: Queue;
  readonly dlq: Queue;
}

/**
 * Every work queue in the catalog, each with its dead-letter queue. Both are encrypted with SQS-managed keys
 * (SSE-SQS: no KMS grants for producers and consumers) and deny any request not made over TLS.
 */
export class ThiduaQueues extends Construct {
  private readonly pairs = new Map<QueueId, QueuePair>();

  constructor(scope: Construct, id: string) {
    super(scope, id);

    for (const [queueId, spec] of Object.entries(queueSpecs) as [QueueId, (typeof queueSpecs)[QueueId]][]) {
      const name = pascal(queueId);
      const dlq = new Queue(this, `${name}Dlq`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: DLQ_RETENTION,
      });
      const queue = new Queue(this, `${name}Queue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(queueId)),
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
      });
      this.pairs.set(queueId, { queue, dlq });
    }
  }

  get ids(): QueueId[] {
    return [...this.pairs.keys()];
  }

  pair(queueId: QueueId): QueuePair {
    const pair = this.pairs.get(queueId);
    if (!pair) throw new Error(`Queue ${queueId} is not in the catalog`);
    return pair;
  }

  queue(queueId: QueueId): Queue {
    return this.pair(queueId).queue;
  }

  dlq(queueId: QueueId): Queue {
    return this.pair(queueId).dlq;
  }

  /** Every dead-letter queue, named by its queue id (for alarms). */
  get deadLetterQueues(): { name: string; queue: Queue }[] {
    return [...this.pairs].map(([queueId, { dlq }]) => ({ name: `${queueId}-dlq`, queue: dlq }));
  }
}
