/**
 * The level above approves or returns the reports of the units under it (DHIS2's data approval): a page of one
 * directive's period, with the values read and the original file of each report, approve or return one, or approve
 * every report ticked on the page at once. Every report of a request is authorized on its own unit before any
 * decision is taken.
 */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { reaches, unitsFor, type Person } from '../../../shared/domain/access.ts';
import { reportingPeriods } from '../../../shared/domain/assignment.ts';
import type { Decision } from '../../../shared/domain/approval.ts';
import type { Directive } from '../../../shared/domain/directive.ts';
import { InputError } from '../../../shared/domain/errors.ts';
import { vietnamDate } from '../../../shared/domain/calendar/index.ts';
import { DecisionNotAllowed, decideReports, refKey, reportsToDecide, reportsUnder, type ApprovalDeps, type ReportRef, type ReportUnderApprover } from '../../../shared/app/approvals.ts';
import { uploadLink } from '../../../shared/app/uploads.ts';
import { audit, authorize, ownUnits, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { csrfField, dateVi, esc, page, timeVi } from '../layout.ts';

export const APPROVALS_PAGE_SIZE = 20;

const STATE_VI = { awaiting: ['Chờ duyệt', 'warn'], approved: ['Đã duyệt', 'ok'], returned: ['Đã trả lại', 'error'] } as const;

const CONTENT_TYPES: Record<string, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
};

function approvalDeps(c: ConsoleContext): ApprovalDeps {
  const deps = c.get('deps');
  return {
    obligations: deps.obligations,
    directives: deps.directives,
    units: deps.units,
    approvals: deps.approvals,
    events: deps.events,
    mail: deps.mail,
    clock: deps.clock,
    uploadLink: (o) => uploadLink(o, deps.uploadBaseUrl, deps.uploadSecret),
  };
}

function approverOf(c: ConsoleContext): Person {
  const { person } = sessionOf(c);
  if (!unitsFor(person, 'report.approve').length) throw new HTTPException(403, { message: 'Bạn không có quyền duyệt báo cáo' });
  return person;
}

/**
 * Issued directives of last year, this year and next (next year's are issued in December) that reach the approver's
 * units: issued within their subtree or above it. Another province's directives are not listed.
 */
async function directivesAround(c: ConsoleContext): Promise<Directive[]> {
  const deps = c.get('deps');
  const { person } = sessionOf(c);
  const year = Number(vietnamDate(deps.clock.now()).slice(0, 4));
  const [all, mine] = await Promise.all([Promise.all([year - 1, year, year + 1].map((y) => deps.directives.directivesOfYear(y))).then((l) => l.flat()), ownUnits(c, 'report.approve')]);
  const issuers = await deps.units.getUnits([...new Set(all.map((d) => d.issuerId))]);
  const concerns = (d: Directive) => {
    const issuer = issuers.get(d.issuerId);
    return !!issuer && reaches(person, 'report.approve', issuer, mine);
  };
  return all.filter((d) => d.status === 'issued' && concerns(d)).sort((a, b) => b.issuedOn.localeCompare(a.issuedOn) || a.id.localeCompare(b.id));
}

/** The period asked for, else the latest that has started, else the first. */
function periodOf(directive: Directive, asked: string | undefined, today: string) {
  const periods = reportingPeriods(directive).map((x) => x.period);
  return periods.find((p) => p.id === asked) ?? periods.filter((p) => p.start <= today).at(-1) ?? periods[0]!;
}

/** "Chỉ thị số 23-CT/TU": the kind capitalized, as at the start of a line. */
const docName = (d: Pick<Directive, 'kind' | 'number'>) => `${d.kind.charAt(0).toLocaleUpperCase('vi')}${d.kind.slice(1)} số ${d.number}`;

/** A report as a form names it: its key and the count of its accepted files the page showed. */
const refValue = (r: ReportRef & { acceptedReports?: number }) => `${r.directiveId}|${r.periodId}|${r.unitId}|${r.acceptedReports ?? 0}`;

function refOf(value: unknown): ReportRef {
  const [directiveId, periodId, unitId, seen, ...rest] = String(value ?? '').split('|');
  const count = seen === undefined ? undefined : /^\d{1,6}$/.test(seen) ? Number(seen) : NaN;
  if (!directiveId || !periodId || !unitId || rest.length || Number.isNaN(count)) throw new InputError('Yêu cầu không hợp lệ', ['Hãy tải lại trang danh sách báo cáo rồi thử lại.']);
  return { directiveId, periodId, unitId, ...(count !== undefined ? { seen: count } : {}) };
}

