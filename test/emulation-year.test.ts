import ExcelJS from 'exceljs';
import { readHistoryWithinBudget } from '../shared/runtime/parse-budget.ts';
import { describe, expect, it } from 'vitest';
import { checkClusters, leadingUnitOf, rankWithinClusters, readClustersCsv } from '../shared/domain/emulation/clusters.ts';
import { checkHistoryRule, historyNotes, readHistoryWorkbook } from '../shared/domain/emulation/history.ts';
import { decideRegistration, emptyRegistration, registrationSummary, submitRegistration, unitsToRemind } from '../shared/domain/emulation/registration.ts';
import { DEFAULT_RULES, type Cluster, type HistoryEntry, type HistoryRule, type Registration, type Title } from '../shared/domain/emulation/types.ts';
import { InputError } from '../shared/domain/errors.ts';
import type { PeriodResults, UnitResult } from '../shared/domain/results/types.ts';
import type { Unit } from '../shared/domain/units.ts';

/*
 * A province "p" with two districts (the older four-tier data): d1 holds the communes Hàm Liêm (c1), Hàm Chính (c2)
 * and Hàm Trí (c3); d2 holds Phan Thanh (c4) and Hải Ninh (c5). Village v1 is under Hàm Liêm. Clusters gather
 * communes across the two districts.
 */
const unit = (id: string, name: string, level: Unit['level'], path: string[]): Unit => ({
  id,
  name,
  level,
  path,
  emails: [],
  leaderEmails: [],
  ...(path.length > 1 ? { parentId: path.at(-2) } : {}),
});
const UNIT_LIST: Unit[] = [
  unit('p', 'Tỉnh Bình Thuận', 'province', ['p']),
  unit('d1', 'Huyện Hàm Thuận Bắc', 'district', ['p', 'd1']),
  unit('d2', 'Huyện Bắc Bình', 'district', ['p', 'd2']),
  unit('c1', 'Xã Hàm Liêm', 'commune', ['p', 'd1', 'c1']),
  unit('c2', 'Xã Hàm Chính', 'commune', ['p', 'd1', 'c2']),
  unit('c3', 'Xã Hàm Trí', 'commune', ['p', 'd1', 'c3']),
  unit('c4', 'Xã Phan Thanh', 'commune', ['p', 'd2', 'c4']),
  unit('c5', 'Xã Hải Ninh', 'commune', ['p', 'd2', 'c5']),
  unit('v1', 'Thôn 1', 'village', ['p', 'd1', 'c1', 'v1']),
];
const UNITS = new Map(UNIT_LIST.map((u) => [u.id, u]));

const cluster = (id: string, nameVi: string, memberIds: string[], extra: Partial<Cluster> = {}): Cluster => ({
  id,
  nameVi,
  block: 'Xã',
  memberIds,
  leaderRotation: memberIds.slice(0, 1),
  rotationFrom: 2025,
  rubric: null,
  ...extra,
});

