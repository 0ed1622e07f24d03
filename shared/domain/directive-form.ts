/**
 * The directive as an office completes it in the console's form: flat fields in, the directive's shape out. Blank
 * fields stay null (the draft's "still missing" or the directive's schema says what they are); only what cannot be
 * read at all ("abc" as a target) is a problem here, named with the indicator or the unit it belongs to.
 */
import { Aggregation, Cadence, Direction, IndicatorKind, type TargetValue } from './directive.ts';
import { DIRECTIVE_FIELDS_VI } from './directive.ts';
import { UnitLevel } from './units.ts';
import type { ProposedIndicator } from './document/draft.ts';
import { formatNumberVi, parseNumberVi, parseYesNo } from './report/values.ts';
import type { z } from 'zod';

/** Form fields as a browser posts them: one value, or several for checkboxes. */
export type FormFields = Readonly<Record<string, string | readonly string[] | undefined>>;

/** An indicator as the form holds it: a draft's proposed indicator whose name may still be blank. */
export type FormIndicator = Omit<ProposedIndicator, 'name' | 'recognised'> & { name: string | null };

/** What the form holds: the directive's fields, null where blank. */
export interface DirectiveFormState {
  id: string | null;
  number: string | null;
  kind: string | null;
  title: string | null;
  year: number | null;
  issuedOn: string | null;
  reportTo: string | null;
  targetUnits: { scope: 'children' } | { scope: 'level'; level: z.infer<typeof UnitLevel> } | { scope: 'list'; unitIds: string[] } | null;
  cadences: z.infer<typeof Cadence>[];
  cutoff: 'decree09' | 'calendar';
  deadline: { kind: 'workingDaysAfterCutoff'; days: number } | { kind: 'dayOfMonth'; day: number } | null;
  approval: 'none' | 'parent';
  indicators: FormIndicator[];
  /** Indicator ids the office removed (a draft's proposal keeps them otherwise). */
  removed: string[];
  unitTargets: Record<string, Record<string, TargetValue>>;
}

/** Indicator rows the form offers: the directive's own, plus blank ones to add. */
export const BLANK_INDICATOR_ROWS = 2;

const one = (form: FormFields, name: string): string => {
  const v = form[name];
  return (Array.isArray(v) ? (v[0] ?? '') : typeof v === 'string' ? v : '').trim();
};
const many = (form: FormFields, name: string): string[] => {
  const v = form[name];
  return Array.isArray(v) ? v.map((x) => x.trim()) : typeof v === 'string' ? [v.trim()] : [];
};
const orNull = (s: string) => (s === '' ? null : s);
const member = <T extends string>(options: readonly T[], s: string): T | null => ((options as readonly string[]).includes(s) ? (s as T) : null);

/** "05/03/2020" or "2020-03-05" → "2020-03-05"; null when blank; undefined when unreadable. */
export function readDateVi(s: string): string | null | undefined {
  if (!s) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const vi = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : vi ? [vi[3], vi[2]!.padStart(2, '0'), vi[1]!.padStart(2, '0')] : [];
  if (!y) return undefined;
  const date = new Date(`${y}-${m}-${d}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${y}-${m}-${d}` ? undefined : `${y}-${m}-${d}`;
}

/** A target typed for an indicator of `kind`: "3,5" → 3.5, "Có" → true. */
export function readTarget(raw: string, kind: FormIndicator['kind'], measure?: string | null): { value: TargetValue | null } | { why: string } {
  if (!raw) return { value: null };
  if (kind === 'yes-no') {
    const yes = parseYesNo(raw);
    return yes === undefined ? { why: `“${raw}” không phải Có hoặc Không` } : { value: yes };
  }
  const n = parseNumberVi(raw, { percent: kind === 'percent', ...(measure ? { measure } : {}) });
  if (n === undefined) return { why: `“${raw}” không phải là một số` };
  return { value: n };
}

export const shownTarget = (v: TargetValue | null | undefined): string => (v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? 'Có' : 'Không') : formatNumberVi(v));

/**
 * Reads the posted form. `gridUnits` are the units whose per-unit targets were shown as inputs (`ut.<unit>.<ind>`);
 * the others keep what the hidden `unitTargets` field carried.
 */
