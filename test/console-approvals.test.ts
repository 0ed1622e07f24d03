/**
 * Story 3 of the console (issue 12): the level above approves or returns the communes' reports. The district returns a
 * commune's report with a reason, the commune is emailed the reason, uploads again through its signed link, the
 * district approves; a further upload is refused until a return. Also: a page approved at once, approvers outside
 * the district or at the commune itself refused (403, nothing decided), and a directive with approval counting only
 * approved reports in its results, its digest saying how many await approval.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { issueDirective } from '../shared/app/directives.ts';
import { eventPublisher, reportStorage, repository, resultsStore } from '../shared/adapters/wiring.ts';
import { reportKey } from '../shared/contract/bucket.ts';
import { buildPaths, type UnitRow } from '../shared/domain/units.ts';
import type { Directive } from '../shared/domain/directive.ts';
import { templateFor, uploadReport } from '../local/cli/report.ts';
import { embeddedSession, type Session } from '../local/cli/connect.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';
import { eventually, sampleDirective, startFlow, type Flow } from './support/flow.ts';
import { ConsoleClient, launchBrowser, seedPeople, signedIn } from './support/console.ts';

let flow: Flow;
let browser: Browser;
let directive: Directive;
let session: Session;

const DIRECTIVE = 'ap-2027';
const PERIOD = '2027-Q1';
const ref = (unitId: string) => ({ directiveId: DIRECTIVE, periodId: PERIOD, unitId });
const LIST = `/approvals?d=${DIRECTIVE}&p=${PERIOD}`;

/** A province, two districts; three communes in the first, one in the second; two villages each. */
function units(): UnitRow[] {
  const rows: UnitRow[] = [
    { id: 'ap', name: 'Tỉnh Bình Thuận', level: 'province', emails: ['vp@ap.test.vn'], leaderEmails: ['lanhdao@ap.test.vn'] },
    { id: 'ap-d1', name: 'Huyện Hàm Thuận Bắc', level: 'district', parentId: 'ap', emails: ['vp@d1.ap.test.vn'], leaderEmails: ['lanhdao@d1.ap.test.vn'] },
    { id: 'ap-d2', name: 'Huyện Bắc Bình', level: 'district', parentId: 'ap', emails: ['vp@d2.ap.test.vn'], leaderEmails: ['lanhdao@d2.ap.test.vn'] },
  ];
  const communes = [
    ['ap-d1-x0', 'Xã Hàm Liêm', 'ap-d1'],
    ['ap-d1-x1', 'Xã Hàm Trí', 'ap-d1'],
    ['ap-d1-x2', 'Xã Hàm Phú', 'ap-d1'],
    ['ap-d2-x0', 'Xã Phan Hiệp', 'ap-d2'],
  ] as const;
  for (const [id, name, parentId] of communes) {
    rows.push({ id, name, level: 'commune', parentId, emails: [`ubnd@${id}.test.vn`], leaderEmails: [`chutich@${id}.test.vn`] });
    for (let v = 0; v < 2; v++) rows.push({ id: `${id}-t${v}`, name: `Thôn ${v + 1}`, level: 'village', parentId: id, emails: [], leaderEmails: [] });
  }
  return rows;
}

/** Uploads as the officer's upload page does: the signed link's presign, then the PUT to the bucket. */
async function upload(unitId: string) {
  const bytes = await fillTemplate(await templateFor(ref(unitId)), directive, goodValue);
  return uploadReport(ref(unitId), { name: 'bao-cao-q1.xlsx', bytes }, session);
}

const obligation = async (unitId: string) => (await repository().getObligations([ref(unitId)]))[0]!;
const approved = async (unitId: string) => (await obligation(unitId)).approval?.state === 'approved';
const mailsTo = async (address: string, subject: string) => (await flow.stack.inbox()).filter((m) => m.destination.to.includes(address) && m.subject.includes(subject));

async function signedInClient(email: string): Promise<ConsoleClient> {
  const client = new ConsoleClient(flow.stack.console!.url);
  expect((await client.signIn(email)).status).toBe(303);
  return client;
}

