import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { REJECTED_TAG, REPORTS_PREFIX, TEMPLATES_PREFIX, UPLOAD_CORS } from '../../shared/contract/bucket.ts';

/** Earlier versions of a report (replaced by a resubmission) are kept this long: the year of results, plus margin. */
export const NONCURRENT_VERSION_DAYS = 400;
/** Report templates are generated on demand (upload page, notification attachments): old ones are never needed. */
export const TEMPLATE_EXPIRATION_DAYS = 90;
/**
 * A rejected upload (tagged by the intake) is kept a month, long enough for the unit to ask about it; then it
 * goes, so a link used to flood the bucket leaves nothing behind. Accepted files are kept.
 */
export const REJECTED_UPLOAD_DAYS = 30;
/** S3 server access logs of the reports bucket. */
export const ACCESS_LOG_DAYS = 365;
/** Signs the upload links: 48 letters and digits (no punctuation to escape anywhere). */
export const UPLOAD_SECRET_LENGTH = 48;

/**
 * The reports bucket and what protects it, in the stateful stack (files and links already emailed outlive any
 * redeploy of the functions):
 * - `reports/<directive>/<period>/<unit>/<upload id>.<ext>`: the files units upload through presigned URLs;
 *   versioned, so a resubmission never destroys the earlier file (noncurrent versions expire after 400 days);
 *   a rejected file (tagged `thidua-outcome=rejected` by the intake) expires after 30 days;
 * - `templates/…`: report templates and digest tables (`templates/digests/…`) the functions generate, expiring after 90 days;
 * - `results/<directive>/<period>.json`: each period's computed results, never expired (the next period's
 *   results compare against them); a recomputation keeps the earlier version for 400 days, like a report;
 * - `emulation/<directive>/<year>/…`: the emulation year's papers (minutes, decisions, reviews, achievement reports),
 *   never expired: no rule names the prefix; a rewritten paper keeps its earlier version for 400 days;
 * - a separate bucket for its S3 server access logs (who read or wrote which report);
 * - the secret that signs upload links (HMAC), generated once and never rotated.
 */
export class ThiduaReports extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;
  readonly uploadSecret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(ACCESS_LOG_DAYS) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log bucket of the reports bucket: logging its own accesses would log the log ' +
        'deliveries themselves, endlessly. Writes to it come only from logging.s3.amazonaws.com (bucket policy).',
    });

    this.bucket = new Bucket(this, 'Bucket', {
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'reports-bucket/',
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        {
          id: 'expire-rejected-uploads',
          prefix: REPORTS_PREFIX,
          tagFilters: { [REJECTED_TAG.Key]: REJECTED_TAG.Value },
          expiration: Duration.days(REJECTED_UPLOAD_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'expire-templates',
          prefix: TEMPLATES_PREFIX,
          expiration: Duration.days(TEMPLATE_EXPIRATION_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      // The upload page (served from the Lambda function URL's domain) PUTs the file straight to S3 with a
      // presigned URL. Any origin is acceptable: the presigned URL is itself the credential (signed by the
      // upload function's role for one key under `reports/`, one content type and length, minutes-long), and CORS
      // only decides which pages' scripts may read the response. Nothing here allows GET, listing or anonymous
      // access; the public access block stays on.
      cors: [
        {
          id: 'presigned-report-uploads',
          allowedMethods: UPLOAD_CORS.methods.map((m) => HttpMethods[m]),
          allowedOrigins: [UPLOAD_CORS.origins],
          // The headers the presigned URL signs (shared/adapters/s3.ts#presignPut): type, length, If-None-Match.
          allowedHeaders: [...UPLOAD_CORS.headers],
          maxAge: UPLOAD_CORS.maxAgeSeconds,
        },
      ],
    });

    this.uploadSecret = new Secret(this, 'UploadLinkSecret', {
      description: 'thidua: the HMAC key that signs upload links (never rotated: links already emailed must stay valid)',
      generateSecretString: { passwordLength: UPLOAD_SECRET_LENGTH, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.uploadSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is the HMAC key of the upload links emailed to units. Rotating it would invalidate every link ' +
        'already sent (reports requested weeks before their deadline); each link carries its own expiry instead (60 days after its deadline). ' +
        'If the key leaks, replace the secret value by hand and re-send the open requests.',
    });
  }
}
