import ExcelJS from 'exceljs';
import { zipSync, strToU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReportTemplate, parseNumberVi, parseReport, parseYesNo, type ParseOutcome, type ReportProblem } from '../shared/domain/report/index.ts';
import type { Directive } from '../shared/domain/directive.ts';
import {
  ALL_VALUES,
  COMMUNE,
  csvOf,
  encodeCp1258,
  expectedFor,
  fillTemplate,
  sampleDirective,
  templateInput,
  toBytes,
  utf8,
  VILLAGES,
} from './fixtures/reports/build.ts';

let directive: Directive;
let template: Uint8Array;

beforeAll(async () => {
  directive = sampleDirective();
  template = await buildReportTemplate(templateInput(directive));
});

const parse = (bytes: Uint8Array, fileName = 'bao-cao.xlsx', limits = {}) => parseReport({ bytes, fileName }, expectedFor(directive), limits);

function problemsOf(outcome: ParseOutcome): ReportProblem[] {
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.rows).slice(0, 300)}`);
  for (const p of outcome.problems) expect(p.messageVi.trim()).not.toBe('');
  return outcome.problems;
}

function accepted(outcome: ParseOutcome) {
  if (!outcome.ok) throw new Error(`expected acceptance, got ${JSON.stringify(outcome.problems, null, 1).slice(0, 2000)}`);
  return outcome;
}

const filledWith = (tweak: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void) => fillTemplate(template, directive, ALL_VALUES, (wb, ws) => tweak(ws, wb));

const EXPECTED_ROWS = () => VILLAGES.map((v, k) => ({ unitId: v.unitId, name: v.name, values: ALL_VALUES[k] }));

describe('parseReport: whose report it is', () => {
  it('rejects the report of another commune, naming both', async () => {
    // Prepare
    const other = await buildReportTemplate({
      ...templateInput(directive),
      unit: { id: 'bt-htb-ham-tri', name: 'Xã Hàm Trí' },
      rows: [
        { unitId: 'bt-htb-ham-tri-thon-van-lam', name: 'Thôn Văn Lâm' },
        { unitId: 'bt-htb-ham-tri-thon-minh-tien', name: 'Thôn Minh Tiến' },
      ],
    });
    const filled = await fillTemplate(other, directive, ALL_VALUES.slice(0, 2));

    // Act
    const problems = problemsOf(await parse(filled));

    // Assess
    expect(problems).toEqual([
      {
        code: 'wrong-unit',
        sheet: 'Báo cáo',
        messageVi: 'Tệp này là báo cáo của Xã Hàm Trí (mã bt-htb-ham-tri), không phải của Xã Hàm Phú (mã bt-htb-ham-phu); hãy tải đúng mẫu báo cáo của đơn vị mình',
      },
    ]);
  });

  it('rejects the report of another period, naming both', async () => {
    // Prepare
    const q2 = await fillTemplate(await buildReportTemplate(templateInput(directive, '2027-Q2')), directive);

    // Act
    const problems = problemsOf(await parse(q2));

    // Assess
    expect(problems.map((p) => [p.code, p.messageVi])).toEqual([
      ['wrong-period', 'Tệp này là báo cáo kỳ Quý II/2027 (2027-Q2), không phải kỳ Quý I/2027 (2027-Q1) đang cần nộp'],
    ]);
  });

  it('rejects the report of another directive', async () => {
    // Prepare
    const otherDirective = { ...directive, id: 'bt-05-ct-tu-2027', number: '05-CT/TU' };
    const filled = await fillTemplate(await buildReportTemplate(templateInput(otherDirective)), directive);

    // Act
    const problems = problemsOf(await parse(filled));

    // Assess
    expect(problems[0]?.code).toBe('wrong-directive');
    expect(problems[0]?.messageVi).toBe(
      'Tệp này là báo cáo của văn bản số 05-CT/TU (mã bt-05-ct-tu-2027), không phải của Chỉ thị số 23-CT/TU (mã bt-23-ct-tu-2027); hãy dùng đúng mẫu báo cáo của Chỉ thị số 23-CT/TU',
    );
  });

  it('checks the unit and period written above a hand-made table too', async () => {
    // Prepare: a workbook rebuilt by hand, without the hidden sheet
    const handMade = async (unitLine: string, periodLine: string) => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Sheet1');
      ws.addRow(['BÁO CÁO THI ĐUA']);
      ws.addRow([unitLine]);
      ws.addRow([periodLine]);
      ws.addRow(['STT', 'Tên thôn', ...directive.indicators.map((i) => i.name)]);
      VILLAGES.forEach((v, k) => ws.addRow([k + 1, v.name, ...directive.indicators.map((i) => (ALL_VALUES[k] as Record<string, number | boolean>)[i.id] as number | boolean)]));
      return toBytes(await wb.xlsx.writeBuffer());
    };

    // Act
    const right = await parse(await handMade('Đơn vị báo cáo: UBND xã Hàm Phú', 'Kỳ báo cáo: Quý I/2027'));
    const wrongUnit = await parse(await handMade('Đơn vị: Xã Hàm Trí', 'Kỳ báo cáo: Quý I/2027'));
    const wrongPeriod = await parse(await handMade('Đơn vị báo cáo: Xã Hàm Phú', 'Kỳ báo cáo: 6 tháng đầu năm 2027'));

    // Assess
    expect(accepted(right).rows).toEqual(EXPECTED_ROWS());
    expect(right.ok && right.notes[0]).toMatch(/không có phần nhận dạng của mẫu báo cáo/);
    expect(problemsOf(wrongUnit).map((p) => p.messageVi)).toEqual([
      'Tệp này là báo cáo của Xã Hàm Trí, không phải của Xã Hàm Phú (mã bt-htb-ham-phu); hãy tải đúng mẫu báo cáo của đơn vị mình',
    ]);
    expect(problemsOf(wrongPeriod).map((p) => p.messageVi)).toEqual([
      'Tệp này là báo cáo kỳ 6 tháng đầu năm 2027 (2027-H1), không phải kỳ Quý I/2027 (2027-Q1) đang cần nộp',
    ]);
  });
});

describe('parseReport: columns, rows and values', () => {
  it('names a missing indicator column', async () => {
    // Prepare: an officer deleted the column of "bhyt" (I)
    const filled = await filledWith((ws) => ws.spliceColumns(9, 1));

    // Act
    const problems = problemsOf(await parse(filled));

    // Assess
    expect(problems).toEqual([
      {
        code: 'missing-indicator',
        sheet: 'Báo cáo',
        indicatorId: 'bhyt',
        messageVi: 'Thiếu cột "Tỷ lệ người dân tham gia bảo hiểm y tế (%)" (mã bhyt) trong trang "Báo cáo"',
      },
    ]);
  });

  it('names the cell, the village and the column of a percent over 100', async () => {
    // Prepare
    const filled = await filledWith((ws) => {
      ws.getCell('I12').value = 112;
    });

    // Act
    const problems = problemsOf(await parse(filled));

    // Assess
    expect(problems).toEqual([
      {
        code: 'out-of-range',
        messageVi: 'Ô I12: tỷ lệ phải từ 0 đến 100, nhận được 112 (Thôn Đông Thuận, cột "Tỷ lệ người dân tham gia bảo hiểm y tế")',
        sheet: 'Báo cáo',
        row: 12,
        column: 'I',
        cell: 'I12',
        indicatorId: 'bhyt',
        unitId: 'bt-htb-ham-phu-thon-dong-thuan',
      },
    ]);
  });

  it('rejects a negative count, a fractional count and a yes/no that is neither', async () => {
    // Prepare
    const filled = await filledWith((ws) => {
      ws.getCell('J11').value = -1;
      ws.getCell('L10').value = 1.5;
      ws.getCell('K13').value = 'Chưa rõ';
      ws.getCell('M14').value = '2 vụ';
    });

    // Act
    const problems = problemsOf(await parse(filled));

    // Assess: in row order, with the place first; "2 vụ" (the measure typed along) is accepted
    expect(problems.map((p) => [p.code, p.messageVi])).toEqual([
      ['not-whole', 'Ô L10: số lượng phải là số nguyên, nhận được 1,5 (Thôn Phú Sơn, cột "Số vụ tội phạm nghiêm trọng, tệ nạn xã hội phức tạp")'],
      ['negative', 'Ô J11: số lượng không được âm, nhận được -1 (Thôn Tân Hiệp, cột "Kết nạp đảng viên mới")'],
      [
        'not-yes-no',
        'Ô K13: phải là "Có" hoặc "Không", nhận được "Chưa rõ" (Thôn Đại Hòa, cột "Chi bộ, ban điều hành, ban công tác Mặt trận thôn, khu phố hoàn thành tốt nhiệm vụ")',
      ],
    ]);
  });

  it('names an unknown village and the village that is then missing', async () => {
    // Prepare
    const filled = await filledWith((ws) => {
      ws.getCell('A14').value = 'Thôn Liêm Hòa';
    });

    // Act
    const problems = problemsOf(await parse(filled));

    // Assess
    expect(problems.map((p) => [p.code, p.row, p.messageVi])).toEqual([
      [
        'unknown-row',
        14,
        'Dòng 14: "Thôn Liêm Hòa" không có trong danh sách thôn, khu phố của Xã Hàm Phú (có: Thôn Phú Sơn, Thôn Tân Hiệp, Thôn Đông Thuận, Thôn Đại Hòa, Thôn Liêm Thuận)',
      ],
      ['missing-row', undefined, 'Thiếu dòng của Thôn Liêm Thuận: không tìm thấy tên thôn, khu phố này trong trang "Báo cáo"'],
    ]);
  });

  it('names a missing village', async () => {
    // Prepare
    const filled = await filledWith((ws) => ws.spliceRows(13, 1));

    // Act
    const problems = problemsOf(await parse(filled));

    // Assess
    expect(problems).toEqual([
      { code: 'missing-row', sheet: 'Báo cáo', unitId: 'bt-htb-ham-phu-thon-dai-hoa', messageVi: 'Thiếu dòng của Thôn Đại Hòa: không tìm thấy tên thôn, khu phố này trong trang "Báo cáo"' },
    ]);
  });

  it('accepts reordered rows, a total line, a signature block and village names without prefix', async () => {
    // Prepare
    const filled = await filledWith((ws) => {
      const a = ws.getRow(10).values as ExcelJS.CellValue[];
      const b = ws.getRow(14).values as ExcelJS.CellValue[];
      ws.getRow(10).values = b;
      ws.getRow(14).values = a;
      ws.getCell('A11').value = 'TAN HIEP';
      ws.getCell('A15').value = 'Tổng cộng';
      ws.getCell('B15').value = { formula: 'AVERAGE(B10:B14)', result: 94.7 };
      ws.getCell('A18').value = 'Người lập biểu';
      ws.getCell('F18').value = 'TM. ỦY BAN NHÂN DÂN';
    });

    // Act
    const outcome = accepted(await parse(filled));

    // Assess
    expect(outcome.rows.map((r) => r.values)).toEqual(ALL_VALUES);
    expect(outcome.rows[1]).toMatchObject({ name: 'Thôn Tân Hiệp', matchedFrom: 'TAN HIEP' });
    expect(outcome.notes).toContain('Dòng 11: "TAN HIEP" được hiểu là Thôn Tân Hiệp');
    expect(outcome.notes).toContain('Bỏ qua 2 dòng không phải thôn, khu phố và không có số liệu: dòng 15 ("Tổng cộng"), dòng 18 ("Người lập biểu")');
  });

  it('reports a formula without a cached result, and uses the cached result otherwise', async () => {
    // Prepare
    const filled = await filledWith((ws) => {
      ws.getCell('B10').value = { formula: 'SUM(45,50)' } as ExcelJS.CellFormulaValue;
      ws.getCell('B11').value = { formula: 'SUM(45,50)', result: 95 };
    });

    // Act
    const problems = problemsOf(await parse(filled));

    // Assess
    expect(problems.map((p) => [p.code, p.cell, p.messageVi])).toEqual([
      [
        'formula-no-result',
        'B10',
        'Ô B10: ô chứa công thức "=SUM(45,50)" nhưng tệp không lưu kết quả đã tính; hãy mở tệp bằng Excel, lưu lại rồi gửi, hoặc nhập số trực tiếp (Thôn Phú Sơn, cột "Huy động sức dân thu các loại quỹ theo quy định, thực hiện quy chế dân chủ ở cơ sở")',
      ],
    ]);
  });

  it('lists at most 50 problems and says how many more', async () => {
    // Act: the blank template: 5 villages × 14 indicators = 70 missing values
    const problems = problemsOf(await parse(template));

    // Assess
    expect(problems).toHaveLength(51);
    expect(problems.slice(0, 50).every((p) => p.code === 'missing-value')).toBe(true);
    expect(problems[0]?.messageVi).toBe('Ô B10: chưa nhập số liệu (Thôn Phú Sơn, cột "Huy động sức dân thu các loại quỹ theo quy định, thực hiện quy chế dân chủ ở cơ sở")');
    expect(problems[50]).toEqual({ code: 'more-problems', messageVi: '… và 20 lỗi khác' });
  });

  it('accepts blanks as null when the caller allows it', async () => {
    // Act
    const outcome = accepted(await parse(template, 'mau.xlsx', { allowBlank: true }));

    // Assess
    expect(outcome.rows.map((r) => Object.values(r.values).every((v) => v === null))).toEqual([true, true, true, true, true]);
  });
});

describe('parseReport: files that are not a report', () => {
  it('rejects an empty file', async () => {
    expect(problemsOf(await parse(new Uint8Array(0)))).toEqual([
      { code: 'empty', messageVi: 'Tệp "bao-cao.xlsx" rỗng (0 byte); hãy chọn lại đúng tệp báo cáo đã nhập số liệu' },
    ]);
  });

  it('rejects binary garbage', async () => {
    // Prepare
    const garbage = new Uint8Array(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256;

    // Act
    const problems = problemsOf(await parse(garbage, 'bao-cao.csv'));

    // Assess
    expect(problems.map((p) => [p.code, p.messageVi])).toEqual([
      ['not-a-report', 'Tệp "bao-cao.csv" là tệp nhị phân không rõ loại (dù có đuôi .csv), không phải tệp báo cáo; hãy gửi tệp Excel (.xlsx) theo mẫu'],
    ]);
  });

  it('recognises a PNG renamed .xlsx', async () => {
    // Prepare
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);

    // Act
    const problems = problemsOf(await parse(png, 'bao-cao-quy-1.xlsx'));

    // Assess
    expect(problems.map((p) => [p.code, p.messageVi])).toEqual([
      ['not-a-report', 'Tệp "bao-cao-quy-1.xlsx" là ảnh PNG (dù có đuôi .xlsx), không phải tệp báo cáo; hãy gửi tệp Excel (.xlsx) theo mẫu, không gửi ảnh chụp'],
    ]);
  });

  it('recognises a text file renamed .xlsx', async () => {
    // Act
    const problems = problemsOf(await parse(utf8('Kính gửi UBND xã,\nxin gửi báo cáo quý I.\n'), 'bao-cao.xlsx'));

    // Assess
    expect(problems.map((p) => [p.code, p.messageVi])).toEqual([
      [
        'not-a-report',
        'Tệp "bao-cao.xlsx" là văn bản thuần (dù có đuôi .xlsx), không phải bảng tính Excel, và không tìm thấy dòng tiêu đề có tên hoặc mã các chỉ tiêu của Chỉ thị số 23-CT/TU trong tệp CSV',
      ],
    ]);
  });

  it('recognises a legacy .xls', async () => {
    const ole = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(504).fill(0)]);
    expect(problemsOf(await parse(ole, 'bao-cao.xls'))[0]?.messageVi).toBe(
      'Tệp "bao-cao.xls" là bảng tính Excel 97–2003 (.xls) hoặc tệp Excel có đặt mật khẩu mở tệp (dù có đuôi .xls), không phải tệp báo cáo; hãy mở bằng Excel, bỏ mật khẩu (nếu có) và chọn Lưu thành → "Excel Workbook (.xlsx)"',
    );
  });

  it('rejects a file over the size limit, telling the limit', async () => {
    // Act
    const big = await parse(new Uint8Array(5 * 1024 * 1024 + 1), 'bao-cao.xlsx');
    const custom = await parse(template, 'bao-cao.xlsx', { maxUploadBytes: 4096 });

    // Assess
    expect(problemsOf(big)).toEqual([
      { code: 'too-large', messageVi: 'Tệp "bao-cao.xlsx" có dung lượng hơn 5 MB, vượt giới hạn 5 MB của một báo cáo; hãy xóa các trang, hình ảnh không cần thiết rồi gửi lại' },
    ]);
    expect(problemsOf(custom)[0]?.messageVi).toMatch(/^Tệp "bao-cao.xlsx" có dung lượng \d+ KB, vượt giới hạn 4 KB của một báo cáo/);
  });

  it('refuses zip bombs disguised as .xlsx before inflating them', async () => {
    // Prepare: a 40 MB sheet of one repeated byte (≈ 40 KB compressed), a 20 MB one (under the size limit but a
    // ratio of ~1000:1), and a directory that lies about an entry's size
    const workbookXml = strToU8('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>');
    const huge = zipSync({ 'xl/workbook.xml': workbookXml, 'xl/worksheets/sheet1.xml': new Uint8Array(40 * 1024 * 1024).fill(0x41) }, { level: 9 });
    const dense = zipSync({ 'xl/workbook.xml': workbookXml, 'xl/worksheets/sheet1.xml': new Uint8Array(20 * 1024 * 1024).fill(0x41) }, { level: 9 });
    const liar = zipSync({ 'xl/workbook.xml': workbookXml, 'xl/worksheets/sheet1.xml': new Uint8Array(2 * 1024 * 1024).fill(0x41) }, { level: 9 });
    lieAboutSizes(liar, 1000);

    // Act
    const [a, b, c] = await Promise.all([parse(huge), parse(dense), parse(liar)]);

    // Assess
    expect(huge.length).toBeLessThan(200_000);
    expect(problemsOf(a)).toEqual([
      { code: 'zip-bomb', messageVi: 'Tệp "bao-cao.xlsx" bị từ chối vì dung lượng sau giải nén vượt 30 MB (dấu hiệu tệp "bom nén"); một báo cáo bình thường nhỏ hơn nhiều' },
    ]);
    expect(problemsOf(b)[0]?.code).toBe('zip-bomb');
    expect(problemsOf(b)[0]?.messageVi).toMatch(/thành phần "xl\/worksheets\/sheet1.xml" có tỷ lệ nén \d+:1, vượt giới hạn 200:1/);
    expect(problemsOf(c)[0]?.code).toBe('zip-bomb');
    expect(problemsOf(c)[0]?.messageVi).toMatch(/giải nén ra nhiều hơn kích thước khai báo/);
  });

  it('refuses a ZIP with too many entries', async () => {
    const entries: Record<string, Uint8Array> = { 'xl/workbook.xml': strToU8('<workbook/>') };
    for (let i = 0; i < 2_001; i++) entries[`xl/media/image${i}.png`] = new Uint8Array(1);
    expect(problemsOf(await parse(zipSync(entries, { level: 0 })))[0]).toEqual({
      code: 'zip-bomb',
      messageVi: 'Tệp "bao-cao.xlsx" bị từ chối vì tệp nén có 2002 thành phần, vượt giới hạn 2000 (dấu hiệu tệp "bom nén"); một báo cáo bình thường nhỏ hơn nhiều',
    });
  });

  it('says what a ZIP that is not a workbook is', async () => {
    const docx = zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': strToU8('<w:document/>') });
    expect(problemsOf(await parse(docx, 'bao-cao.xlsx'))[0]?.messageVi).toBe('Tệp "bao-cao.xlsx" là tài liệu Word (.docx), không phải bảng tính Excel (.xlsx) của báo cáo');
  });
});

/** Rewrites the uncompressed size of every entry, in the local headers and the central directory. */
function lieAboutSizes(zip: Uint8Array, size: number) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let i = 0; i + 4 <= zip.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50 && view.getUint32(i + 22, true) > 100_000) view.setUint32(i + 22, size, true);
    if (sig === 0x02014b50 && view.getUint32(i + 24, true) > 100_000) view.setUint32(i + 24, size, true);
  }
}

describe('parseReport: CSV', () => {
  it('reads UTF-8 with a BOM', async () => {
    // Act
    const outcome = accepted(await parse(utf8(`\uFEFF${csvOf(directive)}`), 'bao-cao.csv'));

    // Assess
    expect(outcome).toEqual({ ok: true, format: 'csv', rows: EXPECTED_ROWS(), notes: [] });
  });

  it('reads a legacy Windows-1258 file, converts it and says so', async () => {
    // Prepare
    const bytes = encodeCp1258(csvOf(directive, { header: 'name', delimiter: ';', decimalComma: true }));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();

    // Act
    const outcome = accepted(await parse(bytes, 'bao-cao.csv'));

    // Assess: names come back exactly (no "matchedFrom"), headers were matched by indicator name
    expect(outcome.rows).toEqual(EXPECTED_ROWS());
    expect(outcome.notes).toContain('Tệp dùng bảng mã cũ Windows-1258 (không phải UTF-8); đã chuyển sang Unicode — hãy kiểm tra lại tên thôn, khu phố');
  });

  it('tells a damaged UTF-8 file from a legacy one, naming the line', async () => {
    // Prepare: one byte of "Thôn" on line 3 broken
    const bytes = utf8(csvOf(directive));
    const at = bytes.indexOf(0xc3, utf8(csvOf(directive).split('\r\n').slice(0, 2).join('\r\n')).length);
    bytes[at] = 0xff;

    // Act
    const problems = problemsOf(await parse(bytes, 'bao-cao.csv'));

    // Assess
    expect(problems).toEqual([
      { code: 'encoding', row: 3, messageVi: 'Tệp "bao-cao.csv" là văn bản UTF-8 nhưng bị hỏng ở dòng 3: có ký tự không đọc được; hãy mở tệp gốc, lưu lại rồi gửi lại' },
    ]);
  });

  it('reads ";" as delimiter with decimal commas', async () => {
    const outcome = accepted(await parse(utf8(csvOf(directive, { delimiter: ';', decimalComma: true })), 'bao-cao.csv'));
    expect(outcome.rows).toEqual(EXPECTED_ROWS());
    expect(outcome.notes).toContain('Các cột được phân cách bằng dấu chấm phẩy (;)');
  });

  it('matches village names without diacritics and reports the match back', async () => {
    // Act
    const outcome = accepted(await parse(utf8(csvOf(directive, { names: ['Thon Phu Son', 'tan  hiep', 'Thôn Đông Thuận', 'THÔN ĐẠI HOÀ', 'Liem Thuan'] })), 'bao-cao.csv'));

    // Assess
    expect(outcome.rows.map((r) => [r.name, r.matchedFrom])).toEqual([
      ['Thôn Phú Sơn', 'Thon Phu Son'],
      ['Thôn Tân Hiệp', 'tan hiep'],
      ['Thôn Đông Thuận', undefined],
      ['Thôn Đại Hòa', 'THÔN ĐẠI HOÀ'],
      ['Thôn Liêm Thuận', 'Liem Thuan'],
    ]);
    expect(outcome.notes).toContain('Dòng 2: "Thon Phu Son" được hiểu là Thôn Phú Sơn');
  });

  it('never evaluates a formula-like cell: "=1+1" is text, so not a number', async () => {
    // Prepare
    const text = csvOf(directive).replace(/\r\nThôn Tân Hiệp,100,/, '\r\nThôn Tân Hiệp,=1+1,');

    // Act
    const problems = problemsOf(await parse(utf8(text), 'bao-cao.csv'));

    // Assess
    expect(problems.map((p) => [p.code, p.row, p.column, p.messageVi])).toEqual([
      [
        'not-a-number',
        3,
        'thu-quy',
        'Dòng 3, cột "thu-quy": phải là một số, nhận được "=1+1"; ô bắt đầu bằng "=", "+" hoặc "@" được coi là chữ, không được tính (Thôn Tân Hiệp, chỉ tiêu "Huy động sức dân thu các loại quỹ theo quy định, thực hiện quy chế dân chủ ở cơ sở")',
      ],
    ]);
  });

  it('passes HTML from the file through unchanged (escaping is the renderer’s job), truncated to 60 characters', async () => {
    // Prepare
    const script = '<script>alert("x")</script>';
    const long = `<b>${'9'.repeat(80)}</b>`;
    const text = csvOf(directive)
      .replace('Thôn Liêm Thuận,', `${script},`)
      .replace(/\r\nThôn Phú Sơn,95,/, `\r\nThôn Phú Sơn,${long},`);

    // Act
    const problems = problemsOf(await parse(utf8(text), 'bao-cao.csv'));

    // Assess
    const messages = problems.map((p) => p.messageVi);
    expect(messages[0]).toBe(`Dòng 2, cột "thu-quy": phải là một số, nhận được "${long.slice(0, 59)}…" (Thôn Phú Sơn, chỉ tiêu "Huy động sức dân thu các loại quỹ theo quy định, thực hiện quy chế dân chủ ở cơ sở")`);
    expect(messages[1]).toBe(`Dòng 6: "${script}" không có trong danh sách thôn, khu phố của Xã Hàm Phú (có: Thôn Phú Sơn, Thôn Tân Hiệp, Thôn Đông Thuận, Thôn Đại Hòa, Thôn Liêm Thuận)`);
    expect(messages[2]).toMatch(/^Thiếu dòng của Thôn Liêm Thuận/);
  });

  it('reads yes/no however it is written, and a column of ticks', async () => {
    // Prepare
    const spellings = ['có', 'KHONG', 'Đạt', 'không đạt', 'TRUE'];
    const spelled = csvOf(directive, { header: 'id' }).split('\r\n');
    const idx = directive.indicators.findIndex((i) => i.id === 'chi-bo-vung-manh') + 1;
    const withSpellings = spelled.map((line, k) => (k === 0 || !line ? line : line.split(',').map((c, j) => (j === idx ? (spellings[k - 1] as string) : c)).join(','))).join('\r\n');
    const withTicks = spelled.map((line, k) => (k === 0 || !line ? line : line.split(',').map((c, j) => (j === idx ? (k % 2 ? 'x' : '') : c)).join(','))).join('\r\n');

    // Act
    const a = accepted(await parse(utf8(withSpellings), 'a.csv'));
    const b = accepted(await parse(utf8(withTicks), 'b.csv'));

    // Assess
    expect(a.rows.map((r) => r.values['chi-bo-vung-manh'])).toEqual([true, false, true, false, true]);
    expect(b.rows.map((r) => r.values['chi-bo-vung-manh'])).toEqual([true, false, true, false, true]);
    expect(b.notes).toContain(`Cột ${idx + 1} ("chi-bo-vung-manh"): ô đánh dấu "x" được hiểu là "Có", ô trống là "Không"`);
  });

  it('reads a CSV renamed .xlsx by what it is, and says so', async () => {
    const outcome = accepted(await parse(utf8(csvOf(directive)), 'bao-cao.xlsx'));
    expect(outcome.format).toBe('csv');
    expect(outcome.notes[0]).toBe('Tệp "bao-cao.xlsx" có đuôi .xlsx nhưng nội dung là tệp CSV; đã đọc theo nội dung');
  });

  it('reads UTF-16 ("Unicode text" from Excel), with or without a byte order mark, tab-delimited', async () => {
    const text = csvOf(directive, { delimiter: '\t' });
    const le = new Uint8Array([0xff, 0xfe, ...new Uint8Array(Buffer.from(text, 'utf16le'))]);
    const bare = new Uint8Array(Buffer.from(text, 'utf16le'));
    for (const bytes of [le, bare]) {
      const outcome = accepted(await parse(bytes, 'bao-cao.txt'));
      expect(outcome.rows).toEqual(EXPECTED_ROWS());
      expect(outcome.notes).toContain('Các cột được phân cách bằng dấu tab');
    }
  });

  it('asks instead of guessing "1.000" (one thousand or one?)', async () => {
    const text = csvOf(directive, { delimiter: ';' }).replace(/\r\nThôn Phú Sơn;95;0.5;/, '\r\nThôn Phú Sơn;95;1.000;');
    expect(problemsOf(await parse(utf8(text), 'x.csv')).map((p) => [p.code, p.messageVi])).toEqual([
      [
        'ambiguous-number',
        'Dòng 2, cột "giao-thong": không rõ "1.000" là 1000 hay 1; hãy nhập số không có dấu phân cách hàng nghìn, phần thập phân dùng dấu phẩy (ví dụ 1234 hoặc 1,5) (Thôn Phú Sơn, chỉ tiêu "Làm mới, nâng cấp đường giao thông nông thôn")',
      ],
    ]);
  });

  it('refuses a village name that fits two villages', async () => {
    // Prepare: a town whose "Khu phố 1" and a "Thôn 1" both strip to "1"
    const rows = [
      { unitId: 'kp1', name: 'Khu phố 1' },
      { unitId: 't1', name: 'Thôn 1' },
    ];
    const text = csvOf(directive, { values: ALL_VALUES.slice(0, 2) }).split('\r\n').slice(0, 3);
    text[1] = text[1]?.replace(/^[^,]+/, '01') ?? '';
    text[2] = text[2]?.replace(/^[^,]+/, 'Thon 1') ?? '';

    // Act
    const outcome = await parseReport({ bytes: utf8(text.join('\r\n')), fileName: 'x.csv' }, { ...expectedFor(directive), rows });

    // Assess
    expect(problemsOf(outcome).map((p) => [p.code, p.messageVi])).toEqual([
      ['ambiguous-row', 'Dòng 2: "01" có thể là Khu phố 1 hoặc Thôn 1; hãy ghi đầy đủ tên'],
      ['missing-row', 'Thiếu dòng của Khu phố 1: không tìm thấy tên thôn, khu phố này trong tệp CSV'],
    ]);
  });

  it('reads the filled template saved as CSV by Excel: title lines, group row and targets row included', async () => {
    // Prepare
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await fillTemplate(template, directive)) as unknown as ExcelJS.Buffer);
    const csv = toBytes(await wb.csv.writeBuffer({ sheetName: 'Báo cáo' }));

    // Act
    const outcome = accepted(await parse(csv, 'bao-cao.csv'));

    // Assess
    expect(outcome.format).toBe('csv');
    expect(outcome.rows).toEqual(EXPECTED_ROWS());
  });

  it('names a missing column of a CSV', async () => {
    const text = csvOf(directive)
      .split('\r\n')
      .map((line) => line.split(',').slice(0, -1).join(','))
      .join('\r\n');
    expect(problemsOf(await parse(utf8(text), 'x.csv')).map((p) => p.messageVi)).toEqual(['Thiếu cột "Số vụ tai nạn giao thông nghiêm trọng (vụ)" (mã khong-tai-nan) trong tệp CSV']);
  });
});

describe('parseReport: JSON', () => {
  const body = (over: Record<string, unknown> = {}) => ({
    directiveId: 'bt-23-ct-tu-2027',
    periodId: '2027-Q1',
    unitId: COMMUNE.id,
    rows: VILLAGES.map((v, k) => ({ unitId: v.unitId, values: ALL_VALUES[k] })),
    ...over,
  });

  it('reads the API form', async () => {
    // Act
    const outcome = await parse(utf8(JSON.stringify(body())), 'report.json');

    // Assess
    expect(outcome).toEqual({ ok: true, format: 'json', rows: EXPECTED_ROWS(), notes: [] });
  });

  it('accepts names instead of ids and numbers written as text', async () => {
    // Prepare
    const rows = VILLAGES.map((v, k) => ({ name: k === 0 ? 'Thon Phu Son' : v.name, values: { ...ALL_VALUES[k], 'giao-thong': k === 0 ? '1.234,5' : (ALL_VALUES[k] as Record<string, number>)['giao-thong'] } }));

    // Act
    const outcome = accepted(await parse(utf8(JSON.stringify(body({ rows }))), 'report.json'));

    // Assess
    expect(outcome.rows[0]).toMatchObject({ unitId: VILLAGES[0]?.unitId, matchedFrom: 'Thon Phu Son', values: { 'giao-thong': 1234.5 } });
  });

  it('rejects another unit, period or directive, unknown indicators and bad values', async () => {
    // Act
    const unit = problemsOf(await parse(utf8(JSON.stringify(body({ unitId: 'bt-htb-ham-tri' }))), 'r.json'));
    const period = problemsOf(await parse(utf8(JSON.stringify(body({ periodId: '2027-Y' }))), 'r.json'));
    const rows = body().rows.map((r, k) => (k === 0 ? { ...r, values: { ...r.values, bhyt: 112, 'ghi-chu': 'x' } } : r));
    const values = problemsOf(await parse(utf8(JSON.stringify(body({ rows }))), 'r.json'));
    const broken = problemsOf(await parse(utf8('{"rows": [ {"values": 1} '), 'r.json'));

    // Assess
    expect(unit.map((p) => p.messageVi)).toEqual([
      'Tệp này là báo cáo của đơn vị mã bt-htb-ham-tri, không phải của Xã Hàm Phú (mã bt-htb-ham-phu); hãy tải đúng mẫu báo cáo của đơn vị mình',
    ]);
    expect(period.map((p) => p.messageVi)).toEqual(['Tệp này là báo cáo kỳ Năm 2027 (2027-Y), không phải kỳ Quý I/2027 (2027-Q1) đang cần nộp']);
    expect(values.map((p) => [p.code, p.messageVi])).toEqual([
      ['unknown-indicator', 'rows[0] (Thôn Phú Sơn): không có chỉ tiêu mã "ghi-chu" trong Chỉ thị số 23-CT/TU'],
      ['out-of-range', 'rows[0] (Thôn Phú Sơn), chỉ tiêu "bhyt": tỷ lệ phải từ 0 đến 100, nhận được 112 (Tỷ lệ người dân tham gia bảo hiểm y tế)'],
    ]);
    expect(broken[0]?.code).toBe('invalid-json');
    expect(broken[0]?.messageVi).toMatch(/^Nội dung JSON không hợp lệ: /);
  });
});

describe('reading numbers and yes/no', () => {
  it('reads Vietnamese and plain numbers, never formulas', () => {
    expect(parseNumberVi('1.234,5')).toBe(1234.5);
    expect(parseNumberVi('1234.5')).toBe(1234.5);
    expect(parseNumberVi('12,5')).toBe(12.5);
    expect(parseNumberVi('12,5%', { percent: true })).toBe(12.5);
    expect(parseNumberVi('1 234 567')).toBe(1234567);
    expect(parseNumberVi('1.234.567')).toBe(1234567);
    expect(parseNumberVi('1,234,567.5')).toBe(1234567.5);
    expect(parseNumberVi('2,5 km', { measure: 'km' })).toBe(2.5);
    expect(parseNumberVi('-3')).toBe(-3);
    for (const bad of ['=1+1', '+5', '@SUM(A1)', '12,5%', '1.2.3,4', 'abc', '1,', '', '1e5']) expect(parseNumberVi(bad)).toBeUndefined();
    // one separator and three digits: 1000 or 1? 1,234 or 1234? Not guessed.
    for (const ambiguous of ['1.000', '1,234', '12.500']) expect(parseNumberVi(ambiguous)).toBeUndefined();
    expect(parseNumberVi('0,125')).toBe(0.125);
    expect(parseNumberVi('1.0005')).toBe(1.0005);
  });

  it('reads yes/no', () => {
    for (const yes of ['Có', 'co', 'x', 'X', '1', 'Đạt', 'TRUE']) expect(parseYesNo(yes)).toBe(true);
    for (const no of ['Không', 'khong', '0', 'không đạt', 'False']) expect(parseYesNo(no)).toBe(false);
    expect(parseYesNo('có lẽ')).toBeUndefined();
  });
});
