/**
 * The multi-year review (sơ kết, tổng kết) in the console: the directives of one movement chosen by year, the trends
 * per unit and indicator with charts, as a page and an XLSX; the issuing office sends it to its leaders. Registered
 * before the year pages: `/emulation/review` is not a directive.
 */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { can, unitsFor } from '../../../shared/domain/access.ts';
import type { Directive } from '../../../shared/domain/directive.ts';
import { vietnamDate } from '../../../shared/domain/calendar/index.ts';
import { reviewOf, sendReview } from '../../../shared/app/review.ts';
import { renderReviewPage } from '../../../shared/mail/review-email.ts';
import { reviewWorkbook } from '../../../shared/mail/review-xlsx.ts';
import { audit, authorize, authorizeDirectiveRead, ownUnits, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { csrfField, esc, page } from '../layout.ts';
import { doneFlash, emulationDeps } from './year-common.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_YEARS = 10;

/** The directives named by `d`, each authorized for reading the year (404 for one that does not exist). */
async function chosen(c: ConsoleContext, ids: readonly string[]): Promise<Directive[]> {
  if (ids.length > MAX_YEARS) throw new HTTPException(400, { message: `Sơ kết tối đa ${MAX_YEARS} năm` });
  const deps = c.get('deps');
  const directives = await Promise.all(ids.map((id) => deps.directives.getDirective(id)));
  const issuers = await deps.units.getUnits([...new Set(directives.flatMap((d) => (d ? [d.issuerId] : [])))]);
  for (const d of directives) {
    const issuer = d && issuers.get(d.issuerId);
    if (!d || !issuer) throw new HTTPException(404, { message: 'Không có chỉ thị này' });
    await authorizeDirectiveRead(c, 'emulation.read', issuer);
  }
  return directives as Directive[];
}

/** Directives the person may review: issued by a unit in their subtree or above them, last ten years. */
async function reviewable(c: ConsoleContext): Promise<Directive[]> {
  const deps = c.get('deps');
  const { person } = sessionOf(c);
  const year = Number(vietnamDate(deps.clock.now()).slice(0, 4));
  const years = Array.from({ length: MAX_YEARS }, (_, i) => year + 1 - i);
  const all = (await Promise.all(years.map((y) => deps.directives.directivesOfYear(y)))).flat().filter((d) => d.status === 'issued');
  const issuers = await deps.units.getUnits([...new Set(all.map((d) => d.issuerId))]);
  const mine = await ownUnits(c, 'emulation.read');
  return all.filter((d) => {
    const issuer = issuers.get(d.issuerId);
    return !!issuer && (can(person, 'emulation.read', issuer) || mine.some((u) => u.path.includes(issuer.id)));
  });
}

function chooser(list: readonly Directive[], picked: ReadonlySet<string>): string {
  const boxes = [...list]
    .sort((a, b) => a.year - b.year || a.id.localeCompare(b.id))
    .map((d) => `<label><input type="checkbox" name="d" value="${esc(d.id)}"${picked.has(d.id) ? ' checked' : ''}> ${d.year}: ${esc(d.kind)} số ${esc(d.number)} — ${esc(d.title)}</label><br>`)
    .join('');
  return `<form method="get" action="/emulation/review" class="card"><p>Chọn chỉ thị của từng năm (cùng một cơ quan ban hành):</p>${boxes}<button class="primary" type="submit">Xem sơ kết</button></form>`;
}

export function reviewRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/emulation/review', async (c) => {
    const session = sessionOf(c);
    if (!unitsFor(session.person, 'emulation.read').length) throw new HTTPException(403, { message: 'Bạn không có quyền xem sơ kết' });
    const ids = c.req.queries('d') ?? [];
    const picked = await chosen(c, ids);
    let body = `<h1>Sơ kết nhiều năm</h1>${chooser(await reviewable(c), new Set(ids))}`;
    if (picked.length) {
      const { review, directives } = await reviewOf(emulationDeps(c), ids);
      const last = directives.at(-1)!;
      const issuer = (await c.get('deps').units.getUnits([last.issuerId])).get(last.issuerId)!;
      const query = ids.map((id) => `d=${encodeURIComponent(id)}`).join('&');
      const send = can(session.person, 'emulation.manage', issuer)
        ? `<form method="post" action="/emulation/review/send?${esc(query)}">${csrfField(session)}<button class="secondary" type="submit">Gửi lãnh đạo ${esc(issuer.name)}</button></form>`
        : '';
      body += `<p><a class="button" href="/emulation/review.xlsx?${esc(query)}">Tải bảng tính (XLSX)</a></p>${send}<section id="review">${renderReviewPage(review)}</section>`;
    }
    return c.html(page(body, { title: 'Sơ kết nhiều năm', nonce: c.get('nonce'), session, ...doneFlash(c) }));
  });

  app.get('/emulation/review.xlsx', async (c) => {
    const ids = c.req.queries('d') ?? [];
    await chosen(c, ids);
    const { review, directives } = await reviewOf(emulationDeps(c), ids);
    const years = directives.map((d) => d.year);
    return c.body((await reviewWorkbook(review)) as Uint8Array<ArrayBuffer>, 200, { 'content-type': XLSX, 'content-disposition': `attachment; filename="so-ket-${years[0]}-${years.at(-1)}.xlsx"` });
  });

  app.post('/emulation/review/send', async (c) => {
    const ids = c.req.queries('d') ?? [];
    const directives = await chosen(c, ids);
    const last = [...directives].sort((a, b) => a.year - b.year).at(-1);
    const issuer = last && (await c.get('deps').units.getUnits([last.issuerId])).get(last.issuerId);
    if (!issuer) throw new HTTPException(400, { message: 'Chưa chọn chỉ thị để sơ kết' });
    authorize(c, 'emulation.manage', issuer);
    const { sentTo } = await sendReview({ ...emulationDeps(c), storage: c.get('deps').storage }, ids, new URL(c.req.url).origin);
    await audit(c, { action: 'emulation.manage', unit: issuer, target: ids.join(','), summaryVi: `Gửi sơ kết ${directives.map((d) => d.year).join(', ')} cho ${sentTo.length} lãnh đạo` });
    return c.redirect(`/emulation/review?${ids.map((id) => `d=${encodeURIComponent(id)}`).join('&')}&done=review-sent`, 303);
  });
}
