import { describe, expect, it } from 'vitest';
import type { Obligation } from '../shared/domain/assignment.ts';
import type { Indicator } from '../shared/domain/directive.ts';
import {
  achievementRatio,
  competitionRanks,
  computeResults,
  defaultRubric,
  isFourNo,
  pointsFor,
  Rubric,
  rubricProblems,
  type ResultsInput,
} from '../shared/domain/results/index.ts';
import { buildPaths } from '../shared/domain/units.ts';

const ind = (over: Partial<Indicator> & Pick<Indicator, 'id'>): Indicator => ({
  name: over.id,
  measure: '%',
  kind: 'percent',
  direction: 'increase',
  aggregation: 'mean',
  target: 50,
  ...over,
});

const row = (id: string, level: 'province' | 'district' | 'commune' | 'village', parentId?: string) => ({
  id,
  name: id,
  level,
  emails: [],
  leaderEmails: [],
  ...(parentId ? { parentId } : {}),
});

const obligation = (unitId: string, state: Partial<Obligation> = {}): Obligation => ({
  directiveId: 'd-rules',
  unitId,
  periodId: 'q2',
  cadence: 'quarterly',
  periodLabel: 'Quý II',
  periodStart: '2027-04-01',
  periodEnd: '2027-06-30',
  dueDate: '2027-07-07',
  status: 'submitted',
  onTime: true,
  submittedAt: '2027-07-01T00:00:00.000Z',
  version: 1,
  shard: 0,
  ...state,
});

/** p → c1 (a, b), c2 (c), c3 (no villages, reports for itself). */
const units = buildPaths([row('p', 'province'), row('c1', 'commune', 'p'), row('a', 'village', 'c1'), row('b', 'village', 'c1'), row('c2', 'commune', 'p'), row('c', 'village', 'c2'), row('c3', 'commune', 'p')]);

const base = (indicators: Indicator[], over: Partial<ResultsInput> = {}): ResultsInput => ({
  directive: { id: 'd-rules', version: 1, indicators, unitTargets: {} },
  periodId: 'q2',
  units,
  targets: {},
  obligations: [obligation('c1'), obligation('c2'), obligation('c3')],
  reports: [],
  now: '2027-07-10T00:00:00.000Z',
  ...over,
});

