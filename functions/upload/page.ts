/**
 * The upload page a signed link opens: what is due, the blank workbook, and a form that uploads the file straight to
 * the bucket and then shows the verdict. Server-rendered; its one script and style carry the response's nonce, and
 * everything the page shows that came from data is escaped (`esc`) or passed as escaped JSON (`jsonForHtml`).
 */
import type { UploadContext } from '../../shared/app/uploads.ts';
import { formatDateVi } from '../../shared/domain/calendar/index.ts';
import { esc, jsonForHtml } from '../../shared/web/html.ts';

const STYLE = `
body{font-family:Arial,Helvetica,sans-serif;max-width:680px;margin:24px auto;padding:0 16px;color:#1f2933;line-height:1.45}
h1{font-size:20px}
.ok{color:#2f6f3e}.error{color:#a61b1b}
button{font-size:16px;padding:8px 16px;margin-top:8px}
input[type=file]{font-size:16px;max-width:100%}
#verdict li{margin:4px 0}
`;

/**
 * The page's behaviour: presign, PUT, then poll the verdict. Every failure (a refused presign, a failed PUT, no
 * network) ends in a Vietnamese message; the button is given back. Static text: no value is interpolated into it.
 */
const SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById('upload-data').textContent);
  const form = document.getElementById('f');
  const input = document.getElementById('file');
  const button = form.querySelector('button');
  const msg = document.getElementById('msg');
  const verdict = document.getElementById('verdict');
  const say = (text, tone) => { msg.textContent = text; msg.className = tone || ''; };
  const list = (items) => {
    const ul = document.createElement('ul');
    for (const item of items) { const li = document.createElement('li'); li.textContent = item; ul.append(li); }
    verdict.replaceChildren(ul);
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const readJson = async (r) => { try { return await r.json(); } catch { return {}; } };

  async function waitForVerdict(key) {
    const deadline = Date.now() + 120000;
    while (Date.now() < deadline) {
      await sleep(1500);
      let v;
      try {
        const r = await fetch('status?t=' + encodeURIComponent(data.token) + '&key=' + encodeURIComponent(key));
        if (!r.ok) continue;
        v = await r.json();
      } catch { continue; }
      if (v.state === 'accepted') {
        say('Báo cáo đã được tiếp nhận' + (v.onTime ? ' đúng hạn' : ' (nộp muộn)') + (v.resubmission ? ', thay cho bản nộp trước' : '') + '. Biên nhận đã được gửi qua email.', 'ok');
        list(['Số dòng số liệu đã đọc: ' + v.rows].concat(v.notes || []));
        return;
      }
      if (v.state === 'rejected') {
        say('Báo cáo chưa hợp lệ (' + v.problems.length + ' lỗi). Hãy sửa các lỗi dưới đây rồi nộp lại:', 'error');
        list(v.problems);
        return;
      }
    }
    say('Hệ thống vẫn đang kiểm tra tệp. Kết quả (biên nhận hoặc danh sách lỗi) sẽ được gửi qua email trong ít phút.', '');
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = input.files[0];
    if (!file) { say('Hãy chọn tệp báo cáo trước khi bấm Nộp.', 'error'); return; }
    button.disabled = true;
    verdict.replaceChildren();
    try {
      say('Đang chuẩn bị tải lên…');
      const r = await fetch('presign', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ t: data.token, fileName: file.name, size: file.size }) });
      const p = await readJson(r);
      if (!r.ok) {
        say((p.error || ('Không tải lên được (mã lỗi ' + r.status + ')')) + (p.details && p.details.length ? '. ' + p.details.join(' ') : ''), 'error');
        return;
      }
      say('Đang tải lên…');
      const put = await fetch(p.url, { method: 'PUT', headers: p.headers, body: file });
      if (!put.ok) {
        say('Tải tệp lên không thành công (mã lỗi ' + put.status + '). Vui lòng bấm Nộp lại; nếu vẫn lỗi, hãy báo cho văn phòng cấp trên.', 'error');
        return;
      }
      say('Đã tải lên. Hệ thống đang kiểm tra tệp…');
      await waitForVerdict(p.key);
    } catch (err) {
      say('Không kết nối được tới máy chủ (' + ((err && err.message) || 'lỗi mạng') + '). Hãy kiểm tra kết nối mạng rồi bấm Nộp lại.', 'error');
    } finally {
      button.disabled = false;
    }
  });
})();
`;

function htmlDocument(title: string, body: string, nonce: string, extraHead = ''): string {
  return `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style nonce="${nonce}">${STYLE}</style>${extraHead}</head><body>${body}</body></html>`;
}

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

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
<script type="application/json" id="upload-data">${jsonForHtml({ token: ctx.token })}</script>
<script nonce="${nonce}">${SCRIPT}</script>`;
  return htmlDocument(`Nộp báo cáo – thidua`, body, nonce);
}

/** A page that only says why the link opens nothing, and what to do. */
export function refusalPage(messageVi: string, details: readonly string[], nonce: string): string {
  return htmlDocument('Nộp báo cáo – thidua', `<h1>${esc(messageVi)}</h1>${details.map((d) => `<p>${esc(d)}</p>`).join('')}`, nonce);
}
