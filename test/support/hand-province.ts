/**
 * The small hierarchy whose results test/results-hand.test.ts computes by hand (the arithmetic is written out
 * there): province "p" → communes c1, c2, c3 → villages cN-v1…cN-v3, quarters I and II of 2027.
 */
import type { Obligation } from '../../shared/domain/assignment.ts';
import { Directive } from '../../shared/domain/directive.ts';
import type { PeriodResults, ResultsInput } from '../../shared/domain/results/index.ts';
import { buildPaths } from '../../shared/domain/units.ts';

export const DIRECTIVE_ID = 'p-07-ct-2027';

export const directive = Directive.parse({
  id: DIRECTIVE_ID,
  number: '07-CT/UBND',
  issuerId: 'p',
  issuerName: 'UBND tỉnh P',
  title: 'Phong trào thi đua trên địa bàn thôn',
  year: 2027,
  issuedOn: '2027-01-05',
  targetUnits: { scope: 'level', level: 'commune' },
  cadences: ['quarterly'],
  indicators: [
    { id: 'dang-vien', name: 'Kết nạp đảng viên mới', measure: 'người', kind: 'count', direction: 'increase', aggregation: 'sum', target: 5 },
    { id: 'gia-dinh-vh', name: 'Tỷ lệ hộ gia đình văn hóa', measure: '%', kind: 'percent', direction: 'reach', aggregation: 'weighted-mean', weightBy: 'households', target: 90 },
    { id: 'thu-quy', name: 'Thu các loại quỹ', measure: '% kế hoạch', kind: 'percent', direction: 'reach', aggregation: 'mean', target: 100 },
    { id: 'chi-bo', name: 'Chi bộ hoàn thành tốt nhiệm vụ', measure: 'có/không', kind: 'yes-no', direction: 'reach', aggregation: 'all', target: true },
    { id: 'ho-ngheo', name: 'Tỷ lệ hộ nghèo', measure: '%', kind: 'percent', direction: 'decrease', aggregation: 'mean', target: 4 },
    { id: 'khong-tai-nan', group: '4 không', name: 'Số vụ tai nạn giao thông nghiêm trọng', measure: 'vụ', kind: 'count', direction: 'decrease', aggregation: 'sum', target: 0 },
    { id: 'khong-toi-pham', group: '4 không', name: 'Số vụ tội phạm nghiêm trọng', measure: 'vụ', kind: 'count', direction: 'decrease', aggregation: 'sum', target: 0 },
  ],
  version: 1,
  status: 'issued',
  shardCount: 1,
  contentHash: 'hand',
  updatedAt: '2027-01-05T00:00:00.000Z',
});

export const units = buildPaths([
  { id: 'p', name: 'Tỉnh P', level: 'province', emails: [], leaderEmails: [] },
  ...['c1', 'c2', 'c3'].flatMap((c, i) => [
    { id: c, name: `Xã ${i + 1}`, level: 'commune' as const, parentId: 'p', emails: [], leaderEmails: [] },
    ...[1, 2, 3].map((v) => ({ id: `${c}-v${v}`, name: `Thôn ${v} xã ${i + 1}`, level: 'village' as const, parentId: c, emails: [], leaderEmails: [] })),
  ]),
]);

export const targets = {
  c1: { 'dang-vien': 6, 'gia-dinh-vh': 90, 'thu-quy': 100, 'chi-bo': true, 'ho-ngheo': 3, 'khong-tai-nan': 0, 'khong-toi-pham': 0 },
  c2: { 'dang-vien': 4, 'gia-dinh-vh': 90, 'thu-quy': 100, 'chi-bo': true, 'ho-ngheo': 5, 'khong-tai-nan': 0, 'khong-toi-pham': 0 },
  c3: { 'dang-vien': 5, 'gia-dinh-vh': 85, 'thu-quy': 100, 'chi-bo': true, 'ho-ngheo': 4, 'khong-tai-nan': 0, 'khong-toi-pham': 0 },
};

export const weights = {
  'c1-v1': { households: 100 }, 'c1-v2': { households: 200 }, 'c1-v3': { households: 100 },
  'c2-v1': { households: 150 }, 'c2-v2': { households: 150 }, 'c2-v3': { households: 200 },
  'c3-v1': { households: 100 }, 'c3-v2': { households: 100 }, 'c3-v3': { households: 100 },
};