describe('rubric', () => {
  it('validates as a standalone schema and against a directive', () => {
    // Prepare
    const good = { points: { x: 60, y: 60 }, partial: 'all-or-nothing', cap: 100, fourNo: { deductionPerBreach: 2, perVillage: true }, notReportedScore: 0 };

    // Act
    const parsed = Rubric.safeParse(good);
    const negative = Rubric.safeParse({ ...good, points: { x: -1 } });
    const floorAboveCap = Rubric.safeParse({ ...good, notReportedScore: 120 });
    const problems = rubricProblems(parsed.data!, { indicators: [ind({ id: 'x' })] });

    // Assess
    expect(parsed.success).toBe(true);
    expect(negative.success).toBe(false);
    expect(floorAboveCap.success).toBe(false);
    expect(problems).toEqual([
      'thang điểm có chỉ tiêu "y" không có trong chỉ thị',
      'thang điểm có điểm trừ "4 không" nhưng chỉ thị không có chỉ tiêu nào thuộc nhóm "4 không"',
    ]);
  });

  it('recognises the "4 không" group with or without diacritics and shares 100 points over the rest', () => {
    // Prepare
    const indicators = [ind({ id: 'a' }), ind({ id: 'b' }), ind({ id: 'c' }), ind({ id: 'k1', group: '4 Không' }), ind({ id: 'k2', group: '4  khong' }), ind({ id: 'g', group: '(4)' })];

    // Act
    const rubric = defaultRubric({ indicators });

    // Assess
    expect(indicators.map(isFourNo)).toEqual([false, false, false, true, true, false]);
    expect(Object.keys(rubric.points)).toEqual(['a', 'b', 'c', 'g']);
    expect(Object.values(rubric.points)).toEqual([25, 25, 25, 25]);
  });

  it('scores partial achievement respecting the direction', () => {
    // Prepare
    const up = ind({ id: 'up', direction: 'increase' });
    const down = ind({ id: 'down', direction: 'decrease' });
    const yes = ind({ id: 'yes', kind: 'yes-no', aggregation: 'all', target: true });
    const linear: Rubric = { ...defaultRubric({ indicators: [up, down, yes] }), points: { up: 10, down: 10, yes: 10 } };
    const allOrNothing: Rubric = { ...linear, partial: 'all-or-nothing' };

    // Act / Assess
    expect(achievementRatio(up, 45, 90)).toBe(0.5);
    expect(achievementRatio(up, 120, 90)).toBe(1);
    expect(achievementRatio(up, 0, 0)).toBe(1);
    expect(achievementRatio(down, 0, 2.5)).toBe(1); // no poor household at all: fully met
    expect(achievementRatio(down, 5, 2.5)).toBe(0.5);
    expect(achievementRatio(down, 2, 0)).toBe(0); // any incident against a target of 0
    expect(achievementRatio(up, null, 90)).toBeNull();
    expect(pointsFor(up, 45, 90, linear)).toBe(5);
    expect(pointsFor(up, 45, 90, allOrNothing)).toBe(0);
    expect(pointsFor(yes, false, true, linear)).toBe(0);
    expect(pointsFor(yes, true, true, linear)).toBe(10);
    expect(pointsFor(ind({ id: 'unscored' }), 50, 50, linear)).toBe(0);
  });

  it('ranks by standard competition ranking, ties unbroken', () => {
    // Act
    const ranks = competitionRanks([
      { id: 'w', score: 90 },
      { id: 'x', score: 80 },
      { id: 'y', score: 80 },
      { id: 'z', score: 70 },
    ]);

    // Assess
    expect([...ranks]).toEqual([
      ['w', 1],
      ['x', 2],
      ['y', 2],
      ['z', 4],
    ]);
  });
});

