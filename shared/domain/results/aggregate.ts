import type { Obligation } from '../assignment.ts';
import { vietnamDate } from '../calendar/index.ts';
import { targetsFor, type Indicator } from '../directive.ts';
import type { Unit } from '../units.ts';
import { defaultRubric, isFourNo, isMet, pointsFor, roundScore, Rubric } from './rubric.ts';
import type {
  FourNoBreach,
  IndicatorResult,
  IndicatorValue,
  PeriodResults,
  ReportingRates,
  ReportingStatus,
  ResultNote,
  ResultsInput,
  ScoreDetail,
  UnitChange,
  UnitResult,
} from './types.ts';

/**
 * Results of one period: reporting rates, indicator roll-ups, "4 không" record, scores, ranks and change from the
 * previous period, for every unit of the subtree (villages, communes, districts, province). Pure: same input, same
 * output; nothing is read or written.
 *
 * Roll-up rules (an indicator's `aggregation`), applied level by level from the children that have a value:
 * - sum, min, max: of the children's values.
 * - mean: the plain mean of the children's values; each child counts once, so a province's mean is the mean of its
 *   communes' means, not of all villages.
 * - weighted-mean (by households or population): Σ value × weight ÷ Σ weight, where a village's weight is its own count
 *   and a unit above carries up the sum of the weights of the children that contributed, so the province's value is the
 *   household-weighted mean of all reporting villages. When a contributing child has no weight (> 0), that unit falls
 *   back to the plain mean of its children and a 'weights-missing' note says so; the weight it then carries up is its
 *   own entry in `weights`, if any.
 * - all / any (yes-no): every / some child's value is true.
 * Null values (blank cells) are skipped; a unit with no value below is null.
 *
 * Targets are assigned to reporting units (from `targets`, else the directive's `targetsFor`); villages have none.
 * Above the reporting units they roll up over every reporting unit whose obligation is not cancelled, whether it
 * reported or not (the assignment does not shrink because a commune is silent): sum → sum of targets;
 * weighted-mean → weighted by the children's full weights (all their villages); mean, min, max → plain mean;
 * all / any → the same on the boolean targets. So a province's summed actual (what was reported) is compared with
 * the whole province's target.
 *
 * A cancelled obligation takes its unit out entirely: not expected, its report (if any) ignored, no target, no score.
 */
