import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSOLE_ORIGIN_HEADER,
  VIEWER_HOST_FUNCTION,
  ENV,
  FUNCTION_IDS,
  functionSpecs,
  queues as queueSpecs,
  visibilityTimeoutSeconds,
  type FunctionId,
  type FunctionSpec,
  type QueueId,
} from '../shared/contract/catalog.ts';
import { routes, type Consumer } from '../events/routes.ts';
import { SCHEDULED_TIME, schedules } from '../events/schedules.ts';
import { EVENT_SOURCE, EVENT_TYPES } from '../events/schemas.ts';
import { buildApp, type ThiduaApp } from '../infra/app.ts';
import { cdkJsonContext, DEFAULT_MAX_REPORT_BYTES } from '../infra/config.ts';
import { BUCKET_NOTIFICATIONS_HANDLER_ID, DOCUMENT_UPLOADS_QUEUE, REPORT_UPLOADS_QUEUE } from '../infra/constructs/report-uploads.ts';
import { FUNCTIONS_WITH_PARSE_WORKER } from '../infra/constructs/parse-worker-bundle.ts';
import { CONSOLE_LINKING_FUNCTIONS } from '../infra/stacks/stateless-stack.ts';
import { decisionKey, EMULATION_PREFIX, minutesKey, reviewKey } from '../shared/contract/bucket.ts';
import { PARSE_WORKER_CHUNKS } from '../shared/runtime/parse-worker-build.ts';
import { DOCUMENT_BUDGET, REPORT_BUDGET } from '../shared/runtime/parse-budget.ts';
import { PARSE_WORKER_FILE, runInSandbox } from '../shared/runtime/sandbox.ts';
import { csvOf, expectedFor, sampleDirective as sampleReportDirective, utf8 } from './fixtures/reports/build.ts';

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

type Json = Record<string, any>;

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

interface Synthesized {
  /** What app.synth() threw: validation plugins throw when a rule fails. */
  error: Error | undefined;
  /** validation-report.json of the cloud assembly: what `cdk synth` prints. */
  report: ValidationReport | undefined;
  outdir: string;
}

/** Synthesizes like the CLI does and keeps both outcomes (templates are written before validation runs). */
function synthesize(app: App, outdir: string): Synthesized {
  let error: Error | undefined;
  try {
    app.synth();
  } catch (e) {
    error = e as Error;
  }
  const reportFile = join(outdir, 'validation-report.json');
  const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as ValidationReport) : undefined;
  return { error, report, outdir };
}

