import { z } from 'zod';
import { UnitLevel } from './units.ts';
import { Rubric, rubricProblems } from './results/rubric.ts';
import { Indicator, TargetValue } from './indicator.ts';

export { Aggregation, Direction, Indicator, IndicatorKind, TargetValue } from './indicator.ts';
import { labelFields } from './validation.ts';

export const Cadence = z.enum(['monthly', 'quarterly', 'half-year', 'year']);
export type Cadence = z.infer<typeof Cadence>;

export const CADENCE_VI: Record<Cadence, string> = {
  monthly: 'hằng tháng',
  quarterly: 'hằng quý',
  'half-year': '6 tháng',
  year: 'cuối năm',
};

export const TargetUnits = z.discriminatedUnion('scope', [
  /** The issuer's direct subordinates: "all communes under the issuer". */
  z.object({ scope: z.literal('children') }),
  /** Every unit of a level under the issuer, however deep. */
  z.object({ scope: z.literal('level'), level: UnitLevel }),
  z.object({ scope: z.literal('list'), unitIds: z.array(z.string()).min(1) }),
]);
export type TargetUnits = z.infer<typeof TargetUnits>;

export const DeadlineRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('workingDaysAfterCutoff'), days: z.number().int().min(0).max(60) }),
  z.object({ kind: z.literal('dayOfMonth'), day: z.number().int().min(1).max(31) }),
]);
export type DeadlineRule = z.infer<typeof DeadlineRule>;

const isoDate = z.iso.date();

const DirectiveFields = z.object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{2,80}$/, 'mã chỉ thị chỉ gồm chữ thường không dấu, số và dấu gạch ngang (3–81 ký tự)'),
    number: z.string().trim().min(1),
    kind: z.string().trim().default('chỉ thị'),
    issuerId: z.string().min(1),
    issuerName: z.string().trim().min(1),
    title: z.string().trim().min(1),
    year: z.number().int().min(2000).max(2100),
    issuedOn: isoDate,
    targetUnits: TargetUnits,
    cadences: z.array(Cadence).min(1),
    cutoff: z.enum(['decree09', 'calendar']).default('decree09'),
    deadline: DeadlineRule.default({ kind: 'workingDaysAfterCutoff', days: 2 }),
    reportTo: z.string().trim().optional(),
    indicators: z.array(Indicator).min(1),
    /** Per-unit targets overriding the indicator's default target. */
    unitTargets: z.record(z.string(), z.record(z.string(), TargetValue)).default({}),
    /** How results are scored; without it, equal points over the indicators outside "4 không" (`defaultRubric`). */
    rubric: Rubric.optional(),
    /**
     * Whether results count every accepted report ('none') or only those the level above approved ('parent'), as
     * DHIS2's data approval does: an approved report is locked; a returned one reopens the obligation.
     */
    approval: z.enum(['none', 'parent']).default('none'),
});

/** What an officer writes: the directive file. */
export const DirectiveInput = DirectiveFields.superRefine((d, ctx) => {
    const ids = new Set<string>();
    d.indicators.forEach((ind, i) => {
      if (ids.has(ind.id)) ctx.addIssue({ code: 'custom', path: ['indicators', i, 'id'], message: `mã chỉ tiêu "${ind.id}" bị trùng` });
      ids.add(ind.id);
    });
    for (const [unitId, targets] of Object.entries(d.unitTargets)) {
      for (const [indicatorId, value] of Object.entries(targets)) {
        const ind = d.indicators.find((x) => x.id === indicatorId);
        if (!ind) {
          ctx.addIssue({ code: 'custom', path: ['unitTargets', unitId, indicatorId], message: `không có chỉ tiêu "${indicatorId}" trong danh sách chỉ tiêu` });
        } else if ((ind.kind === 'yes-no') !== (typeof value === 'boolean')) {
          ctx.addIssue({ code: 'custom', path: ['unitTargets', unitId, indicatorId], message: `mục tiêu của "${indicatorId}" phải cùng loại với chỉ tiêu (${ind.kind})` });
        }
      }
    }
    if (d.rubric) for (const message of rubricProblems(d.rubric, d)) ctx.addIssue({ code: 'custom', path: ['rubric'], message });
    if (new Set(d.cadences).size !== d.cadences.length) {
      ctx.addIssue({ code: 'custom', path: ['cadences'], message: 'kỳ báo cáo bị lặp' });
    }
  });
