import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { InputError } from '../../shared/domain/errors.ts';
import { currentClock } from '../../shared/adapters/clock.ts';
import {
  DEFAULT_MAX_UPLOADS_PER_HOUR,
  LinkRefused,
  openUpload,
  presignUpload,
  reportTemplate,
  ReportLocked,
  UploadQuotaExceeded,
  uploadVerdict,
  XLSX_CONTENT_TYPE,
  type LinkRefusal,
  type UploadDeps,
} from '../../shared/app/uploads.ts';
import { maxReportBytes, reportStorage, repository, uploadSecret } from '../../shared/adapters/wiring.ts';
import { dataHeaders, newNonce, pageHeaders } from '../../shared/web/html.ts';
import { powertools, wrap } from '../../shared/lambda/powertools.ts';
import { ENV } from '../../shared/contract/catalog.ts';
import { refusalPage, uploadPage } from './page.ts';

const pt = powertools('upload');
const repo = repository();
const storage = reportStorage();

const deps = async (): Promise<UploadDeps> => ({
  secret: await uploadSecret(),
  obligations: repo,
  directives: repo,
  units: repo,
  assignments: repo,
  storage,
  clock: currentClock(),
  maxBytes: maxReportBytes(),
  quota: repo,
  villageTargets: repo,
  maxUploadsPerHour: Number(process.env[ENV.maxUploadsPerHour] ?? DEFAULT_MAX_UPLOADS_PER_HOUR),
});

type Response = APIGatewayProxyStructuredResultV2;

async function html(status: number, render: (nonce: string) => string): Promise<Response> {
  const nonce = newNonce();
  return { statusCode: status, headers: pageHeaders(nonce, [await storage.uploadOrigin()]), body: render(nonce) };
}

const json = (status: number, data: unknown, extra: Record<string, string> = {}): Response => ({
  statusCode: status,
  headers: { ...dataHeaders('application/json; charset=utf-8'), ...extra },
  body: JSON.stringify(data),
});

/** A refused link: 403 for a link that is not ours or expired, 404 unknown, 410 for a report no longer wanted. */
const REFUSAL_STATUS: Record<LinkRefusal, number> = { invalid: 403, expired: 403, 'not-found': 404, withdrawn: 410, cancelled: 410 };

function statusOf(e: InputError): number {
  if (e instanceof LinkRefused) return REFUSAL_STATUS[e.reason];
  if (e instanceof UploadQuotaExceeded) return 429;
  if (e instanceof ReportLocked) return 409;
  return 400;
}

function bodyOf(event: APIGatewayProxyEventV2): Record<string, unknown> {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new InputError('Yêu cầu không hợp lệ', ['Hãy tải lại trang rồi thử lại.']);
}

async function route(method: string, path: string, event: APIGatewayProxyEventV2): Promise<Response> {
  const query = event.queryStringParameters ?? {};
  if (method === 'GET' && path === '/') {
    const ctx = await openUpload(query.t ?? '', await deps());
    return html(200, (nonce) => uploadPage(ctx, nonce));
  }
  if (method === 'GET' && path === '/template') {
    const d = await deps();
    const ctx = await openUpload(query.t ?? '', d);
    const bytes = await reportTemplate(ctx, d);
    return {
      statusCode: 200,
      isBase64Encoded: true,
      headers: { ...dataHeaders(XLSX_CONTENT_TYPE), 'content-disposition': `attachment; filename="bao-cao-${ctx.obligation.periodId}-${ctx.unit.id}.xlsx"` },
      body: Buffer.from(bytes).toString('base64'),
    };
  }
  if (method === 'GET' && path === '/status') {
    const ctx = await openUpload(query.t ?? '', await deps());
    return json(200, await uploadVerdict(ctx, query.key ?? '', { reports: repo }));
  }
  if (method === 'POST' && path === '/presign') {
    const body = bodyOf(event);
    const presigned = await presignUpload(String(body.t ?? ''), { name: String(body.fileName ?? ''), size: Number(body.size) }, await deps());
    pt.logger.info('Upload presigned', { key: presigned.key });
    return json(200, presigned);
  }
  return json(404, { error: 'Không có trang này', details: [] });
}

/** The upload page behind a signed link (a Lambda function URL): the page, the blank template, a presigned PUT, the verdict. */
export const handler = wrap(async (event: APIGatewayProxyEventV2, _context: Context): Promise<Response> => {
  const path = event.rawPath.replace(/\/+$/, '') || '/';
  const method = event.requestContext.http.method;
  try {
    return await route(method, path, event);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const status = statusOf(e);
    pt.logger.info('Upload request refused', { status, path, reason: e instanceof LinkRefused ? e.reason : e.name });
    const retryAfter: Record<string, string> = e instanceof UploadQuotaExceeded ? { 'retry-after': String(Math.max(1, Math.ceil((e.retryAt.getTime() - currentClock().now().getTime()) / 1000))) } : {};
    if (method === 'GET' && path !== '/status') {
      const page = await html(status, (nonce) => refusalPage(e.messageVi, e.details, nonce));
      return { ...page, headers: { ...page.headers, ...retryAfter } };
    }
    return json(status, { error: e.messageVi, details: e.details }, retryAfter);
  }
}, pt);
