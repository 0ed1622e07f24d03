/**
 * The issuing office: its directives and drafts, what needs it now, a directive document uploaded in the browser and
 * read into a draft, the form that completes it (per-unit targets also as a workbook round trip), confirming it, and
 * amending, withdrawing or extending an issued directive, each with a reason and audited. Leaders and approvers
 * read the directives of their subtree. Every route authorizes on the resource's own unit: a directive's issuer, a
 * draft's uploading unit.
 */
import type { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { can, reaches, unitsFor } from '../../../shared/domain/access.ts';
import { InputError } from '../../../shared/domain/errors.ts';
import { Aggregation, CADENCE_VI, Cadence, Direction, IndicatorKind, type Directive } from '../../../shared/domain/directive.ts';
import { BLANK_INDICATOR_ROWS, formStateOf, missingVi, readDirectiveForm, shownTarget, type DirectiveFormState, type FormFields } from '../../../shared/domain/directive-form.ts';
import { periodById, vietnamDate } from '../../../shared/domain/calendar/index.ts';
import type { DirectiveDraft } from '../../../shared/domain/document/index.ts';
import { LEVEL_NAME_VI, UnitLevel, type Unit } from '../../../shared/domain/units.ts';
import { applyEdits, getDraft } from '../../../shared/app/documents.ts';
import {
  amendFromForm,
  confirmDraftForm,
  directivesVisible,
  documentUploader,
  documentUploadState,
  extendWithReason,
  importTargetsWorkbook,
  issueFromForm,
  MAX_GRID_UNITS,
  openDrafts,
  overdueUnits,
  presignDocumentUpload,
  storeDocumentUpload,
  targetsWorkbookFor,
  unitsInScope,
  withdrawWithReason,
} from '../../../shared/app/office.ts';
import { directiveStatus } from '../../../shared/app/status.ts';
import { describeDraft } from '../../../shared/mail/document-email.ts';
import { readTargetsWithinBudget } from '../../../shared/runtime/parse-budget.ts';
import { audit, authorize, authorizeDirectiveRead, ownUnits, sessionOf, type ConsoleContext, type ConsoleEnv } from '../context.ts';
import { csrfField, dateVi, esc, page } from '../layout.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_TARGETS_FILE_BYTES = 5 * 1024 * 1024;

const KIND_VI: Record<string, string> = { number: 'Số', percent: 'Tỷ lệ (%)', count: 'Số lượng', 'yes-no': 'Có/Không' };
const DIRECTION_VI: Record<string, string> = { increase: 'Tăng', decrease: 'Giảm', reach: 'Đạt mức' };
const AGGREGATION_VI: Record<string, string> = { sum: 'Cộng', mean: 'Trung bình', 'weighted-mean': 'Trung bình có trọng số', min: 'Nhỏ nhất', max: 'Lớn nhất', all: 'Tất cả đạt', any: 'Ít nhất một đạt' };
const WEIGHT_VI: Record<string, string> = { households: 'theo số hộ', population: 'theo dân số' };

/** The form's own look: fields still missing stand out, wide tables scroll on a phone. */
const FORM_STYLE = `.missing input,.missing select,input.missing,select.missing{border:2px solid #b7791f;background:#fffbea}
.need{display:inline-block;margin-left:6px;font-size:13px;color:#8a5a00;font-weight:700}
fieldset{border:1px solid #d9e2ec;border-radius:6px;margin:12px 0;padding:8px 12px;background:#fff}
legend{font-weight:700}
table.form input,table.form select{width:100%;min-width:90px;padding:6px;border:1px solid #9aa5b1;border-radius:4px}
.checks label{display:inline-block;font-weight:400;margin-right:16px}
textarea{min-height:70px}`;

// ---------------------------------------------------------------------------------------------------------------
// Loading resources and their units

async function unitOf(c: ConsoleContext, id: string): Promise<Unit> {
  const unit = (await c.get('deps').units.getUnits([id])).get(id);
  if (!unit) throw new HTTPException(404, { message: `Không tìm thấy đơn vị "${id}"` });
  return unit;
}

async function directiveOf(c: ConsoleContext, id: string): Promise<Directive> {
  const directive = await c.get('deps').directives.getDirective(id);
  if (!directive) throw new HTTPException(404, { message: `Không tìm thấy chỉ thị "${id}"` });
  return directive;
}

/** The draft and its uploading unit, after checking the person may act for that unit. */
async function draftFor(c: ConsoleContext, draftId: string): Promise<{ draft: DirectiveDraft; uploader: Unit }> {
  const draft = await getDraft(draftId, c.get('deps').drafts).catch(() => {
    throw new HTTPException(404, { message: `Không tìm thấy bản nháp "${draftId}"` });
  });
  const uploader = await unitOf(c, draft.uploaderId);
  authorize(c, 'directive.write', uploader);
  return { draft, uploader };
}

/** The units the person issues for (office role), for the upload form and the empty form. */
async function officeUnits(c: ConsoleContext): Promise<Unit[]> {
  const ids = unitsFor(sessionOf(c).person, 'directive.write');
  return ids.length ? [...(await c.get('deps').units.getUnits(ids)).values()] : [];
}

const directiveDeps = (c: ConsoleContext) => {
  const d = c.get('deps');
  return { directives: d.directives, units: d.units, events: d.events, clock: d.clock, drafts: d.drafts };
};

const nameOf = (d: Pick<Directive, 'kind' | 'number'>) => `${d.kind.charAt(0).toUpperCase()}${d.kind.slice(1)} số ${d.number}`;

// ---------------------------------------------------------------------------------------------------------------
// The directive form (draft, empty form, amendment)

/** Where a form posts and what it is about. */
interface FormSubject {
  /** `${base}/targets` and `${base}/targets.xlsx` take the workbook round trip. */
  base: string;
  submitPath: string;
  submitLabel: string;
  title: string;
  issuer: Unit;
  /** Shown above the form (what the document said, for a draft). */
  intro?: string;
  withReason?: boolean;
  /** The id is the directive's own (an amendment keeps it). */
  fixedId?: boolean;
  /** An amendment: the version the form was opened on (a save over a newer one is refused, never lost). */
  baseVersion?: number;
  /** The empty form: the person chooses which of their units issues it. */
  issuers?: Unit[];
}

const opt = (value: string, label: string, selected: boolean) => `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(label)}</option>`;
const need = (missing: ReadonlySet<string>, key: string) => (missing.has(key) ? '<span class="need">Cần bổ sung</span>' : '');
const cls = (missing: ReadonlySet<string>, key: string) => (missing.has(key) ? ' class="missing"' : '');

function textField(name: string, label: string, value: string | number | null, missing: ReadonlySet<string>, extra = ''): string {
  return `<div${cls(missing, name)}><label for="f-${name}">${esc(label)}${need(missing, name)}</label><input type="text" id="f-${name}" name="${name}" value="${esc(value === null ? '' : String(value))}"${extra}></div>`;
}

function indicatorRows(state: DirectiveFormState, missing: ReadonlySet<string>): { html: string; rows: number } {
  const rows = [...state.indicators, ...Array.from({ length: BLANK_INDICATOR_ROWS }, () => null)];
  const html = rows
    .map((ind, i) => {
      const key = (f: string) => `indicators.${ind?.id ?? ''}.${f}`;
      const n = (f: string) => `ind.${i}.${f}`;
      const label = (what: string) => `${what} – ${ind?.name ?? `chỉ tiêu mới ${i - state.indicators.length + 1}`}`;
      const select = (f: string, options: readonly string[], names: Record<string, string>, value: string | null | undefined, blank = true) =>
        `<select name="${n(f)}" aria-label="${esc(label(f === 'kind' ? 'Loại' : f === 'direction' ? 'Chiều phấn đấu' : f === 'aggregation' ? 'Cách tổng hợp' : 'Trọng số'))}"${ind && missing.has(key(f)) ? ' class="missing"' : ''}>${blank ? opt('', '—', !value) : ''}${options.map((o) => opt(o, names[o] ?? o, value === o)).join('')}</select>`;
      const input = (f: string, what: string, value: string) => `<input type="text" name="${n(f)}" value="${esc(value)}" aria-label="${esc(label(what))}"${ind && missing.has(key(f)) ? ' class="missing"' : ''}>`;
      return `<tr>
<td>${input('id', 'Mã chỉ tiêu', ind?.id ?? '')}${ind?.group ? `<input type="hidden" name="${n('group')}" value="${esc(ind.group)}">` : ''}</td>
<td>${input('name', 'Tên chỉ tiêu', ind?.name ?? '')}</td>
<td>${select('kind', IndicatorKind.options, KIND_VI, ind?.kind)}</td>
<td>${input('measure', 'Đơn vị tính', ind?.measure ?? '')}</td>
<td>${select('direction', Direction.options, DIRECTION_VI, ind?.direction)}</td>
<td>${select('aggregation', Aggregation.options, AGGREGATION_VI, ind?.aggregation)}</td>
<td>${select('weightBy', ['households', 'population'], WEIGHT_VI, ind?.weightBy)}</td>
<td>${input('target', 'Mục tiêu', shownTarget(ind?.target))}${ind && missing.has(key('target')) ? '<span class="need">Cần bổ sung</span>' : ''}</td>
<td>${ind ? `<input type="checkbox" name="${n('remove')}" value="1" aria-label="${esc(label('Bỏ chỉ tiêu'))}">` : ''}</td></tr>`;
    })
    .join('');
  return { html, rows: rows.length };
}

function unitTargetsGrid(state: DirectiveFormState, units: readonly Unit[] | undefined): string {
  if (!units) return `<p class="muted">Có hơn ${MAX_GRID_UNITS} đơn vị nhận chỉ tiêu: hãy giao mục tiêu riêng bằng tệp Excel.</p>`;
  if (!units.length || !state.indicators.length) return '<p class="muted">Chọn phạm vi giao chỉ tiêu và nhập chỉ tiêu; bảng mục tiêu riêng hiện sau khi lưu biểu mẫu hoặc nhập tệp Excel.</p>';
  const head = state.indicators.map((i) => `<th>${esc(i.name ?? i.id)}${i.target !== null ? `<br><span class="muted">chung: ${esc(shownTarget(i.target))}</span>` : ''}</th>`).join('');
  const body = units
    .map((u) => {
      const own = state.unitTargets[u.id] ?? {};
      const cells = state.indicators.map((i) => `<td><input type="text" name="ut.${esc(u.id)}.${esc(i.id)}" value="${esc(shownTarget(own[i.id]))}" aria-label="${esc(`Mục tiêu riêng – ${u.name} – ${i.name ?? i.id}`)}"></td>`).join('');
      return `<tr><th scope="row">${esc(u.name)}</th>${cells}</tr>`;
    })
    .join('');
  return `<p class="muted">Để trống: đơn vị nhận mục tiêu chung.</p><div class="scroll"><table class="data form"><thead><tr><th>Đơn vị</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

async function gridUnitsOf(c: ConsoleContext, subject: FormSubject, state: DirectiveFormState): Promise<Unit[] | undefined> {
  const units = await unitsInScope(subject.issuer, state.targetUnits, c.get('deps'), MAX_GRID_UNITS + 1);
  return units.length > MAX_GRID_UNITS ? undefined : units;
}

function formBody(c: ConsoleContext, subject: FormSubject, state: DirectiveFormState, missing: ReadonlySet<string>, grid: Unit[] | undefined, reason: string): string {
  const session = sessionOf(c);
  const scope = state.targetUnits;
  const inds = indicatorRows(state, missing);
  const deadlineKind = state.deadline?.kind ?? 'workingDaysAfterCutoff';
  const deadlineValue = state.deadline ? (state.deadline.kind === 'dayOfMonth' ? state.deadline.day : state.deadline.days) : '';
  const issuerField = subject.issuers
    ? `<label for="f-issuerId">Đơn vị ban hành</label><select id="f-issuerId" name="issuerId">${subject.issuers.map((u) => opt(u.id, u.name, u.id === subject.issuer.id)).join('')}</select>`
    : `<p>Đơn vị ban hành: <b>${esc(subject.issuer.name)}</b></p>`;
  return `<style nonce="${c.get('nonce')}">${FORM_STYLE}</style>
<form method="post" action="${esc(subject.submitPath)}" enctype="multipart/form-data" class="stack" id="directive-form">${csrfField(session)}
<input type="hidden" name="indicatorRows" value="${inds.rows}">
<input type="hidden" name="gridUnits" value="${esc((grid ?? []).map((u) => u.id).join(','))}">
<input type="hidden" name="unitTargets" value="${esc(JSON.stringify(state.unitTargets))}">
${subject.baseVersion !== undefined ? `<input type="hidden" name="baseVersion" value="${subject.baseVersion}">` : ''}
<fieldset><legend>Văn bản</legend>${issuerField}
${subject.fixedId ? `<p>Mã chỉ thị: <b>${esc(state.id ?? '')}</b></p>` : textField('id', 'Mã chỉ thị (chữ thường không dấu, số, dấu gạch ngang)', state.id, missing)}
${textField('kind', 'Loại văn bản', state.kind, missing)}
${textField('number', 'Số, ký hiệu', state.number, missing)}
${textField('issuedOn', 'Ngày ban hành (ngày/tháng/năm)', state.issuedOn ? dateVi(state.issuedOn) : null, missing, ' placeholder="05/03/2020"')}
${textField('title', 'Trích yếu', state.title, missing)}
${textField('year', 'Năm thi đua', state.year, missing, ' inputmode="numeric"')}
${textField('reportTo', 'Nơi nhận báo cáo (không bắt buộc)', state.reportTo, missing)}</fieldset>
<fieldset${cls(missing, 'targetUnits')}><legend>Đơn vị nhận chỉ tiêu${need(missing, 'targetUnits')}</legend>
<label for="f-scope">Phạm vi</label><select id="f-scope" name="scope">${opt('', '— chọn —', !scope)}${opt('children', 'Các đơn vị trực thuộc', scope?.scope === 'children')}${opt('level', 'Mọi đơn vị của một cấp', scope?.scope === 'level')}${opt('list', 'Danh sách đơn vị', scope?.scope === 'list')}</select>
<label for="f-level">Cấp (khi chọn “Mọi đơn vị của một cấp”)</label><select id="f-level" name="level">${UnitLevel.options.map((l) => opt(l, LEVEL_NAME_VI[l], scope?.scope === 'level' && scope.level === l)).join('')}</select>
<label for="f-unitIds">Mã các đơn vị (khi chọn “Danh sách đơn vị”, cách nhau bằng dấu phẩy)</label><input type="text" id="f-unitIds" name="unitIds" value="${esc(scope?.scope === 'list' ? scope.unitIds.join(', ') : '')}"></fieldset>
<fieldset class="checks${missing.has('cadences') ? ' missing' : ''}"><legend>Kỳ báo cáo${need(missing, 'cadences')}</legend>${Cadence.options.map((k) => `<label><input type="checkbox" name="cadences" value="${k}"${state.cadences.includes(k) ? ' checked' : ''}> ${esc(CADENCE_VI[k])}</label>`).join('')}</fieldset>
<fieldset><legend>Hạn nộp và cách duyệt</legend>
<label for="f-cutoff">Chốt số liệu</label><select id="f-cutoff" name="cutoff">${opt('decree09', 'Theo Nghị định 09/2019 (ngày 14 tháng cuối kỳ)', state.cutoff === 'decree09')}${opt('calendar', 'Theo lịch (ngày cuối kỳ)', state.cutoff === 'calendar')}</select>
<label for="f-deadlineKind">Cách tính hạn nộp</label><select id="f-deadlineKind" name="deadlineKind">${opt('workingDaysAfterCutoff', 'Số ngày làm việc sau ngày chốt số liệu', deadlineKind === 'workingDaysAfterCutoff')}${opt('dayOfMonth', 'Ngày cố định trong tháng', deadlineKind === 'dayOfMonth')}</select>
<label for="f-deadlineValue">Số ngày làm việc, hoặc ngày trong tháng</label><input type="number" id="f-deadlineValue" name="deadlineValue" min="0" max="60" value="${esc(String(deadlineValue))}">
<label for="f-approval">Duyệt báo cáo</label><select id="f-approval" name="approval">${opt('none', 'Không cần duyệt: mọi báo cáo hợp lệ đều được tính', state.approval === 'none')}${opt('parent', 'Cấp trên trực tiếp duyệt trước khi tính', state.approval === 'parent')}</select></fieldset>
<fieldset${cls(missing, 'indicators')}><legend>Chỉ tiêu${need(missing, 'indicators')}</legend>
<div class="scroll"><table class="data form"><thead><tr><th>Mã</th><th>Tên chỉ tiêu</th><th>Loại</th><th>Đơn vị tính</th><th>Chiều phấn đấu</th><th>Tổng hợp</th><th>Trọng số</th><th>Mục tiêu chung</th><th>Bỏ</th></tr></thead><tbody>${inds.html}</tbody></table></div></fieldset>
<fieldset><legend>Mục tiêu riêng của từng đơn vị</legend>${unitTargetsGrid(state, grid)}
<p>Hoặc giao bằng tệp Excel: tải tệp mẫu (đơn vị × chỉ tiêu) theo biểu mẫu hiện tại, điền, rồi nhập lại.</p>
<button type="submit" class="secondary" formaction="${esc(subject.base)}/targets.xlsx">Tải tệp Excel mục tiêu</button>
<label for="f-targetsFile">Tệp Excel mục tiêu đã điền (.xlsx)</label><input type="file" id="f-targetsFile" name="targetsFile" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
<button type="submit" class="secondary" formaction="${esc(subject.base)}/targets">Nhập mục tiêu từ tệp</button></fieldset>
${subject.withReason ? `<label for="f-reason">Lý do điều chỉnh</label><textarea id="f-reason" name="reason" required>${esc(reason)}</textarea>` : ''}
<button type="submit" class="primary">${esc(subject.submitLabel)}</button></form>`;
}

/** The keys to highlight from a refused confirmation's lines ("number: …", "indicators.x: “…” còn thiếu target"). */
function missingKeys(lines: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const line of lines) {
    const ind = /^indicators\.([^:]+): .* còn thiếu (.+)$/.exec(line);
    if (ind) for (const f of ind[2]!.split(', ')) keys.add(`indicators.${ind[1]}.${f}`);
    else {
      const field = /^([a-zA-Z]+)[.:[]/.exec(line);
      if (field) keys.add(field[1]!);
    }
  }
  return keys;
}

async function renderForm(
  c: ConsoleContext,
  subject: FormSubject,
  state: DirectiveFormState,
  opts: { missing?: ReadonlySet<string>; flash?: { tone: 'ok' | 'error' | 'warn'; text: string }; problems?: readonly string[]; reason?: string; status?: 200 | 400 },
) {
  const grid = await gridUnitsOf(c, subject, state);
  const problems = opts.problems?.length ? `<ul class="error" id="form-problems">${opts.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : '';
  const body = `<nav class="crumbs"><a href="/directives">Chỉ thị</a></nav><h1>${esc(subject.title)}</h1>${subject.intro ?? ''}${problems}${formBody(c, subject, state, opts.missing ?? new Set(), grid, opts.reason ?? '')}`;
  return c.html(page(body, { title: subject.title, nonce: c.get('nonce'), session: sessionOf(c), ...(opts.flash ? { flash: opts.flash } : {}) }), opts.status ?? 200);
}

interface Posted {
  state: DirectiveFormState;
  problems: string[];
  body: Record<string, string | File | (string | File)[]>;
}

async function posted(c: ConsoleContext): Promise<Posted> {
  const body = (await c.req.parseBody({ all: true })) as Posted['body'];
  const fields: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') fields[k] = v;
    else if (Array.isArray(v)) fields[k] = v.filter((x): x is string => typeof x === 'string');
  }
  const gridIds = (typeof fields.gridUnits === 'string' ? fields.gridUnits : '').split(',').filter(Boolean).slice(0, MAX_GRID_UNITS);
  const found = await c.get('deps').units.getUnits(gridIds);
  const grid = gridIds.flatMap((id) => (found.get(id) ? [found.get(id)!] : []));
  const { state, problems } = readDirectiveForm(fields as FormFields, grid);
  return { state, problems, body };
}

const reasonOf = (p: Posted) => (typeof p.body.reason === 'string' ? p.body.reason.trim() : '');

/** The form's workbook round trip and its submit, for any subject. */
function formActions(app: Hono<ConsoleEnv>, path: string, submitPath: string, resolve: (c: ConsoleContext, p: Posted) => Promise<FormSubject>, submit: (c: ConsoleContext, subject: FormSubject, p: Posted) => Promise<Response>) {
  app.post(`${path}/targets.xlsx`, async (c) => {
    const p = await posted(c);
    const subject = await resolve(c, p);
    if (p.problems.length) return renderForm(c, subject, p.state, { problems: p.problems, flash: { tone: 'error', text: 'Biểu mẫu có chỗ chưa đúng; sửa rồi tải tệp Excel lại' }, reason: reasonOf(p), status: 400 });
    try {
      const bytes = await targetsWorkbookFor(subject.issuer, p.state, c.get('deps'));
      const name = `muc-tieu-${p.state.id ?? 'chi-thi'}.xlsx`;
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': XLSX, 'content-disposition': `attachment; filename="${name.replace(/[^a-z0-9.-]/g, '-')}"` });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return renderForm(c, subject, p.state, { flash: { tone: 'error', text: e.messageVi }, problems: e.details, reason: reasonOf(p), status: 400 });
    }
  });

  app.post(`${path}/targets`, async (c) => {
    const p = await posted(c);
    const subject = await resolve(c, p);
    const file = p.body.targetsFile;
    try {
      if (p.problems.length) throw new InputError('Biểu mẫu có chỗ chưa đúng; sửa rồi nhập tệp lại', p.problems);
      if (!(file instanceof File) || file.size === 0) throw new InputError('Chưa chọn tệp Excel mục tiêu', ['Chọn tệp .xlsx đã điền rồi bấm “Nhập mục tiêu từ tệp”.']);
      if (file.size > MAX_TARGETS_FILE_BYTES) throw new InputError(`Tệp quá lớn (${(file.size / 1048576).toFixed(1)} MB)`, ['Giới hạn là 5 MB cho tệp mục tiêu.']);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const next = await importTargetsWorkbook(subject.issuer, p.state, bytes, { units: c.get('deps').units, read: readTargetsWithinBudget });
      const count = Object.keys(next.unitTargets).length;
      return renderForm(c, subject, next, { flash: { tone: 'ok', text: `Đã nhập mục tiêu riêng cho ${count} đơn vị từ tệp. Kiểm tra rồi bấm “${subject.submitLabel}” để lưu.` }, reason: reasonOf(p) });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      // Nothing changed: the form comes back as it was posted, with every problem of the file.
      return renderForm(c, subject, p.state, { flash: { tone: 'error', text: e.messageVi }, problems: e.details, reason: reasonOf(p), status: 400 });
    }
  });

  app.post(submitPath, async (c) => {
    const p = await posted(c);
    const subject = await resolve(c, p);
    if (p.problems.length) return renderForm(c, subject, p.state, { flash: { tone: 'error', text: `Biểu mẫu có ${p.problems.length} chỗ chưa đúng; chưa lưu gì` }, problems: p.problems, reason: reasonOf(p), status: 400 });
    try {
      return await submit(c, subject, p);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const lines = e.details;
      return renderForm(c, subject, p.state, {
        flash: { tone: 'error', text: lines.length && /còn thiếu/.test(e.messageVi) ? `Chưa thể ban hành: còn thiếu ${lines.length} mục; bổ sung vào biểu mẫu rồi bấm lại` : e.messageVi },
        problems: lines.map(missingVi),
        missing: missingKeys(lines),
        reason: reasonOf(p),
        status: 400,
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Pages

const DRAFT_NOTICE: Record<string, string> = {
  duplicate: 'Văn bản này đã được tải lên trước đó: đây là bản nháp đã lập từ nó.',
};

/** "Quý I/2027" for 2027-Q1 under the directive's cut-off rule (the id itself if it is not one). */
function periodLabel(periodId: string, directive: Directive): string {
  try {
    return periodById(periodId, directive.cutoff).label;
  } catch {
    return periodId;
  }
}

/** A draft's note as the console says it: the CLI's hint of which JSON field to write gives way to the form below. */
const forTheForm = (note: string) => note.replace(/; nhập "[A-Za-z]+".*$/, '; điền vào biểu mẫu bên dưới.');

function draftIntro(draft: DirectiveDraft, unitNames: ReadonlyMap<string, string>): string {
  const view = describeDraft(draft, unitNames);
  const rows = view.rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  const missing = view.missing.length
    ? `<div class="flash warn" id="draft-missing"><b>Cần bổ sung (${view.missing.length})</b><ul>${view.missing.map((m) => `<li>${esc(forTheForm(m))}</li>`).join('')}</ul></div>`
    : '<p class="flash ok">Bản nháp đã đủ thông tin để xác nhận.</p>';
  const review = view.review.length ? `<div class="flash" id="draft-review"><b>Cần kiểm tra lại</b><ul>${view.review.map((m) => `<li>${esc(m)}</li>`).join('')}</ul></div>` : '';
  const sources = draft.sources.map((s) => `<li>${esc(s.fileName)} <span class="muted">(${esc(s.format)})</span></li>`).join('');
  return `<div class="card"><h2>Đọc được từ văn bản</h2><div class="scroll"><table class="data">${rows}</table></div><p class="muted">Tệp nguồn:</p><ul>${sources}</ul></div>${missing}${review}`;
}

async function draftSubject(c: ConsoleContext, draftId: string): Promise<{ subject: FormSubject; draft: DirectiveDraft }> {
  const { draft, uploader } = await draftFor(c, draftId);
  const names = new Map(draft.proposal.units.flatMap((u) => (u.unitId && u.unitName ? [[u.unitId, u.unitName] as [string, string]] : [])));
  return {
    draft,
    subject: {
      base: `/drafts/${draft.draftId}`,
      submitPath: `/drafts/${draft.draftId}/confirm`,
      submitLabel: 'Xác nhận và ban hành',
      title: `Bản nháp ${draft.draftId}`,
      issuer: uploader,
      intro: draftIntro(draft, names),
    },
  };
}

async function newSubject(c: ConsoleContext, issuerId: string | undefined): Promise<FormSubject> {
  const issuers = await officeUnits(c);
  if (!issuers.length) throw new HTTPException(403, { message: 'Bạn không có quyền ban hành chỉ thị' });
  const issuer = issuerId ? await unitOf(c, issuerId) : issuers[0]!;
  authorize(c, 'directive.write', issuer);
  return { base: '/directives/new', submitPath: '/directives/new/issue', submitLabel: 'Ban hành', title: 'Chỉ thị mới từ biểu mẫu trống', issuer, issuers };
}

/** The version an amendment form was opened on, as it posted it back. */
function postedVersion(posted: Posted | undefined): number | undefined {
  const v = typeof posted?.body.baseVersion === 'string' ? Number(posted.body.baseVersion) : NaN;
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

async function amendSubject(c: ConsoleContext, id: string, posted?: Posted): Promise<{ subject: FormSubject; directive: Directive }> {
  const directive = await directiveOf(c, id);
  const issuer = await unitOf(c, directive.issuerId);
  authorize(c, 'directive.write', issuer);
  if (directive.status === 'withdrawn') throw new InputError(`Chỉ thị "${id}" đã bị thu hồi, không thể điều chỉnh`);
  return {
    directive,
    subject: { base: `/directives/${directive.id}`, submitPath: `/directives/${directive.id}/amend`, submitLabel: 'Lưu điều chỉnh', title: `Điều chỉnh ${nameOf(directive)}`, issuer, withReason: true, fixedId: true, baseVersion: postedVersion(posted) ?? directive.version },
  };
}

function uploadCard(c: ConsoleContext, units: readonly Unit[]): string {
  const session = sessionOf(c);
  const unitField =
    units.length === 1
      ? `<input type="hidden" name="unitId" value="${esc(units[0]!.id)}"><p>Đơn vị tải lên: <b>${esc(units[0]!.name)}</b></p>`
      : `<label for="doc-unit">Đơn vị tải lên</label><select id="doc-unit" name="unitId">${units.map((u) => opt(u.id, u.name, false)).join('')}</select>`;
  return `<div class="card"><h2>Tạo chỉ thị từ văn bản</h2>
<form id="doc-upload" method="post" action="/directives/upload" enctype="multipart/form-data" class="stack">${csrfField(session)}${unitField}
<label for="doc-file">Văn bản chỉ đạo (PDF, DOCX hoặc .txt)</label><input type="file" id="doc-file" name="file" accept=".pdf,.docx,.txt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain" required>
<button type="submit" class="primary">Tải lên</button></form><p id="doc-msg" role="status"></p>
<p>Hoặc ${units.map((u) => `<a href="/directives/new?unit=${encodeURIComponent(u.id)}">bắt đầu từ biểu mẫu trống${units.length > 1 ? ` (${esc(u.name)})` : ''}</a>`).join(', ')}.</p></div>`;
}

/** Presign, PUT to the bucket, then follow the reading on the wait page. Static text; the CSRF token is read from the form. */
const UPLOAD_SCRIPT = `
(() => {
  const form = document.getElementById('doc-upload');
  if (!form || !window.fetch) return;
  const msg = document.getElementById('doc-msg');
  const say = (t, tone) => { msg.textContent = t; msg.className = tone || ''; };
  form.addEventListener('submit', async (e) => {
    const file = form.querySelector('input[type=file]').files[0];
    if (!file) return;
    e.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      say('Đang chuẩn bị tải lên…');
      const r = await fetch('/directives/upload/presign', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': form.elements.namedItem('_csrf').value }, body: JSON.stringify({ unitId: form.elements.namedItem('unitId').value, fileName: file.name, size: file.size }) });
      let p = {};
      try { p = await r.json(); } catch {}
      if (!r.ok) { say((p.error || ('Không tải lên được (mã lỗi ' + r.status + ')')) + (p.details && p.details.length ? '. ' + p.details.join(' ') : ''), 'error'); return; }
      say('Đang tải lên…');
      const put = await fetch(p.url, { method: 'PUT', headers: p.headers, body: file });
      if (!put.ok) { say('Tải tệp lên không thành công (mã lỗi ' + put.status + '). Vui lòng thử lại.', 'error'); return; }
      say('Đã tải lên. Hệ thống đang đọc văn bản…');
      location.assign('/directives/upload/wait?key=' + encodeURIComponent(p.key));
    } catch (err) {
      say('Không kết nối được tới máy chủ. Hãy kiểm tra kết nối mạng rồi thử lại.', 'error');
    } finally {
      button.disabled = false;
    }
  });
})();
`;

/** Polls the reading of an uploaded document and goes to its draft; without a script, the refresh link does it. */
const WAIT_SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById('page-data').textContent);
  const msg = document.getElementById('wait-msg');
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  (async () => {
    const deadline = Date.now() + 180000;
    while (Date.now() < deadline) {
      await sleep(1500);
      try {
        const r = await fetch(data.poll, { headers: { accept: 'application/json' } });
        if (!r.ok) continue;
        const v = await r.json();
        if (v.href) { location.assign(v.href); return; }
        if (v.message) { msg.textContent = v.message; msg.className = 'flash error'; return; }
      } catch {}
    }
  })();
})();
`;

function directiveRow(c: ConsoleContext, d: Directive, issuer: Unit): string {
  const writable = can(sessionOf(c).person, 'directive.write', issuer);
  const status = d.status === 'withdrawn' ? '<span class="badge error">đã thu hồi</span>' : `<span class="badge ok">đang thực hiện</span>`;
  return `<tr><td><a href="/directives/${encodeURIComponent(d.id)}">${esc(nameOf(d))}</a></td><td>${esc(d.title)}</td><td>${esc(issuer.name)}</td><td>${dateVi(d.issuedOn)}</td><td>${status} <span class="muted">phiên bản ${d.version}</span>${writable ? '' : ' <span class="badge">chỉ xem</span>'}</td></tr>`;
}

function draftList(drafts: readonly DirectiveDraft[]): string {
  return `<ul>${drafts.map((d) => `<li><a href="/drafts/${encodeURIComponent(d.draftId)}">${esc(d.sources[0]?.fileName ?? d.draftId)}</a> <span class="muted">– ${esc(d.proposal.directive.kind)}, còn thiếu ${d.proposal.missing.length} mục</span></li>`).join('')}</ul>`;
}

function directivePage(c: ConsoleContext, d: Directive, issuer: Unit, status: Awaited<ReturnType<typeof directiveStatus>>, targets: Unit[] | undefined, flash?: { tone: 'ok' | 'error'; text: string }, problems: readonly string[] = []) {
  const session = sessionOf(c);
  const canWrite = can(session.person, 'directive.write', issuer);
  const canExtend = can(session.person, 'deadline.extend', issuer);
  const scope = d.targetUnits.scope === 'children' ? `các đơn vị trực thuộc ${d.issuerName}` : d.targetUnits.scope === 'level' ? `mọi đơn vị cấp ${LEVEL_NAME_VI[d.targetUnits.level]} thuộc ${d.issuerName}` : `${d.targetUnits.unitIds.length} đơn vị trong danh sách`;
  const deadline = d.deadline.kind === 'dayOfMonth' ? `ngày ${d.deadline.day} của tháng hạn nộp` : `${d.deadline.days} ngày làm việc sau ngày chốt số liệu`;
  const inds = d.indicators.map((i) => `<tr><td>${esc(i.name)}</td><td>${esc(KIND_VI[i.kind] ?? i.kind)} (${esc(i.measure)})</td><td>${esc(AGGREGATION_VI[i.aggregation] ?? i.aggregation)}</td><td class="num">${esc(shownTarget(i.target))}</td></tr>`).join('');
  const periods = status.periods.map((p) => `<tr><td>${esc(p.label)}</td><td>${dateVi(p.due)}</td><td class="num">${p.obligations.submitted}</td><td class="num">${p.obligations.open}</td></tr>`).join('');
  const problemList = problems.length ? `<ul class="error">${problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : '';
  const unitField = targets
    ? `<select id="x-unit" name="unitId">${opt('', 'Mọi đơn vị còn nợ báo cáo', true)}${targets.map((u) => opt(u.id, u.name, false)).join('')}</select>`
    : `<input type="text" id="x-unit" name="unitId" placeholder="để trống: mọi đơn vị còn nợ báo cáo">`;
  const actions =
    d.status === 'withdrawn'
      ? `<p class="flash error">Đã thu hồi: ${esc(d.withdrawnReason ?? '')}</p>`
      : `${canWrite ? `<p><a class="button" href="/directives/${encodeURIComponent(d.id)}/edit">Điều chỉnh chỉ thị</a></p>` : ''}
${canExtend ? `<div class="card"><h2>Gia hạn nộp báo cáo</h2><form method="post" action="/directives/${encodeURIComponent(d.id)}/extend" class="stack">${csrfField(session)}
<label for="x-period">Kỳ báo cáo</label><select id="x-period" name="periodId">${status.periods.map((p) => opt(p.id, `${p.label} (hạn ${dateVi(p.due)})`, false)).join('')}</select>
<label for="x-unit">Đơn vị</label>${unitField}
<label for="x-until">Hạn mới</label><input type="date" id="x-until" name="until" required>
<label for="x-reason">Lý do gia hạn</label><textarea id="x-reason" name="reason" required></textarea>
<button type="submit" class="primary">Gia hạn</button></form></div>` : ''}
${canWrite ? `<div class="card"><h2>Thu hồi chỉ thị</h2><form method="post" action="/directives/${encodeURIComponent(d.id)}/withdraw" class="stack">${csrfField(session)}
<label for="w-reason">Lý do thu hồi</label><textarea id="w-reason" name="reason" required></textarea>
<button type="submit" class="secondary">Thu hồi</button></form></div>` : ''}`;
  const body = `<nav class="crumbs"><a href="/directives">Chỉ thị</a></nav><h1>${esc(nameOf(d))}</h1>
<p>${esc(d.title)}</p>${problemList}
<div class="card"><p>Đơn vị ban hành: <b>${esc(issuer.name)}</b> · ngày ban hành ${dateVi(d.issuedOn)} · năm ${d.year} · phiên bản ${d.version}</p>
<p>Giao cho: ${esc(scope)} (${status.assignments.active} đơn vị) · báo cáo ${esc(d.cadences.map((k) => CADENCE_VI[k]).join(', '))}; hạn nộp ${esc(deadline)}</p>
<p><a href="/directives/${encodeURIComponent(d.id)}/status">Tình hình báo cáo</a> · <a href="/directives/${encodeURIComponent(d.id)}/results">Kết quả</a></p></div>
<h2>Chỉ tiêu</h2><div class="scroll"><table class="data"><thead><tr><th>Chỉ tiêu</th><th>Loại</th><th>Tổng hợp</th><th class="num">Mục tiêu chung</th></tr></thead><tbody>${inds}</tbody></table></div>
<h2>Các kỳ báo cáo</h2><div class="scroll"><table class="data"><thead><tr><th>Kỳ</th><th>Hạn nộp</th><th class="num">Đã nộp</th><th class="num">Chưa nộp</th></tr></thead><tbody>${periods}</tbody></table></div>
${actions}`;
  return page(body, { title: nameOf(d), nonce: c.get('nonce'), session, ...(flash ? { flash } : {}) });
}

const DONE_VI: Record<string, (n: string | undefined) => string> = {
  issued: () => 'Đã ban hành chỉ thị; các đơn vị được giao sẽ nhận thư thông báo.',
  unchanged: () => 'Chỉ thị đã được ban hành trước đó; không có gì thay đổi.',
  amended: () => 'Đã lưu điều chỉnh; các đơn vị có thay đổi sẽ nhận thư thông báo.',
  withdrawn: () => 'Đã thu hồi chỉ thị; các đơn vị sẽ nhận thư thông báo.',
  extended: (n) => `Đã gia hạn cho ${n ?? 0} đơn vị.`,
};

async function showDirective(c: ConsoleContext, id: string, flash?: { tone: 'ok' | 'error'; text: string }, problems: readonly string[] = [], status: 200 | 400 = 200) {
  const d = await directiveOf(c, id);
  const issuer = await unitOf(c, d.issuerId);
  await authorizeDirectiveRead(c, 'directive.read', issuer);
  const deps = c.get('deps');
  const st = await directiveStatus(d.id, deps);
  const targets = can(sessionOf(c).person, 'deadline.extend', issuer) ? await unitsInScope(issuer, d.targetUnits, deps, MAX_GRID_UNITS + 1) : [];
  const done = c.req.query('done');
  const shown = flash ?? (done && DONE_VI[done] ? { tone: 'ok' as const, text: DONE_VI[done](c.req.query('n')) } : undefined);
  return c.html(directivePage(c, d, issuer, st, targets.length > MAX_GRID_UNITS ? undefined : targets, shown, problems), status);
}

const formText = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');

export function directiveRoutes(app: Hono<ConsoleEnv>): void {
  app.get('/directives', async (c) => {
    const session = sessionOf(c);
    const readable = unitsFor(session.person, 'directive.read');
    if (!readable.length) throw new HTTPException(403, { message: 'Bạn không có quyền xem chỉ thị' });
    const deps = c.get('deps');
    const thisYear = Number(vietnamDate(deps.clock.now()).slice(0, 4));
    const year = /^\d{4}$/.test(c.req.query('year') ?? '') ? Number(c.req.query('year')) : thisYear;
    const offices = await officeUnits(c);
    const drafts = (await Promise.all(offices.map((u) => openDrafts(u.id, deps)))).flat();
    const mine = await ownUnits(c, 'directive.read');
    const list = await directivesVisible(year, (issuer) => reaches(session.person, 'directive.read', issuer, mine), deps);
    const rows = list.map(({ directive, issuer }) => directiveRow(c, directive, issuer)).join('');
    const body = `<h1>Chỉ thị</h1>${offices.length ? uploadCard(c, offices) : ''}
${drafts.length ? `<div class="card"><h2>Bản nháp chờ hoàn thiện (${drafts.length})</h2>${draftList(drafts)}</div>` : ''}
<h2>Chỉ thị năm ${year}</h2><p><a href="/directives?year=${year - 1}">← Năm ${year - 1}</a>${year < thisYear ? ` · <a href="/directives?year=${year + 1}">Năm ${year + 1} →</a>` : ''}</p>
<div class="scroll"><table class="data"><thead><tr><th>Văn bản</th><th>Trích yếu</th><th>Đơn vị ban hành</th><th>Ngày ban hành</th><th>Trạng thái</th></tr></thead><tbody>${rows || '<tr><td colspan="5">Chưa có chỉ thị nào trong năm này.</td></tr>'}</tbody></table></div>`;
    return c.html(page(body, { title: 'Chỉ thị', nonce: c.get('nonce'), session, ...(offices.length ? { script: UPLOAD_SCRIPT } : {}) }));
  });

  // Uploading a document: presigned PUT from the page's script, or the file posted with the form without one.
  app.post('/directives/upload/presign', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { unitId?: unknown; fileName?: unknown; size?: unknown };
    const uploader = await unitOf(c, String(body.unitId ?? ''));
    authorize(c, 'directive.write', uploader);
    const deps = c.get('deps');
    const presigned = await presignDocumentUpload(uploader, { name: String(body.fileName ?? ''), size: Number(body.size) }, deps);
    await audit(c, { action: 'directive.write', unit: uploader, target: presigned.key, summaryVi: `Tải lên văn bản chỉ đạo “${String(body.fileName)}”` });
    return c.json(presigned);
  });

  app.post('/directives/upload', async (c) => {
    const body = await c.req.parseBody();
    const uploader = await unitOf(c, formText(body, 'unitId'));
    authorize(c, 'directive.write', uploader);
    const file = body.file;
    if (!(file instanceof File) || file.size === 0) throw new InputError('Chưa chọn tệp', ['Chọn văn bản chỉ đạo (PDF, DOCX hoặc .txt) rồi bấm Tải lên.']);
    const { key } = await storeDocumentUpload(uploader, { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }, c.get('deps'));
    await audit(c, { action: 'directive.write', unit: uploader, target: key, summaryVi: `Tải lên văn bản chỉ đạo “${file.name}”` });
    return c.redirect(`/directives/upload/wait?key=${encodeURIComponent(key)}`, 303);
  });

  app.get('/directives/upload/wait', async (c) => {
    const key = c.req.query('key') ?? '';
    const uploader = await unitOf(c, documentUploader(key));
    authorize(c, 'directive.write', uploader);
    const state = await documentUploadState(key, c.get('deps'));
    const href = state.state === 'done' && state.outcome !== 'rejected' ? `/drafts/${encodeURIComponent(state.draftId)}${state.outcome === 'duplicate' ? '?notice=duplicate' : ''}` : undefined;
    const message = state.state === 'done' && state.outcome === 'rejected' ? `Không đọc được văn bản: ${state.messageVi}` : undefined;
    if ((c.req.header('accept') ?? '').includes('application/json')) return c.json({ state: state.state, ...(href ? { href } : {}), ...(message ? { message } : {}) });
    if (href) return c.redirect(href, 303);
    const self = `/directives/upload/wait?key=${encodeURIComponent(key)}`;
    const body = message
      ? `<h1>Không đọc được văn bản</h1><p class="flash error" id="wait-msg">${esc(message)}</p><p><a href="/directives">Tải lên văn bản khác</a></p>`
      : `<h1>Đang đọc văn bản…</h1><p id="wait-msg" role="status">Hệ thống đang đọc văn bản và lập bản nháp chỉ thị; việc này thường mất vài giây. Kết quả cũng được gửi qua thư điện tử.</p><p><a href="${esc(self)}">Tải lại trang để xem kết quả</a></p>`;
    return c.html(page(body, { title: 'Đang đọc văn bản', nonce: c.get('nonce'), session: sessionOf(c), ...(message ? {} : { script: WAIT_SCRIPT, data: { poll: self } }) }));
  });

  // A draft: what the document said, and the form that completes it.
  app.get('/drafts/:id', async (c) => {
    const { subject, draft } = await draftSubject(c, c.req.param('id'));
    if (draft.status === 'confirmed') return c.redirect(`/directives/${encodeURIComponent(draft.directiveId ?? '')}`, 303);
    const state = formStateOf(applyEdits(draft, {}));
    const missing = new Set(draft.proposal.missing.map((m) => m.field));
    const notice = DRAFT_NOTICE[c.req.query('notice') ?? ''];
    return renderForm(c, subject, state, { missing, ...(notice ? { flash: { tone: 'warn' as const, text: notice } } : {}) });
  });
  formActions(
    app,
    '/drafts/:id',
    '/drafts/:id/confirm',
    async (c) => (await draftSubject(c, c.req.param('id')!)).subject,
    async (c, subject, p) => {
      const { draft } = await draftFor(c, c.req.param('id')!);
      const confirmed = await confirmDraftForm(draft, p.state, directiveDeps(c));
      await audit(c, { action: 'directive.write', unit: subject.issuer, target: confirmed.directive.id, summaryVi: `Xác nhận bản nháp ${draft.draftId}: ban hành ${nameOf(confirmed.directive)}` });
      return c.redirect(`/directives/${encodeURIComponent(confirmed.directive.id)}?done=${confirmed.outcome}`, 303);
    },
  );

  // A directive written from an empty form.
  app.get('/directives/new', async (c) => {
    const subject = await newSubject(c, c.req.query('unit'));
    const year = Number(vietnamDate(c.get('deps').clock.now()).slice(0, 4));
    const state = formStateOf({ kind: 'chỉ thị', year, targetUnits: { scope: 'children' }, cadences: ['quarterly'], deadline: { kind: 'workingDaysAfterCutoff', days: 2 } });
    return renderForm(c, subject, state, {});
  });
  formActions(
    app,
    '/directives/new',
    '/directives/new/issue',
    async (c, p) => newSubject(c, formText(p.body, 'issuerId') || undefined),
    async (c, subject, p) => {
      const issued = await issueFromForm(subject.issuer, p.state, directiveDeps(c));
      await audit(c, { action: 'directive.write', unit: subject.issuer, target: issued.directive.id, summaryVi: `Ban hành ${nameOf(issued.directive)} từ biểu mẫu` });
      return c.redirect(`/directives/${encodeURIComponent(issued.directive.id)}?done=${issued.outcome}`, 303);
    },
  );

  // An issued directive: read it, amend it, withdraw it, extend a deadline.
  app.get('/directives/:id', (c) => showDirective(c, c.req.param('id')));

  app.get('/directives/:id/edit', async (c) => {
    const { subject, directive } = await amendSubject(c, c.req.param('id'));
    return renderForm(c, subject, formStateOf(directive), {});
  });
  formActions(
    app,
    '/directives/:id',
    '/directives/:id/amend',
    async (c, p) => (await amendSubject(c, c.req.param('id')!, p)).subject,
    async (c, subject, p) => {
      const { directive } = await amendSubject(c, c.req.param('id')!);
      const opened = postedVersion(p);
      if (opened !== undefined && opened !== directive.version) {
        throw new InputError(`Chỉ thị vừa được điều chỉnh thành phiên bản ${directive.version} sau khi bạn mở biểu mẫu (phiên bản ${opened}); chưa lưu gì`, ['Hãy mở lại trang Điều chỉnh chỉ thị để xem bản mới rồi điều chỉnh lại.']);
      }
      const reason = reasonOf(p);
      const amended = await amendFromForm(directive, p.state, reason, directiveDeps(c));
      if (amended.outcome !== 'unchanged') {
        await audit(c, { action: 'directive.write', unit: subject.issuer, target: directive.id, summaryVi: `Điều chỉnh ${nameOf(directive)} (phiên bản ${amended.directive.version}). Lý do: ${reason}` });
      }
      return c.redirect(`/directives/${encodeURIComponent(directive.id)}?done=${amended.outcome}`, 303);
    },
  );

  app.post('/directives/:id/withdraw', async (c) => {
    const directive = await directiveOf(c, c.req.param('id'));
    const issuer = await unitOf(c, directive.issuerId);
    authorize(c, 'directive.write', issuer);
    const reason = formText(await c.req.parseBody(), 'reason');
    try {
      const result = await withdrawWithReason(directive.id, reason, directiveDeps(c));
      if (result.outcome === 'withdrawn') await audit(c, { action: 'directive.write', unit: issuer, target: directive.id, summaryVi: `Thu hồi ${nameOf(directive)}. Lý do: ${reason}` });
      return c.redirect(`/directives/${encodeURIComponent(directive.id)}?done=withdrawn`, 303);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return showDirective(c, directive.id, { tone: 'error', text: e.messageVi }, e.details, 400);
    }
  });

  app.post('/directives/:id/extend', async (c) => {
    const directive = await directiveOf(c, c.req.param('id'));
    const issuer = await unitOf(c, directive.issuerId);
    authorize(c, 'deadline.extend', issuer);
    const body = await c.req.parseBody();
    const reason = formText(body, 'reason');
    const unitId = formText(body, 'unitId');
    const periodId = formText(body, 'periodId');
    try {
      const deps = c.get('deps');
      const result = await extendWithReason({ directiveId: directive.id, periodId, until: formText(body, 'until'), reason, ...(unitId ? { unitId } : {}) }, deps);
      const who = unitId ? ((await deps.units.getUnits([unitId])).get(unitId)?.name ?? `đơn vị ${unitId}`) : 'mọi đơn vị còn nợ báo cáo';
      await audit(c, { action: 'deadline.extend', unit: issuer, target: `${directive.id}/${periodId}${unitId ? `/${unitId}` : ''}`, summaryVi: `Gia hạn ${periodLabel(periodId, directive)} của ${nameOf(directive)} cho ${who} đến ${dateVi(result.until)} (${result.extended} đơn vị). Lý do: ${reason}` });
      return c.redirect(`/directives/${encodeURIComponent(directive.id)}?done=extended&n=${result.extended}`, 303);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return showDirective(c, directive.id, { tone: 'error', text: e.messageVi }, e.details, 400);
    }
  });
}

/** The home page's part for an office: drafts to complete and units overdue, per unit it issues for. */
export async function officeHome(c: ConsoleContext): Promise<string> {
  const offices = await officeUnits(c);
  if (!offices.length) return '';
  const deps = c.get('deps');
  const year = Number(vietnamDate(deps.clock.now()).slice(0, 4));
  const cards = await Promise.all(
    offices.map(async (unit) => {
      const [drafts, overdue] = await Promise.all([openDrafts(unit.id, deps), overdueUnits(unit.id, [year - 1, year], deps)]);
      const late = overdue
        .map((o) => {
          const worst = Math.max(...o.units.map((u) => u.daysOverdue));
          return `<li><a href="/directives/${encodeURIComponent(o.directive.id)}/status">${esc(nameOf(o.directive))}</a>, ${esc(o.periodLabel)}: <b>${o.units.length}</b> đơn vị quá hạn (lâu nhất ${worst} ngày)</li>`;
        })
        .join('');
      const nothing = !drafts.length && !overdue.length ? '<p class="muted">Không có việc nào đang chờ.</p>' : '';
      return `<div class="card" id="office-${esc(unit.id)}"><h2>Việc cần làm – ${esc(unit.name)}</h2>${nothing}
${drafts.length ? `<h3>Bản nháp chờ hoàn thiện (${drafts.length})</h3>${draftList(drafts)}` : ''}
${late ? `<h3>Đơn vị quá hạn nộp báo cáo</h3><ul>${late}</ul>` : ''}
<p><a href="/directives">Chỉ thị của đơn vị</a></p></div>`;
    }),
  );
  return cards.join('');
}
