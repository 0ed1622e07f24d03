import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, PutObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ReportStorage, ResultsStore, StoredObject } from '../app/ports.ts';
import type { PeriodResults } from '../domain/results/index.ts';
import { REJECTED_TAG, REPORTS_PREFIX, resultsKey } from '../contract/bucket.ts';

/** Which periods have stored results: asked first, because S3 answers a missing key with 403 to a role without ListBucket. */
export interface ResultsIndex {
  resultsComputedAt(directiveId: string, periodId: string): Promise<string | undefined>;
  markResults(directiveId: string, periodId: string, computedAt: string): Promise<void>;
}

/** The whole results of a period as one JSON object in S3 (too big for an item), indexed in the table. */
export class S3ResultsStore implements ResultsStore {
  constructor(
    private readonly storage: ReportStorage,
    private readonly index: ResultsIndex,
  ) {}

  async getResults(directiveId: string, periodId: string): Promise<PeriodResults | undefined> {
    if (!(await this.index.resultsComputedAt(directiveId, periodId))) return undefined;
    const got = await this.storage.get(resultsKey(directiveId, periodId), { maxBytes: 256 * 1024 * 1024 });
    return got.bytes ? (JSON.parse(Buffer.from(got.bytes).toString('utf8')) as PeriodResults) : undefined;
  }

  async putResults(results: PeriodResults): Promise<void> {
    await this.storage.put(resultsKey(results.directiveId, results.periodId), Buffer.from(JSON.stringify(results)), 'application/json');
    await this.index.markResults(results.directiveId, results.periodId, results.computedAt);
  }
}

export class S3ReportStorage implements ReportStorage {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    /** The client that signs upload URLs: one that adds no checksum to them (`aws().s3Presign`). */
    private readonly presigner: S3Client,
  ) {}

  async presignPut(key: string, opts: { contentType: string; contentLength: number; expiresInSeconds: number; createOnly?: boolean }): Promise<string> {
    // Content length and type are signed: the browser can put exactly this file, here, and nothing bigger. With
    // `createOnly`, `If-None-Match: *` is signed too: S3 refuses (412) a second PUT of the same URL.
    const signed = new Set(['content-type', 'content-length', ...(opts.createOnly ? ['if-none-match'] : [])]);
    return getSignedUrl(
      this.presigner,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: opts.contentType, ContentLength: opts.contentLength, ...(opts.createOnly ? { IfNoneMatch: '*' } : {}) }),
      { expiresIn: opts.expiresInSeconds, signableHeaders: signed },
    );
  }

  private origin?: Promise<string>;
  /** Where the presigning client's URLs point (the bucket's virtual host on AWS, the local route locally). */
  uploadOrigin(): Promise<string> {
    this.origin ??= getSignedUrl(this.presigner, new PutObjectCommand({ Bucket: this.bucket, Key: `${REPORTS_PREFIX}origin` }), { expiresIn: 60 }).then(
      (url) => new URL(url).origin,
      (e: unknown) => {
        this.origin = undefined; // a failure is not remembered: the next page asks again
        throw e;
      },
    );
    return this.origin;
  }

  async presignGet(key: string, opts: { versionId?: string; expiresInSeconds: number; fileName: string }): Promise<string> {
    const disposition = `attachment; filename="${opts.fileName.replace(/[^\w.-]/g, '_')}"`;
    return getSignedUrl(
      this.presigner,
      new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(opts.versionId && opts.versionId !== 'null' ? { VersionId: opts.versionId } : {}), ResponseContentDisposition: disposition }),
      { expiresIn: opts.expiresInSeconds },
    );
  }

  async get(key: string, opts: { versionId?: string; maxBytes: number }): Promise<StoredObject> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(opts.versionId ? { VersionId: opts.versionId } : {}) }));
    const size = out.ContentLength ?? 0;
    if (size > opts.maxBytes) {
      out.Body?.transformToWebStream().cancel().catch(() => undefined);
      return { size, tooLarge: true, ...(out.VersionId ? { versionId: out.VersionId } : {}) };
    }
    const bytes = await out.Body!.transformToByteArray();
    return { size: bytes.length, bytes, ...(out.VersionId ? { versionId: out.VersionId } : {}) };
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }));
  }

  async markRejected(key: string, versionId?: string): Promise<void> {
    await this.s3.send(
      new PutObjectTaggingCommand({
        Bucket: this.bucket,
        Key: key,
        ...(versionId && versionId !== 'null' ? { VersionId: versionId } : {}),
        Tagging: { TagSet: [REJECTED_TAG] },
      }),
    );
  }

  async *listReports(prefix: string, before: Date): AsyncIterable<{ key: string; lastModified: string; eTag?: string }[]> {
    let token: string | undefined;
    do {
      const out = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      const page = (out.Contents ?? [])
        .filter((o) => o.Key && o.LastModified && o.LastModified < before)
        .map((o) => ({ key: o.Key as string, lastModified: (o.LastModified as Date).toISOString(), ...(o.ETag ? { eTag: o.ETag.replaceAll('"', '') } : {}) }));
      if (page.length) yield page;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }
}
