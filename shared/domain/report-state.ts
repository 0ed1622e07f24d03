/**
 * Where one unit's report for one period stands, as the office's live status page shows it: decided from the
 * obligation, the latest verdict on the unit's uploads, and the day in Vietnam. Pure: no I/O, no clock.
 */
import type { Obligation } from './assignment.ts';
import { formatDateVi } from './calendar/index.ts';

export type ReportState =
  /** The period has not ended: nothing is owed yet. */
  | { kind: 'not-due'; dueDate: string }
  /** The window is open and the deadline has not passed. */
  | { kind: 'awaiting'; dueDate: string }
  | { kind: 'on-time'; submittedAt: string }
  | { kind: 'late'; submittedAt: string }
  /** Its latest file was refused (unreadable, wrong figures): still owed. `overdueDays` once the deadline passed. */
  | { kind: 'rejected'; at: string; dueDate: string; overdueDays: number }
  /** The level above sent the report back with a reason: owed again. */
  | { kind: 'returned'; at: string; reasonVi: string; dueDate: string; overdueDays: number }
  | { kind: 'approved'; at: string; by: string }
  /** Nothing came and the deadline passed `days` days ago. */
  | { kind: 'overdue'; dueDate: string; days: number }
  /** No longer owed (the unit was withdrawn from the directive). */
  | { kind: 'cancelled' };

export type ReportStateKind = ReportState['kind'];

/** In the order the status page lists its filters and counts. */
export const REPORT_STATE_KINDS: readonly ReportStateKind[] = ['not-due', 'awaiting', 'on-time', 'late', 'rejected', 'returned', 'approved', 'overdue', 'cancelled'];

export const REPORT_STATE_VI: Record<ReportStateKind, string> = {
  'not-due': 'Chưa đến kỳ báo cáo',
  awaiting: 'Đang chờ nộp',
  'on-time': 'Đã nộp đúng hạn',
  late: 'Nộp muộn',
  rejected: 'Bị từ chối',
  returned: 'Bị trả lại',
  approved: 'Đã duyệt',
  overdue: 'Quá hạn',
  cancelled: 'Không còn phải nộp',
};

/** The latest verdict on one of the unit's files for the period (accepted or refused), if any came. */
export interface LatestUpload {
  status: 'accepted' | 'rejected';
  receivedAt: string;
}

/** Calendar days from `from` to `to` (ISO dates). */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The state of `obligation` on `today` (a Vietnam date). An open report is refused when its latest file was refused
 * after any return; returned when the level above sent it back since; otherwise owed, awaited or overdue by the date.
 */
export function reportState(obligation: Obligation, latest: LatestUpload | undefined, today: string): ReportState {
  const o = obligation;
  if (o.status === 'cancelled') return { kind: 'cancelled' };
  if (o.status === 'submitted') {
    if (o.approval?.state === 'approved') return { kind: 'approved', at: o.approval.at, by: o.approval.by };
    const submittedAt = o.submittedAt ?? '';
    return o.onTime === false ? { kind: 'late', submittedAt } : { kind: 'on-time', submittedAt };
  }
  const overdueDays = Math.max(0, daysBetween(o.dueDate, today));
  const returned = o.approval?.state === 'returned' ? o.approval : undefined;
  if (latest?.status === 'rejected' && (!returned || latest.receivedAt > returned.at)) return { kind: 'rejected', at: latest.receivedAt, dueDate: o.dueDate, overdueDays };
  if (returned) return { kind: 'returned', at: returned.at, reasonVi: returned.reasonVi ?? '', dueDate: o.dueDate, overdueDays };
  if (today <= o.periodEnd) return { kind: 'not-due', dueDate: o.dueDate };
  if (overdueDays > 0) return { kind: 'overdue', dueDate: o.dueDate, days: overdueDays };
  return { kind: 'awaiting', dueDate: o.dueDate };
}

/** The state in words: "Quá hạn 3 ngày", "Đang chờ nộp (hạn 19/03/2027)", "Bị từ chối – quá hạn 2 ngày". */
export function reportStateVi(state: ReportState): string {
  const base = REPORT_STATE_VI[state.kind];
  switch (state.kind) {
    case 'overdue':
      return `${base} ${state.days} ngày`;
    case 'awaiting':
    case 'not-due':
      return `${base} (hạn ${formatDateVi(state.dueDate)})`;
    case 'rejected':
    case 'returned':
      return state.overdueDays > 0 ? `${base} – quá hạn ${state.overdueDays} ngày` : `${base} (hạn ${formatDateVi(state.dueDate)})`;
    default:
      return base;
  }
}

/** Whether the unit still owes the report (a reminder makes sense). */
export const stillOwed = (state: ReportState): boolean => ['awaiting', 'overdue', 'rejected', 'returned'].includes(state.kind);