/** `RuleId @ construct path` for every AwsSolutions finding the report still holds (acknowledged ones are gone). */
function nagFindings(report: ValidationReport | undefined): string[] {
  return (report?.pluginReports ?? [])
    .filter((r) => r.pluginName === 'AwsSolutions')
    .flatMap((r) => r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.severity} ${v.ruleName} @ ${c.constructPath}`)));
}

function templateOf(outdir: string, stack: Stack): Template {
  return Template.fromJSON(JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')) as Json);
}

function logicalId(construct: IConstruct): string {
  const stack = Stack.of(construct);
  return stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
}

/** `Fn::Join`/`Ref` → `arn:${AWS::Partition}:…` so ARNs can be compared as strings. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  if (v['Ref']) return `\${${v['Ref']}}`;
  if (v['Fn::ImportValue']) return `\${Import:${v['Fn::ImportValue']}}`;
  if (v['Fn::Join']) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(sep);
  }
  return JSON.stringify(value);
}

const asArray = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Every statement of every identity policy in the template. */
function policyStatements(template: Template): { policy: string; statement: Json }[] {
  return Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([policy, r]) =>
    asArray((r as Json)['Properties']['PolicyDocument']['Statement'] as Json[]).map((statement) => ({ policy, statement })),
  );
}

const specOf = (id: FunctionId): FunctionSpec => functionSpecs[id];

// ---------------------------------------------------------------------------------------------------------------
// Prepare: synth the real app once (bundling every function with esbuild takes a few seconds)
// ---------------------------------------------------------------------------------------------------------------

let built: ThiduaApp;
let synthesized: Synthesized;
let stateful: Template;
let stateless: Template;
const context = cdkJsonContext();
const outdirs: string[] = [];

beforeAll(() => {
  const outdir = mkdtempSync(join(tmpdir(), 'thidua-cdk-'));
  outdirs.push(outdir);
  // Environment-agnostic on purpose: the assertions must not depend on the developer's AWS profile.
  built = buildApp({ outdir, env: {} });
  synthesized = synthesize(built.app, outdir);
  stateful = templateOf(outdir, built.stateful);
  stateless = templateOf(outdir, built.stateless);
});

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------------------------

describe('stateful stack: the table', () => {
  it('is on-demand, PITR, encrypted, with TTL, both GSIs, and retained', () => {
    // Act
    const tables = stateful.findResources('AWS::DynamoDB::GlobalTable');

    // Assess
    expect(Object.keys(tables)).toHaveLength(1);
    const [table] = Object.values(tables) as Json[];
    const props = table!['Properties'];
    expect(table!['DeletionPolicy']).toBe('Retain');
    expect(props['BillingMode']).toBe('PAY_PER_REQUEST');
    expect(props['KeySchema']).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(props['SSESpecification']).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(props['TimeToLiveSpecification']).toEqual({ AttributeName: 'expiration', Enabled: true });
    expect(props['Replicas']).toHaveLength(1);
    expect(props['Replicas'][0]['PointInTimeRecoverySpecification']).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(props['Replicas'][0]['DeletionProtectionEnabled']).toBe(true);
    for (const name of ['GSI1', 'GSI2']) {
      expect(props['GlobalSecondaryIndexes']).toContainEqual({
        IndexName: name,
        KeySchema: [
          { AttributeName: `${name}PK`, KeyType: 'HASH' },
          { AttributeName: `${name}SK`, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      });
    }
    expect(props['GlobalSecondaryIndexes']).toHaveLength(2);
  });

  it('holds only what must outlive deployments: the table, the reports bucket and its log bucket, the upload-link secret, the console\'s users', () => {
    // Act
    const types = Object.values(stateful.toJSON()['Resources'] as Json).map((r) => (r as Json)['Type'] as string);

    // Assess
    expect(types.filter((t) => t !== 'AWS::CDK::Metadata').sort()).toEqual(
      [
        'AWS::DynamoDB::GlobalTable',
        'AWS::S3::Bucket',
        'AWS::S3::Bucket',
        'AWS::S3::BucketPolicy',
        'AWS::S3::BucketPolicy',
        'AWS::SecretsManager::Secret',
        'AWS::Cognito::UserPool',
        'AWS::Cognito::UserPoolClient',
      ].sort(),
    );
  });

  it('the console\'s users: email sign-in, no self sign-up, a strong password policy, retained; one client, no secret, USER_PASSWORD_AUTH', () => {
    // Act
    const pools = Object.values(stateful.findResources('AWS::Cognito::UserPool')) as Json[];
    const clients = Object.values(stateful.findResources('AWS::Cognito::UserPoolClient')) as Json[];

    // Assess
    expect(pools).toHaveLength(1);
    const pool = pools[0]!;
    expect(pool['DeletionPolicy']).toBe('Retain');
    expect(pool['Properties']).toMatchObject({
      UsernameAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: { MinimumLength: 10, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      DeletionProtection: 'ACTIVE',
    });
    expect(clients).toHaveLength(1);
    expect(clients[0]!['Properties']).toMatchObject({ GenerateSecret: false, PreventUserExistenceErrors: 'ENABLED', EnableTokenRevocation: true });
    expect([...(clients[0]!['Properties']['ExplicitAuthFlows'] as string[])].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Reports bucket and upload-link secret
// ---------------------------------------------------------------------------------------------------------------

describe('stateful stack: the reports bucket and the upload-link secret', () => {
  const resources = (): Json => stateful.toJSON()['Resources'] as Json;
  const bucketId = (): string => logicalId(built.stateful.reports.bucket);
  const logBucketId = (): string => logicalId(built.stateful.reports.accessLogs);
  const bucketPolicyOf = (id: string): Json[] =>
    (Object.values(stateful.findResources('AWS::S3::BucketPolicy')) as Json[])
      .filter((p) => p['Properties']['Bucket']['Ref'] === id)
      .flatMap((p) => asArray(p['Properties']['PolicyDocument']['Statement'] as Json[]));

  it('reports bucket: versioned, SSE-S3, every public access blocked, bucket-owner-enforced, retained', () => {
    // Act
    const bucket = resources()[bucketId()];
    const props = bucket['Properties'];

    // Assess
    expect(bucket['DeletionPolicy']).toBe('Retain');
    expect(bucket['UpdateReplacePolicy']).toBe('Retain');
    expect(props['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    expect(props['BucketEncryption']).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(props['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(props['OwnershipControls']).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(props['NotificationConfiguration']).toBeUndefined();
  });

  it.each([['reports bucket', bucketId], ['access log bucket', logBucketId]] as const)('%s: its policy denies every request not made over TLS', (_name, idOf) => {
    // Prepare
    const id = idOf();

    // Act
    const deny = bucketPolicyOf(id).filter((st) => st['Effect'] === 'Deny');

    // Assess
    expect(deny).toHaveLength(1);
    expect(deny[0]!['Action']).toBe('s3:*');
    expect(deny[0]!['Principal']).toEqual({ AWS: '*' });
    expect(deny[0]!['Condition']).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    expect(deny[0]!['Resource']).toEqual([{ 'Fn::GetAtt': [id, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] }]);
  });

  it('reports bucket: noncurrent versions expire after 400 days, templates/ after 90, current reports and results never', () => {
    // Act
    const rules = resources()[bucketId()]['Properties']['LifecycleConfiguration']['Rules'] as Json[];

    // Assess
    const bucketWide = rules.filter((r) => r['Prefix'] === undefined && r['Filter'] === undefined);
    expect(bucketWide).toHaveLength(1);
    expect(bucketWide[0]!['NoncurrentVersionExpiration']).toEqual({ NoncurrentDays: 400 });
    expect(bucketWide[0]!['ExpirationInDays']).toBeUndefined();
    const templates = rules.filter((r) => r['Prefix'] === 'templates/');
    expect(templates).toHaveLength(1);
    expect(templates[0]!['ExpirationInDays']).toBe(90);
    for (const rule of rules) expect(rule['Status']).toBe('Enabled');
    // A rejected upload, tagged by the intake, expires after 30 days; accepted reports and the stored period results
    // (the next period compares against them) have no expiring rule of their own.
    const rejected = rules.filter((r) => r['Id'] === 'expire-rejected-uploads');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ Prefix: 'reports/', TagFilters: [{ Key: 'thidua-outcome', Value: 'rejected' }], ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 1 } });
    const untagged = rules.filter((r) => r['TagFilters'] === undefined);
    expect(untagged.filter((r) => r['ExpirationInDays'] !== undefined).map((r) => r['Prefix'])).toEqual(['templates/']);
    const scoped = untagged.map((r) => (r['Prefix'] ?? r['Filter']?.['Prefix']) as string | undefined).filter((p) => p !== undefined);
    expect(scoped).toEqual(['templates/']);
    expect(scoped.some((p) => 'results/'.startsWith(p) || 'reports/'.startsWith(p))).toBe(false);
  });

  it('reports bucket: the emulation year\'s papers (emulation/) are never expired, only their earlier versions after 400 days', () => {
    // Prepare
    const covers = (rule: Json, key: string): boolean => key.startsWith((rule['Prefix'] ?? rule['Filter']?.['Prefix'] ?? '') as string);
    const papers = [minutesKey('ct-23', 2026, 's1'), decisionKey('ct-23', 2026, 'qd-1')];

    // Act
    const rules = resources()[bucketId()]['Properties']['LifecycleConfiguration']['Rules'] as Json[];
    const applying = rules.filter((r) => papers.some((key) => covers(r, key)));

    // Assess
    expect(EMULATION_PREFIX).toBe('emulation/');
    expect(papers.every((key) => key.startsWith(EMULATION_PREFIX))).toBe(true);
    // Only the bucket-wide rule reaches them: no expiry of current objects, earlier versions kept 400 days.
    expect(applying.map((r) => r['Id'])).toEqual(['expire-noncurrent-versions']);
    expect(applying[0]!['ExpirationInDays']).toBeUndefined();
    expect(applying[0]!['ExpirationDate']).toBeUndefined();
    expect(applying[0]!['NoncurrentVersionExpiration']).toEqual({ NoncurrentDays: 400 });
  });

  it('reports bucket: CORS allows only PUT (presigned uploads from the upload page), nothing to read', () => {
    // Act
    const cors = resources()[bucketId()]['Properties']['CorsConfiguration']['CorsRules'] as Json[];

    // Assess
    expect(cors).toHaveLength(1);
    expect(cors[0]!['AllowedMethods']).toEqual(['PUT']);
    expect(cors[0]!['AllowedOrigins']).toEqual(['*']);
    // Exactly the headers a presigned upload signs (shared/adapters/s3.ts#presignPut).
    expect([...(cors[0]!['AllowedHeaders'] as string[])].sort()).toEqual(['content-length', 'content-type', 'if-none-match']);
  });

  it('reports bucket: server access logs go to a separate, encrypted, private log bucket, written by S3 logging only', () => {
    // Act
    const logging = resources()[bucketId()]['Properties']['LoggingConfiguration'];
    const logBucket = resources()[logBucketId()];
    const allows = bucketPolicyOf(logBucketId()).filter((st) => st['Effect'] === 'Allow');

    // Assess
    expect(logging['DestinationBucketName']).toEqual({ Ref: logBucketId() });
    expect(logBucket['DeletionPolicy']).toBe('Retain');
    expect(logBucket['Properties']['BucketEncryption']['ServerSideEncryptionConfiguration'][0]['ServerSideEncryptionByDefault']).toEqual({ SSEAlgorithm: 'AES256' });
    expect(logBucket['Properties']['PublicAccessBlockConfiguration']).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(logBucket['Properties']['AccessControl']).toBeUndefined();
    expect(allows).toHaveLength(1);
    expect(allows[0]!['Principal']).toEqual({ Service: 'logging.s3.amazonaws.com' });
    expect(allows[0]!['Action']).toBe('s3:PutObject');
    expect(allows[0]!['Condition']['ArnLike']).toEqual({ 'aws:SourceArn': { 'Fn::GetAtt': [bucketId(), 'Arn'] } });
  });

  it('upload-link secret: generated (48 letters and digits), retained, never rotated, never in an output or environment', () => {
    // Act
    const secrets = stateful.findResources('AWS::SecretsManager::Secret');
    const [secret] = Object.values(secrets) as Json[];

    // Assess
    expect(Object.keys(secrets)).toHaveLength(1);
    expect(secret!['DeletionPolicy']).toBe('Retain');
    expect(secret!['Properties']['GenerateSecretString']).toMatchObject({ PasswordLength: 48, ExcludePunctuation: true });
    expect(secret!['Properties']['SecretString']).toBeUndefined();
    expect(Object.keys(stateful.findResources('AWS::SecretsManager::RotationSchedule'))).toEqual([]);
    expect(Object.keys(stateless.findResources('AWS::SecretsManager::RotationSchedule'))).toEqual([]);
    // The functions get the ARN; the value itself (UPLOAD_TOKEN_SECRET) is only ever set locally.
    for (const fn of Object.values(stateless.findResources('AWS::Lambda::Function')) as Json[]) {
      expect(Object.keys(fn['Properties']['Environment']?.['Variables'] ?? {})).not.toContain(ENV.uploadSecret);
    }
  });

  it('outputs: TABLE_NAME, the reports bucket name, the secret ARN; the stateless stack outputs the upload page URL', () => {
    // Act
    const outputs = stateful.toJSON()['Outputs'] as Json;
    const statelessOutputs = stateless.toJSON()['Outputs'] as Json;

    // Assess
    expect(outputs['TableName']['Value']).toEqual({ Ref: logicalId(built.stateful.table) });
    expect(outputs['ReportsBucketName']['Value']).toEqual({ Ref: bucketId() });
    expect(outputs['UploadTokenSecretArn']['Value']).toEqual({ Ref: logicalId(built.stateful.reports.uploadSecret) });
    expect(statelessOutputs['UploadUrl']['Value']).toEqual({ 'Fn::GetAtt': [logicalId(built.stateless.functions.uploadUrl), 'FunctionUrl'] });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------------------------------------------

describe('stateless stack: queues', () => {
  const queueIds = Object.keys(queueSpecs) as QueueId[];

  it.each(queueIds)('%s: redrive from the catalog, DLQ kept 14 days, SSE-SQS', (queueId) => {
    // Prepare
    const queueLogicalId = logicalId(built.stateless.queues.queue(queueId));
    const dlqLogicalId = logicalId(built.stateless.queues.dlq(queueId));

    // Act
    const queue = stateless.toJSON()['Resources'][queueLogicalId]['Properties'];
    const dlq = stateless.toJSON()['Resources'][dlqLogicalId]['Properties'];

    // Assess
    expect(queue['RedrivePolicy']).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqLogicalId, 'Arn'] },
      maxReceiveCount: queueSpecs[queueId].maxReceiveCount,
    });
    expect(queue['SqsManagedSseEnabled']).toBe(true);
    expect(dlq['SqsManagedSseEnabled']).toBe(true);
    expect(dlq['MessageRetentionPeriod']).toBe(14 * 24 * 3600);
  });

  it('the catalog queues include notify (fed by the notification rules) and results (fed by ReportAccepted and ResultsDue)', () => {
    // Assess
    expect(queueIds).toEqual(expect.arrayContaining(['notify', 'results']));
  });

  it('results: one period at a time (batch 1, at most 2 concurrent), visibility 6 × 300 s', () => {
    // Prepare
    const resources = stateless.toJSON()['Resources'] as Json;
    const fnId = logicalId(built.stateless.functions.get('results').function);

    // Act
    const queue = resources[logicalId(built.stateless.queues.queue('results'))]['Properties'];
    const mappings = (Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping')) as Json[]).filter(
      (m) => m['Properties']['FunctionName']?.['Ref'] === fnId,
    );

    // Assess
    expect(queue['VisibilityTimeout']).toBe(1800);
    expect(queue['RedrivePolicy']['maxReceiveCount']).toBe(4);
    expect(resources[fnId]['Properties']['Timeout']).toBe(300);
    expect(resources[fnId]['Properties']['MemorySize']).toBe(2048);
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!['Properties']['EventSourceArn']).toEqual({ 'Fn::GetAtt': [logicalId(built.stateless.queues.queue('results')), 'Arn'] });
    expect(mappings[0]!['Properties']['BatchSize']).toBe(1);
    expect(mappings[0]!['Properties']['ScalingConfig']).toEqual({ MaximumConcurrency: 2 });
    expect(mappings[0]!['Properties']['MaximumBatchingWindowInSeconds']).toBeUndefined();
  });

  it.each(queueIds)('%s: visibility timeout is the catalog\'s, at least 6 × the timeout of each consumer', (queueId) => {
    // Prepare
    const consumers = FUNCTION_IDS.filter((id) => {
      const trigger = specOf(id).trigger;
      return trigger.kind === 'queue' && trigger.queue === queueId;
    });
    const resources = stateless.toJSON()['Resources'] as Json;

    // Act
    const visibility = resources[logicalId(built.stateless.queues.queue(queueId))]['Properties']['VisibilityTimeout'] as number;

    // Assess
    expect(visibility).toBe(visibilityTimeoutSeconds(queueId));
    expect(consumers.length).toBeGreaterThan(0);
    for (const id of consumers) {
      const deployedTimeout = resources[logicalId(built.stateless.functions.get(id).function)]['Properties']['Timeout'] as number;
      expect(deployedTimeout).toBe(specOf(id).timeoutSeconds);
      expect(visibility).toBeGreaterThanOrEqual(6 * deployedTimeout);
    }
  });

  it('every queue (work, DLQ, event-target DLQ, schedules DLQ) has a policy denying non-TLS requests', () => {
    // Prepare
    const queueIdsInTemplate = Object.keys(stateless.findResources('AWS::SQS::Queue'));
    const policies = Object.values(stateless.findResources('AWS::SQS::QueuePolicy')) as Json[];

    // Act
    const tlsOnly = new Set(
      policies
        .filter((p) =>
          asArray(p['Properties']['PolicyDocument']['Statement'] as Json[]).some(
            (s) => s['Effect'] === 'Deny' && s['Condition']?.['Bool']?.['aws:SecureTransport'] === 'false' && s['Action'] === 'sqs:*',
          ),
        )
        .flatMap((p) => (p['Properties']['Queues'] as Json[]).map((q) => q['Ref'] as string)),
    );

    // Assess
    expect(queueIdsInTemplate).toHaveLength(2 * queueIds.length + 2);
    expect(queueIdsInTemplate.filter((id) => !tlsOnly.has(id))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------------------------

describe('stateless stack: functions', () => {
  it('one function per catalog entry, all nodejs24.x on arm64 with active tracing (plus the CDK bucket notifications handler)', () => {
    // Prepare
    const catalogIds = FUNCTION_IDS.map((id) => logicalId(built.stateless.functions.get(id).function));

    // Act
    const all = stateless.findResources('AWS::Lambda::Function');
    const fns = catalogIds.map((id) => all[id] as Json);
    const others = Object.keys(all).filter((id) => !catalogIds.includes(id));

    // Assess
    expect(others).toHaveLength(1);
    expect(others[0]).toMatch(new RegExp(`^${BUCKET_NOTIFICATIONS_HANDLER_ID}`));
    for (const fn of fns) {
      expect(fn['Properties']['Runtime']).toBe('nodejs24.x');
      expect(fn['Properties']['Architectures']).toEqual(['arm64']);
      expect(fn['Properties']['TracingConfig']).toEqual({ Mode: 'Active' });
    }
  });

  it.each(FUNCTION_IDS)('%s: timeout, memory, ESM bundle and its own one-month log group from the catalog', (id) => {
    // Prepare
    const fn = built.stateless.functions.get(id);
    const resources = stateless.toJSON()['Resources'] as Json;

    // Act
    const props = resources[logicalId(fn.function)]['Properties'];
    const logGroup = resources[logicalId(fn.logGroup)]['Properties'];

    // Assess
    expect(props['Timeout']).toBe(specOf(id).timeoutSeconds);
    expect(props['MemorySize']).toBe(specOf(id).memoryMb);
    expect(props['Handler']).toBe('index.handler');
    expect(props['LoggingConfig']['LogGroup']).toEqual({ Ref: logicalId(fn.logGroup) });
    expect(logGroup['RetentionInDays']).toBe(30);
    expect(props['Environment']['Variables']).toMatchObject({
      POWERTOOLS_SERVICE_NAME: `thidua-${id}`,
      POWERTOOLS_METRICS_NAMESPACE: 'Thidua',
    });
  });

  it.each(FUNCTION_IDS)('%s: environment variables named in ENV, driven by the catalog access', (id) => {
    // Prepare
    const spec = specOf(id);
    const expected = [ENV.table, ENV.idempotencyTtlSeconds, ...spec.access.sendsTo.map((q) => ENV.queueUrl(q))];
    if (spec.trigger.kind === 'queue') expected.push(ENV.dlqUrl(spec.trigger.queue));
    if (spec.access.putsEvents) expected.push(ENV.eventBus);
    if (spec.access.sendsMail) expected.push(ENV.mailFrom, ENV.sesMaxSendRate);
    if (spec.access.bucket) expected.push(ENV.reportsBucket);
    if (spec.access.uploadSecret) expected.push(ENV.uploadSecretArn);
    if (spec.access.uploadSecret && id !== 'upload') expected.push(ENV.uploadBaseUrl);
    if (spec.access.bucket?.presignReports || (spec.trigger.kind === 'queue' && spec.trigger.queue === REPORT_UPLOADS_QUEUE)) expected.push(ENV.maxReportBytes);
    if ((spec.trigger.kind === 'queue' && spec.trigger.queue === DOCUMENT_UPLOADS_QUEUE) || spec.access.bucket?.presignDocuments) expected.push(ENV.maxDocumentBytes);
    if (spec.access.identity) expected.push(ENV.cognitoUserPoolId, ENV.cognitoClientId);
    if (id === 'console') expected.push(ENV.originVerify);
    if (id === 'sweep') expected.push(ENV.remindBefore, ENV.overdueAfter, ENV.escalateFrom, ENV.statusDigestLevels);
    if (id === 'upload') expected.push(ENV.maxUploadsPerHour);
    if (id === 'intake') expected.push(ENV.rejectionMailWindowSeconds);
    if (CONSOLE_LINKING_FUNCTIONS.includes(id)) expected.push(ENV.consoleUrl);

    // Act
    const vars = stateless.toJSON()['Resources'][logicalId(built.stateless.functions.get(id).function)]['Properties']['Environment'][
      'Variables'
    ] as Json;
    const own = Object.keys(vars).filter((k) => !k.startsWith('POWERTOOLS_') && k !== 'NODE_OPTIONS');

    // Assess
    expect(own.sort()).toEqual([...expected].sort());
    if (spec.access.sendsMail) {
      expect(vars[ENV.mailFrom]).toBe(context['thidua:mailFrom']);
      expect(vars[ENV.sesMaxSendRate]).toBe(String(context['thidua:sesMaxSendRate']));
    }
    if (spec.access.bucket) expect(vars[ENV.reportsBucket]).toEqual(built.stateless.resolve(built.stateful.reportsBucket.bucketName));
    if (spec.access.uploadSecret) expect(vars[ENV.uploadSecretArn]).toEqual(built.stateless.resolve(built.stateful.uploadSecret.secretArn));
    if (vars[ENV.maxReportBytes] !== undefined) expect(vars[ENV.maxReportBytes]).toBe(String(DEFAULT_MAX_REPORT_BYTES));
  });

  it('the catalog wiring this relies on: intake and mail read the bucket, notify signs links, upload and intake get the size cap', () => {
    // Act
    const varsOf = (id: FunctionId): Json =>
      stateless.toJSON()['Resources'][logicalId(built.stateless.functions.get(id).function)]['Properties']['Environment']['Variables'] as Json;

    // Assess
    expect(REPORT_UPLOADS_QUEUE).toBe('intake');
    expect(DOCUMENT_UPLOADS_QUEUE).toBe('documents');
    expect(varsOf('document')[ENV.maxDocumentBytes]).toBe('20971520');
    expect(varsOf('document')[ENV.queueUrl('mail')]).toEqual({ Ref: logicalId(built.stateless.queues.queue('mail')) });
    expect(context['thidua:maxReportBytes']).toBe(5242880);
    for (const id of ['upload', 'intake', 'console'] as const) expect(varsOf(id)[ENV.maxReportBytes]).toBe('5242880');
    for (const id of ['notify', 'upload', 'intake', 'results', 'mail'] as const) expect(varsOf(id)[ENV.reportsBucket]).toBeDefined();
    expect(varsOf('intake')[ENV.eventBus]).toEqual({ Ref: logicalId(built.stateless.routes.bus) });
    expect(varsOf('sweep')[ENV.eventBus]).toEqual({ Ref: logicalId(built.stateless.routes.bus) });
    expect(varsOf('results')[ENV.queueUrl('mail')]).toEqual({ Ref: logicalId(built.stateless.queues.queue('mail')) });
    expect(varsOf('results')[ENV.dlqUrl('results')]).toEqual({ Ref: logicalId(built.stateless.queues.dlq('results')) });
    // Functions that sign links (the sweep's registration links, notify's upload links, the console's).
    expect(FUNCTION_IDS.filter((id) => varsOf(id)[ENV.uploadBaseUrl] !== undefined)).toEqual(['sweep', 'notify', 'console']);
  });

  it('notify: UPLOAD_BASE_URL is the function URL of the upload page', () => {
    // Act
    const vars = stateless.toJSON()['Resources'][logicalId(built.stateless.functions.get('notify').function)]['Properties']['Environment'][
      'Variables'
    ] as Json;

    // Assess
    expect(vars[ENV.uploadBaseUrl]).toEqual({ 'Fn::GetAtt': [logicalId(built.stateless.functions.uploadUrl), 'FunctionUrl'] });
  });

  it('sweep: its registration reminders go to the mail queue (MAIL_QUEUE_URL and send on that queue) and link to the console\'s CloudFront address', () => {
    // Prepare
    const sweep = built.stateless.functions.get('sweep');
    const policy = logicalId(sweep.role.node.findChild('DefaultPolicy'));
    const mailQueue = logicalId(built.stateless.queues.queue('mail'));
    const distribution = logicalId(built.stateless.console.distribution);
    const varsOf = (id: FunctionId): Json =>
      stateless.toJSON()['Resources'][logicalId(built.stateless.functions.get(id).function)]['Properties']['Environment']['Variables'] as Json;

    // Act
    const sends = policyStatements(stateless).filter((s) => s.policy === policy && asArray(s.statement['Action'] as string | string[]).includes('sqs:SendMessage'));
    const linking = FUNCTION_IDS.filter((id) => varsOf(id)[ENV.consoleUrl] !== undefined);

    // Assess
    expect(specOf('sweep').access.sendsTo).toEqual(['mail']);
    expect(varsOf('sweep')[ENV.queueUrl('mail')]).toEqual({ Ref: mailQueue });
    // Besides the mail queue, only the event targets' DLQ, where its failed asynchronous invocations go.
    expect(sends.map((s) => s.statement['Resource'])).toEqual([{ 'Fn::GetAtt': [mailQueue, 'Arn'] }, { 'Fn::GetAtt': [logicalId(built.stateless.routes.deadLetterQueue), 'Arn'] }]);
    // The origin without a trailing slash: the reminder appends `/emulation/<directive>` to it.
    expect(varsOf('sweep')[ENV.consoleUrl]).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] });
    // The console links with its request's origin: its distribution's address would make it depend on itself.
    expect(linking).toEqual(['sweep']);
  });

  it('no reference cycle: the stateless template\'s resources form a DAG (CONSOLE_URL included), the stateful stack imports nothing', () => {
    // Prepare
    const resources = stateless.toJSON()['Resources'] as Json;
    const referencesOf = (node: unknown, out: Set<string>): Set<string> => {
      if (Array.isArray(node)) node.forEach((n) => referencesOf(n, out));
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node as Json)) {
          if (k === 'Ref' && typeof v === 'string' && resources[v]) out.add(v);
          else if (k === 'Fn::GetAtt' && resources[(v as string[])[0]!]) out.add((v as string[])[0]!);
          else referencesOf(v, out);
        }
      }
      return out;
    };
    const edges = new Map(Object.entries(resources).map(([id, r]) => [id, [...referencesOf((r as Json)['Properties'], new Set(asArray(((r as Json)['DependsOn'] ?? []) as string[])))]]));

    // Act
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') return void cycles.push([...path, id].join(' → '));
      state.set(id, 'visiting');
      for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
      state.set(id, 'done');
    };
    for (const id of edges.keys()) visit(id, []);

    // Assess
    expect(edges.get(logicalId(built.stateless.functions.get('sweep').function))).toContain(logicalId(built.stateless.console.distribution));
    expect(cycles).toEqual([]);
    expect(JSON.stringify(stateful.toJSON())).not.toContain('Fn::ImportValue');
  });

  it('two function URLs, public (authType NONE), buffered, no CORS: the upload page (the signed link is its guard) and the console (behind CloudFront)', () => {
    // Prepare
    const httpIds = FUNCTION_IDS.filter((id) => specOf(id).trigger.kind === 'http');
    const arnOf = (id: FunctionId) => ({ 'Fn::GetAtt': [logicalId(built.stateless.functions.get(id).function), 'Arn'] });

    // Act
    const urls = Object.values(stateless.findResources('AWS::Lambda::Url')) as Json[];
    const publicPermissions = (Object.values(stateless.findResources('AWS::Lambda::Permission')) as Json[]).filter((p) => p['Properties']['Principal'] === '*');

    // Assess
    expect(httpIds).toEqual(['upload', 'console']);
    expect(urls.map((u) => u['Properties'])).toEqual(httpIds.map((id) => ({ AuthType: 'NONE', InvokeMode: 'BUFFERED', TargetFunctionArn: arnOf(id) })));
    // Anyone may invoke them, but only through their URLs.
    expect(publicPermissions.map((p) => p['Properties']['FunctionName'])).toEqual(httpIds.flatMap((id) => [arnOf(id), arnOf(id)]));
    for (const p of publicPermissions) {
      const props = p['Properties'];
      if (props['Action'] === 'lambda:InvokeFunctionUrl') expect(props['FunctionUrlAuthType']).toBe('NONE');
      else expect(props['InvokedViaFunctionUrl']).toBe(true);
    }
  });

  it('the console behind CloudFront: HTTPS only, nothing cached, every method, the origin secret CloudFront adds is the one the function checks', () => {
    // Act
    const distributions = Object.values(stateless.findResources('AWS::CloudFront::Distribution')) as Json[];
    const consoleVars = stateless.toJSON()['Resources'][logicalId(built.stateless.functions.get('console').function)]['Properties']['Environment']['Variables'] as Json;

    // Assess
    expect(distributions).toHaveLength(1);
    const config = distributions[0]!['Properties']['DistributionConfig'];
    const behavior = config['DefaultCacheBehavior'];
    expect(behavior['ViewerProtocolPolicy']).toBe('redirect-to-https');
    expect(behavior['AllowedMethods']).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    expect(behavior['CachePolicyId']).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    expect(behavior['OriginRequestPolicyId']).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    // One behaviour for every path: the public posting page (/cong-khai/…, GET and its POST) is never cached either.
    expect(config['CacheBehaviors']).toBeUndefined();
    const origin = (config['Origins'] as Json[])[0]!;
    const header = (origin['OriginCustomHeaders'] as Json[]).find((h) => h['HeaderName'] === CONSOLE_ORIGIN_HEADER);
    expect(header?.['HeaderValue']).toEqual(consoleVars[ENV.originVerify]);
    expect(JSON.stringify(header?.['HeaderValue'])).toContain('AWS::StackId');
    expect(stateless.toJSON()['Outputs']['ConsoleUrl']).toBeDefined();
    // The viewer's host reaches the app (its Origin check compares with the public address), by the contract's function.
    const [association] = behavior['FunctionAssociations'] as Json[];
    expect(association?.['EventType']).toBe('viewer-request');
    const edgeFunctions = Object.values(stateless.findResources('AWS::CloudFront::Function')) as Json[];
    expect(edgeFunctions.map((f) => f['Properties']['FunctionCode'])).toEqual([VIEWER_HOST_FUNCTION]);
    expect(edgeFunctions[0]!['Properties']['FunctionConfig']['Runtime']).toBe('cloudfront-js-2.0');
  });

  it('the reminder policy and the report size cap follow -c overrides and reject what the functions could not read', () => {
    // Act
    const envOf = (overrides: Record<string, unknown>, id: FunctionId = 'sweep'): Json => {
      const outdir = mkdtempSync(join(tmpdir(), 'thidua-cdk-reminders-'));
      outdirs.push(outdir);
      // Environment only: no stack is bundled (CDK skips bundling for stacks not named here).
      const { stateless: stack } = buildApp({ outdir, env: {}, nag: false, context: { 'aws:cdk:bundling-stacks': [], ...overrides } });
      const fn = stack.functions.get(id).function;
      return stack.resolve((fn.node.defaultChild as CfnElement & { environment: Json }).environment) as Json;
    };
    const sweepEnv = (overrides: Record<string, unknown>): Json => envOf(overrides);
    const overridden = sweepEnv({ 'thidua:remindBefore': '5, 2,1', 'thidua:overdueAfter': [2, 4], 'thidua:escalateFrom': '4' });
    const smallerReports = envOf({ 'thidua:maxReportBytes': '1048576' }, 'upload');

    // Assess
    expect(overridden['variables']).toMatchObject({
      [ENV.remindBefore]: '5,2,1',
      [ENV.overdueAfter]: '2,4',
      [ENV.escalateFrom]: '4',
    });
    expect(() => sweepEnv({ 'thidua:remindBefore': '3,0' })).toThrow(/thidua:remindBefore/);
    expect(() => sweepEnv({ 'thidua:overdueAfter': 'soon' })).toThrow(/thidua:overdueAfter/);
    expect(() => sweepEnv({ 'thidua:escalateFrom': 1.5 })).toThrow(/thidua:escalateFrom/);
    expect(smallerReports['variables'][ENV.maxReportBytes]).toBe('1048576');
    expect(() => sweepEnv({ 'thidua:maxReportBytes': '0' })).toThrow(/thidua:maxReportBytes/);
  });

  it('every SQS event source reports batch item failures with the catalog batch size and concurrency', () => {
    // Prepare
    const queueTriggered = FUNCTION_IDS.filter((id) => specOf(id).trigger.kind === 'queue');
    const mappings = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping')) as Json[];

    // Act / Assess
    expect(mappings).toHaveLength(queueTriggered.length);
    for (const mapping of mappings) expect(mapping['Properties']['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
    for (const id of queueTriggered) {
      const trigger = specOf(id).trigger;
      if (trigger.kind !== 'queue') throw new Error('unreachable');
      const mine = mappings.filter((m) => m['Properties']['FunctionName']?.['Ref'] === logicalId(built.stateless.functions.get(id).function));
      expect(mine).toHaveLength(1);
      const props = mine[0]!['Properties'];
      expect(props['EventSourceArn']).toEqual({ 'Fn::GetAtt': [logicalId(built.stateless.queues.queue(trigger.queue)), 'Arn'] });
      expect(props['BatchSize']).toBe(trigger.batchSize);
      expect(props['ScalingConfig']).toEqual({ MaximumConcurrency: trigger.maxConcurrency });
      expect(props['MaximumBatchingWindowInSeconds']).toBe(trigger.maxBatchingWindowSeconds);
    }
  });
});

describe('stateless stack: the parse worker bundle (issue 11)', () => {
  /** The asset folder of a function's code, as synthesized (index.mjs and what lies beside it). */
  const assetOf = (id: FunctionId): string => {
    const props = (stateless.toJSON()['Resources'] as Json)[logicalId(built.stateless.functions.get(id).function)]['Properties'];
    return join(synthesized.outdir, `asset.${String(props['Code']['S3Key']).replace(/\.zip$/, '')}`);
  };

  /** The bundled worker entry of a function's asset, which the sandbox starts on AWS. */
  const bundledWorker = (id: FunctionId): URL => pathToFileURL(join(assetOf(id), PARSE_WORKER_FILE));

  it('sits beside index.mjs in the functions that read uploads, and only there', () => {
    // Act
    const withWorker = FUNCTION_IDS.filter((id) => existsSync(join(assetOf(id), PARSE_WORKER_FILE)));

    // Assess
    expect(withWorker.sort()).toEqual([...FUNCTIONS_WITH_PARSE_WORKER].sort());
    for (const id of withWorker) {
      expect(existsSync(join(assetOf(id), 'index.mjs'))).toBe(true);
      expect(readdirSync(join(assetOf(id), PARSE_WORKER_CHUNKS)).some((f) => f.endsWith('.mjs'))).toBe(true);
    }
  });

  it('reads a report (intake) and a PDF (document) from the bundled code alone', async () => {
    // Prepare
    const directive = sampleReportDirective();
    const pdf = new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures/documents/seed-002.pdf')));

    // Act
    const report = await runInSandbox('parse-report', { file: { bytes: utf8(csvOf(directive)), fileName: 'a.csv' }, expected: expectedFor(directive) }, REPORT_BUDGET, bundledWorker('intake'));
    const document = await runInSandbox('read-document', { bytes: pdf, fileName: 'a.pdf' }, DOCUMENT_BUDGET, bundledWorker('document'));

    // Assess
    expect(report).toMatchObject({ kind: 'done', value: { ok: true, format: 'csv' } });
    expect(document).toMatchObject({ kind: 'done', value: { ok: true, format: 'pdf' } });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Report uploads: S3 → intake queue
// ---------------------------------------------------------------------------------------------------------------

describe('stateless stack: new report files are announced on the intake queue, new documents on the documents queue', () => {
  const bucketArn = (): unknown => built.stateless.resolve(built.stateful.reportsBucketArnImport);
  const bucketName = (): unknown => built.stateless.resolve(built.stateful.reportsBucket.bucketName);

  it('one S3 notification resource: s3:ObjectCreated:* under reports/ to the intake queue, under documents/ to the documents queue, and nothing else', () => {
    // Prepare
    const queueId = logicalId(built.stateless.queues.queue(REPORT_UPLOADS_QUEUE));
    const documentsQueueId = logicalId(built.stateless.queues.queue(DOCUMENT_UPLOADS_QUEUE));
    const queuePolicyId = logicalId(built.stateless.queues.queue(REPORT_UPLOADS_QUEUE).node.findChild('Policy'));
    const documentsPolicyId = logicalId(built.stateless.queues.queue(DOCUMENT_UPLOADS_QUEUE).node.findChild('Policy'));

    // Act
    const notifications = Object.values(stateless.findResources('Custom::S3BucketNotifications')) as Json[];

    // Assess
    expect(notifications).toHaveLength(1);
    const props = notifications[0]!['Properties'];
    expect(props['BucketName']).toEqual(bucketName());
    expect(props['NotificationConfiguration']).toEqual({
      QueueConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'reports/' }] } },
          QueueArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        },
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'documents/' }] } },
          QueueArn: { 'Fn::GetAtt': [documentsQueueId, 'Arn'] },
        },
      ],
    });
    // Unmanaged: it adds and removes only its own configuration on the (imported) bucket.
    expect(props['Managed']).toBe(false);
    // S3 checks it may send to the queue when the configuration is put: the queue policy must exist first.
    expect(notifications[0]!['DependsOn']).toEqual(expect.arrayContaining([queuePolicyId, documentsPolicyId]));
  });

  it('the intake and documents queues let s3.amazonaws.com send, for the reports bucket only', () => {
    // Prepare
    const queueIds = [REPORT_UPLOADS_QUEUE, DOCUMENT_UPLOADS_QUEUE].map((q) => logicalId(built.stateless.queues.queue(q)));

    // Act
    const allows = (Object.values(stateless.findResources('AWS::SQS::QueuePolicy')) as Json[])
      .flatMap((p) => asArray(p['Properties']['PolicyDocument']['Statement'] as Json[]).map((st) => ({ queues: p['Properties']['Queues'] as Json[], st })))
      .filter(({ st }) => st['Effect'] === 'Allow' && st['Principal']?.['Service'] === 's3.amazonaws.com');

    // Assess
    expect(allows).toHaveLength(2);
    for (const [i, queueId] of queueIds.entries()) {
      const allow = allows.find((a) => a.queues[0]?.['Ref'] === queueId);
      expect(allow, `queue ${i}`).toBeDefined();
      expect(allow!.queues).toEqual([{ Ref: queueId }]);
      expect(asArray(allow!.st['Action'] as string[])).toContain('sqs:SendMessage');
      expect(allow!.st['Resource']).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
      expect(allow!.st['Condition']).toEqual({ ArnLike: { 'aws:SourceArn': bucketArn() } });
    }
  });

  it('the CDK handler applying it: its own role (no managed policy), notification actions on this bucket only, its own log group', () => {
    // Prepare
    const { handlerRole, handlerLogGroup } = built.stateless.uploads;
    const roleId = logicalId(handlerRole);
    const handler = built.stateless.node.findChild(BUCKET_NOTIFICATIONS_HANDLER_ID);

    // Act
    const fn = stateless.toJSON()['Resources'][logicalId(handler)];
    const role = stateless.toJSON()['Resources'][roleId]['Properties'];
    const statements = policyStatements(stateless).filter(({ policy }) =>
      (stateless.toJSON()['Resources'][policy]['Properties']['Roles'] as Json[]).some((r) => r['Ref'] === roleId),
    );

    // Assess
    expect(fn['Type']).toBe('AWS::Lambda::Function');
    expect(fn['Properties']['Role']).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    // The runtime is aws-cdk-lib's choice for its own handler (latest Python it knows), and moves with aws-cdk-lib.
    expect(fn['Properties']['Runtime']).toMatch(/^python3\.\d+$/);
    expect(fn['Properties']['LoggingConfig']).toEqual({ LogGroup: { Ref: logicalId(handlerLogGroup) } });
    expect(stateless.toJSON()['Resources'][logicalId(handlerLogGroup)]['Properties']['RetentionInDays']).toBe(30);
    expect(role['ManagedPolicyArns']).toBeUndefined();
    expect(statements.map(({ statement }) => ({ Action: statement['Action'], Resource: statement['Resource'] }))).toEqual([
      { Action: ['s3:GetBucketNotification', 's3:PutBucketNotification'], Resource: bucketArn() },
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logicalId(handlerLogGroup), 'Arn'] } },
    ]);
    // The handler's policy is in place before the handler runs.
    expect(fn['DependsOn']).toEqual(expect.arrayContaining([roleId, logicalId(handlerRole.node.findChild('DefaultPolicy'))]));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------------------------

describe('stateless stack: event routing', () => {
  const routedTypes = EVENT_TYPES.filter((type) => routes[type].length > 0);

  it('one rule per routed event type on the thidua bus', () => {
    // Act
    const rules = Object.values(stateless.findResources('AWS::Events::Rule')) as Json[];
    const bus = Object.values(stateless.findResources('AWS::Events::EventBus')) as Json[];

    // Assess
    expect(bus).toHaveLength(1);
    expect(bus[0]!['Properties']['Name']).toBe('thidua');
    expect(rules).toHaveLength(routedTypes.length);
  });

  it('no rule for an event type nobody consumes yet (ReportRejected, DirectiveDrafted)', () => {
    // Prepare
    const unrouted = EVENT_TYPES.filter((type) => routes[type].length === 0);

    // Act
    const detailTypes = (Object.values(stateless.findResources('AWS::Events::Rule')) as Json[]).flatMap(
      (r) => (r['Properties']['EventPattern']?.['detail-type'] ?? []) as string[],
    );

    // Assess
    expect(unrouted).toEqual(['ReportRejected', 'DirectiveDrafted']);
    for (const type of unrouted) {
      expect(detailTypes).not.toContain(type);
      expect(built.stateless.routes.rules.has(type)).toBe(false);
    }
    expect([...detailTypes].sort()).toEqual([...routedTypes].sort());
  });

  it.each(routedTypes)('%s: pattern on source and detail-type, targets exactly its consumers with retries and a DLQ', (type) => {
    // Prepare
    const busId = logicalId(built.stateless.routes.bus);
    const dlqId = logicalId(built.stateless.routes.deadLetterQueue);
    const consumerArns = routes[type].map((consumer: Consumer) => ({
      'Fn::GetAtt': [
        'function' in consumer
          ? logicalId(built.stateless.functions.get(consumer.function).function)
          : logicalId(built.stateless.queues.queue(consumer.queue)),
        'Arn',
      ],
    }));

    // Act
    const rules = (Object.values(stateless.findResources('AWS::Events::Rule')) as Json[]).filter(
      (r) => JSON.stringify(r['Properties']['EventPattern']) === JSON.stringify({ source: [EVENT_SOURCE], 'detail-type': [type] }),
    );

    // Assess
    expect(rules).toHaveLength(1);
    const props = rules[0]!['Properties'];
    expect(props['EventBusName']).toEqual({ Ref: busId });
    const targets = props['Targets'] as Json[];
    expect(targets.map((t) => t['Arn'])).toEqual(expect.arrayContaining(consumerArns));
    expect(targets).toHaveLength(consumerArns.length);
    for (const target of targets) {
      expect(target['DeadLetterConfig']).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
      expect(target['RetryPolicy']['MaximumRetryAttempts']).toBeGreaterThan(0);
    }
  });

  const ruleOf = (type: string): string => logicalId(built.stateless.routes.rules.get(type)!);
  const queueRoutes = routedTypes.flatMap((type) =>
    routes[type].flatMap((c: Consumer) => ('queue' in c ? [{ type, queue: c.queue }] : [])),
  );
  const functionRoutes = routedTypes.flatMap((type) =>
    routes[type].flatMap((c: Consumer) => ('function' in c ? [{ type, fn: c.function }] : [])),
  );

  it('the route table has both kinds of consumer', () => {
    // Assess
    expect(queueRoutes.length).toBeGreaterThan(0);
    expect(functionRoutes.length).toBeGreaterThan(0);
  });

  it('ReportAccepted, ResultsDue and the approval decisions: each its own rule, whose one target is the results queue', () => {
    // Prepare
    const resultsQueue = { 'Fn::GetAtt': [logicalId(built.stateless.queues.queue('results')), 'Arn'] };

    // Act
    const targetsOf = (type: string): Json[] => stateless.toJSON()['Resources'][ruleOf(type)]['Properties']['Targets'] as Json[];

    // Assess
    expect(routes.ReportAccepted).toEqual([{ queue: 'results' }]);
    expect(routes.ResultsDue).toEqual([{ queue: 'results' }]);
    for (const type of ['ReportAccepted', 'ResultsDue', 'ReportApproved', 'ReportReturned']) {
      expect(targetsOf(type).map((t) => t['Arn'])).toEqual([resultsQueue]);
    }
    // What feeds the results queue: those rules, nothing else.
    const feeding = (Object.values(stateless.findResources('AWS::Events::Rule')) as Json[])
      .filter((r) => (r['Properties']['Targets'] as Json[]).some((t) => JSON.stringify(t['Arn']) === JSON.stringify(resultsQueue)))
      .flatMap((r) => r['Properties']['EventPattern']['detail-type'] as string[]);
    expect(feeding.sort()).toEqual(['ReportAccepted', 'ReportApproved', 'ReportReturned', 'ResultsDue']);
  });

  it.each(queueRoutes)('$type → queue $queue: the whole event as the message, sent as only this rule may', ({ type, queue: queueId }) => {
    // Prepare
    const queueLogicalId = logicalId(built.stateless.queues.queue(queueId));
    const ruleId = ruleOf(type);

    // Act
    const rule = stateless.toJSON()['Resources'][ruleId]['Properties'];
    const target = (rule['Targets'] as Json[]).find((t) => t['Arn']?.['Fn::GetAtt']?.[0] === queueLogicalId);
    const allows = (Object.values(stateless.findResources('AWS::SQS::QueuePolicy')) as Json[])
      .filter((p) => (p['Properties']['Queues'] as Json[]).some((q) => q['Ref'] === queueLogicalId))
      .flatMap((p) => asArray(p['Properties']['PolicyDocument']['Statement'] as Json[]))
      .filter((st) => st['Effect'] === 'Allow' && st['Principal']?.['Service'] === 'events.amazonaws.com');

    // Assess
    expect(target).toBeDefined();
    expect(target!['Input']).toBeUndefined();
    expect(target!['InputPath']).toBeUndefined();
    expect(target!['InputTransformer']).toBeUndefined();
    const mine = allows.filter((st) => JSON.stringify(st['Condition']) === JSON.stringify({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } }));
    expect(mine).toHaveLength(1);
    expect(asArray(mine[0]!['Action'] as string[])).toContain('sqs:SendMessage');
    expect(mine[0]!['Resource']).toEqual({ 'Fn::GetAtt': [queueLogicalId, 'Arn'] });
    // Every events.amazonaws.com grant on the queue is tied to one rule.
    for (const st of allows) expect(st['Condition']?.['ArnEquals']?.['aws:SourceArn']).toBeDefined();
  });

  it.each(functionRoutes)('$type → function $fn: invoke permission for this rule only, async failures to the DLQ', ({ type, fn: functionId }) => {
    // Prepare
    const fnLogicalId = logicalId(built.stateless.functions.get(functionId).function);

    // Act
    const permissions = (Object.values(stateless.findResources('AWS::Lambda::Permission')) as Json[]).filter(
      (p) => p['Properties']['FunctionName']?.['Fn::GetAtt']?.[0] === fnLogicalId && p['Properties']['Principal'] === 'events.amazonaws.com',
    );
    const invokeConfigs = (Object.values(stateless.findResources('AWS::Lambda::EventInvokeConfig')) as Json[]).filter(
      (c) => c['Properties']['FunctionName']?.['Ref'] === fnLogicalId,
    );

    // Assess
    expect(permissions.map((p) => p['Properties']['SourceArn'])).toContainEqual({ 'Fn::GetAtt': [ruleOf(type), 'Arn'] });
    expect(invokeConfigs).toHaveLength(1);
    expect(invokeConfigs[0]!['Properties']['DestinationConfig']).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(built.stateless.routes.deadLetterQueue), 'Arn'] } },
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Schedules
// ---------------------------------------------------------------------------------------------------------------

describe('stateless stack: schedules', () => {
  const scheduleResources = (): Json[] => Object.values(stateless.findResources('AWS::Scheduler::Schedule')) as Json[];

  it('one schedule per entry of events/schedules.ts', () => {
    // Act
    const all = scheduleResources();

    // Assess
    expect(all).toHaveLength(schedules.length);
    expect(all.map((r) => r['Properties']['Name']).sort()).toEqual(schedules.map((s) => `thidua-${s.id}`).sort());
  });

  it.each(schedules.map((spec) => ({ ...spec })))(
    '$id: cron in Vietnam time, no window, enabled, PutEvents on the bus with the scheduled time, retries and a DLQ',
    (spec) => {
      // Prepare
      const busId = logicalId(built.stateless.routes.bus);
      const dlqId = logicalId(built.stateless.schedules.deadLetterQueue);
      const roleId = logicalId(built.stateless.schedules.role);

      // Act
      const mine = scheduleResources().filter((r) => r['Properties']['Name'] === `thidua-${spec.id}`);

      // Assess
      expect(mine).toHaveLength(1);
      const props = mine[0]!['Properties'];
      expect(props['ScheduleExpression']).toBe(`cron(${spec.cron})`);
      expect(props['ScheduleExpressionTimezone']).toBe('Asia/Ho_Chi_Minh');
      expect(props['ScheduleExpressionTimezone']).toBe(spec.timezone);
      expect(props['FlexibleTimeWindow']).toEqual({ Mode: 'OFF' });
      expect(props['State']).toBe('ENABLED');
      const target = props['Target'];
      expect(target['Arn']).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
      expect(target['EventBridgeParameters']).toEqual({ DetailType: spec.event, Source: EVENT_SOURCE });
      expect(target['Input']).toContain('<aws.scheduler.scheduled-time>');
      expect(JSON.parse(target['Input'] as string)).toEqual({ ...spec.detail, scheduledTime: SCHEDULED_TIME });
      expect(target['RoleArn']).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      expect(target['DeadLetterConfig']).toEqual({ Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
      expect(target['RetryPolicy']['MaximumRetryAttempts']).toBeGreaterThan(0);
      expect(target['RetryPolicy']['MaximumEventAgeInSeconds']).toBeGreaterThanOrEqual(3600);
    },
  );

  it('each scheduled event reaches a consumer through the route table', () => {
    // Assess
    for (const spec of schedules) expect(routes[spec.event].length).toBeGreaterThan(0);
  });

  it('the scheduler role: trusted by scheduler.amazonaws.com for this account only; PutEvents on the bus and send to its DLQ, nothing else', () => {
    // Prepare
    const roleId = logicalId(built.stateless.schedules.role);
    const busId = logicalId(built.stateless.routes.bus);
    const dlqId = logicalId(built.stateless.schedules.deadLetterQueue);

    // Act
    const role = stateless.toJSON()['Resources'][roleId]['Properties'];
    const statements = policyStatements(stateless).filter(({ policy }) =>
      (stateless.toJSON()['Resources'][policy]['Properties']['Roles'] as Json[]).some((r) => r['Ref'] === roleId),
    );

    // Assess
    const trust = asArray(role['AssumeRolePolicyDocument']['Statement'] as Json[]);
    expect(trust).toHaveLength(1);
    expect(trust[0]!['Principal']).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust[0]!['Condition']['StringEquals']['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(flatten(trust[0]!['Condition']['StringEquals']['aws:SourceArn'])).toMatch(/:scheduler:.*:\$\{AWS::AccountId\}:schedule-group\/default$/);
    expect(role['ManagedPolicyArns']).toBeUndefined();
    expect(role['Policies']).toBeUndefined();
    expect(statements.map(({ statement }) => ({ Action: statement['Action'], Resource: statement['Resource'], Effect: statement['Effect'] }))).toEqual([
      { Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] }, Effect: 'Allow' },
      { Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] }, Effect: 'Allow' },
    ]);
  });

  it('the schedules DLQ is SSE-SQS, kept 14 days, TLS-only, and alarmed', () => {
    // Prepare
    const dlqId = logicalId(built.stateless.schedules.deadLetterQueue);

    // Act
    const dlq = stateless.toJSON()['Resources'][dlqId]['Properties'];
    const alarms = (Object.values(stateless.findResources('AWS::CloudWatch::Alarm')) as Json[]).filter((a) =>
      (a['Properties']['Dimensions'] as Json[]).some((d) => d['Name'] === 'QueueName' && d['Value']?.['Fn::GetAtt']?.[0] === dlqId),
    );

    // Assess
    expect(dlq['SqsManagedSseEnabled']).toBe(true);
    expect(dlq['MessageRetentionPeriod']).toBe(14 * 24 * 3600);
    expect(alarms).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// IAM
// ---------------------------------------------------------------------------------------------------------------

describe('stateless stack: least privilege', () => {
  const READ = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query'];
  const WRITE = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

  /** Every action named anywhere in either template: identity policies, roles' inline policies, resource policies. */
  function allActions(template: Template): string[] {
    const out: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node as Json)) {
          if (k === 'Action' || k === 'NotAction') out.push(...asArray(v as string | string[]).filter((a) => typeof a === 'string'));
          else walk(v);
        }
      }
    };
    walk(template.toJSON()['Resources']);
    return out;
  }

  it('no policy anywhere allows dynamodb:Scan, dynamodb:* or any DynamoDB wildcard', () => {
    // Act
    const dynamo = [...allActions(stateful), ...allActions(stateless)].filter((a) => a.toLowerCase().startsWith('dynamodb:'));

    // Assess
    expect(dynamo.length).toBeGreaterThan(0);
    expect(dynamo.filter((a) => a.toLowerCase() === 'dynamodb:scan')).toEqual([]);
    expect(dynamo.filter((a) => a.includes('*'))).toEqual([]);
    expect(dynamo.filter((a) => a === 'dynamodb:TransactWriteItems')).toEqual([]);
  });

  it.each(FUNCTION_IDS)('%s: table actions listed one by one for its catalog access, Query only on each GSI', (id) => {
    // Prepare
    const policy = logicalId(built.stateless.functions.get(id).role.node.findChild('DefaultPolicy'));
    const expected = specOf(id).access.table === 'readwrite' ? [...READ, ...WRITE].sort() : READ;

    // Act
    const dynamo = policyStatements(stateless).filter(
      (s) => s.policy === policy && asArray(s.statement['Action'] as string | string[]).some((a) => a.startsWith('dynamodb:')),
    );
    const onTable = dynamo.filter((s) => !flatten(s.statement['Resource']).includes('/index/'));
    const onIndexes = dynamo.filter((s) => flatten(s.statement['Resource']).includes('/index/'));

    // Assess
    expect(onTable).toHaveLength(1);
    expect([...asArray(onTable[0]!.statement['Action'] as string[])].sort()).toEqual(expected);
    expect(Array.isArray(onTable[0]!.statement['Resource'])).toBe(false);
    expect(onIndexes).toHaveLength(1);
    expect(asArray(onIndexes[0]!.statement['Action'] as string[])).toEqual(['dynamodb:Query']);
    expect(asArray(onIndexes[0]!.statement['Resource'] as unknown[]).map(flatten).map((arn) => arn.split('/index/')[1]).sort()).toEqual(['GSI1', 'GSI2']);
  });

  it('only the functions whose catalog entry puts events may put events, on the thidua bus only', () => {
    // Prepare
    const busId = logicalId(built.stateless.routes.bus);
    const putters = FUNCTION_IDS.filter((id) => specOf(id).access.putsEvents);
    const expectedPolicies = [
      ...putters.map((id) => logicalId(built.stateless.functions.get(id).role.node.findChild('DefaultPolicy'))),
      logicalId(built.stateless.schedules.role.node.findChild('DefaultPolicy')),
    ];

    // Act
    const put = policyStatements(stateless).filter(({ statement }) => asArray(statement['Action'] as string | string[]).includes('events:PutEvents'));

    // Assess
    expect(putters).toEqual(expect.arrayContaining(['period-close', 'sweep']));
    expect(put.map((s) => s.policy).sort()).toEqual([...expectedPolicies].sort());
    for (const { statement } of put) expect(statement['Resource']).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
  });

  it('every dead-letter queue has an alarm', () => {
    // Prepare
    const dlqIds = [
      ...(Object.keys(queueSpecs) as QueueId[]).map((q) => logicalId(built.stateless.queues.dlq(q))),
      logicalId(built.stateless.routes.deadLetterQueue),
      logicalId(built.stateless.schedules.deadLetterQueue),
    ];

    // Act
    const watched = (Object.values(stateless.findResources('AWS::CloudWatch::Alarm')) as Json[]).flatMap((a) =>
      (a['Properties']['Dimensions'] as Json[]).filter((d) => d['Name'] === 'QueueName').map((d) => d['Value']['Fn::GetAtt'][0] as string),
    );

    // Assess
    expect(watched.sort()).toEqual(dlqIds.sort());
  });

  it('the alarms reach someone: the topic has the configured address, and synth refuses an empty one with what to set', () => {
    // Prepare
    const build = (alarmEmail: unknown) => () => {
      const outdir = mkdtempSync(join(tmpdir(), 'thidua-cdk-alarm-'));
      outdirs.push(outdir);
      buildApp({ outdir, env: {}, nag: false, context: { 'aws:cdk:bundling-stacks': [], 'thidua:alarmEmail': alarmEmail } });
    };

    // Act
    const subscriptions = Object.values(stateless.findResources('AWS::SNS::Subscription')) as Json[];

    // Assess
    expect(subscriptions.map((sub) => [sub['Properties']['Protocol'], sub['Properties']['Endpoint']])).toEqual([['email', context['thidua:alarmEmail']]]);
    for (const empty of ['', '   ', undefined, 'not an address']) {
      expect(build(empty)).toThrow(/thidua:alarmEmail must be the email address told when a dead-letter queue holds messages.*-c thidua:alarmEmail=/);
    }
  });

  it('the public upload page has reserved concurrency (it cannot starve or flood the account), nothing else does', () => {
    // Act
    const reserved = FUNCTION_IDS.map((id) => [id, stateless.toJSON()['Resources'][logicalId(built.stateless.functions.get(id).function)]['Properties']['ReservedConcurrentExecutions']]);

    const none = () => {
      const outdir = mkdtempSync(join(tmpdir(), 'thidua-cdk-reserved-'));
      outdirs.push(outdir);
      const { stateless: stack } = buildApp({ outdir, env: {}, nag: false, context: { 'aws:cdk:bundling-stacks': [], 'thidua:uploadReservedConcurrency': 0 } });
      return stack.resolve((stack.functions.get('upload').function.node.defaultChild as CfnElement & { reservedConcurrentExecutions?: number }).reservedConcurrentExecutions);
    };

    // Assess
    expect(reserved.filter(([, n]) => n !== undefined)).toEqual([['upload', context['thidua:uploadReservedConcurrency']]]);
    // 0 reserves nothing (an account whose quota cannot spare a reservation still deploys).
    expect(none()).toBeUndefined();
  });

  it('SES send is allowed on the identity ARN only, from the configured address only, for mail senders only', () => {
    // Prepare
    const expectedArn = `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${context['thidua:sesIdentity'] as string}`;
    const senders = FUNCTION_IDS.filter((id) => specOf(id).access.sendsMail);
    const senderPolicies = senders.map((id) => logicalId(built.stateless.functions.get(id).role.node.findChild('DefaultPolicy')));

    // Act
    const sesStatements = policyStatements(stateless).filter(({ statement }) =>
      asArray(statement['Action'] as string | string[]).some((a) => a.startsWith('ses:')),
    );

    // Assess
    expect(sesStatements.map((s) => s.policy).sort()).toEqual([...senderPolicies].sort());
    for (const { statement } of sesStatements) {
      expect(statement['Effect']).toBe('Allow');
      expect([...asArray(statement['Action'] as string[])].sort()).toEqual(['ses:SendBulkEmail', 'ses:SendEmail', 'ses:SendRawEmail']);
      expect(Array.isArray(statement['Resource'])).toBe(false);
      expect(flatten(statement['Resource'])).toBe(expectedArn);
      expect(flatten(statement['Resource'])).not.toContain('*');
      expect(statement['Condition']).toEqual({ StringEquals: { 'ses:FromAddress': context['thidua:mailFrom'] } });
    }
  });

  it('the only "*" in resources: X-Ray (no resource-level permissions) and the object prefixes of the reports bucket', () => {
    // Prepare
    const bucket = flatten(built.stateless.resolve(built.stateful.reportsBucketArnImport));
    const prefixes = [`${bucket}/reports/*`, `${bucket}/templates/*`, `${bucket}/results/*`, `${bucket}/documents/*`, `${bucket}/emulation/*`];

    // Act
    const wildcard = policyStatements(stateless).filter(({ statement }) =>
      asArray(statement['Resource'] as unknown).some((r) => flatten(r).includes('*')),
    );
    const xray = wildcard.filter(({ statement }) => statement['Resource'] === '*');
    const objects = wildcard.filter(({ statement }) => statement['Resource'] !== '*');

    // Assess
    expect(xray.length).toBe(FUNCTION_IDS.length);
    for (const { statement } of xray) {
      expect([...asArray(statement['Action'] as string[])].sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
    expect(objects.length).toBeGreaterThan(0);
    for (const { statement } of objects) {
      for (const action of asArray(statement['Action'] as string[])) expect(['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:PutObjectTagging', 's3:PutObjectVersionTagging']).toContain(action);
      for (const r of asArray(statement['Resource'] as unknown)) expect(prefixes).toContain(flatten(r));
    }
  });

  it.each(FUNCTION_IDS)('%s: reports bucket actions exactly as its catalog access asks (object prefixes only)', (id) => {
    // Prepare
    const access = specOf(id).access.bucket ?? {};
    const policy = logicalId(built.stateless.functions.get(id).role.node.findChild('DefaultPolicy'));
    const bucket = flatten(built.stateless.resolve(built.stateful.reportsBucketArnImport));
    const expected = [
      ...(access.readReports ? ['s3:GetObject', 's3:GetObjectVersion'].map((a) => `${a} ${bucket}/reports/*`) : []),
      ...(access.tagReports ? ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'].map((a) => `${a} ${bucket}/reports/*`) : []),
      ...(access.listReports ? [`s3:ListBucket ${bucket}`] : []),
      ...(access.readTemplates ? ['s3:GetObject', 's3:GetObjectVersion'].map((a) => `${a} ${bucket}/templates/*`) : []),
      ...(access.writeTemplates ? [`s3:PutObject ${bucket}/templates/*`] : []),
      ...(access.presignReports ? [`s3:PutObject ${bucket}/reports/*`] : []),
      ...(access.results ? ['s3:GetObject', 's3:PutObject'].map((a) => `${a} ${bucket}/results/*`) : []),
      ...(access.documents ? ['s3:GetObject', 's3:GetObjectVersion'].map((a) => `${a} ${bucket}/documents/*`) : []),
      ...(access.presignDocuments ? [`s3:PutObject ${bucket}/documents/*`] : []),
      ...(access.readResults ? [`s3:GetObject ${bucket}/results/*`] : []),
      ...(access.emulationPapers ? ['s3:GetObject', 's3:PutObject'].map((a) => `${a} ${bucket}/emulation/*`) : []),
    ];

    // Act
    const granted = policyStatements(stateless)
      .filter((s) => s.policy === policy)
      .flatMap(({ statement }) =>
        asArray(statement['Action'] as string | string[])
          .filter((a) => a.startsWith('s3:'))
          .flatMap((a) => asArray(statement['Resource'] as unknown).map((r) => `${a} ${flatten(r)}`)),
      );

    // Assess
    expect(granted.sort()).toEqual(expected.sort());
  });

  it('no S3 wildcard action, no delete action, PutObject only under reports/, templates/, results/, documents/ and emulation/, ListBucket only of reports/', () => {
    // Prepare
    const bucket = flatten(built.stateless.resolve(built.stateful.reportsBucketArnImport));

    // Act
    const s3 = policyStatements(stateless).flatMap(({ statement }) =>
      asArray(statement['Action'] as string | string[])
        .filter((a) => a.toLowerCase().startsWith('s3:'))
        .map((action) => ({ action, resources: asArray(statement['Resource'] as unknown).map(flatten), effect: statement['Effect'] as string })),
    );
    const notificationHandler = ['s3:GetBucketNotification', 's3:PutBucketNotification'];

    // Assess
    expect(s3.filter((g) => g.action.includes('*'))).toEqual([]);
    expect(s3.filter((g) => g.effect !== 'Allow')).toEqual([]);
    expect([...new Set(s3.map((g) => g.action))].sort()).toEqual(
      ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:ListBucket', ...notificationHandler].sort(),
    );
    for (const g of s3.filter((g) => g.action === 's3:PutObject')) {
      for (const r of g.resources) expect([`${bucket}/reports/*`, `${bucket}/templates/*`, `${bucket}/results/*`, `${bucket}/documents/*`, `${bucket}/emulation/*`]).toContain(r);
    }
    for (const g of s3.filter((g) => g.action.startsWith('s3:PutObject') && g.action.endsWith('Tagging'))) expect(g.resources).toEqual([`${bucket}/reports/*`]);
    const listing = policyStatements(stateless).filter(({ statement }) => asArray(statement['Action'] as string | string[]).includes('s3:ListBucket'));
    expect(listing).toHaveLength(1);
    expect(listing[0]!.statement['Condition']).toEqual({ StringLike: { 's3:prefix': ['reports/*'] } });
  });

  it('the bucket grants the results, upload and sweep changes rely on, spelled out', () => {
    // Prepare
    const bucket = flatten(built.stateless.resolve(built.stateful.reportsBucketArnImport));
    const s3Of = (id: FunctionId): string[] => {
      const policy = logicalId(built.stateless.functions.get(id).role.node.findChild('DefaultPolicy'));
      return policyStatements(stateless)
        .filter((s) => s.policy === policy)
        .flatMap(({ statement }) =>
          asArray(statement['Action'] as string | string[])
            .filter((a) => a.startsWith('s3:'))
            .flatMap((a) => asArray(statement['Resource'] as unknown).map((r) => `${a} ${flatten(r).replace(bucket, '<bucket>')}`)),
        )
        .sort();
    };
    const holders = (prefix: string): FunctionId[] => FUNCTION_IDS.filter((id) => s3Of(id).some((g) => g.endsWith(`<bucket>/${prefix}*`)));

    // Act / Assess: results reads no raw report and no template; it writes templates (digest tables) and its results
    expect(s3Of('results')).toEqual(['s3:PutObject <bucket>/templates/*', 's3:GetObject <bucket>/results/*', 's3:PutObject <bucket>/results/*'].sort());
    // The mail sender reads the attachments it sends (templates/, and the multi-year review workbooks) and nothing else of the bucket.
    // The review's workbook is an attachment like the others: under templates/, which the mail sender reads.
    expect(s3Of('mail')).toEqual(['s3:GetObject <bucket>/templates/*', 's3:GetObjectVersion <bucket>/templates/*']);
    expect(reviewKey('ct-23', [2024, 2026])).toBe('templates/reviews/ct-23/2024-2026.xlsx');
    // The emulation year's papers: the console writes and reads them back (minutes, decisions, achievement reports).
    expect(s3Of('console').filter((g) => g.includes('<bucket>/emulation/'))).toEqual(['s3:GetObject <bucket>/emulation/*', 's3:PutObject <bucket>/emulation/*']);
    expect(holders('emulation/')).toEqual(['console']);
    // The intake reads and tags report files only (a rejected one expires by its tag).
    expect(s3Of('intake')).toEqual(
      ['s3:GetObject <bucket>/reports/*', 's3:GetObjectVersion <bucket>/reports/*', 's3:PutObjectTagging <bucket>/reports/*', 's3:PutObjectVersionTagging <bucket>/reports/*'].sort(),
    );
    // Reconciliation lists reports/ and reads no file.
    expect(s3Of('reconcile')).toEqual(['s3:ListBucket <bucket>']);
    // Raw report files are read by the intake and, for an original's download, the console.
    expect(FUNCTION_IDS.filter((id) => s3Of(id).some((g) => g.startsWith('s3:GetObject') && g.endsWith('<bucket>/reports/*')))).toEqual(['intake', 'console']);
    // Only the results function writes results/; the console reads them.
    expect(holders('results/')).toEqual(['results', 'console']);
    expect(s3Of('console').filter((g) => g.endsWith('<bucket>/results/*'))).toEqual(['s3:GetObject <bucket>/results/*']);
    // The upload page presigns report uploads and writes no template.
    expect(s3Of('upload')).toEqual(['s3:PutObject <bucket>/reports/*']);
    // The sweep reads the table (directives included) and announces on the bus: no bucket, no write.
    expect(s3Of('sweep')).toEqual([]);
    expect(specOf('sweep').access).toMatchObject({ table: 'read', putsEvents: true });
  });

  it('the upload-link secret: GetSecretValue on that one secret, for the functions whose catalog entry reads it, nothing else', () => {
    // Prepare
    const readers = FUNCTION_IDS.filter((id) => specOf(id).access.uploadSecret);
    const readerPolicies = readers.map((id) => logicalId(built.stateless.functions.get(id).role.node.findChild('DefaultPolicy')));
    const secretArn = built.stateless.resolve(built.stateful.uploadSecret.secretArn) as unknown;

    // Act
    const statements = policyStatements(stateless).filter(({ statement }) =>
      asArray(statement['Action'] as string | string[]).some((a) => a.startsWith('secretsmanager:')),
    );

    // Assess
    // The sweep signs the registration links its reminders carry (under a key derived from the same secret).
    expect(readers.sort()).toEqual(['console', 'notify', 'sweep', 'upload']);
    expect(statements.map((s) => s.policy).sort()).toEqual([...readerPolicies].sort());
    for (const { statement } of statements) {
      expect(statement['Action']).toBe('secretsmanager:GetSecretValue');
      expect(statement['Resource']).toEqual(secretArn);
    }
  });

  it('no role uses an AWS managed policy', () => {
    // Act
    const roles = Object.values(stateless.findResources('AWS::IAM::Role')) as Json[];

    // Assess
    expect(roles.length).toBeGreaterThanOrEqual(FUNCTION_IDS.length);
    for (const role of roles) expect(role['Properties']['ManagedPolicyArns']).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// cdk-nag (v3: an IPolicyValidationPlugin; findings land in the cloud assembly's validation-report.json)
// ---------------------------------------------------------------------------------------------------------------

describe('cdk-nag AwsSolutions', () => {
  it('the app has no unacknowledged AwsSolutions errors or warnings', () => {
    // Act: what synth reported, and a direct run of the pack over the same construct tree
    const reported = nagFindings(synthesized.report);
    const direct = new AwsSolutionsChecks()
      .validateScope(built.app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} @ ${r.constructPath}`));

    // Assess
    expect(synthesized.report, 'synth wrote no validation report: is the AwsSolutions plugin registered?').toBeDefined();
    expect(reported).toEqual([]);
    expect(direct).toEqual([]);
    expect(synthesized.error?.message).toBeUndefined();
  });

  it('control: the same synth path does fail and report a finding that is not acknowledged', () => {
    // Prepare: a queue with no DLQ and no TLS-only policy, checked exactly like the real app
    const outdir = mkdtempSync(join(tmpdir(), 'thidua-cdk-control-'));
    outdirs.push(outdir);
    const app = new App({ outdir });
    const stack = new Stack(app, 'Control');
    new Queue(stack, 'Bare');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act
    const result = synthesize(app, outdir);

    // Assess
    expect(result.error).toBeDefined();
    expect(nagFindings(result.report)).toEqual(
      expect.arrayContaining(['error AwsSolutions-SQS3 @ Control/Bare/Resource', 'error AwsSolutions-SQS4 @ Control/Bare/Resource']),
    );
  });
});
