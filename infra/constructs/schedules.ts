import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { EventBridgePutEvents } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SCHEDULED_TIME, schedules, type ScheduleSpec } from '../../events/schedules.ts';
import { EVENT_SOURCE } from '../../events/schemas.ts';
import { pascal } from '../naming.ts';
import { standaloneDeadLetterQueue } from './queues.ts';

/**
 * Scheduler delivery (PutEvents on the bus): retries, and how late an occurrence may still be delivered. A late
 * sweep or period close is better than none, and the event carries its `scheduledTime`, so a late delivery still
 * does that occurrence's work.
 */
export const SCHEDULE_RETRY_ATTEMPTS = 10;
export const SCHEDULE_MAX_EVENT_AGE = Duration.hours(6);

export interface ThiduaSchedulesProps {
  /** The thidua bus: every schedule puts its event there, and the route table takes it from there. */
  readonly bus: IEventBus;
}

/**
 * One EventBridge Scheduler schedule per entry of `events/schedules.ts`: `cron(<spec.cron>)` in the spec's time
 * zone, no flexible window, enabled, with the universal PutEvents target on the thidua bus (detail-type =
 * `spec.event`, source = EVENT_SOURCE, detail = `spec.detail` plus `scheduledTime`, filled by the scheduler).
 *
 * All schedules share one execution role, assumable by scheduler.amazonaws.com for this account's default
 * schedule group only, allowed events:PutEvents on the bus and sqs:SendMessage on the schedules' dead-letter
 * queue (Scheduler delivers dead letters with the execution role). Occurrences that could not be put on the bus
 * after the retries land in that queue, which is encrypted, TLS-only and alarmed.
 */
export class ThiduaSchedules extends Construct {
  readonly role: Role;
  readonly deadLetterQueue: Queue;
  readonly schedules = new Map<string, Schedule>();

  constructor(scope: Construct, id: string, props: ThiduaSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.deadLetterQueue = standaloneDeadLetterQueue(this, 'Dlq', 'the DeadLetterConfig of the EventBridge Scheduler schedules');

    this.role = new Role(this, 'Role', {
      description: 'thidua schedules: EventBridge Scheduler puts the scheduled events on the thidua bus',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });

    for (const spec of schedules) {
      const schedule = new Schedule(this, pascal(spec.id), {
        scheduleName: `thidua-${spec.id}`,
        description: spec.description,
        schedule: ScheduleExpression.expression(`cron(${spec.cron})`, TimeZone.of(spec.timezone)),
        timeWindow: TimeWindow.off(),
        enabled: true,
        // The target grants the role events:PutEvents on the bus and sqs:SendMessage on the DLQ.
        target: new EventBridgePutEvents(
          { eventBus: props.bus, detailType: spec.event, source: EVENT_SOURCE, detail: ScheduleTargetInput.fromObject(detailOf(spec)) },
          {
            role: this.role,
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
            maxEventAge: SCHEDULE_MAX_EVENT_AGE,
          },
        ),
      });
      this.schedules.set(spec.id, schedule);
    }
  }
}

/** The event's detail: the spec's, plus the occurrence's time, substituted by the scheduler at each run. */
export function detailOf(spec: ScheduleSpec): Record<string, string> {
  return { ...spec.detail, scheduledTime: SCHEDULED_TIME };
}