const refQuery = (r: ReportRef) => `d=${encodeURIComponent(r.directiveId)}&p=${encodeURIComponent(r.periodId)}&u=${encodeURIComponent(r.unitId)}`;

function refFromQuery(c: ConsoleContext): ReportRef {
  return refOf(`${c.req.query('d') ?? ''}|${c.req.query('p') ?? ''}|${c.req.query('u') ?? ''}`);
}

/** Where to go back to after a decision: the list's own path and query, nothing else. */
function backTo(value: unknown): string {
  const v = String(value ?? '');
  return /^\/approvals(\?[A-Za-z0-9_.~%&=+-]*)?$/.test(v) ? v : '/approvals';
}

/**
 * Reads the reports named, then authorizes EVERY one on its own unit before anything is decided: one outside the
 * person's approver subtree (or their own unit) refuses the whole request with 403.
 */
async function authorizedReports(c: ConsoleContext, refs: ReportRef[], action: 'report.approve' | 'report.read' = 'report.approve') {
  await authorizeUnitsFirst(c, refs, action);
  const items = await reportsToDecide(refs, c.get('deps'));
  for (const item of items) authorize(c, action, item.unit);
  return items;
}

/**
 * The units the request names, authorized before anything about their reports is read: whether a report exists is
 * told only to whoever may see it (another unit's answers 403 whether its report exists or not; an unknown unit 404).
 */
async function authorizeUnitsFirst(c: ConsoleContext, refs: readonly ReportRef[], action: 'report.approve' | 'report.read'): Promise<void> {
  const units = await c.get('deps').units.getUnits([...new Set(refs.map((r) => r.unitId))]);
  for (const r of refs) {
    const unit = units.get(r.unitId);
    if (!unit) throw new HTTPException(404, { message: 'Không có đơn vị này' });
    authorize(c, action, unit);
  }
}

async function decideAndAudit(c: ConsoleContext, refs: ReportRef[], decision: Decision): Promise<number> {
  const items = await authorizedReports(c, refs);
  const { person } = sessionOf(c);
  try {
    const outcomes = await decideReports(items, decision, person, approvalDeps(c));
    for (const [i, o] of outcomes.entries()) {
      const item = items[i]!;
      const what = decision.kind === 'approve' ? 'Duyệt' : 'Trả lại';
      const summaryVi = `${what} báo cáo ${item.obligation.periodLabel} của ${item.unit.name}${decision.kind === 'return' ? ` (lý do: ${o.obligation.approval?.reasonVi ?? decision.reasonVi})` : ''}${o.outcome === 'unchanged' ? ' (đã như vậy từ trước)' : ''}`;
      await audit(c, { action: 'report.approve', unit: item.unit, target: refKey(o.ref), summaryVi });
    }
    return outcomes.filter((o) => o.outcome === 'decided').length;
  } catch (e) {
    if (e instanceof DecisionNotAllowed) throw new HTTPException(403, { message: 'Bạn không có quyền với đơn vị này' });
    throw e;
  }
}

function row(r: ReportUnderApprover, back: string): string {
  const o = r.obligation;
  const ref = { directiveId: o.directiveId, periodId: o.periodId, unitId: o.unitId, acceptedReports: o.acceptedReports ?? 0 };
  const [label, tone] = STATE_VI[r.state];
  const detail =
    r.state === 'awaiting'
      ? o.approval?.state === 'returned' ? '<br><span class="muted">Nộp lại sau khi bị trả lại</span>' : ''
      : `<br><span class="muted">${esc(o.approval?.by ?? '')}, ${esc(timeVi(o.approval?.at ?? ''))}</span>${o.approval?.reasonVi ? `<br>Lý do: ${esc(o.approval.reasonVi)}` : ''}`;
  const select = r.state === 'awaiting' ? `<input type="checkbox" name="r" value="${esc(refValue(ref))}" aria-label="Chọn báo cáo của ${esc(r.unit.name)}">` : '';
  const submitted = o.submittedAt ? `${esc(timeVi(o.submittedAt))}<br><span class="badge ${o.onTime ? 'ok' : 'warn'}">${o.onTime ? 'Đúng hạn' : 'Nộp muộn'}</span>` : '<span class="muted">Chưa nộp lại</span>';
  const links = o.status === 'submitted' ? `<a href="/approvals/report?${refQuery(ref)}">Số liệu đã đọc</a> · <a href="/approvals/file?${refQuery(ref)}">Tệp gốc</a>` : '';
  const approve = r.state === 'awaiting' ? `<button type="submit" class="primary" name="one" value="${esc(refValue(ref))}" formaction="/approvals/approve">Duyệt</button>` : '';
  const ret = o.status === 'submitted' ? `<a class="button" href="/approvals/return?${refQuery(ref)}&amp;back=${encodeURIComponent(back)}">Trả lại</a>` : '';
  return `<tr><td>${select}</td><td>${esc(r.unit.name)}<br><span class="muted">${esc(r.unit.id)}</span></td><td>${submitted}</td><td><span class="badge ${tone}">${label}</span>${detail}</td><td>${links}</td><td>${approve}${ret}</td></tr>`;
}

