import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
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
  ) {}

  async presignPut(key: string, opts: { contentType: string; contentLength: number; expiresInSeconds: number }): Promise<string> {
    // Content length and type are signed: the browser can put exactly this file, here, and nothing bigger.
    return getSignedUrl(
      this.s3,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: opts.contentType, ContentLength: opts.contentLength }),
      { expiresIn: opts.expiresInSeconds, signableHeaders: new Set(['content-type', 'content-length']) },
    );
  }

  async get(key: string, opts: { versionId?: string; maxBytes: number }): Promise<StoredObject> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(opts.versionId ? { VersionId: opts.versionId } : {}) }));
    const size = out.ContentLength ?? 0;
    if (size > opts.maxBytes) {
      out.Body?.transformToWebStream().cancel().catch(() => undefined);
      return { size, tooLarge: true };
    }
    const bytes = await out.Body!.transformToByteArray();
    return { size: bytes.length, bytes, ...(out.VersionId ? { versionId: out.VersionId } : {}) };
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }));
  }
}
