import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Indicator } from '../shared/domain/directive.ts';
import { buildReview, type ReviewInput } from '../shared/domain/emulation/review.ts';
import type { HistoryEntry, Registration } from '../shared/domain/emulation/types.ts';
import type { FourNoBreach, IndicatorValue, PeriodResults, UnitResult } from '../shared/domain/results/types.ts';
import { renderReviewEmail, renderReviewPage } from '../shared/mail/review-email.ts';
import { REVIEW_XLSX_LAYOUT, reviewWorkbook } from '../shared/mail/review-xlsx.ts';

/*
 * A 3-year directive (2025–2027) over 4 communes under province "p", figures chosen and their review worked out by hand.
 * Indicators: "quy" funds collected (sum, should rise), "ho-ngheo" poor-household rate (%, should FALL), "khong-kk"
 * no mass complaint ("4 không", yes-no, target Có).
 *
 *            quy (triệu đồng)     ho-ngheo (%)        khong-kk           score              breaches
 *            25    26    27       25   26   27        25  26  27         25   26   27       25 26 27
 *   c1 Bình Minh  80    90   100   5.0  4.5  3.5       Có  Không Có       70   78   80       0  1  0
 *   c2 Cát Tiên  120   110   100   4.0  4.2  4.0       Có  Có  Không      85   80   75       0  0  2
 *   c3 Ân Thi    100    —    130   3.0  3.5  3.2       Không Không Có     85   60   95       1  1  0
 *   c4 Đông Hòa   —     50    60    —   6.0  5.1       —   Có  Có         —    65   80       0  0  0   (cancelled in 2025, named "Xã Đông Phú" then)
 *
 * By hand (first → last year with a value):
 *   c1: quy +20 tiến bộ; hộ nghèo −1,5 tiến bộ (falling rate); 4 không Có → Có không đổi; score +10
 *   c2: quy −20 giảm; hộ nghèo 0 không đổi; Có → Không giảm; score −10
 *   c3: quy 100 → 130 = +30 tiến bộ (2026 missing); hộ nghèo 3,0 → 3,2 = +0,2 giảm (a rising rate); Không → Có tiến bộ; score +10
 *   c4: quy 50 → 60 = +10 tiến bộ; hộ nghèo 6,0 → 5,1 = −0,9 tiến bộ; Có → Có không đổi; score 65 → 80 = +15, but NOT scored in
 *       2025, so it is in neither list.
 *   improvedMost: c3 (+10) and c1 (+10) tie: by name in Vietnamese order "Xã Ân Thi" before "Xã Bình Minh" (Â sorts after
 *   A, before B; by code point or by id it would be the other way). declinedMost: c2 (−10).
 *   "4 không": 2025 1 breach, 1 commune breaching (c3), clean c1 c2, c4 unassessed; 2026 2 breaches (c1, c3), clean c2 c4;
 *   2027 2 breaches both in c2 (villages c2-v1, c2-v2), 1 breaching, clean c1 c3 c4.
 *   Means: quy 2025 (80+120+100)/3 = 100; 2026 (90+110+50)/3 = 83,33; 2027 (100+100+130+60)/4 = 97,5.
 *          hộ nghèo 2025 12/3 = 4; 2026 18,2/4 = 4,55; 2027 15,8/4 = 3,95.
 *          4 không (share Có) 2025 2/3 = 0,6667; 2026 2/4 = 0,5; 2027 3/4 = 0,75.
 *   Counts: quy improved 3 declined 1; hộ nghèo improved 2 (c1, c4) declined 1 (c3) unchanged 1 (c2);
 *           4 không improved 1 (c3) declined 1 (c2) unchanged 2.
 */

