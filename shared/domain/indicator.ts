/** An indicator (chỉ tiêu) of a directive: what is measured, how it rolls up the hierarchy, and its target. */
import { z } from 'zod';

export const IndicatorKind = z.enum(['number', 'percent', 'count', 'yes-no']);
export const Direction = z.enum(['increase', 'decrease', 'reach']);
/** How a value rolls up the hierarchy. */
export const Aggregation = z.enum(['sum', 'mean', 'weighted-mean', 'min', 'max', 'all', 'any']);

export const TargetValue = z.union([z.number(), z.boolean()]);
export type TargetValue = z.infer<typeof TargetValue>;

export const Indicator = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}$/, 'mã chỉ tiêu chỉ gồm chữ thường không dấu, số, "_" và "-"'),
    name: z.string().trim().min(1),
    /** Target group of the directive this indicator belongs to, e.g. "(1)" in seed 002. */
    group: z.string().optional(),
    measure: z.string().trim().min(1),
    kind: IndicatorKind,
    direction: Direction,
    aggregation: Aggregation,
    weightBy: z.enum(['households', 'population']).optional(),
    target: TargetValue,
  })
  .superRefine((ind, ctx) => {
    if (ind.kind === 'yes-no' && typeof ind.target !== 'boolean') {
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'chỉ tiêu có/không phải có mục tiêu true hoặc false' });
    }
    if (ind.kind !== 'yes-no' && typeof ind.target !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'chỉ tiêu dạng số phải có mục tiêu là một số' });
    }
    if (ind.kind === 'percent' && typeof ind.target === 'number' && (ind.target < 0 || ind.target > 100)) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: `tỷ lệ phải từ 0 đến 100, nhận được ${ind.target}` });
    }
    if (ind.kind === 'count' && typeof ind.target === 'number' && (!Number.isInteger(ind.target) || ind.target < 0)) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: `số lượng phải là số nguyên không âm, nhận được ${ind.target}` });
    }
    if (ind.aggregation === 'weighted-mean' && !ind.weightBy) {
      ctx.addIssue({ code: 'custom', path: ['weightBy'], message: 'cách tổng hợp "weighted-mean" cần "weightBy" (households hoặc population)' });
    }
    if ((ind.aggregation === 'all' || ind.aggregation === 'any') !== (ind.kind === 'yes-no')) {
      ctx.addIssue({ code: 'custom', path: ['aggregation'], message: 'chỉ tiêu có/không tổng hợp bằng "all" hoặc "any", và chỉ loại đó' });
    }
  });
export type Indicator = z.infer<typeof Indicator>;
