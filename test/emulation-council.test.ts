import { describe, expect, it } from 'vitest';
import { InputError } from '../shared/domain/errors.ts';
import type { Commendations } from '../shared/domain/results/commendations.ts';
import { awardsOf, checkDecisionAwards, totalVi } from '../shared/domain/emulation/awards.ts';
import { candidatesOf, NOT_REGISTERED_VI } from '../shared/domain/emulation/candidates.ts';
import { evaluateSession, quorumMet, quorumVi, thresholdMet, thresholdVi } from '../shared/domain/emulation/council.ts';
import { ANONYMOUS_VI, checkOpinion, postingEnded, postingOpen, postingWindow } from '../shared/domain/emulation/posting.ts';
import { DEFAULT_RULES, type Candidate, type CouncilSession, type Outcome, type Posting, type Registration, type Threshold } from '../shared/domain/emulation/types.ts';

const TTLDTT = 'tap-the-lao-dong-tien-tien';
const TTLDXS = 'tap-the-lao-dong-xuat-sac';
const CO = 'co-thi-dua-tinh';
const THON = 'thon-van-hoa';

const atLeast = (num: number, den: number): Threshold => ({ rule: 'at-least', of: { num, den } });
const moreThan = (num: number, den: number): Threshold => ({ rule: 'more-than', of: { num, den } });

const candidate = (unitId: string, name: string, titleId: string, over: Partial<Candidate> = {}): Candidate => ({
  unitId,
  name,
  titleId,
  source: 'results',
  achievementReportKey: null,
  nominatedBy: null,
  ...over,
});

const session = (over: Partial<CouncilSession> = {}): CouncilSession => ({
  id: 's-2027',
  directiveId: 'd-2027',
  year: 2027,
  councilUnitId: 'tinh',
  heldOn: '2027-11-30',
  members: 10,
  present: 10,
  tallies: [],
  recordedBy: 'thu-ky',
  recordedAt: '2027-11-30T09:00:00.000Z',
  ...over,
});

