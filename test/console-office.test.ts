/**
 * The issuing office in the console, in a real browser on the embedded stack (story 1 of the console issue): the
 * province office uploads the 2020 letter as PDF, completes the draft in the form and confirms it, and every commune's
 * assignment email arrives. Then: a confirmation refused with what is missing, per-unit targets as a workbook round
 * trip (one bad cell: a precise message, nothing changed), amendment and extension audited, another province's
 * office refused.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, launchBrowser, seedPeople, signedIn } from './support/console.ts';
import { eventually, loadProvince, sampleDirective, startFlow, type Flow } from './support/flow.ts';
import { issueDirective } from '../shared/app/directives.ts';

const PDF = readFileSync(fileURLToPath(new URL('./fixtures/documents/seed-002.pdf', import.meta.url)));
const OFFICE = 'vanphong@p1.test.vn';
const OTHER_OFFICE = 'vanphong@p2.test.vn';
const COMMUNES = ['p1-x0', 'p1-x1', 'p1-x2'];
/** What the office completes: the figures the 2020 letter leaves to the office (seed 002 §2). */
const TARGETS: Record<string, string> = {
  'thu-quy': '100',
  'giao-thong': '2',
  'ho-ngheo': '3',
  'suy-dinh-duong': '8',
  'thon-van-hoa': '90',
  'gia-dinh-van-hoa': '92',
  'thu-gom-rac': '80',
  bhyt: '93',
};

/** A short letter as plain text, as an office without a PDF has it. */
const LETTER_77 = `TỈNH ỦY BÌNH THUẬN
Số 77-CV/TU                        Bình Thuận, ngày 02 tháng 6 năm 2022
V/v báo cáo kết quả phong trào thi đua năm 2022

Kính gửi: Đảng ủy các xã, thị trấn

Đề nghị các xã báo cáo hằng quý tỷ lệ hộ nghèo và tỷ lệ người dân tham gia bảo hiểm y tế.
`;

let flow: Flow;
/** The stack's clock runs on real time, moved forward only where a test needs a deadline behind it. */
let shiftMs = 0;
let browser: Browser;
let directiveId = '';

beforeAll(async () => {
  flow = await startFlow({ console: true, now: () => new Date(Date.now() + shiftMs) });
  await loadProvince(flow, 'p1', 3);
  await loadProvince(flow, 'p2', 2);
  await seedPeople(flow.stack, [
    { email: OFFICE, name: 'Nguyễn Thị Thi Đua', grants: [{ role: 'office', unitId: 'p1' }] },
    { email: OTHER_OFFICE, name: 'Trần Văn Khác', grants: [{ role: 'office', unitId: 'p2' }] },
  ]);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await flow?.stack.stop();
});

const mailsTo = async (to: string) => (await flow.stack.inbox()).filter((m) => m.destination.to.includes(to));