/** Ticks or clears every report of the page (the checkboxes work one by one without it). */
const SELECT_ALL = `document.getElementById('select-all')?.addEventListener('change',function(e){document.querySelectorAll('input[name="r"]').forEach(function(b){b.checked=e.target.checked;});});`;

function listPage(c: ConsoleContext, args: { directives: Directive[]; directive: Directive; periodId: string; rows: ReportUnderApprover[]; pageNo: number; flash?: string }): string {
  const session = sessionOf(c);
  const { directive, rows, pageNo } = args;
  const pages = Math.max(1, Math.ceil(rows.length / APPROVALS_PAGE_SIZE));
  const shown = rows.slice((pageNo - 1) * APPROVALS_PAGE_SIZE, pageNo * APPROVALS_PAGE_SIZE);
  const base = `/approvals?d=${encodeURIComponent(directive.id)}&p=${encodeURIComponent(args.periodId)}`;
  const back = `${base}&page=${pageNo}`;
  const periods = reportingPeriods(directive).map((x) => x.period);
  const awaiting = rows.filter((r) => r.state === 'awaiting').length;
  const rule =
    directive.approval === 'parent'
      ? 'Kết quả thi đua của chỉ thị này chỉ tính các báo cáo đã được duyệt.'
      : 'Kết quả thi đua của chỉ thị này tính mọi báo cáo đã tiếp nhận; báo cáo đã duyệt được khóa, không nhận tệp mới.';
  const filter = `<form method="get" action="/approvals" class="card stack">
<label for="d">Chỉ thị</label><select id="d" name="d">${args.directives.map((d) => `<option value="${esc(d.id)}"${d.id === directive.id ? ' selected' : ''}>${esc(`${docName(d)} – ${d.title}`)}</option>`).join('')}</select>
<label for="p">Kỳ báo cáo</label><select id="p" name="p">${periods.map((p) => `<option value="${esc(p.id)}"${p.id === args.periodId ? ' selected' : ''}>${esc(`${p.label} (${dateVi(p.start)} – ${dateVi(p.end)})`)}</option>`).join('')}</select>
<button type="submit" class="secondary">Xem</button></form>`;
  const pager =
    pages > 1
      ? `<nav class="crumbs" aria-label="Trang">${Array.from({ length: pages }, (_, i) => i + 1)
          .map((n) => (n === pageNo ? `<strong aria-current="page">Trang ${n}</strong>` : `<a href="${esc(`${base}&page=${n}`)}">Trang ${n}</a>`))
          .join(' · ')}</nav>`
      : '';
  const table = shown.length
    ? `<form method="post" action="/approvals/approve">${csrfField(session)}<input type="hidden" name="back" value="${esc(back)}">
<div class="scroll"><table class="data"><thead><tr><th><input type="checkbox" id="select-all" aria-label="Chọn tất cả báo cáo chờ duyệt trên trang"></th><th>Đơn vị</th><th>Nộp lúc</th><th>Trạng thái</th><th>Báo cáo</th><th>Thao tác</th></tr></thead>
<tbody>${shown.map((r) => row(r, back)).join('')}</tbody></table></div>
<button type="submit" class="primary">Duyệt các báo cáo đã chọn</button></form>`
    : '<p class="card">Chưa có báo cáo nào của các đơn vị cấp dưới trong kỳ này.</p>';
  const body = `<h1>Duyệt báo cáo</h1>
${filter}
<p>${esc(rule)}</p>
<p><strong>${awaiting} báo cáo chờ duyệt</strong> trong ${rows.length} báo cáo của kỳ ${esc(periods.find((p) => p.id === args.periodId)?.label ?? args.periodId)}.</p>
${pager}${table}${pager}`;
  return page(body, { title: 'Duyệt báo cáo', nonce: c.get('nonce'), session, script: SELECT_ALL, ...(args.flash ? { flash: { tone: 'ok' as const, text: args.flash } } : {}) });
}

