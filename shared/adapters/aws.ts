import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SESClient } from '@aws-sdk/client-ses';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * One client per service per process, made on first use so that whoever sets the environment first
 * (Lambda, or the local stack through AWS_ENDPOINT_URL_<SERVICE>) decides where they point.
 */
export interface AwsClients {
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  sqs: SQSClient;
  ses: SESClient;
  /** SES v2, for SendBulkEmail: up to 50 mails in one call. */
  sesv2: SESv2Client;
  events: EventBridgeClient;
  s3: S3Client;
  /**
   * Signs the browser's upload URLs. Since SDK 3.729 a client computes request checksums by default, and a presigned
   * PutObject then carries `x-amz-checksum-crc32` of the empty body it was signed with: real S3 rejects every real
   * file against it (aws-sdk-js-v3#6994). This client computes and validates checksums only where an operation
   * requires them, so its URLs carry none; the browser's PUT is then checked by its signed length and type.
   */
  s3Presign: S3Client;
}

let clients: AwsClients | undefined;

export function aws(): AwsClients {
  if (clients) return clients;
  const dynamo = new DynamoDBClient({
    maxAttempts: 8,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 },
  });
  clients = {
    dynamo,
    doc: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    sqs: new SQSClient({ maxAttempts: 6, requestHandler: { connectionTimeout: 3_000, requestTimeout: 25_000 } }),
    // aws-ses-v2-local never answers calls it does not implement: a request timeout turns a hang into an error.
    ses: new SESClient({ maxAttempts: 6, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } }),
    sesv2: new SESv2Client({ maxAttempts: 6, requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000 } }),
    events: new EventBridgeClient({ maxAttempts: 6, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } }),
    // Path-style only where an endpoint is set (the local stack); on AWS the default virtual-hosted style.
    s3: new S3Client({ maxAttempts: 6, forcePathStyle: !!process.env.AWS_ENDPOINT_URL_S3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 60_000 } }),
    s3Presign: new S3Client({
      forcePathStyle: !!process.env.AWS_ENDPOINT_URL_S3,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  };
  return clients;
}

/** Forget the clients (tests and benchmarks that start a new stack in the same process). */
export function resetAws(): void {
  if (!clients) return;
  for (const c of [clients.dynamo, clients.sqs, clients.ses, clients.sesv2, clients.events, clients.s3, clients.s3Presign]) c.destroy();
  clients = undefined;
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}
