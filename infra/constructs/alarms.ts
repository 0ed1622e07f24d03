import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pascal } from '../naming.ts';

export interface DeadLetterAlarmsProps {
  /** Dead-letter queues to watch, each with a short name for the alarm. */
  readonly deadLetterQueues: readonly { name: string; queue: IQueue }[];
  /** Subscribed to the alarm topic: someone is always told (required at synth, infra/config.ts). */
  readonly alarmEmail: string;
}

/**
 * One alarm per dead-letter queue: any visible message means work that was given up on and needs a human
 * (inspect, fix, redrive). Alarms notify an SNS topic (TLS-only publishers) that `thidua:alarmEmail` is
 * subscribed to.
 */
export class DeadLetterAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: DeadLetterAlarmsProps) {
    super(scope, id);

    // Alarm notifications carry queue names and counts only. CloudWatch cannot publish to a topic encrypted with
    // the AWS-managed SNS key, so the topic is unencrypted rather than paying for a customer-managed key.
    this.topic = new Topic(this, 'Topic', { displayName: 'thidua dead-letter alarms', enforceSSL: true });
    this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    for (const { name, queue } of props.deadLetterQueues) {
      const alarm = new Alarm(this, `${pascal(name)}Alarm`, {
        alarmDescription: `Messages are waiting in the ${name} dead-letter queue: inspect them, fix the cause, redrive.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new SnsAction(this.topic));
      alarm.addOkAction(new SnsAction(this.topic));
      this.alarms.push(alarm);
    }
  }
}