export function computeResults(input: ResultsInput): PeriodResults {
  const { directive, periodId } = input;
  const rubric = storedRubric(input.rubric ?? defaultRubric(directive));
  const indicators = directive.indicators;
  const fourNo = indicators.filter(isFourNo);
  const notes: ResultNote[] = [];
  const note = (n: ResultNote) => notes.push(n);

  // ---- the tree -------------------------------------------------------------------------------------------------
  const unitById = new Map(input.units.map((u) => [u.id, u]));
  const children = new Map<string, Unit[]>();
  const rootIds: string[] = [];
  for (const u of input.units) {
    if (u.parentId && unitById.has(u.parentId)) {
      const list = children.get(u.parentId) ?? [];
      list.push(u);
      children.set(u.parentId, list);
    } else rootIds.push(u.id);
  }
  for (const list of children.values()) list.sort((a, b) => cmp(a.id, b.id));
  rootIds.sort(cmp);
  const childrenOf = (id: string): Unit[] => children.get(id) ?? [];
  // Parents before children (depth-first, siblings by id); reversed, children before parents.
  const topDown: Unit[] = [];
  const visit = (u: Unit) => {
    topDown.push(u);
    childrenOf(u.id).forEach(visit);
  };
  rootIds.forEach((id) => visit(unitById.get(id)!));
  const bottomUp = [...topDown].reverse();

  // ---- obligations: who reports, and how it stands --------------------------------------------------------------
  const obligationOf = new Map<string, Obligation>();
  for (const o of input.obligations) {
    if (o.periodId !== periodId || o.directiveId !== directive.id) {
      note({ code: 'other-period', unitId: o.unitId, messageVi: `Bỏ qua nghĩa vụ báo cáo kỳ ${o.periodId} của chỉ thị "${o.directiveId}" (đang tổng hợp kỳ ${periodId} của chỉ thị "${directive.id}")` });
      continue;
    }
    if (!unitById.has(o.unitId)) {
      note({ code: 'unknown-unit', unitId: o.unitId, messageVi: `Bỏ qua nghĩa vụ báo cáo của đơn vị "${o.unitId}" không thuộc địa bàn tổng hợp` });
      continue;
    }
    if (obligationOf.has(o.unitId)) {
      note({ code: 'duplicate-obligation', unitId: o.unitId, messageVi: `Đơn vị "${o.unitId}" có hơn một nghĩa vụ báo cáo kỳ ${periodId}; dùng nghĩa vụ đầu tiên` });
      continue;
    }
    obligationOf.set(o.unitId, o);
  }
  const active = (id: string): boolean => {
    const o = obligationOf.get(id);
    return o !== undefined && o.status !== 'cancelled';
  };
  const today = vietnamDate(input.now);
  const statusOf = (o: Obligation): ReportingStatus => {
    if (o.status === 'cancelled') return 'cancelled';
    if (o.status === 'submitted') {
      if (o.onTime !== undefined) return o.onTime ? 'on-time' : 'late';
      // Same rule as recordSubmission: on time when it arrived by the end of the due day, Vietnam time.
      const onTime = o.submittedAt !== undefined && vietnamDate(o.submittedAt) <= o.dueDate;
      note({ code: 'on-time-derived', unitId: o.unitId, messageVi: `Nghĩa vụ của "${o.unitId}" không ghi đúng hạn hay muộn; tính từ thời điểm nộp: ${onTime ? 'đúng hạn' : 'muộn'}` });
      return onTime ? 'on-time' : 'late';
    }
    return today > o.dueDate ? 'overdue' : 'pending';
  };
  const status = new Map([...obligationOf].map(([id, o]) => [id, statusOf(o)]));

  // ---- targets of the reporting units ---------------------------------------------------------------------------
  const ownTarget = new Map<string, Record<string, IndicatorValue>>();
  for (const [unitId] of obligationOf) {
    if (!active(unitId)) continue;
    const given = input.targets[unitId];
    const fallback = targetsFor(directive, unitId);
    const t: Record<string, IndicatorValue> = {};
    const fellBack: string[] = [];
    for (const ind of indicators) {
      let value: unknown = given?.[ind.id];
      if (value === undefined) {
        value = fallback[ind.id];
        fellBack.push(`"${ind.id}" = ${String(value)}`);
      }
      t[ind.id] = validValue(ind, value) ? value : null;
    }
    if (fellBack.length) {
      note({ code: 'missing-target', unitId, messageVi: `Chưa có chỉ tiêu giao cho "${unitId}"; dùng mục tiêu của chỉ thị: ${fellBack.join(', ')}` });
    }
    ownTarget.set(unitId, t);
  }

  // ---- report rows ----------------------------------------------------------------------------------------------
  const rowOf = new Map<string, { reportingUnitId: string; values: Record<string, IndicatorValue> }>();
  const hasReport = new Set<string>();
  for (const report of input.reports) {
    const o = obligationOf.get(report.unitId);
    if (!o) {
      note({ code: 'report-without-obligation', unitId: report.unitId, messageVi: `Bỏ qua báo cáo của "${report.unitId}": đơn vị không có nghĩa vụ báo cáo kỳ ${periodId}` });
      continue;
    }
    if (o.status === 'cancelled') {
      note({ code: 'report-of-cancelled', unitId: report.unitId, messageVi: `Bỏ qua báo cáo của "${report.unitId}": nghĩa vụ báo cáo kỳ ${periodId} đã bị hủy` });
      continue;
    }
    if (o.status !== 'submitted') {
      note({ code: 'report-without-submission', unitId: report.unitId, messageVi: `Báo cáo của "${report.unitId}" có số liệu nhưng nghĩa vụ chưa ghi nhận đã nộp; số liệu vẫn được tổng hợp, tỷ lệ báo cáo theo nghĩa vụ` });
    }
    hasReport.add(report.unitId);
    for (const row of report.rows) {
      const rowUnit = unitById.get(row.unitId);
      if (!rowUnit || !rowUnit.path.includes(report.unitId)) {
        note({ code: 'unknown-row', unitId: row.unitId, messageVi: `Bỏ qua dòng "${row.unitId}" trong báo cáo của "${report.unitId}": không phải thôn của đơn vị này` });
        continue;
      }
      if (rowOf.has(row.unitId)) {
        note({ code: 'duplicate-row', unitId: row.unitId, messageVi: `Dòng "${row.unitId}" lặp lại trong báo cáo của "${report.unitId}"; dùng dòng đầu tiên` });
        continue;
      }
      const values: Record<string, IndicatorValue> = {};
      for (const ind of indicators) {
        const v = row.values[ind.id];
        if (v === undefined || v === null) values[ind.id] = null;
        else if (validValue(ind, v)) values[ind.id] = v;
        else {
          values[ind.id] = null;
          note({ code: 'bad-value', unitId: row.unitId, indicatorId: ind.id, messageVi: `Giá trị "${String(v)}" của "${ind.id}" ở "${row.unitId}" không đúng loại ${ind.kind}; bỏ qua` });
        }
      }
      rowOf.set(row.unitId, { reportingUnitId: report.unitId, values });
    }
  }
  for (const [unitId, o] of obligationOf) {
    if (o.status === 'submitted' && !hasReport.has(unitId)) {
      note({ code: 'submitted-without-report', unitId, messageVi: `Nghĩa vụ của "${unitId}" ghi đã nộp nhưng không có báo cáo được chấp nhận; coi như chưa có số liệu` });
    }
  }

  // ---- weights --------------------------------------------------------------------------------------------------
  const ownWeight = (unitId: string, by: WeightBy): number | null => {
    const w = input.weights?.[unitId]?.[by];
    return typeof w === 'number' && Number.isFinite(w) && w > 0 ? w : null;
  };
  /** A unit's whole weight: the sum over its children when all of them have one, else its own entry. */
  const fullWeightMemo = new Map<string, number | null>();
  const fullWeight = (unitId: string, by: WeightBy): number | null => {
    const key = `${by}\u0000${unitId}`;
    if (fullWeightMemo.has(key)) return fullWeightMemo.get(key)!;
    const kids = childrenOf(unitId);
    let w: number | null = null;
    if (kids.length) {
      const ws = kids.map((k) => fullWeight(k.id, by));
      w = ws.every((x) => x !== null) ? ws.reduce<number>((a, b) => a + b!, 0) : ownWeight(unitId, by);
    } else w = ownWeight(unitId, by);
    fullWeightMemo.set(key, w);
    return w;
  };

  // ---- indicator roll-ups, bottom-up ----------------------------------------------------------------------------
  interface Cell {
    actual: IndicatorValue;
    weight: number | null;
    rows: number;
    target: IndicatorValue;
  }
  const cells = new Map<string, Record<string, Cell>>();
  for (const unit of bottomUp) {
    const row = rowOf.get(unit.id);
    const kids = childrenOf(unit.id).map((k) => ({ unit: k, cells: cells.get(k.id)! }));
    const own: Record<string, Cell> = {};
    for (const ind of indicators) {
      // actual
      let actual: IndicatorValue = null;
      let weight: number | null = null;
      let rows = 0;
      if (row) {
        actual = row.values[ind.id] ?? null;
        rows = actual === null ? 0 : 1;
        weight = ind.weightBy ? ownWeight(unit.id, ind.weightBy) : null;
      } else {
        const contributing = kids.filter((k) => k.cells[ind.id]!.actual !== null).map((k) => ({ id: k.unit.id, cell: k.cells[ind.id]! }));
        rows = contributing.reduce((n, k) => n + k.cell.rows, 0);
        if (contributing.length) {
          const rolled = rollUp(
            ind,
            contributing.map((k) => ({ id: k.id, value: k.cell.actual!, weight: k.cell.weight })),
            () => (ind.weightBy ? ownWeight(unit.id, ind.weightBy) : null),
          );
          actual = rolled.value;
          weight = rolled.weight;
          if (rolled.missingWeights.length) {
            note({
              code: 'weights-missing',
              unitId: unit.id,
              indicatorId: ind.id,
              messageVi: `"${ind.id}" ở "${unit.id}": thiếu số ${ind.weightBy === 'population' ? 'nhân khẩu' : 'hộ'} của ${rolled.missingWeights.map((x) => `"${x}"`).join(', ')}; tính trung bình cộng thay cho trung bình có trọng số`,
            });
          }
        }
      }
      // target
      let target: IndicatorValue = null;
      const split = input.villageTargets?.[unit.id]?.[ind.id];
      if (active(unit.id)) target = ownTarget.get(unit.id)![ind.id] ?? null;
      else if (split !== undefined && validValue(ind, split)) target = split;
      else {
        const withTarget = kids.filter((k) => k.cells[ind.id]!.target !== null);
        if (withTarget.length) {
          const rule = ind.aggregation === 'sum' || ind.aggregation === 'weighted-mean' || ind.aggregation === 'all' || ind.aggregation === 'any' ? ind.aggregation : 'mean';
          const rolled = rollUp(
            { ...ind, aggregation: rule },
            withTarget.map((k) => ({ id: k.unit.id, value: k.cells[ind.id]!.target!, weight: ind.weightBy ? fullWeight(k.unit.id, ind.weightBy) : null })),
            () => null,
          );
          target = rolled.value;
          if (rolled.missingWeights.length) {
            note({
              code: 'weights-missing',
              unitId: unit.id,
              indicatorId: ind.id,
              messageVi: `Mục tiêu "${ind.id}" ở "${unit.id}": thiếu số ${ind.weightBy === 'population' ? 'nhân khẩu' : 'hộ'} của ${rolled.missingWeights.map((x) => `"${x}"`).join(', ')}; tính trung bình cộng các mục tiêu`,
            });
          }
        }
      }
      own[ind.id] = { actual, weight, rows, target };
    }
    cells.set(unit.id, own);
  }

  // ---- "4 không", bottom-up -------------------------------------------------------------------------------------
  const breaches = new Map<string, FourNoBreach[]>();
  for (const unit of bottomUp) {
    const list: FourNoBreach[] = [];
    const row = rowOf.get(unit.id);
    if (row) {
      for (const ind of fourNo) {
        const v = row.values[ind.id];
        let count = 0;
        if (typeof v === 'number') count = v > 0 ? v : 0;
        else if (typeof v === 'boolean') {
          // A yes-no criterion ("không có tội phạm": có/không) is broken when answered against its target.
          const t = ownTarget.get(row.reportingUnitId)?.[ind.id] ?? ind.target;
          count = v !== t ? 1 : 0;
        }
        if (count > 0) list.push({ villageId: unit.id, reportingUnitId: row.reportingUnitId, indicatorId: ind.id, count });
      }
    }
    for (const k of childrenOf(unit.id)) list.push(...breaches.get(k.id)!);
    breaches.set(unit.id, list);
  }

  // ---- scores, bottom-up ----------------------------------------------------------------------------------------
  const scoreOf = new Map<string, { score: number | null; detail: ScoreDetail | null; scoredChildren: number | null }>();
  for (const unit of bottomUp) {
    if (obligationOf.has(unit.id)) {
      if (!active(unit.id)) {
        scoreOf.set(unit.id, { score: null, detail: null, scoredChildren: null });
        continue;
      }
      const detail = hasReport.has(unit.id) ? scoreReported(unit.id) : notReported();
      scoreOf.set(unit.id, { score: detail.total, detail, scoredChildren: null });
      continue;
    }
    const scores = childrenOf(unit.id)
      .map((k) => scoreOf.get(k.id)!.score)
      .filter((s): s is number => s !== null);
    scoreOf.set(unit.id, scores.length ? { score: roundScore(scores.reduce((a, b) => a + b, 0) / scores.length), detail: null, scoredChildren: scores.length } : { score: null, detail: null, scoredChildren: null });
  }
  function notReported(): ScoreDetail {
    return { reported: false, byIndicator: {}, earned: 0, breaches: 0, deductions: 0, total: rubric.notReportedScore };
  }
  function scoreReported(unitId: string): ScoreDetail {
    const c = cells.get(unitId)!;
    const byIndicator: Record<string, number> = {};
    let earned = 0;
    for (const ind of indicators) {
      if (!(ind.id in rubric.points)) continue;
      const cell = c[ind.id]!;
      if (cell.actual === null && (rubric.points[ind.id] ?? 0) > 0) {
        note({ code: 'blank-scored-value', unitId, indicatorId: ind.id, messageVi: `"${unitId}" không có số liệu "${ind.id}"; chỉ tiêu này được 0 điểm` });
      }
      const p = pointsFor(ind, cell.actual, cell.target, rubric);
      byIndicator[ind.id] = roundScore(p);
      earned += p;
    }
    const found = breaches.get(unitId)!;
    const counted = rubric.fourNo.perVillage ? found.length : new Set(found.map((b) => b.indicatorId)).size;
    const deductions = counted * rubric.fourNo.deductionPerBreach;
    const total = roundScore(Math.max(rubric.notReportedScore, Math.min(rubric.cap, earned) - deductions));
    return { reported: true, byIndicator, earned: roundScore(earned), breaches: counted, deductions: roundScore(deductions), total };
  }

  // ---- ranks within the parent ----------------------------------------------------------------------------------
  const rankOf = new Map<string, { rank: number; of: number }>();
  for (const unit of topDown) {
    const scored = childrenOf(unit.id)
      .map((k) => ({ id: k.id, score: scoreOf.get(k.id)!.score }))
      .filter((k): k is { id: string; score: number } => k.score !== null);
    for (const [id, rank] of competitionRanks(scored)) rankOf.set(id, { rank, of: scored.length });
  }

  // ---- reporting rates, bottom-up -------------------------------------------------------------------------------
  const counts = new Map<string, { expected: number; received: number; onTime: number }>();
  for (const unit of bottomUp) {
    const c = { expected: 0, received: 0, onTime: 0 };
    if (active(unit.id)) {
      c.expected++;
      const s = status.get(unit.id);
      if (s === 'on-time' || s === 'late') c.received++;
      if (s === 'on-time') c.onTime++;
    }
    for (const k of childrenOf(unit.id)) {
      const kc = counts.get(k.id)!;
      c.expected += kc.expected;
      c.received += kc.received;
      c.onTime += kc.onTime;
    }
    counts.set(unit.id, c);
  }
  const ratesOf = (c: { expected: number; received: number; onTime: number }): ReportingRates => {
    const completeness = c.expected ? Math.min(1, c.received / c.expected) : null;
    const timeliness = c.expected ? Math.min(1, c.onTime / c.expected) : null;
    return { ...c, completeness, timeliness, flagged: completeness !== null && completeness < 0.8 };
  };

  // ---- previous period ------------------------------------------------------------------------------------------
  let previous = input.previous;
  if (previous && previous.directiveId !== directive.id) {
    note({ code: 'previous-mismatch', messageVi: `Kỳ trước thuộc chỉ thị "${previous.directiveId}", không phải "${directive.id}"; không tính thay đổi` });
    previous = undefined;
  } else if (previous && previous.periodId === periodId) {
    note({ code: 'previous-mismatch', messageVi: `Kỳ trước trùng kỳ đang tổng hợp (${periodId}); thay đổi so với chính nó` });
  }

  // ---- assemble -------------------------------------------------------------------------------------------------
  const units: Record<string, UnitResult> = {};
  for (const unit of topDown) {
    const o = obligationOf.get(unit.id);
    const c = cells.get(unit.id)!;
    const ind: Record<string, IndicatorResult> = {};
    for (const i of indicators) {
      const cell = c[i.id]!;
      ind[i.id] = { actual: cell.actual, target: cell.target, met: isMet(i, cell.actual, cell.target), rows: cell.rows };
    }
    const s = scoreOf.get(unit.id)!;
    const r = rankOf.get(unit.id);
    const result: UnitResult = {
      unitId: unit.id,
      name: unit.name,
      level: unit.level,
      parentId: unit.parentId ?? null,
      path: [...unit.path],
      reporting: o ? { status: status.get(unit.id)!, dueDate: o.dueDate, submittedAt: o.submittedAt ?? null } : null,
      rates: ratesOf(counts.get(unit.id)!),
      indicators: ind,
      fourNo: breaches.get(unit.id)!,
      score: s.score,
      scoreDetail: s.detail,
      scoredChildren: s.scoredChildren,
      rank: r?.rank ?? null,
      rankOf: r?.of ?? null,
      change: null,
    };
    const before = previous?.units[unit.id];
    if (before) result.change = changeOf(indicators, result, before);
    units[unit.id] = result;
  }

  return {
    format: 'thidua-results',
    formatVersion: 1,
    directiveId: directive.id,
    directiveVersion: directive.version,
    periodId,
    computedAt: input.now,
    rootIds,
    rubric,
    fourNoIndicatorIds: fourNo.map((i) => i.id),
    previousPeriodId: previous?.periodId ?? null,
    units,
    notes,
  };
}

