import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, FUNCTION_IDS, functionSpecs, type FunctionId, type FunctionSpec, type QueueId } from '../../shared/contract/catalog.ts';
import { pascal } from '../naming.ts';
import type { ThiduaMail } from './mail.ts';
import type { ThiduaQueues } from './queues.ts';
import { ThiduaFunction } from './thidua-function.ts';

/**
 * Who touches the emulation year's papers (`emulation/*`, kept without expiry), kept here because the catalog's
 * `access.bucket` has no flag for them yet: the console writes and reads them all; the mail sender reads the review
 * workbook the multi-year review email attaches (shared/app/review.ts#sendReview), and nothing else of the prefix.
 */

export interface ThiduaFunctionsProps {
  readonly table: ITableV2;
  /** GSIs the functions may query (named one by one in their policies). */
  readonly indexNames: readonly string[];
  readonly queues: ThiduaQueues;
  readonly bus: IEventBus;
  readonly mail: ThiduaMail;
  readonly idempotencyTtlSeconds: number;
  readonly metricsNamespace: string;
  /** Concurrent executions reserved for a function, which also caps it (the public upload page). */
  readonly reservedConcurrency?: Partial<Record<FunctionId, number>>;
  /** Settings one function reads and no other (e.g. the sweep's reminder policy), by function. */
  readonly functionEnvironment?: Partial<Record<FunctionId, Record<string, string>>>;
  readonly reports: ReportsProps;
  /** The console's user pool: functions whose catalog access has `identity` get its ids and the admin calls on it. */
  readonly identity?: { readonly userPool: IUserPool; readonly clientId: string };
}

export interface ReportsProps {
  /** The reports bucket (uploaded reports, templates). */
  readonly bucket: IBucket;
  /** The secret that signs upload links: its ARN is all a function is given. */
  readonly uploadSecret: ISecret;
  /** The queue S3 notifies of new report files: its consumer checks their size again. */
  readonly uploadsQueue: QueueId;
  /** The largest report file accepted. */
  readonly maxReportBytes: number;
  /** The queue S3 notifies of new directive documents: its consumer caps what it reads. */
  readonly documentsQueue: QueueId;
  /** The largest directive document read. */
  readonly maxDocumentBytes: number;
}

/**
 * Every function of the catalog, with the environment variables named in `ENV` and the grants its `access`
 * asks for, and nothing more:
 * - table: TABLE_NAME, read or read-write on the table and its GSIs;
 * - sendsTo: `<QUEUE>_QUEUE_URL` and send on each queue;
 * - queue trigger: an SQS event source (partial batch responses) and `<QUEUE>_DLQ_URL` with send on its own
 *   queue's DLQ, for poison messages the handler parks explicitly;
 * - putsEvents: EVENT_BUS_NAME and events:PutEvents on the bus;
 * - sendsMail: MAIL_FROM, SES_MAX_SEND_RATE and SES send on the one identity;
 * - bucket: REPORTS_BUCKET and the object actions its read / writeTemplates / presignReports / results ask for,
 * - uploadSecret: UPLOAD_TOKEN_SECRET_ARN and GetSecretValue on that secret (never the value itself); a function
 *   that signs links and is not the upload page also gets UPLOAD_BASE_URL, the page's function URL;
 * - http trigger: a public function URL (the upload page);
 * - MAX_REPORT_BYTES for the functions that presign report uploads or consume the uploads queue;
 * - plus what `functionEnvironment` gives that one function (the sweep's REMIND_BEFORE_WORKING_DAYS, ...).
 */
export class ThiduaFunctions extends Construct {
  private readonly functions = new Map<FunctionId, ThiduaFunction>();
  /** Function URLs of the functions with an `http` trigger. */
  readonly urls = new Map<FunctionId, FunctionUrl>();

