import { describe, expect, it } from 'vitest';
import { computeResults, defaultRubric, type PeriodResults } from '../shared/domain/results/index.ts';
import { directive, quarters } from './support/hand-province.ts';

const { q1Input, q2Input } = quarters({ q1: '2027-q1', q2: '2027-q2' });

/*
 * A hierarchy small enough to compute by hand (its inputs: test/support/hand-province.ts): province "p" → communes
 * c1, c2, c3 → villages cN-v1…cN-v3.
 *
 * Indicators (default rubric: the 5 outside "4 không" get 100 ÷ 5 = 20 points each; linear; cap 100;
 * −5 per breached "4 không" criterion, counted once per commune; not reported = 0):
 *   dv  dang-vien       count,   increase, sum                         (20 pts)
 *   gd  gia-dinh-vh     percent, reach,    weighted-mean by households (20 pts)
 *   tq  thu-quy         percent, reach,    mean                        (20 pts)
 *   cb  chi-bo          yes-no,  reach,    all                         (20 pts, all or nothing)
 *   hn  ho-ngheo        percent, decrease, mean                        (20 pts, ratio = target ÷ actual)
 *   tn  khong-tai-nan   count,   decrease, sum, "4 không"              (deduction)
 *   tp  khong-toi-pham  count,   decrease, sum, "4 không"              (deduction)
 *
 * Targets (per commune):      dv   gd   tq   cb    hn   tn  tp
 *   c1                          6   90  100   true   3    0   0
 *   c2                          4   90  100   true   5    0   0
 *   c3                          5   85  100   true   4    0   0
 *
 * Households: c1-v1 100, c1-v2 200, c1-v3 100 (c1 = 400); c2-v1 150, c2-v2 150, c2-v3 200 (c2 = 500);
 *             c3-v1..v3 100 each (c3 = 300); province = 1200.
 *
 * ── Period 2027-q2 (current, due 2027-07-07, now 2027-07-15) ─────────────────────────────────────────────────
 * c1 submitted on time; c2 submitted late; c3 did not submit (overdue).
 *   village  hh   dv   gd   tq   cb     hn    tn  tp
 *   c1-v1   100    2   95  100   true   2     1   0    ← one serious traffic accident: "4 không" breached
 *   c1-v2   200    3   90   90   true   3     0   0
 *   c1-v3   100    2   85   80   true   4     0   0
 *   c2-v1   150    1   80  100   true   6     0   0
 *   c2-v2   150    1   78  100   false  6.5   0   0
 *   c2-v3   200    1   84  100   true   6.25  0   0
 *
 * c1: dv = 2+3+2 = 7 (≥ 6 met, ratio 7/6 → capped 1 → 20)
 *     gd = (95·100 + 90·200 + 85·100) / 400 = 36000/400 = 90 (≥ 90 met → 20)
 *     tq = (100+90+80)/3 = 90 (< 100 not met, ratio 0.9 → 18)
 *     cb = all(true,true,true) = true (met → 20)
 *     hn = (2+3+4)/3 = 3 (≤ 3 met, ratio 3/3 = 1 → 20)
 *     tn = 1 (> 0 not met), tp = 0 (met)
 *     earned 20+20+18+20+20 = 98; min(100, 98) − 1 criterion × 5 = 93
 * c2: dv = 1+1+1 = 3 (< 4, ratio 3/4 = 0.75 → 15)
 *     gd = (80·150 + 78·150 + 84·200) / 500 = (12000+11700+16800)/500 = 40500/500 = 81 (ratio 81/90 = 0.9 → 18)
 *          (the plain mean would be 80.67: the weighting matters)
 *     tq = 100 (met → 20)
 *     cb = all(true,false,true) = false (not met → 0)
 *     hn = (6+6.5+6.25)/3 = 18.75/3 = 6.25 (> 5 not met, ratio 5/6.25 = 0.8 → 16)
 *     tn = 0, tp = 0 (met; no breach)
 *     earned 15+18+20+0+16 = 69; score 69
 * c3: not reported → every actual null; score 0 (notReportedScore)
 * Ranks under p: c1 93 → 1, c2 69 → 2, c3 0 → 3.
 *
 * p (actuals from c1, c2; targets from c1, c2, c3):
 *     dv = 7+3 = 10;                           target 6+4+5 = 15                                   → not met
 *     gd = (90·400 + 81·500)/900 = 76500/900 = 85; target (90·400 + 90·500 + 85·300)/1200 = 106500/1200 = 88.75 → not met
 *     tq = mean(90, 100) = 95;                 target mean(100,100,100) = 100                       → not met
 *     cb = all(true, false) = false;           target all(true,true,true) = true                    → not met
 *     hn = mean(3, 6.25) = 4.625;              target mean(3,5,4) = 4 (decrease: 4.625 > 4)         → not met
 *     tn = 1, target 0 → not met;  tp = 0, target 0 → met
 *     score = mean(93, 69, 0) = 162/3 = 54
 *
 * Rates (expected / received / on time → completeness, timeliness, flagged when completeness < 0.8):
 *   c1 1/1/1 → 1, 1, no    c2 1/1/0 → 1, 0, no    c3 1/0/0 → 0, 0, yes    p 3/2/1 → 2/3, 1/3, yes
 *   villages 0/0/0 → null, null, no
 *
 * ── Period 2027-q1 (previous; everyone on time; same targets) ──────────────────────────────────────────────
 *   c1 villages: dv 1,1,1  gd 90,90,90  tq 70,70,70     cb true×3  hn 3,3,3  tn/tp 0
 *      → dv 3 (3/6 → 10), gd 90 (20), tq 70 (0.7 → 14), cb (20), hn 3 (20) = 84
 *   c2 villages: dv 2,1,0  gd 90,90,90  tq 100,100,100  cb true×3  hn 5,5,5  tn/tp 0
 *      → dv 3 (3/4 → 15), gd 90 (20), tq 100 (20), cb (20), hn 5 (20) = 95
 *   c3 villages: dv 2,2,1  gd 85,85,85  tq 100,100,100  cb true×3  hn 4,4,4  tn/tp 0
 *      → dv 5 (20), gd 85 (20), tq 100 (20), cb (20), hn 4 (20) = 100
 *   ranks: c3 1, c2 2, c1 3;  p score (84+95+100)/3 = 93
 *   p actuals: dv 3+3+5 = 11; gd (90·400 + 90·500 + 85·300)/1200 = 88.75; tq mean(70,100,100) = 90; cb true; hn mean(3,5,4) = 4; tn 0; tp 0
 *
 * ── Change q1 → q2 (current − previous; rank = previous rank − current rank, positive = climbed) ───────────
 *   c1: dv +4, gd 0, tq +20, cb null (yes-no), hn 0, tn +1, tp 0; score 93−84 = +9;   rank 3→1 = +2
 *   c2: dv 0, gd 81−90 = −9, tq 0, cb null, hn 6.25−5 = +1.25, tn 0, tp 0; score 69−95 = −26; rank 2→2 = 0
 *   c3: every indicator null (nothing this period); score 0−100 = −100; rank 1→3 = −2
 *   p:  dv 10−11 = −1, gd 85−88.75 = −3.75, tq 95−90 = +5, cb null, hn 4.625−4 = +0.625, tn +1, tp 0; score 54−93 = −39; rank null (root)
 *   c1-v1: dv 2−1 = +1, gd 95−90 = +5, tq 100−70 = +30, cb null, hn 2−3 = −1, tn +1, tp 0; no score, no rank
 */

