import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { formatDateVi } from '../shared/domain/calendar/index.ts';
import { buildReportTemplate, headerText, parseReport, TEMPLATE_VERSION } from '../shared/domain/report/index.ts';
import { ALL_VALUES, COMMUNE, columnOf, expectedFor, fillTemplate, rowOf, sampleDirective, templateInput, VILLAGES } from './fixtures/reports/build.ts';

async function open(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  return wb;
}

const text = (ws: ExcelJS.Worksheet, address: string) => String(ws.getCell(address).value ?? '');

describe('report template', () => {
  it('has Vietnamese headings, the targets row, one row per village, a hidden identity sheet and protection', async () => {
    // Prepare
    const directive = sampleDirective();
    const input = templateInput(directive);
    input.targets = { ...input.targets, 'giao-thong': 3.5, 'dang-vien-moi': 8 };

    // Act
    const wb = await open(await buildReportTemplate(input));

    // Assess: the visible sheet
    expect(wb.worksheets.map((w) => [w.name, w.state])).toEqual([
      ['Báo cáo', 'visible'],
      ['thidua', 'veryHidden'],
    ]);
    const ws = wb.getWorksheet('Báo cáo') as ExcelJS.Worksheet;
    expect(text(ws, 'A1')).toBe('BÁO CÁO KẾT QUẢ THỰC HIỆN CHỈ THỊ SỐ 23-CT/TU');
    expect(text(ws, 'A2')).toBe(
      'Chỉ thị số 23-CT/TU ngày 20/11/2026 của Ban Thường vụ Tỉnh ủy Bình Thuận "Về tiếp tục đẩy mạnh phong trào thi đua trên các địa bàn thôn, khu phố"',
    );
    expect(text(ws, 'A3')).toBe('Đơn vị báo cáo: Xã Hàm Phú');
    expect(text(ws, 'A4')).toBe('Kỳ báo cáo: Quý I/2027 (từ ngày 15/12/2026 đến ngày 14/03/2027)');
    expect(text(ws, 'A5')).toBe(`Hạn nộp báo cáo: ${formatDateVi(input.period.due)}`);
    expect(text(ws, 'A5')).toMatch(/^Hạn nộp báo cáo: \d\d\/03\/2027$/);

    // Assess: group labels above merged header cells, one column per indicator (name + measure)
    expect(text(ws, 'A7')).toBe('Thôn, khu phố');
    expect(ws.getCell('A8').isMerged).toBe(true);
    expect(text(ws, 'B7')).toBe('Nhóm chỉ tiêu (1)');
    expect(text(ws, 'D7')).toBe('Nhóm chỉ tiêu (3)');
    expect(ws.getCell('E7').master.address).toBe('D7');
    expect(text(ws, `${columnOf(directive, 'khong-toi-pham')}7`)).toBe('4 không');
    expect(ws.getCell(`${columnOf(directive, 'khong-tai-nan')}7`).master.address).toBe(`${columnOf(directive, 'khong-toi-pham')}7`);
    directive.indicators.forEach((ind) => expect(text(ws, `${columnOf(directive, ind.id)}8`)).toBe(headerText(ind)));
    expect(text(ws, 'I8')).toBe('Tỷ lệ người dân tham gia bảo hiểm y tế (%)');

    // Assess: the locked targets row, with the unit's own targets
    expect(text(ws, 'A9')).toBe('Chỉ tiêu được giao');
    expect(ws.getCell(`${columnOf(directive, 'giao-thong')}9`).value).toBe(3.5);
    expect(ws.getCell(`${columnOf(directive, 'dang-vien-moi')}9`).value).toBe(8);
    expect(ws.getCell(`${columnOf(directive, 'bhyt')}9`).value).toBe(93);
    expect(ws.getCell(`${columnOf(directive, 'chi-bo-vung-manh')}9`).value).toBe('Có');
    expect(ws.getCell('C9').protection?.locked).not.toBe(false);

    // Assess: one row per village, the name read-only, the inputs unlocked with validation
    expect(VILLAGES.map((_, k) => text(ws, `A${rowOf(k)}`))).toEqual(VILLAGES.map((v) => v.name));
    expect(text(ws, `A${rowOf(VILLAGES.length)}`)).toBe('');
    expect(ws.getCell('A10').protection?.locked).not.toBe(false);
    expect(ws.getCell('B10').protection?.locked).toBe(false);
    expect(ws.getCell('O14').protection?.locked).toBe(false);
    expect(ws.getCell(`${columnOf(directive, 'chi-bo-vung-manh')}10`).dataValidation).toMatchObject({ type: 'list', formulae: ['"Có,Không"'] });
    expect(ws.getCell(`${columnOf(directive, 'dang-vien-moi')}11`).dataValidation).toMatchObject({ type: 'whole', operator: 'greaterThanOrEqual', formulae: [0] });
    expect(ws.getCell(`${columnOf(directive, 'khong-attp')}12`).dataValidation).toMatchObject({ type: 'whole', operator: 'greaterThanOrEqual', formulae: [0] });
    expect(ws.getCell(`${columnOf(directive, 'bhyt')}13`).dataValidation).toMatchObject({ type: 'decimal', operator: 'between', formulae: [0, 100] });
    expect(ws.getCell(`${columnOf(directive, 'giao-thong')}14`).dataValidation).toMatchObject({ type: 'decimal', operator: 'greaterThanOrEqual', formulae: [0] });
    const protection = (ws as unknown as { sheetProtection?: Record<string, unknown> }).sheetProtection;
    // exceljs reads an allowed action as true and a forbidden one as undefined (the OOXML default)
    expect(protection).toMatchObject({ sheet: true, formatCells: true, formatColumns: true, formatRows: true });
    for (const forbidden of ['insertRows', 'insertColumns', 'deleteRows', 'deleteColumns', 'sort']) expect(protection?.[forbidden]).toBeUndefined();
    expect(protection?.selectUnlockedCells).not.toBe(false);

    // Assess: the hidden identity sheet
    const meta = wb.getWorksheet('thidua') as ExcelJS.Worksheet;
    const rows: unknown[][] = [];
    meta.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const value = (key: string) => rows.find((r) => r[0] === key)?.[1];
    expect(value('format')).toBe('thidua-report');
    expect(value('templateVersion')).toBe(TEMPLATE_VERSION);
    expect(value('directiveId')).toBe('bt-23-ct-tu-2027');
    expect(value('periodId')).toBe('2027-Q1');
    expect(value('unitId')).toBe(COMMUNE.id);
    expect(rows.filter((r) => r[0] === 'column')).toEqual(directive.indicators.map((ind) => ['column', columnOf(directive, ind.id), ind.id]));
    expect(rows.filter((r) => r[0] === 'row')).toEqual(VILLAGES.map((v, k) => ['row', rowOf(k), v.unitId, v.name]));
  });

  it('reads back exactly what an officer filled in Excel, whatever else they changed', async () => {
    // Prepare: values, one number typed as text, a formula with its cached result, a percent-formatted cell,
    // a header merged over two rows, an extra sheet, other widths and fonts.
    const directive = sampleDirective();
    const template = await buildReportTemplate(templateInput(directive));
    const filled = await fillTemplate(template, directive, ALL_VALUES, (wb, ws) => {
      ws.getCell(`${columnOf(directive, 'giao-thong')}${rowOf(0)}`).value = '1.234,5';
      ws.getCell(`${columnOf(directive, 'thu-quy')}${rowOf(1)}`).value = { formula: 'AVERAGE(90,100)', result: 95 };
      const pct = ws.getCell(`${columnOf(directive, 'bhyt')}${rowOf(4)}`);
      pct.value = 0.93;
      pct.style = { ...pct.style, numFmt: '0.0%' }; // a copy: exceljs shares style objects between cells
      ws.getCell('B7').value = ws.getCell('B8').value;
      ws.mergeCells('B7:B8');
      ws.getColumn('A').width = 45;
      ws.getColumn('C').width = 8;
      ws.getRow(10).font = { name: 'Times New Roman', size: 14, bold: true };
      ws.getRow(8).height = 150;
      const notes = wb.addWorksheet('Ghi chú');
      notes.addRow(['Số liệu do các trưởng thôn cung cấp ngày 16/3/2027', 12, 'Tỷ lệ hộ nghèo']);
    });

    // Act
    const outcome = await parseReport({ bytes: filled, fileName: 'bao-cao-ham-phu-quy-1.xlsx' }, expectedFor(directive));

    // Assess
    const expected = ALL_VALUES.map((v) => ({ ...v }));
    (expected[0] as Record<string, number | boolean>)['giao-thong'] = 1234.5;
    (expected[1] as Record<string, number | boolean>)['thu-quy'] = 95;
    (expected[4] as Record<string, number | boolean>).bhyt = 93;
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems));
    expect(outcome.format).toBe('xlsx');
    expect(outcome.rows).toEqual(VILLAGES.map((v, k) => ({ unitId: v.unitId, name: v.name, values: expected[k] })));
    expect(outcome.notes).toContain('Ô I14: ô định dạng phần trăm: 0,93 được hiểu là 93%');
    expect(outcome.notes).toContain('Dùng kết quả đã tính sẵn của 1 ô có công thức (B11); công thức không được tính lại');
    expect(outcome.notes).toContain('Chỉ đọc trang "Báo cáo"; bỏ qua 1 trang khác: "Ghi chú"');
  });

  it('works for a unit without villages: the unit reports on itself', async () => {
    // Prepare
    const directive = sampleDirective();
    const self = [{ unitId: COMMUNE.id, name: COMMUNE.name }];
    const template = await buildReportTemplate({ ...templateInput(directive), rows: self });
    const filled = await fillTemplate(template, directive, [ALL_VALUES[0] as Record<string, number | boolean>]);

    // Act
    const outcome = await parseReport({ bytes: filled, fileName: 'x.xlsx' }, { ...expectedFor(directive), rows: self });

    // Assess
    expect(outcome).toEqual({ ok: true, format: 'xlsx', rows: [{ unitId: COMMUNE.id, name: COMMUNE.name, values: ALL_VALUES[0] }], notes: [] });
  });
});
