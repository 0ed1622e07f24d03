/**
 * Results of a directive for a period, as the leader of a unit reads them: the ranking of its direct children,
 * indicators against targets as charts drawn on the server (SVG, no script), the "4 không", the change since the last
 * period, and the digest's workbook. Built from the digest's own model, so the figures are the email's.
 */
import type { Hono } from 'hono';
import { hasRole, unitsFor } from '../../../shared/domain/access.ts';
import type { Indicator } from '../../../shared/domain/directive.ts';
import { achievementRatio } from '../../../shared/domain/results/rubric.ts';
import type { Unit } from '../../../shared/domain/units.ts';
import { resultsView, resultsWorkbook, type ResultsView } from '../../../shared/app/results-view.ts';
import { actualVi, num, rate, signed, targetVi, type DigestModel } from '../../../shared/mail/digest-email.ts';
import { XLSX_CONTENT_TYPE } from '../../../shared/app/uploads.ts';
import { dataHeaders } from '../../../shared/web/html.ts';
import { authorize, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { esc, page } from '../layout.ts';
import { crumbs, defaultUnit, optional } from './status.ts';

const resultsUrl = (directiveId: string, q: { period?: string; unit?: string }, suffix = '') => {
  const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1]));
  return `/directives/${encodeURIComponent(directiveId)}/results${suffix}${params.size ? `?${params}` : ''}`;
};

const COLOR = { good: '#2e7d4f', bad: '#c0504d', none: '#9aa5b1', target: '#1f2933', track: '#e4e7eb' };

/**
 * One indicator across the children: a bar per child (its actual, green when met, red when not), a tick at its target.
 * Bars share one scale (the largest actual or target), labelled with the figures as the email writes them.
 */
export function indicatorChart(ind: Indicator, m: DigestModel, id: string): string {
  const rows = m.children.map((c) => ({ name: c.unit.name, r: c.unit.indicators[ind.id] })).filter((x) => x.r && typeof x.r.actual !== 'boolean');
  const values = rows.flatMap((x) => [x.r!.actual, x.r!.target]).filter((v): v is number => typeof v === 'number');
  const max = Math.max(1, ...values);
  const rowH = 26;
  const left = 150;
  const width = 420;
  const height = rows.length * rowH + 8;
  const x = (v: number) => left + (Math.max(0, v) / max) * width;
  const bars = rows
    .map(({ name, r }, i) => {
      const y = 4 + i * rowH;
      const actual = typeof r!.actual === 'number' ? r!.actual : null;
      const target = typeof r!.target === 'number' ? r!.target : null;
      const color = r!.met === null ? COLOR.none : r!.met ? COLOR.good : COLOR.bad;
      const bar = actual === null ? '' : `<rect x="${left}" y="${y + 4}" width="${(x(actual) - left).toFixed(1)}" height="14" fill="${color}"><title>${esc(`${name}: ${actualVi(ind, actual)}`)}</title></rect>`;
      const tick = target === null ? '' : `<line x1="${x(target).toFixed(1)}" x2="${x(target).toFixed(1)}" y1="${y}" y2="${y + 22}" stroke="${COLOR.target}" stroke-width="2"><title>${esc(`Mục tiêu: ${targetVi(ind, target)}`)}</title></line>`;
      return `<text x="${left - 6}" y="${y + 15}" text-anchor="end" font-size="12">${esc(name.length > 22 ? `${name.slice(0, 21)}…` : name)}</text><rect x="${left}" y="${y + 4}" width="${width}" height="14" fill="${COLOR.track}"/>${bar}${tick}<text x="${left + width + 6}" y="${y + 15}" font-size="12" data-actual="${esc(name)}">${esc(actualVi(ind, actual))}</text>`;
    })
    .join('');
  return `<figure class="card"><figcaption><strong>${esc(ind.name)}</strong> <span class="muted">(vạch đen: mục tiêu; xanh: đạt; đỏ: chưa đạt)</span></figcaption><svg id="${esc(id)}" role="img" aria-label="${esc(`Biểu đồ ${ind.name} theo đơn vị`)}" viewBox="0 0 ${left + width + 90} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">${bars}</svg></figure>`;
}

function headline(m: DigestModel): string {
  const u = m.unit;
  const tiles = [
    ['Đã báo cáo', `${u.rates.received}/${u.rates.expected}`, 'received'],
    ['Nộp đúng hạn', `${u.rates.onTime}/${u.rates.expected}`, 'on-time'],
    ['Tỷ lệ báo cáo đầy đủ', rate(u.rates.completeness), 'completeness'],
    ['Tỷ lệ báo cáo đúng hạn', rate(u.rates.timeliness), 'timeliness'],
    [u.reporting ? 'Điểm thi đua' : 'Điểm thi đua (bình quân)', u.score === null ? '—' : num(u.score), 'score'],
  ];
  return `<div class="grid">${tiles.map(([label, value, key]) => `<div class="card"><div class="muted">${esc(label)}</div><div><strong data-figure="${key}">${esc(value)}</strong></div></div>`).join('')}</div>`;
}

