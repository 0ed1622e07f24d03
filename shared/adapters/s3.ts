import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, PutObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ReportStorage, ResultsStore, StoredObject } from '../app/ports.ts';
import type { PeriodResults } from '../domain/results/index.ts';

/**
 * Report files: `reports/<directive>/<period>/<unit>/<upload id>.<ext>`. The key is the only thing the processor
 * trusts about who uploaded what, and only the upload function (holding a signed grant) can mint a URL for it.
 */
export const REPORTS_PREFIX = 'reports/';
export const TEMPLATES_PREFIX = 'templates/';

export interface ReportKey {
  directiveId: string;
  periodId: string;
  unitId: string;
  uploadId: string;
  ext: string;
}

const SEGMENT = /^[a-z0-9][a-z0-9-]*$/;
const PERIOD = /^\d{4}-(M\d{2}|Q[1-4]|H1|Y)$/;

export function reportKey(k: ReportKey): string {
  return `${REPORTS_PREFIX}${k.directiveId}/${k.periodId}/${k.unitId}/${k.uploadId}.${k.ext}`;
}

/** The parts of a report key, or undefined for anything that is not one (never trust an S3 event blindly). */
export function parseReportKey(key: string): ReportKey | undefined {
  const m = /^reports\/([^/]+)\/([^/]+)\/([^/]+)\/([A-Za-z0-9-]+)\.([a-z0-9]{1,5})$/.exec(key);
  if (!m) return undefined;
  const [, directiveId, periodId, unitId, uploadId, ext] = m as unknown as [string, string, string, string, string, string];
  if (!SEGMENT.test(directiveId) || !PERIOD.test(periodId) || !SEGMENT.test(unitId)) return undefined;
  return { directiveId, periodId, unitId, uploadId, ext };
}

/**
 * Directive documents as offices have them (PDF, DOCX, text): `documents/<uploading unit>/<upload id>/<file name>`.
 * The unit is who asked for the draft; the file name is kept for people, never trusted for the format.
 */
export const DOCUMENTS_PREFIX = 'documents/';

export interface DocumentKey {
  uploaderId: string;
  uploadId: string;
  fileName: string;
}

export function documentKey(k: DocumentKey): string {
  return `${DOCUMENTS_PREFIX}${k.uploaderId}/${k.uploadId}/${k.fileName}`;
}

export function parseDocumentKey(key: string): DocumentKey | undefined {
  const m = /^documents\/([^/]+)\/([A-Za-z0-9-]{1,64})\/([^/]{1,255})$/.exec(key);
  if (!m || !SEGMENT.test(m[1]!)) return undefined;
  return { uploaderId: m[1]!, uploadId: m[2]!, fileName: m[3]! };
}

/** A file name safe as the last segment of a key: no folders, no control characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(-200);
  return clean || 'van-ban';
}

export const RESULTS_PREFIX = 'results/';
export const resultsKey = (directiveId: string, periodId: string) => `${RESULTS_PREFIX}${directiveId}/${periodId}.json`;
/** Generated attachments (templates, digest tables) share the short-lived prefix. */
export const digestTableKey = (directiveId: string, periodId: string, unitId: string) => `${TEMPLATES_PREFIX}digests/${directiveId}/${periodId}/${unitId}.xlsx`;

export function templateKey(directiveId: string, periodId: string, unitId: string): string {
  return `${TEMPLATES_PREFIX}${directiveId}/${periodId}/${unitId}.xlsx`;
}

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

/**
 * The bucket's one CORS rule: the upload page's script PUTs a file to a presigned URL, with exactly the headers
 * `presignPut` signs. Infra configures it on AWS; the local stack's bucket route answers preflights by it.
 */
export const UPLOAD_CORS = { methods: ['PUT'], origins: '*', headers: ['content-type', 'content-length', 'if-none-match'], maxAgeSeconds: 3000 } as const;

/** The tag a rejected upload carries: the bucket's lifecycle rule expires what has it (infra/constructs/reports.ts). */
export const REJECTED_TAG = { Key: 'thidua-outcome', Value: 'rejected' } as const;
