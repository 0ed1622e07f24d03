/**
 * The multi-year review (sơ kết / tổng kết) of a directive that runs several years: "Qua 03 năm triển khai thực
 * hiện Chỉ thị…" (seed 000). Leaders ask what changed between the first and the last year — which units improved,
 * which fell back, whether the "4 không" held, how many units registered and what titles they earned — and warn that
 * "tính thi đua giữa các thôn chưa thể hiện rõ": so every unit of one level is compared on the same figures.
 *
 * Built only from stored year results (`PeriodResults` of each year period), registrations and the titles conferred:
 * nothing is recomputed from reports. Pure; the review is plain JSON (arrays aligned with `years`, no Map, Date,
 * undefined or NaN), so a stored copy reads back equal.
 */
import type { Directive, Indicator } from '../directive.ts';
import { isFourNo } from '../results/rubric.ts';
import type { IndicatorValue, PeriodResults, UnitResult } from '../results/types.ts';
import type { HistoryEntry, Registration } from './types.ts';

export interface ReviewInput {
  directive: Pick<Directive, 'id' | 'kind' | 'number' | 'title' | 'indicators'>;
  /** One entry per year, any order: the results of that year's year period. */
  years: { year: number; results: PeriodResults }[];
  /** Registrations by year (any unit; those of other directives or of units not compared are left out). */
  registrations: ReadonlyMap<number, readonly Registration[]>;
  /** Titles conferred in those years, any unit (entries of other years are left out). */
  titles: readonly HistoryEntry[];
  /** The units compared. */
  level: 'commune' | 'village';
}

/** Whether a value moved the way the directive wants between the first and last year that have one. */
export type Trend = 'improved' | 'declined' | 'unchanged';

/** An indicator as the review shows it. */
export interface ReviewIndicator {
  id: string;
  name: string;
  measure: string;
  kind: Indicator['kind'];
  direction: Indicator['direction'];
  /** A "4 không" criterion (its group, or listed as one by the results of some year). */
  fourNo: boolean;
}

/** One indicator of one unit across the years. */
export interface UnitIndicatorReview {
  /** The unit's actual in each year of `MultiYearReview.years`; null where the year has no value (or no results for the unit). */
  values: IndicatorValue[];
  /**
   * Last present value − first present value (numbers only, rounded to 4 decimals); null for yes-no indicators or
   * with fewer than two years with a value.
   */
  change: number | null;
  /**
   * First present year against the last present year, in the directive's direction: a falling poor-household rate
   * ("decrease") is improved. Yes-no: towards the indicator's target is improved. Null with fewer than two years with
   * a value.
   */
  trend: Trend | null;
}

/** One unit of the compared level across the years. */
export interface UnitReview {
  unitId: string;
  /** Its name in the latest year it appears in. */
  name: string;
  parentId: string | null;
  /** The parent's name in that year, when the parent is in the results ("" otherwise). */
  parentName: string;
  indicators: Record<string, UnitIndicatorReview>;
  /** The score of each year (null: not in that year's results, or not scored). */
  scores: (number | null)[];
  /** Last present score − first present score (2 decimals); null with fewer than two scored years. */
  scoreChange: number | null;
  /** Rank among its siblings in each year (null where unranked). */
  ranks: (number | null)[];
  /** "4 không" breaches (village × criterion) at or below the unit, each year; null where the unit has no results. */
  breaches: (number | null)[];
}

/** A unit among those that improved or declined most. */
export interface ScoreMove {
  unitId: string;
  name: string;
  /** Score of the first and of the last year (both present). */
  first: number;
  last: number;
  /** last − first (2 decimals). */
  change: number;
}

/** "4 không" over the compared units in one year. */
export interface FourNoYear {
  year: number;
  /** Breaches (village × criterion) over the compared units. */
  breaches: number;
  /** Incidents reported in those breaches (two accidents in one village count 2). */
  incidents: number;
  /** Compared units with at least one breach. */
  unitsBreaching: number;
  /** Compared units with a "4 không" value and no breach. */
  unitsClean: number;
  /** Compared units in the year's results with no "4 không" value at all (not reported): neither clean nor breaching. */
  unitsUnassessed: number;
}

/** Registrations of the compared units for one year of the directive. */
export interface RegistrationYear {
  year: number;
  /** Sent, in any state but "not-sent". */
  registered: number;
  approved: number;
  /** Sent after the registration deadline. */
  late: number;
}

/** Titles conferred in one year: how many units received each. */
export interface TitleYear {
  year: number;
  /** By title name, most units first, then by name. */
  titles: { titleId: string; titleVi: string; units: number }[];
  /** Units with at least one title. */
  unitsWithTitle: number;
}

/** One indicator across all compared units. */
export interface IndicatorSummary {
  indicatorId: string;
  /**
   * Each year: the mean of the units' numeric actuals (2 decimals); for yes-no indicators the share of units
   * answering "có" (0…1, 4 decimals). Null where no unit has a value.
   */
  meanByYear: (number | null)[];
  /** Units with a value in each year. */
  unitsByYear: number[];
  improved: number;
  declined: number;
  unchanged: number;
}

