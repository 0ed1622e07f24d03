import { Duration } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionSpecs, type FunctionId, type FunctionSpec } from '../../shared/contract/catalog.ts';
import { routes, type Consumer } from '../../events/routes.ts';
import { EVENT_SOURCE, EVENT_TYPES } from '../../events/schemas.ts';
import { standaloneDeadLetterQueue, type ThiduaQueues } from './queues.ts';
import type { ThiduaFunctions } from './functions.ts';

export const EVENT_BUS_NAME = 'thidua';

/** EventBridge delivery: retries before an event is parked in the DLQ. */
export const TARGET_RETRY_ATTEMPTS = 8;
export const TARGET_MAX_EVENT_AGE = Duration.hours(2);
/** Lambda's own retries of an accepted asynchronous invocation that failed in the handler. */
export const ASYNC_RETRY_ATTEMPTS = 2;

const describeConsumer = (c: Consumer): string => ('function' in c ? `function ${c.function}` : `queue ${c.queue}`);

/**
 * The `thidua` event bus and its routing, built from the one route table (`events/routes.ts`):
 * one rule per event type, `{ source: [EVENT_SOURCE], detail-type: [type] }`, targeting the consumers
 * (Lambda functions, or SQS queues that their functions poll).
 *
 * Failures end up in one encrypted, TLS-only dead-letter queue:
 * - events EventBridge could not deliver after its retries (throttling, missing permission), via the targets'
 *   dead-letter config, and
 * - invocations a function consumer accepted but failed after Lambda's asynchronous retries, via its on-failure
 *   destination (the message is then a Lambda invocation record with the event in `requestPayload`).
 * An event delivered to a queue consumer that its function keeps failing on goes to that queue's own DLQ instead.
 */
export class ThiduaRoutes extends Construct {
  readonly bus: EventBus;
  readonly deadLetterQueue: Queue;
  readonly rules = new Map<string, Rule>();

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.bus = new EventBus(this, 'Bus', { eventBusName: EVENT_BUS_NAME });

    this.deadLetterQueue = standaloneDeadLetterQueue(
      this,
      'TargetsDlq',
      'the DeadLetterConfig of the EventBridge rule targets and the on-failure destination of the event consumers',
    );
  }

  /**
   * One rule per event type of the route table, targeting its consumers: a function is invoked asynchronously
   * once per event; a queue receives the whole event as its message body, for the function that polls it.
   * Call once, after the functions and queues exist.
   */
  connect(functions: ThiduaFunctions, queues: ThiduaQueues): void {
    const invoked = new Set<FunctionId>();
    for (const type of EVENT_TYPES) {
      const consumers = routes[type];
      if (consumers.length === 0) continue;
      const rule = new Rule(this, `${type}Rule`, {
        eventBus: this.bus,
        description: `${type} events to ${consumers.map(describeConsumer).join(', ')}`,
        eventPattern: { source: [EVENT_SOURCE], detailType: [type] },
      });
      const delivery = {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: TARGET_RETRY_ATTEMPTS,
        maxEventAge: TARGET_MAX_EVENT_AGE,
      };
      for (const consumer of consumers) {
        if ('function' in consumer) {
          const functionId = consumer.function;
          if (functionSpecs[functionId].trigger.kind !== 'events') {
            throw new Error(`Route ${type} targets function ${functionId}, whose catalog trigger is not 'events'`);
          }
          rule.addTarget(new LambdaFunction(functions.get(functionId).function, delivery));
          invoked.add(functionId);
        } else {
          const queueId = consumer.queue;
          const pollers = Object.values(functionSpecs as Record<string, FunctionSpec>).filter(
            (f) => f.trigger.kind === 'queue' && f.trigger.queue === queueId,
          );
          if (pollers.length === 0) throw new Error(`Route ${type} targets queue ${queueId}, which no function of the catalog polls`);
          // The target adds a statement to the queue's policy: events.amazonaws.com may SendMessage, for this
          // rule's ARN only (aws:SourceArn). The queue is SSE-SQS, so no KMS key grant is needed.
          rule.addTarget(new SqsQueue(queues.queue(queueId), delivery));
        }
      }
      this.rules.set(type, rule);
    }

    for (const functionId of invoked) {
      functions.get(functionId).function.configureAsyncInvoke({
        retryAttempts: ASYNC_RETRY_ATTEMPTS,
        maxEventAge: Duration.hours(6),
        onFailure: new SqsDestination(this.deadLetterQueue),
      });
    }
  }
}