describe('computeResults rules', () => {
  it('caps before deducting, floors at the not-reported score, and can count breaches per village', () => {
    // Prepare: bonus points (2 × 60 > cap 100); c1 has the same criterion broken in two villages.
    const indicators = [ind({ id: 'x' }), ind({ id: 'y' }), ind({ id: 'k', group: '4 không', kind: 'count', direction: 'decrease', aggregation: 'sum', target: 0 })];
    const rubric: Rubric = { points: { x: 60, y: 60 }, partial: 'linear', cap: 100, fourNo: { deductionPerBreach: 30 }, notReportedScore: 10 };
    const reports = [
      { unitId: 'c1', rows: [{ unitId: 'a', values: { x: 50, y: 50, k: 2 } }, { unitId: 'b', values: { x: 50, y: 50, k: 1 } }] },
      { unitId: 'c2', rows: [{ unitId: 'c', values: { x: 0, y: 0, k: 0 } }] },
      { unitId: 'c3', rows: [{ unitId: 'c3', values: { x: 50, y: 50, k: 0 } }] },
    ];

    // Act
    const once = computeResults(base(indicators, { rubric, reports }));
    const perVillage = computeResults(base(indicators, { rubric: { ...rubric, fourNo: { deductionPerBreach: 30, perVillage: true } }, reports }));

    // Assess: c1 earns 120 → capped 100 → −30 (one criterion) = 70; per village −60 = 40.
    expect(once.units.c1!.scoreDetail).toMatchObject({ earned: 120, breaches: 1, deductions: 30, total: 70 });
    expect(perVillage.units.c1!.scoreDetail).toMatchObject({ earned: 120, breaches: 2, deductions: 60, total: 40 });
    // c2 earned nothing: floored at the not-reported score, 10. c3 reports for itself (no villages): 100.
    expect(once.units.c2!.score).toBe(10);
    expect(once.units.c3!.score).toBe(100);
    expect(once.units.c3!.indicators.x!.actual).toBe(50);
    expect(once.units.p!.fourNo).toEqual([
      { villageId: 'a', reportingUnitId: 'c1', indicatorId: 'k', count: 2 },
      { villageId: 'b', reportingUnitId: 'c1', indicatorId: 'k', count: 1 },
    ]);
    expect(once.units.p!.indicators.k!.actual).toBe(3);
  });

  it('falls back to the plain mean when a weight is missing, and says so', () => {
    // Prepare
    const indicators = [ind({ id: 'w', aggregation: 'weighted-mean', weightBy: 'population' })];
    const reports = [
      { unitId: 'c1', rows: [{ unitId: 'a', values: { w: 60 } }, { unitId: 'b', values: { w: 90 } }] },
      { unitId: 'c2', rows: [{ unitId: 'c', values: { w: 30 } }] },
    ];
    const weights = { a: { population: 100 }, b: { population: 200 }, c: { population: 300 }, c3: { population: 50 } };

    // Act
    const full = computeResults(base(indicators, { reports, weights }));
    const partial = computeResults(base(indicators, { reports, weights: { a: { population: 100 }, c: { population: 300 }, c3: { population: 50 } } }));

    // Assess: c1 = (60·100 + 90·200)/300 = 80; p = (80·300 + 30·300)/600 = 55.
    expect(full.units.c1!.indicators.w!.actual).toBe(80);
    expect(full.units.p!.indicators.w!.actual).toBe(55);
    expect(full.notes.filter((n) => n.code === 'weights-missing')).toEqual([]);
    // b has no population: c1 = (60 + 90)/2 = 75 and carries no weight, so p falls back too: (75 + 30)/2 = 52.5.
    expect(partial.units.c1!.indicators.w!.actual).toBe(75);
    expect(partial.units.p!.indicators.w!.actual).toBe(52.5);
    // … and the province's target (c1's whole population is unknown) falls back to the plain mean of the targets.
    expect(partial.notes.filter((n) => n.code === 'weights-missing').map((n) => [n.unitId, n.indicatorId, n.messageVi.startsWith('Mục tiêu')])).toEqual([
      ['c1', 'w', false],
      ['p', 'w', false],
      ['p', 'w', true],
    ]);
    expect(partial.notes.find((n) => n.unitId === 'c1' && n.code === 'weights-missing')!.messageVi).toContain('thiếu số nhân khẩu của "b"');
  });

  it('rolls up min, max and any, skipping blank cells', () => {
    // Prepare
    const indicators = [
      ind({ id: 'lo', aggregation: 'min' }),
      ind({ id: 'hi', aggregation: 'max' }),
      ind({ id: 'some', kind: 'yes-no', aggregation: 'any', target: true }),
    ];
    const reports = [
      { unitId: 'c1', rows: [{ unitId: 'a', values: { lo: 10, hi: 10, some: false } }, { unitId: 'b', values: { lo: null, hi: 40, some: true } }] },
      { unitId: 'c2', rows: [{ unitId: 'c', values: { lo: 5, hi: 20, some: false } }] },
    ];

    // Act
    const r = computeResults(base(indicators, { reports }));

    // Assess
    expect(Object.values(r.units.c1!.indicators).map((i) => [i.actual, i.rows])).toEqual([[10, 1], [40, 2], [true, 2]]);
    expect(Object.values(r.units.p!.indicators).map((i) => i.actual)).toEqual([5, 40, true]);
    // Targets above communes: min/max roll up by the mean (all 50 here); any by any.
    expect(Object.values(r.units.p!.indicators).map((i) => i.target)).toEqual([50, 50, true]);
  });

  it('leaves a cancelled unit out, tells pending from overdue, and derives a missing on-time flag', () => {
    // Prepare
    const indicators = [ind({ id: 'x', aggregation: 'sum', kind: 'count', target: 4 })];
    const input = base(indicators, {
      obligations: [
        obligation('c1', { onTime: undefined, submittedAt: '2027-07-07T16:30:00.000Z' }), // 23:30 on the due day in Vietnam
        obligation('c2', { status: 'cancelled', onTime: undefined, submittedAt: undefined }),
        obligation('c3', { status: 'open', onTime: undefined, submittedAt: undefined }),
      ],
      reports: [
        { unitId: 'c1', rows: [{ unitId: 'a', values: { x: 3 } }, { unitId: 'c', values: { x: 9 } }] },
        { unitId: 'c2', rows: [{ unitId: 'c', values: { x: 7 } }] },
      ],
      now: '2027-07-07T10:00:00.000Z',
    });

    // Act
    const r = computeResults(input);
    const later = computeResults({ ...input, now: '2027-07-08T00:00:00.000Z' });

    // Assess
    expect(r.units.c1!.reporting!.status).toBe('on-time');
    expect(r.units.c2!.reporting!.status).toBe('cancelled');
    expect(r.units.c3!.reporting!.status).toBe('pending');
    expect(later.units.c3!.reporting!.status).toBe('overdue');
    expect(r.units.p!.rates).toEqual({ expected: 2, received: 1, onTime: 1, completeness: 0.5, timeliness: 0.5, flagged: true });
    expect([r.units.c2!.score, r.units.c2!.rank, r.units.c2!.indicators.x!.target, r.units.c2!.indicators.x!.actual]).toEqual([null, null, null, null]);
    expect(r.units.p!.indicators.x).toEqual({ actual: 3, target: 8, met: false, rows: 1 });
    expect(r.units.p!.scoredChildren).toBe(2);
    expect(r.notes.map((n) => [n.code, n.unitId])).toEqual([
      ['on-time-derived', 'c1'],
      ['missing-target', 'c1'],
      ['missing-target', 'c3'],
      ['unknown-row', 'c'],
      ['report-of-cancelled', 'c2'],
    ]);
  });

  it('ignores values of the wrong type and reports of units without an obligation', () => {
    // Prepare
    const indicators = [ind({ id: 'x' }), ind({ id: 'ok', kind: 'yes-no', aggregation: 'all', target: true })];
    const input = base(indicators, {
      obligations: [obligation('c1')],
      reports: [
        { unitId: 'c1', rows: [{ unitId: 'a', values: { x: true, ok: 1 } as never }, { unitId: 'b', values: { x: 40, ok: true } }] },
        { unitId: 'c2', rows: [{ unitId: 'c', values: { x: 10, ok: true } }] },
      ],
    });

    // Act
    const r = computeResults(input);

    // Assess
    expect(r.units.c1!.indicators.x!.actual).toBe(40);
    expect(r.units.a!.indicators.x!.actual).toBeNull();
    expect(r.units.c2!.indicators.x!.actual).toBeNull();
    expect(r.units.c2!.reporting).toBeNull();
    expect(r.units.p!.rates.expected).toBe(1);
    expect(r.notes.map((n) => n.code)).toEqual(['missing-target', 'bad-value', 'bad-value', 'report-without-obligation']);
  });

  it('refuses an invalid rubric and stores a valid one as plain JSON', () => {
    // Prepare
    const indicators = [ind({ id: 'x' })];
    const rubric = { points: { x: 100 }, partial: 'linear', cap: 100, fourNo: { deductionPerBreach: 5, perVillage: undefined }, notReportedScore: 0 } as const;

    // Act
    const r = computeResults(base(indicators, { rubric }));

    // Assess
    expect(() => computeResults(base(indicators, { rubric: { ...rubric, cap: -1 } }))).toThrow();
    expect(JSON.parse(JSON.stringify(r))).toStrictEqual(r);
    expect(r.rubric.fourNo).toStrictEqual({ deductionPerBreach: 5 });
  });

  it('shares ranks on equal scores', () => {
    // Prepare: c1 and c2 both meet their only indicator; c3 does not report.
    const indicators = [ind({ id: 'x' })];
    const reports = [
      { unitId: 'c1', rows: [{ unitId: 'a', values: { x: 60 } }, { unitId: 'b', values: { x: 70 } }] },
      { unitId: 'c2', rows: [{ unitId: 'c', values: { x: 50 } }] },
    ];

    // Act
    const r = computeResults(base(indicators, { reports, obligations: [obligation('c1'), obligation('c2'), obligation('c3', { status: 'open' })] }));

    // Assess
    expect(['c1', 'c2', 'c3'].map((id) => [r.units[id]!.score, r.units[id]!.rank])).toEqual([
      [100, 1],
      [100, 1],
      [0, 3],
    ]);
  });
});