export function readDirectiveForm(form: FormFields, gridUnits: readonly { id: string; name: string }[]): { state: DirectiveFormState; problems: string[] } {
  const problems: string[] = [];
  const yearText = one(form, 'year');
  const year = yearText ? Number(yearText) : null;
  if (year !== null && !Number.isInteger(year)) problems.push(`Năm thi đua “${yearText}” không phải là một năm (ví dụ 2027)`);
  const issuedOn = readDateVi(one(form, 'issuedOn'));
  if (issuedOn === undefined) problems.push(`Ngày ban hành “${one(form, 'issuedOn')}” không đúng dạng ngày/tháng/năm (ví dụ 05/03/2020)`);

  const scope = one(form, 'scope');
  const level = member(UnitLevel.options, one(form, 'level'));
  const unitIds = one(form, 'unitIds').split(/[\s,;]+/).filter(Boolean);
  const targetUnits: DirectiveFormState['targetUnits'] =
    scope === 'children' ? { scope: 'children' } : scope === 'level' && level ? { scope: 'level', level } : scope === 'list' && unitIds.length ? { scope: 'list', unitIds } : null;
  if (scope === 'list' && !unitIds.length) problems.push('Đã chọn “danh sách đơn vị” nhưng chưa nhập mã đơn vị nào');

  const deadlineKind = one(form, 'deadlineKind');
  const deadlineText = one(form, 'deadlineValue');
  const deadlineValue = deadlineText ? Number(deadlineText) : NaN;
  if (deadlineText && !Number.isInteger(deadlineValue)) problems.push(`Hạn nộp: “${deadlineText}” không phải là một số nguyên`);
  const deadline: DirectiveFormState['deadline'] = !Number.isInteger(deadlineValue)
    ? null
    : deadlineKind === 'dayOfMonth'
      ? { kind: 'dayOfMonth', day: deadlineValue }
      : { kind: 'workingDaysAfterCutoff', days: deadlineValue };

  const indicators: FormIndicator[] = [];
  const removed: string[] = [];
  const rows = Number(one(form, 'indicatorRows')) || 0;
  for (let i = 0; i < Math.min(rows, 200); i++) {
    const f = (name: string) => one(form, `ind.${i}.${name}`);
    const id = f('id');
    const name = f('name');
    if (!id && !name) continue;
    if (!id) {
      problems.push(`Chỉ tiêu “${name}”: cần nhập mã chỉ tiêu (chữ thường không dấu, ví dụ ho-ngheo)`);
      continue;
    }
    if (f('remove')) {
      removed.push(id);
      continue;
    }
    const kind = member(IndicatorKind.options, f('kind'));
    const target = readTarget(f('target'), kind, f('measure'));
    if ('why' in target) problems.push(`Chỉ tiêu “${name || id}”: mục tiêu ${target.why}`);
    const weightBy = member(['households', 'population'] as const, f('weightBy'));
    indicators.push({
      id,
      name: orNull(name),
      ...(f('group') ? { group: f('group') } : {}),
      measure: orNull(f('measure')),
      kind,
      direction: member(Direction.options, f('direction')),
      aggregation: member(Aggregation.options, f('aggregation')),
      ...(weightBy ? { weightBy } : {}),
      target: 'value' in target ? target.value : null,
    });
  }

  const unitTargets = carriedUnitTargets(one(form, 'unitTargets'));
  for (const unit of gridUnits) {
    const own: Record<string, TargetValue> = {};
    for (const ind of indicators) {
      const read = readTarget(one(form, `ut.${unit.id}.${ind.id}`), ind.kind, ind.measure);
      if ('why' in read) problems.push(`Mục tiêu riêng của ${unit.name}, chỉ tiêu “${ind.name ?? ind.id}”: ${read.why}`);
      else if (read.value !== null) own[ind.id] = read.value;
    }
    if (Object.keys(own).length) unitTargets[unit.id] = own;
    else delete unitTargets[unit.id];
  }

  const state: DirectiveFormState = {
    id: orNull(one(form, 'id')),
    number: orNull(one(form, 'number')),
    kind: orNull(one(form, 'kind')),
    title: orNull(one(form, 'title')),
    year: year !== null && Number.isInteger(year) ? year : null,
    issuedOn: issuedOn ?? null,
    reportTo: orNull(one(form, 'reportTo')),
    targetUnits,
    cadences: many(form, 'cadences').flatMap((c) => member(Cadence.options, c) ?? []),
    cutoff: one(form, 'cutoff') === 'calendar' ? 'calendar' : 'decree09',
    deadline,
    approval: one(form, 'approval') === 'parent' ? 'parent' : 'none',
    indicators,
    removed,
    unitTargets,
  };
  return { state, problems };
}

/** A unit's or an indicator's id as the console writes them: never `__proto__`, `constructor` or anything else. */
const CARRIED_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The per-unit targets the form carried in its hidden field (JSON the console wrote); anything else is dropped. The
 * field comes back from the browser, so its keys are checked before they become keys here (a `__proto__` key
 * would otherwise write into every object of the process).
 */
