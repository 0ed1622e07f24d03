/**
 * A unit registers from the link its reminder carries, without signing in (the issue's "from an emailed link"): the
 * link names one unit of one directive's year and expires with the year. The page offers what the console's form
 * offers — the titles of the unit's level and its cluster's pledge — and goes through the same use case.
 */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { InputError } from '../../../shared/domain/errors.ts';
import { REGISTRATION_STATE_VI } from '../../../shared/domain/emulation/types.ts';
import { verifyRegistrationGrant, type RegistrationGrant } from '../../../shared/domain/emulation/registration-link.ts';
import { register, rulesOf } from '../../../shared/app/emulation-year.ts';
import type { ConsoleContext, ConsoleEnv } from '../context.ts';
import { esc, page } from '../layout.ts';
import { emulationDeps } from './year-common.ts';

export const REGISTRATION_LINK_PREFIX = '/dang-ky/';

const REFUSED_VI = {
  expired: 'Đường dẫn đăng ký đã hết hạn (năm thi đua đã kết thúc).',
  'bad-signature': 'Đường dẫn đăng ký không đúng; hãy mở lại đường dẫn trong thư nhắc.',
  malformed: 'Đường dẫn đăng ký không đúng; hãy mở lại đường dẫn trong thư nhắc.',
} as const;

function grantOf(c: ConsoleContext): RegistrationGrant {
  const deps = c.get('deps');
  const v = verifyRegistrationGrant(c.req.param('token') ?? '', deps.uploadSecret, deps.clock.now());
  if (!v.ok) throw new HTTPException(v.reason === 'expired' ? 410 : 400, { message: REFUSED_VI[v.reason] });
  return v.grant;
}

async function formPage(c: ConsoleContext, grant: RegistrationGrant, message?: { tone: 'ok' | 'error'; text: string; details?: string[] }, status: 200 | 400 = 200) {
  const deps = c.get('deps');
  const [directive, units] = await Promise.all([deps.directives.getDirective(grant.directiveId), deps.units.getUnits([grant.unitId])]);
  const unit = units.get(grant.unitId);
  if (!directive || !unit || directive.year !== grant.year) throw new HTTPException(404, { message: 'Không có năm thi đua này' });
  const [rules, current] = await Promise.all([rulesOf(deps, directive), deps.emulation.getRegistration(directive.id, directive.year, unit.id)]);
  const boxes = rules.titles
    .filter((t) => t.level === unit.level)
    .map((t) => `<label><input type="checkbox" name="title" value="${esc(t.id)}"${current?.titleIds.includes(t.id) ? ' checked' : ''}> ${esc(t.nameVi)}</label><br>`)
    .join('');
  const state = current ? REGISTRATION_STATE_VI[current.state] : REGISTRATION_STATE_VI['not-sent'];
  const open = !current || current.state === 'not-sent' || current.state === 'returned';
  const details = message?.details?.length ? `<ul>${message.details.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : '';
  const body = `<h1>Đăng ký thi đua năm ${directive.year}</h1><p>${esc(unit.name)} — theo ${esc(directive.kind)} số ${esc(directive.number)}: ${esc(directive.title)}</p><p>Trạng thái: <b>${esc(state)}</b>${current?.reasonVi ? ` — lý do trả lại: ${esc(current.reasonVi)}` : ''}</p>${details}${
    open
      ? `<form method="post" class="stack card"><fieldset><legend>Danh hiệu đăng ký</legend>${boxes}</fieldset><label><input type="checkbox" name="pledge" value="yes"> Đơn vị ký giao ước thi đua của cụm</label><button class="primary" type="submit">Gửi đăng ký</button></form>`
      : ''
  }`;
  return c.html(page(body, { title: 'Đăng ký thi đua', nonce: c.get('nonce'), ...(message ? { flash: { tone: message.tone, text: message.text } } : {}) }), status);
}

export function registrationLinkRoutes(app: Hono<ConsoleEnv>): void {
  app.get(`${REGISTRATION_LINK_PREFIX}:token`, async (c) => formPage(c, grantOf(c)));
  app.post(`${REGISTRATION_LINK_PREFIX}:token`, bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('Yêu cầu quá lớn', 413) }), async (c) => {
    const grant = grantOf(c);
    const directive = await c.get('deps').directives.getDirective(grant.directiveId);
    if (!directive || directive.year !== grant.year) throw new HTTPException(404, { message: 'Không có năm thi đua này' });
    const body = await c.req.parseBody({ all: true });
    try {
      const r = await register(emulationDeps(c), { directive, unitId: grant.unitId, titleIds: ([] as unknown[]).concat(body.title ?? []).map(String), pledgeSigned: body.pledge === 'yes', by: `link:${grant.unitId}` });
      return formPage(c, grant, { tone: 'ok', text: `Đã gửi đăng ký thi đua${r.late ? ' (sau hạn đăng ký)' : ''}; chờ cấp trên duyệt.` });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return formPage(c, grant, { tone: 'error', text: e.messageVi, details: e.details }, 400);
    }
  });
}
