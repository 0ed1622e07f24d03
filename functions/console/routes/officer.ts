/**
 * A unit's officer (mostly on a phone): the reports the units they report for owe, with deadlines and where each
 * stands; the blank workbook; the upload straight to the bucket from the browser (the same script as the signed-link
 * page, shared/web/upload-script.ts), and the receipt or the rejection cell by cell on the page.
 */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { can, unitsFor } from '../../../shared/domain/access.ts';
import { officerReports, reportState, type OfficerReport } from '../../../shared/app/officer-reports.ts';
import { openReport, presignReportFile, refuseIfLocked, reportTemplate, UploadQuotaExceeded, uploadVerdict, XLSX_CONTENT_TYPE, type ReportRef } from '../../../shared/app/uploads.ts';
import { vietnamDate } from '../../../shared/domain/calendar/index.ts';
import { UPLOAD_SCRIPT, type UploadScriptData } from '../../../shared/web/upload-script.ts';
import { dataHeaders } from '../../../shared/web/html.ts';
import { audit, authorize, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { dateVi, esc, jsonForHtml, page, timeVi } from '../layout.ts';
import type { HomeSection } from './home.ts';

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const reportPath = (r: ReportRef) => `/my-reports/${encodeURIComponent(r.directiveId)}/${encodeURIComponent(r.periodId)}/${encodeURIComponent(r.unitId)}`;
const apiPath = (r: ReportRef) => `/api/reports/${encodeURIComponent(r.directiveId)}/${encodeURIComponent(r.periodId)}/${encodeURIComponent(r.unitId)}`;

/** The units the signed-in person reports for (their officer grants); none: this part is not theirs. */
function officerUnits(c: ConsoleContext): string[] {
  const ids = unitsFor(sessionOf(c).person, 'report.upload');
  if (!ids.length) throw new HTTPException(403, { message: 'Bạn không phải cán bộ báo cáo của đơn vị nào' });
  return ids;
}

/** The report named by the path, authorized on the report's own unit (as stored), then opened. */
async function reportOf(c: ConsoleContext, action: 'report.read' | 'report.upload') {
  const ref: ReportRef = { directiveId: c.req.param('directiveId') ?? '', periodId: c.req.param('periodId') ?? '', unitId: c.req.param('unitId') ?? '' };
  const deps = c.get('deps');
  const unit = (await deps.units.getUnits([ref.unitId])).get(ref.unitId);
  if (!unit) throw new HTTPException(404, { message: 'Không có đơn vị này' });
  authorize(c, action, unit);
  return { ref, ...(await openReport(ref, deps)) };
}

function reportItem(r: OfficerReport): string {
  const o = r.obligation;
  return `<li class="card"><a href="${esc(reportPath(o))}"><b>${esc(upperFirst(r.directive.kind))} số ${esc(r.directive.number)}</b> – ${esc(o.periodLabel)}</a><br>
<span class="muted">${esc(r.unit.name)} · số liệu từ ${dateVi(o.periodStart)} đến ${dateVi(o.periodEnd)}</span><br>
Hạn nộp <b>${dateVi(o.dueDate)}</b> <span class="badge ${r.state.tone}">${esc(r.state.labelVi)}</span></li>`;
}

/** The list as cards, not bullets (a style element under the page's nonce: the CSP allows no style attribute). */
const listStyle = (nonce: string) => `<style nonce="${nonce}">ul.reports{list-style:none;padding:0;margin:0}</style>`;

async function myReportsPage(c: ConsoleContext): Promise<string> {
  const session = sessionOf(c);
  const deps = c.get('deps');
  const reports = await officerReports(officerUnits(c), deps);
  const body = `${listStyle(c.get('nonce'))}<h1>Báo cáo của đơn vị</h1>
<p class="muted">Các kỳ báo cáo đơn vị phải nộp, hạn nộp theo giờ Việt Nam. Chọn một kỳ để tải mẫu và nộp báo cáo.</p>
<p><a href="/targets">Giao chỉ tiêu cho các thôn</a></p>
${reports.length ? `<ul class="reports">${reports.map(reportItem).join('')}</ul>` : '<p class="card">Đơn vị chưa có kỳ báo cáo nào.</p>'}`;
  return page(body, { title: 'Báo cáo của đơn vị', nonce: c.get('nonce'), session });
}

/** The console's own endpoints and its CSRF header: the same script as the signed-link page. */
const consoleScriptData = (ref: ReportRef, csrf: string): UploadScriptData => ({ presign: `${apiPath(ref)}/presign`, status: `${apiPath(ref)}/status`, body: {}, headers: { 'x-csrf-token': csrf } });

async function reportPage(c: ConsoleContext): Promise<string> {
  const session = sessionOf(c);
  const deps = c.get('deps');
  const { ref, obligation: o, directive, unit } = await reportOf(c, 'report.read');
  const state = reportState(o, vietnamDate(deps.clock.now()));
  const history = (await deps.reports.reportsOf(ref)).slice(-5).reverse();
  const mayUpload = can(session.person, 'report.upload', unit);
  const returned = o.approval?.state === 'returned' && o.approval.reasonVi ? `<p class="flash warn">Cấp trên trả lại báo cáo: ${esc(o.approval.reasonVi)}</p>` : '';
  const form = mayUpload
    ? `<h2>Nộp báo cáo</h2><p>Chọn tệp đã điền (.xlsx, .csv) rồi bấm Nộp. Kết quả kiểm tra hiện trên trang này và được gửi qua email.</p>
<form id="f" class="stack"><label for="file">Tệp báo cáo</label><input type="file" id="file" accept=".xlsx,.csv,.json" required><br><button type="submit" class="primary">Nộp báo cáo</button></form>
<p id="msg" role="status" aria-live="polite"></p><div id="verdict"></div>
<script type="application/json" id="upload-data">${jsonForHtml(consoleScriptData(ref, session.csrf))}</script>`
    : '';
  const rows = history
    .map((r) => `<tr><td>${esc(timeVi(r.receivedAt))}</td><td>${r.status === 'accepted' ? '<span class="badge ok">Đã tiếp nhận</span>' : `<span class="badge error">Chưa hợp lệ (${(r.problems ?? []).length} lỗi)</span>`}</td></tr>`)
    .join('');
  const body = `<nav class="crumbs"><a href="/my-reports">Báo cáo của đơn vị</a></nav>
<h1>Báo cáo ${esc(o.periodLabel)}</h1>
<div class="card"><b>${esc(unit.name)}</b><br>${esc(upperFirst(directive.kind))} số ${esc(directive.number)} – ${esc(directive.title)}<br>
Số liệu từ ${dateVi(o.periodStart)} đến ${dateVi(o.periodEnd)} · hạn nộp <b>${dateVi(o.dueDate)}</b><br>
Trạng thái: <span class="badge ${state.tone}" id="state">${esc(state.labelVi)}</span></div>${returned}
<p><a class="button" href="${esc(reportPath(ref))}/template">Tải mẫu báo cáo (.xlsx)</a></p>
${form}
<h2>Các lần nộp gần đây</h2>
<div class="scroll"><table class="data"><thead><tr><th>Lúc</th><th>Kết quả</th></tr></thead><tbody>${rows || '<tr><td colspan="2">Chưa nộp lần nào.</td></tr>'}</tbody></table></div>`;
  return page(body, { title: `Báo cáo ${o.periodLabel}`, nonce: c.get('nonce'), session, ...(mayUpload ? { script: UPLOAD_SCRIPT } : {}) });
}

/** What needs the officer now: the next reports still owed (overdue ones first: the earliest deadline leads). */
const officerHome: HomeSection = async (c) => {
  const session = sessionOf(c);
  const ids = unitsFor(session.person, 'report.upload');
  if (!ids.length) return '';
  const owed = (await officerReports(ids, c.get('deps'))).filter((r) => r.obligation.status === 'open').slice(0, 5);
  const list = owed.length ? `<ul>${owed.map((r) => `<li><a href="${esc(reportPath(r.obligation))}">${esc(r.obligation.periodLabel)} – ${esc(r.unit.name)}</a>: hạn ${dateVi(r.obligation.dueDate)} <span class="badge ${r.state.tone}">${esc(r.state.labelVi)}</span></li>`).join('')}</ul>` : '<p>Không có báo cáo nào đang chờ nộp.</p>';
  return `<div class="card"><h2>Báo cáo cần nộp</h2>${list}<p><a href="/my-reports">Tất cả báo cáo của đơn vị</a> · <a href="/targets">Giao chỉ tiêu cho các thôn</a></p></div>`;
};

async function presignBody(c: ConsoleContext): Promise<{ name: string; size: number }> {
  const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
  return { name: String(body.fileName ?? ''), size: Number(body.size) };
}

function officerRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/my-reports', async (c) => c.html(await myReportsPage(c)));
  app.get('/my-reports/:directiveId/:periodId/:unitId', async (c) => c.html(await reportPage(c)));

  app.get('/my-reports/:directiveId/:periodId/:unitId/template', async (c) => {
    const deps = c.get('deps');
    const ctx = await reportOf(c, 'report.read');
    const bytes = await reportTemplate(ctx, deps);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { ...dataHeaders(XLSX_CONTENT_TYPE), 'content-disposition': `attachment; filename="bao-cao-${ctx.obligation.periodId}-${ctx.unit.id}.xlsx"` });
  });

  app.post('/api/reports/:directiveId/:periodId/:unitId/presign', async (c) => {
    const deps = c.get('deps');
    const { ref, obligation, unit } = await reportOf(c, 'report.upload');
    const file = await presignBody(c);
    refuseIfLocked(obligation);
    try {
      const presigned = await presignReportFile(ref, file, { storage: deps.storage, clock: deps.clock, maxBytes: deps.maxReportBytes, quota: deps.rates, maxUploadsPerHour: deps.maxUploadsPerHour });
      await audit(c, { action: 'report.upload', unit, target: presigned.key, summaryVi: `Tải lên báo cáo ${obligation.periodLabel} (tệp ${file.name})` });
      return c.json(presigned);
    } catch (e) {
      if (!(e instanceof UploadQuotaExceeded)) throw e;
      const seconds = Math.max(1, Math.ceil((e.retryAt.getTime() - deps.clock.now().getTime()) / 1000));
      return c.json({ error: e.messageVi, details: e.details, requestId: c.get('requestId') }, 429, { 'retry-after': String(seconds) });
    }
  });

  app.get('/api/reports/:directiveId/:periodId/:unitId/status', async (c) => {
    const { ref } = await reportOf(c, 'report.read');
    return c.json(await uploadVerdict({ grant: ref }, c.req.query('key') ?? '', { reports: c.get('deps').reports }));
  });
}

/** The officer's part of the console: its routes, and the reports still owed on the home page. */
export const officerGroup = { routes: officerRoutes, home: officerHome };