/** Uploads the letter from the Chỉ thị page and waits for its draft's page (the document function reads the PDF). */
async function uploadLetter(page: Page, name: string): Promise<string> {
  await page.goto(new URL('/directives', flow.stack.console!.url).href);
  await page.getByLabel('Văn bản chỉ đạo (PDF, DOCX hoặc .txt)').setInputFiles({ name, mimeType: 'application/pdf', buffer: PDF });
  await page.getByRole('button', { name: 'Tải lên' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/drafts/'), { timeout: 120_000 });
  return new URL(page.url()).pathname.split('/')[2]!;
}

/** Fills the common targets of the letter's indicators, row by row by their id, and drops the one left without. */
async function completeIndicators(page: Page): Promise<void> {
  const rows = Number(await page.locator('input[name="indicatorRows"]').inputValue());
  for (let i = 0; i < rows; i++) {
    const id = await page.locator(`input[name="ind.${i}.id"]`).inputValue();
    if (TARGETS[id]) await page.locator(`input[name="ind.${i}.target"]`).fill(TARGETS[id]);
    if (id === 'dang-vien-moi') await page.locator(`input[name="ind.${i}.remove"]`).check();
  }
}

describe('the issuing office in the console', () => {
  it('story 1: uploads the 2020 letter as PDF, completes the draft in the form, confirms; every commune is emailed its assignment', async () => {
    // Prepare
    const { context, page, violations } = await signedIn(browser, flow.stack, OFFICE);

    // Act: the upload (presigned PUT from the page), then the draft as read
    const draftId = await uploadLetter(page, 'cong-van-2020.pdf');

    // Assess: what is missing stands out, what to check is listed
    expect(draftId).toMatch(/^bn-[0-9a-f]{10}$/);
    const missing = await page.locator('#draft-missing').innerText();
    expect(missing).toContain('Cần bổ sung (11)');
    expect(await page.locator('.missing').count()).toBeGreaterThanOrEqual(11);
    expect(await page.locator('main').innerText()).toContain('Triển khai Chỉ thị số 23-CT/TU');
    expect(await page.locator('#draft-review').innerText()).toMatch(/^Cần kiểm tra lại\n/);
    if (process.env.UPDATE_DOCS_PNG === '1') await page.screenshot({ path: fileURLToPath(new URL('../docs/console-draft.png', import.meta.url)), fullPage: false });

    // Act: complete it in the form, one commune with a target of its own, and confirm
    await page.getByLabel('Số, ký hiệu').fill('15-CV/TU');
    await page.getByLabel('Ngày ban hành (ngày/tháng/năm)').fill('05/03/2020');
    await completeIndicators(page);
    await page.getByLabel('Mục tiêu riêng – Xã Hàm Liêm 1 – Tỷ lệ hộ nghèo', { exact: true }).fill('4,5');
    await page.getByRole('button', { name: 'Xác nhận và ban hành' }).click();
    await page.waitForURL((u) => /^\/directives\/[a-z0-9-]+$/.test(u.pathname));

    // Assess: issued through the CLI's use case, every commune emailed, the draft confirmed
    directiveId = new URL(page.url()).pathname.split('/')[2]!;
    expect(await page.locator('.flash.ok').innerText()).toContain('Đã ban hành chỉ thị');
    const directive = (await flow.repo.getDirective(directiveId))!;
    expect(directive).toMatchObject({ number: '15-CV/TU', issuedOn: '2020-03-05', issuerId: 'p1', year: 2020, targetUnits: { scope: 'level', level: 'commune' } });
    expect(directive.indicators.map((i) => i.id)).not.toContain('dang-vien-moi');
    expect(directive.unitTargets).toEqual({ 'p1-x0': { 'ho-ngheo': 4.5 } });
    for (const [c] of COMMUNES.entries()) {
      await eventually(`the assignment email to commune ${c}`, async () => ((await mailsTo(`ubnd.x${c}@p1.test.vn`)).find((m) => m.subject.includes('15-CV/TU')) ? true : undefined));
    }
    expect((await flow.stack.console!.deps.drafts.getDraft(draftId))!).toMatchObject({ status: 'confirmed', directiveId });
    expect(await page.getByRole('link', { name: 'Tình hình báo cáo' }).getAttribute('href')).toBe(`/directives/${directiveId}/status`);
    if (process.env.UPDATE_DOCS_PNG === '1') {
      await page.screenshot({ path: fileURLToPath(new URL('../docs/console-directive.png', import.meta.url)) });
      await page.goto(new URL('/directives?year=2020', flow.stack.console!.url).href);
      await page.screenshot({ path: fileURLToPath(new URL('../docs/console-directives.png', import.meta.url)) });
    }
    expect(violations).toEqual([]);
    await context.close();
  }, 240_000);

  it('refuses a confirmation that still lacks targets: the list of what is missing, highlighted, nothing issued', async () => {
    // Prepare
    const { context, page } = await signedIn(browser, flow.stack, OTHER_OFFICE);
    const draftId = await uploadLetter(page, 'cong-van-2020-p2.pdf');
    await page.getByLabel('Số, ký hiệu').fill('16-CV/TU');

    // Act
    await page.getByRole('button', { name: 'Xác nhận và ban hành' }).click();
    await page.waitForURL((u) => u.pathname === `/drafts/${draftId}/confirm`);

    // Assess
    expect(await page.locator('.flash.error').innerText()).toBe('Chưa thể ban hành: còn thiếu 10 mục; bổ sung vào biểu mẫu rồi bấm lại');
    const problems = await page.locator('#form-problems li').allInnerTexts();
    expect(problems[0]).toMatch(/^Ngày ban hành: /);
    expect(problems).toContain('Chỉ tiêu “Tỷ lệ hộ nghèo” còn thiếu mục tiêu');
    expect(await page.getByLabel('Số, ký hiệu').inputValue()).toBe('16-CV/TU');
    expect(await page.locator('input.missing[name$=".target"]').count()).toBe(9);
    expect((await flow.stack.console!.deps.drafts.getDraft(draftId))!.status).toBe('draft');
    expect((await flow.repo.directivesOfYear(2020)).filter((d) => d.issuerId === 'p2')).toEqual([]);
    await context.close();
  }, 180_000);

  it('takes per-unit targets as a workbook: one bad cell refused with its place, nothing changed; the corrected file fills the grid', async () => {
    // Prepare: the other province's draft, its targets completed, one commune's target typed in the grid
    const { context, page } = await signedIn(browser, flow.stack, OTHER_OFFICE);
    const draftId = (await flow.stack.console!.deps.drafts.draftsOf('p2'))[0]!.draftId;
    await page.goto(new URL(`/drafts/${draftId}`, flow.stack.console!.url).href);
    await completeIndicators(page);
    const typed = page.getByLabel('Mục tiêu riêng – Xã Hàm Trí 1 – Tỷ lệ hộ nghèo', { exact: true });
    await typed.fill('2');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải tệp Excel mục tiêu' }).click()]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFileSync(await download.path())) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Mục tiêu')!;
    const idsRow = sheet.getRow(4).values as unknown[];
    const col = idsRow.indexOf('ho-ngheo');
    const rowOf = (unitId: string) => [...Array(sheet.rowCount).keys()].map((r) => r + 1).find((r) => sheet.getCell(r, 1).value === unitId)!;
    expect(sheet.getCell(rowOf('p2-x1'), col).value).toBe(2);
    sheet.getCell(rowOf('p2-x0'), col).value = 'abc';
    sheet.getCell(rowOf('p2-x1'), col).value = 1.5;
    const bad = Buffer.from(await workbook.xlsx.writeBuffer());

    // Act: the file with one bad cell
    await page.getByLabel('Tệp Excel mục tiêu đã điền (.xlsx)').setInputFiles({ name: 'muc-tieu.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bad });
    await page.getByRole('button', { name: 'Nhập mục tiêu từ tệp' }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/targets'));

    // Assess: the cell named, the form as it was
    const letter = String.fromCharCode(64 + col);
    expect(await page.locator('.flash.error').innerText()).toBe('Tệp mục tiêu có 1 lỗi; chưa nhập gì, hãy sửa rồi tải lên lại');
    expect(await page.locator('#form-problems li').allInnerTexts()).toEqual([`Ô ${letter}${rowOf('p2-x0')} (Xã Hàm Liêm 1, “Tỷ lệ hộ nghèo”): “abc” không phải là một số`]);
    expect(await page.getByLabel('Mục tiêu riêng – Xã Hàm Trí 1 – Tỷ lệ hộ nghèo', { exact: true }).inputValue()).toBe('2');
    expect(await page.getByLabel('Mục tiêu riêng – Xã Hàm Liêm 1 – Tỷ lệ hộ nghèo', { exact: true }).inputValue()).toBe('');

    // Act: the corrected file
    sheet.getCell(rowOf('p2-x0'), col).value = '2,5';
    const good = Buffer.from(await workbook.xlsx.writeBuffer());
    await page.getByLabel('Tệp Excel mục tiêu đã điền (.xlsx)').setInputFiles({ name: 'muc-tieu.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: good });
    await page.getByRole('button', { name: 'Nhập mục tiêu từ tệp' }).click();
    await page.locator('.flash.ok').waitFor();

    // Assess: the grid holds the file's targets; nothing is issued before the office confirms
    expect(await page.locator('.flash.ok').innerText()).toContain('Đã nhập mục tiêu riêng cho 2 đơn vị');
    expect(await page.getByLabel('Mục tiêu riêng – Xã Hàm Liêm 1 – Tỷ lệ hộ nghèo', { exact: true }).inputValue()).toBe('2,5');
    expect(await page.getByLabel('Mục tiêu riêng – Xã Hàm Trí 1 – Tỷ lệ hộ nghèo', { exact: true }).inputValue()).toBe('1,5');
    expect((await flow.stack.console!.deps.drafts.getDraft(draftId))!.status).toBe('draft');
    await context.close();
  }, 180_000);

  it('extends a deadline for every unit still owing and amends a target, each with its reason in the audit trail', async () => {
    // Prepare
    const { context, page } = await signedIn(browser, flow.stack, OFFICE);
    await page.goto(new URL(`/directives/${directiveId}`, flow.stack.console!.url).href);

    // Act: extend the first quarter for all
    await page.getByLabel('Kỳ báo cáo').selectOption({ index: 0 });
    await page.getByLabel('Hạn mới').fill('2020-12-30');
    await page.getByLabel('Lý do gia hạn').fill('Bão lũ kéo dài');
    await page.getByRole('button', { name: 'Gia hạn' }).click();
    await page.locator('.flash.ok').waitFor();
    const extended = await page.locator('.flash.ok').innerText();

    // Act: amend the poverty target
    await page.getByRole('link', { name: 'Điều chỉnh chỉ thị' }).click();
    await page.getByLabel('Mục tiêu – Tỷ lệ hộ nghèo', { exact: true }).fill('2,5');
    await page.getByLabel('Lý do điều chỉnh').fill('Theo Nghị quyết HĐND tỉnh');
    await page.getByRole('button', { name: 'Lưu điều chỉnh' }).click();
    await page.locator('.flash.ok').waitFor();
    await flow.stack.settle();

    // Assess: the amendment's fan-out keeps the extended deadline
    const [o] = await flow.repo.getObligations([{ directiveId, periodId: '2020-Q1', unitId: 'p1-x2' }]);
    expect(extended).toBe('Đã gia hạn cho 3 đơn vị.');
    const directive = (await flow.repo.getDirective(directiveId))!;
    expect(directive.version).toBe(2);
    expect(directive.indicators.find((i) => i.id === 'ho-ngheo')?.target).toBe(2.5);
    expect(o?.dueDate).toBe('2020-12-30');
    const p1 = (await flow.repo.getUnits(['p1'])).get('p1')!;
    const entries = await flow.stack.console!.deps.audit.entriesUnder(p1, new Date().toISOString().slice(0, 7));
    expect(entries.find((e) => e.action === 'deadline.extend')).toMatchObject({ actor: OFFICE, unitId: 'p1', summaryVi: expect.stringContaining('Lý do: Bão lũ kéo dài') });
    expect(entries.find((e) => e.summaryVi.startsWith('Điều chỉnh'))).toMatchObject({ actor: OFFICE, action: 'directive.write', target: directiveId, summaryVi: expect.stringContaining('Lý do: Theo Nghị quyết HĐND tỉnh') });
    expect(entries.find((e) => e.summaryVi.startsWith('Xác nhận bản nháp'))).toMatchObject({ target: directiveId });
    await context.close();
  }, 120_000);

  it('refuses an amendment saved over a newer version: the second office to save is told, nothing of theirs overwrites the first', async () => {
    // Prepare: two offices' pages open the same directive's amendment form
    const first = await signedIn(browser, flow.stack, OFFICE);
    const second = await signedIn(browser, flow.stack, OFFICE);
    const edit = new URL(`/directives/${directiveId}/edit`, flow.stack.console!.url).href;
    await first.page.goto(edit);
    await second.page.goto(edit);
    const before = (await flow.repo.getDirective(directiveId))!.version;

    // Act: the first saves, then the second
    await first.page.getByLabel('Mục tiêu – Tỷ lệ hộ nghèo', { exact: true }).fill('2');
    await first.page.getByLabel('Lý do điều chỉnh').fill('Theo kết quả rà soát giữa năm');
    await first.page.getByRole('button', { name: 'Lưu điều chỉnh' }).click();
    await first.page.locator('.flash.ok').waitFor();
    await second.page.getByLabel('Mục tiêu – Tỷ lệ hộ nghèo', { exact: true }).fill('3');
    await second.page.getByLabel('Lý do điều chỉnh').fill('Theo đề nghị của huyện');
    await second.page.getByRole('button', { name: 'Lưu điều chỉnh' }).click();
    await second.page.locator('.flash.error').waitFor();

    // Assess
    expect(await second.page.locator('.flash.error').innerText()).toContain(`Chỉ thị vừa được điều chỉnh thành phiên bản ${before + 1} sau khi bạn mở biểu mẫu (phiên bản ${before}); chưa lưu gì`);
    const directive = (await flow.repo.getDirective(directiveId))!;
    expect(directive.version).toBe(before + 1);
    expect(directive.indicators.find((i) => i.id === 'ho-ngheo')?.target).toBe(2);
    await first.context.close();
    await second.context.close();
  }, 120_000);

  it('refuses another province’s office: its directive, its draft, its changes and its uploads answer 403', async () => {
    // Prepare
    const client = new ConsoleClient(flow.stack.console!.url);
    expect((await client.signIn(OTHER_OFFICE)).status).toBe(303);
    const p1Draft = (await flow.stack.console!.deps.drafts.draftsOf('p1'))[0]!.draftId;
    const before = (await flow.repo.getDirective(directiveId))!.version;

    // Act
    const responses = await Promise.all([
      client.request('GET', `/directives/${directiveId}`),
      client.request('GET', `/directives/${directiveId}/edit`),
      client.request('GET', `/drafts/${p1Draft}`),
      client.request('POST', `/directives/${directiveId}/withdraw`, { form: { _csrf: client.csrf, reason: 'thử' } }),
      client.request('POST', `/directives/${directiveId}/extend`, { form: { _csrf: client.csrf, periodId: '2020-Q2', until: '2020-12-30', reason: 'thử' } }),
      client.request('POST', '/directives/upload/presign', { json: { unitId: 'p1', fileName: 'x.pdf', size: 100 }, headers: { 'x-csrf-token': client.csrf, accept: 'application/json' } }),
    ]);

    // Assess
    expect(responses.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect((await flow.repo.getDirective(directiveId))!).toMatchObject({ version: before, status: 'issued' });
    const list = await (await client.request('GET', '/directives?year=2020')).text();
    expect(list).not.toContain(directiveId);
  }, 60_000);

  it('shows the office on its home page what needs it now: its draft still to complete', async () => {
    // Prepare
    const client = new ConsoleClient(flow.stack.console!.url);
    await client.signIn(OTHER_OFFICE);
    const draftId = (await flow.stack.console!.deps.drafts.draftsOf('p2'))[0]!.draftId;

    // Act
    const home = await (await client.request('GET', '/')).text();

    // Assess
    expect(home).toContain('Việc cần làm – Tỉnh Bình Thuận');
    expect(home).toContain('Bản nháp chờ hoàn thiện (1)');
    expect(home).toContain(`href="/drafts/${draftId}"`);
  }, 60_000);

  it('takes a document without a script in the browser: the file posted with the form, the reading followed by a refresh link', async () => {
    // Prepare
    const client = new ConsoleClient(flow.stack.console!.url);
    await client.signIn(OFFICE);
    const form = new FormData();
    form.set('_csrf', client.csrf);
    form.set('unitId', 'p1');
    form.set('file', new Blob([LETTER_77], { type: 'text/plain' }), 'cong-van-77.txt');

    // Act
    const posted = await client.request('POST', '/directives/upload', { multipart: form });
    const wait = posted.headers.get('location') ?? '';
    const draftPage = await eventually('the draft from the posted document', async () => {
      const res = await client.request('GET', wait);
      return res.status === 303 ? res.headers.get('location') ?? undefined : undefined;
    });

    // Assess
    expect(posted.status).toBe(303);
    expect(wait).toMatch(/^\/directives\/upload\/wait\?key=documents%2Fp1%2F/);
    expect(draftPage).toMatch(/^\/drafts\/bn-[0-9a-f]{10}$/);
    const html = await (await client.request('GET', draftPage)).text();
    expect(html).toContain('value="77-CV/TU"');
    expect(html).toContain('Cần bổ sung');
  }, 120_000);

  it('shows the office on its home page the units overdue, per directive and period', async () => {
    // Prepare: a 2027 directive to the province's communes, and the stack's clock in May 2027 (the first quarter's deadline behind it)
    await issueDirective(sampleDirective({ id: 'p1-23-ct-tu-2027', issuerId: 'p1', targetUnits: { scope: 'children' } }), flow.deps());
    await flow.stack.settle();
    const client = new ConsoleClient(flow.stack.console!.url);
    await client.signIn(OFFICE);
    shiftMs = Date.parse('2027-05-04T03:00:00Z') - Date.now();

    // Act
    let home: string;
    try {
      home = await (await client.request('GET', '/')).text();
    } finally {
      shiftMs = 0;
    }

    // Assess
    expect(home).toContain('Đơn vị quá hạn nộp báo cáo');
    expect(home).toMatch(/href="\/directives\/p1-23-ct-tu-2027\/status">Chỉ thị số 23-CT\/TU<\/a>, [^:]+: <b>3<\/b> đơn vị quá hạn \(lâu nhất \d+ ngày\)/);
  }, 60_000);

  it('withdraws only with a reason: without one a precise message and nothing changed; with one, withdrawn and audited', async () => {
    // Prepare
    const client = new ConsoleClient(flow.stack.console!.url);
    await client.signIn(OFFICE);
    const id = 'p1-23-ct-tu-2027';

    // Act
    const refused = await client.request('POST', `/directives/${id}/withdraw`, { form: { _csrf: client.csrf, reason: '  ' } });
    const badDate = await client.request('POST', `/directives/${id}/extend`, { form: { _csrf: client.csrf, periodId: '2027-Q1', until: '30/02/2027', reason: 'Mưa bão' } });
    const withdrawn = await client.request('POST', `/directives/${id}/withdraw`, { form: { _csrf: client.csrf, reason: 'Ban hành nhầm, thay bằng văn bản khác' } });

    // Assess
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Cần ghi lý do thu hồi');
    expect(badDate.status).toBe(400);
    expect(await badDate.text()).toContain('Ngày gia hạn &quot;30/02/2027&quot; không hợp lệ');
    expect(withdrawn.status).toBe(303);
    expect((await flow.repo.getDirective(id))!).toMatchObject({ status: 'withdrawn', withdrawnReason: 'Ban hành nhầm, thay bằng văn bản khác' });
    const p1 = (await flow.repo.getUnits(['p1'])).get('p1')!;
    const entries = await flow.stack.console!.deps.audit.entriesUnder(p1, new Date().toISOString().slice(0, 7));
    expect(entries.filter((e) => e.target === id).map((e) => e.summaryVi)).toEqual(['Thu hồi Chỉ thị số 23-CT/TU. Lý do: Ban hành nhầm, thay bằng văn bản khác']);
  }, 60_000);

  it('starts from an empty form: refused with what the directive lacks, then issued to the communes', async () => {
    // Prepare
    const client = new ConsoleClient(flow.stack.console!.url);
    await client.signIn(OFFICE);
    const blank = await (await client.request('GET', '/directives/new?unit=p1')).text();
    const fields = {
      _csrf: client.csrf,
      issuerId: 'p1',
      id: 'p1-ke-hoach-05-2026',
      kind: 'kế hoạch',
      number: '05-KH/TU',
      issuedOn: '02/01/2026',
      title: 'Kế hoạch thi đua năm 2026',
      year: '2026',
      scope: 'children',
      cadences: 'year',
      cutoff: 'decree09',
      deadlineKind: 'workingDaysAfterCutoff',
      deadlineValue: '5',
      approval: 'none',
      indicatorRows: '1',
      'ind.0.id': 'ho-ngheo',
      'ind.0.name': 'Tỷ lệ hộ nghèo',
      'ind.0.kind': 'percent',
      'ind.0.measure': '%',
      'ind.0.direction': 'decrease',
      'ind.0.aggregation': 'weighted-mean',
      'ind.0.weightBy': 'households',
    };

    // Act
    const refused = await client.request('POST', '/directives/new/issue', { form: fields });
    const issued = await client.request('POST', '/directives/new/issue', { form: { ...fields, 'ind.0.target': '2,5' } });

    // Assess
    expect(blank).toContain('Chỉ thị mới từ biểu mẫu trống');
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/indicators\[0\]\.target: [^<]*mục tiêu của chỉ tiêu/);
    expect(issued.status).toBe(303);
    expect(issued.headers.get('location')).toBe('/directives/p1-ke-hoach-05-2026?done=issued');
    const directive = (await flow.repo.getDirective('p1-ke-hoach-05-2026'))!;
    expect(directive).toMatchObject({ issuerId: 'p1', issuerName: 'Tỉnh Bình Thuận', kind: 'kế hoạch', issuedOn: '2026-01-02', cadences: ['year'] });
    expect(directive.indicators[0]).toMatchObject({ id: 'ho-ngheo', target: 2.5, weightBy: 'households' });
    await flow.stack.settle();
    expect(await flow.repo.countAssignments(directive)).toEqual({ active: 3, withdrawn: 0 });
  }, 60_000);
});
