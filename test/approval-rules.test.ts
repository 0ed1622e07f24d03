/** The rules of the level above's decisions (shared/domain/approval.ts), without the stack. */
import { describe, expect, it } from 'vitest';
import { awaitsApproval, countsInResults, decide, mayDecide, returnReason } from '../shared/domain/approval.ts';
import type { Obligation } from '../shared/domain/assignment.ts';
import { InputError } from '../shared/domain/errors.ts';

const at = new Date('2027-03-17T08:40:00Z');
const submitted: Obligation = {
  directiveId: 'd-2027', unitId: 'x0', parentId: 'd1', periodId: '2027-Q1', cadence: 'quarterly', periodLabel: 'Quý I/2027',
  periodStart: '2026-12-15', periodEnd: '2027-03-14', dueDate: '2027-03-19', status: 'submitted', version: 1, shard: 0,
  submittedAt: '2027-03-16T02:00:00Z', onTime: true, acceptedReports: 1,
};
const commune = { id: 'x0', path: ['p', 'd1', 'x0'] };

describe('deciding on a report', () => {
  it('lets an approver above the unit decide, never one at the unit itself or in another branch', () => {
    // Act / Assess
    expect(mayDecide({ grants: [{ role: 'approver', unitId: 'd1' }] }, commune)).toBe(true);
    expect(mayDecide({ grants: [{ role: 'approver', unitId: 'p' }] }, commune)).toBe(true);
    expect(mayDecide({ grants: [{ role: 'approver', unitId: 'x0' }] }, commune)).toBe(false);
    expect(mayDecide({ grants: [{ role: 'approver', unitId: 'd2' }] }, commune)).toBe(false);
    expect(mayDecide({ grants: [{ role: 'office', unitId: 'd1' }] }, commune)).toBe(false);
  });

  it('approves an accepted report once; a second approval changes nothing', () => {
    // Act
    const first = decide(submitted, { kind: 'approve' }, 'duyet@d1.vn', at);
    const again = first.outcome === 'decided' ? decide(first.next, { kind: 'approve' }, 'duyet@d1.vn', at) : first;

    // Assess
    expect(first).toMatchObject({ outcome: 'decided', next: { status: 'submitted', approval: { state: 'approved', by: 'duyet@d1.vn', at: at.toISOString() } } });
    expect(again).toEqual({ outcome: 'unchanged' });
    expect(first.outcome === 'decided' && awaitsApproval(first.next)).toBe(false);
  });

  it('returns a report (approved or not) to open, keeping its first submission; an open one cannot be approved', () => {
    // Act
    const returned = decide({ ...submitted, approval: { state: 'approved', by: 'a@b.vn', at: at.toISOString() } }, { kind: 'return', reasonVi: 'Sai số liệu' }, 'duyet@d1.vn', at);
    const approveOpen = () => decide({ ...submitted, status: 'open' }, { kind: 'approve' }, 'duyet@d1.vn', at);

    // Assess
    expect(returned).toMatchObject({ outcome: 'decided', next: { status: 'open', submittedAt: submitted.submittedAt, onTime: true, approval: { state: 'returned', reasonVi: 'Sai số liệu' } } });
    expect(approveOpen).toThrow(InputError);
  });

  it('requires a reason to return, in Vietnamese', () => {
    // Act / Assess
    expect(() => returnReason('   ')).toThrow('Chưa nhập lý do trả lại báo cáo');
    expect(() => returnReason('x'.repeat(1001))).toThrow('Lý do trả lại quá dài (1001 ký tự)');
    expect(returnReason('  Sai   số liệu \n Thôn 2 ')).toBe('Sai số liệu Thôn 2');
  });

  it('counts only approved reports when the directive asks for approval', () => {
    // Act / Assess
    expect(countsInResults(submitted, 'none')).toBe(true);
    expect(countsInResults(submitted, 'parent')).toBe(false);
    expect(countsInResults({ ...submitted, approval: { state: 'approved', by: 'a@b.vn', at: at.toISOString() } }, 'parent')).toBe(true);
  });
});
