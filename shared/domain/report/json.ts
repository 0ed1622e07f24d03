import { z } from 'zod';
import { InputError } from '../errors.ts';
import { parseOrExplain } from '../validation.ts';
import { checkIdentity } from './identity.ts';
import { docName, listNames } from './table.ts';
import { rowMatcher } from './rows.ts';
import type { TableResult } from './table.ts';
import type { ExpectedReport, ParsedReportRow, ReportLimits, ReportProblem, ReportValue } from './types.ts';
import { interpret, quote, type RawCell } from './values.ts';

/** The API form of a report. */
export const ReportJson = z.object({
  directiveId: z.string().optional(),
  periodId: z.string().optional(),
  unitId: z.string().optional(),
  rows: z
    .array(
      z
        .object({
          unitId: z.string().optional(),
          name: z.string().optional(),
          values: z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()])),
        })
        .refine((r) => r.unitId !== undefined || r.name !== undefined, { message: 'mỗi dòng cần "unitId" hoặc "name"' }),
    )
    .max(5_000),
});
export type ReportJson = z.infer<typeof ReportJson>;

export function readJson(text: string, expected: ExpectedReport, limits: ReportLimits): TableResult {
  const q = (s: string) => quote(s, limits.maxQuotedChars);
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { rows: [], notes: [], problems: [{ code: 'invalid-json', messageVi: `Nội dung JSON không hợp lệ: ${q(e instanceof Error ? e.message : String(e))}` }] };
  }
  let report: ReportJson;
  try {
    report = parseOrExplain(ReportJson, data, 'Báo cáo JSON');
  } catch (e) {
    if (e instanceof InputError) {
      const details = e.details.length ? e.details : [e.messageVi];
      return { rows: [], notes: [], problems: details.map((d) => ({ code: 'invalid-json' as const, messageVi: `Báo cáo JSON không hợp lệ: ${q(d)}` })) };
    }
    throw e;
  }

  const identity = checkIdentity(
    {
      ...(report.directiveId !== undefined ? { directiveId: report.directiveId } : {}),
      ...(report.unitId !== undefined ? { unitId: report.unitId } : {}),
      ...(report.periodId !== undefined ? { periodId: report.periodId } : {}),
    },
    expected,
    limits.maxQuotedChars,
  );
  if (identity.length) return { rows: [], notes: [], problems: identity };

  const problems: ReportProblem[] = [];
  const notes: string[] = [];
  const indicators = expected.directive.indicators;
  const known = new Set(indicators.map((i) => i.id));
  const matcher = rowMatcher(expected.rows);
  const matched = new Map<string, { at: number; matchedFrom?: string; values: Record<string, ReportValue> }>();

  report.rows.forEach((row, i) => {
    const at = i + 1;
    const label = `rows[${i}]`;
    const text = row.unitId ?? row.name ?? '';
    let target = row.unitId !== undefined ? expected.rows.find((r) => r.unitId === row.unitId) : undefined;
    let matchedFrom: string | undefined;
    if (!target && row.unitId === undefined && row.name !== undefined) {
      const m = matcher(row.name);
      if (m.kind === 'ambiguous') {
        problems.push({ code: 'ambiguous-row', row: at, messageVi: `${label}: "${q(row.name)}" có thể là ${m.candidates.map((c) => c.name).join(' hoặc ')}; hãy dùng "unitId"` });
        return;
      }
      if (m.kind === 'match') {
        target = m.row;
        matchedFrom = m.matchedFrom;
      }
    }
    if (!target) {
      problems.push({
        code: 'unknown-row',
        row: at,
        messageVi: `${label}: ${row.unitId !== undefined ? `mã "${q(text)}"` : `"${q(text)}"`} không có trong danh sách thôn, khu phố của ${expected.unitName} (${listNames(expected.rows)})`,
      });
      return;
    }
    const previous = matched.get(target.unitId);
    if (previous) {
      problems.push({ code: 'duplicate-row', row: at, unitId: target.unitId, messageVi: `${label}: ${target.name} đã có ở rows[${previous.at - 1}]` });
      return;
    }
    for (const key of Object.keys(row.values)) {
      if (!known.has(key)) {
        problems.push({ code: 'unknown-indicator', row: at, column: key, messageVi: `${label} (${target.name}): không có chỉ tiêu mã "${q(key)}" trong ${docName(expected)}` });
      }
    }
    const values: Record<string, ReportValue> = {};
    for (const ind of indicators) {
      const v = Object.hasOwn(row.values, ind.id) ? row.values[ind.id] : undefined;
      const raw: RawCell =
        v === undefined || v === null ? { t: 'empty' } : typeof v === 'number' ? { t: 'number', n: v } : typeof v === 'boolean' ? { t: 'bool', b: v } : v.trim() ? { t: 'text', s: v } : { t: 'empty' };
      const result = interpret(ind, raw, limits.maxQuotedChars);
      if (result.ok) {
        values[ind.id] = result.value;
        continue;
      }
      if (result.code === 'missing-value' && limits.allowBlank) {
        values[ind.id] = null;
        continue;
      }
      problems.push({
        code: result.code,
        row: at,
        column: ind.id,
        indicatorId: ind.id,
        unitId: target.unitId,
        messageVi: `${label} (${target.name}), chỉ tiêu "${ind.id}": ${result.code === 'missing-value' ? 'thiếu giá trị' : result.detail} (${ind.name})`,
      });
    }
    matched.set(target.unitId, { at, values, ...(matchedFrom !== undefined ? { matchedFrom } : {}) });
    if (matchedFrom !== undefined) notes.push(`${label}: "${q(matchedFrom)}" được hiểu là ${target.name}`);
  });

  for (const row of expected.rows) {
    if (!matched.has(row.unitId)) problems.push({ code: 'missing-row', unitId: row.unitId, messageVi: `Thiếu dòng của ${row.name} (mã ${row.unitId}) trong "rows"` });
  }
  const rows: ParsedReportRow[] = expected.rows.flatMap((r) => {
    const m = matched.get(r.unitId);
    return m ? [{ unitId: r.unitId, name: r.name, ...(m.matchedFrom !== undefined ? { matchedFrom: m.matchedFrom } : {}), values: m.values }] : [];
  });
  return { rows, problems, notes };
}