/** What `checkClusters` refuses with, or null when it accepts. */
function refusal(clusters: Cluster[]): InputError | null {
  try {
    checkClusters(clusters, UNITS);
    return null;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}

describe('clusters', () => {
  it('refuses a commune in two clusters of one block, and accepts communes of different districts in one cluster', () => {
    // Prepare
    const twice = [cluster('cum-1', 'Cụm 1', ['c1', 'c4']), cluster('cum-2', 'Cụm 2', ['c2', 'c1'])];
    const acrossDistricts = [cluster('cum-1', 'Cụm 1', ['c1', 'c4']), cluster('cum-2', 'Cụm 2', ['c2', 'c5']), cluster('cum-3', 'Cụm 3', ['c1', 'c2'], { block: 'Khối nông thôn' })];

    // Act
    const refused = refusal(twice);
    const accepted = refusal(acrossDistricts);

    // Assess
    expect(refused?.details).toEqual(['Xã Hàm Liêm thuộc hai cụm của khối Xã: Cụm 1 và Cụm 2']);
    expect(accepted).toBeNull();
  });

  it('lists every other problem at once: unknown member, mixed levels, a leader outside, a duplicate id, an empty cluster', () => {
    // Prepare
    const clusters = [
      cluster('cum-1', 'Cụm 1', ['c1', 'x9']),
      cluster('cum-2', 'Cụm 2', ['c2', 'v1'], { leaderRotation: ['c2', 'c3'] }),
      cluster('cum-1', 'Cụm 3', ['c4']),
      cluster('cum-4', 'Cụm 4', [], { leaderRotation: ['c5'] }),
    ];

    // Act
    const refused = refusal(clusters);

    // Assess
    expect(refused?.messageVi).toBe('Cụm thi đua có 6 lỗi, chưa lưu');
    expect(refused?.details).toEqual([
      'Cụm 1: không có đơn vị mã "x9"',
      'Cụm 2 gồm các đơn vị khác cấp: Xã Hàm Chính (cấp xã); Thôn 1 (cấp thôn)',
      'Cụm 2: Xã Hàm Trí có trong thứ tự trưởng cụm nhưng không thuộc cụm',
      'Mã cụm "cum-1" dùng cho hai cụm: Cụm 1 và Cụm 3',
      'Cụm 4 chưa có đơn vị nào',
      'Cụm 4: Xã Hải Ninh có trong thứ tự trưởng cụm nhưng không thuộc cụm',
    ]);
  });

  it('hands the leadership round by year, also for years before the rotation starts', () => {
    // Prepare
    const c = cluster('cum-1', 'Cụm 1', ['c1', 'c4', 'c3'], { leaderRotation: ['c1', 'c4', 'c3'], rotationFrom: 2025 });

    // Act
    const leaders = [2023, 2024, 2025, 2026, 2027, 2028].map((y) => leadingUnitOf(c, y));

    // Assess
    expect(leaders).toEqual(['c4', 'c3', 'c1', 'c4', 'c3', 'c1']);
  });

  it("ranks a cluster's communes across districts, each beside its rank in its own district", () => {
    // Prepare: d1: Hàm Chính 90 (1st), Hàm Liêm 80 and Hàm Trí 80 (2nd together); d2: Phan Thanh 85 (1st), Hải Ninh unscored
    const results = periodResults({ c1: 80, c2: 90, c3: 80, c4: 85, c5: null });
    const c = cluster('cum-1', 'Cụm 1', ['c1', 'c5', 'c4', 'c3'], { leaderRotation: ['c4', 'c1'], rotationFrom: 2026 });

    // Act
    const [ranking] = rankWithinClusters(results, [c], 2027);

    // Assess
    expect(ranking).toMatchObject({ clusterId: 'cum-1', nameVi: 'Cụm 1', block: 'Xã', leaderId: 'c1' });
    expect(ranking?.rows).toEqual([
      { unitId: 'c4', name: 'Xã Phan Thanh', parentId: 'd2', parentName: 'Huyện Bắc Bình', score: 85, rank: 1, parentRank: 1 },
      { unitId: 'c1', name: 'Xã Hàm Liêm', parentId: 'd1', parentName: 'Huyện Hàm Thuận Bắc', score: 80, rank: 2, parentRank: 2 },
      { unitId: 'c3', name: 'Xã Hàm Trí', parentId: 'd1', parentName: 'Huyện Hàm Thuận Bắc', score: 80, rank: 2, parentRank: 2 },
      { unitId: 'c5', name: 'Xã Hải Ninh', parentId: 'd2', parentName: 'Huyện Bắc Bình', score: null, rank: null, parentRank: null },
    ]);
  });

  it('reads a clusters file with Vietnamese headers, the rotation by its order column and the first year written', () => {
    // Prepare
    const csv = [
      'Mã cụm,Tên cụm,Khối,Mã đơn vị,Thứ tự trưởng cụm,Năm bắt đầu',
      'cum-1,Cụm 1,Xã,c1,2,2026',
      'cum-1,,,c4,1,',
      'cum-1,,,c3,,',
      'cum-2,Cụm 2,Xã,c2,1,',
      'cum-2,,,c5,,',
    ].join('\r\n');

    // Act
    const read = readClustersCsv(csv, UNITS);

    // Assess
    expect(read.problems).toEqual([]);
    expect(read.clusters).toEqual([
      { id: 'cum-1', nameVi: 'Cụm 1', block: 'Xã', memberIds: ['c1', 'c4', 'c3'], leaderRotation: ['c4', 'c1'], rotationFrom: 2026, rubric: null },
      { id: 'cum-2', nameVi: 'Cụm 2', block: 'Xã', memberIds: ['c2', 'c5'], leaderRotation: ['c2'], rotationFrom: 2026, rubric: null },
    ]);
  });

  it("lists a clusters file's problems by line, the cluster checks included", () => {
    // Prepare
    const csv = [
      'ma_cum,ten_cum,khoi,ma_don_vi,thu_tu_truong_cum,nam_bat_dau',
      'cum-1,Cụm 1,Xã,c1,1,2026',
      'cum-1,Cụm Một,,x9,,',
      'cum-2,Cụm 2,xã,c2,1,',
      'cum-2,,,c1,một,',
      'Cum 3,Cụm 3,Xã,c3,1,',
    ].join('\n');

    // Act
    const read = readClustersCsv(csv, UNITS);

    // Assess
    expect(read.problems).toEqual([
      { line: 3, messageVi: 'Dòng 3: cụm "cum-1" đã có tên "Cụm 1" ở dòng 2, dòng này ghi "Cụm Một"' },
      { line: 3, messageVi: 'Dòng 3: không có đơn vị mã "x9"' },
      { line: 4, messageVi: 'Dòng 4: Xã Hàm Liêm thuộc hai cụm của khối Xã: Cụm 1 và Cụm 2' },
      { line: 5, messageVi: 'Dòng 5: thứ tự trưởng cụm "một" phải là số nguyên dương' },
      { line: 6, messageVi: 'Dòng 6: mã cụm "Cum 3" không hợp lệ (chỉ gồm chữ thường không dấu, số và dấu gạch ngang)' },
    ]);
  });
});

/** The minimal period results the cluster ranking reads: each unit's name, parent, path and score. */
function periodResults(scores: Record<string, number | null>): PeriodResults {
  const result = (u: Unit): UnitResult => ({
    unitId: u.id,
    name: u.name,
    level: u.level,
    parentId: u.parentId ?? null,
    path: u.path,
    reporting: null,
    rates: { expected: 0, received: 0, onTime: 0, completeness: null, timeliness: null, flagged: false },
    indicators: {},
    fourNo: [],
    score: scores[u.id] ?? null,
    scoreDetail: null,
    scoredChildren: null,
    rank: null,
    rankOf: null,
    change: null,
  });
  return {
    format: 'thidua-results',
    formatVersion: 1,
    directiveId: 'ct-2027',
    directiveVersion: 1,
    periodId: '2027-Y',
    computedAt: '2027-12-20T00:00:00.000Z',
    rootIds: ['p'],
    rubric: { points: {}, partial: 'linear', cap: 100, fourNo: { deductionPerBreach: 5 }, notReportedScore: 0 },
    fourNoIndicatorIds: [],
    previousPeriodId: null,
    units: Object.fromEntries(UNIT_LIST.filter((u) => u.level !== 'village').map((u) => [u.id, result(u)])),
    notes: [],
  };
}

describe('registrations', () => {
  const hamLiem = { id: 'c1', name: 'Xã Hàm Liêm', level: 'commune' as const };
  const ctx = (now: string, extra: { inCluster?: boolean } = {}) => ({
    directiveId: 'ct-2027',
    year: 2027,
    unit: hamLiem,
    rules: DEFAULT_RULES,
    now: new Date(now),
    by: 'can-bo@hamliem.gov.vn',
    inCluster: extra.inCluster ?? false,
  });
  const send = (current: Registration | undefined, now: string, titleIds = ['tap-the-lao-dong-tien-tien'], pledgeSigned = true) =>
    submitRegistration(current, { titleIds, pledgeSigned }, ctx(now, { inCluster: true }));
  const refusedWith = (act: () => unknown): InputError => {
    try {
      act();
    } catch (e) {
      if (e instanceof InputError) return e;
      throw e;
    }
    throw new Error('not refused');
  };

  it('sends on time on the deadline in Vietnam, late the next Vietnam day even when UTC is still on the deadline', () => {
    // Prepare: 31/03 23:30 in Vietnam is 16:30 UTC; 01/04 00:30 in Vietnam is still 31/03 in UTC
    const onDeadline = '2027-03-31T16:30:00Z';
    const justAfter = '2027-03-31T17:30:00Z';

    // Act
    const onTime = send(undefined, onDeadline);
    const late = send(undefined, justAfter);

    // Assess
    expect(onTime).toEqual({
      directiveId: 'ct-2027',
      year: 2027,
      unitId: 'c1',
      titleIds: ['tap-the-lao-dong-tien-tien'],
      pledgeSigned: true,
      state: 'awaiting',
      submittedAt: '2027-03-31T16:30:00.000Z',
      submittedBy: 'can-bo@hamliem.gov.vn',
      decidedAt: null,
      decidedBy: null,
      reasonVi: null,
      late: false,
      version: 1,
    });
    expect(late.late).toBe(true);
  });

  it('returns the same registration when the same one is sent again while awaiting, and a new version when it changes', () => {
    // Prepare
    const first = send(undefined, '2027-02-01T03:00:00Z', ['tap-the-lao-dong-tien-tien', 'co-thi-dua-tinh']);

    // Act
    const repeated = send(first, '2027-02-01T03:05:00Z', ['co-thi-dua-tinh', 'tap-the-lao-dong-tien-tien']);
    const changed = send(first, '2027-02-02T03:00:00Z', ['tap-the-lao-dong-xuat-sac']);

    // Assess
    expect(repeated).toBe(first);
    expect(changed).toMatchObject({ state: 'awaiting', titleIds: ['tap-the-lao-dong-xuat-sac'], version: 2, submittedAt: '2027-02-02T03:00:00.000Z' });
  });

  it('refuses after the year has ended, before registration opens, and once approved', () => {
    // Prepare: 31/12/2027 17:30 UTC is already 01/01/2028 in Vietnam
    const approved = decideRegistration(send(undefined, '2027-02-01T03:00:00Z'), { kind: 'approve' }, 'duyet@tinh.gov.vn', new Date('2027-02-03T02:00:00Z'));

    // Act
    const afterYear = refusedWith(() => send(undefined, '2027-12-31T17:30:00Z'));
    const tooEarly = refusedWith(() => send(undefined, '2026-11-30T10:00:00Z'));
    const again = refusedWith(() => send(approved, '2027-02-05T03:00:00Z', ['co-thi-dua-tinh']));
    const lastDay = send(undefined, '2027-12-31T16:00:00Z');
    const firstDay = send(undefined, '2026-11-30T17:00:00Z');

    // Assess
    expect(afterYear.messageVi).toBe('Năm thi đua 2027 đã kết thúc ngày 31/12/2027; không nhận đăng ký sau thời điểm này.');
    expect(tooEarly.messageVi).toBe('Năm thi đua 2027 chưa bắt đầu; nhận đăng ký từ ngày 01/12/2026.');
    expect(again.messageVi).toBe('Đăng ký thi đua năm 2027 của Xã Hàm Liêm đã được duyệt ngày 03/02/2027; không gửi lại được.');
    expect(lastDay).toMatchObject({ state: 'awaiting', late: true });
    expect(firstDay).toMatchObject({ state: 'awaiting', late: false });
  });

  it("lists every problem of the content: an unknown title, another level's title, the cluster's pledge unsigned; none chosen", () => {
    // Prepare
    const now = '2027-02-01T03:00:00Z';

    // Act
    const wrong = refusedWith(() => send(undefined, now, ['khong-co', 'thon-van-hoa'], false));
    const none = refusedWith(() => submitRegistration(undefined, { titleIds: [], pledgeSigned: false }, ctx(now)));

    // Assess
    expect(wrong.messageVi).toBe('Chưa gửi được đăng ký thi đua của Xã Hàm Liêm');
    expect(wrong.details).toEqual([
      'Không có danh hiệu mã "khong-co" trong quy định của năm thi đua',
      'Danh hiệu "Thôn, tổ dân phố văn hóa" dành cho cấp thôn, không dành cho Xã Hàm Liêm (cấp xã)',
      'Đơn vị thuộc cụm thi đua: cần ký giao ước thi đua của cụm',
    ]);
    expect(none.details).toEqual(['Chưa chọn danh hiệu nào']);
  });

  it('approves or returns with a reason only what awaits, each decision a new version', () => {
    // Prepare
    const awaiting = send(undefined, '2027-02-01T03:00:00Z');
    const at = new Date('2027-02-03T02:00:00Z');

    // Act
    const returned = decideRegistration(awaiting, { kind: 'return', reasonVi: '  Chưa ký  giao ước của cụm ' }, 'duyet@tinh.gov.vn', at);
    const noReason = refusedWith(() => decideRegistration(awaiting, { kind: 'return', reasonVi: 'sai' }, 'duyet@tinh.gov.vn', at));
    const twice = refusedWith(() => decideRegistration(returned, { kind: 'approve' }, 'duyet@tinh.gov.vn', at));
    const resent = send(returned, '2027-02-04T03:00:00Z');

    // Assess
    expect(returned).toMatchObject({ state: 'returned', reasonVi: 'Chưa ký giao ước của cụm', decidedBy: 'duyet@tinh.gov.vn', decidedAt: '2027-02-03T02:00:00.000Z', version: 2 });
    expect(noReason.messageVi).toBe('Trả lại đăng ký cần nêu lý do để đơn vị sửa (ít nhất 5 ký tự).');
    expect(twice.messageVi).toBe('Đăng ký đang ở trạng thái "Đã trả lại"; chỉ duyệt hoặc trả lại được đăng ký đang chờ duyệt.');
    expect(resent).toMatchObject({ state: 'awaiting', reasonVi: null, decidedAt: null, version: 3 });
  });

  it('rolls the states up the tree, a missing registration counting as not sent, and reminds the silent and the returned', () => {
    // Prepare: c1 approved, c2 awaiting, c3 nothing, c4 returned, c5 nothing
    const base = (unitId: string, state: Registration['state']): Registration => ({ ...emptyRegistration('ct-2027', 2027, unitId), state });
    const registrations = new Map([
      ['c1', base('c1', 'approved')],
      ['c2', base('c2', 'awaiting')],
      ['c4', base('c4', 'returned')],
    ]);
    const shuffled = [...UNIT_LIST].filter((u) => u.level !== 'village').reverse();

    // Act
    const summary = registrationSummary(shuffled, registrations, 'commune');
    const remind = unitsToRemind(UNIT_LIST.filter((u) => u.level === 'commune'), registrations);

    // Assess
    expect(summary.map((r) => [r.unitId, r.depth, r.total, r.state, r.counts])).toEqual([
      ['p', 0, 5, null, { 'not-sent': 2, awaiting: 1, returned: 1, approved: 1 }],
      ['d1', 1, 3, null, { 'not-sent': 1, awaiting: 1, returned: 0, approved: 1 }],
      ['c1', 2, 1, 'approved', { 'not-sent': 0, awaiting: 0, returned: 0, approved: 1 }],
      ['c2', 2, 1, 'awaiting', { 'not-sent': 0, awaiting: 1, returned: 0, approved: 0 }],
      ['c3', 2, 1, 'not-sent', { 'not-sent': 1, awaiting: 0, returned: 0, approved: 0 }],
      ['d2', 1, 2, null, { 'not-sent': 1, awaiting: 0, returned: 1, approved: 0 }],
      ['c4', 2, 1, 'returned', { 'not-sent': 0, awaiting: 0, returned: 1, approved: 0 }],
      ['c5', 2, 1, 'not-sent', { 'not-sent': 1, awaiting: 0, returned: 0, approved: 0 }],
    ]);
    expect(summary[0]).toMatchObject({ name: 'Tỉnh Bình Thuận', level: 'province' });
    expect(remind).toEqual(['c3', 'c4', 'c5']);
  });
});

describe('history', () => {
  const NAMES: Record<string, string> = {
    'tap-the-lao-dong-tien-tien': 'Tập thể lao động tiên tiến',
    'tap-the-lao-dong-xuat-sac': 'Tập thể lao động xuất sắc',
    'chien-si-thi-dua-co-so': 'Chiến sĩ thi đua cơ sở',
  };
  const titleName = (id: string) => NAMES[id] ?? id;
  /** Law Art. 73: at least 5 consecutive years completing tasks well or better, including 3 times "Chiến sĩ thi đua cơ sở". */
  const ART_73: HistoryRule = {
    kind: 'consecutive-including',
    titleIds: ['tap-the-lao-dong-tien-tien', 'tap-the-lao-dong-xuat-sac'],
    years: 5,
    includingTitleId: 'chien-si-thi-dua-co-so',
    times: 3,
  };
  const entry = (year: number, titleId: string): HistoryEntry => ({
    unitId: 'c1',
    year,
    titleId,
    titleVi: titleName(titleId),
    decisionNumber: null,
    decidedOn: null,
    issuerName: null,
    source: 'decision',
  });
  const fiveYears = [2022, 2023, 2024, 2025, 2026].map((y) => entry(y, y % 2 ? 'tap-the-lao-dong-xuat-sac' : 'tap-the-lao-dong-tien-tien'));

  it('meets Art. 73 with 5 consecutive years before the year considered, 3 of them with Chiến sĩ thi đua cơ sở', () => {
    // Prepare
    const history = [...fiveYears, entry(2022, 'chien-si-thi-dua-co-so'), entry(2024, 'chien-si-thi-dua-co-so'), entry(2026, 'chien-si-thi-dua-co-so'), entry(2021, 'chien-si-thi-dua-co-so')];

    // Act
    const note = checkHistoryRule(ART_73, history, 2027, titleName);

    // Assess
    expect(note).toEqual({
      met: true,
      explanationVi: 'Đủ 5 năm liên tục (2022–2026) đạt Tập thể lao động tiên tiến hoặc Tập thể lao động xuất sắc, trong đó 3 lần Chiến sĩ thi đua cơ sở',
    });
  });

  it('does not meet Art. 73 with a year missing, nor with too few times, nor counting the year considered itself', () => {
    // Prepare
    const threeTimes = [entry(2022, 'chien-si-thi-dua-co-so'), entry(2023, 'chien-si-thi-dua-co-so'), entry(2026, 'chien-si-thi-dua-co-so')];
    const gap = [...fiveYears.filter((e) => e.year !== 2024), ...threeTimes];
    const twice = [...fiveYears, entry(2023, 'chien-si-thi-dua-co-so'), entry(2027, 'chien-si-thi-dua-co-so'), entry(2026, 'chien-si-thi-dua-co-so')];

    // Act
    const withGap = checkHistoryRule(ART_73, gap, 2027, titleName);
    const tooFew = checkHistoryRule(ART_73, twice, 2027, titleName);

    // Assess
    expect(withGap).toEqual({
      met: false,
      explanationVi: 'Thiếu năm 2024: chưa đủ 5 năm liên tục (2022–2026) đạt Tập thể lao động tiên tiến hoặc Tập thể lao động xuất sắc; đã có 3 lần Chiến sĩ thi đua cơ sở',
    });
    expect(tooFew).toEqual({
      met: false,
      explanationVi: 'Đủ 5 năm liên tục (2022–2026) đạt Tập thể lao động tiên tiến hoặc Tập thể lao động xuất sắc nhưng chỉ 2 lần Chiến sĩ thi đua cơ sở (cần ít nhất 3 lần)',
    });
  });

  it("notes each of a title's rules: the default rules' one year of Tập thể lao động tiên tiến before Xuất sắc", () => {
    // Prepare
    const xuatSac = DEFAULT_RULES.titles.find((t) => t.id === 'tap-the-lao-dong-xuat-sac') as Title;

    // Act
    const met = historyNotes(xuatSac, [entry(2026, 'tap-the-lao-dong-tien-tien')], 2027, titleName);
    const notMet = historyNotes(xuatSac, [entry(2025, 'tap-the-lao-dong-tien-tien')], 2027, titleName);

    // Assess
    expect(met).toEqual([{ met: true, explanationVi: 'Năm 2026 đạt Tập thể lao động tiên tiến hoặc Tập thể lao động xuất sắc' }]);
    expect(notMet).toEqual([{ met: false, explanationVi: 'Năm 2026 chưa đạt Tập thể lao động tiên tiến hoặc Tập thể lao động xuất sắc' }]);
  });

  it("reads past titles from a workbook by title id or name, and lists each bad row's problem with its column", async () => {
    // Prepare
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Danh hiệu các năm');
    ws.addRow(['Danh hiệu đã đạt của các đơn vị']);
    ws.addRow(['Mã đơn vị', 'Năm', 'Danh hiệu', 'Số quyết định', 'Ngày quyết định', 'Cơ quan ban hành']);
    ws.addRow(['c1', 2024, 'TAP THE LAO DONG TIEN TIEN', '125/QĐ-UBND', '05/01/2025', 'UBND huyện Hàm Thuận Bắc']);
    ws.addRow(['c1', '2025', 'tap-the-lao-dong-xuat-sac', '88/QĐ-UBND', new Date(Date.UTC(2026, 0, 9)), 'UBND tỉnh Bình Thuận']);
    ws.addRow(['c2', 2025, 'Tập thể lao động tiên tiến']);
    ws.addRow([]);
    ws.addRow(['x9', 2025, 'Tập thể lao động tiên tiến']);
    ws.addRow(['c2', 1890, 'Danh hiệu lạ', '', '31/02/2025']);
    ws.addRow(['c1', 2024, 'Tập thể lao động tiên tiến']);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());

    // Act
    const read = await readHistoryWorkbook(bytes, DEFAULT_RULES.titles, UNITS);

    // Assess
    expect(read.entries).toEqual([
      { unitId: 'c1', year: 2024, titleId: 'tap-the-lao-dong-tien-tien', titleVi: 'Tập thể lao động tiên tiến', decisionNumber: '125/QĐ-UBND', decidedOn: '2025-01-05', issuerName: 'UBND huyện Hàm Thuận Bắc', source: 'import' },
      { unitId: 'c1', year: 2025, titleId: 'tap-the-lao-dong-xuat-sac', titleVi: 'Tập thể lao động xuất sắc', decisionNumber: '88/QĐ-UBND', decidedOn: '2026-01-09', issuerName: 'UBND tỉnh Bình Thuận', source: 'import' },
      { unitId: 'c2', year: 2025, titleId: 'tap-the-lao-dong-tien-tien', titleVi: 'Tập thể lao động tiên tiến', decisionNumber: null, decidedOn: null, issuerName: null, source: 'import' },
    ]);
    expect(read.problems).toEqual([
      { row: 7, messageVi: 'Dòng 7, cột A (ma_don_vi): không có đơn vị mã “x9”' },
      { row: 8, messageVi: 'Dòng 8, cột B (nam): năm 1890 nằm ngoài khoảng 1945–2100' },
      { row: 8, messageVi: 'Dòng 8, cột C (danh_hieu): không có danh hiệu “Danh hiệu lạ” trong quy định' },
      { row: 8, messageVi: 'Dòng 8, cột E (ngay_quyet_dinh): “31/02/2025” không phải ngày dạng dd/mm/yyyy' },
      { row: 9, messageVi: 'Dòng 9: trùng với dòng 3 (Xã Hàm Liêm, năm 2024, Tập thể lao động tiên tiến)' },
    ]);
  });

  it('says so when the workbook is not one, or has no header row', async () => {
    // Prepare
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Trang 1').addRow(['c1', 2024, 'Tập thể lao động tiên tiến']);
    const headless = new Uint8Array(await wb.xlsx.writeBuffer());

    // Act
    const notXlsx = await readHistoryWorkbook(new TextEncoder().encode('ma_don_vi,nam'), DEFAULT_RULES.titles, UNITS);
    const noHeader = await readHistoryWorkbook(headless, DEFAULT_RULES.titles, UNITS);

    // Assess
    expect(notXlsx.problems[0]?.messageVi).toMatch(/^Tệp không phải bảng tính Excel/);
    expect(noHeader).toEqual({ entries: [], problems: [{ row: 0, messageVi: expect.stringMatching(/^Không tìm thấy dòng tiêu đề có cột ma_don_vi/) }] });
  });
});

