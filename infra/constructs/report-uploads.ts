import { type CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Bucket, EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueId } from '../../shared/contract/catalog.ts';
import { bucketNotifications } from '../../events/routes.ts';
import { LOG_RETENTION } from './thidua-function.ts';

/** The catalog queue S3 notifies of new report files (its consumer is the intake function). */
export const REPORT_UPLOADS_QUEUE: QueueId = 'intake';
/** The catalog queue S3 notifies of new directive documents (its consumer is the document function). */
export const DOCUMENT_UPLOADS_QUEUE: QueueId = 'documents';

/**
 * Construct id of the Lambda function aws-cdk-lib creates, once per stack, to apply `Custom::S3BucketNotifications`
 * (`aws-s3/lib/notifications-resource/notifications-resource-handler.ts`). The tests fail if it ever changes.
 */
export const BUCKET_NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

export interface ReportUploadNotificationsProps {
  /** The reports bucket of the stateful stack (name and ARN, imported into this stack). */
  readonly bucket: { readonly bucketName: string; readonly bucketArn: string };
  /** The catalog's queues: each prefix of `bucketNotifications` (events/routes.ts) is announced on its queue. */
  readonly queues: { queue(id: QueueId): IQueue };
}

/**
 * S3 → SQS: every object created under a prefix of `bucketNotifications` (events/routes.ts) is announced on that
 * prefix's queue: `reports/` on the intake queue, `documents/` on the documents queue.
 *
 * The bucket lives in the stateful stack and the queue here. Configuring the notification on the bucket itself
 * would make the stateful stack reference the queue while this stack references the bucket: a cycle. So the
 * bucket is imported here (`Bucket.fromBucketAttributes`) and CDK applies the notification with its
 * `Custom::S3BucketNotifications` resource. For an imported bucket the resource is unmanaged: it adds and removes
 * only its own configuration, leaving any other notification on the bucket alone. Each queue's policy lets
 * s3.amazonaws.com send, for this bucket only (aws:SourceArn).
 *
 * The CDK handler behind the custom resource runs only during deployments. It gets its own role, like the
 * thidua functions: s3:GetBucketNotification and s3:PutBucketNotification on this one bucket and writing to its
 * own one-month log group, instead of the AWSLambdaBasicExecutionRole managed policy CDK would attach. Its
 * runtime is aws-cdk-lib's choice (the latest Python it knows, python3.13 in 2.276) and moves with aws-cdk-lib
 * upgrades; cdk-nag's AwsSolutions-L1 does not apply to it (a raw `AWS::Lambda::Function` CfnResource, not a
 * CfnFunction), and the tests pin it to a python3.x runtime.
 */
export class ReportUploadNotifications extends Construct {
  /** The reports bucket as this stack sees it (imported): grants and environment variables use it. */
  readonly bucket: IBucket;
  readonly handlerRole: Role;
  readonly handlerLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ReportUploadNotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.handlerLogGroup = new LogGroup(this, 'HandlerLogGroup', {
      retention: LOG_RETENTION,
      // Deploy-time logs of a CDK helper, not an audit trail of thidua's own work.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.handlerRole = new Role(this, 'HandlerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'thidua: CDK handler applying the S3 notification of the reports bucket (deploy time only)',
    });

    this.bucket = Bucket.fromBucketAttributes(this, 'Bucket', {
      bucketArn: props.bucket.bucketArn,
      bucketName: props.bucket.bucketName,
      // Immutable for the handler: CDK's own additions to it (the managed policy, its inline policy) are dropped,
      // and the role gets exactly the statements below.
      notificationsHandlerRole: this.handlerRole.withoutPolicyUpdates(),
    });
    for (const { prefix, queue } of bucketNotifications) {
      this.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(props.queues.queue(queue)), { prefix });
    }

    // What CDK's inline policy would grant for an unmanaged (imported) bucket, on the same single bucket ARN.
    Grant.addToPrincipal({
      grantee: this.handlerRole,
      actions: ['s3:GetBucketNotification', 's3:PutBucketNotification'],
      resourceArns: [this.bucket.bucketArn],
    });
    this.handlerLogGroup.grantWrite(this.handlerRole);

    // The handler function depends on the whole role (policy included), and the custom resource on the handler.
    const handler = stack.node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER_ID);
    const fn = handler?.node.defaultChild as CfnResource | undefined;
    if (!fn || fn.cfnResourceType !== 'AWS::Lambda::Function') {
      throw new Error(`The CDK bucket notifications handler (${BUCKET_NOTIFICATIONS_HANDLER_ID}) was not found: has aws-cdk-lib renamed it?`);
    }
    fn.addPropertyOverride('LoggingConfig', { LogGroup: this.handlerLogGroup.logGroupName });
  }
}
