/**
 * A commune's targets split over its villages, checked by each indicator's own roll-up (shared/domain/targets-split.ts):
 * a sum must reach the commune's figure, a weighted mean must not fall short of it (in the indicator's direction),
 * a yes/no criterion rolled up by "all" must be "Có" for every village; every village needs a valid value.
 */
import { describe, expect, it } from 'vitest';
import { checkVillageSplit, type SplitVillage } from '../shared/domain/targets-split.ts';
import type { Indicator } from '../shared/domain/directive.ts';
import { InputError } from '../shared/domain/errors.ts';
import { buildSplitWorkbook } from '../shared/domain/village-targets-workbook.ts';
import { readSplitWithinBudget } from '../shared/runtime/parse-budget.ts';

const KM: Indicator = { id: 'giao-thong', name: 'Làm mới, nâng cấp đường giao thông nông thôn', measure: 'km', kind: 'number', direction: 'increase', aggregation: 'sum', target: 2 };
const BHYT: Indicator = { id: 'bhyt', name: 'Tỷ lệ người dân tham gia bảo hiểm y tế', measure: '%', kind: 'percent', direction: 'increase', aggregation: 'weighted-mean', weightBy: 'population', target: 93 };
const POOR: Indicator = { id: 'ho-ngheo', name: 'Tỷ lệ hộ nghèo', measure: '%', kind: 'percent', direction: 'decrease', aggregation: 'weighted-mean', weightBy: 'households', target: 2.5 };
const CELL: Indicator = { id: 'chi-bo', name: 'Chi bộ thôn hoàn thành tốt nhiệm vụ', measure: 'có/không', kind: 'yes-no', direction: 'reach', aggregation: 'all', target: true };
const MEMBERS: Indicator = { id: 'dang-vien-moi', name: 'Kết nạp đảng viên mới', measure: 'người', kind: 'count', direction: 'increase', aggregation: 'sum', target: 5 };

const VILLAGES: SplitVillage[] = [
  { id: 't1', name: 'Thôn 1', households: 300, population: 1200 },
  { id: 't2', name: 'Thôn 2', households: 100, population: 400 },
];