/** Runs `act` and returns the InputError it throws (fails the test when it throws nothing or something else). */
function inputErrorOf(act: () => unknown): InputError {
  try {
    act();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('quorum and thresholds in exact integers', () => {
  it('counts exactly two thirds present as a quorum, and one fewer as none', () => {
    // Prepare
    const twoThirds = { num: 2, den: 3 };

    // Act
    const cases = { sixOfNine: quorumMet(9, 6, twoThirds), fiveOfNine: quorumMet(9, 5, twoThirds), twoOfThree: quorumMet(3, 2, twoThirds), allOfNine: quorumMet(9, 9, twoThirds) };

    // Assess
    expect(cases).toEqual({ sixOfNine: true, fiveOfNine: false, twoOfThree: true, allOfNine: true });
  });

  it('takes the boundary for "at least" and refuses it for "more than"', () => {
    // Prepare
    const seventy = atLeast(7, 10);
    const ninety = atLeast(9, 10);
    const half = moreThan(1, 2);

    // Act
    const cases = {
      sevenOfTen70: thresholdMet(7, 10, seventy),
      sixOfTen70: thresholdMet(6, 10, seventy),
      nineOfTen90: thresholdMet(9, 10, ninety),
      eightOfTen90: thresholdMet(8, 10, ninety),
      fiveOfTenHalf: thresholdMet(5, 10, half),
      sixOfTenHalf: thresholdMet(6, 10, half),
      fiveOfNineHalf: thresholdMet(5, 9, half),
      twoOfThreeAtLeastTwoThirds: thresholdMet(2, 3, atLeast(2, 3)),
    };

    // Assess
    expect(cases).toEqual({
      sevenOfTen70: true,
      sixOfTen70: false,
      nineOfTen90: true,
      eightOfTen90: false,
      fiveOfTenHalf: false,
      sixOfTenHalf: true,
      fiveOfNineHalf: true,
      twoOfThreeAtLeastTwoThirds: true,
    });
  });

  it('writes thresholds and quorums as the rules read them', () => {
    // Prepare
    const thresholds = [moreThan(1, 2), atLeast(7, 10), atLeast(9, 10), atLeast(2, 3), atLeast(3, 4), moreThan(2, 4)];

    // Act
    const words = thresholds.map(thresholdVi);
    const quorums = [quorumVi(9, { num: 2, den: 3 }), quorumVi(10, { num: 2, den: 3 }), quorumVi(7, { num: 1, den: 2 })];

    // Assess
    expect(words).toEqual([
      'trên 1/2 số thành viên có mặt',
      'từ 70% trở lên số thành viên có mặt',
      'từ 90% trở lên số thành viên có mặt',
      'từ 2/3 trở lên số thành viên có mặt',
      'từ 75% trở lên số thành viên có mặt',
      'trên 1/2 số thành viên có mặt',
    ]);
    expect(quorums).toEqual([
      'ít nhất 2/3 tổng số thành viên (6/9 người)',
      'ít nhất 2/3 tổng số thành viên (7/10 người)',
      'ít nhất 1/2 tổng số thành viên (4/7 người)',
    ]);
  });
});

describe('the council session', () => {
  const hamLiem = candidate('ham-liem', 'Xã Hàm Liêm', TTLDTT);
  const hamChinh = candidate('ham-chinh', 'Xã Hàm Chính', TTLDXS);
  const phuLong = candidate('phu-long', 'Xã Phú Long', CO);

  it('decides each candidate by its title threshold, over the members present, in the candidates order', () => {
    // Prepare
    const s = session({
      members: 10,
      present: 10,
      tallies: [
        { unitId: 'phu-long', titleId: CO, yes: 9 },
        { unitId: 'ham-liem', titleId: TTLDTT, yes: 5 },
        { unitId: 'ham-chinh', titleId: TTLDXS, yes: 7 },
      ],
    });

    // Act
    const outcomes = evaluateSession(s, [hamLiem, hamChinh, phuLong], DEFAULT_RULES);

    // Assess
    expect(outcomes).toEqual<Outcome[]>([
      {
        unitId: 'ham-liem',
        name: 'Xã Hàm Liêm',
        titleId: TTLDTT,
        yes: 5,
        present: 10,
        passed: false,
        explanationVi: '5/10 phiếu đồng ý (50%), ngưỡng trên 1/2 số thành viên có mặt: không đạt',
      },
      {
        unitId: 'ham-chinh',
        name: 'Xã Hàm Chính',
        titleId: TTLDXS,
        yes: 7,
        present: 10,
        passed: true,
        explanationVi: '7/10 phiếu đồng ý (70%), ngưỡng từ 70% trở lên số thành viên có mặt: đạt',
      },
      {
        unitId: 'phu-long',
        name: 'Xã Phú Long',
        titleId: CO,
        yes: 9,
        present: 10,
        passed: true,
        explanationVi: '9/10 phiếu đồng ý (90%), ngưỡng từ 90% trở lên số thành viên có mặt: đạt',
      },
    ]);
  });

  it('counts votes over those present, not over all members, and writes the share with a Vietnamese comma', () => {
    // Prepare: 6 of 9 present (exactly the quorum); 4 yes is 66,67% of those present, more than half.
    const s = session({ members: 9, present: 6, tallies: [{ unitId: 'ham-liem', titleId: TTLDTT, yes: 4 }] });

    // Act
    const [outcome] = evaluateSession(s, [hamLiem], DEFAULT_RULES);

    // Assess
    expect(outcome?.passed).toBe(true);
    expect(outcome?.explanationVi).toBe('4/6 phiếu đồng ý (66,67%), ngưỡng trên 1/2 số thành viên có mặt: đạt');
  });

  it('refuses a session without quorum in one Vietnamese sentence', () => {
    // Prepare
    const s = session({ members: 9, present: 5, tallies: [{ unitId: 'ham-liem', titleId: TTLDTT, yes: 5 }] });

    // Act
    const error = inputErrorOf(() => evaluateSession(s, [hamLiem], DEFAULT_RULES));

    // Assess
    expect(error.messageVi).toBe('Phiên họp không đủ số thành viên: có mặt 5/9, cần ít nhất 2/3 (6 người). Chưa thể bình xét.');
    expect(error.details).toEqual(['Phiên họp không đủ số thành viên: có mặt 5/9, cần ít nhất 2/3 (6 người). Chưa thể bình xét.']);
  });

  it('refuses more present than members, and a negative count', () => {
    // Prepare
    const tooMany = session({ members: 9, present: 10, tallies: [{ unitId: 'ham-liem', titleId: TTLDTT, yes: 5 }] });
    const negative = session({ members: 9, present: -1, tallies: [{ unitId: 'ham-liem', titleId: TTLDTT, yes: 0 }] });

    // Act
    const tooManyError = inputErrorOf(() => evaluateSession(tooMany, [hamLiem], DEFAULT_RULES));
    const negativeError = inputErrorOf(() => evaluateSession(negative, [hamLiem], DEFAULT_RULES));

    // Assess
    expect(tooManyError.messageVi).toBe('Số thành viên có mặt (10) lớn hơn tổng số thành viên hội đồng (9).');
    expect(negativeError.messageVi).toBe('Số thành viên có mặt phải là số nguyên không âm (đang ghi -1).');
  });

  it('lists every tally and candidate problem, one line each, naming the unit and the title in Vietnamese', () => {
    // Prepare
    const s = session({
      members: 9,
      present: 7,
      tallies: [
        { unitId: 'ham-liem', titleId: TTLDTT, yes: 8 },
        { unitId: 'ham-chinh', titleId: TTLDXS, yes: 6 },
        { unitId: 'ham-chinh', titleId: TTLDXS, yes: 5 },
        { unitId: 'ham-liem', titleId: CO, yes: 3 },
      ],
    });
    const unknownTitle = candidate('thuan-minh', 'Xã Thuận Minh', 'danh-hieu-la');

    // Act
    const error = inputErrorOf(() => evaluateSession(s, [hamLiem, hamChinh, phuLong, unknownTitle], DEFAULT_RULES));

    // Assess
    expect(error.messageVi).toBe('Kết quả bình xét chưa ghi được: 6 chỗ cần sửa (xem từng dòng dưới đây).');
    expect(error.details).toEqual([
      'Xã Hàm Liêm – Tập thể lao động tiên tiến: 8 phiếu đồng ý nhưng chỉ 7 thành viên có mặt',
      'Xã Hàm Chính – Tập thể lao động xuất sắc: có hai kết quả bỏ phiếu, chỉ được ghi một',
      'Xã Hàm Liêm – Cờ thi đua của Ủy ban nhân dân tỉnh: có kết quả bỏ phiếu nhưng không có trong danh sách đề nghị bình xét',
      'Xã Phú Long – Cờ thi đua của Ủy ban nhân dân tỉnh: chưa có kết quả bỏ phiếu',
      'Xã Thuận Minh – danh hiệu mã "danh-hieu-la": danh hiệu không có trong quy định thi đua',
      'Xã Thuận Minh – danh hiệu mã "danh-hieu-la": chưa có kết quả bỏ phiếu',
    ]);
  });

  it('names a unit that is no candidate at all by its id', () => {
    // Prepare
    const s = session({ tallies: [{ unitId: 'ham-liem', titleId: TTLDTT, yes: 8 }, { unitId: 'xa-la', titleId: TTLDTT, yes: 8 }] });

    // Act
    const error = inputErrorOf(() => evaluateSession(s, [hamLiem], DEFAULT_RULES));

    // Assess
    expect(error.details).toEqual(['đơn vị mã "xa-la" – Tập thể lao động tiên tiến: có kết quả bỏ phiếu nhưng không có trong danh sách đề nghị bình xét']);
  });

  it('lists a quorum problem with the tally problems under the quorum sentence', () => {
    // Prepare
    const s = session({ members: 9, present: 5, tallies: [{ unitId: 'ham-liem', titleId: TTLDTT, yes: 6 }] });

    // Act
    const error = inputErrorOf(() => evaluateSession(s, [hamLiem], DEFAULT_RULES));

    // Assess
    expect(error.messageVi).toMatch(/^Phiên họp không đủ số thành viên/);
    expect(error.details).toHaveLength(2);
    expect(error.details[1]).toBe('Xã Hàm Liêm – Tập thể lao động tiên tiến: 6 phiếu đồng ý nhưng chỉ 5 thành viên có mặt');
  });
});

describe('awards and the decision', () => {
  const outcome = (unitId: string, name: string, titleId: string, yes: number, passed: boolean): Outcome => ({
    unitId,
    name,
    titleId,
    yes,
    present: 10,
    passed,
    explanationVi: '',
  });
  const outcomes = [
    outcome('ham-liem', 'Xã Hàm Liêm', TTLDTT, 8, true),
    outcome('ham-chinh', 'Xã Hàm Chính', TTLDXS, 7, true),
    outcome('phu-long', 'Xã Phú Long', CO, 9, true),
    outcome('thuan-minh', 'Xã Thuận Minh', TTLDTT, 5, false),
  ];
  const posting: Posting = { id: 'p-2027', directiveId: 'd-2027', year: 2027, sessionId: 's-2027', startsOn: '2027-12-08', endsOn: '2027-12-14', outcomes };

  it('awards those who passed with multiplier × base salary in whole đồng', () => {
    // Prepare: the default base salary 2.340.000 đồng.

    // Act
    const awards = awardsOf(outcomes, DEFAULT_RULES);

    // Assess
    expect(awards).toEqual([
      { unitId: 'ham-liem', name: 'Xã Hàm Liêm', titleId: TTLDTT, titleVi: 'Tập thể lao động tiên tiến', amount: 1_872_000 },
      { unitId: 'ham-chinh', name: 'Xã Hàm Chính', titleId: TTLDXS, titleVi: 'Tập thể lao động xuất sắc', amount: 3_510_000 },
      { unitId: 'phu-long', name: 'Xã Phú Long', titleId: CO, titleVi: 'Cờ thi đua của Ủy ban nhân dân tỉnh', amount: 18_720_000 },
    ]);
    expect(totalVi(awards)).toBe('24.102.000 đồng');
    expect(totalVi([])).toBe('0 đồng');
  });

  it('refuses a decision on or before the posting last day, and names the first day it may be issued', () => {
    // Prepare
    const named = [{ unitId: 'ham-liem', titleId: TTLDTT }];

    // Act
    const onLastDay = inputErrorOf(() => checkDecisionAwards(named, posting, '2027-12-14'));
    const dayAfter = () => checkDecisionAwards(named, posting, '2027-12-15');

    // Assess
    expect(onLastDay.messageVi).toBe('Thời gian niêm yết công khai đến hết ngày 14/12/2027; chỉ ban hành quyết định từ ngày 15/12/2027.');
    expect(dayAfter).not.toThrow();
  });

  it('refuses a unit that did not pass, one not posted, one named twice, each on its line', () => {
    // Prepare
    const named = [
      { unitId: 'ham-liem', titleId: TTLDTT },
      { unitId: 'thuan-minh', titleId: TTLDTT },
      { unitId: 'ham-liem', titleId: CO },
      { unitId: 'ham-liem', titleId: TTLDTT },
    ];

    // Act
    const error = inputErrorOf(() => checkDecisionAwards(named, posting, '2027-12-20', DEFAULT_RULES));

    // Assess
    expect(error.messageVi).toBe('Chưa thể ban hành quyết định: 3 chỗ cần sửa trong danh sách khen thưởng.');
    expect(error.details).toEqual([
      'Xã Thuận Minh – Tập thể lao động tiên tiến: không đạt ở phiên bình xét (5/10 phiếu)',
      'Xã Hàm Liêm – Cờ thi đua của Ủy ban nhân dân tỉnh: không có trong danh sách đã niêm yết công khai',
      'Xã Hàm Liêm – Tập thể lao động tiên tiến: có tên hai lần trong quyết định',
    ]);
  });

  it('refuses a decision naming no one', () => {
    // Prepare
    const named: { unitId: string; titleId: string }[] = [];

    // Act
    const error = inputErrorOf(() => checkDecisionAwards(named, posting, '2027-12-20'));

    // Assess
    expect(error.messageVi).toBe('Quyết định chưa có đơn vị nào được khen thưởng.');
  });
});

describe('the public posting', () => {
  it('runs its days inclusive, across a month and a year end', () => {
    // Prepare
    const starts = ['2027-12-01', '2027-12-28', '2028-02-25'];

    // Act
    const windows = starts.map((s) => postingWindow(s, 7));

    // Assess
    expect(windows).toEqual([
      { startsOn: '2027-12-01', endsOn: '2027-12-07' },
      { startsOn: '2027-12-28', endsOn: '2028-01-03' },
      { startsOn: '2028-02-25', endsOn: '2028-03-02' },
    ]);
    expect(postingWindow('2027-12-01', 1)).toEqual({ startsOn: '2027-12-01', endsOn: '2027-12-01' });
    expect(() => postingWindow('2027-12-01', 0)).toThrow(RangeError);
    expect(() => postingWindow('2027-02-30', 7)).toThrow(RangeError);
  });

  it('is open from its first day to its last, and ended only after', () => {
    // Prepare
    const p = postingWindow('2027-12-01', 7);

    // Act
    const open = ['2027-11-30', '2027-12-01', '2027-12-07', '2027-12-08'].map((d) => postingOpen(p, d));
    const ended = ['2027-12-07', '2027-12-08'].map((d) => postingEnded(p, d));

    // Assess
    expect(open).toEqual([false, true, true, false]);
    expect(ended).toEqual([false, true]);
  });

  it('cleans an opinion: one Unicode form, no control characters, newlines kept, a default name', () => {
    // Prepare: "Hàm Liêm" typed decomposed, with a bell, a zero-width space and a right-to-left override.
    const text = '  Xã Ha\u0300m Lie\u0302m\u0007 làm tốt\u200B\r\nđề nghị khen\u202E thưởng.  ';

    // Act
    const result = checkOpinion({ name: '  ', text });

    // Assess
    expect(result).toEqual({ ok: true, name: ANONYMOUS_VI, text: 'Xã Hàm Liêm làm tốt\nđề nghị khen thưởng.', spam: false });
  });

  it('keeps a given name on one line', () => {
    // Prepare
    const input = { name: 'Nguyễn\nVăn  An', text: 'Tôi đồng ý với danh sách.' };

    // Act
    const result = checkOpinion(input);

    // Assess
    expect(result).toEqual({ ok: true, name: 'Nguyễn Văn An', text: 'Tôi đồng ý với danh sách.', spam: false });
  });

  it('refuses a missing, short or overlong text and an overlong name, saying how long it is and the limit', () => {
    // Prepare
    const inputs = [
      { name: undefined, text: '   ' },
      { name: undefined, text: 'Tốt' },
      { name: undefined, text: 'a b '.repeat(600) + 'cuối' },
      { name: 'A'.repeat(101), text: 'Tôi đồng ý.' },
      { name: 42, text: 'Tôi đồng ý.' },
      { name: undefined, text: { html: true } },
    ];

    // Act
    const results = inputs.map((i) => checkOpinion(i));
    const custom = checkOpinion({ name: null, text: 'Một ý kiến dài' }, { maxName: 10, maxText: 10 });

    // Assess
    expect(results).toEqual([
      { ok: false, messageVi: 'Xin nhập nội dung ý kiến.' },
      { ok: false, messageVi: 'Nội dung ý kiến quá ngắn: 3 ký tự, cần ít nhất 5 ký tự.' },
      { ok: false, messageVi: 'Nội dung ý kiến quá dài: 2.404 ký tự, tối đa 2.000 ký tự.' },
      { ok: false, messageVi: 'Họ tên dài 101 ký tự, tối đa 100 ký tự.' },
      { ok: false, messageVi: 'Họ tên phải là chữ.' },
      { ok: false, messageVi: 'Nội dung ý kiến phải là chữ.' },
    ]);
    expect(custom).toEqual({ ok: false, messageVi: 'Nội dung ý kiến quá dài: 14 ký tự, tối đa 10 ký tự.' });
    expect(checkOpinion({ name: undefined, text: 'x'.repeat(2000) }).ok).toBe(true);
  });

  it('accepts spam but flags it: links, tags, one character, one word in a row, mostly symbols', () => {
    // Prepare
    const spam = [
      'Vay tiền nhanh tại https://vay.example',
      'Xem thêm www.quangcao.net nhé',
      'Liên hệ banhang.com để mua',
      'Đẹp quá <script>alert(1)</script>',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa tốt',
      '!!!!!!!!!!!!!!!!',
      `Xã ${'tốt '.repeat(11)}`,
      '#$%&*()@#$%^&* ok',
      '0912345678 / 0987654321',
    ];
    const fine = [
      'Xã Hàm Liêm đạt 95,5% hộ tham gia bảo hiểm y tế, 1.234 hộ; đề nghị khen thưởng.',
      `Tôi đồng ý ${'rất '.repeat(10)}nhiều.`,
      'Đồng ý với kết quả bình xét của Hội đồng.',
    ];

    // Act
    const flagged = spam.map((text) => checkOpinion({ name: undefined, text }));
    const clean = fine.map((text) => checkOpinion({ name: undefined, text }));
    const linkInName = checkOpinion({ name: 'www.spam.net', text: 'Tôi đồng ý với danh sách.' });

    // Assess
    expect(flagged.map((r) => r.ok && r.spam)).toEqual(spam.map(() => true));
    expect(clean.map((r) => r.ok && r.spam)).toEqual(fine.map(() => false));
    expect(linkInName).toMatchObject({ ok: true, spam: true });
  });
});

describe('the year candidates', () => {
  const units = new Map(
    [
      { id: 'ham-liem', name: 'Xã Hàm Liêm', level: 'commune' },
      { id: 'ham-chinh', name: 'Xã Hàm Chính', level: 'commune' },
      { id: 'phu-long', name: 'Xã Phú Long', level: 'commune' },
      { id: 'thon-1', name: 'Thôn 1', level: 'village' },
    ].map((u) => [u.id, u]),
  );
  const commendations = (...ids: string[]): Commendations => ({
    directiveId: 'd-2027',
    year: 2027,
    proposals: ids.map((id, i) => ({ unitId: id, name: units.get(id)!.name, parentId: 'huyen', rank: i + 1, score: 90 - i, evidence: [] })),
    notProposed: [],
  });
  const registration = (unitId: string, titleIds: string[], state: Registration['state'] = 'approved'): Registration => ({
    directiveId: 'd-2027',
    year: 2027,
    unitId,
    titleIds,
    pledgeSigned: true,
    state,
    submittedAt: '2027-03-20T00:00:00.000Z',
    submittedBy: 'can-bo',
    decidedAt: '2027-03-25T00:00:00.000Z',
    decidedBy: 'thu-ky',
    reasonVi: null,
    late: false,
    version: 1,
  });

  it('without required registration: the registered titles of the unit level, else the results title', () => {
    // Prepare: Hàm Liêm registered the flag and a village title (ignored); Hàm Chính only sent its registration.
    const input = {
      commendations: commendations('ham-liem', 'ham-chinh'),
      nominations: [],
      registrations: [registration('ham-liem', [TTLDXS, CO, THON]), registration('ham-chinh', [CO], 'awaiting')],
      rules: DEFAULT_RULES,
      units,
    };

    // Act
    const { candidates, excluded } = candidatesOf(input);

    // Assess
    expect(candidates.map((c) => [c.name, c.titleId, c.source])).toEqual([
      ['Xã Hàm Liêm', CO, 'results'],
      ['Xã Hàm Liêm', TTLDXS, 'results'],
      ['Xã Hàm Chính', TTLDTT, 'results'],
    ]);
    expect(excluded).toEqual([]);
  });

  it('with required registration: a unit without an approved one, and a nomination for a title not registered, are left out', () => {
    // Prepare
    const rules = { ...DEFAULT_RULES, registrationRequired: true };
    const input = {
      commendations: commendations('ham-liem', 'ham-chinh'),
      nominations: [
        candidate('phu-long', 'Xã Phú Long', CO, { source: 'nomination', achievementReportKey: 'bao-cao/phu-long.pdf', nominatedBy: 'huyen' }),
        candidate('ham-liem', 'Xã Hàm Liêm', CO, { source: 'nomination', achievementReportKey: 'bao-cao/ham-liem.pdf', nominatedBy: 'huyen' }),
      ],
      registrations: [registration('ham-liem', [TTLDTT]), registration('ham-chinh', [TTLDTT], 'returned'), registration('phu-long', [TTLDXS])],
      rules,
      units,
    };

    // Act
    const { candidates, excluded } = candidatesOf(input);

    // Assess
    expect(candidates.map((c) => [c.name, c.titleId])).toEqual([['Xã Hàm Liêm', TTLDTT]]);
    expect(excluded).toEqual([
      { unitId: 'ham-liem', name: 'Xã Hàm Liêm', titleId: CO, reasonVi: 'chưa đăng ký danh hiệu "Cờ thi đua của Ủy ban nhân dân tỉnh" (quy định: đơn vị không đăng ký thì không xét)' },
      { unitId: 'phu-long', name: 'Xã Phú Long', titleId: CO, reasonVi: 'chưa đăng ký danh hiệu "Cờ thi đua của Ủy ban nhân dân tỉnh" (quy định: đơn vị không đăng ký thì không xét)' },
      { unitId: 'ham-chinh', name: 'Xã Hàm Chính', titleId: TTLDTT, reasonVi: NOT_REGISTERED_VI },
    ]);
    expect(NOT_REGISTERED_VI).toBe('chưa đăng ký thi đua (quy định: đơn vị không đăng ký thì không xét)');
  });

  it('merges a nomination into the results candidate for the same title, keeping its report; adds the others', () => {
    // Prepare
    const input = {
      commendations: commendations('ham-liem'),
      nominations: [
        candidate('ham-liem', 'Xã Hàm Liêm', TTLDTT, { source: 'nomination', achievementReportKey: 'bao-cao/ham-liem.pdf', nominatedBy: 'huyen' }),
        candidate('phu-long', 'Xã Phú Long', TTLDTT, { source: 'nomination', achievementReportKey: 'bao-cao/phu-long.pdf', nominatedBy: 'huyen' }),
        candidate('phu-long', 'Xã Phú Long', TTLDTT, { source: 'nomination', achievementReportKey: null, nominatedBy: 'huyen' }),
        candidate('thon-1', 'Thôn 1', TTLDTT, { source: 'nomination', nominatedBy: 'ham-liem' }),
        candidate('ham-chinh', 'Xã Hàm Chính', 'danh-hieu-la', { source: 'nomination' }),
      ],
      registrations: [],
      rules: DEFAULT_RULES,
      units,
    };

    // Act
    const { candidates, excluded } = candidatesOf(input);

    // Assess
    expect(candidates).toEqual<Candidate[]>([
      { unitId: 'ham-liem', name: 'Xã Hàm Liêm', titleId: TTLDTT, source: 'results', achievementReportKey: 'bao-cao/ham-liem.pdf', nominatedBy: 'huyen' },
      { unitId: 'phu-long', name: 'Xã Phú Long', titleId: TTLDTT, source: 'nomination', achievementReportKey: 'bao-cao/phu-long.pdf', nominatedBy: 'huyen' },
    ]);
    expect(excluded).toEqual([
      { unitId: 'thon-1', name: 'Thôn 1', titleId: TTLDTT, reasonVi: 'danh hiệu "Tập thể lao động tiên tiến" dành cho cấp xã, đơn vị thuộc cấp thôn' },
      { unitId: 'ham-chinh', name: 'Xã Hàm Chính', titleId: 'danh-hieu-la', reasonVi: 'danh hiệu mã "danh-hieu-la" không có trong quy định thi đua' },
    ]);
  });

  it('sorts by the title place in the rules, then by Vietnamese name', () => {
    // Prepare
    const input = {
      commendations: commendations('phu-long', 'ham-liem', 'ham-chinh'),
      nominations: [candidate('thon-1', 'Thôn 1', THON, { source: 'nomination' }), candidate('ham-chinh', 'Xã Hàm Chính', CO, { source: 'nomination' })],
      registrations: [],
      rules: DEFAULT_RULES,
      units,
    };

    // Act
    const { candidates } = candidatesOf(input);

    // Assess
    expect(candidates.map((c) => `${c.titleId}:${c.name}`)).toEqual([
      `${CO}:Xã Hàm Chính`,
      `${TTLDTT}:Xã Hàm Chính`,
      `${TTLDTT}:Xã Hàm Liêm`,
      `${TTLDTT}:Xã Phú Long`,
      `${THON}:Thôn 1`,
    ]);
  });
});