function carriedUnitTargets(json: string): Record<string, Record<string, TargetValue>> {
  if (!json) return {};
  try {
    const parsed = JSON.parse(json) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, Record<string, TargetValue>> = {};
    for (const [unitId, targets] of Object.entries(parsed as Record<string, unknown>)) {
      if (!CARRIED_ID.test(unitId) || !targets || typeof targets !== 'object') continue;
      for (const [indId, v] of Object.entries(targets as Record<string, unknown>)) {
        if (CARRIED_ID.test(indId) && (typeof v === 'number' || typeof v === 'boolean')) (out[unitId] ??= {})[indId] = v;
      }
    }
    return out;
  } catch {
    return {};
  }
}

/** The form's state from a directive-shaped record (a draft's merged proposal, an issued directive). */
export function formStateOf(d: Record<string, unknown>): DirectiveFormState {
  const str = (k: string) => (typeof d[k] === 'string' && d[k] ? (d[k] as string) : null);
  const inds = Array.isArray(d.indicators) ? (d.indicators as Record<string, unknown>[]) : [];
  return {
    id: str('id'),
    number: str('number'),
    kind: str('kind'),
    title: str('title'),
    year: typeof d.year === 'number' ? d.year : null,
    issuedOn: str('issuedOn'),
    reportTo: str('reportTo'),
    targetUnits: (d.targetUnits as DirectiveFormState['targetUnits']) ?? null,
    cadences: Array.isArray(d.cadences) ? (d.cadences as DirectiveFormState['cadences']) : [],
    cutoff: d.cutoff === 'calendar' ? 'calendar' : 'decree09',
    deadline: (d.deadline as DirectiveFormState['deadline']) ?? null,
    approval: d.approval === 'parent' ? 'parent' : 'none',
    indicators: inds.map((i) => ({
      id: String(i.id),
      name: typeof i.name === 'string' ? i.name : null,
      ...(typeof i.group === 'string' ? { group: i.group } : {}),
      measure: typeof i.measure === 'string' ? i.measure : null,
      kind: (i.kind as FormIndicator['kind']) ?? null,
      direction: (i.direction as FormIndicator['direction']) ?? null,
      aggregation: (i.aggregation as FormIndicator['aggregation']) ?? null,
      ...(i.weightBy === 'households' || i.weightBy === 'population' ? { weightBy: i.weightBy } : {}),
      target: typeof i.target === 'number' || typeof i.target === 'boolean' ? i.target : null,
    })),
    removed: [],
    unitTargets: (d.unitTargets as DirectiveFormState['unitTargets']) ?? {},
  };
}

/** Drops null and undefined values (blank fields), so the directive's schema names what is missing. */
function present<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

/** The directive input the state stands for (for issuing from an empty form, or amending): blanks left out. */
export function directiveInputOf(state: DirectiveFormState, issuer: { id: string; name: string }): Record<string, unknown> {
  const { removed: _removed, indicators, ...fields } = state;
  return { ...present(fields), issuerId: issuer.id, issuerName: issuer.name, indicators: indicators.map((i) => present(i)) };
}

/**
 * The edits a draft's confirmation takes (shared/app/documents.ts `applyEdits`): every field as the form holds it,
 * a blank one as null (it clears what the document proposed), and the proposal's indicators the form dropped removed.
 */
export function draftEditsOf(state: DirectiveFormState, proposal: { id: string; indicatorIds: readonly string[] }): Record<string, unknown> {
  const { removed: _removed, indicators, id, ...fields } = state;
  const kept = new Set(indicators.map((i) => i.id));
  const dropped = proposal.indicatorIds.filter((x) => !kept.has(x)).map((x) => ({ id: x, remove: true }));
  // An id left as proposed follows a corrected number or year (applyEdits recomputes it); a changed one is the office's.
  return { ...fields, ...(id !== proposal.id ? { id } : {}), indicators: [...indicators, ...dropped] };
}

const INDICATOR_FIELDS_VI: Record<string, string> = { measure: 'đơn vị tính', kind: 'loại', direction: 'chiều phấn đấu', aggregation: 'cách tổng hợp', target: 'mục tiêu' };

/**
 * A confirmation's "still missing" line in the office's words: "indicators.ho-ngheo: “Tỷ lệ hộ nghèo” còn thiếu
 * target" → "Chỉ tiêu “Tỷ lệ hộ nghèo” còn thiếu mục tiêu"; "number: …" → "Số, ký hiệu của văn bản: …".
 */
export function missingVi(line: string): string {
  const ind = /^indicators\.[^:]+: (“[^”]*”) còn thiếu (.+)$/.exec(line);
  if (ind) return `Chỉ tiêu ${ind[1]} còn thiếu ${ind[2]!.split(', ').map((f) => INDICATOR_FIELDS_VI[f] ?? f).join(', ')}`;
  const field = /^([a-zA-Z]+): (.*)$/.exec(line);
  const label = field ? (DIRECTIVE_FIELDS_VI as Record<string, string>)[field[1]!] : undefined;
  return field && label ? `${label.charAt(0).toUpperCase()}${label.slice(1)}: ${field[2]}` : line;
}
