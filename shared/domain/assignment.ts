import { dueDate, periodsOf, type CalendarOptions, type Period } from './calendar/index.ts';
import { targetsFor, type Directive, type TargetValue } from './directive.ts';
import type { Unit } from './units.ts';

export type AssignmentStatus = 'active' | 'withdrawn';
export type ObligationStatus = 'open' | 'submitted' | 'cancelled';

/** One unit's share of a directive: its targets for the year. */
export interface Assignment {
  directiveId: string;
  version: number;
  unitId: string;
  unitName: string;
  unitLevel: Unit['level'];
  parentId?: string;
  targets: Record<string, TargetValue>;
  status: AssignmentStatus;
  assignedAt: string;
  shard: number;
  /** What this version told the unit, decided once so a retried delivery sends the same (or no) email. */
  notice: 'assigned' | 'amended' | 'none';
}

/** One report a unit owes for one period. */
export interface Obligation {
  directiveId: string;
  unitId: string;
  /** The unit's parent: escalations go to its office, grouped. */
  parentId?: string;
  periodId: string;
  cadence: Period['cadence'];
  periodLabel: string;
  periodStart: string;
  periodEnd: string;
  dueDate: string;
  /**
   * *Gia hạn*: the date an office extended this unit's deadline to. An amendment that moves the rule's due date keeps
   * it (the later of the two), so the office's decision for the unit is not undone by a change of the rule.
   */
  extendedUntil?: string;
  status: ObligationStatus;
  version: number;
  shard: number;
  submittedAt?: string;
  /** Arrived before the end of its due day, Vietnam time. */
  onTime?: boolean;
  /** Report files accepted for it so far: the next accepted one is a resubmission. Absent: none yet. */
  acceptedReports?: number;
  /**
   * The level above's decision on the submitted report (directives with `approval: 'parent'`): approved locks it
   * (status stays 'submitted'; a new upload needs a return first); returned reopens it (status back to 'open').
   */
  approval?: ObligationApproval;
}

export interface ObligationApproval {
  state: 'approved' | 'returned';
  /** Who decided (the approver's email) and when (an instant). */
  by: string;
  at: string;
  /** Why it was returned, told to the unit. */
  reasonVi?: string;
}

/** Stable shard of a unit within a directive, so retries and amendments find the same key. */
export function shardOf(unitId: string, shardCount: number): number {
  let h = 2166136261;
  for (let i = 0; i < unitId.length; i++) {
    h ^= unitId.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % shardCount;
}

export function reportingPeriods(directive: Pick<Directive, 'year' | 'cadences' | 'cutoff' | 'deadline'>, cal?: CalendarOptions) {
  return directive.cadences.flatMap((cadence) =>
    periodsOf(directive.year, cadence, directive.cutoff).map((period) => ({ period, due: dueDate(period, directive.deadline, cal) })),
  );
}

export function assignmentFor(directive: Directive, unit: Unit, now: Date, notice: Assignment['notice'] = 'assigned'): Assignment {
  return {
    directiveId: directive.id,
    version: directive.version,
    unitId: unit.id,
    unitName: unit.name,
    unitLevel: unit.level,
    ...(unit.parentId ? { parentId: unit.parentId } : {}),
    targets: targetsFor(directive, unit.id),
    status: 'active',
    assignedAt: now.toISOString(),
    shard: shardOf(unit.id, directive.shardCount),
    notice,
  };
}

export function obligationsFor(
  directive: Directive,
  unit: Pick<Unit, 'id' | 'parentId'>,
  periods: ReturnType<typeof reportingPeriods>,
): Obligation[] {
  const shard = shardOf(unit.id, directive.shardCount);
  return periods.map(({ period, due }) => ({
    directiveId: directive.id,
    unitId: unit.id,
    ...(unit.parentId ? { parentId: unit.parentId } : {}),
    periodId: period.id,
    cadence: period.cadence,
    periodLabel: period.label,
    periodStart: period.start,
    periodEnd: period.end,
    dueDate: due,
    status: 'open',
    version: directive.version,
    shard,
  }));
}
