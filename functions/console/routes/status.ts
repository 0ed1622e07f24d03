/**
 * Live status of a directive's reports: for a period and a unit of its hierarchy, every unit below with the state of
 * its report (filters, counts per state, drill-down one level at a time), a unit's report with the values read and its
 * original file, and "remind now" for a unit that still owes it.
 */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { can, unitsFor } from '../../../shared/domain/access.ts';
import type { Directive } from '../../../shared/domain/directive.ts';
import { InputError } from '../../../shared/domain/errors.ts';
import { REPORT_STATE_KINDS, REPORT_STATE_VI, reportStateVi, stillOwed, type ReportState, type ReportStateKind } from '../../../shared/domain/report-state.ts';
import { LEVEL_NAME_VI, type Unit } from '../../../shared/domain/units.ts';
import { originalFileUrl, remindNow, reportStatus, unitReport, type StateCounts, type StatusPage, type StatusRow, type UnitReport } from '../../../shared/app/report-status.ts';
import { actualVi } from '../../../shared/mail/digest-email.ts';
import { audit, authorize, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { csrfField, dateVi, esc, page, timeVi } from '../layout.ts';

const TONE: Record<ReportStateKind, string> = {
  'not-due': '',
  awaiting: 'info',
  'on-time': 'ok',
  late: 'warn',
  rejected: 'error',
  returned: 'warn',
  approved: 'ok',
  overdue: 'error',
  cancelled: '',
};

const FLASH = {
  sent: { tone: 'ok', text: 'Đã gửi thư nhắc đến đơn vị.' },
  already: { tone: 'warn', text: 'Thư nhắc ở bước này đã được gửi trước đó; hệ thống không gửi lại.' },
} as const;

const docName = (d: Directive) => `${d.kind} số ${d.number}`;

export const statusUrl = (directiveId: string, q: { period?: string; unit?: string; state?: string }) => {
  const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1]));
  return `/directives/${encodeURIComponent(directiveId)}/status${params.size ? `?${params}` : ''}`;
};
const reportUrl = (directiveId: string, unitId: string, periodId: string) => `/directives/${encodeURIComponent(directiveId)}/status/${encodeURIComponent(unitId)}?period=${encodeURIComponent(periodId)}`;

const badge = (state: ReportState) => `<span class="badge ${TONE[state.kind]}">${esc(reportStateVi(state))}</span>`;

function countsText(counts: StateCounts): string {
  return REPORT_STATE_KINDS.filter((k) => counts[k] > 0)
    .map((k) => `${counts[k]} ${REPORT_STATE_VI[k].toLocaleLowerCase('vi')}`)
    .join(', ');
}

const stateParam = (v: string | undefined): ReportStateKind | undefined => {
  if (!v) return undefined;
  if (!(REPORT_STATE_KINDS as readonly string[]).includes(v)) throw new InputError(`Trạng thái "${v}" không có`, [`Chọn một trong: ${REPORT_STATE_KINDS.map((k) => REPORT_STATE_VI[k]).join(', ')}`]);
  return v as ReportStateKind;
};

/** The unit a person sees first: the issuer when they may, else their own unit inside the directive's tree. */
export function defaultUnit(c: ConsoleContext, action: 'status.read' | 'results.read'): (directive: Directive) => Promise<string | undefined> {
  return async (directive) => {
    const mine = await c.get('deps').units.getUnits(unitsFor(sessionOf(c).person, action));
    const inside = [...mine.values()].filter((u) => u.path.includes(directive.issuerId)).sort((a, b) => a.path.length - b.path.length);
    return inside[0]?.id;
  };
}

function remindForm(c: ConsoleContext, directiveId: string, unit: Pick<Unit, 'id' | 'name'>, periodId: string): string {
  return `<form method="post" action="${esc(`/directives/${encodeURIComponent(directiveId)}/status/${encodeURIComponent(unit.id)}/remind`)}">${csrfField(sessionOf(c))}<input type="hidden" name="period" value="${esc(periodId)}"><button type="submit" class="secondary" aria-label="Nhắc ngay ${esc(unit.name)}">Nhắc ngay</button></form>`;
}

