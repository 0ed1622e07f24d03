/**
 * A directive's stored results for one period as a leader reads them online: the same model the digest email and its
 * workbook are made from (`digestModel`), for the unit asked for and its direct children, so the figures agree.
 */
import { reportingPeriods } from '../domain/assignment.ts';
import { vietnamDate } from '../domain/calendar/index.ts';
import type { Directive } from '../domain/directive.ts';
import type { PeriodResults } from '../domain/results/index.ts';
import type { Unit } from '../domain/units.ts';
import { digestModel, type DigestArgs, type DigestModel } from '../mail/digest-email.ts';
import { digestWorkbook } from '../mail/digest-xlsx.ts';
import type { Clock, DirectiveStore, ResultsStore, UnitDirectory } from './ports.ts';
import { unitInDirective } from './report-status.ts';
import { InputError } from '../domain/errors.ts';

export interface ResultsViewDeps {
  directives: DirectiveStore;
  units: UnitDirectory;
  results: ResultsStore;
  clock: Clock;
  /** The caller's check on the unit asked for, before its results are read. */
  authorize?: (unit: Unit) => void;
  /** The unit shown when none is asked for (without it, the issuer). */
  defaultUnit?: (directive: Directive) => Promise<string | undefined>;
}

export interface ResultsView {
  directive: Directive;
  unit: Unit;
  trail: Unit[];
  period: { id: string; label: string };
  periods: { id: string; label: string }[];
  /** Absent until the period's results are computed (the morning after its deadline). */
  results?: PeriodResults;
  /** The digest's figures for `unit` (absent without results, or when the unit is not in them). */
  model?: DigestModel;
  args?: DigestArgs;
}

/** The period asked for, or the latest whose deadline has passed (its results are due), else the first. */
function periodOf(directive: Directive, periodId: string | undefined, today: string) {
  const periods = reportingPeriods(directive);
  const found = periodId ? periods.find((p) => p.period.id === periodId) : (periods.filter((p) => p.due < today).at(-1) ?? periods[0]);
  if (!found) throw new InputError(`Chỉ thị không có kỳ báo cáo "${periodId}"`, [`Các kỳ: ${periods.map((p) => p.period.id).join(', ')}`]);
  return { found, periods };
}

export async function resultsView(query: { directiveId: string; periodId?: string; unitId?: string }, deps: ResultsViewDeps): Promise<ResultsView> {
  const directive = await deps.directives.getDirective(query.directiveId, { consistent: false });
  if (!directive) throw new InputError(`Không tìm thấy chỉ thị "${query.directiveId}"`);
  const { found, periods } = periodOf(directive, query.periodId, vietnamDate(deps.clock.now()));
  const { unit, trail } = await unitInDirective(directive, query.unitId ?? (await deps.defaultUnit?.(directive)), deps);
  deps.authorize?.(unit);
  const base = { directive, unit, trail, period: { id: found.period.id, label: found.period.label }, periods: periods.map((p) => ({ id: p.period.id, label: p.period.label })) };
  const results = await deps.results.getResults(directive.id, found.period.id);
  if (!results?.units[unit.id]) return { ...base, ...(results ? { results } : {}) };
  // As sendDigests builds each leader's digest: the unit's name from the hierarchy, its children from the results.
  const childIds = Object.values(results.units).filter((u) => u.parentId === unit.id).map((u) => u.unitId);
  const args: DigestArgs = { directive, periodLabel: found.period.label, results, leader: { unitId: unit.id, name: unit.name }, childIds };
  return { ...base, results, model: digestModel(args), args };
}

/** The digest's workbook for the view (the same file the email attaches). */
export async function resultsWorkbook(view: ResultsView): Promise<Uint8Array> {
  if (!view.args) throw new InputError(`Chưa có kết quả ${view.period.label} cho ${view.unit.name}`, ['Kết quả được tổng hợp vào sáng ngày làm việc sau hạn nộp báo cáo']);
  return digestWorkbook(view.args);
}
