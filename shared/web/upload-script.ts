/**
 * The browser's part of uploading a report, the same on the signed-link upload page and in the console: ask the
 * server for a presigned PUT, PUT the file straight to the bucket (S3 on AWS; the local server's `/_s3` route on the
 * embedded stack, whose CORS answers are S3's), then poll the verdict and show the receipt or every problem.
 *
 * The page provides a form `#f` with a file input `#file`, a status line `#msg`, a `#verdict` block, and its data
 * in `<script type="application/json" id="upload-data">` (UploadScriptData, through `jsonForHtml`).
 */

/** Where the script asks, and what it adds to each request (the link's token, or the console's CSRF header). */
export interface UploadScriptData {
  /** POST { ...body, fileName, size } → { url, key, headers } or { error, details }. */
  presign: string;
  /** GET `<status>?key=…` (or `&key=`) → the verdict. */
  status: string;
  body: Record<string, string>;
  headers: Record<string, string>;
}

/**
 * The page's behaviour: presign, PUT, then poll the verdict. Every failure (a refused presign, a failed PUT, no
 * network) ends in a Vietnamese message; the button is given back. Static text: no value is interpolated into it.
 */
export const UPLOAD_SCRIPT = `
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
        const r = await fetch(data.status + (data.status.includes('?') ? '&' : '?') + 'key=' + encodeURIComponent(key), { headers: { accept: 'application/json' } });
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
      const r = await fetch(data.presign, { method: 'POST', headers: Object.assign({ 'content-type': 'application/json', accept: 'application/json' }, data.headers), body: JSON.stringify(Object.assign({}, data.body, { fileName: file.name, size: file.size })) });
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
    } catch {
      say('Không kết nối được tới máy chủ. Hãy kiểm tra kết nối mạng rồi bấm Nộp lại.', 'error');
    } finally {
      button.disabled = false;
    }
  });
})();
`;