/** The units from the issuer down to the one shown, each a link to its own page. */
export function crumbs(trail: readonly Unit[], href: (u: Unit) => string): string {
  return `<nav class="crumbs" aria-label="Cấp đơn vị">${trail.map((u) => `<a href="${esc(href(u))}">${esc(u.name)}</a>`).join(' › ')}</nav>`;
}

function rowHtml(c: ConsoleContext, s: StatusPage, row: StatusRow, units: ReadonlyMap<string, Unit>): string {
  const d = s.directive;
  const name = row.drill ? `<a href="${esc(statusUrl(d.id, { period: s.period.id, unit: row.unit.id, ...(s.state ? { state: s.state } : {}) }))}">${esc(row.unit.name)}</a>` : esc(row.unit.name);
  const state = row.state ? `${badge(row.state)}${row.state.kind === 'returned' && row.state.reasonVi ? `<br><span class="muted">Lý do: ${esc(row.state.reasonVi)}</span>` : ''}` : '';
  const below = row.drill ? esc(countsText(row.counts)) : '';
  const unit = units.get(row.unit.id);
  const actions = row.state
    ? `<a href="${esc(reportUrl(d.id, row.unit.id, s.period.id))}">Xem báo cáo</a>${stillOwed(row.state) && unit && can(sessionOf(c).person, 'report.remind', unit) ? remindForm(c, d.id, row.unit, s.period.id) : ''}`
    : '';
  return `<tr data-unit="${esc(row.unit.id)}"><td>${name} <span class="muted">(${esc(LEVEL_NAME_VI[row.unit.level])})</span></td><td>${state}</td><td>${below}</td><td>${actions}</td></tr>`;
}

function statusHtml(c: ConsoleContext, s: StatusPage, units: ReadonlyMap<string, Unit>): string {
  const d = s.directive;
  const periodOptions = s.periods.map((p) => `<option value="${esc(p.id)}"${p.id === s.period.id ? ' selected' : ''}>${esc(p.label)}</option>`).join('');
  const stateOptions = `<option value="">Tất cả</option>${REPORT_STATE_KINDS.map((k) => `<option value="${k}"${k === s.state ? ' selected' : ''}>${esc(REPORT_STATE_VI[k])}</option>`).join('')}`;
  const counts = REPORT_STATE_KINDS.filter((k) => s.counts[k] > 0)
    .map((k) => `<li><a href="${esc(statusUrl(d.id, { period: s.period.id, unit: s.unit.id, state: k }))}"><span class="badge ${TONE[k]}">${esc(REPORT_STATE_VI[k])}: <strong data-count="${k}">${s.counts[k]}</strong></span></a></li>`)
    .join('');
  const own = s.own ? `<div class="card"><h2>Báo cáo của chính ${esc(s.unit.name)}</h2><p>${badge(s.own)} <a href="${esc(reportUrl(d.id, s.unit.id, s.period.id))}">Xem báo cáo</a></p></div>` : '';
  const rows = s.rows.map((r) => rowHtml(c, s, r, units)).join('');
  const empty = s.state ? `Không có đơn vị nào ở trạng thái "${esc(REPORT_STATE_VI[s.state])}".` : 'Không có đơn vị nào dưới đơn vị này phải nộp báo cáo kỳ này.';
  return `<h1>Tình hình báo cáo – ${esc(s.period.label)}</h1>
<p class="muted">${esc(docName(d))} của ${esc(d.issuerName)}: ${esc(d.title)}. Hạn nộp ${esc(dateVi(s.period.due))}.</p>
${crumbs(s.trail, (u) => statusUrl(d.id, { period: s.period.id, unit: u.id }))}
<form method="get" action="${esc(statusUrl(d.id, {}))}" class="card"><input type="hidden" name="unit" value="${esc(s.unit.id)}">
<label for="period">Kỳ báo cáo</label> <select id="period" name="period">${periodOptions}</select>
<label for="state">Trạng thái</label> <select id="state" name="state">${stateOptions}</select>
<button type="submit" class="secondary">Xem</button></form>
<h2>${esc(s.unit.name)}: ${s.total} báo cáo</h2>
<ul class="counts" aria-label="Số báo cáo theo trạng thái">${counts}</ul>
${own}
<div class="scroll"><table class="data" id="status-table"><thead><tr><th>Đơn vị</th><th>Trạng thái</th><th>Các đơn vị cấp dưới</th><th>Thao tác</th></tr></thead><tbody>${rows || `<tr><td colspan="4">${empty}</td></tr>`}</tbody></table></div>`;
}

