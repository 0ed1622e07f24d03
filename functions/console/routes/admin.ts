/**
 * Administrators keep the units and the people of their subtree: each imported from a CSV file (the same files the
 * CLI takes), every problem listed at once, nothing written unless the whole file is right.
 */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { can, ROLE_VI, unitsFor } from '../../../shared/domain/access.ts';
import { InputError } from '../../../shared/domain/errors.ts';
import { LEVEL_NAME_VI, type Unit } from '../../../shared/domain/units.ts';
import { importPeopleCsv } from '../../../shared/app/people.ts';
import { importUnitsCsv } from '../../../shared/app/units.ts';
import { PEOPLE_CSV_HEADER } from '../../../shared/domain/people-csv.ts';
import { audit, authorize, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { csrfField, esc, page } from '../layout.ts';

const MAX_CSV_BYTES = 2 * 1024 * 1024;

async function csvOf(c: ConsoleContext): Promise<string> {
  const file = (await c.req.parseBody()).file;
  if (!(file instanceof File) || file.size === 0) throw new InputError('Chưa chọn tệp', ['Chọn tệp CSV rồi bấm Nhập.']);
  if (file.size > MAX_CSV_BYTES) throw new InputError(`Tệp quá lớn (${(file.size / 1048576).toFixed(1)} MB)`, ['Giới hạn là 2 MB cho một lần nhập.']);
  return new TextDecoder('utf-8').decode(await file.arrayBuffer());
}

/** The admin's own units (the roots of what they may change). */
async function adminUnits(c: ConsoleContext): Promise<Unit[]> {
  const session = sessionOf(c);
  const ids = unitsFor(session.person, 'people.manage');
  if (!ids.length) throw new HTTPException(403, { message: 'Bạn không có quyền quản trị' });
  return [...(await c.get('deps').units.getUnits(ids)).values()];
}

function adminPage(c: ConsoleContext, units: Unit[], people: { email: string; name: string; role: string; unit: Unit }[], flash?: { tone: 'ok' | 'error'; text: string; details?: string[] }) {
  const session = sessionOf(c);
  const rows = people.map((p) => `<tr><td>${esc(p.name)}</td><td>${esc(p.email)}</td><td>${esc(ROLE_VI[p.role as keyof typeof ROLE_VI] ?? p.role)}</td><td>${esc(p.unit.name)}</td></tr>`).join('');
  const details = flash?.details?.length ? `<ul class="error">${flash.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : '';
  const body = `<h1>Quản trị</h1>
<p class="muted">Phạm vi: ${units.map((u) => `${esc(u.name)} (${esc(LEVEL_NAME_VI[u.level])})`).join(', ')}</p>
${details}
<div class="grid">
<div class="card"><h2>Nhập đơn vị</h2><form method="post" action="/admin/units" enctype="multipart/form-data" class="stack">${csrfField(session)}
<label for="units-file">Tệp CSV đơn vị (id,name,level,parent_id,emails,leader_emails)</label><input type="file" id="units-file" name="file" accept=".csv,text/csv" required>
<button type="submit" class="primary">Nhập đơn vị</button></form></div>
<div class="card"><h2>Nhập người dùng</h2><form method="post" action="/admin/people" enctype="multipart/form-data" class="stack">${csrfField(session)}
<label for="people-file">Tệp CSV người dùng (${PEOPLE_CSV_HEADER}; vai trò: văn phòng, cán bộ, duyệt, lãnh đạo, quản trị)</label><input type="file" id="people-file" name="file" accept=".csv,text/csv" required>
<button type="submit" class="primary">Nhập người dùng</button></form></div>
</div>
<h2>Người dùng tại các đơn vị quản trị</h2>
<div class="scroll"><table class="data"><thead><tr><th>Họ tên</th><th>Thư điện tử</th><th>Vai trò</th><th>Đơn vị</th></tr></thead><tbody>${rows || '<tr><td colspan="4">Chưa có ai.</td></tr>'}</tbody></table></div>`;
  return page(body, { title: 'Quản trị', nonce: c.get('nonce'), session, ...(flash ? { flash: { tone: flash.tone, text: flash.text } } : {}) });
}

async function peopleAt(c: ConsoleContext, units: Unit[]) {
  const deps = c.get('deps');
  const lists = await Promise.all(units.map(async (u) => (await deps.people.peopleOfUnit(u.id)).map((p) => ({ ...p, unit: u }))));
  return lists.flat();
}

export function adminRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/admin', async (c) => {
    const units = await adminUnits(c);
    return c.html(adminPage(c, units, await peopleAt(c, units)));
  });

  app.post('/admin/people', async (c) => {
    const units = await adminUnits(c);
    const session = sessionOf(c);
    const deps = c.get('deps');
    try {
      const text = await csvOf(c);
      const within = (path: readonly string[]) => can(session.person, 'people.manage', { id: path[path.length - 1] ?? '', path });
      const result = await importPeopleCsv(text, within, deps);
      for (const u of units) await audit(c, { action: 'people.manage', unit: u, target: 'people.csv', summaryVi: `Nhập ${result.people} người dùng (${result.grants} vai trò, ${result.invited} tài khoản mới)` });
      return c.html(adminPage(c, units, await peopleAt(c, units), { tone: 'ok', text: `Đã nhập ${result.people} người dùng với ${result.grants} vai trò; ${result.invited} tài khoản mới được mời qua thư điện tử.` }));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return c.html(adminPage(c, units, await peopleAt(c, units), { tone: 'error', text: e.messageVi, details: e.details }), 400);
    }
  });

  app.post('/admin/units', async (c) => {
    const units = await adminUnits(c);
    const session = sessionOf(c);
    const deps = c.get('deps');
    try {
      const text = await csvOf(c);
      const result = await importUnitsCsv(text, {
        units: deps.units,
        // Every unit written must lie in the admin's subtree.
        allow: (unit) => can(session.person, 'units.manage', unit),
      });
      const root = units[0]!;
      authorize(c, 'units.manage', root);
      await audit(c, { action: 'units.manage', unit: root, target: 'units.csv', summaryVi: `Nhập ${result.imported} đơn vị` });
      return c.html(adminPage(c, units, await peopleAt(c, units), { tone: 'ok', text: `Đã nhập ${result.imported} đơn vị.` }));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return c.html(adminPage(c, units, await peopleAt(c, units), { tone: 'error', text: e.messageVi, details: e.details }), 400);
    }
  });
}
