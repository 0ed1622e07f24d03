import type { Obligation } from '../domain/assignment.ts';
import { formatDateVi, nextWorkingDayOnOrAfter, vietnamDate } from '../domain/calendar/index.ts';
import { InputError } from '../domain/errors.ts';
import type { AssignmentStore, CalendarSource, ObligationIndex } from './ports.ts';

export interface ReportRef {
  directiveId: string;
  periodId: string;
  unitId: string;
}

async function obligationOf(ref: ReportRef, deps: { obligations: ObligationIndex }): Promise<Obligation> {
  const [o] = await deps.obligations.getObligations([ref]);
  if (!o) throw new InputError(`Không tìm thấy nghĩa vụ báo cáo kỳ ${ref.periodId} của đơn vị "${ref.unitId}" theo chỉ thị "${ref.directiveId}"`);
  return o;
}

/**
 * Records that a unit's report arrived: on time when it came before the end of its due day in Vietnam.
 * Recording the same arrival twice changes nothing; the intake (report processing) builds on this.
 */
export async function recordSubmission(
  ref: ReportRef,
  at: Date,
  deps: { obligations: ObligationIndex; assignments: AssignmentStore },
): Promise<{ obligation: Obligation; outcome: 'recorded' | 'already' }> {
  const o = await obligationOf(ref, deps);
  if (o.status === 'cancelled') throw new InputError(`Kỳ báo cáo ${o.periodLabel} của đơn vị "${ref.unitId}" đã bị hủy (chỉ thị đã thu hồi hoặc điều chỉnh)`);
  if (o.status === 'submitted') return { obligation: o, outcome: 'already' };
  // Recorded without a file: no report file accepted yet, so the first one uploaded is not a resubmission.
  const change = { status: 'submitted' as const, version: o.version, submittedAt: at.toISOString(), onTime: vietnamDate(at) <= o.dueDate, acceptedReports: 0 };
  if (!(await deps.assignments.updateObligation(o, change, ['open']))) return { obligation: await obligationOf(ref, deps), outcome: 'already' };
  return { obligation: { ...o, ...change }, outcome: 'recorded' };
}

/**
 * Gia hạn: a new deadline for one unit's report, or for every unit still owing it. The reminders follow the new
 * date because the due-date index moves with it; a report already in is not touched.
 */
export async function extendDeadline(
  args: { directiveId: string; periodId: string; unitId?: string; until: string },
  deps: {
    obligations: ObligationIndex;
    assignments: AssignmentStore;
    directives: { getDirective(id: string): Promise<{ id: string; shardCount: number } | undefined> };
    calendar?: CalendarSource;
  },
): Promise<{ extended: number; until: string }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(args.until)) throw new InputError(`Ngày gia hạn "${args.until}" không hợp lệ`, ['dùng dạng năm-tháng-ngày, ví dụ 2027-03-25']);
  const directive = await deps.directives.getDirective(args.directiveId);
  if (!directive) throw new InputError(`Không tìm thấy chỉ thị "${args.directiveId}"`);
  const targets = args.unitId
    ? [await obligationOf({ directiveId: args.directiveId, periodId: args.periodId, unitId: args.unitId }, deps)]
    : await deps.obligations.openObligationsOfPeriod(directive, args.periodId);
  // A deadline is a working day: the sweep that reminds and escalates runs on working days only.
  const until = nextWorkingDayOnOrAfter(args.until, await deps.calendar?.calendarFor([Number(args.until.slice(0, 4))]));
  let extended = 0;
  for (const o of targets) {
    if (o.status !== 'open') continue;
    if (until < o.periodEnd) throw new InputError(`Hạn mới ${formatDateVi(until)} trước ngày chốt số liệu ${formatDateVi(o.periodEnd)}`);
    // An extension only ever moves a deadline later: one unit asked for is told; among all still owing, a unit whose
    // deadline is already later (extended on its own) keeps it.
    if (until <= o.dueDate) {
      if (args.unitId) throw new InputError(`Hạn mới ${formatDateVi(until)} không sau hạn hiện tại ${formatDateVi(o.dueDate)}`, ['Gia hạn là dời hạn nộp về sau; hãy chọn một ngày sau hạn hiện tại.']);
      continue;
    }
    if (await deps.assignments.updateObligation(o, { dueDate: until, extendedUntil: until, version: o.version }, ['open'])) extended++;
  }
  return { extended, until };
}
