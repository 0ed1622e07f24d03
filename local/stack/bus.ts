import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { routes } from '../../events/routes.ts';
import { EVENT_TYPES, type EventType } from '../../events/schemas.ts';
import type { LocalFunction } from './lambda.ts';
import type { FunctionId, QueueId } from '../../shared/contract/catalog.ts';
import type { Consumer } from '../../events/routes.ts';
import { backoffMs, sleep } from '../../shared/retry.ts';
import { freePort } from './ports.ts';

/** EventBridge retries a failed asynchronous delivery; after these it goes to the target's dead-letter queue. */
const DELIVERY_ATTEMPTS = 3;

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: string | number;
}

export interface LocalBus {
  endpoint: string;
  inFlight(): number;
  delivered: number;
  deadLettered: number;
  /** Deliver every event twice, as at-least-once delivery may. */
  duplicateDeliveries: boolean;
  /** Everything in flight in the whole stack; the stack sets it once its pollers run. */
  pending: () => number;
  stop(): Promise<void>;
}

/**
 * A small EventBridge: answers PutEvents from the real SDK client (JSON 1.1 protocol) and delivers each
 * event to the functions the route table names, asynchronously, with retries and a dead-letter queue.
 */
export async function startBus(opts: {
  functions: Record<FunctionId, LocalFunction>;
  /** Queues that consume events (an SQS target on AWS). */
  queueUrls: Record<QueueId, string>;
  sqs: SQSClient;
  dlqUrl: string;
  busName: string;
  log: (msg: string) => void;
}): Promise<LocalBus> {
  let inFlight = 0;
  const bus: LocalBus = {
    endpoint: '',
    inFlight: () => inFlight,
    delivered: 0,
    deadLettered: 0,
    duplicateDeliveries: false,
    pending: () => inFlight,
    stop: async () => undefined,
  };

  const deliver = async (consumer: Consumer, event: Record<string, unknown>) => {
    const target = 'function' in consumer ? consumer.function : `queue:${consumer.queue}`;
    inFlight++;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          if ('function' in consumer) await opts.functions[consumer.function].invoke(event);
          else await opts.sqs.send(new SendMessageCommand({ QueueUrl: opts.queueUrls[consumer.queue], MessageBody: JSON.stringify(event) }));
          bus.delivered++;
          return;
        } catch (e) {
          if (attempt + 1 >= DELIVERY_ATTEMPTS) {
            bus.deadLettered++;
            opts.log(`event ${event.id} (${event['detail-type']}) → ${target} failed ${DELIVERY_ATTEMPTS} times: ${(e as Error).message}`);
            await opts.sqs.send(
              new SendMessageCommand({
                QueueUrl: opts.dlqUrl,
                MessageBody: JSON.stringify(event),
                MessageAttributes: {
                  ERROR_MESSAGE: { DataType: 'String', StringValue: (e as Error).message.slice(0, 1000) },
                  RULE_ARN: { DataType: 'String', StringValue: `local:${event['detail-type']}` },
                  TARGET_ARN: { DataType: 'String', StringValue: `local:${target}` },
                },
              }),
            );
            return;
          }
          await sleep(backoffMs(attempt + 1, 200, 2_000));
        }
      }
    } finally {
      inFlight--;
    }
  };

  const handlePutEvents = (body: { Entries?: PutEventsEntry[] }) => {
    const entries = body.Entries ?? [];
    const results = entries.map((entry) => {
      if (entry.EventBusName && entry.EventBusName !== opts.busName) {
        return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` };
      }
      if (!entry.Source || !entry.DetailType || !entry.Detail) {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const id = randomUUID();
      const event = {
        version: '0',
        id,
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: '000000000000',
        time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: 'ap-southeast-1',
        resources: [],
        detail,
      };
      const targets = EVENT_TYPES.includes(entry.DetailType as EventType) && entry.Source === 'thidua' ? routes[entry.DetailType as EventType] : [];
      for (const target of targets) {
        void deliver(target, event);
        if (bus.duplicateDeliveries) void deliver(target, event);
      }
      return { EventId: id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      try {
        // The local stack's own question, for CLI commands run beside a `thidua up`: is anything still in flight?
        if (req.method === 'GET' && req.url === '/_local/pending') return send(200, { pending: bus.pending() });
        if (target === 'AWSEvents.PutEvents') return send(200, handlePutEvents(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
        // Anything else gets an answer, never silence: a caller must not hang on what the local bus does not do.
        return send(400, { __type: 'UnknownOperationException', message: `The local bus does not implement ${target || 'this request'}` });
      } catch (e) {
        return send(400, { __type: 'ValidationException', message: (e as Error).message });
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  bus.endpoint = `http://127.0.0.1:${port}`;
  bus.stop = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return bus;
}