async function reportHtml(c: ConsoleContext, r: UnitReport): Promise<string> {
  const d = r.directive;
  const periodId = r.obligation.periodId;
  const values = r.current?.rows as { unitId: string; name?: string; values: Record<string, number | boolean | null> }[] | undefined;
  const head = d.indicators.map((i) => `<th class="num">${esc(i.name)}</th>`).join('');
  const body = (values ?? [])
    .map((row) => `<tr><td>${esc(row.name ?? row.unitId)}</td>${d.indicators.map((i) => `<td class="num">${esc(actualVi(i, row.values[i.id] ?? null))}</td>`).join('')}</tr>`)
    .join('');
  const fileUrl = (f: UnitReport['files'][number]) => `/directives/${encodeURIComponent(d.id)}/status/${encodeURIComponent(r.unit.id)}/original?${new URLSearchParams({ period: periodId, key: f.reportKey, version: f.versionId })}`;
  const files = r.files
    .map((f) => {
      const problems = (f.problems ?? []) as { messageVi?: string; cell?: string }[];
      const verdict = f.status === 'accepted' ? '<span class="badge ok">Đã nhận</span>' : `<span class="badge error">Bị từ chối</span><ul>${problems.slice(0, 10).map((p) => `<li>${p.cell ? `Ô ${esc(p.cell)}: ` : ''}${esc(p.messageVi ?? '')}</li>`).join('')}</ul>`;
      return `<tr><td>${esc(timeVi(f.receivedAt))}</td><td>${verdict}</td><td><a href="${esc(fileUrl(f))}">Tải tệp gốc</a></td></tr>`;
    })
    .join('');
  const remind = stillOwed(r.state) && can(sessionOf(c).person, 'report.remind', r.unit) ? remindForm(c, d.id, r.unit, periodId) : '';
  const reason = r.state.kind === 'returned' && r.state.reasonVi ? `<p>Lý do trả lại: ${esc(r.state.reasonVi)}</p>` : '';
  return `<h1>Báo cáo của ${esc(r.unit.name)} – ${esc(r.obligation.periodLabel)}</h1>
<p class="muted">${esc(docName(d))}: ${esc(d.title)}</p>
${crumbs(r.trail, (u) => statusUrl(d.id, { period: periodId, unit: u.id }))}
<div class="card"><p>Trạng thái: ${badge(r.state)}</p>${reason}${remind}</div>
<h2>Số liệu đã đọc từ báo cáo</h2>
${values ? `<div class="scroll"><table class="data" id="values"><thead><tr><th>Đơn vị</th>${head}</tr></thead><tbody>${body}</tbody></table></div>` : '<p>Chưa có báo cáo nào được nhận.</p>'}
<h2>Các tệp đã gửi</h2>
<div class="scroll"><table class="data" id="files"><thead><tr><th>Lúc nhận</th><th>Kết quả</th><th>Tệp</th></tr></thead><tbody>${files || '<tr><td colspan="3">Chưa có tệp nào.</td></tr>'}</tbody></table></div>`;
}

const flashOf = (c: ConsoleContext) => {
  const f = c.req.query('flash');
  return f === 'sent' || f === 'already' ? { flash: FLASH[f] } : {};
};