type WeightBy = NonNullable<Indicator['weightBy']>;

/**
 * Standard competition ranking ("1, 2, 2, 4"), highest score first. Ties are not broken by anything (not by name,
 * not by timeliness): equal scores share the rank and the following rank is skipped.
 */
export function competitionRanks(entries: readonly { id: string; score: number }[]): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const e of entries) ranks.set(e.id, 1 + entries.filter((o) => o.score > e.score).length);
  return ranks;
}

/** Rounds away binary noise of rolled-up numbers (0.1 + 0.2 → 0.3), keeping 9 decimals. */
export function tidy(x: number): number {
  const r = Math.round(x * 1e9) / 1e9;
  return Object.is(r, -0) ? 0 : r;
}

function rollUp(
  ind: Pick<Indicator, 'aggregation' | 'weightBy'>,
  items: readonly { id: string; value: number | boolean; weight: number | null }[],
  fallbackWeight: () => number | null,
): { value: IndicatorValue; weight: number | null; missingWeights: string[] } {
  const nums = items.map((i) => i.value).filter((v): v is number => typeof v === 'number');
  const bools = items.map((i) => i.value).filter((v): v is boolean => typeof v === 'boolean');
  const mean = () => (nums.length ? tidy(nums.reduce((a, b) => a + b, 0) / nums.length) : null);
  switch (ind.aggregation) {
    case 'sum':
      return { value: nums.length ? tidy(nums.reduce((a, b) => a + b, 0)) : null, weight: null, missingWeights: [] };
    case 'mean':
      return { value: mean(), weight: null, missingWeights: [] };
    case 'min':
      return { value: nums.length ? nums.reduce((a, b) => Math.min(a, b)) : null, weight: null, missingWeights: [] };
    case 'max':
      return { value: nums.length ? nums.reduce((a, b) => Math.max(a, b)) : null, weight: null, missingWeights: [] };
    case 'all':
      return { value: bools.length ? bools.every(Boolean) : null, weight: null, missingWeights: [] };
    case 'any':
      return { value: bools.length ? bools.some(Boolean) : null, weight: null, missingWeights: [] };
    case 'weighted-mean': {
      const numeric = items.filter((i) => typeof i.value === 'number');
      const missing = numeric.filter((i) => i.weight === null).map((i) => i.id);
      if (missing.length || !numeric.length) return { value: mean(), weight: fallbackWeight(), missingWeights: missing };
      const total = numeric.reduce((a, i) => a + i.weight!, 0);
      const value = numeric.reduce((a, i) => a + (i.value as number) * i.weight!, 0) / total;
      return { value: tidy(value), weight: total, missingWeights: [] };
    }
  }
}

