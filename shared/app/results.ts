import { periodById, periodsOf, type Period } from '../domain/calendar/index.ts';
import type { Directive } from '../domain/directive.ts';
import type { Obligation } from '../domain/assignment.ts';
import { countsInResults } from '../domain/approval.ts';
import { computeResults, type PeriodResults } from '../domain/results/index.ts';
import type { Unit, UnitLevel } from '../domain/units.ts';
import { InputError } from '../domain/errors.ts';
import { mapLimit } from '../retry.ts';
import type { AssignmentStore, Clock, DirectiveStore, ObligationIndex, ReportLog, ResultsStore, UnitDirectory, VillageTargetStore } from './ports.ts';

export interface ResultsDeps {
  directives: DirectiveStore;
  units: UnitDirectory;
  assignments: AssignmentStore;
  obligations: ObligationIndex;
  reports: ReportLog;
  results: ResultsStore;
  clock: Clock;
  /** Villages' targets split by their communes; absent: the village rows carry no target. */
  villageTargets?: VillageTargetStore;
}

const LEVELS: UnitLevel[] = ['province', 'district', 'commune', 'village'];

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/** The period before this one of the same cadence, in the same year (the first has none). */
export function previousPeriodId(periodId: string, cutoff: Directive['cutoff']): string | undefined {
  const period: Period = periodById(periodId, cutoff);
  const list = periodsOf(period.year, period.cadence, cutoff);
  const i = list.findIndex((p) => p.id === period.id);
  return i > 0 ? list[i - 1]!.id : undefined;
}

/**
 * A directive's results for one period, for every unit at every level, computed from what is stored (Query and
 * BatchGet only) and stored whole: the digests, `thidua results` and the next period's comparison read them back.
 */
export async function computePeriodResults(directiveId: string, periodId: string, deps: ResultsDeps, asOf?: Date): Promise<PeriodResults> {
  const directive = await deps.directives.getDirective(directiveId);
  if (!directive) throw new InputError(`Không tìm thấy chỉ thị "${directiveId}"`);
  if (!directive.cadences.some((c) => periodsOf(directive.year, c, directive.cutoff).some((p) => p.id === periodId))) {
    throw new InputError(`Chỉ thị "${directiveId}" không có kỳ báo cáo "${periodId}"`, [`Các kỳ: ${directive.cadences.flatMap((c) => periodsOf(directive.year, c, directive.cutoff).map((p) => p.id)).join(', ')}`]);
  }
  const issuer = (await deps.units.getUnits([directive.issuerId])).get(directive.issuerId);
  if (!issuer) throw new InputError(`Không tìm thấy đơn vị ban hành "${directive.issuerId}"`);
  const below = (await Promise.all(LEVELS.map((level) => collect(deps.units.descendantsAt(issuer, level))))).flat().filter((u) => u.id !== issuer.id);
  const units: Unit[] = [issuer, ...below];
  const [stored, assignments] = await Promise.all([deps.obligations.obligationsOfPeriod(directive, periodId), collect(deps.assignments.assignmentsOfDirective(directive))]);
  const obligations = stored.map((o) => countedAs(o, directive.approval));
  // One Query per submitted unit, sixteen in flight: the longest part of a province's computation otherwise.
  const reports = (
    await mapLimit(obligations.filter((x) => x.status === 'submitted'), 16, async (o) => {
      const current = (await deps.reports.reportsOf(o)).filter((r) => r.status === 'accepted').at(-1);
      return current?.rows ? [{ unitId: o.unitId, rows: current.rows as { unitId: string; values: Record<string, number | boolean | null> }[] }] : [];
    })
  ).flat();
  const villageTargets = await villageTargetsOf(directive.id, assignments, deps);
  const previousId = previousPeriodId(periodId, directive.cutoff);
  const previous = previousId ? await deps.results.getResults(directive.id, previousId) : undefined;
  const weights = Object.fromEntries(
    units.filter((u) => u.households !== undefined || u.population !== undefined).map((u) => [u.id, { ...(u.households !== undefined ? { households: u.households } : {}), ...(u.population !== undefined ? { population: u.population } : {}) }]),
  );
  const results = computeResults({
    directive,
    periodId,
    units,
    targets: Object.fromEntries(assignments.filter((a) => a.status === 'active').map((a) => [a.unitId, a.targets])),
    villageTargets,
    obligations,
    reports,
    weights,
    ...(previous ? { previous } : {}),
    ...(directive.rubric ? { rubric: directive.rubric } : {}),
    // The moment the results are about (the scheduler's, or the late report's), not when the function happens to run.
    now: (asOf ?? deps.clock.now()).toISOString(),
  });
  await deps.results.putResults(results);
  return results;
}

/**
 * An obligation as the results count it: with approval by the level above, a report it has not approved yet is not
 * received (an open obligation, its report left out) until it is.
 */
function countedAs(o: Obligation, approval: Directive['approval']): Obligation {
  if (o.status !== 'submitted' || countsInResults(o, approval)) return o;
  const { submittedAt: _at, onTime: _onTime, ...rest } = o;
  return { ...rest, status: 'open' };
}

/** Every village's target its commune gave it (BatchGet of the assigned communes' splits), by village id. */
async function villageTargetsOf(directiveId: string, assignments: readonly { unitId: string; status: string }[], deps: Pick<ResultsDeps, 'villageTargets'>) {
  if (!deps.villageTargets) return {};
  const splits = await deps.villageTargets.getVillageTargets(directiveId, assignments.filter((a) => a.status === 'active').map((a) => a.unitId));
  return Object.assign({}, ...[...splits.values()].map((s) => s.targets)) as Record<string, Record<string, number | boolean>>;
}

/** Stored results, or computed now when there are none yet. */
export async function periodResults(directiveId: string, periodId: string, deps: ResultsDeps): Promise<PeriodResults> {
  return (await deps.results.getResults(directiveId, periodId)) ?? computePeriodResults(directiveId, periodId, deps);
}
