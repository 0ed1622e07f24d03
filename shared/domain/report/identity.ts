import { periodById, periodsOf } from '../calendar/index.ts';
import { foldVi } from '../text.ts';
import { normalizeName, stripPrefix } from './rows.ts';
import { cellText, docName, type Grid } from './table.ts';
import type { ExpectedReport, ReportProblem } from './types.ts';
import { quote } from './values.ts';

/** What a file says about whose report it is; any field may be absent. */
export interface ClaimedIdentity {
  directiveId?: string;
  directiveNumber?: string;
  unitId?: string;
  unitName?: string;
  periodId?: string;
  periodLabel?: string;
}

export function periodLabelOf(periodId: string, expected: Pick<ExpectedReport, 'directive'>): string {
  try {
    return periodById(periodId, expected.directive.cutoff).label;
  } catch {
    return periodId;
  }
}

/** Compares what a file claims with what is expected; one problem per mismatch, naming both sides. */
export function checkIdentity(claimed: ClaimedIdentity, expected: ExpectedReport, maxChars: number, sheet?: string): ReportProblem[] {
  const q = (s: string) => quote(s, maxChars);
  const where = sheet ? { sheet } : {};
  const problems: ReportProblem[] = [];
  if (claimed.directiveId !== undefined && claimed.directiveId !== expected.directive.id) {
    const other = claimed.directiveNumber ? `văn bản số ${q(claimed.directiveNumber)} (mã ${q(claimed.directiveId)})` : `văn bản mã ${q(claimed.directiveId)}`;
    problems.push({
      code: 'wrong-directive',
      messageVi: `Tệp này là báo cáo của ${other}, không phải của ${docName(expected)} (mã ${expected.directive.id}); hãy dùng đúng mẫu báo cáo của ${docName(expected)}`,
      ...where,
    });
  }
  if (claimed.unitId !== undefined ? claimed.unitId !== expected.unitId : claimed.unitName !== undefined && !sameUnit(claimed.unitName, expected.unitName)) {
    const other = claimed.unitName ? `${q(claimed.unitName)}${claimed.unitId ? ` (mã ${q(claimed.unitId)})` : ''}` : `đơn vị mã ${q(claimed.unitId ?? '')}`;
    problems.push({
      code: 'wrong-unit',
      messageVi: `Tệp này là báo cáo của ${other}, không phải của ${expected.unitName} (mã ${expected.unitId}); hãy tải đúng mẫu báo cáo của đơn vị mình`,
      ...where,
    });
  }
  if (claimed.periodId !== undefined && claimed.periodId !== expected.periodId) {
    const other = claimed.periodLabel ? `${q(claimed.periodLabel)} (${q(claimed.periodId)})` : `${periodLabelOf(claimed.periodId, expected)} (${q(claimed.periodId)})`;
    problems.push({
      code: 'wrong-period',
      messageVi: `Tệp này là báo cáo kỳ ${other}, không phải kỳ ${periodLabelOf(expected.periodId, expected)} (${expected.periodId}) đang cần nộp`,
      ...where,
    });
  }
  return problems;
}

/** "UBND xã Hàm Phú, huyện Hàm Thuận Bắc" is Xã Hàm Phú. */
function sameUnit(text: string, unitName: string): boolean {
  const t = ` ${normalizeName(text)} `;
  const full = normalizeName(unitName);
  const core = stripPrefix(full);
  return t.includes(` ${full} `) || t.includes(` ${core} `);
}

/**
 * Reads "Đơn vị báo cáo: …" and "Kỳ báo cáo: …" from the lines above a table (a hand-made workbook, or a CSV saved
 * from the template). Periods are recognised by their labels ("Quý I/2027", "6 tháng đầu năm 2027", …).
 */
export function identityFromText(grid: Grid, beforeRow: number, expected: ExpectedReport): ClaimedIdentity {
  const claimed: ClaimedIdentity = {};
  const labels: { id: string; label: string; folded: string }[] = [];
  try {
    for (const cadence of expected.directive.cadences) {
      for (const p of periodsOf(expected.directive.year, cadence, expected.directive.cutoff)) labels.push({ id: p.id, label: p.label, folded: foldVi(p.label) });
    }
  } catch {
    // a directive without usable cadences: no period check from text
  }
  for (const [r, row] of grid.cells) {
    if (r >= beforeRow) continue;
    for (const raw of row.values()) {
      const text = cellText(raw).normalize('NFC');
      const colon = text.indexOf(':');
      if (colon < 0 || colon > 40 || text.length > 500) continue;
      const key = foldVi(text.slice(0, colon)).replace(/\s+/g, ' ').trim();
      const value = text.slice(colon + 1).trim();
      if (!value) continue;
      if (/^(ten )?don vi( bao cao)?$/.test(key) && claimed.unitName === undefined) claimed.unitName = value;
      if (/^ky bao cao$/.test(key) && claimed.periodId === undefined) {
        const folded = foldVi(value).replace(/\s+/g, ' ');
        const hit = labels.filter((l) => folded.includes(l.folded)).sort((a, b) => b.folded.length - a.folded.length)[0];
        if (hit) {
          claimed.periodId = hit.id;
          claimed.periodLabel = hit.label;
        }
      }
    }
  }
  return claimed;
}
