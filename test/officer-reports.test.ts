/** Where a report stands on the officer's list (shared/app/officer-reports.ts `reportState`): the status page's one state, its words and a tone. */
import { describe, expect, it } from 'vitest';
import { reportState } from '../shared/app/officer-reports.ts';
import { OPEN_Q1 } from './support/obligations.ts';

const Q1 = OPEN_Q1;

describe('the state of a report on the officer’s list', () => {
  it('tells not yet due, awaiting and overdue by days apart', () => {
    // Act / Assess
    expect(reportState(Q1, '2027-02-01').labelVi).toBe('Chưa đến kỳ báo cáo (hạn 19/03/2027)');
    expect(reportState(Q1, '2027-03-19').labelVi).toBe('Đang chờ nộp (hạn 19/03/2027)');
    expect(reportState(Q1, '2027-04-02')).toEqual({ labelVi: 'Quá hạn 14 ngày', tone: 'error' });
  });

  it('tells submitted on time or late, approved, returned and cancelled', () => {
    // Act / Assess
    expect(reportState({ ...Q1, status: 'submitted', onTime: true }, '2027-04-02').labelVi).toBe('Đã nộp đúng hạn');
    expect(reportState({ ...Q1, status: 'submitted', onTime: false }, '2027-04-02').labelVi).toBe('Nộp muộn');
    expect(reportState({ ...Q1, status: 'submitted', approval: { state: 'approved', by: 'a@b.vn', at: '2027-03-20T01:00:00Z' } }, '2027-04-02').labelVi).toBe('Đã duyệt');
    expect(reportState({ ...Q1, approval: { state: 'returned', by: 'a@b.vn', at: '2027-03-20T01:00:00Z', reasonVi: 'Thiếu số liệu' } }, '2027-04-02')).toEqual({ labelVi: 'Bị trả lại – quá hạn 14 ngày', tone: 'error' });
    expect(reportState({ ...Q1, status: 'cancelled' }, '2027-04-02').labelVi).toBe('Không còn phải nộp');
  });
});