export function statusRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/directives/:id/status', async (c) => {
    const session = sessionOf(c);
    const deps = c.get('deps');
    const directiveId = c.req.param('id');
    const status = await reportStatus(
      { directiveId, ...optional('periodId', c.req.query('period')), ...optional('unitId', c.req.query('unit')), ...optional('state', stateParam(c.req.query('state'))) },
      { ...deps, authorize: (unit) => void authorize(c, 'status.read', unit), defaultUnit: defaultUnit(c, 'status.read') },
    );
    // Which rows may be reminded: the reporting units' own paths (one BatchGet of the rows on the page).
    const owed = status.rows.filter((r) => r.state && stillOwed(r.state)).map((r) => r.unit.id);
    const units = owed.length && unitsFor(session.person, 'report.remind').length ? await deps.units.getUnits(owed) : new Map<string, Unit>();
    return c.html(page(statusHtml(c, status, units), { title: `Tình hình báo cáo – ${status.period.label}`, nonce: c.get('nonce'), session, ...flashOf(c) }));
  });

  app.get('/directives/:id/status/:unitId', async (c) => {
    const session = sessionOf(c);
    const deps = c.get('deps');
    const report = await unitReport({ directiveId: c.req.param('id'), periodId: requiredPeriod(c), unitId: c.req.param('unitId') }, { ...deps, authorize: (unit) => void authorize(c, 'report.read', unit) });
    return c.html(page(await reportHtml(c, report), { title: `Báo cáo của ${report.unit.name}`, nonce: c.get('nonce'), session, ...flashOf(c) }));
  });

  app.get('/directives/:id/status/:unitId/original', async (c) => {
    const deps = c.get('deps');
    const report = await unitReport({ directiveId: c.req.param('id'), periodId: requiredPeriod(c), unitId: c.req.param('unitId') }, { ...deps, authorize: (unit) => void authorize(c, 'report.read', unit) });
    // Only a file this unit sent for this period: the key comes from its own records, never from the link.
    const file = report.files.find((f) => f.reportKey === c.req.query('key') && f.versionId === c.req.query('version'));
    if (!file) throw new HTTPException(404, { message: 'Không có tệp này trong các báo cáo của đơn vị' });
    return c.redirect(await originalFileUrl(file, deps.storage), 302);
  });

  app.post('/directives/:id/status/:unitId/remind', async (c) => {
    const deps = c.get('deps');
    const directiveId = c.req.param('id');
    const unitId = c.req.param('unitId');
    const form = await c.req.parseBody();
    const periodId = typeof form.period === 'string' ? form.period : '';
    const unit = (await deps.units.getUnits([unitId])).get(unitId);
    if (!unit) throw new HTTPException(404, { message: 'Không có đơn vị này' });
    authorize(c, 'report.remind', unit);
    const ref = { directiveId, periodId, unitId };
    const result = await remindNow(ref, {
      ...deps,
      uploads: { baseUrl: deps.uploadBaseUrl, secret: deps.uploadSecret, storage: deps.storage, assignments: deps.assignments },
    });
    if (result.outcome === 'sent') {
      const [[o], d] = await Promise.all([deps.obligations.getObligations([ref]), deps.directives.getDirective(directiveId, { consistent: false })]);
      await audit(c, { action: 'report.remind', unit, target: result.key, summaryVi: `Nhắc ${unit.name} nộp báo cáo ${o?.periodLabel ?? periodId} của ${d ? `${d.kind} số ${d.number}` : directiveId}` });
    }
    return c.redirect(`${reportUrl(directiveId, unitId, periodId)}&flash=${result.outcome}`, 303);
  });
}

function requiredPeriod(c: ConsoleContext): string {
  const period = c.req.query('period');
  if (!period) throw new InputError('Thiếu kỳ báo cáo', ['Mở báo cáo từ bảng tình hình báo cáo']);
  return period;
}

export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: V };
}