const DIRECTIVE_ID = 'ct-23-2025';
const indicators: Indicator[] = [
  { id: 'quy', name: 'Vận động thu các loại quỹ', measure: 'triệu đồng', kind: 'number', direction: 'increase', aggregation: 'sum', target: 100 },
  { id: 'ho-ngheo', name: 'Tỷ lệ hộ nghèo', measure: '%', kind: 'percent', direction: 'decrease', aggregation: 'mean', target: 3 },
  { id: 'khong-kk', group: '4 không', name: 'Không để xảy ra khiếu kiện tập thể, đông người', measure: 'có/không', kind: 'yes-no', direction: 'reach', aggregation: 'all', target: true },
];
const directive: ReviewInput['directive'] = { id: DIRECTIVE_ID, kind: 'chỉ thị', number: '23-CT/TU', title: 'Tiếp tục đẩy mạnh phong trào thi đua trên địa bàn thôn, khu phố', indicators };

type Row = { name: string; quy: number | null; hn: number | null; kk: boolean | null; score: number | null; breachVillages: string[] };

function breach(communeId: string, villageId: string): FourNoBreach {
  return { villageId, reportingUnitId: communeId, indicatorId: 'khong-kk', count: 1 };
}

function unitResult(id: string, name: string, level: UnitResult['level'], parentId: string | null, values: Record<string, IndicatorValue>, score: number | null, fourNo: FourNoBreach[]): UnitResult {
  return {
    unitId: id,
    name,
    level,
    parentId,
    path: parentId ? ['p', ...(level === 'village' ? [parentId] : []), id] : [id],
    reporting: null,
    rates: { expected: 0, received: 0, onTime: 0, completeness: null, timeliness: null, flagged: false },
    indicators: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { actual: v, target: null, met: null, rows: v === null ? 0 : 1 }])),
    fourNo,
    score,
    scoreDetail: null,
    scoredChildren: null,
    rank: null,
    rankOf: null,
    change: null,
  };
}

/** Minimal year results: the province, the four communes, and one village (its breaches also appear on its commune). */
function yearResults(year: number, rows: Record<string, Row>): PeriodResults {
  const units: Record<string, UnitResult> = {
    p: unitResult('p', 'Tỉnh Bình Thuận', 'province', null, { quy: 999, 'ho-ngheo': 1, 'khong-kk': false }, 50, []),
    'c1-v1': unitResult('c1-v1', 'Thôn 1', 'village', 'c1', { quy: 10, 'ho-ngheo': 1, 'khong-kk': true }, null, []),
  };
  for (const [id, r] of Object.entries(rows)) {
    units[id] = unitResult(id, r.name, 'commune', 'p', { quy: r.quy, 'ho-ngheo': r.hn, 'khong-kk': r.kk }, r.score, r.breachVillages.map((v) => breach(id, v)));
  }
  return {
    format: 'thidua-results',
    formatVersion: 1,
    directiveId: DIRECTIVE_ID,
    directiveVersion: 1,
    periodId: `${year}-Y`,
    computedAt: `${year}-12-20T01:00:00.000Z`,
    rootIds: ['p'],
    rubric: { points: { quy: 50, 'ho-ngheo': 50 }, partial: 'linear', cap: 100, fourNo: { deductionPerBreach: 5 }, notReportedScore: 0 },
    fourNoIndicatorIds: ['khong-kk'],
    previousPeriodId: null,
    units,
    notes: [],
  };
}

const r = (name: string, quy: number | null, hn: number | null, kk: boolean | null, score: number | null, breachVillages: string[] = []): Row => ({ name, quy, hn, kk, score, breachVillages });

function registration(year: number, unitId: string, state: Registration['state'], late = false, version = 1, directiveId = DIRECTIVE_ID): Registration {
  return { directiveId, year, unitId, titleIds: ['tap-the-lao-dong-tien-tien'], pledgeSigned: true, state, submittedAt: null, submittedBy: null, decidedAt: null, decidedBy: null, reasonVi: null, late, version };
}

const TIEN_TIEN = 'Tập thể lao động tiên tiến';
const XUAT_SAC = 'Tập thể lao động xuất sắc';
const THON_VH = 'Thôn, tổ dân phố văn hóa';
function title(year: number, unitId: string, titleVi: string, source: HistoryEntry['source'] = 'decision'): HistoryEntry {
  const titleId = titleVi === TIEN_TIEN ? 'tap-the-lao-dong-tien-tien' : titleVi === XUAT_SAC ? 'tap-the-lao-dong-xuat-sac' : 'thon-van-hoa';
  return { unitId, year, titleId, titleVi, decisionNumber: null, decidedOn: null, issuerName: null, source };
}

