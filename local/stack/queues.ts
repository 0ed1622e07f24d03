import { mkdirSync } from 'node:fs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { queues, visibilityTimeoutSeconds, type QueueId } from '../../shared/contract/catalog.ts';

export interface LocalQueue {
  id: QueueId | 'events';
  url: string;
  dlqUrl: string;
  name: string;
  dlqName: string;
}

export interface LocalQueues {
  endpoint: string;
  server: FauxqsServer;
  byId: Record<QueueId, LocalQueue>;
  /** Where the local bus puts events its targets failed to take, as EventBridge does with a target's DLQ. */
  eventsDlqUrl: string;
  stop(): Promise<void>;
}

/** fauxqs (SQS and S3) with the catalog's queues, each with its dead-letter queue and redrive policy. */
export async function startQueues(opts: { dataDir?: string; prefix: string }): Promise<LocalQueues> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false, defaultRegion: 'ap-southeast-1', messageSpies: { bufferSize: 200 }, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
  // fauxqs names queues sqs.<region>.<host>, which does not resolve for an IP host; the path form on its address does.
  const pathStyle = (url: string) => `${server.address}${new URL(url.replace(/^http:\/\/[^/]+/, 'http://x')).pathname}`;
  const byId = {} as Record<QueueId, LocalQueue>;
  for (const [id, spec] of Object.entries(queues) as [QueueId, (typeof queues)[QueueId]][]) {
    const dlqName = `${opts.prefix}-${id}-dlq`;
    const name = `${opts.prefix}-${id}`;
    const dlq = server.createQueue(dlqName, { attributes: { MessageRetentionPeriod: String(14 * 24 * 3600) } });
    const q = server.createQueue(name, {
      attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds(id)),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: spec.maxReceiveCount }),
      },
    });
    byId[id] = { id, url: pathStyle(q.queueUrl), dlqUrl: pathStyle(dlq.queueUrl), name, dlqName };
  }
  const eventsDlq = server.createQueue(`${opts.prefix}-events-dlq`);
  return { endpoint: server.address, server, byId, eventsDlqUrl: pathStyle(eventsDlq.queueUrl), stop: () => server.stop() };
}
