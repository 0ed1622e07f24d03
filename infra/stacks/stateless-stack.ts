import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { ThiduaConfig } from '../config.ts';
import { DeadLetterAlarms } from '../constructs/alarms.ts';
import { ThiduaFunctions } from '../constructs/functions.ts';
import { ThiduaMail } from '../constructs/mail.ts';
import { ThiduaQueues } from '../constructs/queues.ts';
import { ThiduaRoutes } from '../constructs/routes.ts';
import { GSI_NAMES } from '../constructs/storage.ts';

export const METRICS_NAMESPACE = 'Thidua';

export interface ThiduaStatelessStackProps extends StackProps {
  /** The table of the stateful stack. */
  readonly table: ITableV2;
  readonly config: ThiduaConfig;
}

/** Everything that can be recreated from code: queues, functions, the bus and its rules, alarms. */
export class ThiduaStatelessStack extends Stack {
  readonly queues: ThiduaQueues;
  readonly routes: ThiduaRoutes;
  readonly mail: ThiduaMail;
  readonly functions: ThiduaFunctions;
  readonly alarms: DeadLetterAlarms;

  constructor(scope: Construct, id: string, props: ThiduaStatelessStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.queues = new ThiduaQueues(this, 'Queues');
    this.routes = new ThiduaRoutes(this, 'Routes');
    this.mail = new ThiduaMail(this, 'Mail', {
      sesIdentity: config.sesIdentity,
      mailFrom: config.mailFrom,
      sesMaxSendRate: config.sesMaxSendRate,
    });
    this.functions = new ThiduaFunctions(this, 'Functions', {
      table: props.table,
      indexNames: GSI_NAMES,
      queues: this.queues,
      bus: this.routes.bus,
      mail: this.mail,
      idempotencyTtlSeconds: config.idempotencyTtlSeconds,
      metricsNamespace: METRICS_NAMESPACE,
    });
    this.routes.connect(this.functions);
    new CfnOutput(this, 'EventBusName', { value: this.routes.bus.eventBusName, description: 'EVENT_BUS_NAME for thidua --aws' });
    this.alarms = new DeadLetterAlarms(this, 'Alarms', {
      deadLetterQueues: [...this.queues.deadLetterQueues, { name: 'event-targets-dlq', queue: this.routes.deadLetterQueue }],
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });
  }
}
