import { reportingPeriods } from '../domain/assignment.ts';
import type { Directive } from '../domain/directive.ts';
import type { ObligationStatus } from '../domain/assignment.ts';
import { InputError } from '../domain/errors.ts';
import type { CalendarSource, DirectiveStatusReader, DirectiveStore } from './ports.ts';

export interface DirectiveStatus {
  directive: Directive;
  assignments: { active: number; withdrawn: number };
  periods: { id: string; label: string; start: string; end: string; due: string; obligations: Record<ObligationStatus, number> }[];
  mailSent: number;
}

/** Where a directive stands: its assignments, its obligations per period, the emails sent for it. Queries only. */
export async function directiveStatus(
  id: string,
  deps: { directives: DirectiveStore; status: DirectiveStatusReader; calendar?: CalendarSource },
): Promise<DirectiveStatus> {
  const directive = await deps.directives.getDirective(id);
  if (!directive) throw new InputError(`Không tìm thấy chỉ thị "${id}"`, ['Kiểm tra lại mã chỉ thị (trường "id" trong tệp chỉ thị)']);
  const periods = reportingPeriods(directive, await deps.calendar?.calendarFor([directive.year - 1, directive.year, directive.year + 1]));
  const [assignments, mailSent, obligations] = await Promise.all([
    deps.status.countAssignments(directive),
    deps.status.countMailSent(directive.id),
    Promise.all(periods.map(({ period }) => deps.status.countObligations(directive, period.id))),
  ]);
  return {
    directive,
    assignments,
    mailSent,
    periods: periods.map(({ period, due }, i) => ({ id: period.id, label: period.label, start: period.start, end: period.end, due, obligations: obligations[i]! })),
  };
}