/** `c2Name`: the name of c2 (among the units declined most, so every rendering shows it) in 2026 and 2027. */
function fixture(c2Name = 'Xã Cát Tiên'): ReviewInput {
  const y2025 = yearResults(2025, {
    c1: r('Xã Bình Minh', 80, 5.0, true, 70),
    c2: r('Xã Cát Tiên', 120, 4.0, true, 85),
    c3: r('Xã Ân Thi', 100, 3.0, false, 85, ['c3-v1']),
    c4: r('Xã Đông Phú', null, null, null, null),
  });
  const y2026 = yearResults(2026, {
    c1: r('Xã Bình Minh', 90, 4.5, false, 78, ['c1-v1']),
    c2: r(c2Name, 110, 4.2, true, 80),
    c3: r('Xã Ân Thi', null, 3.5, false, 60, ['c3-v2']),
    c4: r('Xã Đông Hòa', 50, 6.0, true, 65),
  });
  const y2027 = yearResults(2027, {
    c1: r('Xã Bình Minh', 100, 3.5, true, 80),
    c2: r(c2Name, 100, 4.0, false, 75, ['c2-v1', 'c2-v2']),
    c3: r('Xã Ân Thi', 130, 3.2, true, 95),
    c4: r('Xã Đông Hòa', 60, 5.1, true, 80),
  });
  return {
    directive,
    // Out of order on purpose: the review sorts them.
    years: [
      { year: 2027, results: y2027 },
      { year: 2025, results: y2025 },
      { year: 2026, results: y2026 },
    ],
    registrations: new Map([
      // 2025: sent c1 (approved), c2 (awaiting, late), c4 (returned); c3 not sent; another directive's and a village's left out.
      [2025, [registration(2025, 'c1', 'approved'), registration(2025, 'c2', 'awaiting', true), registration(2025, 'c3', 'not-sent'), registration(2025, 'c4', 'returned'), registration(2025, 'c1', 'approved', false, 1, 'other-directive'), registration(2025, 'c1-v1', 'approved')]],
      // 2026: all four approved, c2 late; c3 resent (version 1 returned, version 2 approved) counts once.
      [2026, [registration(2026, 'c1', 'approved'), registration(2026, 'c2', 'approved', true), registration(2026, 'c3', 'returned', false, 1), registration(2026, 'c3', 'approved', false, 2), registration(2026, 'c4', 'approved')]],
      // 2027: c2 not sent (its late flag does not count), c3 awaiting, c4 approved late.
      [2027, [registration(2027, 'c1', 'approved'), registration(2027, 'c2', 'not-sent', true), registration(2027, 'c3', 'awaiting'), registration(2027, 'c4', 'approved', true)]],
    ]),
    titles: [
      title(2024, 'c1', XUAT_SAC),
      title(2025, 'c1', TIEN_TIEN),
      title(2025, 'c3', TIEN_TIEN),
      title(2025, 'c3', TIEN_TIEN, 'import'),
      title(2025, 'c2', XUAT_SAC),
      title(2025, 'c1-v1', THON_VH),
      title(2026, 'c1', XUAT_SAC),
      title(2026, 'c3', TIEN_TIEN),
    ],
    level: 'commune',
  };
}

