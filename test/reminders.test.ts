import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDirective } from '../shared/app/directives.ts';
import { extendDeadline, recordSubmission } from '../shared/app/reports.ts';
import { eventPublisher } from '../shared/adapters/wiring.ts';
import { addDays, addWorkingDays, vietnamDate } from '../shared/domain/calendar/index.ts';
import { fire, firingsBetween } from '../local/stack/scheduler.ts';
import type { StoredEmail } from '../local/stack/ses.ts';
import { loadProvince, sampleDirective, startFlow, type Flow } from './support/flow.ts';

let flow: Flow;

beforeAll(async () => {
  flow = await startFlow();
});

afterAll(async () => {
  await flow?.stack.stop();
});

const vn = (isoDate: string, time: string) => new Date(`${isoDate}T${time}:00+07:00`);
const COMMUNES = 30;
const unitId = (i: number) => `yr-x${i}`;
/** Three kinds of commune: on time (i % 3 = 0), late (1), never (2). */
const behaviour = (i: number) => (['on time', 'late', 'never'] as const)[i % 3]!;

interface Delivered {
  day: string;
  mail: StoredEmail;
}

describe('a simulated year of reporting through the embedded stack', () => {
  it('sends the right emails on the right days, escalates in groups, stops at submission and never sends twice', { timeout: 600_000 }, async () => {
    // Prepare: 30 communes, Chỉ thị 23-CT/TU for 2027, reports due 5 working days after each Decree 09 cut-off.
    await loadProvince(flow, 'yr', COMMUNES);
    const directive = sampleDirective({ id: 'yr-2027', issuerId: 'yr', targetUnits: { scope: 'level', level: 'commune' }, deadline: { kind: 'workingDaysAfterCutoff', days: 5 } });
    await issueDirective(directive, flow.deps());
    await flow.stack.settle();
    // Gia hạn: x2 gets one more week for its third-quarter report.
    await extendDeadline({ directiveId: 'yr-2027', periodId: '2027-Q3', unitId: 'yr-x2', until: '2027-09-28' }, { obligations: flow.repo, assignments: flow.repo, directives: flow.repo });
    // An extension never brings a deadline forward: the same unit asked for an earlier day is told so, nothing moved.
    await expect(extendDeadline({ directiveId: 'yr-2027', periodId: '2027-Q3', unitId: 'yr-x2', until: '2027-09-27' }, { obligations: flow.repo, assignments: flow.repo, directives: flow.repo })).rejects.toThrow(
      'Hạn mới 27/09/2027 không sau hạn hiện tại 28/09/2027',
    );

    const obligations = (await Promise.all(Array.from({ length: COMMUNES }, (_, i) => flow.repo.obligationsOf('yr-2027', unitId(i))))).flat();
    const submissions = obligations
      .filter((o) => behaviour(Number(o.unitId.slice(4))) !== 'never')
      .map((o) => ({
        ref: { directiveId: o.directiveId, periodId: o.periodId, unitId: o.unitId },
        at: behaviour(Number(o.unitId.slice(4))) === 'on time' ? vn(addDays(o.periodEnd, 1), '08:00') : vn(addWorkingDays(o.dueDate, 2), '10:00'),
      }))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    const firings = firingsBetween(vn('2027-01-01', '00:00'), vn('2028-01-10', '00:00'));
    await flow.stack.clearInbox();
    const delivered: Delivered[] = [];
    let secondRunEmails = 0;

    // Act: every schedule fires as the year passes (each one twice); units report as they do.
    for (const firing of firings) {
      while (submissions.length && submissions[0]!.at < firing.at) {
        const s = submissions.shift()!;
        await recordSubmission(s.ref, s.at, { obligations: flow.repo, assignments: flow.repo });
      }
      await fire(firing, eventPublisher());
      await flow.stack.settle();
      const first = await flow.stack.inbox();
      if (first.length) await flow.stack.clearInbox();
      await fire(firing, eventPublisher());
      await flow.stack.settle();
      secondRunEmails += (await flow.stack.inbox()).length;
      delivered.push(...first.map((mail) => ({ day: vietnamDate(firing.at), mail })));
    }

    // Assess
    expect(secondRunEmails).toBe(0);
    // The results of each period go to the leaders the morning after its deadline (issue #6); here we count notices.
    const digests = delivered.filter((d) => /^\[thidua\] (Kết quả thi đua|Đề nghị khen thưởng|Tình hình nộp báo cáo)/.test(d.mail.subject));
    // And on the Monday of each open reporting window, the province's leaders get one list of who is missing.
    const weekly = digests.filter((d) => d.mail.subject.startsWith('[thidua] Tình hình nộp báo cáo'));
    expect(weekly.map((d) => d.day)).toEqual(['2027-03-15', '2027-06-21', '2027-09-20', '2027-12-20']);
    expect(weekly[0]!.mail.subject).toBe('[thidua] Tình hình nộp báo cáo Quý I/2027: 30 xã chưa nộp (hạn 19/03/2027)');
    expect(digests.filter((d) => d.mail.subject.startsWith('[thidua] Kết quả thi đua'))).toHaveLength(6 * (1 + COMMUNES));
    expect(digests.filter((d) => d.mail.subject.startsWith('[thidua] Đề nghị khen thưởng'))).toHaveLength(1);
    // The emulation year's registration reminders (issue 13) ride on the same sweep: one per step to each commune
    // that has not registered (none has here), a week before 31/03, on it and once after.
    const registration = delivered.filter((d) => d.mail.subject.startsWith('[thidua] Nhắc đăng ký thi đua'));
    for (let i = 0; i < COMMUNES; i++) {
      expect(registration.filter((d) => d.mail.destination.to.includes(`ubnd.x${i}@yr.test.vn`)).map((d) => d.day), `registration reminders to ${unitId(i)}`).toEqual(['2027-03-24', '2027-03-31', '2027-04-01']);
    }
    expect(registration).toHaveLength(3 * COMMUNES);
    const notices = delivered.filter((d) => !digests.includes(d) && !registration.includes(d));
    const toUnit = (i: number) => notices.filter((d) => d.mail.destination.to.includes(`ubnd.x${i}@yr.test.vn`));
    const kinds = (i: number) => toUnit(i).map((d) => d.mail.subject.replace(/ – .*$| \(hạn.*$|: .*$/, ''));
    // Four occasions: Q1; Q2 with the half-year; Q3; Q4 with the year. One request each, both periods in one email.
    expect(kinds(0)).toEqual(Array(4).fill('[thidua] Đề nghị nộp báo cáo Quý I/2027').map((_, n) => `[thidua] Đề nghị nộp báo cáo ${['Quý I/2027', 'Quý II/2027, 6 tháng đầu năm 2027', 'Quý III/2027', 'Quý IV/2027, Năm 2027'][n]}`));
    for (let i = 0; i < COMMUNES; i++) {
      const n = toUnit(i).length;
      expect(n, `emails to ${unitId(i)}`).toBe({ 'on time': 4, late: 4 * 4, never: 4 * 6 }[behaviour(i)]);
    }
    // The days, pinned for x2's first quarter: due Friday 19/03/2027.
    expect(toUnit(2).filter((d) => d.day <= '2027-03-31').map((d) => [d.day, d.mail.subject.split(' – ')[0]])).toEqual([
      ['2027-03-15', '[thidua] Đề nghị nộp báo cáo Quý I/2027'],
      ['2027-03-16', '[thidua] Nhắc nộp báo cáo: còn 3 ngày làm việc (hạn 19/03/2027)'],
      ['2027-03-18', '[thidua] Nhắc nộp báo cáo: hạn nộp là ngày làm việc tới (19/03/2027)'],
      ['2027-03-22', '[thidua] Quá hạn nộp báo cáo 1 ngày làm việc'],
      ['2027-03-24', '[thidua] Báo cáo quá hạn 3 ngày làm việc'],
      ['2027-03-30', '[thidua] Báo cáo quá hạn 7 ngày làm việc'],
    ]);
    // The extension moved x2's third-quarter notices a week later; x5 (same behaviour) kept the original dates.
    const firstOverdue = (i: number) => toUnit(i).find((d) => d.day >= '2027-09-15' && d.mail.subject.startsWith('[thidua] Quá hạn'))?.day;
    expect(firstOverdue(5)).toBe('2027-09-22');
    expect(firstOverdue(2)).toBe('2027-09-29');
    expect(toUnit(2).find((d) => d.day === '2027-09-15')?.mail.body.text).toContain('28/09/2027');
    // Escalated notices go to the unit's leader too.
    const escalated = toUnit(8).filter((d) => d.mail.subject.includes('Báo cáo quá hạn'));
    expect(escalated).toHaveLength(8);
    expect(escalated.every((d) => d.mail.destination.cc.includes('chutich.x8@yr.test.vn'))).toBe(true);
    // The province office gets one grouped list per step and due date, never one email per commune:
    // two steps (3 and 7 working days late) on four occasions, and two more for x2's extended deadline.
    const toProvince = notices.filter((d) => d.mail.destination.to.includes('vp@yr.test.vn'));
    expect(toProvince).toHaveLength(4 * 2 + 2);
    const q1Escalation = toProvince.find((d) => d.day === '2027-03-24')!;
    expect(q1Escalation.mail.subject).toBe('[thidua] 10 xã chưa nộp báo cáo Quý I/2027 (quá hạn 3 ngày làm việc)');
    expect(q1Escalation.mail.body.text).toContain('Xã Hàm Phú 1');
    // Late reporters hear nothing after their report is in; on-time ones are never reminded.
    for (let i = 0; i < COMMUNES; i++) {
      if (behaviour(i) === 'on time') expect(kinds(i).every((k) => k.startsWith('[thidua] Đề nghị nộp báo cáo'))).toBe(true);
    }
    const onTime = (await flow.repo.obligationsOf('yr-2027', 'yr-x0')).every((o) => o.status === 'submitted' && o.onTime === true);
    const late = (await flow.repo.obligationsOf('yr-2027', 'yr-x1')).every((o) => o.status === 'submitted' && o.onTime === false);
    expect([onTime, late]).toEqual([true, true]);
    // Every email of the year is in the mail log of the directive: 30 assignments and what the year sent.
    expect(notices).toHaveLength(10 * 4 + 10 * 16 + 10 * 24 + 10);
    expect(await flow.repo.countMailSent('yr-2027')).toBe(COMMUNES + delivered.length);
  });
});