/** Actuals of a unit as [dv, gd, tq, cb, hn, tn, tp]. */
const actuals = (r: PeriodResults, id: string) => Object.values(r.units[id]!.indicators).map((i) => i.actual);
const targetsOf = (r: PeriodResults, id: string) => Object.values(r.units[id]!.indicators).map((i) => i.target);
const metOf = (r: PeriodResults, id: string) => Object.values(r.units[id]!.indicators).map((i) => i.met);

describe('period results computed by hand (1 province → 3 communes → 9 villages)', () => {
  it('uses the default rubric: 20 points each for the five indicators outside "4 không"', () => {
    // Act
    const rubric = defaultRubric(directive);

    // Assess
    expect(rubric).toEqual({
      points: { 'dang-vien': 20, 'gia-dinh-vh': 20, 'thu-quy': 20, 'chi-bo': 20, 'ho-ngheo': 20 },
      partial: 'linear',
      cap: 100,
      fourNo: { deductionPerBreach: 5 },
      notReportedScore: 0,
    });
  });

  it('gives DHIS2 reporting rates per commune and for the province', () => {
    // Act
    const r = computeResults(q2Input());

    // Assess
    const rates = (id: string) => r.units[id]!.rates;
    expect(rates('c1')).toEqual({ expected: 1, received: 1, onTime: 1, completeness: 1, timeliness: 1, flagged: false });
    expect(rates('c2')).toEqual({ expected: 1, received: 1, onTime: 0, completeness: 1, timeliness: 0, flagged: false });
    expect(rates('c3')).toEqual({ expected: 1, received: 0, onTime: 0, completeness: 0, timeliness: 0, flagged: true });
    expect(rates('p')).toEqual({ expected: 3, received: 2, onTime: 1, completeness: 2 / 3, timeliness: 1 / 3, flagged: true });
    expect(rates('c1-v1')).toEqual({ expected: 0, received: 0, onTime: 0, completeness: null, timeliness: null, flagged: false });
    expect(r.units.c1!.reporting).toEqual({ status: 'on-time', dueDate: '2027-07-07', submittedAt: '2027-07-06T02:00:00.000Z' });
    expect(r.units.c2!.reporting).toEqual({ status: 'late', dueDate: '2027-07-07', submittedAt: '2027-07-09T03:00:00.000Z' });
    expect(r.units.c3!.reporting).toEqual({ status: 'overdue', dueDate: '2027-07-07', submittedAt: null });
    expect(r.units.p!.reporting).toBeNull();
  });

  it('rolls actuals and targets up to communes and the province by each indicator’s rule', () => {
    // Act
    const r = computeResults(q2Input());

    // Assess: order [dv, gd, tq, cb, hn, tn, tp]
    expect(actuals(r, 'c1-v1')).toEqual([2, 95, 100, true, 2, 1, 0]);
    expect(targetsOf(r, 'c1-v1')).toEqual([null, null, null, null, null, null, null]);
    expect(actuals(r, 'c1')).toEqual([7, 90, 90, true, 3, 1, 0]);
    expect(targetsOf(r, 'c1')).toEqual([6, 90, 100, true, 3, 0, 0]);
    expect(metOf(r, 'c1')).toEqual([true, true, false, true, true, false, true]);
    expect(actuals(r, 'c2')).toEqual([3, 81, 100, false, 6.25, 0, 0]);
    expect(targetsOf(r, 'c2')).toEqual([4, 90, 100, true, 5, 0, 0]);
    expect(metOf(r, 'c2')).toEqual([false, false, true, false, false, true, true]);
    expect(actuals(r, 'c3')).toEqual([null, null, null, null, null, null, null]);
    expect(targetsOf(r, 'c3')).toEqual([5, 85, 100, true, 4, 0, 0]);
    expect(metOf(r, 'c3')).toEqual([null, null, null, null, null, null, null]);
    expect(actuals(r, 'p')).toEqual([10, 85, 95, false, 4.625, 1, 0]);
    expect(targetsOf(r, 'p')).toEqual([15, 88.75, 100, true, 4, 0, 0]);
    expect(metOf(r, 'p')).toEqual([false, false, false, false, false, false, true]);
    expect(r.units.p!.indicators['dang-vien']!.rows).toBe(6);
    expect(r.units.c3!.indicators['dang-vien']!.rows).toBe(0);
    expect(r.notes).toEqual([]);
  });

  it('records the broken "4 không" criterion at the village, its commune and the province', () => {
    // Act
    const r = computeResults(q2Input());

    // Assess
    const breach = { villageId: 'c1-v1', reportingUnitId: 'c1', indicatorId: 'khong-tai-nan', count: 1 };
    expect(r.fourNoIndicatorIds).toEqual(['khong-tai-nan', 'khong-toi-pham']);
    expect(r.units['c1-v1']!.fourNo).toEqual([breach]);
    expect(r.units['c1-v2']!.fourNo).toEqual([]);
    expect(r.units.c1!.fourNo).toEqual([breach]);
    expect(r.units.c2!.fourNo).toEqual([]);
    expect(r.units.c3!.fourNo).toEqual([]);
    expect(r.units.p!.fourNo).toEqual([breach]);
  });

  it('scores and ranks the communes and averages the province', () => {
    // Act
    const r = computeResults(q2Input());

    // Assess
    expect(r.units.c1!.scoreDetail).toEqual({
      reported: true,
      byIndicator: { 'dang-vien': 20, 'gia-dinh-vh': 20, 'thu-quy': 18, 'chi-bo': 20, 'ho-ngheo': 20 },
      earned: 98,
      breaches: 1,
      deductions: 5,
      total: 93,
    });
    expect(r.units.c2!.scoreDetail).toEqual({
      reported: true,
      byIndicator: { 'dang-vien': 15, 'gia-dinh-vh': 18, 'thu-quy': 20, 'chi-bo': 0, 'ho-ngheo': 16 },
      earned: 69,
      breaches: 0,
      deductions: 0,
      total: 69,
    });
    expect(r.units.c3!.scoreDetail).toEqual({ reported: false, byIndicator: {}, earned: 0, breaches: 0, deductions: 0, total: 0 });
    const ranking = ['c1', 'c2', 'c3', 'p'].map((id) => [id, r.units[id]!.score, r.units[id]!.rank, r.units[id]!.rankOf]);
    expect(ranking).toEqual([
      ['c1', 93, 1, 3],
      ['c2', 69, 2, 3],
      ['c3', 0, 3, 3],
      ['p', 54, null, null],
    ]);
    expect(r.units.p!.scoredChildren).toBe(3);
    expect(r.units['c1-v1']!.score).toBeNull();
    expect(r.units['c1-v1']!.rank).toBeNull();
  });

  it('computes the previous quarter as written in the table', () => {
    // Act
    const r = computeResults(q1Input);

    // Assess
    expect(['c1', 'c2', 'c3', 'p'].map((id) => [id, r.units[id]!.score, r.units[id]!.rank])).toEqual([
      ['c1', 84, 3],
      ['c2', 95, 2],
      ['c3', 100, 1],
      ['p', 93, null],
    ]);
    expect(actuals(r, 'p')).toEqual([11, 88.75, 90, true, 4, 0, 0]);
    expect(r.units.p!.rates).toEqual({ expected: 3, received: 3, onTime: 3, completeness: 1, timeliness: 1, flagged: false });
    expect(r.notes).toEqual([]);
  });

  it('gives the change from the previous quarter, read back from stored JSON', () => {
    // Prepare: the previous results as stored and read again.
    const stored: PeriodResults = JSON.parse(JSON.stringify(computeResults(q1Input)));

    // Act
    const r = computeResults(q2Input(stored));

    // Assess
    const ids = ['dang-vien', 'gia-dinh-vh', 'thu-quy', 'chi-bo', 'ho-ngheo', 'khong-tai-nan', 'khong-toi-pham'];
    const change = (id: string) => {
      const c = r.units[id]!.change!;
      return { indicators: ids.map((i) => c.indicators[i]), score: c.score, rank: c.rank };
    };
    expect(r.previousPeriodId).toBe('2027-q1');
    expect(change('c1')).toEqual({ indicators: [4, 0, 20, null, 0, 1, 0], score: 9, rank: 2 });
    expect(change('c2')).toEqual({ indicators: [0, -9, 0, null, 1.25, 0, 0], score: -26, rank: 0 });
    expect(change('c3')).toEqual({ indicators: [null, null, null, null, null, null, null], score: -100, rank: -2 });
    expect(change('p')).toEqual({ indicators: [-1, -3.75, 5, null, 0.625, 1, 0], score: -39, rank: null });
    expect(change('c1-v1')).toEqual({ indicators: [1, 5, 30, null, -1, 1, 0], score: null, rank: null });
  });

  it('is plain JSON: stored and read back it is the same value', () => {
    // Act
    const r = computeResults(q2Input(computeResults(q1Input)));

    // Assess
    expect(JSON.parse(JSON.stringify(r))).toStrictEqual(r);
    expect(r.format).toBe('thidua-results');
    expect(Object.keys(r.units)).toEqual(['p', 'c1', 'c1-v1', 'c1-v2', 'c1-v3', 'c2', 'c2-v1', 'c2-v2', 'c2-v3', 'c3', 'c3-v1', 'c3-v2', 'c3-v3']);
  });
});