describe('splitting a commune’s targets over its villages', () => {
  it('accepts a sum that reaches the commune’s figure, Vietnamese decimals included', () => {
    // Act
    const r = checkVillageSplit([KM], { 'giao-thong': 3 }, VILLAGES, { t1: { 'giao-thong': '1,5' }, t2: { 'giao-thong': 1.5 } });

    // Assess
    expect(r).toEqual({ ok: true, targets: { t1: { 'giao-thong': 1.5 }, t2: { 'giao-thong': 1.5 } } });
  });

  it('refuses a sum that falls short, naming the indicator, the figure reached and the commune’s', () => {
    // Act
    const r = checkVillageSplit([KM], { 'giao-thong': 3 }, VILLAGES, { t1: { 'giao-thong': '1' }, t2: { 'giao-thong': '1,5' } });

    // Assess
    expect(r).toEqual({ ok: false, problems: ['Chỉ tiêu "Làm mới, nâng cấp đường giao thông nông thôn" (km): tổng chỉ tiêu của các thôn là 2,5, chưa đạt chỉ tiêu của xã là 3'] });
  });

  it('weighs a weighted mean by the villages’ population: an average that looks enough is not', () => {
    // Prepare: the plain mean is (90 + 97) / 2 = 93.5, but the big village is the one at 90
    const raw = { t1: { bhyt: '90' }, t2: { bhyt: '97' } };

    // Act
    const r = checkVillageSplit([BHYT], { bhyt: 93 }, VILLAGES, raw);
    const enough = checkVillageSplit([BHYT], { bhyt: 93 }, VILLAGES, { t1: { bhyt: '93' }, t2: { bhyt: '95' } });

    // Assess: (90 × 1200 + 97 × 400) / 1600 = 91.75
    expect(r).toEqual({ ok: false, problems: ['Chỉ tiêu "Tỷ lệ người dân tham gia bảo hiểm y tế" (%): trung bình có trọng số chỉ tiêu của các thôn là 91,75, chưa đạt chỉ tiêu của xã là 93'] });
    expect(enough.ok).toBe(true);
  });

  it('takes a decreasing indicator’s direction: a poverty rate above the commune’s falls short', () => {
    // Act: (3 × 300 + 1 × 100) / 400 = 2.5 is fine; (3 × 300 + 2 × 100) / 400 = 2.75 is not
    const ok = checkVillageSplit([POOR], { 'ho-ngheo': 2.5 }, VILLAGES, { t1: { 'ho-ngheo': '3' }, t2: { 'ho-ngheo': '1' } });
    const high = checkVillageSplit([POOR], { 'ho-ngheo': 2.5 }, VILLAGES, { t1: { 'ho-ngheo': '3' }, t2: { 'ho-ngheo': '2' } });

    // Assess
    expect(ok.ok).toBe(true);
    expect(high).toEqual({ ok: false, problems: ['Chỉ tiêu "Tỷ lệ hộ nghèo" (%): trung bình có trọng số chỉ tiêu của các thôn là 2,75, cao hơn chỉ tiêu của xã là 2,5'] });
  });

  it('wants "Có" for every village when the commune must reach a yes/no criterion rolled up by "all"', () => {
    // Act
    const r = checkVillageSplit([CELL], { 'chi-bo': true }, VILLAGES, { t1: { 'chi-bo': 'Có' }, t2: { 'chi-bo': 'Không' } });
    const ok = checkVillageSplit([CELL], { 'chi-bo': true }, VILLAGES, { t1: { 'chi-bo': 'Có' }, t2: { 'chi-bo': true } });

    // Assess
    expect(r).toEqual({ ok: false, problems: ['Chỉ tiêu "Chi bộ thôn hoàn thành tốt nhiệm vụ" (có/không): xã phải đạt "Có" nên mọi thôn phải được giao "Có"; Thôn 2 đang là "Không"'] });
    expect(ok).toEqual({ ok: true, targets: { t1: { 'chi-bo': true }, t2: { 'chi-bo': true } } });
  });

  it('lists a village left out, a value that is not a number and one that is not whole, all at once', () => {
    // Act
    const r = checkVillageSplit([KM, MEMBERS, CELL], {}, VILLAGES, { t1: { 'giao-thong': 'hai', 'dang-vien-moi': '2,5', 'chi-bo': 'có lẽ' }, t2: {} });

    // Assess
    expect(r).toEqual({
      ok: false,
      problems: [
        'Thôn 1, chỉ tiêu "Làm mới, nâng cấp đường giao thông nông thôn" (km): "hai" không phải là số',
        'Thôn 2, chỉ tiêu "Làm mới, nâng cấp đường giao thông nông thôn" (km): chưa nhập chỉ tiêu của thôn',
        'Thôn 1, chỉ tiêu "Kết nạp đảng viên mới" (người): phải là số nguyên, nhận được 2,5',
        'Thôn 2, chỉ tiêu "Kết nạp đảng viên mới" (người): chưa nhập chỉ tiêu của thôn',
        'Thôn 1, chỉ tiêu "Chi bộ thôn hoàn thành tốt nhiệm vụ" (có/không): "có lẽ" không phải "Có" hoặc "Không"',
        'Thôn 2, chỉ tiêu "Chi bộ thôn hoàn thành tốt nhiệm vụ" (có/không): chưa nhập chỉ tiêu của thôn',
      ],
    });
  });

  it('falls back to the directive’s target when the commune was given none, and says when weights are missing', () => {
    // Act: no commune figure for "giao-thong" (the directive's is 2); villages without population
    const sum = checkVillageSplit([KM], {}, VILLAGES, { t1: { 'giao-thong': '1' }, t2: { 'giao-thong': '0,5' } });
    const unweighted = checkVillageSplit([BHYT], { bhyt: 93 }, [{ id: 't1', name: 'Thôn 1' }, { id: 't2', name: 'Thôn 2' }], { t1: { bhyt: '90' }, t2: { bhyt: '95' } });

    // Assess
    expect(sum).toEqual({ ok: false, problems: ['Chỉ tiêu "Làm mới, nâng cấp đường giao thông nông thôn" (km): tổng chỉ tiêu của các thôn là 1,5, chưa đạt chỉ tiêu của xã là 2'] });
    expect(unweighted).toEqual({ ok: false, problems: ['Chỉ tiêu "Tỷ lệ người dân tham gia bảo hiểm y tế" (%): trung bình (thiếu số nhân khẩu của thôn để tính có trọng số) chỉ tiêu của các thôn là 92,5, chưa đạt chỉ tiêu của xã là 93'] });
  });
});

describe('reading a split workbook uploaded in the console', () => {
  it('is read in a worker under the report budget: the file as filled, a wrong file named, an overrun ended as a message', async () => {
    // Prepare
    const bytes = await buildSplitWorkbook({ title: 'Chỉ tiêu các thôn', indicators: [KM], communeTargets: { 'giao-thong': 3 }, villages: VILLAGES, current: { t1: { 'giao-thong': 2 }, t2: { 'giao-thong': 1 } } });

    // Act
    const read = await readSplitWithinBudget(bytes, { indicators: [KM], villages: VILLAGES });
    const notAWorkbook = await readSplitWithinBudget(new TextEncoder().encode('ma,ten\nt1,2'), { indicators: [KM], villages: VILLAGES }).catch((e: unknown) => e);
    const stopped = await readSplitWithinBudget(bytes, { indicators: [KM], villages: VILLAGES }, { deadlineMs: 1 }).catch((e: unknown) => e);

    // Assess
    expect(read).toEqual({ t1: { 'giao-thong': 2 }, t2: { 'giao-thong': 1 } });
    expect(notAWorkbook).toBeInstanceOf(InputError);
    expect((notAWorkbook as InputError).messageVi).toBe('Không đọc được tệp');
    expect(stopped).toBeInstanceOf(InputError);
    expect((stopped as InputError).messageVi).toMatch(/^Tệp chỉ tiêu các thôn quá phức tạp để đọc: hệ thống đã dừng sau 0,001 giây/);
  }, 60_000);
});
