import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import { queues as queueSpecs, visibilityTimeoutSeconds, type QueueId } from '../../shared/contract/catalog.ts';
import { pascal } from '../naming.ts';

/** How long a dead-letter queue keeps a message: the SQS maximum, to leave time to inspect and redrive. */
export const DLQ_RETENTION = Duration.days(14);

/**
 * A dead-letter queue that is not the redrive target of another queue (EventBridge targets, Scheduler schedules):
 * encrypted, TLS-only, kept as long as SQS allows. cdk-nag cannot see that it is a DLQ, hence the acknowledgement.
 */
export function standaloneDeadLetterQueue(scope: Construct, id: string, deadLetterOf: string): Queue {
  const queue = new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: DLQ_RETENTION });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself a dead-letter queue: ${deadLetterOf}. cdk-nag only recognises DLQs referenced by another queue's RedrivePolicy.`,
  });
  return queue;
}

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
      const dlq = new Queue(this, `${name}Dlq`, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: DLQ_RETENTION });
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
