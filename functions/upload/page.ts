/**
 * The upload page a signed link opens: what is due, the blank workbook, and a form that uploads the file straight to
 * the bucket and then shows the verdict. Server-rendered; its one script and style carry the response's nonce, and
 * everything the page shows that came from data is escaped (`esc`) or passed as escaped JSON (`jsonForHtml`).
 */
import type { UploadContext } from '../../shared/app/uploads.ts';
import { formatDateVi } from '../../shared/domain/calendar/index.ts';
import { esc, jsonForHtml } from '../../shared/web/html.ts';
import { UPLOAD_SCRIPT, type UploadScriptData } from '../../shared/web/upload-script.ts';

const STYLE = `
body{font-family:Arial,Helvetica,sans-serif;max-width:680px;margin:24px auto;padding:0 16px;color:#1f2933;line-height:1.45}
h1{font-size:20px}
.ok{color:#2f6f3e}.error{color:#a61b1b}
button{font-size:16px;padding:8px 16px;margin-top:8px}
input[type=file]{font-size:16px;max-width:100%}
#verdict li{margin:4px 0}
`;

function htmlDocument(title: string, body: string, nonce: string, extraHead = ''): string {
  return `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style nonce="${nonce}">${STYLE}</style>${extraHead}</head><body>${body}</body></html>`;
}

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The link's token goes with every call: it is the page's only authority. */
const linkScriptData = (token: string): UploadScriptData => ({ presign: 'presign', status: `status?t=${encodeURIComponent(token)}`, body: { t: token }, headers: {} });

/** The upload page of one report. */
export function uploadPage(ctx: UploadContext, nonce: string): string {
  const o = ctx.obligation;
  const status = o.status === 'submitted' ? `<p class="ok">Đơn vị đã nộp báo cáo kỳ này${o.onTime ? ' đúng hạn' : ''}. Có thể nộp lại để thay bản trước.</p>` : '';
  const body = `<h1>Nộp báo cáo ${esc(o.periodLabel)}</h1>
<p><b>${esc(ctx.unit.name)}</b><br>${esc(upperFirst(ctx.directive.kind))} số ${esc(ctx.directive.number)} – ${esc(ctx.directive.title)}<br>
Số liệu từ ${formatDateVi(o.periodStart)} đến ${formatDateVi(o.periodEnd)} · hạn nộp <b>${formatDateVi(o.dueDate)}</b></p>${status}
<p>1. <a href="template?t=${esc(encodeURIComponent(ctx.token))}">Tải mẫu báo cáo (.xlsx)</a>, điền số liệu từng thôn, khu phố.</p>
<p>2. Chọn tệp đã điền (.xlsx, .csv) rồi bấm Nộp. Kết quả kiểm tra hiện trên trang này và được gửi qua email.</p>
<form id="f"><label for="file">Tệp báo cáo</label><br><input type="file" id="file" accept=".xlsx,.csv,.json" required><br><button type="submit">Nộp báo cáo</button></form>
<p id="msg" role="status" aria-live="polite"></p>
<div id="verdict"></div>
<script type="application/json" id="upload-data">${jsonForHtml(linkScriptData(ctx.token))}</script>
<script nonce="${nonce}">${UPLOAD_SCRIPT}</script>`;
  return htmlDocument(`Nộp báo cáo – thidua`, body, nonce);
}

/** A page that only says why the link opens nothing, and what to do. */
export function refusalPage(messageVi: string, details: readonly string[], nonce: string): string {
  return htmlDocument('Nộp báo cáo – thidua', `<h1>${esc(messageVi)}</h1>${details.map((d) => `<p>${esc(d)}</p>`).join('')}`, nonce);
}