/**
 * The multi-year review of one directive over the units of one level: per unit the indicators and score by year with
 * their change and trend, the units that improved and declined most, and per year the "4 không", registrations and
 * titles. Every per-year array is aligned with `years` (ascending).
 */
export interface MultiYearReview {
  format: 'thidua-review';
  formatVersion: 1;
  directive: { id: string; kind: string; number: string; title: string };
  level: 'commune' | 'village';
  /** Ascending. */
  years: number[];
  /** Each year's `periodId`. */
  periodIds: string[];
  indicators: ReviewIndicator[];
  /** Units of `level` present in some year's results, by name (Vietnamese order), then id. */
  units: UnitReview[];
  /** Up to 5 units whose score rose most between the first and the last year (change > 0; ties by name). */
  improvedMost: ScoreMove[];
  /** Up to 5 units whose score fell most (change < 0; ties by name). */
  declinedMost: ScoreMove[];
  fourNoByYear: FourNoYear[];
  registrationsByYear: RegistrationYear[];
  titlesByYear: TitleYear[];
  indicatorSummaries: IndicatorSummary[];
}

const TOP = 5;

/** Rounds away float noise (0.1 + 0.2) and never leaves −0, which JSON would not keep. */
function round(x: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
}

const byNameVi = (a: { name: string; unitId: string }, b: { name: string; unitId: string }) =>
  a.name.localeCompare(b.name, 'vi') || (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0);

/** Indexes of the first and the last entry that is not null, or null with fewer than two. */
function firstAndLast<T>(values: readonly (T | null)[]): [number, number] | null {
  const present = values.flatMap((v, i) => (v === null ? [] : [i]));
  return present.length >= 2 ? [present[0]!, present[present.length - 1]!] : null;
}

/** Which way a numeric change points, respecting the direction ("reach" counts as "increase"). */
function numericTrend(direction: Indicator['direction'], change: number): Trend {
  if (change === 0) return 'unchanged';
  return (direction === 'decrease' ? change < 0 : change > 0) ? 'improved' : 'declined';
}

function indicatorReview(ind: Indicator, values: IndicatorValue[]): UnitIndicatorReview {
  const ends = firstAndLast(values);
  if (!ends) return { values, change: null, trend: null };
  const first = values[ends[0]]!;
  const last = values[ends[1]]!;
  if (typeof first === 'number' && typeof last === 'number') {
    const change = round(last - first, 4);
    return { values, change, trend: numericTrend(ind.direction, change) };
  }
  if (typeof first === 'boolean' && typeof last === 'boolean') {
    // Towards the target is better; a yes-no indicator's target is a boolean (true when not stated).
    const wanted = typeof ind.target === 'boolean' ? ind.target : true;
    return { values, change: null, trend: first === last ? 'unchanged' : last === wanted ? 'improved' : 'declined' };
  }
  return { values, change: null, trend: null };
}

function scoreMoves(units: readonly UnitReview[], lastIndex: number): ScoreMove[] {
  return units.flatMap((u) => {
    const first = u.scores[0];
    const last = u.scores[lastIndex];
    if (first === null || first === undefined || last === null || last === undefined) return [];
    return [{ unitId: u.unitId, name: u.name, first, last, change: round(last - first, 2) }];
  });
}

function isAssessed(u: UnitResult, fourNoIds: readonly string[]): boolean {
  return fourNoIds.some((id) => (u.indicators[id]?.actual ?? null) !== null);
}

