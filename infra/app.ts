import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Tags, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { cdkJsonContext, readConfig } from './config.ts';
import { ThiduaStatefulStack } from './stacks/stateful-stack.ts';
import { ThiduaStatelessStack } from './stacks/stateless-stack.ts';

export interface BuildAppOptions {
  /** Context on top of cdk.json's (the CLI's `-c` values still win). */
  readonly context?: Record<string, unknown>;
  /** Cloud assembly directory; a temporary one by default outside the CLI. */
  readonly outdir?: string;
  /** Defaults to CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, environment-agnostic when they are unset. */
  readonly env?: Environment;
  /** Run the cdk-nag AwsSolutions checks at synth (default true). */
  readonly nag?: boolean;
}

export interface ThiduaApp {
  readonly app: App;
  readonly stateful: ThiduaStatefulStack;
  readonly stateless: ThiduaStatelessStack;
}

export function buildApp(opts: BuildAppOptions = {}): ThiduaApp {
  const app = new App({
    context: { ...cdkJsonContext(), ...opts.context },
    ...(opts.outdir ? { outdir: opts.outdir } : {}),
  });
  const config = readConfig(app);
  const env: Environment = opts.env ?? {
    ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
    ...(process.env.CDK_DEFAULT_REGION ? { region: process.env.CDK_DEFAULT_REGION } : {}),
  };

  const stateful = new ThiduaStatefulStack(app, 'ThiduaStateful', {
    env,
    description: 'thidua: storage (DynamoDB single table, reports bucket, upload-link secret)',
  });
  const stateless = new ThiduaStatelessStack(app, 'ThiduaStateless', {
    env,
    description: 'thidua: queues, functions, upload page, event bus, rules and schedules, alarms',
    table: stateful.table,
    reportsBucket: { bucketName: stateful.reportsBucket.bucketName, bucketArn: stateful.reportsBucketArnImport },
    uploadSecret: stateful.uploadSecret,
    identity: { userPool: stateful.identity.userPool, clientId: stateful.identity.client.userPoolClientId },
    config,
  });
  // Also implied by the automatic references (table, bucket name, secret); explicit for the bucket ARN's import.
  stateless.addStackDependency(stateful, 'imports the reports bucket ARN by export name');
  Tags.of(app).add('project', 'thidua');

  if (opts.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  return { app, stateful, stateless };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  buildApp().app.synth();
}
