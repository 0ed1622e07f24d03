/**
 * A commune's targets split over its villages (seed 002 §2: the commune's People's Committee gives each village its
 * targets), checked against the commune's own target by the indicator's own roll-up: what the villages' targets add
 * up to, by the same aggregation the results use, must reach the commune's figure in the indicator's direction (a sum
 * of new kilometres at least the commune's, a weighted poverty rate at most the commune's, a yes/no criterion "có"
 * for every village when the roll-up is "all").
 */
import type { Indicator, TargetValue } from './directive.ts';
import { formatNumberVi, parseNumberVi, parseYesNo, tidy } from './report/values.ts';

/** A village as the split needs it: its name for messages, its weights for weighted means. */
export interface SplitVillage {
  id: string;
  name: string;
  households?: number;
  population?: number;
}

/** What the officer typed (form fields or workbook cells): text, or a cell's number or boolean. */
export type RawSplit = Record<string, Record<string, string | number | boolean | null | undefined>>;

export type VillageTargetMap = Record<string, Record<string, TargetValue>>;

export type SplitCheck = { ok: true; targets: VillageTargetMap } | { ok: false; problems: string[] };

const AGGREGATION_VI: Record<Indicator['aggregation'], string> = {
  sum: 'tổng',
  mean: 'trung bình',
  'weighted-mean': 'trung bình có trọng số',
  min: 'giá trị nhỏ nhất',
  max: 'giá trị lớn nhất',
  all: 'tất cả',
  any: 'ít nhất một',
};

const nameOf = (ind: Pick<Indicator, 'name' | 'measure'>) => `"${ind.name}" (${ind.measure})`;

/** One village's value of one indicator, read from what was typed; a Vietnamese problem when it is not a valid value. */
function readValue(ind: Indicator, village: SplitVillage, raw: string | number | boolean | null | undefined): { value: TargetValue } | { problem: string } {
  const where = `${village.name}, chỉ tiêu ${nameOf(ind)}`;
  const text = typeof raw === 'string' ? raw.trim() : raw;
  if (text === undefined || text === null || text === '') return { problem: `${where}: chưa nhập chỉ tiêu của thôn` };
  if (ind.kind === 'yes-no') {
    const yes = typeof text === 'boolean' ? text : parseYesNo(String(text));
    return yes === undefined ? { problem: `${where}: "${String(text)}" không phải "Có" hoặc "Không"` } : { value: yes };
  }
  const n = typeof text === 'number' ? text : typeof text === 'string' ? parseNumberVi(text, { percent: ind.kind === 'percent', measure: ind.measure }) : undefined;
  if (n === undefined || !Number.isFinite(n)) return { problem: `${where}: "${String(text)}" không phải là số` };
  if (n < 0) return { problem: `${where}: không được là số âm, nhận được ${formatNumberVi(n)}` };
  if (ind.kind === 'percent' && n > 100) return { problem: `${where}: tỷ lệ phải từ 0 đến 100, nhận được ${formatNumberVi(n)}` };
  if (ind.kind === 'count' && !Number.isInteger(n)) return { problem: `${where}: phải là số nguyên, nhận được ${formatNumberVi(n)}` };
  return { value: n };
}

/** The villages' numbers rolled up as the indicator rolls up; a weighted mean without every weight is a plain mean. */
function rollUpNumbers(ind: Indicator, values: { village: SplitVillage; n: number }[]): { reached: number; unweighted: boolean } {
  const ns = values.map((v) => v.n);
  const mean = ns.reduce((a, b) => a + b, 0) / ns.length;
  switch (ind.aggregation) {
    case 'sum':
      return { reached: tidy(ns.reduce((a, b) => a + b, 0)), unweighted: false };
    case 'min':
      return { reached: Math.min(...ns), unweighted: false };
    case 'max':
      return { reached: Math.max(...ns), unweighted: false };
    case 'weighted-mean': {
      const by = ind.weightBy ?? 'households';
      const weights = values.map((v) => v.village[by]);
      const total = weights.reduce<number>((a, w) => a + (w ?? 0), 0);
      if (weights.some((w) => w === undefined) || total === 0) return { reached: tidy(mean), unweighted: true };
      return { reached: tidy(values.reduce((a, v, i) => a + v.n * (weights[i] as number), 0) / total), unweighted: false };
    }
    default:
      return { reached: tidy(mean), unweighted: false };
  }
}