function ranking(v: ResultsView, m: DigestModel): string {
  const parents = new Set(Object.values(v.results!.units).map((x) => x.parentId));
  const rows = m.children
    .map((c) => {
      const name = parents.has(c.unit.unitId) ? `<a href="${esc(resultsUrl(v.directive.id, { period: v.period.id, unit: c.unit.unitId }))}">${esc(c.unit.name)}</a>` : esc(c.unit.name);
      const ds = c.unit.change?.score ?? null;
      const dr = c.unit.change?.rank ?? null;
      return `<tr data-unit="${esc(c.unit.unitId)}"><td class="num" data-rank>${esc(c.unit.rank ?? '—')}</td><td>${name}</td><td class="num" data-score>${esc(c.unit.score === null ? '—' : num(c.unit.score))}</td><td class="num">${ds === null ? '—' : esc(signed(ds))}</td><td class="num">${dr === null ? '—' : dr > 0 ? `▲ ${dr}` : dr < 0 ? `▼ ${-dr}` : '='}</td><td>${esc(c.status)} <span class="muted">${esc(c.statusDetail)}</span></td><td class="num">${c.met === null ? '—' : `${c.met}/${c.withTarget}`}</td><td class="num">${c.breaches}</td></tr>`;
    })
    .join('');
  const prev = m.previousLabel ? ` so với ${esc(m.previousLabel)}` : '';
  return `<h2>Xếp hạng ${esc(m.childNoun)} trực thuộc</h2><div class="scroll"><table class="data" id="ranking"><thead><tr><th class="num">Hạng</th><th>Đơn vị</th><th class="num">Điểm</th><th class="num">Thay đổi điểm${prev}</th><th class="num">Thay đổi hạng</th><th>Báo cáo</th><th class="num">Chỉ tiêu đạt</th><th class="num">Vi phạm "4 không"</th></tr></thead><tbody>${rows || '<tr><td colspan="8">Không có đơn vị trực thuộc.</td></tr>'}</tbody></table></div>`;
}

