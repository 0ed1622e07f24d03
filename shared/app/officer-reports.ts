/**
 * A unit officer's reports: every obligation of the units they report for, with its directive and where it stands,
 * read by unit (one Query each) and by directive (one GetItem each).
 */
import type { Obligation } from '../domain/assignment.ts';
import { reportState as stateOf, reportStateVi, type ReportStateKind } from '../domain/report-state.ts';
import { vietnamDate } from '../domain/calendar/index.ts';
import type { Directive } from '../domain/directive.ts';
import type { Unit } from '../domain/units.ts';
import type { Clock, DirectiveStore, ObligationIndex, UnitDirectory } from './ports.ts';

export interface OfficerReport {
  obligation: Obligation;
  directive: Directive;
  unit: Unit;
  state: ReportState;
}

export interface ReportState {
  labelVi: string;
  tone: 'ok' | 'warn' | 'error' | 'info';
}

const TONE: Record<ReportStateKind, ReportState['tone']> = {
  'not-due': 'info',
  awaiting: 'warn',
  'on-time': 'ok',
  late: 'warn',
  rejected: 'error',
  returned: 'error',
  approved: 'ok',
  overdue: 'error',
  cancelled: 'info',
};

/** Where one obligation stands today (a Vietnam date), in the status page's own words (shared/domain/report-state.ts). */
export function reportState(o: Obligation, today: string): ReportState {
  const state = stateOf(o, undefined, today);
  return { labelVi: reportStateVi(state), tone: TONE[state.kind] };
}

/** The obligations of these units (the officer's), earliest deadline first; those of withdrawn directives left out. */
export async function officerReports(unitIds: readonly string[], deps: { obligations: ObligationIndex; directives: DirectiveStore; units: UnitDirectory; clock: Clock }): Promise<OfficerReport[]> {
  const units = await deps.units.getUnits(unitIds);
  const obligations = (await Promise.all([...units.keys()].map((id) => deps.obligations.obligationsOfUnit(id)))).flat();
  const ids = [...new Set(obligations.map((o) => o.directiveId))];
  const directives = new Map((await Promise.all(ids.map((id) => deps.directives.getDirective(id, { consistent: false })))).flatMap((d) => (d ? [[d.id, d] as const] : [])));
  const today = vietnamDate(deps.clock.now());
  return obligations
    .flatMap((o) => {
      const directive = directives.get(o.directiveId);
      const unit = units.get(o.unitId);
      return directive && unit && directive.status !== 'withdrawn' ? [{ obligation: o, directive, unit, state: reportState(o, today) }] : [];
    })
    .sort((a, b) => a.obligation.dueDate.localeCompare(b.obligation.dueDate) || a.unit.name.localeCompare(b.unit.name, 'vi'));
}
