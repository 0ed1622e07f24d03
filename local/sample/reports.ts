import ExcelJS from 'exceljs';
import type { Directive } from '../../shared/domain/directive.ts';

/** An officer's filling of the template: `value(row, indicator)` for each village row, saved by Excel's library. */
export async function fillTemplate(
  template: Uint8Array,
  directive: Directive,
  value: (rowIndex: number, indicatorId: string) => string | number | boolean | null,
): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(template) as unknown as ArrayBuffer);
  const ws = wb.getWorksheet('Báo cáo')!;
  // The template's layout: indicators from column B on, villages from row 10 down to the first empty name.
  for (let r = 10; ws.getCell(r, 1).value; r++) {
    directive.indicators.forEach((ind, i) => {
      const v = value(r - 10, ind.id);
      if (v !== null) ws.getCell(r, 2 + i).value = typeof v === 'boolean' ? (v ? 'Có' : 'Không') : v;
    });
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** Plausible values for every indicator of the sample directive. */
export function goodValue(rowIndex: number, indicatorId: string): number | boolean {
  const table: Record<string, number | boolean> = {
    'thu-quy': 100,
    'giao-thong': 1.5,
    'ho-ngheo': 2.1,
    'suy-dinh-duong': 6.4,
    'thon-van-hoa': 100,
    'gia-dinh-van-hoa': 93.5,
    'thu-gom-rac': 85,
    bhyt: 94.2,
    'dang-vien-moi': 2 + rowIndex,
    'chi-bo-vung-manh': true,
    'khong-toi-pham': 0,
    'khong-attp': 0,
    'khong-khieu-kien': 0,
    'khong-tai-nan': rowIndex === 1 ? 1 : 0,
  };
  return table[indicatorId] ?? 0;
}
