import { createHash } from 'node:crypto';
import type { InboxMail } from './inbox-store.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const time = (at: number) =>
  new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(at * 1000));

const size = (bytes: number | undefined) => (bytes === undefined ? '' : bytes < 1024 ? ` (${bytes} B)` : ` (${(bytes / 1024).toFixed(0)} KB)`);

function mailHtml(m: InboxMail): string {
  const row = (label: string, values: string[]) => (values.length ? `<tr><th>${label}</th><td>${values.map(esc).join(', ')}</td></tr>` : '');
  const attachments = (m.attachments ?? []).map(
    (a, i) => `<a href="/_local/attachment?m=${encodeURIComponent(m.messageId)}&amp;i=${i}">${esc(a.filename ?? `tep-${i + 1}`)}</a>${size(a.size)}`,
  );
  // The mail's HTML in a sandboxed frame of its own (`/_local/mail`, with its own policy): no script runs, links
  // open in a new tab (the upload page refuses frames).
  const html = m.body.html
    ? `<details><summary>Thư (HTML)</summary><iframe title="${esc(m.subject)}" sandbox="allow-popups allow-popups-to-escape-sandbox" src="/_local/mail?m=${encodeURIComponent(m.messageId)}"></iframe></details>`
    : '';
  const text = m.body.text ? `<details${m.body.html ? '' : ' open'}><summary>Văn bản</summary><pre>${esc(m.body.text)}</pre></details>` : '';
  return `<article class="mail" data-message-id="${esc(m.messageId)}">
<h2>${esc(m.subject)}</h2>
<table>
<tr><th>Lúc</th><td>${time(m.at)}</td></tr>
${row('Từ', [m.from])}
${row('Tới', m.destination.to)}
${row('Cc', m.destination.cc)}
${row('Bcc', m.destination.bcc)}
${row('Trả lời tới', m.replyTo ?? [])}
${attachments.length ? `<tr><th>Tệp đính kèm</th><td>${attachments.join(', ')}</td></tr>` : ''}
</table>
${html}${text}
</article>`;
}

/**
 * One mail's HTML as its frame shows it, and the policy that lets exactly its own styles apply: each inline `style`
 * attribute and `<style>` element by its hash ('unsafe-hashes'), nothing else; no script, no network but images.
 */
export function mailFrame(html: string): { body: string; csp: string } {
  const unescape = (v: string) => v.replace(/&(quot|amp|lt|gt|#39|apos);/g, (_, e: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', '#39': "'", apos: "'" })[e] as string);
  const hash = (v: string) => `'sha256-${createHash('sha256').update(v, 'utf8').digest('base64')}'`;
  const attributes = [...html.matchAll(/\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) => unescape(m[1] ?? m[2] ?? ''));
  const elements = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1] ?? '');
  const hashes = [...new Set([...attributes, ...elements].map(hash))];
  const styles = hashes.length ? `'unsafe-hashes' ${hashes.join(' ')}` : "'none'";
  return {
    body: `<base target="_blank">${html}`,
    csp: `default-src 'none'; style-src ${styles}; img-src data: http: https:; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox`,
  };
}

/** The local inbox, newest first, a page at a time; every recipient of every mail is shown. */
export function inboxPage(opts: { mails: InboxMail[]; total: number; page: number; pageSize: number; nonce: string }): string {
  const pages = Math.max(1, Math.ceil(opts.total / opts.pageSize));
  const nav = [
    opts.page > 1 ? `<a href="/?page=${opts.page - 1}">← Mới hơn</a>` : '',
    `Trang ${opts.page}/${pages}`,
    opts.page < pages ? `<a href="/?page=${opts.page + 1}">Cũ hơn →</a>` : '',
  ].filter(Boolean).join(' · ');
  return `<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Hộp thư cục bộ – thidua</title>
<style nonce="${opts.nonce}">
body{font-family:Arial,Helvetica,sans-serif;max-width:960px;margin:16px auto;padding:0 16px;color:#1f2933}
header{display:flex;align-items:center;gap:16px;flex-wrap:wrap}header h1{flex:1;font-size:22px}
.mail{border:1px solid #cbd2d9;border-radius:6px;padding:8px 16px;margin:12px 0}.mail h2{font-size:17px;margin:6px 0}
th{text-align:left;vertical-align:top;padding-right:12px;font-weight:normal;color:#52606d;white-space:nowrap}td{word-break:break-word}
iframe{width:100%;height:560px;border:1px solid #cbd2d9;border-radius:4px}pre{white-space:pre-wrap;background:#f5f7fa;padding:12px;border-radius:4px}
#fresh{display:none;background:#fff3c4;padding:8px 12px;border-radius:4px}
</style></head><body>
<header><h1>Hộp thư cục bộ (SES)</h1><span>${opts.total} thư</span>
<form method="post" action="/clear-store" id="clear"><button type="submit">Xóa mọi thư</button></form></header>
<p id="fresh">Có thư mới. <a href="/">Tải lại</a></p>
<nav>${nav}</nav>
${opts.mails.map(mailHtml).join('\n') || '<p>Chưa có thư nào.</p>'}
<nav>${nav}</nav>
<p>Dạng JSON: <a href="/store"><code>GET /store</code></a> (như aws-ses-v2-local).</p>
<script nonce="${opts.nonce}">
document.getElementById('clear').addEventListener('submit', (e) => { if (!confirm('Xóa mọi thư trong hộp thư cục bộ?')) e.preventDefault(); });
const shown = ${opts.total};
let reading = false; // a mail opened by hand is not reloaded away
document.addEventListener('click', (e) => { if (e.target.closest('summary')) reading = true; });
setInterval(async () => {
  try {
    const { count } = await (await fetch('/_local/count')).json();
    if (count === shown) return;
    if (${opts.page} === 1 && !reading) location.reload();
    else document.getElementById('fresh').style.display = 'block';
  } catch {}
}, 2000);
</script>
</body></html>`;
}
