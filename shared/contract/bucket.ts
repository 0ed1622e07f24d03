/**
 * The reports bucket's key layout and the rules about its objects that every layer agrees on: the upload page mints
 * keys, the intake and the document function parse them, infra grants and notifies by their prefixes, the local
 * stack serves them. Nothing here talks to S3 (shared/adapters/s3.ts does).
 */

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

/**
 * The bucket's one CORS rule: the upload page's script PUTs a file to a presigned URL, with exactly the headers
 * `presignPut` signs. Infra configures it on AWS; the local stack's bucket route answers preflights by it.
 */
export const UPLOAD_CORS = { methods: ['PUT'], origins: '*', headers: ['content-type', 'content-length', 'if-none-match'], maxAgeSeconds: 3000 } as const;

/** The tag a rejected upload carries: the bucket's lifecycle rule expires what has it (infra/constructs/reports.ts). */
export const REJECTED_TAG = { Key: 'thidua-outcome', Value: 'rejected' } as const;

/**
 * The emulation year's papers, kept without expiry: `emulation/<directive>/<year>/…` — the council's minutes
 * (`minutes-<session>.docx`), the decision (`decision-<id>.docx`) and the achievement reports nominations carry
 * (`nominations/<unit>/<upload id>.<ext>`). The multi-year review's workbook is an email attachment, regenerated on
 * demand: it lives with the other attachments under `templates/` (short-lived, and the mail sender may read it).
 */
export const EMULATION_PREFIX = 'emulation/';
export const minutesKey = (directiveId: string, year: number, sessionId: string) => `${EMULATION_PREFIX}${directiveId}/${year}/minutes-${sessionId}.docx`;
export const decisionKey = (directiveId: string, year: number, decisionId: string) => `${EMULATION_PREFIX}${directiveId}/${year}/decision-${decisionId}.docx`;
export const reviewKey = (directiveId: string, years: readonly number[]) => `${TEMPLATES_PREFIX}reviews/${directiveId}/${years[0]}-${years.at(-1)}.xlsx`;
export const achievementReportKey = (directiveId: string, year: number, unitId: string, uploadId: string, ext: string) =>
  `${EMULATION_PREFIX}${directiveId}/${year}/nominations/${unitId}/${uploadId}.${ext}`;
export const DOCX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
