import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { InputError } from '../../shared/app/errors.ts';
import { currentClock } from '../../shared/adapters/clock.ts';
import { openUpload, presignUpload, reportTemplate, XLSX_CONTENT_TYPE, type UploadDeps } from '../../shared/app/uploads.ts';
import { maxReportBytes, reportStorage, repository, uploadSecret } from '../../shared/adapters/wiring.ts';
import { formatDateVi } from '../../shared/domain/calendar/index.ts';
import { esc } from '../../shared/mail/html.ts';
import { powertools, wrap } from '../../shared/lambda/sqs-handler.ts';

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
});

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  // The page carries its one script inline and talks only to itself and the bucket.
  'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src *; form-action 'none'; frame-ancestors 'none'",
};

const html = (status: number, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS },
  body: `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Nộp báo cáo – thidua</title></head><body style="font-family:Arial,Helvetica,sans-serif;max-width:680px;margin:24px auto;padding:0 16px;color:#1f2933;">${body}</body></html>`,
});

const json = (status: number, data: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS },
  body: JSON.stringify(data),
});

function page(token: string, ctx: Awaited<ReturnType<typeof openUpload>>): string {
  const o = ctx.obligation;
  const status = o.status === 'submitted' ? `<p style="color:#2f6f3e;">Đơn vị đã nộp báo cáo kỳ này${o.onTime ? ' đúng hạn' : ''}. Có thể nộp lại để thay bản trước.</p>` : '';
  return `<h1 style="font-size:20px;">Nộp báo cáo ${esc(o.periodLabel)}</h1>
<p><b>${esc(ctx.unit.name)}</b><br>${esc(ctx.directive.kind)} số ${esc(ctx.directive.number)} – ${esc(ctx.directive.title)}<br>
Số liệu từ ${formatDateVi(o.periodStart)} đến ${formatDateVi(o.periodEnd)} · hạn nộp <b>${formatDateVi(o.dueDate)}</b></p>${status}
<p>1. <a href="template?t=${encodeURIComponent(token)}">Tải mẫu báo cáo (.xlsx)</a>, điền số liệu từng thôn, khu phố.</p>
<p>2. Chọn tệp đã điền (.xlsx, .csv) rồi bấm Nộp. Kết quả kiểm tra được gửi qua email.</p>
<form id="f"><input type="file" id="file" accept=".xlsx,.csv,.json" required> <button type="submit">Nộp báo cáo</button></form>
<p id="msg" role="status"></p>
<script>
const t = ${JSON.stringify(token)};
const msg = document.getElementById('msg');
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = document.getElementById('file').files[0];
  if (!file) return;
  msg.textContent = 'Đang tải lên…';
  const r = await fetch('presign', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ t, fileName: file.name, size: file.size }) });
  const p = await r.json();
  if (!r.ok) { msg.textContent = p.error + (p.details && p.details.length ? ': ' + p.details.join('; ') : ''); return; }
  const put = await fetch(p.url, { method: 'PUT', headers: p.headers, body: file });
  msg.textContent = put.ok ? 'Đã tải lên. Hệ thống đang kiểm tra; biên nhận hoặc danh sách lỗi sẽ được gửi qua email trong ít phút.' : 'Tải lên không thành công (' + put.status + '). Vui lòng thử lại.';
});
</script>`;
}

/** The upload page behind a signed link (a Lambda function URL): the page, the blank template, a presigned PUT. */
export const handler = wrap(async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  const path = event.rawPath.replace(/\/+$/, '') || '/';
  const method = event.requestContext.http.method;
  try {
    if (method === 'GET' && (path === '/' || path === '/template')) {
      const token = event.queryStringParameters?.t ?? '';
      const d = await deps();
      const ctx = await openUpload(token, d);
      if (path === '/') return html(200, page(token, ctx));
      const bytes = await reportTemplate(ctx, d);
      return {
        statusCode: 200,
        isBase64Encoded: true,
        headers: { 'content-type': XLSX_CONTENT_TYPE, 'content-disposition': `attachment; filename="bao-cao-${ctx.obligation.periodId}-${ctx.unit.id}.xlsx"`, ...SECURITY_HEADERS },
        body: Buffer.from(bytes).toString('base64'),
      };
    }
    if (method === 'POST' && path === '/presign') {
      const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
      let body: { t?: unknown; fileName?: unknown; size?: unknown };
      try {
        body = JSON.parse(raw) as typeof body;
      } catch {
        return json(400, { error: 'Yêu cầu không hợp lệ', details: [] });
      }
      const presigned = await presignUpload(String(body.t ?? ''), { name: String(body.fileName ?? ''), size: Number(body.size) }, await deps());
      pt.logger.info('Upload presigned', { key: presigned.key });
      return json(200, presigned);
    }
    return json(404, { error: 'Không có trang này', details: [] });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    pt.logger.info('Upload refused', { reason: e.messageVi });
    const status = /hết hạn|không hợp lệ/.test(e.messageVi) && !/Tệp|Yêu cầu/.test(e.messageVi) ? 403 : 400;
    return method === 'GET' ? html(status, `<h1 style="font-size:20px;">${esc(e.messageVi)}</h1>${e.details.map((d) => `<p>${esc(d)}</p>`).join('')}`) : json(status, { error: e.messageVi, details: e.details });
  }
}, pt);
