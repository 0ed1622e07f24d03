import { Duration, Validations } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionSpecs, type FunctionId } from '../../functions/catalog.ts';
import { routes } from '../../events/routes.ts';
import { EVENT_SOURCE, EVENT_TYPES } from '../../events/schemas.ts';
import { DLQ_RETENTION } from './queues.ts';
import type { ThiduaFunctions } from './functions.ts';

export const EVENT_BUS_NAME = 'thidua';

/** EventBridge delivery: retries before an event is parked in the DLQ. */
export const TARGET_RETRY_ATTEMPTS = 8;
export const TARGET_MAX_EVENT_AGE = Duration.hours(2);
/** Lambda's own retries of an accepted asynchronous invocation that failed in the handler. */
export const ASYNC_RETRY_ATTEMPTS = 2;

/**
 * The `thidua` event bus and its routing, built from the one route table (`events/routes.ts`):
 * one rule per event type, `{ source: [EVENT_SOURCE], detail-type: [type] }`, targeting the consumers.
 *
 * Failures end up in one encrypted, TLS-only dead-letter queue:
 * - events EventBridge could not deliver after its retries (throttling, missing permission), via the targets'
 *   dead-letter config, and
 * - invocations a consumer accepted but failed after Lambda's asynchronous retries, via its on-failure
 *   destination (the message is then a Lambda invocation record with the event in `requestPayload`).
 */
export class ThiduaRoutes extends Construct {
  readonly bus: EventBus;
  readonly deadLetterQueue: Queue;
  readonly rules = new Map<string, Rule>();

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.bus = new EventBus(this, 'Bus', { eventBusName: EVENT_BUS_NAME });

    this.deadLetterQueue = new Queue(this, 'TargetsDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: the DeadLetterConfig of the EventBridge rule targets and the ' +
        'on-failure destination of the event consumers. cdk-nag only recognises DLQs referenced by another queue\'s RedrivePolicy.',
    });
  }

  /** One rule per event type of the route table, targeting its consumers. Call once, after the functions exist. */
  connect(functions: ThiduaFunctions): void {
    const consumers = new Set<FunctionId>();
    for (const type of EVENT_TYPES) {
      const targets = routes[type];
      if (targets.length === 0) continue;
      const rule = new Rule(this, `${type}Rule`, {
        eventBus: this.bus,
        description: `${type} events to ${targets.join(', ')}`,
        eventPattern: { source: [EVENT_SOURCE], detailType: [type] },
      });
      for (const functionId of targets) {
        if (functionSpecs[functionId].trigger.kind !== 'events') {
          throw new Error(`Route ${type} targets ${functionId}, whose catalog trigger is not 'events'`);
        }
        rule.addTarget(
          new LambdaFunction(functions.get(functionId).function, {
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: TARGET_RETRY_ATTEMPTS,
            maxEventAge: TARGET_MAX_EVENT_AGE,
          }),
        );
        consumers.add(functionId);
      }
      this.rules.set(type, rule);
    }

    for (const functionId of consumers) {
      functions.get(functionId).function.configureAsyncInvoke({
        retryAttempts: ASYNC_RETRY_ATTEMPTS,
        maxEventAge: Duration.hours(6),
        onFailure: new SqsDestination(this.deadLetterQueue),
      });
    }
  }
}