/** Validates the rubric (throws a ZodError when it is not one) and keeps only its own fields, none undefined, so it stores as JSON. */
function storedRubric(given: Rubric): Rubric {
  const r = Rubric.parse(given);
  return {
    points: { ...r.points },
    partial: r.partial,
    cap: r.cap,
    fourNo: { deductionPerBreach: r.fourNo.deductionPerBreach, ...(r.fourNo.perVillage !== undefined ? { perVillage: r.fourNo.perVillage } : {}) },
    notReportedScore: r.notReportedScore,
  };
}

function validValue(ind: Pick<Indicator, 'kind'>, v: unknown): v is number | boolean {
  return ind.kind === 'yes-no' ? typeof v === 'boolean' : typeof v === 'number' && Number.isFinite(v);
}

function changeOf(indicators: readonly Indicator[], now: UnitResult, before: UnitResult): UnitChange {
  const deltas: Record<string, number | null> = {};
  for (const ind of indicators) {
    const a = now.indicators[ind.id]?.actual ?? null;
    const b = before.indicators?.[ind.id]?.actual ?? null;
    deltas[ind.id] = typeof a === 'number' && typeof b === 'number' ? tidy(a - b) : null;
  }
  return {
    indicators: deltas,
    score: now.score !== null && typeof before.score === 'number' ? roundScore(now.score - before.score) : null,
    rank: now.rank !== null && typeof before.rank === 'number' ? before.rank - now.rank : null,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
