/**
 * Year end in the console: the council's secretary records the session (members present, the secret ballot's
 * tallies), those who passed are posted publicly, the office reads the opinions, and the issuing level's office
 * issues the decision once the posting has ended. Minutes and decision download as DOCX.
 */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { can } from '../../../shared/domain/access.ts';
import type { Directive } from '../../../shared/domain/directive.ts';
import type { Decision, Posting } from '../../../shared/domain/emulation/types.ts';
import type { Unit } from '../../../shared/domain/units.ts';
import { InputError } from '../../../shared/domain/errors.ts';
import { vietnamDate } from '../../../shared/domain/calendar/index.ts';
import { moneyVi } from '../../../shared/domain/emulation/money.ts';
import { postingEnded } from '../../../shared/domain/emulation/posting.ts';
import { DOCX_CONTENT_TYPE, minutesKey } from '../../../shared/contract/bucket.ts';
import { issueDecision, recordSession } from '../../../shared/app/council.ts';
import { rulesOf, yearCandidates } from '../../../shared/app/emulation-year.ts';
import { audit, authorize, authorizeDirectiveRead, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { csrfField, dateVi, esc, page } from '../layout.ts';
import { directiveOf, emulationDeps, yearPath } from './year-common.ts';

export const publicPostingPath = (postingId: string) => `/cong-khai/${encodeURIComponent(postingId)}`;

function councilDeps(c: ConsoleContext) {
  return { ...emulationDeps(c), storage: c.get('deps').storage };
}

/** The year page's year-end part: sessions, postings with their opinions, the decision form, decisions. */
export async function councilSection(c: ConsoleContext, directive: Directive, issuer: Unit): Promise<string> {
  const { person } = sessionOf(c);
  const deps = c.get('deps');
  const [sessions, postings, decisions] = await Promise.all([
    deps.emulation.sessionsOf(directive.id, directive.year),
    deps.emulation.postingsOf(directive.id, directive.year),
    deps.emulation.decisionsOf(directive.id, directive.year),
  ]);
  const path = yearPath(directive.id);
  const record = can(person, 'council.record', issuer) ? `<p><a class="button" href="${path}/session">Ghi phiên họp bình xét</a></p>` : '';
  const sessionList = sessions.map((s) => `<li>Phiên ngày ${esc(dateVi(s.heldOn))}: ${s.present}/${s.members} thành viên có mặt — <a href="${path}/minutes/${encodeURIComponent(s.id)}">Biên bản (DOCX)</a></li>`).join('');
  const postingBlocks = await Promise.all(postings.map((p) => postingBlock(c, directive, issuer, p, decisions.find((d) => d.postingId === p.id))));
  const decisionList = decisions
    .map((d) => `<li>Quyết định số ${esc(d.number)} ngày ${esc(dateVi(d.issuedOn))}: ${d.awards.length} đơn vị, ${esc(moneyVi(d.awards.reduce((s, a) => s + a.amount, 0)))} — <a href="${path}/decisions/${encodeURIComponent(d.id)}">Tải quyết định (DOCX)</a></li>`)
    .join('');
  return `<h2>Bình xét và khen thưởng</h2>${record}${sessionList ? `<ul id="sessions">${sessionList}</ul>` : '<p class="muted">Chưa có phiên họp bình xét.</p>'}${postingBlocks.join('')}${decisionList ? `<h3>Quyết định khen thưởng</h3><ul id="decisions">${decisionList}</ul>` : ''}`;
}

async function postingBlock(c: ConsoleContext, directive: Directive, issuer: Unit, p: Posting, decided: Decision | undefined): Promise<string> {
  const session = sessionOf(c);
  const deps = c.get('deps');
  const today = vietnamDate(deps.clock.now());
  const manage = can(session.person, 'emulation.manage', issuer);
  const opinions = manage ? await deps.emulation.opinionsOf(p.id, { includeSpam: false, limit: 100 }) : [];
  const names = p.outcomes.filter((o) => o.passed).map((o) => `<li>${esc(o.name)} — ${esc(o.explanationVi)}</li>`).join('');
  const opinionList = manage ? `<h4>Ý kiến nhận được (${opinions.length})</h4>${opinions.length ? `<ul id="opinions">${opinions.map((o) => `<li><b>${esc(o.name)}</b>: ${esc(o.text)}</li>`).join('')}</ul>` : '<p class="muted">Chưa có ý kiến.</p>'}` : '';
  const ended = postingEnded(p, today);
  const rules = await rulesOf(emulationDeps(c), directive);
  const titleVi = (id: string) => rules.titles.find((t) => t.id === id)?.nameVi ?? id;
  const decide = decided
    ? `<p class="ok">Đã ban hành Quyết định số ${esc(decided.number)} ngày ${esc(dateVi(decided.issuedOn))}.</p>`
    : can(session.person, 'decision.issue', issuer) ? (ended ? decisionForm(c, directive, p, titleVi) : `<p class="muted">Ban hành quyết định từ sau ngày ${esc(dateVi(p.endsOn))}, khi hết thời gian niêm yết.</p>`) : '';
  return `<section class="card posting" data-posting="${esc(p.id)}"><h3>Niêm yết công khai từ ${esc(dateVi(p.startsOn))} đến hết ${esc(dateVi(p.endsOn))}</h3><p>Trang công khai: <a href="${publicPostingPath(p.id)}">${esc(publicPostingPath(p.id))}</a></p><ul>${names}</ul>${opinionList}${decide}</section>`;
}

function decisionForm(c: ConsoleContext, directive: Directive, p: { id: string; outcomes: { unitId: string; titleId: string; name: string; passed: boolean }[] }, titleVi: (id: string) => string): string {
  const session = sessionOf(c);
  const boxes = p.outcomes
    .filter((o) => o.passed)
    .map((o) => `<label><input type="checkbox" name="award" value="${esc(`${o.unitId}|${o.titleId}`)}" checked> ${esc(o.name)} – ${esc(titleVi(o.titleId))}</label>`)
    .join('');
  return `<form method="post" class="stack" action="${yearPath(directive.id)}/decision">${csrfField(session)}<input type="hidden" name="postingId" value="${esc(p.id)}"><h4>Ban hành quyết định khen thưởng</h4><label for="dec-number">Số, ký hiệu</label><input type="text" id="dec-number" name="number" placeholder="125/QĐ-UBND"><label for="dec-date">Ngày ban hành</label><input type="date" id="dec-date" name="issuedOn"><label for="dec-signer-title">Chức vụ người ký</label><input type="text" id="dec-signer-title" name="signerTitle" value="CHỦ TỊCH"><label for="dec-signer">Người ký</label><input type="text" id="dec-signer" name="signerName"><fieldset><legend>Khen thưởng</legend>${boxes}</fieldset><button class="primary" type="submit">Ban hành</button></form>`;
}

async function sessionForm(c: ConsoleContext, directive: Directive, error?: InputError, sessionId = `s-${crypto.randomUUID().slice(0, 8)}`): Promise<string> {
  const session = sessionOf(c);
  const { candidates } = await yearCandidates(emulationDeps(c), directive);
  const rows = candidates
    .map((x, i) => `<tr><td>${esc(x.name)}</td><td>${esc(x.titleVi)}</td><td><label class="muted" for="yes-${i}">Số phiếu đồng ý</label><input type="number" min="0" id="yes-${i}" name="${esc(`yes:${x.unitId}:${x.titleId}`)}"></td></tr>`)
    .join('');
  const errors = error ? `<div class="flash error" role="alert"><p>${esc(error.messageVi)}</p>${error.details.length ? `<ul>${error.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}</div>` : '';
  const today = vietnamDate(c.get('deps').clock.now());
  return page(
    `<nav class="crumbs"><a href="${yearPath(directive.id)}">Năm thi đua ${directive.year}</a> › Phiên họp bình xét</nav><h1>Ghi phiên họp bình xét năm ${directive.year}</h1>${errors}
<form method="post" class="stack" action="${yearPath(directive.id)}/session">${csrfField(session)}<input type="hidden" name="sessionId" value="${esc(sessionId)}">
<label for="held-on">Ngày họp</label><input type="date" id="held-on" name="heldOn" value="${esc(today)}">
<label for="members">Tổng số thành viên hội đồng</label><input type="number" min="1" id="members" name="members">
<label for="present">Số thành viên có mặt</label><input type="number" min="0" id="present" name="present">
<label for="chair">Chủ trì phiên họp</label><input type="text" id="chair" name="chairName">
<label for="secretary">Thư ký</label><input type="text" id="secretary" name="secretaryName" value="${esc(session.person.name)}">
<div class="scroll"><table class="data" id="tallies"><thead><tr><th>Đơn vị</th><th>Danh hiệu</th><th>Kết quả bỏ phiếu kín</th></tr></thead><tbody>${rows}</tbody></table></div>
<button class="primary" type="submit">Ghi phiên họp</button></form>`,
    { title: 'Phiên họp bình xét', nonce: c.get('nonce'), session },
  );
}

const intOf = (v: unknown, what: string): number => {
  const s = String(v ?? '').trim();
  if (!/^\d{1,6}$/.test(s)) throw new InputError(`${what} phải là số nguyên không âm`);
  return Number(s);
};

function talliesOf(body: Record<string, unknown>): { unitId: string; titleId: string; yes: number }[] {
  return Object.entries(body)
    .filter(([k]) => k.startsWith('yes:'))
    .map(([k, v]) => {
      const [, unitId = '', titleId = ''] = k.split(':');
      return { unitId, titleId, yes: intOf(v, 'Số phiếu đồng ý') };
    });
}

async function docxDownload(c: ConsoleContext, key: string, fileName: string): Promise<Response> {
  // A key that was never written (a session id typed by hand) is a page that does not exist, not a failure.
  const obj = await c.get('deps').storage.get(key, { maxBytes: 20 * 1024 * 1024 }).catch((e: unknown) => {
    if ((e as { name?: string }).name === 'NoSuchKey' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw e;
  });
  if (!obj?.bytes) throw new HTTPException(404, { message: 'Không tìm thấy văn bản' });
  return c.body(obj.bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': DOCX_CONTENT_TYPE, 'content-disposition': `attachment; filename="${fileName}"` });
}

export function councilRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/emulation/:directiveId/session', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    authorize(c, 'council.record', issuer);
    return c.html(await sessionForm(c, directive));
  });

  app.post('/emulation/:directiveId/session', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    const { person } = authorize(c, 'council.record', issuer);
    const body = await c.req.parseBody();
    try {
      const heldOn = String(body.heldOn ?? '').trim();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(heldOn)) throw new InputError('Ngày họp chưa đúng (ngày/tháng/năm)');
      const input = {
        directive,
        sessionId: /^s-[a-z0-9-]{1,40}$/.test(String(body.sessionId)) ? String(body.sessionId) : `s-${crypto.randomUUID().slice(0, 8)}`,
        heldOn,
        members: intOf(body.members, 'Tổng số thành viên'),
        present: intOf(body.present, 'Số thành viên có mặt'),
        tallies: talliesOf(body),
        chairName: String(body.chairName ?? '').trim() || 'Chủ tịch Hội đồng',
        secretaryName: String(body.secretaryName ?? '').trim() || person.name,
        by: person.email,
      };
      const { session, posting } = await recordSession(councilDeps(c), input);
      await audit(c, { action: 'council.record', unit: issuer, target: `${directive.id}/${directive.year}/${session.id}`, summaryVi: `Ghi phiên họp bình xét ngày ${dateVi(session.heldOn)}: ${session.present}/${session.members} có mặt, ${posting?.outcomes.filter((o) => o.passed).length ?? 0} đạt` });
      return c.redirect(`${yearPath(directive.id)}?done=session`, 303);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      // The same form again: its session id kept, so a corrected submit still records one session.
      const posted = String(body.sessionId ?? '');
      return c.html(await sessionForm(c, directive, e, /^s-[a-z0-9-]{1,40}$/.test(posted) ? posted : undefined), 400);
    }
  });

  app.get('/emulation/:directiveId/minutes/:sessionId', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    await authorizeDirectiveRead(c, 'emulation.read', issuer);
    const sessionId = c.req.param('sessionId');
    if (!/^[a-z0-9-]{1,60}$/.test(sessionId)) throw new HTTPException(404, { message: 'Không có biên bản này' });
    return docxDownload(c, minutesKey(directive.id, directive.year, sessionId), `bien-ban-binh-xet-${directive.year}.docx`);
  });

  app.post('/emulation/:directiveId/decision', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    const { person } = authorize(c, 'decision.issue', issuer);
    const body = await c.req.parseBody({ all: true });
    const named = ([] as unknown[]).concat(body.award ?? []).map((v) => {
      const [unitId = '', titleId = ''] = String(v).split('|');
      return { unitId, titleId };
    });
    const issuedOn = String(body.issuedOn ?? '');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(issuedOn)) throw new InputError('Ngày ban hành chưa đúng (ngày/tháng/năm)');
    const number = String(body.number ?? '').trim();
    if (!number) throw new InputError('Thiếu số, ký hiệu của quyết định');
    const signerName = String(body.signerName ?? '').trim();
    if (!signerName) throw new InputError('Thiếu tên người ký quyết định');
    const decision = await issueDecision(councilDeps(c), {
      directive, postingId: String(body.postingId ?? ''), number, issuedOn, signerTitle: String(body.signerTitle ?? '').trim() || 'CHỦ TỊCH', signerName, named, by: person.email,
    });
    await audit(c, { action: 'decision.issue', unit: issuer, target: `${directive.id}/${directive.year}/${decision.id}`, summaryVi: `Ban hành Quyết định số ${decision.number}: ${decision.awards.length} đơn vị` });
    return c.redirect(`${yearPath(directive.id)}?done=decision`, 303);
  });

  app.get('/emulation/:directiveId/achievements/:unitId/:titleId', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    await authorizeDirectiveRead(c, 'emulation.read', issuer);
    const nomination = (await c.get('deps').emulation.nominationsOf(directive.id, directive.year)).find((n) => n.unitId === c.req.param('unitId') && n.titleId === c.req.param('titleId'));
    const key = nomination?.achievementReportKey;
    if (!key) throw new HTTPException(404, { message: 'Không có báo cáo thành tích này' });
    // The report is the unit's: read by those above or at it, and by the council and the office that review it.
    const { person } = sessionOf(c);
    const unit = (await c.get('deps').units.getUnits([nomination.unitId])).get(nomination.unitId);
    const mayRead = (unit && can(person, 'emulation.read', unit)) || can(person, 'council.record', issuer) || can(person, 'emulation.manage', issuer);
    if (!mayRead) throw new HTTPException(403, { message: 'Bạn không có quyền với đơn vị này' });
    const pdf = key.endsWith('.pdf');
    const obj = await c.get('deps').storage.get(key, { maxBytes: 20 * 1024 * 1024 });
    if (!obj.bytes) throw new HTTPException(404, { message: 'Không có báo cáo thành tích này' });
    return c.body(obj.bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': pdf ? 'application/pdf' : DOCX_CONTENT_TYPE,
      'content-disposition': `attachment; filename="bao-cao-thanh-tich-${nomination.unitId}.${pdf ? 'pdf' : 'docx'}"`,
    });
  });

  app.get('/emulation/:directiveId/decisions/:decisionId', async (c) => {
    const { directive, issuer } = await directiveOf(c);
    await authorizeDirectiveRead(c, 'emulation.read', issuer);
    const decision = (await c.get('deps').emulation.decisionsOf(directive.id, directive.year)).find((d) => d.id === c.req.param('decisionId'));
    if (!decision) throw new HTTPException(404, { message: 'Không có quyết định này' });
    return docxDownload(c, decision.documentKey, `quyet-dinh-khen-thuong-${directive.year}.docx`);
  });
}