beforeAll(async () => {
  flow = await startFlow({ console: true });
  await flow.repo.putUnits(buildPaths(units()));
  await seedPeople(flow.stack, [
    { email: 'duyet@d1.ap.test.vn', name: 'Phạm Thị Duyệt', grants: [{ role: 'approver', unitId: 'ap-d1' }] },
    { email: 'duyet@d2.ap.test.vn', name: 'Võ Văn Bình', grants: [{ role: 'approver', unitId: 'ap-d2' }] },
    { email: 'duyet@x1.ap.test.vn', name: 'Đỗ Thị Trí', grants: [{ role: 'approver', unitId: 'ap-d1-x1' }] },
  ]);
  await issueDirective(sampleDirective({ id: DIRECTIVE, issuerId: 'ap', issuerName: 'UBND tỉnh Bình Thuận', approval: 'parent' }), flow.deps());
  await flow.stack.settle();
  directive = (await flow.repo.getDirective(DIRECTIVE))!;
  session = embeddedSession(flow.stack);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await flow?.stack.stop();
});

describe('the level above approves or returns reports', () => {
  it('story 3: the district returns a report with a reason, the commune is told and uploads again, the district approves; a further upload is refused', { timeout: 240_000 }, async () => {
    // Prepare: Xã Hàm Liêm's report accepted
    expect((await upload('ap-d1-x0')).status).toBe('accepted');
    await flow.stack.clearInbox();
    const { context, page, violations } = await signedIn(browser, flow.stack, 'duyet@d1.ap.test.vn');

    // Act: the home page's count, the list, a return without a reason, then with one
    const home = await page.locator('main').innerText();
    await page.goto(new URL(LIST, flow.stack.console!.url).href);
    const listed = await page.locator('table.data tbody').innerText();
    await page.getByRole('row', { name: /Xã Hàm Liêm/ }).getByRole('link', { name: 'Trả lại' }).click();
    await page.getByRole('button', { name: 'Trả lại báo cáo' }).click();
    const stillRequired = await page.locator('#reason').evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing);
    await page.getByLabel('Lý do trả lại (đơn vị cần sửa gì)').fill('   ');
    await page.getByRole('button', { name: 'Trả lại báo cáo' }).click();
    const emptyReason = await page.locator('[role=alert]').innerText();
    const reason = 'Số hộ nghèo của <Thôn 2> chưa khớp với danh sách rà soát; đề nghị kiểm tra & nộp lại.';
    await page.getByLabel('Lý do trả lại (đơn vị cần sửa gì)').fill(reason);
    await page.getByRole('button', { name: 'Trả lại báo cáo' }).click();
    await page.waitForURL((u) => u.searchParams.get('done') === 'returned');
    const afterReturn = await page.locator('main').innerText();

    // Assess: told the reason by email (escaped in the HTML), the obligation open again, audited
    expect(home).toContain('1 báo cáo chờ duyệt');
    expect(listed).toContain('Xã Hàm Liêm');
    expect(listed).toContain('Chờ duyệt');
    expect(listed).not.toContain('Xã Phan Hiệp');
    expect(stillRequired).toBe(true);
    expect(emptyReason).toContain('Chưa nhập lý do trả lại báo cáo');
    expect(afterReturn).toContain('Đã trả lại báo cáo; đơn vị đã được báo lý do qua thư điện tử.');
    expect(afterReturn).toContain(`Lý do: ${reason}`);
    const mail = await eventually('the return email to Xã Hàm Liêm', async () => (await mailsTo('ubnd@ap-d1-x0.test.vn', 'được trả lại')).at(0));
    expect(mail.subject).toBe('[thidua] Báo cáo Quý I/2027 được trả lại để sửa – Xã Hàm Liêm');
    expect(mail.body.text).toContain(reason);
    expect(mail.body.text).toContain('Huyện Hàm Thuận Bắc đã trả lại báo cáo Quý I/2027 của Xã Hàm Liêm');
    expect(mail.body.html).toContain('Số hộ nghèo của &lt;Thôn 2&gt; chưa khớp với danh sách rà soát; đề nghị kiểm tra &amp; nộp lại.');
    expect(mail.body.html).not.toContain('<Thôn 2>');
    const returned = await obligation('ap-d1-x0');
    expect(returned).toMatchObject({ status: 'open', approval: { state: 'returned', by: 'duyet@d1.ap.test.vn', reasonVi: reason } });
    const trail = await repository().entriesUnder({ id: 'ap-d1', path: ['ap', 'ap-d1'] }, new Date().toISOString().slice(0, 7));
    expect(trail.map((e) => e.summaryVi)).toContain(`Trả lại báo cáo Quý I/2027 của Xã Hàm Liêm (lý do: ${reason})`);

    // Act: the commune uploads again; the district approves it from the list
    const again = await upload('ap-d1-x0');
    await page.goto(new URL(LIST, flow.stack.console!.url).href);
    await page.getByRole('row', { name: /Xã Hàm Liêm/ }).getByRole('button', { name: 'Duyệt' }).click();
    await page.waitForURL((u) => u.searchParams.get('done') === 'approved');
    const afterApprove = await page.locator('main').innerText();

    // Assess: accepted as a resubmission keeping the first timeliness, then approved and locked
    expect(again.status).toBe('accepted');
    expect(afterApprove).toContain('Đã duyệt 1 báo cáo.');
    expect(await obligation('ap-d1-x0')).toMatchObject({ status: 'submitted', onTime: true, acceptedReports: 2, approval: { state: 'approved', by: 'duyet@d1.ap.test.vn' } });
    expect(violations).toEqual([]);

    // Act: a further upload without a return, through the link and as a file put straight into the bucket
    const refused = await upload('ap-d1-x0').then(
      () => ({ messageVi: 'accepted' }),
      (e: unknown) => e as { messageVi: string },
    );
    const key = reportKey({ ...ref('ap-d1-x0'), uploadId: '20270318090000-khoaduyet', ext: 'xlsx' });
    await reportStorage().put(key, await fillTemplate(await templateFor(ref('ap-d1-x0')), directive, goodValue), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const intake = await eventually('the intake\'s verdict on the file put after approval', async () => (await repository().reportsOf(ref('ap-d1-x0'))).find((r) => r.reportKey === key));

    // Assess: refused at the link (409) and at the intake, saying the level above must return it first
    expect(refused.messageVi).toContain('đã được cấp trên duyệt nên không nhận thêm tệp mới');
    expect(refused.messageVi).toContain('đề nghị cấp trên trả lại báo cáo trước');
    expect(intake.status).toBe('rejected');
    expect(intake.problems).toMatchObject([{ code: 'approved' }]);
    expect(await obligation('ap-d1-x0')).toMatchObject({ status: 'submitted', acceptedReports: 2, approval: { state: 'approved' } });
    await context.close();
  });

  it('refuses an approver of another district, and an approver at the commune itself (403, nothing decided)', { timeout: 120_000 }, async () => {
    // Prepare: Xã Hàm Trí's and Xã Phan Hiệp's reports accepted
    expect((await upload('ap-d1-x1')).status).toBe('accepted');
    expect((await upload('ap-d2-x0')).status).toBe('accepted');
    const otherDistrict = await signedInClient('duyet@d2.ap.test.vn');
    const ownCommune = await signedInClient('duyet@x1.ap.test.vn');
    const district = await signedInClient('duyet@d1.ap.test.vn');
    const r = (unitId: string) => `${DIRECTIVE}|${PERIOD}|${unitId}`;

    // Act
    const foreign = await otherDistrict.request('POST', '/approvals/approve', { form: { _csrf: otherDistrict.csrf, one: r('ap-d1-x1') } });
    const foreignReturn = await otherDistrict.request('POST', '/approvals/return', { form: { _csrf: otherDistrict.csrf, r: r('ap-d1-x1'), reason: 'Không rõ' } });
    const own = await ownCommune.request('POST', '/approvals/approve', { form: { _csrf: ownCommune.csrf, one: r('ap-d1-x1') } });
    const mixed = new URLSearchParams([['_csrf', district.csrf], ['r', r('ap-d1-x1')], ['r', r('ap-d2-x0')]]);
    const bulkOutside = await district.request('POST', '/approvals/approve', { form: mixed });
    const foreignList = await (await otherDistrict.request('GET', LIST)).text();

    // Assess
    expect(foreign.status).toBe(403);
    expect(foreignReturn.status).toBe(403);
    expect(own.status).toBe(403);
    expect(bulkOutside.status).toBe(403);
    expect(await approved('ap-d1-x1')).toBe(false);
    expect(await approved('ap-d2-x0')).toBe(false);
    expect((await obligation('ap-d1-x1')).status).toBe('submitted');
    expect(foreignList).toContain('Xã Phan Hiệp');
    expect(foreignList).not.toContain('Xã Hàm Trí');
  });

  it('counts only approved reports in the results of a directive with approval, and the digest says how many await it', { timeout: 180_000 }, async () => {
    // Prepare: Xã Hàm Phú's report accepted too; Hàm Liêm is approved, Hàm Trí, Hàm Phú and Phan Hiệp await approval
    expect((await upload('ap-d1-x2')).status).toBe('accepted');
    await flow.stack.clearInbox();

    // Act: the period's results are due
    await eventPublisher().publish('ResultsDue', { directiveId: DIRECTIVE, periodId: PERIOD, scheduledTime: new Date().toISOString() });
    await flow.stack.settle();

    // Assess
    const results = await eventually('the period\'s results', () => resultsStore().getResults(DIRECTIVE, PERIOD));
    expect(results.units['ap-d1']?.rates).toMatchObject({ expected: 3, received: 1 });
    expect(results.units['ap-d1-x0']?.reporting?.status).toBe('on-time');
    expect(results.units['ap-d1-x1']?.reporting?.status).not.toMatch(/on-time|late/);
    const digest = await eventually('the district leader\'s digest', async () => (await mailsTo('lanhdao@d1.ap.test.vn', 'Kết quả thi đua')).at(0));
    expect(digest.body.text).toContain('Còn 2 báo cáo chờ cấp trên duyệt; kết quả chỉ tính các báo cáo đã được duyệt.');
    const province = await eventually('the province leader\'s digest', async () => (await mailsTo('lanhdao@ap.test.vn', 'Kết quả thi đua')).at(0));
    expect(province.body.text).toContain('Còn 3 báo cáo chờ cấp trên duyệt');
  });

  it('approves a page of reports at once with one form, and the results follow', { timeout: 180_000 }, async () => {
    // Prepare
    const { context, page, violations } = await signedIn(browser, flow.stack, 'duyet@d1.ap.test.vn');
    await page.goto(new URL(LIST, flow.stack.console!.url).href);
    const shots = mkdtempSync(join(tmpdir(), 'thidua-approvals-'));
    await page.screenshot({ path: join(shots, 'approvals.png'), fullPage: true });
    if (process.env.UPDATE_DOCS_PNG === '1') copyFileSync(join(shots, 'approvals.png'), fileURLToPath(new URL('../docs/approvals-page.png', import.meta.url)));
    rmSync(shots, { recursive: true });
    await page.setViewportSize({ width: 360, height: 800 });
    const phoneWidth = await page.evaluate<number>('document.documentElement.scrollWidth');

    // Act: tick every report of the page, approve them with one POST
    await page.getByLabel('Chọn tất cả báo cáo chờ duyệt trên trang').check();
    const ticked = await page.locator('input[name="r"]:checked').count();
    await page.getByRole('button', { name: 'Duyệt các báo cáo đã chọn' }).click();
    await page.waitForURL((u) => u.searchParams.get('done') === 'approved');
    const flash = await page.locator('[role=status]').innerText();

    // Assess: both approved, audited; results computed again count all three
    expect(phoneWidth).toBeLessThanOrEqual(360);
    expect(ticked).toBe(2);
    expect(flash).toBe('Đã duyệt 2 báo cáo.');
    expect(await approved('ap-d1-x1')).toBe(true);
    expect(await approved('ap-d1-x2')).toBe(true);
    expect(await approved('ap-d2-x0')).toBe(false);
    const trail = await repository().entriesUnder({ id: 'ap-d1', path: ['ap', 'ap-d1'] }, new Date().toISOString().slice(0, 7));
    expect(trail.filter((e) => e.actor === 'duyet@d1.ap.test.vn' && e.summaryVi.startsWith('Duyệt báo cáo')).map((e) => e.unitId).sort()).toEqual(['ap-d1-x0', 'ap-d1-x1', 'ap-d1-x2']);
    await flow.stack.settle();
    const results = await eventually('results counting the approved reports', async () => {
      const r = await resultsStore().getResults(DIRECTIVE, PERIOD);
      return r?.units['ap-d1']?.rates.received === 3 ? r : undefined;
    });
    expect(results.units['ap-d1']?.rates.received).toBe(3);
    expect(violations).toEqual([]);
    await context.close();
  });

  it('shows the values read and serves the original file of a report to its approver only', { timeout: 60_000 }, async () => {
    // Prepare
    const district = await signedInClient('duyet@d1.ap.test.vn');
    const otherDistrict = await signedInClient('duyet@d2.ap.test.vn');
    const q = `d=${DIRECTIVE}&p=${PERIOD}&u=ap-d1-x0`;

    // Act
    const values = await district.request('GET', `/approvals/report?${q}`);
    const file = await district.request('GET', `/approvals/file?${q}`);
    const foreign = await otherDistrict.request('GET', `/approvals/file?${q}`);

    // Assess
    expect(values.status).toBe(200);
    const html = await values.text();
    expect(html).toContain('Số liệu báo cáo Quý I/2027 – Xã Hàm Liêm');
    expect(html).toContain('Thôn 2');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toContain(`bao-cao-${PERIOD}-ap-d1-x0.xlsx`);
    expect(Buffer.from(await file.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    expect(foreign.status).toBe(403);
  });
});