const PERIODS = {
  q1: { label: 'Quý I/2027', start: '2027-01-01', end: '2027-03-31', due: '2027-04-07' },
  q2: { label: 'Quý II/2027', start: '2027-04-01', end: '2027-06-30', due: '2027-07-07' },
} as const;

function obligation(unitId: string, quarter: keyof typeof PERIODS, periodId: string, state: Pick<Obligation, 'status' | 'submittedAt' | 'onTime'>): Obligation {
  const p = PERIODS[quarter];
  return {
    directiveId: DIRECTIVE_ID,
    unitId,
    parentId: 'p',
    periodId,
    cadence: 'quarterly',
    periodLabel: p.label,
    periodStart: p.start,
    periodEnd: p.end,
    dueDate: p.due,
    version: 1,
    shard: 0,
    ...state,
  };
}

/** One report: rows [dv, gd, tq, cb, hn, tn, tp] per village. */
function report(unitId: string, rows: Record<string, [number, number, number, boolean, number, number, number]>) {
  return {
    unitId,
    rows: Object.entries(rows).map(([village, [dv, gd, tq, cb, hn, tn, tp]]) => ({
      unitId: village,
      values: { 'dang-vien': dv, 'gia-dinh-vh': gd, 'thu-quy': tq, 'chi-bo': cb, 'ho-ngheo': hn, 'khong-tai-nan': tn, 'khong-toi-pham': tp },
    })),
  };
}

/** Quarter I (everyone on time) and quarter II (c1 on time with an accident in c1-v1, c2 late, c3 silent), under the given period ids. */
export function quarters(ids: { q1: string; q2: string } = { q1: '2027-Q1', q2: '2027-Q2' }) {
  const q1Input: ResultsInput = {
    directive,
    periodId: ids.q1,
    units,
    targets,
    weights,
    obligations: ['c1', 'c2', 'c3'].map((c) => obligation(c, 'q1', ids.q1, { status: 'submitted', submittedAt: '2027-04-03T02:00:00.000Z', onTime: true })),
    reports: [
      report('c1', { 'c1-v1': [1, 90, 70, true, 3, 0, 0], 'c1-v2': [1, 90, 70, true, 3, 0, 0], 'c1-v3': [1, 90, 70, true, 3, 0, 0] }),
      report('c2', { 'c2-v1': [2, 90, 100, true, 5, 0, 0], 'c2-v2': [1, 90, 100, true, 5, 0, 0], 'c2-v3': [0, 90, 100, true, 5, 0, 0] }),
      report('c3', { 'c3-v1': [2, 85, 100, true, 4, 0, 0], 'c3-v2': [2, 85, 100, true, 4, 0, 0], 'c3-v3': [1, 85, 100, true, 4, 0, 0] }),
    ],
    now: '2027-04-10T01:00:00.000Z',
  };

  const q2Input = (previous?: PeriodResults): ResultsInput => ({
    directive,
    periodId: ids.q2,
    units,
    targets,
    weights,
    obligations: [
      obligation('c1', 'q2', ids.q2, { status: 'submitted', submittedAt: '2027-07-06T02:00:00.000Z', onTime: true }),
      obligation('c2', 'q2', ids.q2, { status: 'submitted', submittedAt: '2027-07-09T03:00:00.000Z', onTime: false }),
      obligation('c3', 'q2', ids.q2, { status: 'open' }),
    ],
    reports: [
      report('c1', { 'c1-v1': [2, 95, 100, true, 2, 1, 0], 'c1-v2': [3, 90, 90, true, 3, 0, 0], 'c1-v3': [2, 85, 80, true, 4, 0, 0] }),
      report('c2', { 'c2-v1': [1, 80, 100, true, 6, 0, 0], 'c2-v2': [1, 78, 100, false, 6.5, 0, 0], 'c2-v3': [1, 84, 100, true, 6.25, 0, 0] }),
    ],
    now: '2027-07-15T01:00:00.000Z',
    ...(previous ? { previous } : {}),
  });
  return { q1Input, q2Input };
}
