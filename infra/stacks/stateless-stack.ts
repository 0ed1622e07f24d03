import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENV, type FunctionId } from '../../shared/contract/catalog.ts';
import type { ThiduaConfig } from '../config.ts';
import { DeadLetterAlarms } from '../constructs/alarms.ts';
import { ThiduaFunctions } from '../constructs/functions.ts';
import { ThiduaMail } from '../constructs/mail.ts';
import { ThiduaQueues } from '../constructs/queues.ts';
import { DOCUMENT_UPLOADS_QUEUE, REPORT_UPLOADS_QUEUE, ReportUploadNotifications } from '../constructs/report-uploads.ts';
import { ThiduaRoutes } from '../constructs/routes.ts';
import { ThiduaSchedules } from '../constructs/schedules.ts';
import { GSI_NAMES } from '../constructs/storage.ts';
import { ThiduaConsole } from '../constructs/console.ts';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';

export const METRICS_NAMESPACE = 'Thidua';

/**
 * Functions whose emails link to console pages and read CONSOLE_URL (the sweep's registration reminders). The
 * console itself is not one: it links with its request's origin, and its own distribution's address would make
 * the function depend on the distribution that depends on it.
 */
export const CONSOLE_LINKING_FUNCTIONS: readonly FunctionId[] = ['sweep'];

export interface ThiduaStatelessStackProps extends StackProps {
  /** The table of the stateful stack. */
  readonly table: ITableV2;
  /** The reports bucket of the stateful stack: its name, and its ARN as an explicit import (`Fn.importValue`). */
  readonly reportsBucket: { readonly bucketName: string; readonly bucketArn: string };
  /** The upload-link secret of the stateful stack. */
  readonly uploadSecret: ISecret;
  /** The console's users (Cognito) of the stateful stack. */
  readonly identity: { readonly userPool: IUserPool; readonly clientId: string };
  readonly config: ThiduaConfig;
}

/**
 * Everything that can be recreated from code: queues, functions (and the upload page's URL), the console's
 * CloudFront distribution (whose address the functions that email console links get), the bus and its rules,
 * the schedules, alarms, and the reports bucket's notification to the intake queue.
 */
export class ThiduaStatelessStack extends Stack {
  readonly queues: ThiduaQueues;
  readonly uploads: ReportUploadNotifications;
  readonly routes: ThiduaRoutes;
  readonly mail: ThiduaMail;
  readonly functions: ThiduaFunctions;
  readonly schedules: ThiduaSchedules;
  readonly alarms: DeadLetterAlarms;
  readonly console: ThiduaConsole;

  constructor(scope: Construct, id: string, props: ThiduaStatelessStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.queues = new ThiduaQueues(this, 'Queues');
    this.uploads = new ReportUploadNotifications(this, 'ReportUploads', {
      bucket: props.reportsBucket,
      queues: this.queues,
    });
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
      identity: props.identity,
      reports: {
        bucket: this.uploads.bucket,
        uploadSecret: props.uploadSecret,
        uploadsQueue: REPORT_UPLOADS_QUEUE,
        maxReportBytes: config.maxReportBytes,
        documentsQueue: DOCUMENT_UPLOADS_QUEUE,
        maxDocumentBytes: config.maxDocumentBytes,
      },
      ...(config.uploadReservedConcurrency > 0 ? { reservedConcurrency: { upload: config.uploadReservedConcurrency } } : {}),
      functionEnvironment: {
        upload: { [ENV.maxUploadsPerHour]: String(config.maxUploadsPerHour) },
        intake: { [ENV.rejectionMailWindowSeconds]: String(config.rejectionMailWindowMinutes * 60) },
        // The reminder policy, read by shared/adapters/wiring.ts#reminderPolicyFromEnv.
        sweep: {
          [ENV.remindBefore]: config.reminders.remindBefore.join(','),
          [ENV.overdueAfter]: config.reminders.overdueAfter.join(','),
          [ENV.escalateFrom]: String(config.reminders.escalateFrom),
          [ENV.statusDigestLevels]: config.statusDigestLevels,
        },
      },
    });
    this.routes.connect(this.functions, this.queues);
    this.schedules = new ThiduaSchedules(this, 'Schedules', { bus: this.routes.bus });
    new CfnOutput(this, 'EventBusName', { value: this.routes.bus.eventBusName, description: 'EVENT_BUS_NAME for thidua --aws' });
    new CfnOutput(this, 'UploadUrl', { value: this.functions.uploadUrl.url, description: 'The upload page (UPLOAD_BASE_URL for thidua --aws)' });
    this.console = new ThiduaConsole(this, 'Console', { fn: this.functions.get('console'), url: this.functions.urlOf('console') });
    // Same stack as the distribution, which depends on the console function only: no cycle.
    for (const id of CONSOLE_LINKING_FUNCTIONS) this.functions.get(id).addEnvironment(ENV.consoleUrl, this.console.origin);
    this.alarms = new DeadLetterAlarms(this, 'Alarms', {
      deadLetterQueues: [
        ...this.queues.deadLetterQueues,
        { name: 'event-targets-dlq', queue: this.routes.deadLetterQueue },
        { name: 'schedules-dlq', queue: this.schedules.deadLetterQueue },
      ],
      alarmEmail: config.alarmEmail,
    });
  }
}