function indicatorsTable(m: DigestModel): string {
  const rows = [...m.indicators, ...m.fourNo]
    .map((ind) => {
      const r = m.unit.indicators[ind.id]!;
      const ratio = achievementRatio(ind, r.actual, r.target);
      const verdict = r.met === null ? (r.actual === null ? 'Chưa có số liệu' : 'Không có chỉ tiêu') : r.met ? 'Đạt' : 'Chưa đạt';
      const delta = m.unit.change?.indicators[ind.id] ?? null;
      return `<tr data-indicator="${esc(ind.id)}"><td>${esc(ind.name)}</td><td class="num">${esc(actualVi(ind, r.actual))}</td><td class="num">${esc(targetVi(ind, r.target))}</td><td class="num">${ratio === null ? '—' : `${Math.round(ratio * 100)}%`}</td><td>${verdict}</td><td class="num">${delta === null ? '—' : esc(signed(delta))}</td></tr>`;
    })
    .join('');
  return `<h2>Chỉ tiêu so với mục tiêu</h2><div class="scroll"><table class="data" id="indicators"><thead><tr><th>Chỉ tiêu</th><th class="num">Kết quả</th><th class="num">Mục tiêu</th><th class="num">Mức đạt</th><th>Đánh giá</th><th class="num">Thay đổi${m.previousLabel ? ` so với ${esc(m.previousLabel)}` : ''}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function fourNo(m: DigestModel): string {
  if (!m.fourNo.length) return '';
  const rows = m.breaches.map((b) => `<tr><td>${esc(b.village.name)}</td><td>${esc(b.via)}</td><td>${esc(b.indicator?.name ?? b.breach.indicatorId)}</td><td class="num">${b.breach.count}</td></tr>`).join('');
  return `<h2>"4 không"</h2><p>Tiêu chí: ${m.fourNo.map((i) => esc(i.name)).join('; ')}.</p>${
    rows ? `<div class="scroll"><table class="data" id="four-no"><thead><tr><th>Thôn</th><th>Thuộc</th><th>Tiêu chí vi phạm</th><th class="num">Số vụ</th></tr></thead><tbody>${rows}</tbody></table></div>` : '<p class="ok">Không có thôn nào vi phạm trong kỳ.</p>'
  }`;
}

function resultsHtml(v: ResultsView): string {
  const d = v.directive;
  const options = v.periods.map((p) => `<option value="${esc(p.id)}"${p.id === v.period.id ? ' selected' : ''}>${esc(p.label)}</option>`).join('');
  const head = `<h1>Kết quả thi đua ${esc(v.period.label)} – ${esc(v.unit.name)}</h1>
<p class="muted">${esc(d.kind)} số ${esc(d.number)} của ${esc(d.issuerName)}: ${esc(d.title)}</p>
${crumbs(v.trail, (u: Unit) => resultsUrl(d.id, { period: v.period.id, unit: u.id }))}
<form method="get" action="${esc(resultsUrl(d.id, {}))}" class="card"><input type="hidden" name="unit" value="${esc(v.unit.id)}"><label for="period">Kỳ báo cáo</label> <select id="period" name="period">${options}</select> <button type="submit" class="secondary">Xem</button></form>`;
  const m = v.model;
  if (!m) return `${head}<p class="card">Chưa có kết quả ${esc(v.period.label)}${v.results ? ` cho ${esc(v.unit.name)}` : ''}. Kết quả được tổng hợp vào sáng ngày làm việc sau hạn nộp báo cáo.</p>`;
  const charts = m.indicators.filter((i) => i.kind !== 'yes-no').map((ind, i) => indicatorChart(ind, m, `chart-${i}`)).join('');
  return `${head}
<p class="muted">Số liệu tính đến ${esc(m.asOf)}. <a class="button" href="${esc(resultsUrl(d.id, { period: v.period.id, unit: v.unit.id }, '.xlsx'))}">Tải bảng kết quả (XLSX)</a></p>
${headline(m)}
${m.children.length ? ranking(v, m) : ''}
${indicatorsTable(m)}
${m.children.length && charts ? `<h2>Biểu đồ chỉ tiêu theo ${esc(m.childNoun)}</h2>${charts}` : ''}
${fourNo(m)}`;
}

async function view(c: ConsoleContext): Promise<ResultsView> {
  const directiveId = c.req.param('id')!;
  return resultsView(
    { directiveId, ...optional('periodId', c.req.query('period')), ...optional('unitId', c.req.query('unit')) },
    { ...c.get('deps'), authorize: (unit) => void authorize(c, 'results.read', unit), defaultUnit: defaultUnit(c, 'results.read') },
  );
}

/** For leaders on the home page: the latest results of this year's directives issued at or above their units. */
export async function resultsHome(c: ConsoleContext): Promise<string> {
  const { person } = sessionOf(c);
  if (!hasRole(person, 'leader')) return '';
  const deps = c.get('deps');
  const mine = await deps.units.getUnits(unitsFor(person, 'results.read'));
  const year = Number(deps.clock.now().toISOString().slice(0, 4));
  const directives = (await deps.directives.directivesOfYear(year)).filter((d) => d.status === 'issued');
  const items = directives.flatMap((d) => [...mine.values()].filter((u) => u.path.includes(d.issuerId)).map((u) => ({ d, u }))).slice(0, 10);
  const lines = await Promise.all(
    items.map(async ({ d, u }) => {
      const v = await resultsView({ directiveId: d.id, unitId: u.id }, deps);
      const figures = v.model ? `${v.model.unit.rates.received}/${v.model.unit.rates.expected} đã báo cáo, điểm ${v.model.unit.score === null ? '—' : num(v.model.unit.score)}` : 'chưa có kết quả';
      return `<li><a href="${esc(resultsUrl(d.id, { period: v.period.id, unit: u.id }))}">${esc(d.kind)} số ${esc(d.number)} – ${esc(v.period.label)} – ${esc(u.name)}</a>: ${esc(figures)}</li>`;
    }),
  );
  return `<div class="card"><h2>Kết quả thi đua mới nhất</h2>${lines.length ? `<ul>${lines.join('')}</ul>` : '<p>Chưa có chỉ thị nào trong năm.</p>'}</div>`;
}

export function resultsRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/directives/:id/results', async (c) => {
    const v = await view(c);
    return c.html(page(resultsHtml(v), { title: `Kết quả thi đua ${v.period.label}`, nonce: c.get('nonce'), session: sessionOf(c) }));
  });

  app.get('/directives/:id/results.xlsx', async (c) => {
    const v = await view(c);
    const bytes = await resultsWorkbook(v);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { ...dataHeaders(XLSX_CONTENT_TYPE), 'content-disposition': `attachment; filename="ket-qua-${v.period.id}-${v.unit.id}.xlsx"` });
  });
}
