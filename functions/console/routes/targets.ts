/**
 * A commune's officer gives each village its targets (seed 002 §2): a form, or the same as a workbook downloaded,
 * filled and uploaded back. Either way the split is checked against the commune's targets by each indicator's own
 * roll-up and stored only when it reaches them; otherwise the page says, indicator by indicator, what falls short.
 */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { unitsFor } from '../../../shared/domain/access.ts';
import type { Indicator, TargetValue } from '../../../shared/domain/directive.ts';
import { InputError } from '../../../shared/domain/errors.ts';
import type { RawSplit } from '../../../shared/domain/targets-split.ts';
import { formatNumberVi } from '../../../shared/domain/report/values.ts';
import { readSplitWithinBudget } from '../../../shared/runtime/parse-budget.ts';
import { openSplit, readSplitUpload, saveSplit, splitsOfCommune, splitWorkbook, type SplitContext } from '../../../shared/app/village-targets.ts';
import { XLSX_CONTENT_TYPE } from '../../../shared/app/uploads.ts';
import { dataHeaders } from '../../../shared/web/html.ts';
import { audit, authorize, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { csrfField, esc, page, timeVi } from '../layout.ts';

const MAX_SPLIT_UPLOAD_BYTES = 1024 * 1024;
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const splitPath = (directiveId: string, communeId: string) => `/targets/${encodeURIComponent(directiveId)}/${encodeURIComponent(communeId)}`;
const fieldName = (villageId: string, indicatorId: string) => `v:${villageId}:${indicatorId}`;
const shown = (v: TargetValue | string | number | boolean | null | undefined) => (typeof v === 'boolean' ? (v ? 'Có' : 'Không') : typeof v === 'number' ? formatNumberVi(v) : (v ?? ''));

/** The commune named by the path, authorized on the commune itself (as stored), and its split of the directive. */
async function splitOf(c: ConsoleContext): Promise<SplitContext> {
  const deps = c.get('deps');
  const communeId = c.req.param('communeId') ?? '';
  const commune = (await deps.units.getUnits([communeId])).get(communeId);
  if (!commune) throw new HTTPException(404, { message: 'Không có đơn vị này' });
  authorize(c, 'targets.split', commune);
  return openSplit(c.req.param('directiveId') ?? '', commune, deps);
}

function villageInput(ind: Indicator, village: { id: string; name: string }, value: string): string {
  const id = `v-${village.id}-${ind.id}`;
  const name = fieldName(village.id, ind.id);
  if (ind.kind === 'yes-no') {
    const opt = (v: string) => `<option value="${v}"${value === v ? ' selected' : ''}>${v || '– chọn –'}</option>`;
    return `<label for="${esc(id)}">${esc(village.name)}</label><select id="${esc(id)}" name="${esc(name)}">${['', 'Có', 'Không'].map(opt).join('')}</select>`;
  }
  return `<label for="${esc(id)}">${esc(village.name)} (${esc(ind.measure)})</label><input type="text" inputmode="decimal" id="${esc(id)}" name="${esc(name)}" value="${esc(value)}">`;
}

/** The form: one group per indicator, the commune's figure and how villages add up, one field per village. */
function splitForm(c: ConsoleContext, ctx: SplitContext, entered: RawSplit, problems: readonly string[], flash?: { tone: 'ok' | 'error'; text: string }): string {
  const session = sessionOf(c);
  const { directive, commune, villages } = ctx;
  const path = splitPath(directive.id, commune.id);
  const groups = directive.indicators
    .map((ind) => {
      const fields = villages.map((v) => villageInput(ind, v, shown(entered[v.id]?.[ind.id]))).join('');
      return `<fieldset class="card"><legend><b>${esc(ind.name)}</b> (${esc(ind.measure)})</legend><p class="muted">Chỉ tiêu của xã: <b>${esc(shown(ctx.communeTargets[ind.id] ?? ind.target))}</b> · ${esc(ROLL_UP_VI[ind.aggregation])}</p>${fields}</fieldset>`;
    })
    .join('');
  const list = problems.length ? `<ul class="error" role="alert" id="problems">${problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : '';
  const outdated = ctx.outdated?.length
    ? `<div class="flash warn" role="alert"><p>Chỉ thị đã được điều chỉnh sau lần giao gần nhất; chỉ tiêu đã giao cho các thôn không còn khớp chỉ tiêu của xã, cần giao lại:</p><ul>${ctx.outdated.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></div>`
    : '';
  const saved = ctx.saved ? `<p class="muted">Lần giao gần nhất: ${esc(timeVi(ctx.saved.updatedAt))}, bởi ${esc(ctx.saved.updatedBy)}.</p>${outdated}` : '<p class="muted">Chưa giao chỉ tiêu cho các thôn.</p>';
  const body = `<nav class="crumbs"><a href="/targets">Chỉ tiêu các thôn</a></nav>
<h1>Giao chỉ tiêu cho các thôn – ${esc(commune.name)}</h1>
<p>${esc(upperFirst(directive.kind))} số ${esc(directive.number)} – ${esc(directive.title)}</p>${saved}${list}
${villages.length ? '' : '<p class="flash warn">Xã chưa có thôn, khu phố nào trong danh sách đơn vị.</p>'}
<form method="post" action="${esc(path)}" class="stack">${csrfField(session)}${groups}<button type="submit" class="primary">Lưu chỉ tiêu các thôn</button></form>
<div class="card"><h2>Hoặc dùng tệp Excel</h2><p><a href="${esc(path)}/xlsx">Tải tệp chỉ tiêu các thôn (.xlsx)</a>, điền chỉ tiêu từng thôn rồi tải lên.</p>
<form method="post" action="${esc(path)}/xlsx" enctype="multipart/form-data" class="stack">${csrfField(session)}<label for="split-file">Tệp chỉ tiêu các thôn (.xlsx)</label><input type="file" id="split-file" name="file" accept=".xlsx" required><button type="submit" class="secondary">Tải lên và lưu</button></form></div>`;
  return page(body, { title: 'Chỉ tiêu các thôn', nonce: c.get('nonce'), session, ...(flash ? { flash } : {}) });
}

const ROLL_UP_VI: Record<Indicator['aggregation'], string> = {
  sum: 'tổng các thôn phải đạt chỉ tiêu của xã',
  mean: 'trung bình các thôn phải đạt chỉ tiêu của xã',
  'weighted-mean': 'trung bình có trọng số các thôn phải đạt chỉ tiêu của xã',
  min: 'thôn thấp nhất phải đạt chỉ tiêu của xã',
  max: 'thôn cao nhất phải đạt chỉ tiêu của xã',
  all: 'mọi thôn phải đạt',
  any: 'ít nhất một thôn phải đạt',
};

/** The form's fields `v:<village>:<indicator>` as a split; other fields are ignored. */
async function enteredSplit(c: ConsoleContext, ctx: SplitContext): Promise<RawSplit> {
  const body = await c.req.parseBody();
  const raw: RawSplit = Object.fromEntries(ctx.villages.map((v) => [v.id, {}]));
  for (const v of ctx.villages) {
    for (const ind of ctx.directive.indicators) {
      const value = body[fieldName(v.id, ind.id)];
      raw[v.id]![ind.id] = typeof value === 'string' ? value : null;
    }
  }
  return raw;
}

async function uploadedSplit(c: ConsoleContext, ctx: SplitContext): Promise<RawSplit> {
  const file = (await c.req.parseBody()).file;
  if (!(file instanceof File) || file.size === 0) throw new InputError('Chưa chọn tệp', ['Chọn tệp chỉ tiêu các thôn (.xlsx) rồi bấm Tải lên.']);
  if (file.size > MAX_SPLIT_UPLOAD_BYTES) throw new InputError('Tệp quá lớn', ['Tệp chỉ tiêu của các thôn không quá 1 MB.']);
  return readSplitUpload(ctx, new Uint8Array(await file.arrayBuffer()), readSplitWithinBudget);
}

/** Stores the split and audits it, or shows the form again with what was entered and every problem (400). */
async function save(c: ConsoleContext, ctx: SplitContext, read: () => Promise<RawSplit>): Promise<Response> {
  const session = sessionOf(c);
  const deps = c.get('deps');
  let raw: RawSplit = ctx.saved?.targets ?? {};
  try {
    raw = await read();
    const split = await saveSplit(ctx, raw, session.person.email, deps);
    await audit(c, { action: 'targets.split', unit: ctx.commune, target: `${ctx.directive.id}/village-targets`, summaryVi: `Giao chỉ tiêu ${ctx.directive.kind} số ${ctx.directive.number} cho ${ctx.villages.length} thôn của ${ctx.commune.name}` });
    return c.html(splitForm(c, { ...ctx, saved: split }, split.targets, [], { tone: 'ok', text: `Đã lưu chỉ tiêu của ${ctx.villages.length} thôn. Mẫu báo cáo và kết quả của các thôn dùng chỉ tiêu này.` }));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return c.html(splitForm(c, ctx, raw, e.details, { tone: 'error', text: e.messageVi }), 400);
  }
}

async function splitsPage(c: ConsoleContext): Promise<string> {
  const session = sessionOf(c);
  const deps = c.get('deps');
  const ids = unitsFor(session.person, 'targets.split');
  if (!ids.length) throw new HTTPException(403, { message: 'Bạn không có quyền giao chỉ tiêu cho các thôn' });
  const communes = [...(await deps.units.getUnits(ids)).values()].filter((u) => u.level === 'commune');
  const sections = await Promise.all(
    communes.map(async (commune) => {
      const splits = await splitsOfCommune(commune, deps);
      const items = splits
        .map((s) => `<li><a href="${esc(splitPath(s.directive.id, commune.id))}">${esc(upperFirst(s.directive.kind))} số ${esc(s.directive.number)}</a> – ${!s.saved ? '<span class="badge warn">Chưa giao</span>' : s.saved.directiveVersion !== s.directive.version ? `<span class="badge warn">Chỉ thị đã điều chỉnh sau lần giao ${esc(timeVi(s.saved.updatedAt))}: kiểm tra lại</span>` : `<span class="badge ok">Đã giao ${esc(timeVi(s.saved.updatedAt))}</span>`}</li>`)
        .join('');
      return `<div class="card"><h2>${esc(commune.name)}</h2>${items ? `<ul>${items}</ul>` : '<p>Xã chưa được giao chỉ tiêu nào.</p>'}</div>`;
    }),
  );
  const body = `<h1>Chỉ tiêu các thôn</h1><p class="muted">Ủy ban nhân dân xã giao chỉ tiêu cho từng thôn, khu phố; chỉ tiêu các thôn cộng lại phải đạt chỉ tiêu của xã.</p>${sections.join('') || '<p class="card">Bạn không phụ trách xã nào.</p>'}`;
  return page(body, { title: 'Chỉ tiêu các thôn', nonce: c.get('nonce'), session });
}

export function targetRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/targets', async (c) => c.html(await splitsPage(c)));

  app.get('/targets/:directiveId/:communeId', async (c) => {
    const ctx = await splitOf(c);
    return c.html(splitForm(c, ctx, ctx.saved?.targets ?? {}, []));
  });

  app.post('/targets/:directiveId/:communeId', async (c) => {
    const ctx = await splitOf(c);
    return save(c, ctx, () => enteredSplit(c, ctx));
  });

  app.get('/targets/:directiveId/:communeId/xlsx', async (c) => {
    const ctx = await splitOf(c);
    const bytes = await splitWorkbook(ctx);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { ...dataHeaders(XLSX_CONTENT_TYPE), 'content-disposition': `attachment; filename="chi-tieu-thon-${ctx.commune.id}.xlsx"` });
  });

  app.post('/targets/:directiveId/:communeId/xlsx', async (c) => {
    const ctx = await splitOf(c);
    return save(c, ctx, () => uploadedSplit(c, ctx));
  });
}
