/**
 * The public posting (niêm yết công khai): those the council passed, for anyone to read and comment on without
 * signing in (Decree 98/2023 Art. 31 asks for opinions before some awards). The page shows the posting and nothing
 * else — names and titles, no person's data — and survives a flood: the body is capped, opinions are limited per
 * address and per posting, and spam is kept out of the office's list.
 */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { leaveOpinion } from '../../../shared/app/council.ts';
import { rulesOf } from '../../../shared/app/emulation-year.ts';
import { vietnamDate } from '../../../shared/domain/calendar/index.ts';
import { callerAddress, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { dateVi, esc, page } from '../layout.ts';

export const PUBLIC_PREFIX = '/cong-khai/';
/** 2,000 characters of Vietnamese, form-encoded (up to 9 bytes a letter), with room: the text's own limit is checkOpinion's. */
const MAX_OPINION_BODY = 32 * 1024;
const POSTING_ID = /^p-[a-f0-9]{24}$/;

async function postingPage(c: ConsoleContext, message?: { tone: 'ok' | 'error'; text: string }, status: 200 | 400 | 409 | 429 = 200) {
  const deps = c.get('deps');
  const id = c.req.param('postingId') ?? '';
  const posting = POSTING_ID.test(id) ? await deps.emulation.getPosting(id) : undefined;
  if (!posting) throw new HTTPException(404, { message: 'Không có danh sách niêm yết này' });
  const [directive, rules] = await Promise.all([deps.directives.getDirective(posting.directiveId), rulesOf(deps, { id: posting.directiveId, year: posting.year })]);
  const titleVi = (id: string) => rules.titles.find((t) => t.id === id)?.nameVi ?? id;
  const today = vietnamDate(deps.clock.now());
  const open = today >= posting.startsOn && today <= posting.endsOn;
  const rows = posting.outcomes
    .filter((o) => o.passed)
    .map((o, i) => `<tr><td class="num">${i + 1}</td><td>${esc(o.name)}</td><td>${esc(titleVi(o.titleId))}</td></tr>`)
    .join('');
  const form = open
    ? `<form method="post" class="stack card" action="${PUBLIC_PREFIX}${esc(posting.id)}/y-kien"><h2>Góp ý kiến</h2><label for="op-name">Họ và tên (không bắt buộc)</label><input type="text" id="op-name" name="name" maxlength="100"><label for="op-text">Ý kiến</label><textarea id="op-text" name="text" rows="5" maxlength="2000" required></textarea><button class="primary" type="submit">Gửi ý kiến</button></form>`
    : '<p class="flash warn">Thời gian niêm yết đã kết thúc; không nhận thêm ý kiến.</p>';
  const body = `<h1>Niêm yết công khai danh sách đề nghị khen thưởng năm ${posting.year}</h1>${directive ? `<p>${esc(directive.issuerName)} — theo ${esc(directive.kind)} số ${esc(directive.number)}</p>` : ''}<p>Thời gian niêm yết: từ ngày ${esc(dateVi(posting.startsOn))} đến hết ngày ${esc(dateVi(posting.endsOn))}.</p><div class="scroll"><table class="data" id="posted"><thead><tr><th class="num">STT</th><th>Đơn vị</th><th>Danh hiệu</th></tr></thead><tbody>${rows}</tbody></table></div>${form}`;
  return c.html(page(body, { title: 'Niêm yết công khai', nonce: c.get('nonce'), ...(message ? { flash: message } : {}) }), status);
}

export function publicRoutes(app: Hono<ConsoleEnv>): void {
  app.get(`${PUBLIC_PREFIX}:postingId`, (c) => postingPage(c));
  app.post(
    `${PUBLIC_PREFIX}:postingId/y-kien`,
    bodyLimit({ maxSize: MAX_OPINION_BODY, onError: (c) => c.text('Ý kiến quá dài', 413) }),
    async (c) => {
      const id = c.req.param('postingId');
      if (!POSTING_ID.test(id)) throw new HTTPException(404, { message: 'Không có danh sách niêm yết này' });
      const body = await c.req.parseBody();
      const deps = c.get('deps');
      const result = await leaveOpinion({ emulation: deps.emulation, rates: deps.rates, clock: deps.clock }, { postingId: id, address: callerAddress(c), name: body.name, text: body.text });
      if (!result.ok && result.status === 404) throw new HTTPException(404, { message: result.messageVi });
      return result.ok ? postingPage(c, { tone: 'ok', text: 'Cảm ơn bạn; ý kiến đã được gửi đến cơ quan thi đua.' }) : postingPage(c, { tone: 'error', text: result.messageVi }, result.status as 400 | 409 | 429);
    },
  );
}