describe('buildReview: the hand-computed 3-year review', () => {
  it('lists the communes by name with their values, changes and trends by year', () => {
    // Prepare
    const input = fixture();

    // Act
    const review = buildReview(input);

    // Assess
    expect(review.years).toEqual([2025, 2026, 2027]);
    expect(review.periodIds).toEqual(['2025-Y', '2026-Y', '2027-Y']);
    expect(review.units.map((u) => u.unitId)).toEqual(['c3', 'c1', 'c2', 'c4']);
    expect(review.units.find((u) => u.unitId === 'c4')!.name).toBe('Xã Đông Hòa');
    expect(review.indicators.map((i) => [i.id, i.fourNo])).toEqual([['quy', false], ['ho-ngheo', false], ['khong-kk', true]]);
    const u = Object.fromEntries(review.units.map((x) => [x.unitId, x]));
    expect(u.c1!.indicators).toEqual({
      quy: { values: [80, 90, 100], change: 20, trend: 'improved' },
      'ho-ngheo': { values: [5, 4.5, 3.5], change: -1.5, trend: 'improved' },
      'khong-kk': { values: [true, false, true], change: null, trend: 'unchanged' },
    });
    expect(u.c2!.indicators).toEqual({
      quy: { values: [120, 110, 100], change: -20, trend: 'declined' },
      'ho-ngheo': { values: [4, 4.2, 4], change: 0, trend: 'unchanged' },
      'khong-kk': { values: [true, true, false], change: null, trend: 'declined' },
    });
    expect(u.c3!.indicators).toEqual({
      quy: { values: [100, null, 130], change: 30, trend: 'improved' },
      'ho-ngheo': { values: [3, 3.5, 3.2], change: 0.2, trend: 'declined' },
      'khong-kk': { values: [false, false, true], change: null, trend: 'improved' },
    });
    expect(u.c4!.indicators).toEqual({
      quy: { values: [null, 50, 60], change: 10, trend: 'improved' },
      'ho-ngheo': { values: [null, 6, 5.1], change: -0.9, trend: 'improved' },
      'khong-kk': { values: [null, true, true], change: null, trend: 'unchanged' },
    });
    expect([u.c1!.scores, u.c1!.scoreChange]).toEqual([[70, 78, 80], 10]);
    expect([u.c2!.scores, u.c2!.scoreChange]).toEqual([[85, 80, 75], -10]);
    expect([u.c3!.scores, u.c3!.scoreChange]).toEqual([[85, 60, 95], 10]);
    expect([u.c4!.scores, u.c4!.scoreChange]).toEqual([[null, 65, 80], 15]);
    expect(u.c2!.breaches).toEqual([0, 0, 2]);
  });

  it('ranks the most improved and declined among communes scored in the first and last year, ties by Vietnamese name', () => {
    // Prepare
    const input = fixture();

    // Act
    const review = buildReview(input);

    // Assess
    expect(review.improvedMost).toEqual([
      { unitId: 'c3', name: 'Xã Ân Thi', first: 85, last: 95, change: 10 },
      { unitId: 'c1', name: 'Xã Bình Minh', first: 70, last: 80, change: 10 },
    ]);
    expect(review.declinedMost).toEqual([{ unitId: 'c2', name: 'Xã Cát Tiên', first: 85, last: 75, change: -10 }]);
  });

  it('counts "4 không", registrations and titles per year', () => {
    // Prepare
    const input = fixture();

    // Act
    const review = buildReview(input);

    // Assess
    expect(review.fourNoByYear).toEqual([
      { year: 2025, breaches: 1, incidents: 1, unitsBreaching: 1, unitsClean: 2, unitsUnassessed: 1 },
      { year: 2026, breaches: 2, incidents: 2, unitsBreaching: 2, unitsClean: 2, unitsUnassessed: 0 },
      { year: 2027, breaches: 2, incidents: 2, unitsBreaching: 1, unitsClean: 3, unitsUnassessed: 0 },
    ]);
    expect(review.registrationsByYear).toEqual([
      { year: 2025, registered: 3, approved: 1, late: 1 },
      { year: 2026, registered: 4, approved: 4, late: 1 },
      { year: 2027, registered: 3, approved: 2, late: 1 },
    ]);
    expect(review.titlesByYear).toEqual([
      {
        year: 2025,
        titles: [
          { titleId: 'tap-the-lao-dong-tien-tien', titleVi: TIEN_TIEN, units: 2 },
          { titleId: 'tap-the-lao-dong-xuat-sac', titleVi: XUAT_SAC, units: 1 },
          { titleId: 'thon-van-hoa', titleVi: THON_VH, units: 1 },
        ],
        unitsWithTitle: 4,
      },
      {
        year: 2026,
        titles: [
          { titleId: 'tap-the-lao-dong-tien-tien', titleVi: TIEN_TIEN, units: 1 },
          { titleId: 'tap-the-lao-dong-xuat-sac', titleVi: XUAT_SAC, units: 1 },
        ],
        unitsWithTitle: 2,
      },
      { year: 2027, titles: [], unitsWithTitle: 0 },
    ]);
  });

  it('summarises each indicator across the communes and stays plain JSON', () => {
    // Prepare
    const input = fixture();

    // Act
    const review = buildReview(input);

    // Assess
    expect(review.indicatorSummaries).toEqual([
      { indicatorId: 'quy', meanByYear: [100, 83.33, 97.5], unitsByYear: [3, 3, 4], improved: 3, declined: 1, unchanged: 0 },
      { indicatorId: 'ho-ngheo', meanByYear: [4, 4.55, 3.95], unitsByYear: [3, 4, 4], improved: 2, declined: 1, unchanged: 1 },
      { indicatorId: 'khong-kk', meanByYear: [0.6667, 0.5, 0.75], unitsByYear: [3, 4, 4], improved: 1, declined: 1, unchanged: 2 },
    ]);
    expect(JSON.parse(JSON.stringify(review))).toEqual(review);
  });
});

