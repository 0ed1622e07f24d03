/** The home page: who you are here, the units you act for, and where to go. Other groups add their own sections. */
import type { Hono } from 'hono';
import { ROLE_VI } from '../../../shared/domain/access.ts';
import { LEVEL_NAME_VI } from '../../../shared/domain/units.ts';
import type { ConsoleContext, ConsoleEnv } from '../context.ts';
import { sessionOf } from '../context.ts';
import { esc, page } from '../layout.ts';

/** A section of the home page a route group contributes (what needs the person now). Empty string: nothing. */
export type HomeSection = (c: ConsoleContext) => Promise<string>;

export function homeRoutes(app: Hono<ConsoleEnv>, sections: readonly HomeSection[]): void {
  app.get('/', async (c) => {
    const session = sessionOf(c);
    const deps = c.get('deps');
    const units = await deps.units.getUnits([...new Set(session.person.grants.map((g) => g.unitId))]);
    const grants = session.person.grants
      .map((g) => {
        const u = units.get(g.unitId);
        return `<li>${esc(ROLE_VI[g.role])} – ${u ? `${esc(u.name)} <span class="muted">(${esc(LEVEL_NAME_VI[u.level])}, mã ${esc(u.id)})</span>` : esc(g.unitId)}</li>`;
      })
      .join('');
    const extra = (await Promise.all(sections.map((s) => s(c)))).join('');
    const body = `<h1>Xin chào, ${esc(session.person.name)}</h1>
<div class="card"><h2>Vai trò của bạn</h2><ul>${grants}</ul></div>${extra}`;
    return c.html(page(body, { title: 'Trang chủ', nonce: c.get('nonce'), session }));
  });
}