export type DirectiveInput = z.infer<typeof DirectiveInput>;

/** The directive file's fields as an officer knows them: "title: thiếu tên (trích yếu) của chỉ thị". */
export const DIRECTIVE_FIELDS_VI = {
  id: 'mã chỉ thị',
  number: 'số, ký hiệu của văn bản',
  kind: 'loại văn bản',
  issuerId: 'mã đơn vị ban hành',
  issuerName: 'tên cơ quan ban hành',
  title: 'tên (trích yếu) của chỉ thị',
  year: 'năm thi đua',
  issuedOn: 'ngày ban hành',
  targetUnits: 'đơn vị nhận chỉ tiêu',
  'targetUnits.scope': 'phạm vi giao chỉ tiêu',
  'targetUnits.level': 'cấp của các đơn vị nhận chỉ tiêu',
  'targetUnits.unitIds': 'danh sách mã đơn vị nhận chỉ tiêu',
  'targetUnits.unitIds[]': 'mã đơn vị nhận chỉ tiêu',
  cadences: 'các kỳ báo cáo',
  'cadences[]': 'kỳ báo cáo',
  cutoff: 'cách chốt số liệu',
  deadline: 'hạn nộp báo cáo',
  'deadline.kind': 'cách tính hạn nộp',
  'deadline.days': 'số ngày làm việc sau ngày chốt số liệu',
  'deadline.day': 'ngày nộp trong tháng',
  reportTo: 'nơi nhận báo cáo',
  indicators: 'danh sách chỉ tiêu',
  'indicators[]': 'chỉ tiêu',
  'indicators[].id': 'mã chỉ tiêu',
  'indicators[].name': 'tên chỉ tiêu',
  'indicators[].group': 'nhóm chỉ tiêu',
  'indicators[].measure': 'đơn vị tính của chỉ tiêu',
  'indicators[].kind': 'loại chỉ tiêu',
  'indicators[].direction': 'chiều phấn đấu của chỉ tiêu',
  'indicators[].aggregation': 'cách tổng hợp chỉ tiêu',
  'indicators[].weightBy': 'trọng số (households hoặc population)',
  'indicators[].target': 'mục tiêu của chỉ tiêu',
  unitTargets: 'mục tiêu riêng của từng đơn vị',
  rubric: 'cách chấm điểm',
  approval: 'cách duyệt báo cáo (none: không cần duyệt, parent: cấp trên duyệt)',
} as const;
labelFields(DirectiveInput, DIRECTIVE_FIELDS_VI);

export const DirectiveStatus = z.enum(['issued', 'withdrawn']);

/** What is stored: the input plus its version and what fan-out needs to spread its writes. */
export const Directive = DirectiveFields.extend({
  version: z.number().int().min(1),
  status: DirectiveStatus,
  /** How many shard keys the directive's per-unit index entries are spread over. */
  shardCount: z.number().int().min(1),
  contentHash: z.string(),
  updatedAt: z.string(),
  withdrawnReason: z.string().optional(),
});
export type Directive = z.infer<typeof Directive>;

export function targetsFor(directive: Pick<Directive, 'indicators' | 'unitTargets'>, unitId: string): Record<string, TargetValue> {
  const overrides = directive.unitTargets[unitId] ?? {};
  return Object.fromEntries(directive.indicators.map((ind) => [ind.id, overrides[ind.id] ?? ind.target]));
}

/**
 * Spread a directive's per-unit index entries (assignments, each period's obligations) over shard keys: at most
 * about 250 units per key, so even a fan-out that writes them all within a second stays under a partition's
 * 1,000 writes a second; 400 keys cover the national shape (~100,000 villages).
 */
export function shardCountFor(unitCount: number): number {
  return Math.min(400, Math.max(1, Math.ceil(unitCount / 250)));
}