function flashOf(c: ConsoleContext): string | undefined {
  const n = Number(c.req.query('n'));
  if (!Number.isInteger(n) || n < 0) return undefined;
  if (c.req.query('done') === 'approved') return n ? `Đã duyệt ${n} báo cáo.` : 'Các báo cáo đã được duyệt từ trước; không có gì thay đổi.';
  if (c.req.query('done') === 'returned') return n ? 'Đã trả lại báo cáo; đơn vị đã được báo lý do qua thư điện tử.' : 'Báo cáo đã được trả lại từ trước; không có gì thay đổi.';
  return undefined;
}

const withDone = (back: string, done: string, n: number) => `${back}${back.includes('?') ? '&' : '?'}done=${done}&n=${n}`;

function returnPage(c: ConsoleContext, item: Awaited<ReturnType<typeof reportsToDecide>>[number], back: string, error?: InputError): string {
  const session = sessionOf(c);
  const o = item.obligation;
  const errors = error ? `<div class="flash error" role="alert"><p>${esc(error.messageVi)}</p>${error.details.length ? `<ul>${error.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}</div>` : '';
  const body = `<nav class="crumbs"><a href="${esc(back)}">Duyệt báo cáo</a> › Trả lại</nav>
<h1>Trả lại báo cáo ${esc(o.periodLabel)} – ${esc(item.unit.name)}</h1>
<p>${esc(docName(item.directive))}. Báo cáo trả lại được tính là chưa nộp cho đến khi đơn vị nộp lại; đơn vị nhận lý do qua thư điện tử.</p>
${errors}<form method="post" action="/approvals/return" class="card stack">${csrfField(session)}
<input type="hidden" name="r" value="${esc(refValue(o))}"><input type="hidden" name="back" value="${esc(back)}">
<label for="reason">Lý do trả lại (đơn vị cần sửa gì)</label><textarea id="reason" name="reason" rows="4" maxlength="1000" required></textarea>
<button type="submit" class="primary">Trả lại báo cáo</button> <a href="${esc(back)}">Hủy</a></form>`;
  return page(body, { title: 'Trả lại báo cáo', nonce: c.get('nonce'), session });
}

export function approvalsRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/approvals', async (c) => {
    const person = approverOf(c);
    const deps = c.get('deps');
    const directives = await directivesAround(c);
    if (!directives.length) return c.html(page('<h1>Duyệt báo cáo</h1><p class="card">Chưa có chỉ thị nào đang có hiệu lực.</p>', { title: 'Duyệt báo cáo', nonce: c.get('nonce'), session: sessionOf(c) }));
    const directive = directives.find((d) => d.id === c.req.query('d')) ?? directives[0]!;
    const period = periodOf(directive, c.req.query('p'), vietnamDate(deps.clock.now()));
    // Only the units under the person's approver grants are listed; each decision is authorized again on its unit.
    const rows = await reportsUnder(person, directive, period.id, deps);
    const pages = Math.max(1, Math.ceil(rows.length / APPROVALS_PAGE_SIZE));
    const pageNo = Math.min(pages, Math.max(1, Math.floor(Number(c.req.query('page')) || 1)));
    const flash = flashOf(c);
    return c.html(listPage(c, { directives, directive, periodId: period.id, rows, pageNo, ...(flash ? { flash } : {}) }));
  });

  app.post('/approvals/approve', async (c) => {
    approverOf(c);
    const body = await c.req.parseBody({ all: true });
    // One report's own button, or every report ticked on the page.
    const picked = body.one !== undefined ? [body.one] : ([] as unknown[]).concat(body.r ?? []);
    const decided = await decideAndAudit(c, picked.map(refOf), { kind: 'approve' });
    return c.redirect(withDone(backTo(body.back), 'approved', decided), 303);
  });

  app.get('/approvals/return', async (c) => {
    approverOf(c);
    const [item] = await authorizedReports(c, [refFromQuery(c)]);
    return c.html(returnPage(c, item!, backTo(c.req.query('back'))));
  });

  app.post('/approvals/return', async (c) => {
    approverOf(c);
    const body = await c.req.parseBody();
    const back = backTo(body.back);
    const ref = refOf(body.r);
    try {
      const decided = await decideAndAudit(c, [ref], { kind: 'return', reasonVi: String(body.reason ?? '') });
      return c.redirect(withDone(back, 'returned', decided), 303);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const [item] = await authorizedReports(c, [ref]);
      return c.html(returnPage(c, item!, back, e), 400);
    }
  });

  app.get('/approvals/report', async (c) => {
    const deps = c.get('deps');
    const ref = refFromQuery(c);
    const [item] = await authorizedReports(c, [ref], 'report.read');
    const session = sessionOf(c);
    const record = (await deps.reports.reportsOf(ref)).filter((r) => r.status === 'accepted').at(-1);
    const indicators = item!.directive.indicators;
    const rows = ((record?.rows ?? []) as { unitId?: string; name?: string; values?: Record<string, number | boolean | null> }[]).map(
      (r) => `<tr><th scope="row">${esc(r.name ?? r.unitId ?? '')}</th>${indicators.map((i) => `<td class="num">${esc(showValue(r.values?.[i.id]))}</td>`).join('')}</tr>`,
    );
    const body = `<nav class="crumbs"><a href="/approvals?d=${encodeURIComponent(ref.directiveId)}&amp;p=${encodeURIComponent(ref.periodId)}">Duyệt báo cáo</a> › Số liệu đã đọc</nav>
<h1>Số liệu báo cáo ${esc(item!.obligation.periodLabel)} – ${esc(item!.unit.name)}</h1>
${record ? `<p class="muted">Tệp nhận lúc ${esc(timeVi(record.receivedAt))}${record.resubmission ? ' (bản nộp lại)' : ''}. <a href="/approvals/file?${refQuery(ref)}">Tải tệp gốc</a></p>
<div class="scroll"><table class="data"><thead><tr><th>Đơn vị</th>${indicators.map((i) => `<th>${esc(i.name)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>` : '<p class="card">Chưa có tệp báo cáo nào được tiếp nhận.</p>'}`;
    return c.html(page(body, { title: 'Số liệu báo cáo', nonce: c.get('nonce'), session }));
  });

  app.get('/approvals/file', async (c) => {
    const deps = c.get('deps');
    const ref = refFromQuery(c);
    await authorizedReports(c, [ref], 'report.read');
    // The key comes from the unit's own accepted record, never from the request.
    const record = (await deps.reports.reportsOf(ref)).filter((r) => r.status === 'accepted').at(-1);
    if (!record) throw new HTTPException(404, { message: 'Chưa có tệp báo cáo nào được tiếp nhận' });
    const stored = await deps.storage.get(record.reportKey, { ...(record.versionId !== 'null' ? { versionId: record.versionId } : {}), maxBytes: deps.maxReportBytes });
    if (stored.tooLarge) throw new HTTPException(413, { message: 'Tệp quá lớn để tải về' });
    const fileName = record.reportKey.slice(record.reportKey.lastIndexOf('/') + 1);
    const ext = fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase();
    return c.body(stored.bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'content-disposition': `attachment; filename="bao-cao-${ref.periodId}-${ref.unitId}.${/^[a-z0-9]{1,5}$/.test(ext) ? ext : 'bin'}"`,
    });
  });
}

const showValue = (v: number | boolean | null | undefined) =>
  v === null || v === undefined ? '—' : typeof v === 'boolean' ? (v ? 'Có' : 'Không') : new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(v);

/** Home: how many reports of the units under the person await their decision, over the directives in force. */
export async function approvalsHome(c: ConsoleContext): Promise<string> {
  const { person } = sessionOf(c);
  if (!unitsFor(person, 'report.approve').length) return '';
  const deps = c.get('deps');
  let awaiting = 0;
  for (const directive of await directivesAround(c)) {
    for (const { period } of reportingPeriods(directive)) awaiting += (await reportsUnder(person, directive, period.id, deps)).filter((r) => r.state === 'awaiting').length;
  }
  return `<div class="card"><h2>Duyệt báo cáo</h2><p><a href="/approvals">${awaiting} báo cáo chờ duyệt</a></p></div>`;
}
