/** The state of one unit's report on the status page (each state, from the obligation, the latest upload and the day), and the step "remind now" sends. */
import { describe, expect, it } from 'vitest';
import type { Obligation } from '../shared/domain/assignment.ts';
import { OPEN_Q1 } from './support/obligations.ts';
import { reportState, reportStateVi, REPORT_STATE_KINDS, stillOwed, type ReportState } from '../shared/domain/report-state.ts';
import { reminderStep } from '../shared/app/reminders.ts';

const open = OPEN_Q1;
const submitted = (onTime: boolean): Obligation => ({ ...open, status: 'submitted', submittedAt: '2027-03-16T02:00:00.000Z', onTime, acceptedReports: 1 });

describe('the state of a unit’s report', () => {
  const cases: [string, Obligation, Parameters<typeof reportState>[1], string, ReportState, string][] = [
    ['not yet due: the period has not ended', open, undefined, '2027-03-10', { kind: 'not-due', dueDate: '2027-03-19' }, 'Chưa đến kỳ báo cáo (hạn 19/03/2027)'],
    ['awaiting: the window is open, the deadline not passed', open, undefined, '2027-03-19', { kind: 'awaiting', dueDate: '2027-03-19' }, 'Đang chờ nộp (hạn 19/03/2027)'],
    ['submitted on time', submitted(true), { status: 'accepted', receivedAt: '2027-03-16T02:00:00.000Z' }, '2027-03-25', { kind: 'on-time', submittedAt: '2027-03-16T02:00:00.000Z' }, 'Đã nộp đúng hạn'],
    ['late', submitted(false), undefined, '2027-03-25', { kind: 'late', submittedAt: '2027-03-16T02:00:00.000Z' }, 'Nộp muộn'],
    ['rejected before the deadline', open, { status: 'rejected', receivedAt: '2027-03-17T01:00:00.000Z' }, '2027-03-18', { kind: 'rejected', at: '2027-03-17T01:00:00.000Z', dueDate: '2027-03-19', overdueDays: 0 }, 'Bị từ chối (hạn 19/03/2027)'],
    ['rejected and overdue', open, { status: 'rejected', receivedAt: '2027-03-17T01:00:00.000Z' }, '2027-03-22', { kind: 'rejected', at: '2027-03-17T01:00:00.000Z', dueDate: '2027-03-19', overdueDays: 3 }, 'Bị từ chối – quá hạn 3 ngày'],
    [
      'returned by the level above',
      { ...open, acceptedReports: 1, approval: { state: 'returned', by: 'duyet@h.vn', at: '2027-03-18T03:00:00.000Z', reasonVi: 'Thiếu số liệu thôn 2' } },
      { status: 'accepted', receivedAt: '2027-03-16T02:00:00.000Z' },
      '2027-03-18',
      { kind: 'returned', at: '2027-03-18T03:00:00.000Z', reasonVi: 'Thiếu số liệu thôn 2', dueDate: '2027-03-19', overdueDays: 0 },
      'Bị trả lại (hạn 19/03/2027)',
    ],
    ['approved', { ...submitted(true), approval: { state: 'approved', by: 'duyet@h.vn', at: '2027-03-18T03:00:00.000Z' } }, undefined, '2027-03-25', { kind: 'approved', at: '2027-03-18T03:00:00.000Z', by: 'duyet@h.vn' }, 'Đã duyệt'],
    ['overdue N days', open, undefined, '2027-03-26', { kind: 'overdue', dueDate: '2027-03-19', days: 7 }, 'Quá hạn 7 ngày'],
    ['cancelled', { ...open, status: 'cancelled' }, undefined, '2027-03-26', { kind: 'cancelled' }, 'Không còn phải nộp'],
  ];

  for (const [name, obligation, latest, today, state, vi] of cases) {
    it(name, () => {
      // Act
      const got = reportState(obligation, latest, today);
      // Assess
      expect(got).toEqual(state);
      expect(reportStateVi(got)).toBe(vi);
    });
  }

  it('covers every state in the table above', () => {
    expect(new Set(cases.map((c) => c[4].kind))).toEqual(new Set(REPORT_STATE_KINDS));
  });

  it('counts a refused file sent after a return as a refusal, and an older one as the return', () => {
    // Prepare
    const returned: Obligation = { ...open, approval: { state: 'returned', by: 'a@b.vn', at: '2027-03-18T03:00:00.000Z', reasonVi: 'Sai' } };
    // Act / Assess
    expect(reportState(returned, { status: 'rejected', receivedAt: '2027-03-18T04:00:00.000Z' }, '2027-03-18').kind).toBe('rejected');
    expect(reportState(returned, { status: 'rejected', receivedAt: '2027-03-17T04:00:00.000Z' }, '2027-03-18').kind).toBe('returned');
  });

  it('says which states still owe the report', () => {
    const owed = REPORT_STATE_KINDS.filter((k) => stillOwed({ kind: k } as ReportState));
    expect(owed).toEqual(['awaiting', 'rejected', 'returned', 'overdue']);
  });
});

describe('the step "remind now" sends (the sweep’s keys: never twice the same step)', () => {
  const o = { unitId: 'x0', dueDate: '2027-03-19' }; // Friday
  const cases: [string, string][] = [
    ['2027-03-10', 'reminder:x0:2027-03-19:3'], // before any step: the first one, early (the sweep will not send it again)
    ['2027-03-17', 'reminder:x0:2027-03-19:3'], // 3 working days before was Tuesday 16/03
    ['2027-03-18', 'reminder:x0:2027-03-19:1'],
    ['2027-03-19', 'reminder:x0:2027-03-19:1'], // the due day itself
    ['2027-03-23', 'overdue:x0:2027-03-19:1'], // 1 working day late was Monday 22/03
    ['2027-03-24', 'overdue:x0:2027-03-19:3'],
  ];
  for (const [today, key] of cases) {
    it(`on ${today}: ${key}`, () => {
      expect(reminderStep(o, today).key).toBe(key);
    });
  }

  it('escalates from the policy’s step', () => {
    expect(reminderStep(o, '2027-03-23')).toMatchObject({ type: 'ReportOverdue', workingDaysLate: 1, escalated: false });
    expect(reminderStep(o, '2027-03-24')).toMatchObject({ type: 'ReportOverdue', workingDaysLate: 3, escalated: true });
  });
});