describe('past titles under the parse budget', () => {
  it('are read in a worker: the same entries as in-process (the deadline path is the shared sandbox\'s, tested with the targets workbook)', async () => {
    // Prepare
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Danh hiệu');
    sheet.addRow(['ma_don_vi', 'nam', 'danh_hieu', 'so_quyet_dinh', 'ngay_quyet_dinh', 'co_quan_ban_hanh']);
    sheet.addRow(['x1', 2025, 'Tập thể lao động tiên tiến', '12/QĐ-UBND', '20/12/2025', 'UBND tỉnh']);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const units = [{ id: 'x1', name: 'Xã Hàm Liêm' }];

    // Act
    const inProcess = await readHistoryWorkbook(bytes, DEFAULT_RULES.titles, new Map(units.map((u) => [u.id, u])));
    const inWorker = await readHistoryWithinBudget(bytes, { titles: DEFAULT_RULES.titles, units });

    // Assess
    expect(inWorker).toEqual(inProcess);
    expect(inWorker.entries).toMatchObject([{ unitId: 'x1', year: 2025, titleId: 'tap-the-lao-dong-tien-tien', decisionNumber: '12/QĐ-UBND', source: 'import' }]);
  }, 60_000);
});

describe('lateness of a registration', () => {
  it('is the first sending\'s: sent in time, returned after the deadline, sent again — not late', () => {
    // Prepare
    const ctx = (iso: string) => ({ directiveId: 'd', year: 2027, unit: { id: 'x1', name: 'Xã Hàm Liêm', level: 'commune' as const }, rules: DEFAULT_RULES, now: new Date(iso), by: 'a@b.vn', inCluster: false });
    const first = submitRegistration(undefined, { titleIds: ['tap-the-lao-dong-tien-tien'], pledgeSigned: false }, ctx('2027-03-20T03:00:00Z'));
    const returned = decideRegistration(first, { kind: 'return', reasonVi: 'Thiếu giao ước của cụm' }, 'vp@b.vn', new Date('2027-04-02T03:00:00Z'));

    // Act
    const again = submitRegistration(returned, { titleIds: ['tap-the-lao-dong-xuat-sac'], pledgeSigned: false }, ctx('2027-04-03T03:00:00Z'));
    const firstLate = submitRegistration(undefined, { titleIds: ['tap-the-lao-dong-tien-tien'], pledgeSigned: false }, ctx('2027-04-03T03:00:00Z'));

    // Assess
    expect(first.late).toBe(false);
    expect(again).toMatchObject({ state: 'awaiting', late: false, version: 3 });
    expect(firstLate.late).toBe(true);
  });
});
