import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { describe, expect, it } from 'vitest';
import { InputError } from '../shared/domain/errors.ts';
import { awardAmount } from '../shared/domain/emulation/money.ts';
import { DEFAULT_RULES } from '../shared/domain/emulation/types.ts';
import { decisionDocx, type DecisionInput } from '../shared/paper/decision-docx.ts';
import { dateVi } from '../shared/paper/layout.ts';
import { minutesDocx, type MinutesInput } from '../shared/paper/minutes-docx.ts';

/*
 * The year's two documents for Xã Hàm Thuận, 2027: the council's minutes of 10/12/2027 (four candidates, three
 * pass) and the chairman's decision 125/QĐ-UBND of 15/12/2027 awarding the three. Each is read back with mammoth
 * (what an office's Word shows as text) and compared with a golden file checked by eye; run with UPDATE_GOLDEN=1 to
 * write the golden files again after a deliberate change.
 */
const BASE = DEFAULT_RULES.baseSalary;
const multiplierOf = (id: string): number => DEFAULT_RULES.titles.find((t) => t.id === id)!.multiplier;
const VILLAGE = { titleVi: 'Thôn, tổ dân phố văn hóa', amount: awardAmount(multiplierOf('thon-van-hoa'), BASE) };
const ADVANCED = { titleVi: 'Tập thể lao động tiên tiến', amount: awardAmount(multiplierOf('tap-the-lao-dong-tien-tien'), BASE) };
const MORE_THAN_HALF = 'trên 50% số thành viên có mặt';

const DECISION: DecisionInput = {
  parentBody: 'ỦY BAN NHÂN DÂN',
  issuerName: 'ỦY BAN NHÂN DÂN XÃ HÀM THUẬN',
  number: '125/QĐ-UBND',
  place: 'Hàm Thuận',
  issuedOn: '2027-12-15',
  subject: 'Về việc tặng danh hiệu thi đua năm 2027',
  authorityTitle: 'CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ HÀM THUẬN',
  bases: [
    'Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025',
    'Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022',
    'Căn cứ Kế hoạch số 05/KH-UBND ngày 10 tháng 01 năm 2027 của Ủy ban nhân dân xã về phát động phong trào thi đua năm 2027',
  ],
  proposal: 'Xét đề nghị của Hội đồng Thi đua - Khen thưởng xã tại Tờ trình số 18/TTr-HĐTĐKT ngày 12 tháng 12 năm 2027',
  // Interleaved on purpose: the table reads title by title.
  awards: [
    { name: 'Thôn Lâm Hòa', ...VILLAGE },
    { name: 'Trạm Y tế xã Hàm Thuận', ...ADVANCED },
    { name: 'Thôn Phú Lập', ...VILLAGE },
  ],
  baseSalary: BASE,
  fundVi: 'Quỹ thi đua, khen thưởng của xã',
  executors:
    'Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã, Trưởng phòng Văn hóa - Xã hội, thủ trưởng các cơ quan, đơn vị có liên quan và các đơn vị có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này',
  signer: { authority: 'TM. ỦY BAN NHÂN DÂN', title: 'CHỦ TỊCH', name: 'Nguyễn Văn An' },
  recipients: ['Như Điều 3', 'Thường trực Đảng ủy xã', 'Thường trực Hội đồng nhân dân xã', 'Chủ tịch, các Phó Chủ tịch Ủy ban nhân dân xã', 'Lưu: VT, VHXH'],
};

