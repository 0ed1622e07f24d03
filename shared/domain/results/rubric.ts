import { z } from 'zod';
import type { Indicator } from '../indicator.ts';
import { foldVi } from '../text.ts';

/**
 * A directive's scoring rubric (thang điểm chấm thi đua).
 *
 * Exported standalone so it can later become an optional field of the directive (`rubric: Rubric.optional()`);
 * a directive without one is scored by `defaultRubric(directive)`.
 *
 * Choices, so the numbers a leader sees can be explained:
 * - `points` gives each scored indicator its weight. An indicator without an entry earns nothing (it is still
 *   rolled up and reported, it just does not count towards the score). Points may sum to more than `cap`
 *   (bonus indicators); `cap` then bounds what can be earned.
 * - `partial`: how an indicator that is not fully achieved scores.
 *   - `linear`: points × min(1, achievement ratio), the ratio respecting the direction:
 *     increase / reach → actual ÷ target; decrease → target ÷ actual, an actual of 0 counting as fully met
 *     (0 poor households against a target of ≤ 2.5 % is the best possible result). A target ≤ 0 for increase/reach
 *     is met by any actual ≥ target (ratio 1); a target of 0 for decrease and an actual > 0 gives ratio 0.
 *     The ratio is never below 0.
 *   - `all-or-nothing`: full points when the target is met, none otherwise.
 *   - yes-no indicators are always all or nothing, whatever `partial` says.
 *   An indicator the unit left blank (null) earns nothing.
 * - `fourNo`: the "4 không" (no serious crime, no food-safety violation, no mass complaint, no serious traffic
 *   accident). They are counts of incidents; a count > 0 in the period breaks that criterion for that village.
 *   Each breach deducts `deductionPerBreach`. By default (`perVillage` absent or false) a criterion counts once per
 *   commune however many villages broke it ("xã không đạt tiêu chí không có tai nạn giao thông"); with
 *   `perVillage: true` every (village, criterion) pair counts. The number of incidents never multiplies the
 *   deduction: two accidents in one village are one breach.
 * - `cap`: the most a unit can score. It bounds the points earned *before* deductions, so a breach always costs
 *   something, even to a commune that earned bonus points above the cap.
 * - `notReportedScore`: the score of a reporting unit that did not report, and the floor of one that did: a unit
 *   that reported bad news never scores below one that reported nothing (otherwise hiding a breach would pay).
 *
 * Score of a reporting unit that reported = max(notReportedScore, min(cap, Σ points earned) − breaches × deduction),
 * rounded to 2 decimals (ranks compare the rounded score, so two scores that print the same rank the same).
 */
export const Rubric = z
  .object({
    points: z.record(z.string(), z.number().min(0, 'điểm của chỉ tiêu không được âm')),
    partial: z.enum(['linear', 'all-or-nothing']),
    cap: z.number().min(0, 'điểm tối đa không được âm'),
    fourNo: z.object({
      deductionPerBreach: z.number().min(0, 'điểm trừ không được âm'),
      perVillage: z.boolean().optional(),
    }),
    notReportedScore: z.number(),
  })
  .superRefine((r, ctx) => {
    if (r.notReportedScore > r.cap) {
      ctx.addIssue({ code: 'custom', path: ['notReportedScore'], message: `điểm khi không báo cáo (${r.notReportedScore}) lớn hơn điểm tối đa (${r.cap})` });
    }
  });
export type Rubric = z.infer<typeof Rubric>;

/** The group name that marks the four no's; compared without diacritics or case ("4 Không", "4 khong"). */
export const FOUR_NO_GROUP = '4 không';

export function isFourNo(indicator: Pick<Indicator, 'group'>): boolean {
  return indicator.group !== undefined && foldVi(indicator.group).replace(/\s+/g, ' ') === foldVi(FOUR_NO_GROUP);
}

/**
 * The default rubric: 100 points shared equally by the indicators outside the "4 không" (each gets 100 ÷ n, kept
 * unrounded so a commune that meets everything scores exactly 100), linear partial credit, capped at 100, 5 points
 * off per breached "4 không" criterion (once per commune), 0 for not reporting.
 */
export function defaultRubric(directive: { readonly indicators: readonly Indicator[] }): Rubric {
  const scored = directive.indicators.filter((ind) => !isFourNo(ind));
  const each = scored.length ? 100 / scored.length : 0;
  return {
    points: Object.fromEntries(scored.map((ind) => [ind.id, each])),
    partial: 'linear',
    cap: 100,
    fourNo: { deductionPerBreach: 5 },
    notReportedScore: 0,
  };
}

/** What is wrong with a rubric for this directive, in Vietnamese; empty when it fits. For a later superRefine. */
export function rubricProblems(rubric: Rubric, directive: { readonly indicators: readonly Indicator[] }): string[] {
  const byId = new Map(directive.indicators.map((ind) => [ind.id, ind]));
  const problems: string[] = [];
  for (const id of Object.keys(rubric.points)) {
    if (!byId.has(id)) problems.push(`thang điểm có chỉ tiêu "${id}" không có trong chỉ thị`);
  }
  if (rubric.fourNo.deductionPerBreach > 0 && !directive.indicators.some(isFourNo)) {
    problems.push('thang điểm có điểm trừ "4 không" nhưng chỉ thị không có chỉ tiêu nào thuộc nhóm "4 không"');
  }
  return problems;
}

/** Tolerance of comparisons on rolled-up numbers, so 92.99999999999999 meets a target of 93. */
export const EPSILON = 1e-9;

type Value = number | boolean | null;

/** Whether an actual meets its target, respecting the direction; null when either is missing or of another type. */
export function isMet(indicator: Pick<Indicator, 'kind' | 'direction'>, actual: Value, target: Value): boolean | null {
  if (actual === null || target === null) return null;
  if (indicator.kind === 'yes-no' || typeof actual === 'boolean' || typeof target === 'boolean') {
    return typeof actual === typeof target ? actual === target : null;
  }
  return indicator.direction === 'decrease' ? actual <= target + EPSILON : actual >= target - EPSILON;
}

/**
 * How much of the target is achieved, 0…1 (already capped at 1), respecting the direction; see `Rubric`.
 * Yes-no: 1 or 0. Null when the actual or the target is missing.
 */
export function achievementRatio(indicator: Pick<Indicator, 'kind' | 'direction'>, actual: Value, target: Value): number | null {
  const met = isMet(indicator, actual, target);
  if (met === null) return null;
  if (typeof actual !== 'number' || typeof target !== 'number') return met ? 1 : 0;
  if (met) return 1;
  let ratio: number;
  if (indicator.direction === 'decrease') ratio = actual <= 0 ? 1 : target / actual;
  else ratio = target <= 0 ? 0 : actual / target;
  return Math.min(1, Math.max(0, ratio));
}

/** Points one indicator earns under the rubric (unrounded). */
export function pointsFor(indicator: Pick<Indicator, 'id' | 'kind' | 'direction'>, actual: Value, target: Value, rubric: Rubric): number {
  const points = rubric.points[indicator.id] ?? 0;
  if (!points) return 0;
  const ratio = achievementRatio(indicator, actual, target);
  if (ratio === null) return 0;
  if (indicator.kind === 'yes-no' || rubric.partial === 'all-or-nothing') return ratio >= 1 ? points : 0;
  return points * ratio;
}

/** Rounds a score to 2 decimals, first removing binary noise (x.xx4999999 → x.xx5). */
export function roundScore(x: number): number {
  return Math.round(Number((x * 100).toPrecision(12))) / 100;
}