/** Builds the review. Years are sorted ascending; a year given twice is an error of the caller. */
export function buildReview(input: ReviewInput): MultiYearReview {
  const years = [...input.years].sort((a, b) => a.year - b.year);
  for (let i = 1; i < years.length; i++) {
    if (years[i]!.year === years[i - 1]!.year) throw new Error(`review: year ${years[i]!.year} given twice`);
  }
  const yearNumbers = years.map((y) => y.year);
  const lastIndex = years.length - 1;
  const fourNoListed = new Set(years.flatMap((y) => y.results.fourNoIndicatorIds));
  const indicators: ReviewIndicator[] = input.directive.indicators.map((ind) => ({
    id: ind.id,
    name: ind.name,
    measure: ind.measure,
    kind: ind.kind,
    direction: ind.direction,
    fourNo: fourNoListed.has(ind.id) || isFourNo(ind),
  }));
  const fourNoIds = indicators.filter((i) => i.fourNo).map((i) => i.id);

  // Units of the level in each year's results, and their latest appearance (name and parent).
  const ofLevel = years.map((y) => Object.values(y.results.units).filter((u) => u.level === input.level));
  const latest = new Map<string, { unit: UnitResult; results: PeriodResults }>();
  years.forEach((y, i) => ofLevel[i]!.forEach((u) => latest.set(u.unitId, { unit: u, results: y.results })));

  const units: UnitReview[] = [...latest.values()]
    .map(({ unit, results }) => {
      const each = years.map((y) => y.results.units[unit.unitId] ?? null);
      const scores = each.map((u) => u?.score ?? null);
      const scoreEnds = firstAndLast(scores);
      return {
        unitId: unit.unitId,
        name: unit.name,
        parentId: unit.parentId,
        parentName: unit.parentId ? (results.units[unit.parentId]?.name ?? '') : '',
        indicators: Object.fromEntries(
          input.directive.indicators.map((ind) => [ind.id, indicatorReview(ind, each.map((u) => u?.indicators[ind.id]?.actual ?? null))]),
        ),
        scores,
        scoreChange: scoreEnds ? round(scores[scoreEnds[1]]! - scores[scoreEnds[0]]!, 2) : null,
        ranks: each.map((u) => u?.rank ?? null),
        breaches: each.map((u) => (u ? u.fourNo.length : null)),
      };
    })
    .sort(byNameVi);
  const compared = new Set(units.map((u) => u.unitId));

  const moves = scoreMoves(units, lastIndex);
  const improvedMost = moves.filter((m) => m.change > 0).sort((a, b) => b.change - a.change || byNameVi(a, b)).slice(0, TOP);
  const declinedMost = moves.filter((m) => m.change < 0).sort((a, b) => a.change - b.change || byNameVi(a, b)).slice(0, TOP);

  const fourNoByYear: FourNoYear[] = years.map((y, i) => {
    const list = ofLevel[i]!;
    const breaching = list.filter((u) => u.fourNo.length > 0);
    return {
      year: y.year,
      breaches: list.reduce((n, u) => n + u.fourNo.length, 0),
      incidents: list.reduce((n, u) => n + u.fourNo.reduce((k, b) => k + b.count, 0), 0),
      unitsBreaching: breaching.length,
      unitsClean: list.filter((u) => u.fourNo.length === 0 && isAssessed(u, fourNoIds)).length,
      unitsUnassessed: list.filter((u) => u.fourNo.length === 0 && !isAssessed(u, fourNoIds)).length,
    };
  });

  const registrationsByYear: RegistrationYear[] = yearNumbers.map((year) => {
    // One registration per unit counts (the latest version), so a resent one is not counted twice.
    const latestOf = new Map<string, Registration>();
    for (const r of input.registrations.get(year) ?? []) {
      if (r.directiveId !== input.directive.id || r.year !== year || !compared.has(r.unitId)) continue;
      const seen = latestOf.get(r.unitId);
      if (!seen || r.version > seen.version) latestOf.set(r.unitId, r);
    }
    const sent = [...latestOf.values()].filter((r) => r.state !== 'not-sent');
    return { year, registered: sent.length, approved: sent.filter((r) => r.state === 'approved').length, late: sent.filter((r) => r.late).length };
  });

  const titlesByYear: TitleYear[] = yearNumbers.map((year) => {
    const unitsByTitle = new Map<string, { titleId: string; units: Set<string> }>();
    const withTitle = new Set<string>();
    for (const t of input.titles) {
      if (t.year !== year) continue;
      const entry = unitsByTitle.get(t.titleVi) ?? { titleId: t.titleId, units: new Set<string>() };
      entry.units.add(t.unitId);
      unitsByTitle.set(t.titleVi, entry);
      withTitle.add(t.unitId);
    }
    const titles = [...unitsByTitle.entries()]
      .map(([titleVi, e]) => ({ titleId: e.titleId, titleVi, units: e.units.size }))
      .sort((a, b) => b.units - a.units || a.titleVi.localeCompare(b.titleVi, 'vi'));
    return { year, titles, unitsWithTitle: withTitle.size };
  });

  const indicatorSummaries: IndicatorSummary[] = input.directive.indicators.map((ind) => {
    const reviews = units.map((u) => u.indicators[ind.id]!);
    const meanByYear = yearNumbers.map((_, i) => {
      const values = reviews.map((r) => r.values[i]).filter((v): v is number | boolean => v !== null && v !== undefined);
      if (!values.length) return null;
      const total = values.reduce<number>((s, v) => s + (typeof v === 'boolean' ? (v ? 1 : 0) : v), 0);
      return round(total / values.length, ind.kind === 'yes-no' ? 4 : 2);
    });
    const count = (t: Trend) => reviews.filter((r) => r.trend === t).length;
    return {
      indicatorId: ind.id,
      meanByYear,
      unitsByYear: yearNumbers.map((_, i) => reviews.filter((r) => r.values[i] !== null).length),
      improved: count('improved'),
      declined: count('declined'),
      unchanged: count('unchanged'),
    };
  });

  return {
    format: 'thidua-review',
    formatVersion: 1,
    directive: { id: input.directive.id, kind: input.directive.kind, number: input.directive.number, title: input.directive.title },
    level: input.level,
    years: yearNumbers,
    periodIds: years.map((y) => y.results.periodId),
    indicators,
    units,
    improvedMost,
    declinedMost,
    fourNoByYear,
    registrationsByYear,
    titlesByYear,
    indicatorSummaries,
  };
}