const MINUTES: MinutesInput = {
  councilName: 'HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG XÃ HÀM THUẬN',
  parentBody: 'ỦY BAN NHÂN DÂN XÃ HÀM THUẬN',
  place: 'Hàm Thuận',
  venue: 'Hội trường Ủy ban nhân dân xã Hàm Thuận',
  heldOn: '2027-12-10',
  heldAt: '14 giờ 00',
  endedAt: '16 giờ 30',
  directive: { kind: 'Kế hoạch', number: '05/KH-UBND', subject: 'Về việc phát động phong trào thi đua năm 2027' },
  year: 2027,
  members: 9,
  present: 7,
  quorumVi: 'Số thành viên có mặt đạt từ hai phần ba tổng số thành viên trở lên, cuộc họp đủ điều kiện tiến hành',
  chairName: 'Nguyễn Văn An',
  secretaryName: 'Trần Thị Bình',
  rows: [
    { name: 'Thôn Lâm Hòa', titleVi: VILLAGE.titleVi, yes: 7, present: 7, thresholdVi: MORE_THAN_HALF, passed: true },
    { name: 'Trạm Y tế xã Hàm Thuận', titleVi: ADVANCED.titleVi, yes: 6, present: 7, thresholdVi: MORE_THAN_HALF, passed: true },
    { name: 'Thôn Phú Lập', titleVi: VILLAGE.titleVi, yes: 5, present: 7, thresholdVi: MORE_THAN_HALF, passed: true },
    { name: 'Thôn Lâm Giáo', titleVi: VILLAGE.titleVi, yes: 3, present: 7, thresholdVi: MORE_THAN_HALF, passed: false },
  ],
};

const golden = (name: string): string => fileURLToPath(new URL(`./fixtures/golden/${name}`, import.meta.url));

