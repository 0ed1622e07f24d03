/**
 * The console's page shell: Vietnamese, server-rendered, readable on a 360 px phone, labelled and keyboard-usable.
 * Its one style sheet and any script carry the response's nonce; everything shown that came from data is escaped.
 */
import { hasRole, type Person, type Role } from '../../shared/domain/access.ts';
import { esc, jsonForHtml } from '../../shared/web/html.ts';
import type { Session } from './context.ts';

export { esc, jsonForHtml };

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:Arial,Helvetica,sans-serif;color:#1f2933;background:#f5f7fa;line-height:1.45;font-size:16px}
a{color:#0b57a4}
header.top{background:#0b3c6e;color:#fff;padding:8px 16px;display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px}
header.top a{color:#fff;text-decoration:none;padding:6px 0}
header.top a:focus,header.top a:hover{text-decoration:underline}
header.top .brand{font-weight:700;margin-right:8px}
header.top form{margin-left:auto}
header.top button{background:transparent;color:#fff;border:1px solid #9fb3c8;border-radius:4px;padding:4px 10px;font-size:14px}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:22px;margin:8px 0 16px}
h2{font-size:18px;margin:24px 0 8px}
.card{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:12px 16px;margin:12px 0}
.muted{color:#52606d}
.ok{color:#1e6b34}.warn{color:#8a5a00}.error{color:#a61b1b}
.flash{padding:10px 14px;border-radius:4px;margin:12px 0}
.flash.ok{background:#e3f9e5}.flash.error{background:#fde8e8}.flash.warn{background:#fff3c4}
table.data{border-collapse:collapse;width:100%;background:#fff;font-size:15px}
table.data th,table.data td{border:1px solid #d9e2ec;padding:6px 8px;text-align:left;vertical-align:top}
table.data th{background:#eef2f6}
td.num,th.num{text-align:right}
.scroll{overflow-x:auto}
form.stack label{display:block;margin:10px 0 4px;font-weight:700}
input,select,textarea,button{font-size:16px;font-family:inherit}
input[type=text],input[type=email],input[type=password],input[type=number],input[type=date],select,textarea{width:100%;max-width:480px;padding:8px;border:1px solid #9aa5b1;border-radius:4px}
button.primary,a.button{display:inline-block;background:#0b57a4;color:#fff;border:0;border-radius:4px;padding:9px 16px;margin:8px 8px 0 0;text-decoration:none;cursor:pointer}
button.secondary{background:#fff;color:#0b57a4;border:1px solid #0b57a4;border-radius:4px;padding:8px 14px;margin:8px 8px 0 0;cursor:pointer}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #f0b429;outline-offset:2px}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-size:13px;background:#e4e7eb}
.badge.ok{background:#e3f9e5}.badge.warn{background:#fff3c4}.badge.error{background:#fde8e8}.badge.info{background:#dceefb}
nav.crumbs{font-size:14px;margin-bottom:8px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px}
@media (max-width:480px){main{padding:10px}h1{font-size:20px}table.data{font-size:14px}}
`;

interface NavItem {
  href: string;
  label: string;
  show: (p: Person) => boolean;
}

const NAV: NavItem[] = [
  { href: '/', label: 'Trang chủ', show: () => true },
  { href: '/directives', label: 'Chỉ thị', show: (p) => hasRole(p, 'office') || hasRole(p, 'leader') || hasRole(p, 'approver') },
  { href: '/my-reports', label: 'Báo cáo của đơn vị', show: (p) => hasRole(p, 'officer') },
  { href: '/targets', label: 'Chỉ tiêu các thôn', show: (p) => hasRole(p, 'officer') },
  { href: '/approvals', label: 'Duyệt báo cáo', show: (p) => hasRole(p, 'approver') },
  { href: '/emulation', label: 'Năm thi đua', show: (p) => ['office', 'officer', 'leader', 'approver', 'secretary'].some((r) => hasRole(p, r as Role)) },
  { href: '/admin', label: 'Quản trị', show: (p) => hasRole(p, 'admin') },
  { href: '/audit', label: 'Nhật ký', show: (p) => hasRole(p, 'office') || hasRole(p, 'admin') },
];

export interface PageOptions {
  title: string;
  nonce: string;
  session?: Session;
  /** A message after a change: what was done, or why not. */
  flash?: { tone: 'ok' | 'error' | 'warn'; text: string };
  /** Extra script, run under the nonce. Static text; data goes through `jsonForHtml` into a JSON block. */
  script?: string;
  data?: unknown;
}

export function page(body: string, opts: PageOptions): string {
  const s = opts.session;
  const nav = s
    ? `<header class="top"><span class="brand">thidua</span>${NAV.filter((n) => n.show(s.person))
        .map((n) => `<a href="${n.href}">${esc(n.label)}</a>`)
        .join('')}<form method="post" action="/sign-out">${csrfField(s)}<button type="submit">Đăng xuất (${esc(s.person.name)})</button></form></header>`
    : '<header class="top"><span class="brand">thidua</span><span>Hệ thống quản lý phong trào thi đua</span></header>';
  const flash = opts.flash ? `<p class="flash ${opts.flash.tone}" role="status">${esc(opts.flash.text)}</p>` : '';
  const data = opts.data !== undefined ? `<script type="application/json" id="page-data">${jsonForHtml(opts.data)}</script>` : '';
  const script = opts.script ? `<script nonce="${opts.nonce}">${opts.script}</script>` : '';
  return `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(opts.title)} – thidua</title><style nonce="${opts.nonce}">${STYLE}</style></head><body>${nav}<main id="main">${flash}${body}</main>${data}${script}</body></html>`;
}

export const csrfField = (s: Session) => `<input type="hidden" name="_csrf" value="${esc(s.csrf)}">`;

/** dd/mm/yyyy from an ISO date. */
export const dateVi = (iso: string | undefined) => (iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '');

/** "14:05 16/03/2027" in Vietnam's time, from an instant. */
export function timeVi(iso: string): string {
  const parts = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('hour')}:${get('minute')} ${get('day')}/${get('month')}/${get('year')}`;
}
