/**
 * The emulation year of a directive in the console: registrations (a unit registers its titles and signs its
 * cluster's pledge; the office approves or returns and reminds), the clusters and their rankings, the candidates
 * and the level below's nominations, the past years' titles. Year end's council and decision are in council.ts.
 */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { can, unitsFor } from '../../../shared/domain/access.ts';
import type { Directive } from '../../../shared/domain/directive.ts';
import type { Unit } from '../../../shared/domain/units.ts';
import { periodById, vietnamDate } from '../../../shared/domain/calendar/index.ts';
import { REGISTRATION_STATE_VI, type Registration, type RegistrationState } from '../../../shared/domain/emulation/types.ts';
import { registrationSummary } from '../../../shared/domain/emulation/registration.ts';
import { leadingUnitOf } from '../../../shared/domain/emulation/clusters.ts';
import { isFourNo } from '../../../shared/domain/results/rubric.ts';
import { achievementReportKey } from '../../../shared/contract/bucket.ts';
import {
  clusterRankings,
  decideOnRegistration,
  importClusters,
  nominate,
  register,
  registrationsOfYear,
  remindRegistrations,
  rulesOf,
  sendClusterDigests,
  setClusterRubric,
  yearCandidates,
  type EmulationDeps,
} from '../../../shared/app/emulation-year.ts';
import { importHistory } from '../../../shared/app/council.ts';
import { readHistoryWithinBudget } from '../../../shared/runtime/parse-budget.ts';
import { audit, authorize, authorizeDirectiveRead, ownUnits, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { csrfField, dateVi, esc, page } from '../layout.ts';
import { councilSection } from './council.ts';
import { directiveOf, doneFlash, emulationDeps, unitOf, yearPath } from './year-common.ts';

const MAX_CSV_BYTES = 512 * 1024;
const MAX_ACHIEVEMENT_BYTES = 10 * 1024 * 1024;
const MAX_HISTORY_BYTES = 2 * 1024 * 1024;

const STATE_TONE: Record<RegistrationState, string> = { 'not-sent': 'error', awaiting: 'warn', returned: 'error', approved: 'ok' };
const stateBadge = (s: RegistrationState, late = false) => `<span class="badge ${STATE_TONE[s]}">${esc(REGISTRATION_STATE_VI[s])}</span>${late ? ' <span class="badge warn">Nộp muộn</span>' : ''}`;

/** The directives a person meets the emulation year of: issued this year or last, reaching their units. */
async function yearsOfPerson(c: ConsoleContext): Promise<Directive[]> {
  const deps = c.get('deps');
  const year = Number(vietnamDate(deps.clock.now()).slice(0, 4));
  const all = (await Promise.all([year - 2, year - 1, year, year + 1].map((y) => deps.directives.directivesOfYear(y)))).flat().filter((d) => d.status === 'issued');
  const issuers = await deps.units.getUnits([...new Set(all.map((d) => d.issuerId))]);
  const mine = await ownUnits(c, 'emulation.read');
  const { person } = sessionOf(c);
  return all.filter((d) => {
    const issuer = issuers.get(d.issuerId);
    return !!issuer && (can(person, 'emulation.read', issuer) || mine.some((u) => u.path.includes(issuer.id)));
  });
}

/** "Quý I/2027" for a period of the directive. */
function periodLabelOf(periodId: string, directive: Directive): string {
  return periodById(periodId, directive.cutoff).label;
}

/** The registration table: every unit's state rolled up, with approve / return for those awaiting. */
function registrationSection(c: ConsoleContext, directive: Directive, units: Unit[], registrations: Map<string, Registration>, deadlineVi: string, titleNames: ReadonlyMap<string, string>): string {
  const session = sessionOf(c);
  const level = units[0]?.level ?? 'commune';
  const summary = registrationSummary(units, registrations, level);
  const rows = summary
    .map((s) => {
      const r = registrations.get(s.unitId);
      const unit = units.find((u) => u.id === s.unitId);
      const mayDecide = !!unit && r?.state === 'awaiting' && can(session.person, 'registration.approve', unit);
      const decide = mayDecide
        ? `<form method="post" action="${yearPath(directive.id)}/registrations/${encodeURIComponent(s.unitId)}/decide">${csrfField(session)}<button class="secondary" name="decision" value="approve">Duyệt</button><label class="muted" for="reason-${esc(s.unitId)}">Lý do trả lại</label><input type="text" id="reason-${esc(s.unitId)}" name="reason"><button class="secondary" name="decision" value="return">Trả lại</button></form>`
        : '';
      const titles = r?.titleIds.length ? esc(r.titleIds.map((id) => titleNames.get(id) ?? id).join('; ')) : '—';
      return `<tr data-unit="${esc(s.unitId)}"><td>${esc(s.name)}</td><td>${s.state ? stateBadge(s.state, r?.late) : `${s.counts.approved}/${s.total} đã duyệt`}</td><td>${titles}</td><td>${r?.pledgeSigned ? 'Đã ký' : '—'}</td><td>${esc(r?.reasonVi ?? '')}${decide}</td></tr>`;
    })
    .join('');
  return `<h2>Đăng ký thi đua (hạn ${esc(deadlineVi)})</h2><div class="scroll"><table class="data" id="registrations"><thead><tr><th>Đơn vị</th><th>Trạng thái</th><th>Danh hiệu đăng ký</th><th>Giao ước</th><th>Ghi chú</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** The unit's own registration form, for the officer of a unit the directive assigned. */
function ownRegistrationForm(c: ConsoleContext, directive: Directive, unit: Unit, r: Registration | undefined, titles: { id: string; nameVi: string; level: string }[]): string {
  const session = sessionOf(c);
  const state = r ? stateBadge(r.state, r.late) : stateBadge('not-sent');
  const boxes = titles
    .filter((t) => t.level === unit.level)
    .map((t) => `<label><input type="checkbox" name="title" value="${esc(t.id)}"${r?.titleIds.includes(t.id) ? ' checked' : ''}> ${esc(t.nameVi)}</label>`)
    .join('');
  const closed = r?.state === 'approved' || r?.state === 'awaiting';
  return `<section class="card" id="my-registration"><h2>Đăng ký của ${esc(unit.name)}</h2><p>Trạng thái: ${state}${r?.reasonVi ? ` — lý do trả lại: ${esc(r.reasonVi)}` : ''}</p>${
    closed
      ? ''
      : `<form method="post" class="stack" action="${yearPath(directive.id)}/register">${csrfField(session)}<input type="hidden" name="unitId" value="${esc(unit.id)}"><fieldset><legend>Danh hiệu đăng ký</legend>${boxes}</fieldset><label><input type="checkbox" name="pledge" value="yes"> Đơn vị ký giao ước thi đua của cụm</label><button class="primary" type="submit">Gửi đăng ký</button></form>`
  }</section>`;
}

async function clustersSection(c: ConsoleContext, directive: Directive, issuer: Unit): Promise<string> {
  const session = sessionOf(c);
  const { rankings, periodId } = await clusterRankings(emulationDeps(c), directive);
  const manage = can(session.person, 'emulation.manage', issuer);
  const tables = rankings
    .map((r) => {
      const rows = r.rows.map((x) => `<tr><td class="num">${x.rank ?? '—'}</td><td>${esc(x.name)}${x.unitId === r.leaderId ? ' <span class="badge info">Trưởng cụm</span>' : ''}</td><td>${esc(x.parentName ?? '—')}</td><td class="num">${x.score === null ? '—' : esc(x.score.toLocaleString('vi-VN'))}</td><td class="num">${x.parentRank ?? '—'}</td></tr>`).join('');
      const own = r.ownRubric ? ' <span class="badge info">Bảng điểm riêng của cụm</span>' : '';
      return `<h3>${esc(r.nameVi)} <span class="muted">(khối ${esc(r.block)})</span>${own}</h3>${manage ? clusterRubricForm(c, directive, r.clusterId) : ''}<div class="scroll"><table class="data cluster" data-cluster="${esc(r.clusterId)}"><thead><tr><th class="num">Hạng trong cụm</th><th>Đơn vị</th><th>Trực thuộc</th><th class="num">Điểm</th><th class="num">Hạng trong đơn vị cấp trên</th></tr></thead><tbody>${rows}</tbody></table></div>`;
    })
    .join('');
  const upload = manage
    ? `<form method="post" class="stack" enctype="multipart/form-data" action="${yearPath(directive.id)}/clusters">${csrfField(session)}<label for="clusters-file">Tệp cụm, khối (CSV: ma_cum, ten_cum, khoi, ma_don_vi, thu_tu_truong_cum, nam_bat_dau)</label><input type="file" id="clusters-file" name="file" accept=".csv,text/csv"><button class="secondary" type="submit">Lưu cụm, khối</button></form>${
        rankings.length ? `<form method="post" action="${yearPath(directive.id)}/cluster-digests">${csrfField(session)}<button class="secondary" type="submit">Gửi bảng xếp hạng cho trưởng cụm</button></form>` : ''
      }`
    : '';
  const when = periodId ? `<p class="muted">Theo kết quả ${esc(periodId.endsWith('-Y') ? `cả năm ${directive.year}` : `kỳ ${periodLabelOf(periodId, directive)}`)}.</p>` : '';
  return `<h2>Cụm, khối thi đua</h2>${rankings.length ? when + tables : '<p class="muted">Chưa có cụm thi đua nào, hoặc chưa có kết quả để xếp hạng.</p>'}${upload}`;
}

/**
 * Who nominates `unit`, and for which of their units: the level above (`nomination.submit`, strictly below the
 * grant: the nearest such unit of theirs), or the year's leading unit of a cluster the unit is in, whose officer
 * proposes the cluster's flag candidates (Law Art. 16). Anyone else: 403.
 */
async function nominatorOf(c: ConsoleContext, directive: Directive, unit: Unit, titleId: string): Promise<{ person: ReturnType<typeof sessionOf>['person']; nominator: string }> {
  const { person } = sessionOf(c);
  if (can(person, 'nomination.submit', unit)) {
    const own = new Set(unitsFor(person, 'nomination.submit'));
    return { person, nominator: unit.path.filter((id) => id !== unit.id && own.has(id)).at(-1)! };
  }
  // Only for a cluster's flag, and never for itself: the leader proposes the others among the members.
  const rules = await rulesOf(emulationDeps(c), directive);
  const flag = rules.titles.some((t) => t.id === titleId && t.clusterFlag);
  const clusters = flag ? await c.get('deps').emulation.clustersOf(directive.id, directive.year) : [];
  const leaders = [...new Set(clusters.filter((cl) => cl.memberIds.includes(unit.id)).map((cl) => leadingUnitOf(cl, directive.year)))];
  const leading = leaders.length ? await c.get('deps').units.getUnits(leaders) : new Map<string, Unit>();
  const mine = [...leading.values()].find((l) => l.id !== unit.id && can(person, 'registration.submit', l));
  if (!mine) return { person: authorize(c, 'nomination.submit', unit).person, nominator: '' };
  return { person, nominator: mine.id };
}

/** A cluster's own scoring table: points per indicator outside the "4 không", the deduction per breach, the cap. */
function clusterRubricForm(c: ConsoleContext, directive: Directive, clusterId: string): string {
  const session = sessionOf(c);
  const id = (k: string) => `rb-${esc(clusterId)}-${k}`;
  const points = directive.indicators
    .filter((ind) => !isFourNo(ind))
    .map((ind) => `<label for="${id(ind.id)}">Điểm: ${esc(ind.name)}</label><input type="text" inputmode="decimal" id="${id(ind.id)}" name="points.${esc(ind.id)}">`)
    .join('');
  return `<details><summary>Bảng điểm riêng của cụm</summary><form method="post" class="stack" action="${yearPath(directive.id)}/clusters/${encodeURIComponent(clusterId)}/rubric">${csrfField(session)}${points}
<label for="${id('partial')}">Cách tính khi chưa đạt</label><select id="${id('partial')}" name="partial"><option value="linear">Theo tỷ lệ đạt</option><option value="all-or-nothing">Đạt mới có điểm</option></select>
<label for="${id('deduction')}">Điểm trừ mỗi tiêu chí "4 không" vi phạm</label><input type="text" inputmode="decimal" id="${id('deduction')}" name="deduction" value="5">
<label for="${id('cap')}">Điểm tối đa</label><input type="text" inputmode="decimal" id="${id('cap')}" name="cap" value="100">
<button class="secondary" type="submit">Lưu bảng điểm của cụm</button></form></details>`;
}

async function candidatesSection(c: ConsoleContext, directive: Directive): Promise<string> {
  const session = sessionOf(c);
  try {
    const { candidates, excluded } = await yearCandidates(emulationDeps(c), directive);
    const rows = candidates
      .map((x) => `<tr><td>${esc(x.name)}</td><td>${esc(x.titleVi)}</td><td>${x.source === 'results' ? 'Theo kết quả' : 'Cấp dưới đề nghị'}${x.achievementReportKey ? ` — <a href="${yearPath(directive.id)}/achievements/${encodeURIComponent(x.unitId)}/${encodeURIComponent(x.titleId)}">báo cáo thành tích</a>` : ''}</td><td>${x.historyNotes.map((n) => `<span class="${n.met ? 'ok' : 'warn'}">${esc(n.explanationVi)}</span>`).join('<br>') || '—'}</td></tr>`)
      .join('');
    const out = excluded.map((x) => `<li>${esc(x.name)}: ${esc(x.reasonVi)}</li>`).join('');
    return `<h2>Danh sách đề nghị bình xét</h2><div class="scroll"><table class="data" id="candidates"><thead><tr><th>Đơn vị</th><th>Danh hiệu</th><th>Nguồn</th><th>Lịch sử danh hiệu</th></tr></thead><tbody>${rows}</tbody></table></div>${out ? `<p>Không đưa vào danh sách:</p><ul>${out}</ul>` : ''}${nominationForm(c, directive, session)}`;
  } catch (e) {
    if (!(e instanceof Error && 'messageVi' in e)) throw e;
    return `<h2>Danh sách đề nghị bình xét</h2><p class="muted">${esc((e as { messageVi: string }).messageVi)}</p>${nominationForm(c, directive, session)}`;
  }
}

function nominationForm(c: ConsoleContext, directive: Directive, session: ReturnType<typeof sessionOf>): string {
  if (!unitsFor(session.person, 'nomination.submit').length) return '';
  return `<form method="post" class="stack card" enctype="multipart/form-data" action="${yearPath(directive.id)}/nominations">${csrfField(session)}<h3>Đề nghị đơn vị cấp dưới</h3><label for="nom-unit">Mã đơn vị</label><input type="text" id="nom-unit" name="unitId"><label for="nom-title">Danh hiệu (mã)</label><input type="text" id="nom-title" name="titleId"><label for="nom-file">Báo cáo thành tích (PDF, DOCX)</label><input type="file" id="nom-file" name="file" accept=".pdf,.docx"><button class="secondary" type="submit">Gửi đề nghị</button></form>`;
}

function historyForm(c: ConsoleContext, directive: Directive): string {
  const session = sessionOf(c);
  return `<form method="post" class="stack card" enctype="multipart/form-data" action="${yearPath(directive.id)}/history">${csrfField(session)}<h3>Nhập danh hiệu các năm trước (XLSX)</h3><p class="muted">Cột: ma_don_vi, nam, danh_hieu, so_quyet_dinh, ngay_quyet_dinh, co_quan_ban_hanh.</p><label for="history-file">Tệp XLSX</label><input type="file" id="history-file" name="file" accept=".xlsx"><button class="secondary" type="submit">Nhập</button></form>`;
}

async function yearPage(c: ConsoleContext): Promise<string> {
  const { directive, issuer } = await directiveOf(c);
  const session = await authorizeDirectiveRead(c, 'emulation.read', issuer);
  const deps = emulationDeps(c);
  const [rules, { units, registrations }] = await Promise.all([rulesOf(deps, directive), registrationsOfYear(deps, directive)]);
  const titleNames = new Map(rules.titles.map((t) => [t.id, t.nameVi]));
  const visible = units.filter((u) => can(session.person, 'emulation.read', u));
  const own = units.filter((u) => can(session.person, 'registration.submit', u));
  const manage = can(session.person, 'emulation.manage', issuer);
  const deadlineVi = dateVi(`${directive.year}-${rules.registrationDeadline}`);
  const rulesLink = manage ? `<p><a href="${yearPath(directive.id)}/rules">Quy tắc của năm (danh hiệu, ngưỡng phiếu, tiền thưởng, hạn đăng ký)</a></p>` : '';
  const remind = manage
    ? `<form method="post" action="${yearPath(directive.id)}/remind-registrations">${csrfField(session)}<button class="secondary" type="submit">Nhắc các đơn vị chưa đăng ký</button></form>`
    : '';
  const body = [
    `<nav class="crumbs"><a href="/emulation">Năm thi đua</a> › ${esc(directive.number)}</nav>`,
    `<h1>Năm thi đua ${directive.year}: ${esc(directive.kind)} số ${esc(directive.number)}</h1><p class="muted">${esc(directive.title)}</p>${rulesLink}`,
    ...own.map((u) => ownRegistrationForm(c, directive, u, registrations.get(u.id), rules.titles)),
    visible.length ? registrationSection(c, directive, visible, registrations, deadlineVi, titleNames) + remind : '',
    await clustersSection(c, directive, issuer),
    await candidatesSection(c, directive),
    await councilSection(c, directive, issuer),
    manage ? historyForm(c, directive) : '',
  ].join('\n');
  return page(body, { title: `Năm thi đua ${directive.year}`, nonce: c.get('nonce'), session, ...doneFlash(c) });
}

async function uploadedFile(c: ConsoleContext, maxBytes: number): Promise<{ bytes: Uint8Array; name: string }> {
  const { file, name } = fileOf(await c.req.parseBody(), maxBytes);
  return { bytes: new Uint8Array(await file.arrayBuffer()), name };
}

/** The form's file, refused empty or over `maxBytes` with a message that says the limit. */
function fileOf(body: Record<string, unknown>, maxBytes: number): { file: File; name: string } {
  const file = body.file;
  if (!(file instanceof File) || file.size === 0) throw new HTTPException(400, { message: 'Chưa chọn tệp' });
  if (file.size > maxBytes) throw new HTTPException(413, { message: `Tệp quá lớn (${Math.ceil(file.size / 1024)} KB); tối đa ${Math.floor(maxBytes / 1024)} KB` });
  return { file, name: file.name };
}

/** The home page's part: the emulation years the person meets, and for the council's secretary where to record. */
export async function emulationHome(c: ConsoleContext): Promise<string> {
  const { person } = sessionOf(c);
  if (!unitsFor(person, 'emulation.read').length) return '';
  const year = Number(vietnamDate(c.get('deps').clock.now()).slice(0, 4));
  const list = (await yearsOfPerson(c)).filter((d) => d.year >= year - 1 && d.year <= year).sort((a, b) => b.year - a.year || a.id.localeCompare(b.id));
  if (!list.length) return '';
  const secretary = unitsFor(person, 'council.record').length > 0;
  const items = list
    .map((d) => `<li><a href="${yearPath(d.id)}">Năm thi đua ${d.year}: ${esc(d.kind)} số ${esc(d.number)}</a>${secretary ? ` — <a href="${yearPath(d.id)}/session">ghi phiên họp bình xét</a>` : ''}</li>`)
    .join('');
  return `<div class="card" id="emulation-home"><h2>Năm thi đua</h2><ul>${items}</ul></div>`;
}

export function emulationRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/emulation', async (c) => {
    const session = sessionOf(c);
    if (!unitsFor(session.person, 'emulation.read').length) throw new HTTPException(403, { message: 'Bạn không có quyền xem năm thi đua' });
    const list = (await yearsOfPerson(c)).sort((a, b) => b.year - a.year || a.id.localeCompare(b.id));
    const rows = list.map((d) => `<tr><td>${d.year}</td><td><a href="${yearPath(d.id)}">${esc(d.kind)} số ${esc(d.number)}</a></td><td>${esc(d.title)}</td></tr>`).join('');
    return c.html(page(`<h1>Năm thi đua</h1><div class="scroll"><table class="data"><thead><tr><th>Năm</th><th>Văn bản</th><th>Trích yếu</th></tr></thead><tbody>${rows}</tbody></table></div><p><a href="/emulation/review">Sơ kết nhiều năm</a></p>`, { title: 'Năm thi đua', nonce: c.get('nonce'), session }));
  });

  app.get('/emulation/:directiveId', async (c) => c.html(await yearPage(c)));

  app.post('/emulation/:directiveId/register', async (c) => {
    const { directive } = await directiveOf(c);
    const body = await c.req.parseBody({ all: true });
    const unit = await unitOf(c, body.unitId);
    const { person } = authorize(c, 'registration.submit', unit);
    const titleIds = ([] as unknown[]).concat(body.title ?? []).map(String);
    const r = await register(emulationDeps(c), { directive, unitId: unit.id, titleIds, pledgeSigned: body.pledge === 'yes', by: person.email });
    await audit(c, { action: 'registration.submit', unit, target: `${directive.id}/${directive.year}`, summaryVi: `Đăng ký thi đua năm ${directive.year}: ${r.titleIds.join(', ')}${r.late ? ' (nộp muộn)' : ''}` });
    return c.redirect(`${yearPath(directive.id)}?done=registered`, 303);
  });

  app.post('/emulation/:directiveId/registrations/:unitId/decide', async (c) => {
    const { directive } = await directiveOf(c);
    const unit = await unitOf(c, c.req.param('unitId'));
    const { person } = authorize(c, 'registration.approve', unit);
    const body = await c.req.parseBody();
    const decision = body.decision === 'approve' ? ({ kind: 'approve' } as const) : ({ kind: 'return', reasonVi: String(body.reason ?? '').trim() } as const);
    await decideOnRegistration(emulationDeps(c), { directive, unitId: unit.id, decision, by: person.email });
    await audit(c, { action: 'registration.approve', unit, target: `${directive.id}/${directive.year}`, summaryVi: decision.kind === 'approve' ? 'Duyệt đăng ký thi đua' : `Trả lại đăng ký thi đua: ${decision.reasonVi}` });
    return c.redirect(`${yearPath(directive.id)}?done=${decision.kind === 'approve' ? 'approved' : 'returned'}`, 303);
  });

  app.post('/emulation/:directiveId/remind-registrations', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    authorize(c, 'emulation.manage', issuer);
    const origin = new URL(c.req.url).origin;
    const { reminded, step } = await remindRegistrations(emulationDeps(c), directive, origin);
    await audit(c, { action: 'emulation.manage', unit: issuer, target: `${directive.id}/${directive.year}`, summaryVi: `Nhắc đăng ký thi đua (${step ?? 'chưa đến kỳ nhắc'}): ${reminded.length} đơn vị` });
    return c.redirect(`${yearPath(directive.id)}?done=reminded`, 303);
  });

  app.post('/emulation/:directiveId/clusters', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    authorize(c, 'emulation.manage', issuer);
    const { bytes } = await uploadedFile(c, MAX_CSV_BYTES);
    const clusters = await importClusters(emulationDeps(c), directive, new TextDecoder('utf-8', { fatal: false }).decode(bytes));
    await audit(c, { action: 'emulation.manage', unit: issuer, target: `${directive.id}/${directive.year}`, summaryVi: `Lưu ${clusters.length} cụm thi đua` });
    return c.redirect(`${yearPath(directive.id)}?done=clusters`, 303);
  });

  app.post('/emulation/:directiveId/clusters/:clusterId/rubric', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    authorize(c, 'emulation.manage', issuer);
    const body = await c.req.parseBody();
    const num = (v: unknown) => (String(v ?? '').trim() === '' ? Number.NaN : Number(String(v).trim().replace(',', '.')));
    const points = Object.fromEntries(Object.entries(body).flatMap(([k, v]) => (k.startsWith('points.') && String(v).trim() !== '' ? [[k.slice(7), num(v)]] : [])));
    const cluster = await setClusterRubric(emulationDeps(c), directive, c.req.param('clusterId'), {
      points, partial: body.partial, cap: num(body.cap), fourNo: { deductionPerBreach: num(body.deduction) }, notReportedScore: 0,
    });
    await audit(c, { action: 'emulation.manage', unit: issuer, target: `${directive.id}/${directive.year}/${cluster.id}`, summaryVi: `Lưu bảng điểm riêng của ${cluster.nameVi}` });
    return c.redirect(`${yearPath(directive.id)}?done=clusters`, 303);
  });

  app.post('/emulation/:directiveId/cluster-digests', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    authorize(c, 'emulation.manage', issuer);
    const sent = await sendClusterDigests(emulationDeps(c), directive);
    await audit(c, { action: 'emulation.manage', unit: issuer, target: `${directive.id}/${directive.year}`, summaryVi: `Gửi bảng xếp hạng cụm cho ${sent} đơn vị trưởng cụm` });
    return c.redirect(`${yearPath(directive.id)}?done=digests`, 303);
  });

  app.post('/emulation/:directiveId/nominations', async (c) => {
    const { directive } = await directiveOf(c);
    // Who may nominate whom comes first: the file is read only for a unit the person may nominate.
    const body = await c.req.parseBody();
    const unit = await unitOf(c, body.unitId);
    const { person, nominator } = await nominatorOf(c, directive, unit, String(body.titleId ?? ''));
    const { file, name } = fileOf(body, MAX_ACHIEVEMENT_BYTES);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const ext = /\.docx$/i.test(name) ? 'docx' : 'pdf';
    const key = achievementReportKey(directive.id, directive.year, unit.id, crypto.randomUUID(), ext);
    await c.get('deps').storage.put(key, bytes, ext === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const n = await nominate(emulationDeps(c), { directive, unitId: unit.id, titleId: String(body.titleId ?? ''), achievementReportKey: key, nominatedBy: nominator });
    await audit(c, { action: 'nomination.submit', unit, target: `${directive.id}/${directive.year}`, summaryVi: `Đề nghị ${n.name} cho danh hiệu ${n.titleId} (${person.email})` });
    return c.redirect(`${yearPath(directive.id)}?done=nominated`, 303);
  });

  app.post('/emulation/:directiveId/history', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    authorize(c, 'emulation.manage', issuer);
    const { bytes } = await uploadedFile(c, MAX_HISTORY_BYTES);
    const deps = emulationDeps(c);
    const units = new Map<string, Unit>();
    for await (const page of deps.units.descendantsAt(issuer, directive.targetUnits.scope === 'level' ? directive.targetUnits.level : 'commune')) for (const u of page) units.set(u.id, u);
    const n = await importHistory(deps, { bytes, directive, units }, readHistoryWithinBudget);
    await audit(c, { action: 'emulation.manage', unit: issuer, target: `${directive.id}/${directive.year}`, summaryVi: `Nhập ${n} danh hiệu các năm trước` });
    return c.redirect(`${yearPath(directive.id)}?done=history`, 303);
  });
}
