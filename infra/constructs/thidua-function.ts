import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, type IPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type FunctionUrl, FunctionUrlAuthType, InvokeMode, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Charset, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Access, FunctionSpec } from '../../shared/contract/catalog.ts';
import { DOCUMENTS_PREFIX, EMULATION_PREFIX, REPORTS_PREFIX, RESULTS_PREFIX, TEMPLATES_PREFIX } from '../../shared/contract/bucket.ts';
import { nagFindingValue } from '../nag.ts';
import { FUNCTIONS_WITH_PARSE_WORKER, parseWorkerHooks } from './parse-worker-bundle.ts';
import { fromRoot, PROJECT_ROOT } from '../paths.ts';

/** nodejs24.x: aws-cdk-lib 2.276 ships the constant, and cdk-nag's AwsSolutions-L1 accepts it as the latest Node.js runtime. */
export const NODE_RUNTIME: Runtime = Runtime.NODEJS_24_X;

export const LOG_RETENTION = RetentionDays.ONE_MONTH;

/** Defines `require` inside the ESM bundle, for the CommonJS dependencies esbuild inlines (they call require('node:...')). */
const REQUIRE_SHIM = "import { createRequire as __thiduaCreateRequire } from 'node:module'; const require = __thiduaCreateRequire(import.meta.url);";

/**
 * Table actions by catalog access level, listed one by one (no `grantReadData`, which adds Scan). Nothing in a
 * function scans; every access pattern is a GetItem, a BatchGetItem or a Query (shared/adapters/dynamo/keys.ts).
 * Write covers the repository's writes and Powertools idempotency (conditional PutItem, GetItem, UpdateItem,
 * DeleteItem). A TransactWriteItems call (intake's accepted report, a directive version) is authorised item by item
 * against these same actions: IAM has no action of its own for it. A BatchExecuteStatement (the fan-out's new
 * assignments and the mail log's claims, as PartiQL INSERTs) is authorised statement by statement: PartiQLInsert.
 */
export const DYNAMO_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;
export const DYNAMO_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert'] as const;
/** A GSI only accepts Query (and Scan, which nothing needs). */
export const DYNAMO_INDEX_ACTIONS = ['dynamodb:Query'] as const;

/** Reading a report file or a template, any version of it (HeadObject is covered by GetObject). */
export const S3_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'] as const;
/** Tagging one version of a report file (the lifecycle rule expires rejected ones by their tag). */
export const S3_TAG_ACTIONS = ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'] as const;
/** Writing one object: a template, or (through a presigned URL signed with the role) a report upload. */
export const S3_WRITE_ACTIONS = ['s3:PutObject'] as const;
/** A period's stored results (`results/<directive>/<period>.json`): read the previous period's, write this one's. */
export const S3_RESULTS_ACTIONS = ['s3:GetObject', 's3:PutObject'] as const;
/** The emulation year's papers (`emulation/*`): the console writes minutes, decisions and achievement reports and reads them back. */
export const S3_EMULATION_ACTIONS = ['s3:GetObject', 's3:PutObject'] as const;

export type BucketAccess = NonNullable<Access['bucket']>;

