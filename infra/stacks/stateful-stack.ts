import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ThiduaReports } from '../constructs/reports.ts';
import { ThiduaStorage } from '../constructs/storage.ts';
import { ThiduaIdentity } from '../constructs/identity.ts';

/**
 * What must survive every deployment: the table, the reports bucket (and its access logs), the secret that
 * signs the upload links already emailed, and the console's users (Cognito). Deployed rarely, termination-protected, everything retained; the
 * stateless stack can be destroyed and recreated freely around it.
 */
export class ThiduaStatefulStack extends Stack {
  readonly table: TableV2;
  readonly reports: ThiduaReports;
  /**
   * The bucket's ARN as the stateless stack imports it, under a fixed export name: its policies then name the
   * bucket with a value known at construction time (and cdk-nag findings on them can be acknowledged precisely).
   */
  readonly reportsBucketArnImport: string;
  /** The console's users (Cognito). */
  readonly identity: ThiduaIdentity;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    this.table = new ThiduaStorage(this, 'Storage').table;
    this.reports = new ThiduaReports(this, 'Reports');
    this.identity = new ThiduaIdentity(this, 'Identity');
    this.reportsBucketArnImport = this.exportValue(this.reports.bucket.bucketArn, { name: `${this.stackName}:ReportsBucketArn` });
    // What `thidua --aws` needs: TABLE_NAME (and REPORTS_BUCKET, UPLOAD_TOKEN_SECRET_ARN to sign upload links).
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'TABLE_NAME for thidua --aws' });
    new CfnOutput(this, 'ReportsBucketName', { value: this.reportsBucket.bucketName, description: 'REPORTS_BUCKET: the uploaded reports and templates' });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId, description: 'COGNITO_USER_POOL_ID: the console\'s users' });
    new CfnOutput(this, 'UserPoolClientId', { value: this.identity.client.userPoolClientId, description: 'COGNITO_CLIENT_ID: the console\'s app client' });
    new CfnOutput(this, 'UploadTokenSecretArn', {
      value: this.uploadSecret.secretArn,
      description: 'UPLOAD_TOKEN_SECRET_ARN: the secret that signs upload links (the ARN, not the value)',
    });
  }

  get reportsBucket(): Bucket {
    return this.reports.bucket;
  }

  get uploadSecret(): Secret {
    return this.reports.uploadSecret;
  }
}
