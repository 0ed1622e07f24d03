import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDirective } from '../shared/app/directives.ts';
import { eventPublisher, resultsStore } from '../shared/adapters/wiring.ts';
import { fire, firingsBetween } from '../local/stack/scheduler.ts';
import { templateFor, uploadReport } from '../local/cli/report.ts';
import { embeddedSession, type Session } from '../local/cli/connect.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';
import { loadProvince, sampleDirective, startFlow, type Flow } from './support/flow.ts';

let flow: Flow;
let simulated = new Date();

beforeAll(async () => {
  flow = await startFlow({ now: () => simulated });
});

afterAll(async () => {
  await flow?.stack.stop();
});

const vn = (isoDate: string, time: string) => new Date(`${isoDate}T${time}:00+07:00`);

describe('period results through the embedded stack', () => {
  it('computes results when the deadline passes and sends each leader one digest of their part only', { timeout: 300_000 }, async () => {
    // Prepare: 3 communes; x0 reports on time, x1 late (with a traffic accident in its second village), x2 never.
    await loadProvince(flow, 'rs', 3);
    await issueDirective(sampleDirective({ id: 'rs-2027', issuerId: 'rs', targetUnits: { scope: 'children' } }), flow.deps());
    await flow.stack.settle();
    const directive = (await flow.repo.getDirective('rs-2027'))!;
    const session: Session = embeddedSession(flow.stack);
    const ref = (unitId: string) => ({ directiveId: 'rs-2027', periodId: '2027-Q1', unitId });
    const upload = async (unitId: string, at: Date) => {
      simulated = at;
      const bytes = await fillTemplate(await templateFor(ref(unitId)), directive, goodValue);
      return uploadReport(ref(unitId), { name: 'q1.xlsx', bytes }, session);
    };
    expect((await upload('rs-x0', vn('2027-03-16', '09:00'))).onTime).toBe(true);
    expect((await upload('rs-x1', vn('2027-03-22', '10:00'))).onTime).toBe(false);
    await flow.stack.clearInbox();

    // Act: the morning after the deadline (due Friday 19/03/2027, so Monday 22/03 07:00)
    for (const firing of firingsBetween(vn('2027-03-21', '12:00'), vn('2027-03-22', '08:00'))) {
      await fire(firing, eventPublisher());
      await flow.stack.settle();
    }

    // Assess: stored results…
    const results = (await resultsStore().getResults('rs-2027', '2027-Q1'))!;
    expect(results.units.rs?.rates).toMatchObject({ expected: 3, received: 2, onTime: 1, flagged: true });
    expect(results.units['rs-x2']?.reporting?.status).toBe('overdue');
    expect(results.units['rs-x2']?.score).toBe(0);
    expect(results.units['rs-x0']?.rank).toBe(1);
    expect(results.units.rs?.fourNo.map((b) => b.villageId)).toEqual(['rs-x0-t1', 'rs-x1-t1']);
    // …and the digests: the province office its communes, each commune chairman its villages.
    const digests = (await flow.stack.inbox()).filter((m) => m.subject.startsWith('[thidua] Kết quả thi đua'));
    const to = (address: string) => digests.filter((m) => m.destination.to.includes(address));
    expect(digests).toHaveLength(1 + 3);
    expect(to('vp@rs.test.vn')).toHaveLength(1);
    const province = to('vp@rs.test.vn')[0]!;
    expect(province.body.text).toContain('Xã Hàm Liêm 1');
    expect(province.body.text).toContain('Xã Hàm Phú 1');
    const commune = to('chutich.x1@rs.test.vn')[0]!;
    expect(commune.body.text).toContain('Thôn 2');
    expect(commune.body.text).not.toContain('Xã Hàm Liêm 1');
  });
});
