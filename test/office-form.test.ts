/**
 * The office's directive form and per-unit targets workbook, without a stack: what the form's fields become, what a
 * confirmation is told to remove, the missing lines in the office's words, and a targets workbook read cell by cell
 * (also under the report parse budget, which stops a read that overruns it).
 */
import { describe, expect, it } from 'vitest';
import { draftEditsOf, missingVi, readDirectiveForm } from '../shared/domain/directive-form.ts';
import { buildTargetsWorkbook, readTargetsWorkbook, type TargetsIndicator } from '../shared/domain/targets-workbook.ts';
import { readTargetsWithinBudget } from '../shared/runtime/parse-budget.ts';

const INDICATORS: TargetsIndicator[] = [
  { id: 'ho-ngheo', name: 'Tỷ lệ hộ nghèo', measure: '%', kind: 'percent', target: 3 },
  { id: 'an-ninh', name: 'Đạt chuẩn an toàn về an ninh, trật tự', measure: 'có/không', kind: 'yes-no', target: true },
];
const UNITS = [
  { id: 'x0', name: 'Xã Hàm Liêm' },
  { id: 'x1', name: 'Xã Hàm Trí' },
];

describe('the directive form', () => {
  it('reads the posted fields: Vietnamese numbers and dates, the grid over the carried targets, blanks as null', () => {
    // Prepare
    const form = {
      number: '15-CV/TU',
      issuedOn: '05/03/2020',
      year: '2020',
      scope: 'level',
      level: 'commune',
      cadences: ['quarterly', 'year'],
      deadlineKind: 'workingDaysAfterCutoff',
      deadlineValue: '2',
      indicatorRows: '3',
      'ind.0.id': 'ho-ngheo',
      'ind.0.name': 'Tỷ lệ hộ nghèo',
      'ind.0.kind': 'percent',
      'ind.0.target': '2,5',
      'ind.1.id': 'dang-vien-moi',
      'ind.1.name': 'Kết nạp đảng viên mới',
      'ind.1.remove': '1',
      unitTargets: JSON.stringify({ x1: { 'ho-ngheo': 4 }, x9: { 'ho-ngheo': 1 } }),
      'ut.x0.ho-ngheo': '3,5',
      'ut.x1.ho-ngheo': '',
    };

    // Act
    const { state, problems } = readDirectiveForm(form, UNITS);

    // Assess
    expect(problems).toEqual([]);
    expect(state).toMatchObject({ number: '15-CV/TU', issuedOn: '2020-03-05', year: 2020, title: null, targetUnits: { scope: 'level', level: 'commune' }, cadences: ['quarterly', 'year'], deadline: { kind: 'workingDaysAfterCutoff', days: 2 } });
    expect(state.indicators).toEqual([{ id: 'ho-ngheo', name: 'Tỷ lệ hộ nghèo', measure: null, kind: 'percent', direction: null, aggregation: null, target: 2.5 }]);
    expect(state.removed).toEqual(['dang-vien-moi']);
    // x1's grid cell was emptied; x9 was not in the grid, so what the form carried for it stays.
    expect(state.unitTargets).toEqual({ x0: { 'ho-ngheo': 3.5 }, x9: { 'ho-ngheo': 1 } });
  });

  it('drops carried targets whose keys are not ids: a __proto__ key writes nowhere', () => {
    // Act
    const { state } = readDirectiveForm({ indicatorRows: '0', unitTargets: '{"__proto__":{"session":true,"polluted":1},"x9":{"ho-ngheo":4}}' }, UNITS);

    // Assess
    expect(state.unitTargets).toEqual({ x9: { 'ho-ngheo': 4 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).session).toBeUndefined();
  });

  it('names what cannot be read, with the indicator or the unit it belongs to', () => {
    // Act
    const { problems } = readDirectiveForm({ issuedOn: '31/02/2020', indicatorRows: '1', 'ind.0.id': 'ho-ngheo', 'ind.0.name': 'Tỷ lệ hộ nghèo', 'ind.0.kind': 'percent', 'ind.0.target': 'ba', 'ut.x0.ho-ngheo': 'abc' }, UNITS);

    // Assess
    expect(problems).toEqual([
      'Ngày ban hành “31/02/2020” không đúng dạng ngày/tháng/năm (ví dụ 05/03/2020)',
      'Chỉ tiêu “Tỷ lệ hộ nghèo”: mục tiêu “ba” không phải là một số',
      'Mục tiêu riêng của Xã Hàm Liêm, chỉ tiêu “Tỷ lệ hộ nghèo”: “abc” không phải là một số',
    ]);
  });

  it('tells a draft confirmation to remove the proposed indicators the form dropped, and lets the id follow the number', () => {
    // Prepare
    const { state } = readDirectiveForm({ id: 'p1-cong-van-2020', number: '15-CV/TU', indicatorRows: '2', 'ind.0.id': 'ho-ngheo', 'ind.0.name': 'Tỷ lệ hộ nghèo', 'ind.1.id': 'dang-vien-moi', 'ind.1.remove': '1' }, []);

    // Act
    const edits = draftEditsOf(state, { id: 'p1-cong-van-2020', indicatorIds: ['ho-ngheo', 'dang-vien-moi', 'bhyt'] });

    // Assess
    expect(edits.id).toBeUndefined();
    expect(edits.number).toBe('15-CV/TU');
    expect((edits.indicators as { id: string; remove?: boolean }[]).map((i) => `${i.id}${i.remove ? ' (bỏ)' : ''}`)).toEqual(['ho-ngheo', 'dang-vien-moi (bỏ)', 'bhyt (bỏ)']);
  });

  it('says what a confirmation still lacks in the office’s words', () => {
    expect(missingVi('indicators.ho-ngheo: “Tỷ lệ hộ nghèo” còn thiếu kind, target')).toBe('Chỉ tiêu “Tỷ lệ hộ nghèo” còn thiếu loại, mục tiêu');
    expect(missingVi('number: Không đọc được số, ký hiệu')).toBe('Số, ký hiệu của văn bản: Không đọc được số, ký hiệu');
  });
});

describe('the per-unit targets workbook', () => {
  it('round-trips the targets; every bad cell is named with its unit and indicator, and nothing is taken', async () => {
    // Prepare
    const bytes = await buildTargetsWorkbook({ title: 'Công văn 15-CV/TU', indicators: INDICATORS, units: UNITS, unitTargets: { x0: { 'ho-ngheo': 2.5, 'an-ninh': false } } });
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Mục tiêu')!;
    ws.getCell('C7').value = '120';
    ws.getCell('D7').value = 'có lẽ';
    ws.getCell('A8').value = 'x7';
    const bad = new Uint8Array(await wb.xlsx.writeBuffer());

    // Act
    const same = await readTargetsWorkbook(bytes, { indicators: INDICATORS, units: UNITS });
    const refused = await readTargetsWorkbook(bad, { indicators: INDICATORS, units: UNITS });

    // Assess
    expect(same).toEqual({ ok: true, unitTargets: { x0: { 'ho-ngheo': 2.5, 'an-ninh': false } } });
    expect(refused).toEqual({
      ok: false,
      problems: [
        'Ô C7 (Xã Hàm Trí, “Tỷ lệ hộ nghèo”): tỷ lệ phải từ 0 đến 100, nhận được 120',
        'Ô D7 (Xã Hàm Trí, “Đạt chuẩn an toàn về an ninh, trật tự”): “có lẽ” không phải Có hoặc Không',
        'Dòng 8: mã đơn vị “x7” không thuộc các đơn vị nhận chỉ tiêu',
      ],
    });
  });

  it('is read in a worker under the report budget: a read that overruns its deadline ends as a message', async () => {
    // Prepare
    const bytes = await buildTargetsWorkbook({ title: 'Công văn 15-CV/TU', indicators: INDICATORS, units: UNITS, unitTargets: {} });

    // Act
    const read = await readTargetsWithinBudget(bytes, { indicators: INDICATORS, units: UNITS });
    const stopped = await readTargetsWithinBudget(bytes, { indicators: INDICATORS, units: UNITS }, { deadlineMs: 1 });

    // Assess
    expect(read).toEqual({ ok: true, unitTargets: {} });
    expect(stopped).toEqual({ ok: false, problems: [expect.stringMatching(/^Tệp mục tiêu quá phức tạp để đọc: hệ thống đã dừng sau 0,001 giây/)] });
  }, 60_000);
});
