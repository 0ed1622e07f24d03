/**
 * The level above's decision on a unit's report, as DHIS2's data approval has it: an approver of a unit strictly
 * above the report's unit approves an accepted report (it is then locked: a new upload needs a return first) or
 * returns it with a reason (the obligation is open again, and the unit reports anew).
 */
import { can, type Person, type UnitRef } from './access.ts';
import type { Obligation, ObligationApproval } from './assignment.ts';
import type { Directive } from './directive.ts';
import { InputError } from './errors.ts';

export type Decision = { kind: 'approve' } | { kind: 'return'; reasonVi: string };

/** A returned report's reason: something the unit can act on, in a sentence or a short paragraph. */
export const MAX_REASON_CHARS = 1000;

/** Whether the person may decide on reports of `unit`: an approver whose grant covers a unit strictly above it. */
export const mayDecide = (person: Pick<Person, 'grants'>, unit: UnitRef): boolean => can(person, 'report.approve', unit);

export const isApproved = (o: Pick<Obligation, 'approval'>): boolean => o.approval?.state === 'approved';

/** Submitted and not approved: what the level above has still to look at (a report resubmitted after a return too). */
export const awaitsApproval = (o: Pick<Obligation, 'status' | 'approval'>): boolean => o.status === 'submitted' && !isApproved(o);

/** Whether results count this obligation as received: with approval by the level above, only once it is approved. */
export const countsInResults = (o: Pick<Obligation, 'status' | 'approval'>, approval: Directive['approval']): boolean =>
  o.status === 'submitted' && (approval !== 'parent' || isApproved(o));

/** The reason, trimmed; an empty or overlong one is refused with what to write. */
export function returnReason(raw: string | undefined): string {
  const reason = (raw ?? '').replace(/\s+/g, ' ').trim();
  if (!reason) throw new InputError('Chưa nhập lý do trả lại báo cáo', ['Ghi rõ đơn vị cần sửa gì (ví dụ: số hộ nghèo của Thôn 2 chưa khớp với danh sách) rồi bấm Trả lại.']);
  if (reason.length > MAX_REASON_CHARS) throw new InputError(`Lý do trả lại quá dài (${reason.length} ký tự)`, [`Viết gọn trong ${MAX_REASON_CHARS} ký tự.`]);
  return reason;
}

/**
 * The obligation after the decision, or why it cannot be taken. `unchanged`: the same decision is already on it (a
 * repeated request). Approving needs an accepted report not yet approved; returning needs a report in (approved or
 * not): it reopens the obligation, keeping when it was first submitted (timeliness is the first report's).
 */
export function decide(o: Obligation, decision: Decision, by: string, at: Date): { outcome: 'decided'; next: Obligation } | { outcome: 'unchanged' } {
  if (o.status === 'cancelled') throw new InputError(`Kỳ báo cáo ${o.periodLabel} đã bị hủy; không còn gì để duyệt`);
  if (decision.kind === 'approve') {
    if (isApproved(o)) return { outcome: 'unchanged' };
    if (o.status !== 'submitted') {
      throw new InputError(`Báo cáo ${o.periodLabel} của đơn vị "${o.unitId}" chưa được nộp nên chưa thể duyệt`, ['Chỉ duyệt được báo cáo đã được hệ thống tiếp nhận.']);
    }
    return { outcome: 'decided', next: { ...o, approval: { state: 'approved', by, at: at.toISOString() } } };
  }
  if (o.status === 'open') {
    if (o.approval?.state === 'returned' && o.approval.reasonVi === decision.reasonVi) return { outcome: 'unchanged' };
    throw new InputError(`Báo cáo ${o.periodLabel} của đơn vị "${o.unitId}" đang chờ đơn vị nộp, không có gì để trả lại`);
  }
  const approval: ObligationApproval = { state: 'returned', by, at: at.toISOString(), reasonVi: decision.reasonVi };
  return { outcome: 'decided', next: { ...o, status: 'open', approval } };
}

/** What the officer is told when a file comes for a report the level above approved. */
export function lockedNoticeVi(o: Pick<Obligation, 'periodLabel'>): string {
  return `Báo cáo ${o.periodLabel} đã được cấp trên duyệt nên không nhận thêm tệp mới. Nếu cần sửa số liệu, đề nghị cấp trên trả lại báo cáo trước rồi nộp lại.`;
}