/** Whether the villages' rolled-up figure meets the commune's, in the indicator's direction. */
const meets = (ind: Indicator, reached: number, target: number) => (ind.direction === 'decrease' ? reached <= target : reached >= target);

function numberShortfall(ind: Indicator, values: { village: SplitVillage; n: number }[], target: number): string | undefined {
  const { reached, unweighted } = rollUpNumbers(ind, values);
  if (meets(ind, reached, target)) return undefined;
  const how = unweighted ? `${AGGREGATION_VI.mean} (thiếu số ${ind.weightBy === 'population' ? 'nhân khẩu' : 'hộ'} của thôn để tính có trọng số)` : AGGREGATION_VI[ind.aggregation];
  const verdict = ind.direction === 'decrease' ? 'cao hơn' : 'chưa đạt';
  return `Chỉ tiêu ${nameOf(ind)}: ${how} chỉ tiêu của các thôn là ${formatNumberVi(reached)}, ${verdict} chỉ tiêu của xã là ${formatNumberVi(target)}`;
}

function yesNoShortfall(ind: Indicator, values: { village: SplitVillage; b: boolean }[], target: boolean): string | undefined {
  if (!target) return undefined;
  if (ind.aggregation === 'any') {
    return values.some((v) => v.b) ? undefined : `Chỉ tiêu ${nameOf(ind)}: xã phải đạt "Có" nên ít nhất một thôn phải được giao "Có"; hiện không thôn nào`;
  }
  const no = values.filter((v) => !v.b).map((v) => v.village.name);
  return no.length ? `Chỉ tiêu ${nameOf(ind)}: xã phải đạt "Có" nên mọi thôn phải được giao "Có"; ${no.join(', ')} đang là "Không"` : undefined;
}

/**
 * Reads and checks a split: every village has a valid value for every indicator, and each indicator's villages
 * reach the commune's target by its own aggregation. Every problem is listed at once; nothing is half-accepted.
 */
export function checkVillageSplit(indicators: readonly Indicator[], communeTargets: Record<string, TargetValue>, villages: readonly SplitVillage[], raw: RawSplit): SplitCheck {
  const problems: string[] = [];
  const targets: VillageTargetMap = Object.fromEntries(villages.map((v) => [v.id, {}]));
  if (!villages.length) return { ok: false, problems: ['Xã chưa có thôn, khu phố nào trong danh sách đơn vị; hãy nhờ quản trị nhập các thôn trước'] };
  for (const ind of indicators) {
    const read = villages.map((village) => ({ village, r: readValue(ind, village, raw[village.id]?.[ind.id]) }));
    const bad = read.flatMap((x) => ('problem' in x.r ? [x.r.problem] : []));
    if (bad.length) {
      problems.push(...bad);
      continue;
    }
    const values = read.map((x) => ({ village: x.village, value: (x.r as { value: TargetValue }).value }));
    for (const v of values) targets[v.village.id]![ind.id] = v.value;
    const target = communeTargets[ind.id] ?? ind.target;
    const shortfall =
      typeof target === 'boolean'
        ? yesNoShortfall(ind, values.map((v) => ({ village: v.village, b: v.value === true })), target)
        : numberShortfall(ind, values.map((v) => ({ village: v.village, n: v.value as number })), target);
    if (shortfall) problems.push(shortfall);
  }
  return problems.length ? { ok: false, problems } : { ok: true, targets };
}
