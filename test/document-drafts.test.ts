/** The pure parts of issue #7's drafts: recognising the same document, and what a draft proposes. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  deadlineRule,
  extractDocument,
  fingerprint,
  minhash,
  normalizeDocument,
  proposeDirective,
  SAME_DOCUMENT_SIMILARITY,
  similarity,
  targetYear,
  type DirectiveDraft,
} from '../shared/domain/document/index.ts';
import { applyEdits } from '../shared/app/documents.ts';
import { buildPaths, type Unit } from '../shared/domain/units.ts';
import { broken, ocr, ocrNoise, VARIANTS } from './support/degrade.ts';

const seed = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/seeds/${name}`, import.meta.url)), 'utf8');
const SEEDS = [seed('000_a833bee5ecf1b84c.txt'), seed('001_acdcd72a09cda526.txt'), seed('002_5e0a79aa8fbcde40.txt')];
const hashOf = (raw: string) => minhash(normalizeDocument(raw).text);

describe('recognising the same document (MinHash of the folded text)', () => {
  it.each(Object.keys(VARIANTS))('every seed and its %s copy measure as the same document', (variant) => {
    // Act
    const scores = SEEDS.map((s) => similarity(hashOf(s), hashOf(VARIANTS[variant]!(s))));

    // Assess
    for (const score of scores) expect(score).toBeGreaterThanOrEqual(SAME_DOCUMENT_SIMILARITY);
  });

  it.each([0.01, 0.03, 0.05])('a weak scan with %s of its characters misread, lines broken and diacritics lost is still the same document', (rate) => {
    // Act
    const scores = SEEDS.map((s) => similarity(hashOf(s), hashOf(broken(ocr(ocrNoise(s, rate))))));

    // Assess
    for (const score of scores) expect(score).toBeGreaterThanOrEqual(SAME_DOCUMENT_SIMILARITY);
  });

  it('different documents, even two notices of one office on one movement, are not', () => {
    // Act
    const pairs = [
      [0, 1],
      [0, 2],
      [1, 2],
    ].map(([a, b]) => similarity(hashOf(SEEDS[a!]!), hashOf(SEEDS[b!]!)));

    // Assess
    for (const score of pairs) expect(score).toBeLessThan(SAME_DOCUMENT_SIMILARITY - 0.1);
  });

  it('the identity sign needs both the number and the date; the bytes sign is the file', () => {
    // Prepare
    const bytes = new TextEncoder().encode('x');

    // Act
    const both = fingerprint(bytes, 'text', { number: '96-TB/VPTU', issuedOn: '2021-04-07' });
    const noDate = fingerprint(bytes, 'text', { number: '96-TB/VPTU', issuedOn: null });

    // Assess
    expect(both.identity).toBe('96-TB/VPTU@2021-04-07');
    expect(noDate.identity).toBeNull();
    expect(both.bytesSha256).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    // Too short to tell documents apart by their text: no bands; a page of text has all 21.
    expect(both.bands).toHaveLength(0);
    expect(fingerprint(bytes, SEEDS[2]!, { number: null, issuedOn: null }).bands).toHaveLength(21);
  });
});

describe('what a draft proposes', () => {
  const units: Unit[] = buildPaths([
    { id: 'p', name: 'Tỉnh Bình Thuận', level: 'province', emails: [], leaderEmails: [] },
    { id: 'p-x1', name: 'Xã Hàm Hiệp', level: 'commune', parentId: 'p', emails: [], leaderEmails: [] },
    { id: 'p-x2', name: 'Phường Phú Thủy', level: 'commune', parentId: 'p', emails: [], leaderEmails: [] },
  ]);
  const propose = (raw: string) => {
    const text = normalizeDocument(raw).text;
    return proposeDirective(extractDocument(text), { text, uploader: units[0]!, units, levelsBelow: new Set(['commune']) }, 'bn-abcdef0123');
  };

  it('reads the deadline rule where the document states one, and says when it proposes the default', () => {
    // Act
    const rules = [
      deadlineRule('Báo cáo gửi về trước ngày 15 hàng tháng.'),
      deadlineRule('chậm nhất 3 ngày làm việc sau khi kết thúc kỳ'),
      deadlineRule('cham nhat ngay 20 cua thang cuoi quy'),
      deadlineRule('Định kỳ báo cáo kết quả.'),
    ];
    const silent = propose('Kính gửi: UBND các xã, phường.\n1. Định kỳ hàng quý báo cáo kết quả.\n');

    // Assess
    expect(rules).toEqual([{ kind: 'dayOfMonth', day: 15 }, { kind: 'workingDaysAfterCutoff', days: 3 }, { kind: 'dayOfMonth', day: 20 }, undefined]);
    expect(silent.directive.deadline).toEqual({ kind: 'workingDaysAfterCutoff', days: 2 });
    expect(silent.review.map((n) => n.field)).toContain('deadline');
    expect(silent.directive.targetUnits).toEqual({ scope: 'level', level: 'commune' });
  });

  it('the year of the targets: the one the text says most, else the year of issue, else unknown', () => {
    expect(targetYear('trong năm 2020 ... trong năm 2020 ... của năm 2019', null)).toBe(2020);
    expect(targetYear('không nói năm', '2021-04-07')).toBe(2021);
    expect(targetYear('không nói năm', null)).toBeNull();
  });

  it('never guesses a unit it cannot find: a commune outside the hierarchy is shown for review, not targeted', () => {
    // Act
    const p = propose('Kính gửi:\n- UBND xã Hàm Hiệp;\n- UBND xã Không Có Thật.\n1. Giảm tỷ lệ hộ nghèo.\n');

    // Assess
    expect(p.directive.targetUnits).toEqual({ scope: 'list', unitIds: ['p-x1'] });
    expect(p.units.filter((u) => u.unitId).map((u) => u.unitId)).toEqual(['p-x1']);
  });

  it('targets the units addressed; units only named in the body, or not found, are left for review', () => {
    // Prepare: two communes whose names are also ordinary words ("đoàn kết", "hòa bình").
    const more = buildPaths(
      [
        { id: 'p-dk', name: 'Xã Đoàn Kết', level: 'commune', parentId: 'p', emails: [], leaderEmails: [] },
        { id: 'p-hb', name: 'Xã Hòa Bình', level: 'commune', parentId: 'p', emails: [], leaderEmails: [] },
      ],
      new Map(units.map((u) => [u.id, u])),
    );
    const all = [...units, ...more];
    const raw = 'Kính gửi:\n- UBND xã Hàm Hiệp;\n- UBND xã Tân Lập.\n1. Phát huy tinh thần đoàn kết, giữ vững hòa bình; phối hợp với xã Hòa Bình giảm tỷ lệ hộ nghèo.\n';
    const text = normalizeDocument(raw).text;

    // Act
    const p = proposeDirective(extractDocument(text), { text, uploader: all[0]!, units: all, levelsBelow: new Set(['commune']) }, 'bn-abcdef0123');

    // Assess
    expect(p.directive.targetUnits).toEqual({ scope: 'list', unitIds: ['p-x1'] });
    expect(p.units.map((u) => [u.mention, u.unitId, u.source])).toEqual([
      ['UBND xã Hàm Hiệp', 'p-x1', 'recipient'],
      ['UBND xã Tân Lập', null, 'recipient'],
      ['xã Hòa Bình', 'p-hb', 'text'],
    ]);
    expect(p.review.map((n) => n.vi)).toEqual(
      expect.arrayContaining([
        'Văn bản còn nêu Xã Hòa Bình trong nội dung; thêm vào danh sách nhận chỉ tiêu nếu cần.',
        'Không tìm thấy “UBND xã Tân Lập” trong danh sách đơn vị thuộc Tỉnh Bình Thuận; kiểm tra tên hoặc nhập mã đơn vị.',
      ]),
    );
  });

  it('recognises known targets as whole words only, and "4 không" only as the criterion', () => {
    // Act
    const fake = propose('Kính gửi: UBND các xã.\n1. Nâng cấp nhà văn hóa trên địa bàn. Điều 4 không áp dụng cho các xã.\n');
    const real = propose('Kính gửi: UBND các xã.\n1. Giữ vững tiêu chí “4 không” trên địa bàn dân cư.\n');

    // Assess
    expect(fake.directive.indicators).toEqual([]);
    expect(real.directive.indicators.map((i) => i.id)).toEqual(['khong-toi-pham', 'khong-attp', 'khong-khieu-kien', 'khong-tai-nan']);
  });

  it('takes the year from the subject before the date of issue, and says when it only guessed it', () => {
    // Act
    const planned = propose('UBND TỈNH BÌNH THUẬN\nSố: 12/KH-UBND                Bình Thuận, ngày 20 tháng 12 năm 2020\nKẾ HOẠCH\nThi đua thực hiện nhiệm vụ năm 2021\n1. Giảm tỷ lệ hộ nghèo.\n');
    const guessed = propose('UBND TỈNH BÌNH THUẬN\nSố: 13/KH-UBND                Bình Thuận, ngày 20 tháng 12 năm 2020\nKẾ HOẠCH\nThi đua thực hiện nhiệm vụ\n1. Giảm tỷ lệ hộ nghèo.\n');

    // Assess
    expect(planned.directive.year).toBe(2021);
    expect(planned.review.map((n) => n.field)).not.toContain('year');
    expect(guessed.directive.year).toBe(2020);
    expect(guessed.review.find((n) => n.field === 'year')?.vi).toBe('Văn bản không nói rõ năm thực hiện; tạm lấy năm ban hành (2020).');
  });

  it('a document relayed from above is given by the uploading unit, under its own name', () => {
    // Act
    const p = propose('TỈNH ỦY KHÁNH HÒA\nSố 45-CT/TU                Khánh Hòa, ngày 10 tháng 3 năm 2021\nCHỈ THỊ\nvề thi đua năm 2021\n1. Giảm tỷ lệ hộ nghèo.\n');

    // Assess
    expect(p.directive.issuerName).toBe('Tỉnh Bình Thuận');
    expect(p.review.find((n) => n.field === 'issuerName')?.vi).toMatch(/^Văn bản do Tỉnh ủy Khánh Hòa ban hành, được tải lên từ Tỉnh Bình Thuận/);
  });

  it('applies an officer\'s edits: fields replaced, indicators merged by id, removed on request, nulls dropped', () => {
    // Prepare
    const proposal = propose(seed('002_5e0a79aa8fbcde40.txt'));
    const draft = { draftId: 'bn-abcdef0123', proposal } as DirectiveDraft;

    // Act
    const merged = applyEdits(draft, { number: '15-CV/HU', indicators: [{ id: 'bhyt', target: 95 }, { id: 'chi-bo-vung-manh', remove: true }, { id: 'moi', name: 'Chỉ tiêu mới', measure: 'km', kind: 'number', direction: 'increase', aggregation: 'sum', target: 1 }] });

    // Assess
    expect(merged.number).toBe('15-CV/HU');
    expect(merged.id).toBe('p-15-cv-hu-2020');
    expect(merged.issuedOn).toBeUndefined();
    const indicators = merged.indicators as Record<string, unknown>[];
    expect(indicators.map((i) => i.id)).toEqual(['thu-quy', 'giao-thong', 'ho-ngheo', 'suy-dinh-duong', 'thon-van-hoa', 'gia-dinh-van-hoa', 'thu-gom-rac', 'bhyt', 'dang-vien-moi', 'moi']);
    expect(indicators.find((i) => i.id === 'bhyt')).toMatchObject({ target: 95, weightBy: 'population' });
    expect(indicators.find((i) => i.id === 'ho-ngheo')).not.toHaveProperty('target');
    expect(indicators.every((i) => !('recognised' in i))).toBe(true);
    expect(() => applyEdits(draft, [1, 2])).toThrow(/đối tượng JSON/);
    expect(() => applyEdits(draft, { indicators: [{ target: 3 }] })).toThrow(/cần có "id"/);
  });
});