describe('review email and console page', () => {
  const HOSTILE = 'Xã <script>alert("x")</script> & \'Đông\'';

  it('escapes a hostile unit name everywhere and writes Vietnamese figures', () => {
    // Prepare
    const review = buildReview(fixture(HOSTILE));

    // Act
    const mail = renderReviewEmail(review, { issuerName: 'Ban Thường vụ Tỉnh ủy <b>', consoleUrl: 'https://thidua.example/review?d=ct-23&y="x"' });
    const pageHtml = renderReviewPage(review);

    // Assess
    expect(mail.subject).toBe('[thidua] Kết quả 3 năm (2025–2027) thực hiện chỉ thị số 23-CT/TU: 2 xã tăng điểm, 1 xã giảm điểm');
    // c4 was not scored in 2025: it is not counted among the 3 compared.
    expect(mail.text).toContain('So sánh năm 2025 với năm 2027: 2/3 xã tăng điểm thi đua, 1/3 xã giảm điểm.');
    for (const html of [mail.html, pageHtml]) {
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('Tỉnh ủy <b>');
      expect(html).not.toContain(HOSTILE);
      expect(html).toContain('Xã &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Đông&#39;');
    }
    expect(mail.html).toContain('Ban Thường vụ Tỉnh ủy &lt;b&gt;');
    expect(mail.html).toContain('href="https://thidua.example/review?d=ct-23&amp;y=&quot;x&quot;"');
    expect(mail.html).not.toContain('<svg');
    expect(mail.text).toContain(HOSTILE);
    // Hand figures: c3 and c1 +10, c2 −10 (a real minus sign), quy mean 83,33 in 2026, 4 không 2 breaches in 2027.
    expect(mail.text).toMatch(/Xã Ân Thi\s+85\s+95\s+\+10/);
    expect(mail.text).toMatch(/'Đông'\s+85\s+75\s+−10/);
    expect(mail.text).toContain('83,33');
    expect(mail.text).toMatch(/Tỷ lệ hộ nghèo \(càng thấp càng tốt\)\s+4%\s+4,55%\s+3,95%\s+2\s+1\s+1/);
    expect(mail.text).toMatch(/2027\s+2\s+1\s+3\s+0/);
    expect(mail.html).toContain('Xã tiến bộ nhiều nhất (2025 → 2027)');
    expect(pageHtml).not.toMatch(/<html/i);
    expect(pageHtml).toContain('<svg id="review-up"');
    expect(pageHtml).toContain('<svg id="review-four-no"');
    expect(pageHtml).toContain('data-breaches="2027">2</text>');
  });
});

