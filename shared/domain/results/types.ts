import type { Obligation } from '../assignment.ts';
import type { Directive } from '../directive.ts';
import type { Unit } from '../units.ts';
import type { Rubric } from './rubric.ts';

/**
 * Results of one period of one directive: every unit of the issuer's subtree with its reporting rates, indicator
 * actuals and targets, "4 không" record, score, rank and change from the previous period.
 *
 * Plain JSON all the way down (strings, finite numbers, booleans, null, arrays, plain objects; no undefined, Map,
 * Date or NaN), so `JSON.parse(JSON.stringify(results))` deep-equals `results` and a stored copy serves as the
 * `previous` of the next period without recomputing.
 */
export interface PeriodResults {
  format: 'thidua-results';
  formatVersion: 1;
  directiveId: string;
  directiveVersion: number;
  periodId: string;
  /** The `now` of the computation. */
  computedAt: string;
  /** Units of the input without a parent in it: normally the issuer alone. */
  rootIds: string[];
  /** The rubric the scores were computed with (the directive's, or the default): stored results explain themselves. */
  rubric: Rubric;
  /** Ids of the "4 không" indicators, in directive order. */
  fourNoIndicatorIds: string[];
  /** The period the `change` of every unit is measured from, or null without a previous period. */
  previousPeriodId: string | null;
  units: Record<string, UnitResult>;
  notes: ResultNote[];
}

export type IndicatorValue = number | boolean | null;

/** Where a reporting unit's report stands for the period. */
export type ReportingStatus =
  /** Submitted before the end of its due day (Vietnam time). */
  | 'on-time'
  /** Submitted after it. */
  | 'late'
  /** Not submitted, due date not passed at `now`. */
  | 'pending'
  /** Not submitted, due date passed at `now`. */
  | 'overdue'
  /** The obligation was cancelled: not expected, not scored. */
  | 'cancelled';

/**
 * Reporting rates as DHIS2 defines them, over the reporting units at or below this unit.
 * expected = obligations not cancelled; received = submitted; onTime = submitted on time;
 * completeness = received ÷ expected; timeliness = onTime ÷ expected (both null when nothing is expected, never
 * above 1). `flagged` when completeness < 0.8.
 */
export interface ReportingRates {
  expected: number;
  received: number;
  onTime: number;
  completeness: number | null;
  timeliness: number | null;
  flagged: boolean;
}

export interface IndicatorResult {
  /** Villages: the report row; above: rolled up from the children by the indicator's aggregation. Null when nothing below reported a value. */
  actual: IndicatorValue;
  /** Reporting units: their assigned target; above: rolled up; villages: their commune's split, else null. */
  target: IndicatorValue;
  /** `actual` against `target`, respecting the direction; null when either is null. */
  met: boolean | null;
  /** How many report rows (villages) at or below this unit gave a value for the indicator. */
  rows: number;
}

/** One broken "4 không" criterion in one village. */
export interface FourNoBreach {
  /** The report row's unit: a village, or the commune itself when it reports without villages. */
  villageId: string;
  /** The reporting unit (commune) whose report it came from. */
  reportingUnitId: string;
  indicatorId: string;
  /** Incidents reported (1 for a yes-no criterion answered the wrong way). */
  count: number;
}

/** How a reporting unit's score was made. */
export interface ScoreDetail {
  /** False: the unit did not report and scored `rubric.notReportedScore`. */
  reported: boolean;
  /** Points earned per scored indicator, rounded to 2 decimals for display (the total uses the unrounded points). */
  byIndicator: Record<string, number>;
  /** Σ points earned, before the cap (2 decimals). */
  earned: number;
  /** Breaches counted for deductions (criteria, or (village, criterion) pairs with `perVillage`). */
  breaches: number;
  deductions: number;
  /** = the unit's `score`. */
  total: number;
}

/** Change from the previous period (current − previous). */
export interface UnitChange {
  /** Numeric actuals only; null for yes-no indicators or when either period has no value. */
  indicators: Record<string, number | null>;
  score: number | null;
  /** previous rank − current rank: positive means the unit climbed (3rd → 1st is +2). Null when either is unranked. */
  rank: number | null;
}

export interface UnitResult {
  unitId: string;
  name: string;
  level: Unit['level'];
  parentId: string | null;
  path: string[];
  /** Present on reporting units (units with an obligation for the period), null elsewhere. */
  reporting: {
    status: ReportingStatus;
    dueDate: string;
    submittedAt: string | null;
  } | null;
  rates: ReportingRates;
  indicators: Record<string, IndicatorResult>;
  /** Every breach in the villages at or below this unit, ordered by village path then directive order. */
  fourNo: FourNoBreach[];
  /**
   * Reporting units: the rubric's score. Units above them: the unweighted mean of their scored children's scores
   * (each child counts once, whatever its size; a commune that did not report counts with its `notReportedScore`),
   * rounded to 2 decimals. Villages, cancelled units and units with nothing scored below: null.
   */
  score: number | null;
  scoreDetail: ScoreDetail | null;
  /** How many children's scores the mean is over (units above reporting units), else null. */
  scoredChildren: number | null;
  /**
   * Standard competition rank ("1, 2, 2, 4") among the siblings (same parent) that have a score, highest first.
   * Ties are not broken: equal (rounded) scores share a rank and the next rank is skipped. Null without a score or
   * for a root.
   */
  rank: number | null;
  /** How many siblings were ranked, this unit included ("hạng 2/3"). */
  rankOf: number | null;
  /** Null when no previous period is given or the unit is new since then. */
  change: UnitChange | null;
}

/** Something a reader of the results should know: a fallback taken or an input ignored. */
export interface ResultNote {
  code:
    | 'weights-missing'
    | 'report-without-obligation'
    | 'report-of-cancelled'
    | 'submitted-without-report'
    | 'report-without-submission'
    | 'unknown-row'
    | 'duplicate-row'
    | 'bad-value'
    | 'missing-target'
    | 'duplicate-obligation'
    | 'other-period'
    | 'on-time-derived'
    | 'blank-scored-value'
    | 'previous-mismatch'
    | 'unknown-unit';
  messageVi: string;
  unitId?: string;
  indicatorId?: string;
}

export interface ResultsInput {
  directive: Pick<Directive, 'id' | 'version' | 'indicators' | 'unitTargets'>;
  periodId: string;
  /** The whole subtree under the issuer, villages included. */
  units: readonly Unit[];
  /** Targets per reporting unit (commune); a missing one falls back to the directive's (`targetsFor`). */
  targets: Record<string, Record<string, number | boolean>>;
  /** Targets of villages, by village id, where their commune split its own over them (the village rows show them). */
  villageTargets?: Record<string, Record<string, number | boolean>>;
  /** One per reporting unit for this period. */
  obligations: readonly Obligation[];
  /** The current accepted report of each reporting unit that has one. */
  reports: readonly {
    unitId: string;
    rows: readonly { unitId: string; values: Record<string, IndicatorValue> }[];
  }[];
  /** Household and population counts, by unit (villages; communes optionally). */
  weights?: Record<string, { households?: number; population?: number }>;
  previous?: PeriodResults;
  /** Defaults to `defaultRubric(directive)`. */
  rubric?: Rubric;
  /** ISO instant: tells overdue from pending, and stamps the results. */
  now: string;
}