export interface ThiduaFunctionProps {
  /** Catalog id, e.g. `fan-out`: names the Powertools service. */
  readonly functionId: string;
  /** The catalog entry: entry file, description, timeout, memory. */
  readonly spec: FunctionSpec;
  /** Powertools metrics namespace shared by every function. */
  readonly metricsNamespace: string;
  readonly environment?: Record<string, string>;
  /** Reserved (and maximum) concurrent executions; unset: the account's shared pool. */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A thidua Lambda function with the project's defaults fixed once: Node.js 24 on arm64, ESM bundle built by the
 * local esbuild (minified, with source maps), X-Ray tracing, an explicit one-month log group, Powertools
 * environment, and its own role holding only what the grant methods add (no AWS managed policies).
 */
export class ThiduaFunction extends Construct implements IGrantable {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ThiduaFunctionProps) {
    super(scope, id);
    const { spec, functionId } = props;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: LOG_RETENTION,
      // Logs outlive a torn-down stack (audit trail); retention still bounds what is kept.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Own role instead of AWSLambdaBasicExecutionRole: writing to this log group only, not to logs:*.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `thidua ${functionId} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: fromRoot(spec.entry),
      handler: 'handler',
      description: spec.description,
      runtime: NODE_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: fromRoot('package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: `thidua-${functionId}`,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: REQUIRE_SHIM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        charset: Charset.UTF8,
        // The SDK version the handlers are tested against (package-lock), not whatever the runtime preinstalls.
        bundleAwsSDK: true,
        // Uploaded files are read in a worker thread: its bundle goes beside index.mjs.
        ...(FUNCTIONS_WITH_PARSE_WORKER.has(functionId) ? { commandHooks: parseWorkerHooks() } : {}),
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement CDK adds for active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords): ' +
        'these actions support no resource-level permissions, so Resource must be "*". Every other statement of this role names its resources.',
    });
  }

  get grantPrincipal(): IPrincipal {
    return this.function.grantPrincipal;
  }

  addEnvironment(name: string, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }

  /**
   * Table access by catalog level. Statements name the table and each GSI (no `index/*` wildcard);
   * indexes only get Query (read or readwrite alike: an index cannot be written).
   */
  grantTable(table: ITableV2, access: 'read' | 'readwrite', indexNames: readonly string[]): void {
    Grant.addToPrincipal({
      grantee: this,
      actions: access === 'readwrite' ? [...DYNAMO_READ_ACTIONS, ...DYNAMO_WRITE_ACTIONS] : [...DYNAMO_READ_ACTIONS],
      resourceArns: [table.tableArn],
    });
    if (indexNames.length > 0) {
      Grant.addToPrincipal({
        grantee: this,
        actions: [...DYNAMO_INDEX_ACTIONS],
        resourceArns: indexNames.map((name) => `${table.tableArn}/index/${name}`),
      });
    }
  }

  /**
   * The reports bucket by catalog access, on object prefixes only: readReports = Get(Version) on `reports/*`;
   * tagReports = Put(Version)Tagging on `reports/*` (a rejected file's expiry tag); presignReports = PutObject on
   * `reports/*` (a presigned URL carries the signer's permissions); readTemplates = Get on `templates/*`;
   * writeTemplates = PutObject on `templates/*`; results = Get and Put on `results/*`; documents = Get on
   * `documents/*`; emulationPapers = Get and Put on `emulation/*`. The one bucket-level action, ListBucket
   * (listReports), is bound to the `reports/` prefix.
   */
  grantReportsBucket(bucket: IBucket, access: BucketAccess): void {
    const reports = bucket.arnForObjects(`${REPORTS_PREFIX}*`);
    const templates = bucket.arnForObjects(`${TEMPLATES_PREFIX}*`);
    const results = bucket.arnForObjects(`${RESULTS_PREFIX}*`);
    const documents = bucket.arnForObjects(`${DOCUMENTS_PREFIX}*`);
    const emulation = bucket.arnForObjects(`${EMULATION_PREFIX}*`);
    const grants: [readonly string[], string[]][] = [];
    if (access.readReports) grants.push([S3_READ_ACTIONS, [reports]]);
    if (access.tagReports) grants.push([S3_TAG_ACTIONS, [reports]]);
    if (access.presignReports) grants.push([S3_WRITE_ACTIONS, [reports]]);
    if (access.readTemplates) grants.push([S3_READ_ACTIONS, [templates]]);
    if (access.writeTemplates) grants.push([S3_WRITE_ACTIONS, [templates]]);
    if (access.results) grants.push([S3_RESULTS_ACTIONS, [results]]);
    if (access.documents) grants.push([S3_READ_ACTIONS, [documents]]);
    if (access.presignDocuments) grants.push([S3_WRITE_ACTIONS, [documents]]);
    if (access.readResults) grants.push([['s3:GetObject'], [results]]);
    if (access.emulationPapers) grants.push([S3_EMULATION_ACTIONS, [emulation]]);
    for (const [actions, resourceArns] of grants) {
      Grant.addToPrincipal({ grantee: this, actions: [...actions], resourceArns });
      for (const arn of resourceArns) {
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagFindingValue(this, arn)}]`,
          reason:
            'Object actions (no bucket-level action, no ListBucket) on one key prefix of the reports bucket: every upload ' +
            'gets a new key (reports/<directive>/<period>/<unit>/<upload id>.<ext>), templates and digest tables one per unit and ' +
            'period, results one per directive and period (results/<directive>/<period>.json), directive documents one per ' +
            'upload (documents/<unit>/<upload id>/<file name>), the emulation year\'s papers one per directive, year and ' +
            'session, decision, review or nomination (emulation/<directive>/<year>/…), so the prefix is the ' +
            'narrowest resource that can name them.',
        });
      }
    }
    if (access.listReports) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${REPORTS_PREFIX}*`] } },
        }),
      );
    }
  }

  /** secretsmanager:GetSecretValue on one secret (not DescribeSecret or anything grantRead adds). */
  grantSecretValue(secret: ISecret): void {
    Grant.addToPrincipal({ grantee: this, actions: ['secretsmanager:GetSecretValue'], resourceArns: [secret.secretArn] });
  }

  /**
   * A public HTTPS endpoint (Lambda function URL, buffered responses, no CORS: the page calls only itself).
   * No IAM auth: the callers are unit staff following an emailed link; the handler verifies the HMAC-signed
   * token the link carries before reading or presigning anything.
   */
  addPublicUrl(): FunctionUrl {
    return this.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.BUFFERED });
  }

  /** sqs:SendMessage (and what SendMessageBatch needs) on one queue. */
  grantSend(queue: IQueue): void {
    queue.grantSendMessages(this);
  }
}
