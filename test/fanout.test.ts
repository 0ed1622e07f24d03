import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws } from '../shared/adapters/aws.ts';
import { amendDirective, issueDirective, withdrawDirective } from '../shared/app/directives.ts';
import { InputError } from '../shared/domain/errors.ts';
import type { StoredEmail } from '../local/stack/ses.ts';
import { eventually, loadProvince, sampleDirective, startFlow, type Flow } from './support/flow.ts';

let flow: Flow;

beforeAll(async () => {
  flow = await startFlow();
});

afterAll(async () => {
  await flow?.stack.stop();
});

const mailsTo = async (domain: string): Promise<StoredEmail[]> =>
  (await flow.stack.inbox()).filter((m) => m.destination.to.some((to) => to.endsWith(`@${domain}`)));

async function obligationCounts(directiveId: string) {
  const d = (await flow.repo.getDirective(directiveId))!;
  const periods = ['2027-Q1', '2027-Q2', '2027-Q3', '2027-Q4', '2027-H1', '2027-Y'];
  return Object.fromEntries(await Promise.all(periods.map(async (p) => [p, await flow.repo.countObligations(d, p)] as const)));
}

describe('directive fan-out through the embedded stack', () => {
  it('gives 50 communes exactly 50 assignments, every obligation of the year and 50 emails in Vietnamese', async () => {
    // Prepare
    await loadProvince(flow, 'p50', 50);
    const input = sampleDirective({
      id: 'p50-2027',
      issuerId: 'p50',
      targetUnits: { scope: 'level', level: 'commune' },
      unitTargets: { 'p50-x3': { 'giao-thong': 3.5 } },
    });

    // Act
    const issued = await issueDirective(input, flow.deps());
    await flow.stack.settle();

    // Assess
    expect(issued).toMatchObject({ outcome: 'issued', targetUnitCount: 50 });
    expect(await flow.repo.countAssignments(issued.directive)).toEqual({ active: 50, withdrawn: 0 });
    const obligations = await obligationCounts('p50-2027');
    for (const counts of Object.values(obligations)) expect(counts).toEqual({ open: 50, submitted: 0, cancelled: 0 });
    const x3 = await flow.repo.obligationsOf('p50-2027', 'p50-x3');
    expect(x3.map((o) => [o.periodId, o.dueDate]).sort()).toEqual([
      ['2027-H1', '2027-06-21'],
      ['2027-Q1', '2027-03-19'],
      ['2027-Q2', '2027-06-21'],
      ['2027-Q3', '2027-09-21'],
      ['2027-Q4', '2027-12-21'],
      ['2027-Y', '2027-12-21'],
    ]);

    const mails = await mailsTo('p50.test.vn');
    expect(mails).toHaveLength(50);
    expect(new Set(mails.map((m) => m.destination.to[0])).size).toBe(50);
    expect(await flow.repo.countMailSent('p50-2027')).toBe(50);
    const mail = mails.find((m) => m.destination.to[0] === 'ubnd.x3@p50.test.vn')!;
    expect(mail.subject).toBe('[thidua] Giao chỉ tiêu thi đua năm 2027 – chỉ thị số 23-CT/TU – Xã Hàm Hiệp 1');
    const text = mail.body.text ?? '';
    expect(text).toContain('Kính gửi: Xã Hàm Hiệp 1');
    expect(text).toContain('Thực hiện chỉ thị số 23-CT/TU ngày 20/11/2026 của Ban Thường vụ Tỉnh ủy Bình Thuận');
    expect(text).toMatch(/Làm mới, nâng cấp đường giao thông nông thôn\s+km\s+3,5/);
    expect(text).toMatch(/Số vụ tai nạn giao thông nghiêm trọng\s+vụ\s+0 \(không để xảy ra\)/);
    expect(text).toMatch(/Quý I\/2027\s+15\/12\/2026\s+14\/03\/2027\s+19\/03\/2027/);
    expect(text).toBe(text.normalize('NFC'));
    expect(mail.body.html).toContain('<table');
    expect(mail.body.html).toContain('Lịch báo cáo');
    expect(mail.body.html).toContain('Huy động sức dân thu các loại quỹ');
  });

  it('still gives 50 and 50 when every event and every message is delivered twice', async () => {
    // Prepare
    await loadProvince(flow, 'dup', 50);
    const before = {
      fanOut: flow.stack.functions['fan-out'].invocations,
      assignmentRecords: flow.stack.pollers.assignment!.records,
      mailRecords: flow.stack.pollers.mail!.records,
    };
    flow.stack.setDuplicateDeliveries(true);

    // Act
    try {
      await issueDirective(sampleDirective({ id: 'dup-2027', issuerId: 'dup', targetUnits: { scope: 'level', level: 'commune' } }), flow.deps());
      await flow.stack.settle();
    } finally {
      flow.stack.setDuplicateDeliveries(false);
    }

    // Assess: the duplicates really happened…
    expect(flow.stack.functions['fan-out'].invocations - before.fanOut).toBe(2);
    expect(flow.stack.pollers.assignment!.records - before.assignmentRecords).toBeGreaterThanOrEqual(2 * 2);
    // The 50 mails travel as one batch message (up to 50 to a message), and it came twice.
    expect(flow.stack.pollers.mail!.records - before.mailRecords).toBeGreaterThanOrEqual(2);
    // …and changed nothing.
    const d = (await flow.repo.getDirective('dup-2027'))!;
    expect(await flow.repo.countAssignments(d)).toEqual({ active: 50, withdrawn: 0 });
    for (const counts of Object.values(await obligationCounts('dup-2027'))) expect(counts).toEqual({ open: 50, submitted: 0, cancelled: 0 });
    expect(await mailsTo('dup.test.vn')).toHaveLength(50);
    expect(await flow.repo.countMailSent('dup-2027')).toBe(50);
  });

  it('puts poison messages on the dead-letter queue with their reason and loses nothing else', async () => {
    // Prepare
    await loadProvince(flow, 'poison', 20);
    const queueUrl = flow.stack.env.ASSIGNMENT_QUEUE_URL!;
    const futureVersion = { key: 'poison-2027:v9:assign:0', directiveId: 'poison-2027', version: 9, action: 'assign', unitIds: ['poison-x0'] };

    await issueDirective(sampleDirective({ id: 'poison-2027', issuerId: 'poison', targetUnits: { scope: 'children' } }), flow.deps());
    const receivesBefore = flow.stack.pollers.assignment!.records;

    // Act: two malformed messages, and one naming a version that never comes (it fails on every delivery)
    await aws().sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'this is not JSON' }));
    await aws().sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ directiveId: 'x' }) }));
    await aws().sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(futureVersion) }));

    // Assess: malformed ones go at once with the reason; the one that keeps failing goes after maxReceiveCount.
    // Each of the three, at least once (several pollers may receive one message at once: at-least-once delivery).
    const bodies = new Set(['this is not JSON', JSON.stringify({ directiveId: 'x' }), JSON.stringify(futureVersion)]);
    const dead = await eventually('the three poison messages in the dead-letter queue', async () => {
      const letters = flow.stack.deadLetters('assignment');
      return [...bodies].every((b) => letters.some((l) => l.body === b)) ? letters : undefined;
    });
    await flow.stack.settle();
    // Three messages, each dead-lettered (at least once: a dead-letter send is itself at-least-once), nothing else.
    expect(new Set(flow.stack.deadLetters('assignment').map((l) => l.body))).toEqual(new Set(['this is not JSON', JSON.stringify({ directiveId: 'x' }), JSON.stringify(futureVersion)]));
    const notJson = dead.find((l) => l.body === 'this is not JSON')!;
    expect(notJson.attributes.reason).toMatch(/^invalid message: /);
    expect(notJson.attributes.source).toBe('assignment');
    expect(dead.find((l) => l.body.includes('"directiveId":"x"'))!.attributes.reason).toMatch(/invalid message: .*key/s);
    // Moved by the queue's redrive policy after maxReceiveCount (5) deliveries, not by the handler: no reason attribute.
    expect(dead.find((l) => l.body === JSON.stringify(futureVersion))?.attributes).toEqual({});
    expect(flow.stack.pollers.assignment!.records - receivesBefore).toBeGreaterThanOrEqual(2 + 5);
    const d = (await flow.repo.getDirective('poison-2027'))!;
    expect(await flow.repo.countAssignments(d)).toEqual({ active: 20, withdrawn: 0 });
    expect(await mailsTo('poison.test.vn')).toHaveLength(20);
    expect(flow.stack.deadLetters('mail')).toHaveLength(0);
  });

  it('refuses bad directive files with a precise message and changes nothing', async () => {
    // Prepare
    await loadProvince(flow, 'bad', 3);
    const good = sampleDirective({ id: 'bad-2027', issuerId: 'bad', targetUnits: { scope: 'children' } });
    const inboxBefore = (await flow.stack.inbox()).length;
    const refusal = async (raw: unknown) => {
      const error = await issueDirective(raw, flow.deps()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      return error as InputError;
    };

    // Act
    const { title: _title, ...noTitle } = good;
    const badFields = await refusal({ ...noTitle, indicators: [{ ...good.indicators[0], target: 112 }, { ...good.indicators[1], kind: 'ratio' }] });
    const unknownUnit = await refusal({ ...good, targetUnits: { scope: 'list', unitIds: ['bad-x0', 'nope'] } });
    const unknownIndicator = await refusal({ ...good, unitTargets: { 'bad-x0': { 'khong-co': 1 } } });
    const unknownIssuer = await refusal({ ...good, issuerId: 'ha-noi' });
    const duplicateIndicator = await refusal({ ...good, indicators: [good.indicators[0], good.indicators[0]] });

    // Assess
    expect(badFields.messageVi).toBe('Tệp chỉ thị không hợp lệ (3 lỗi)');
    expect(badFields.details).toContain('indicators[0].target: tỷ lệ phải từ 0 đến 100, nhận được 112');
    expect(badFields.details.find((d) => d.startsWith('indicators[1].kind:'))).toMatch(/"number"\|"percent"\|"count"\|"yes-no"/);
    expect(badFields.details.find((d) => d.startsWith('title:'))).toBeDefined();
    expect(unknownUnit.details).toEqual(['targetUnits.unitIds[1]: không tìm thấy đơn vị "nope"']);
    expect(unknownIndicator.details).toEqual(['unitTargets.bad-x0.khong-co: không có chỉ tiêu "khong-co" trong danh sách chỉ tiêu']);
    expect(unknownIssuer.messageVi).toBe('Không tìm thấy đơn vị ban hành "ha-noi" trong danh sách đơn vị');
    expect(duplicateIndicator.details).toEqual(['indicators[1].id: mã chỉ tiêu "thu-quy" bị trùng']);
    await flow.stack.settle();
    expect(await flow.repo.getDirective('bad-2027')).toBeUndefined();
    expect((await flow.stack.inbox()).length).toBe(inboxBefore);
  });

  it('follows an amendment and a withdrawal: no duplicates, and only the units concerned hear of it', async () => {
    // Prepare
    await loadProvince(flow, 'amend', 6);
    const v1 = sampleDirective({ id: 'amend-2027', issuerId: 'amend', targetUnits: { scope: 'list', unitIds: ['amend-x0', 'amend-x1', 'amend-x2', 'amend-x3'] } });
    await issueDirective(v1, flow.deps());
    await flow.stack.settle();
    const subjectsFor = async (unit: string) =>
      (await mailsTo('amend.test.vn')).filter((m) => m.destination.to[0] === `ubnd.${unit}@amend.test.vn`).map((m) => m.subject.split(' – ')[0]);

    // Act: x1's road target rises, x4 and x5 join, x3 leaves
    const v2 = { ...v1, targetUnits: { scope: 'list' as const, unitIds: ['amend-x0', 'amend-x1', 'amend-x2', 'amend-x4', 'amend-x5'] }, unitTargets: { 'amend-x1': { 'giao-thong': 4 } } };
    const amended = await amendDirective(v2, flow.deps());
    await flow.stack.settle();

    // Assess
    expect(amended.directive.version).toBe(2);
    expect(await flow.repo.countAssignments(amended.directive)).toEqual({ active: 5, withdrawn: 1 });
    expect((await flow.repo.getAssignments('amend-2027', ['amend-x1'])).get('amend-x1')?.targets['giao-thong']).toBe(4);
    expect(await subjectsFor('x0')).toEqual(['[thidua] Giao chỉ tiêu thi đua năm 2027']);
    expect(await subjectsFor('x1')).toEqual(['[thidua] Giao chỉ tiêu thi đua năm 2027', '[thidua] Điều chỉnh chỉ tiêu thi đua năm 2027']);
    expect(await subjectsFor('x3')).toEqual(['[thidua] Giao chỉ tiêu thi đua năm 2027', '[thidua] Thu hồi chỉ tiêu thi đua năm 2027']);
    expect(await subjectsFor('x4')).toEqual(['[thidua] Giao chỉ tiêu thi đua năm 2027']);
    expect((await flow.repo.obligationsOf('amend-2027', 'amend-x3')).map((o) => o.status)).toEqual(Array(6).fill('cancelled'));
    expect((await flow.repo.obligationsOf('amend-2027', 'amend-x4')).map((o) => o.status)).toEqual(Array(6).fill('open'));

    // Act: the whole directive is withdrawn
    const withdrawn = await withdrawDirective('amend-2027', 'Ban hành nhầm năm thi đua', flow.deps());
    await flow.stack.settle();

    // Assess
    expect(withdrawn.directive).toMatchObject({ version: 3, status: 'withdrawn' });
    expect(await flow.repo.countAssignments(withdrawn.directive)).toEqual({ active: 0, withdrawn: 6 });
    for (const counts of Object.values(await obligationCounts('amend-2027'))) expect(counts).toEqual({ open: 0, submitted: 0, cancelled: 6 });
    expect(await subjectsFor('x1')).toHaveLength(3);
    expect(await subjectsFor('x3')).toHaveLength(2);
    const notice = (await mailsTo('amend.test.vn')).find((m) => m.destination.to[0] === 'ubnd.x0@amend.test.vn' && m.subject.includes('Thu hồi'));
    expect(notice?.body.text).toContain('Lý do: Ban hành nhầm năm thi đua');
    expect(await mailsTo('amend.test.vn')).toHaveLength(4 + 1 + 2 + 1 + 5);
  });

  it('follows the government\'s announced days off when it sets due dates', async () => {
    // Prepare: an extra day off on Wednesday 15/03/2028, the day after the first quarter's cut-off.
    await loadProvince(flow, 'cal', 2);
    await flow.repo.putCalendarAdjustments({ year: 2028, extra: [{ date: '2028-03-15', name: 'Ngày nghỉ theo thông báo' }], removed: [], workingWeekends: [] });

    // Act
    await issueDirective(sampleDirective({ id: 'cal-2028', issuerId: 'cal', year: 2028, targetUnits: { scope: 'children' } }), flow.deps());
    await flow.stack.settle();

    // Assess: five working days after Tuesday 14/03 are 16, 17, 20, 21 and 22/03 (not 21/03).
    const q1 = (await flow.repo.obligationsOf('cal-2028', 'cal-x0')).find((o) => o.periodId === '2028-Q1');
    expect(q1?.dueDate).toBe('2028-03-22');
  });
});