  constructor(scope: Construct, id: string, props: ThiduaFunctionsProps) {
    super(scope, id);
    const { queues, reports } = props;

    for (const functionId of FUNCTION_IDS) {
      const spec: FunctionSpec = functionSpecs[functionId];
      const fn = new ThiduaFunction(this, pascal(functionId), {
        functionId,
        spec,
        metricsNamespace: props.metricsNamespace,
        ...(props.reservedConcurrency?.[functionId] !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency[functionId] } : {}),
        environment: {
          [ENV.table]: props.table.tableName,
          [ENV.idempotencyTtlSeconds]: String(props.idempotencyTtlSeconds),
          ...props.functionEnvironment?.[functionId],
        },
      });

      fn.grantTable(props.table, spec.access.table, props.indexNames);

      for (const queueId of spec.access.sendsTo) {
        const queue = queues.queue(queueId);
        fn.addEnvironment(ENV.queueUrl(queueId), queue.queueUrl);
        fn.grantSend(queue);
      }

      if (spec.trigger.kind === 'queue') {
        const { queue: queueId, batchSize, maxConcurrency, maxBatchingWindowSeconds } = spec.trigger;
        const dlq = queues.dlq(queueId);
        fn.addEnvironment(ENV.dlqUrl(queueId), dlq.queueUrl);
        fn.grantSend(dlq);
        fn.function.addEventSource(
          new SqsEventSource(queues.queue(queueId), {
            batchSize,
            maxConcurrency,
            ...(maxBatchingWindowSeconds !== undefined ? { maxBatchingWindow: Duration.seconds(maxBatchingWindowSeconds) } : {}),
            reportBatchItemFailures: true,
          }),
        );
      }

      if (spec.access.putsEvents) {
        fn.addEnvironment(ENV.eventBus, props.bus.eventBusName);
        props.bus.grantPutEventsTo(fn);
      }

      if (spec.access.sendsMail) {
        for (const [name, value] of Object.entries(props.mail.environment)) fn.addEnvironment(name, value);
        props.mail.grantSend(fn);
      }

      if (spec.access.bucket) {
        fn.addEnvironment(ENV.reportsBucket, reports.bucket.bucketName);
        fn.grantReportsBucket(reports.bucket, spec.access.bucket);
      }

      if (spec.access.uploadSecret) {
        fn.addEnvironment(ENV.uploadSecretArn, reports.uploadSecret.secretArn);
        fn.grantSecretValue(reports.uploadSecret);
      }

      if (spec.access.identity) {
        if (!props.identity) throw new Error(`${functionId} needs the console's user pool (props.identity)`);
        fn.addEnvironment(ENV.cognitoUserPoolId, props.identity.userPool.userPoolId);
        fn.addEnvironment(ENV.cognitoClientId, props.identity.clientId);
        // Creating and looking up users; signing in and resetting passwords are public calls of the app client.
        props.identity.userPool.grant(fn, 'cognito-idp:AdminCreateUser', 'cognito-idp:AdminGetUser');
      }

      const consumesUploads = spec.trigger.kind === 'queue' && spec.trigger.queue === reports.uploadsQueue;
      if (spec.access.bucket?.presignReports || consumesUploads) {
        fn.addEnvironment(ENV.maxReportBytes, String(reports.maxReportBytes));
      }
      if ((spec.trigger.kind === 'queue' && spec.trigger.queue === reports.documentsQueue) || spec.access.bucket?.presignDocuments) {
        fn.addEnvironment(ENV.maxDocumentBytes, String(reports.maxDocumentBytes));
      }

      if (spec.trigger.kind === 'http') this.urls.set(functionId, fn.addPublicUrl());

      this.functions.set(functionId, fn);
    }

    // Functions that sign upload links (and are not the page itself) point them at the upload page.
    for (const [id, fn] of this.all()) {
      if (specOf(id).access.uploadSecret && id !== UPLOAD_PAGE) fn.addEnvironment(ENV.uploadBaseUrl, this.uploadUrl.url);
    }
  }

  /** The function URL of the upload page. */
  get uploadUrl(): FunctionUrl {
    return this.urlOf(UPLOAD_PAGE);
  }

  /** The function URL of an http function of the catalog (the console's is behind CloudFront). */
  urlOf(functionId: FunctionId): FunctionUrl {
    const url = this.urls.get(functionId);
    if (!url) throw new Error(`${functionId} has no function URL: its catalog trigger is not http`);
    return url;
  }

  get(functionId: FunctionId): ThiduaFunction {
    const fn = this.functions.get(functionId);
    if (!fn) throw new Error(`Function ${functionId} is not in the catalog`);
    return fn;
  }

  all(): [FunctionId, ThiduaFunction][] {
    return [...this.functions];
  }
}

const specOf = (id: FunctionId): FunctionSpec => functionSpecs[id];
/** The function whose URL the upload links point to. */
const UPLOAD_PAGE: FunctionId = 'upload';
