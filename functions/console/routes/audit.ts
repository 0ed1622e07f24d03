/** The audit trail of a subtree, month by month: who changed what, when, for which unit, with the request id. */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { unitsFor } from '../../../shared/domain/access.ts';
import { authorize, sessionOf, type ConsoleEnv } from '../context.ts';
import { esc, page, timeVi } from '../layout.ts';

export function auditRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/audit', async (c) => {
    const session = sessionOf(c);
    const deps = c.get('deps');
    const roots = unitsFor(session.person, 'audit.read');
    if (!roots.length) throw new HTTPException(403, { message: 'Bạn không có quyền xem nhật ký' });
    const unitId = c.req.query('unit') ?? roots[0]!;
    const unit = (await deps.units.getUnits([unitId])).get(unitId);
    if (!unit) throw new HTTPException(404, { message: 'Không có đơn vị này' });
    authorize(c, 'audit.read', unit);
    const month = /^\d{4}-\d{2}$/.test(c.req.query('month') ?? '') ? c.req.query('month')! : deps.clock.now().toISOString().slice(0, 7);
    const entries = await deps.audit.entriesUnder(unit, month);
    const rows = entries
      .map((e) => `<tr><td>${esc(timeVi(e.at))}</td><td>${esc(e.actor)}</td><td>${esc(e.summaryVi)}</td><td>${esc(e.unitId)}</td><td><code>${esc(e.target)}</code></td><td class="muted">${esc(e.requestId)}</td></tr>`)
      .join('');
    const body = `<h1>Nhật ký thay đổi – ${esc(unit.name)}</h1>
<form method="get" action="/audit" class="card"><input type="hidden" name="unit" value="${esc(unit.id)}"><label for="month">Tháng</label> <input type="month" id="month" name="month" value="${esc(month)}"> <button type="submit" class="secondary">Xem</button></form>
<div class="scroll"><table class="data"><thead><tr><th>Lúc</th><th>Người thực hiện</th><th>Nội dung</th><th>Đơn vị</th><th>Đối tượng</th><th>Mã yêu cầu</th></tr></thead><tbody>${rows || '<tr><td colspan="6">Không có thay đổi nào trong tháng này.</td></tr>'}</tbody></table></div>`;
    return c.html(page(body, { title: 'Nhật ký', nonce: c.get('nonce'), session }));
  });
}