describe('review workbook', () => {
  it('reads back with the hand-computed values', async () => {
    // Prepare
    const review = buildReview(fixture());
    const L = REVIEW_XLSX_LAYOUT;

    // Act
    const bytes = await reviewWorkbook(review);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);

    // Assess
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Tổng hợp', 'Đơn vị', 'Tiến bộ nhiều nhất', 'Giảm nhiều nhất']);
    const rowValues = (sheet: string, rowNo: number, cols: number) => Array.from({ length: cols }, (_, i) => wb.getWorksheet(sheet)!.getCell(rowNo, i + 1).value);

    const sum = L.firstDataRow;
    expect(rowValues('Tổng hợp', sum, 10)).toEqual([2025, 3, 1, 1, 4, `${TIEN_TIEN}: 2; ${XUAT_SAC}: 1; ${THON_VH}: 1`, 1, 1, 2, 1]);
    expect(rowValues('Tổng hợp', sum + 1, 10)).toEqual([2026, 4, 4, 1, 2, `${TIEN_TIEN}: 1; ${XUAT_SAC}: 1`, 2, 2, 2, 0]);
    expect(rowValues('Tổng hợp', sum + 2, 10)).toEqual([2027, 3, 2, 1, 0, 'Chưa có', 2, 1, 3, 0]);

    // "Đơn vị": 4 rows per commune (score, then the 3 indicators), communes by name: Ân Thi, Bình Minh, Cát Tiên, Đông Hòa.
    const units = wb.getWorksheet('Đơn vị')!;
    expect(rowValues('Đơn vị', L.headerRow, 9)).toEqual(['Đơn vị', 'Thuộc', 'Chỉ tiêu', 'Đơn vị tính', '2025', '2026', '2027', 'Thay đổi 2025–2027', 'Đánh giá']);
    const d = L.firstDataRow;
    expect(rowValues('Đơn vị', d, 9)).toEqual(['Xã Ân Thi', 'Tỉnh Bình Thuận', 'Điểm thi đua', 'điểm', 85, 60, 95, 10, 'tiến bộ']);
    expect(rowValues('Đơn vị', d + 1, 9)).toEqual(['Xã Ân Thi', 'Tỉnh Bình Thuận', 'Vận động thu các loại quỹ', 'triệu đồng', 100, null, 130, 30, 'tiến bộ']);
    expect(rowValues('Đơn vị', d + 2, 9)).toEqual(['Xã Ân Thi', 'Tỉnh Bình Thuận', 'Tỷ lệ hộ nghèo (càng thấp càng tốt)', '%', 3, 3.5, 3.2, 0.2, 'giảm']);
    expect(rowValues('Đơn vị', d + 3, 9)).toEqual(['Xã Ân Thi', 'Tỉnh Bình Thuận', 'Không để xảy ra khiếu kiện tập thể, đông người', 'có/không', 'Không', 'Không', 'Có', null, 'tiến bộ']);
    expect(rowValues('Đơn vị', d + 6, 9)).toEqual(['Xã Bình Minh', 'Tỉnh Bình Thuận', 'Tỷ lệ hộ nghèo (càng thấp càng tốt)', '%', 5, 4.5, 3.5, -1.5, 'tiến bộ']);
    expect(rowValues('Đơn vị', d + 10, 9)).toEqual(['Xã Cát Tiên', 'Tỉnh Bình Thuận', 'Tỷ lệ hộ nghèo (càng thấp càng tốt)', '%', 4, 4.2, 4, 0, 'không đổi']);
    expect(rowValues('Đơn vị', d + 12, 9)).toEqual(['Xã Đông Hòa', 'Tỉnh Bình Thuận', 'Điểm thi đua', 'điểm', null, 65, 80, 15, 'tiến bộ']);
    expect(units.rowCount).toBe(d + 15);

    expect(rowValues('Tiến bộ nhiều nhất', L.firstDataRow, 7)).toEqual([1, 'Xã Ân Thi', 'Tỉnh Bình Thuận', 85, 60, 95, 10]);
    expect(rowValues('Tiến bộ nhiều nhất', L.firstDataRow + 1, 7)).toEqual([2, 'Xã Bình Minh', 'Tỉnh Bình Thuận', 70, 78, 80, 10]);
    expect(rowValues('Giảm nhiều nhất', L.firstDataRow, 7)).toEqual([1, 'Xã Cát Tiên', 'Tỉnh Bình Thuận', 85, 80, 75, -10]);
    expect(wb.getWorksheet('Giảm nhiều nhất')!.getCell(L.firstDataRow + 1, 2).value).toBeNull();
  });
});