/** The text against its golden file; with UPDATE_GOLDEN=1 the golden file is written from it instead. */
function matchGolden(name: string, text: string): void {
  const path = golden(name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`golden file ${name} is missing: run with UPDATE_GOLDEN=1 and check it by eye`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  expect(text).toBe(readFileSync(path, 'utf8'));
  expect(text).toBe(text.normalize('NFC'));
}

const textOf = async (bytes: Uint8Array): Promise<string> => (await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value;
const documentXml = async (bytes: Uint8Array): Promise<string> => {
  const xml = await (await JSZip.loadAsync(bytes)).file('word/document.xml')?.async('string');
  if (xml === undefined) throw new Error('word/document.xml is missing');
  return xml;
};

/** The page margins in whole millimetres (1 mm = 56.7 twips). */
function marginsMm(xml: string): Record<string, number> {
  const tag = /<w:pgMar ([^>]*)\/>/.exec(xml)?.[1] ?? '';
  const twips = (side: string) => Number(new RegExp(`w:${side}="(\\d+)"`).exec(tag)?.[1]);
  return Object.fromEntries(['top', 'right', 'bottom', 'left'].map((side) => [side, Math.round(twips(side) / 56.7)]));
}

describe('the commendation decision as DOCX', () => {
  it('reads back as the golden text: header, bases, three articles, recipients and signer', async () => {
    // Prepare
    const input = DECISION;

    // Act
    const text = await textOf(await decisionDocx(input));

    // Assess
    matchGolden('decision-2027.txt', text);
    expect(text).toContain('Hàm Thuận, ngày 15 tháng 12 năm 2027');
    expect(text).toContain('Số: 125/QĐ-UBND');
    expect(text).toContain('Tập thể lao động tiên tiến: 0,8 × 2.340.000 đồng = 1.872.000 đồng/đơn vị');
    expect(text).toContain('Tổng cộng: 3 đơn vị, 8.892.000 đồng');
    // Grouped by title: both villages before the health station although the input put it between them.
    expect(text.indexOf('Thôn Phú Lập')).toBeLessThan(text.indexOf('Trạm Y tế xã Hàm Thuận'));
  });

  it('is an A4 page in Times New Roman', async () => {
    // Prepare
    const input = DECISION;

    // Act
    const xml = await documentXml(await decisionDocx(input));

    // Assess
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toContain('w:ascii="Times New Roman"');
    expect(marginsMm(xml)).toEqual({ top: 20, right: 15, bottom: 20, left: 30 });
  });

  it('keeps a name with <, & and quotes exactly as written', async () => {
    // Prepare
    const hostile = `Thôn "Bắc" <Sơn> & 'Đông' </w:t><w:t>`;
    const input: DecisionInput = { ...DECISION, awards: [{ name: hostile, ...ADVANCED }], signer: { ...DECISION.signer, name: `Lê & "Hòa" <b>` } };

    // Act
    const bytes = await decisionDocx(input);
    const [text, xml] = await Promise.all([textOf(bytes), documentXml(bytes)]);

    // Assess
    expect(text.split('\n')).toContain(hostile);
    expect(text.split('\n')).toContain(`Lê & "Hòa" <b>`);
    expect(xml).not.toContain('<Sơn>');
    expect(text).toContain('Tổng cộng: 1 đơn vị, 1.872.000 đồng');
  });

  it('refuses a decision without awards, in Vietnamese', async () => {
    // Prepare
    const input: DecisionInput = { ...DECISION, awards: [] };

    // Act
    const attempt = decisionDocx(input);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(attempt).rejects.toMatchObject({ details: ['Quyết định phải có ít nhất một đơn vị được tặng danh hiệu.'] });
  });
});

describe('the council minutes as DOCX', () => {
  it('reads back as the golden text: time, members and quorum, ballot table, conclusion, two signers', async () => {
    // Prepare
    const input = MINUTES;

    // Act
    const text = await textOf(await minutesDocx(input));

    // Assess
    matchGolden('minutes-2027.txt', text);
    expect(text).toContain('Họp Hội đồng Thi đua - Khen thưởng bình xét danh hiệu thi đua năm 2027');
    expect(text).toContain('14 giờ 00, ngày 10 tháng 12 năm 2027.');
    expect(text).toContain('- Thôn, tổ dân phố văn hóa (2 đơn vị): Thôn Lâm Hòa, Thôn Phú Lập;');
    expect(text).toContain('\n\nThôn Lâm Giáo\n\nThôn, tổ dân phố văn hóa\n\n3/7\n\n42,9\n\nKhông đạt\n\n');
    expect(text).toContain('Cuộc họp kết thúc vào lúc 16 giờ 30 cùng ngày.');
  });

  it('is an A4 page in Times New Roman and keeps a hostile unit name', async () => {
    // Prepare
    const hostile = `Tổ <dân phố> & "1"`;
    const input: MinutesInput = { ...MINUTES, rows: [{ ...MINUTES.rows[0]!, name: hostile }] };

    // Act
    const bytes = await minutesDocx(input);
    const [text, xml] = await Promise.all([textOf(bytes), documentXml(bytes)]);

    // Assess
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toContain('w:ascii="Times New Roman"');
    expect(text.split('\n')).toContain(hostile);
    expect(text).toContain(`- Thôn, tổ dân phố văn hóa (1 đơn vị): ${hostile}.`);
  });

  it('refuses more present than members, in Vietnamese', async () => {
    // Prepare
    const input: MinutesInput = { ...MINUTES, present: 10 };

    // Act
    const attempt = minutesDocx(input);

    // Assess
    await expect(attempt).rejects.toMatchObject({ messageVi: 'Số liệu của biên bản không khớp nhau.', details: ['Số thành viên có mặt (10) lớn hơn tổng số thành viên (9).'] });
  });
});

describe('what an office leaves out', () => {
  it('names the issuer on one line without a parent, and leaves the end of a session to fill by hand', async () => {
    // Prepare
    const decision: DecisionInput = { ...DECISION, parentBody: '' };
    const { endedAt: _ended, heldAt: _held, ...minutes } = MINUTES;

    // Act
    const [decisionText, minutesText] = await Promise.all([textOf(await decisionDocx(decision)), textOf(await minutesDocx(minutes))]);

    // Assess
    expect(decisionText.startsWith('ỦY BAN NHÂN DÂN XÃ HÀM THUẬN\n\n')).toBe(true);
    expect(minutesText).toContain('Thời gian: ngày 10 tháng 12 năm 2027.');
    expect(minutesText).toContain('Cuộc họp kết thúc vào lúc ..... giờ ..... cùng ngày.');
  });
});

describe('dates as Decree 30 writes them', () => {
  it('pads days below 10 and months 1–2, not other months', () => {
    // Prepare
    const dates = ['2027-12-15', '2028-01-05', '2028-02-29', '2027-04-07'];

    // Act
    const written = dates.map(dateVi);

    // Assess
    expect(written).toEqual(['ngày 15 tháng 12 năm 2027', 'ngày 05 tháng 01 năm 2028', 'ngày 29 tháng 02 năm 2028', 'ngày 07 tháng 4 năm 2027']);
    expect(() => dateVi('2027-02-30')).toThrow(InputError);
  });
});
