/**
 * Story 2 of the console, in a real browser on a phone-sized window (390×844): a commune's officer gives its villages
 * their targets (a split that falls short is refused, with the message on the page, and nothing is stored), downloads
 * the report template (its village rows show their targets), uploads the filled workbook from the browser and sees
 * the receipt on the page and by email; a wrong cell is shown cell by cell; another commune's officer gets 403 on the
 * pages and the API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amendDirective, issueDirective } from '../shared/app/directives.ts';
import { computePeriodResults } from '../shared/app/results.ts';
import { resultsStore } from '../shared/adapters/wiring.ts';
import { systemClock } from '../shared/app/ports.ts';
import type { Directive } from '../shared/domain/directive.ts';
import { buildPaths } from '../shared/domain/units.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';
import { eventually, provinceRows, sampleDirective, startFlow, type Flow } from './support/flow.ts';
import { ConsoleClient, launchBrowser, seedPeople, signedIn } from './support/console.ts';

let flow: Flow;
let browser: Browser;
let directive: Directive;
let tmp: string;
const DIRECTIVE = 'ov-2027';
const PHONE = { width: 390, height: 844 };
const OFFICER = 'canbo.x0@ov.test.vn';
const OTHER_OFFICER = 'canbo.x1@ov.test.vn';
const REPORT = `/my-reports/${DIRECTIVE}/2027-Q1/ov-x0`;
const SPLIT = `/targets/${DIRECTIVE}/ov-x0`;

/** Targets for Thôn 1 and Thôn 2 of Xã Hàm Liêm 1 that reach the commune's (the directive's) on every indicator. */
const GOOD_SPLIT: Record<string, [string, string]> = {
  'thu-quy': ['100', '100'],
  'giao-thong': ['0,5', '1,5'],
  'ho-ngheo': ['3', '1'],
  'suy-dinh-duong': ['8', '8'],
  'thon-van-hoa': ['90', '90'],
  'gia-dinh-van-hoa': ['92', '92'],
  'thu-gom-rac': ['80', '85'],
  bhyt: ['93', '95'],
  'dang-vien-moi': ['3', '2'],
  'chi-bo-vung-manh': ['Có', 'Có'],
  'khong-toi-pham': ['0', '0'],
  'khong-attp': ['0', '0'],
  'khong-khieu-kien': ['0', '0'],
  'khong-tai-nan': ['0', '0'],
};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'thidua-officer-'));
  flow = await startFlow({ console: true });
  // Villages with their households and people: the weighted means weigh by them.
  const rows = provinceRows('ov', 2).map((r) => (r.level === 'village' ? { ...r, households: r.id.endsWith('t0') ? 300 : 100, population: r.id.endsWith('t0') ? 1200 : 400 } : r));
  await flow.repo.putUnits(buildPaths(rows));
  await issueDirective(sampleDirective({ id: DIRECTIVE, issuerId: 'ov', targetUnits: { scope: 'children' } }), flow.deps());
  await flow.stack.settle();
  directive = (await flow.repo.getDirective(DIRECTIVE))!;
  await seedPeople(flow.stack, [
    { email: OFFICER, name: 'Trần Thị Cán', grants: [{ role: 'officer', unitId: 'ov-x0' }] },
    { email: OTHER_OFFICER, name: 'Lê Văn Bộ', grants: [{ role: 'officer', unitId: 'ov-x1' }] },
  ]);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await flow?.stack.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** With UPDATE_DOCS_PNG=1, the page as docs/<name>.png (the screenshots in docs/ are made this way, not every run). */
async function docsScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_DOCS_PNG !== '1') return;
  await page.screenshot({ path: fileURLToPath(new URL(`../docs/${name}.png`, import.meta.url)), fullPage: true });
}

async function fillSplit(page: Page, split: Record<string, [string, string]>): Promise<void> {
  for (const [indicatorId, [t0, t1]] of Object.entries(split)) {
    for (const [village, value] of [['ov-x0-t0', t0], ['ov-x0-t1', t1]] as const) {
      const field = page.locator(`[name="v:${village}:${indicatorId}"]`);
      if (indicatorId === 'chi-bo-vung-manh') await field.selectOption(value);
      else await field.fill(value);
    }
  }
}

async function bytesOf(download: { createReadStream(): Promise<NodeJS.ReadableStream> }): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Uploads a file on the report page and waits for the verdict the page shows. */
async function upload(page: Page, name: string, bytes: Uint8Array, verdict: RegExp): Promise<string> {
  const file = join(tmp, name);
  writeFileSync(file, bytes);
  await page.getByLabel('Tệp báo cáo').setInputFiles(file);
  await page.getByRole('button', { name: 'Nộp báo cáo' }).click();
  await expect.poll(() => page.locator('#msg').innerText(), { timeout: 60_000 }).toMatch(verdict);
  return page.locator('#msg').innerText();
}

describe('a commune officer on a phone (story 2)', () => {
  let blank: Uint8Array;

  it('sets its villages’ targets: a split that falls short is refused with the figures, a right one is stored', async () => {
    // Prepare
    const { context, page, violations } = await signedIn(browser, flow.stack, OFFICER, PHONE);
    const home = await page.locator('main').innerText();
    await page.goto(new URL('/targets', flow.stack.console!.url).href);
    await page.getByRole('link', { name: 'Chỉ thị số 23-CT/TU' }).click();
    await page.waitForURL((u) => u.pathname === SPLIT);

    // Act: 0,5 + 1 km of road falls short of the commune's 2 km
    await fillSplit(page, { ...GOOD_SPLIT, 'giao-thong': ['0,5', '1'] });
    await page.getByRole('button', { name: 'Lưu chỉ tiêu các thôn' }).click();
    await page.locator('#problems').waitFor();
    const refused = await page.locator('#problems').innerText();
    await docsScreenshot(page, 'console-targets');
    const storedAfterRefusal = await flow.stack.console!.deps.villageTargets.getVillageTargets(DIRECTIVE, ['ov-x0']);
    await page.locator('[name="v:ov-x0-t1:giao-thong"]').fill('1,5');
    await page.getByRole('button', { name: 'Lưu chỉ tiêu các thôn' }).click();
    await page.locator('.flash.ok').waitFor();

    // Assess
    expect(home).toContain('Báo cáo cần nộp\nQuý I/2027 – Xã Hàm Liêm 1: hạn 19/03/2027');
    expect(refused).toBe('Chỉ tiêu "Làm mới, nâng cấp đường giao thông nông thôn" (km): tổng chỉ tiêu của các thôn là 1,5, chưa đạt chỉ tiêu của xã là 2');
    expect(storedAfterRefusal.size).toBe(0);
    expect(await page.locator('.flash.ok').innerText()).toBe('Đã lưu chỉ tiêu của 2 thôn. Mẫu báo cáo và kết quả của các thôn dùng chỉ tiêu này.');
    const stored = (await flow.stack.console!.deps.villageTargets.getVillageTargets(DIRECTIVE, ['ov-x0'])).get('ov-x0');
    expect(stored?.targets['ov-x0-t0']).toMatchObject({ 'giao-thong': 0.5, 'ho-ngheo': 3, 'chi-bo-vung-manh': true });
    expect(stored?.targets['ov-x0-t1']).toMatchObject({ 'giao-thong': 1.5, 'dang-vien-moi': 2 });
    expect(violations).toEqual([]);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await context.close();
  });

  it('downloads the report template whose village rows show the villages’ targets', async () => {
    // Prepare
    const { context, page } = await signedIn(browser, flow.stack, OFFICER, PHONE);
    await page.goto(new URL('/my-reports', flow.stack.console!.url).href);
    await docsScreenshot(page, 'console-my-reports');
    await page.locator(`a[href="${REPORT}"]`).click();
    await page.waitForURL((u) => u.pathname === REPORT);

    // Act
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải mẫu báo cáo (.xlsx)' }).click()]);
    blank = await bytesOf(download);

    // Assess: the block "Chỉ tiêu giao cho thôn" right of the indicators, one row per village
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(blank) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Báo cáo')!;
    const columnOf = (header: string) => (ws.getRow(8).values as unknown[]).indexOf(header);
    const road = columnOf('Chỉ tiêu giao: Làm mới, nâng cấp đường giao thông nông thôn (km)');
    const cell = columnOf('Chỉ tiêu giao: Chi bộ, ban điều hành, ban công tác Mặt trận thôn, khu phố hoàn thành tốt nhiệm vụ (có/không)');
    expect(road).toBeGreaterThan(directive.indicators.length + 1);
    expect([ws.getCell(10, 1).value, ws.getCell(10, road).value, ws.getCell(10, cell).value]).toEqual(['Thôn 1', 0.5, 'Có']);
    expect([ws.getCell(11, 1).value, ws.getCell(11, road).value, ws.getCell(11, cell).value]).toEqual(['Thôn 2', 1.5, 'Có']);
    await context.close();
  });

  it('uploads the filled workbook from the browser and sees the receipt on the page and by email', async () => {
    // Prepare
    const { context, page, violations } = await signedIn(browser, flow.stack, OFFICER, PHONE);
    await page.goto(new URL(REPORT, flow.stack.console!.url).href);

    // Act
    const msg = await upload(page, 'bao-cao-quy-1.xlsx', await fillTemplate(blank, directive, goodValue), /^Báo cáo đã được tiếp nhận/);

    // Assess
    expect(msg).toMatch(/^Báo cáo đã được tiếp nhận( đúng hạn)?\. Biên nhận đã được gửi qua email\.$/);
    expect(await page.locator('#verdict').innerText()).toBe('Số dòng số liệu đã đọc: 2');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await docsScreenshot(page, 'console-my-report-receipt');
    const [obligation] = await flow.repo.getObligations([{ directiveId: DIRECTIVE, periodId: '2027-Q1', unitId: 'ov-x0' }]);
    expect(obligation?.status).toBe('submitted');
    await eventually('the receipt email', async () => (await flow.stack.inbox()).find((m) => m.destination.to.includes('ubnd.x0@ov.test.vn') && m.subject.startsWith('[thidua] Đã nhận báo cáo')));
    expect(violations).toEqual([]);
    const results = await computePeriodResults(DIRECTIVE, '2027-Q1', { directives: flow.repo, units: flow.repo, assignments: flow.repo, obligations: flow.repo, reports: flow.repo, results: resultsStore(), clock: systemClock, villageTargets: flow.repo });
    expect(results.units['ov-x0-t1']?.indicators['giao-thong']).toMatchObject({ actual: 1.5, target: 1.5, met: true });
    await context.close();
  });

  it('shows the rejection of a workbook with a wrong cell, cell by cell', async () => {
    // Prepare: Thôn 2's health-insurance rate at 140 %
    const { context, page } = await signedIn(browser, flow.stack, OFFICER, PHONE);
    await page.goto(new URL(REPORT, flow.stack.console!.url).href);
    const wrong = await fillTemplate(blank, directive, (row, id) => (row === 1 && id === 'bhyt' ? 140 : goodValue(row, id)));

    // Act
    await upload(page, 'bao-cao-sai.xlsx', wrong, /^Báo cáo chưa hợp lệ \(1 lỗi\)/);

    // Assess: column I is "bhyt" (the 8th indicator from column B), row 11 is Thôn 2
    expect(await page.locator('#verdict li').allInnerTexts()).toEqual([expect.stringMatching(/^Ô I11: .*140/)]);
    const mail = await eventually('the rejection email', async () => (await flow.stack.inbox()).find((m) => m.destination.to.includes('ubnd.x0@ov.test.vn') && m.subject.startsWith('[thidua] Báo cáo Quý I/2027 chưa hợp lệ')));
    expect(mail.body.text).toContain('I11');
    await context.close();
  });

  it('refuses another commune’s officer on both pages and the API (403), and stores nothing', async () => {
    // Prepare
    const other = new ConsoleClient(flow.stack.console!.url);
    await other.signIn(OTHER_OFFICER);
    const before = await flow.stack.console!.deps.villageTargets.getVillageTargets(DIRECTIVE, ['ov-x0']);

    // Act
    const answers = await Promise.all([
      other.request('GET', REPORT),
      other.request('GET', `${REPORT}/template`),
      other.request('GET', SPLIT),
      other.request('POST', SPLIT, { form: { _csrf: other.csrf, 'v:ov-x0-t0:giao-thong': '9' } }),
      other.request('POST', `/api/reports/${DIRECTIVE}/2027-Q1/ov-x0/presign`, { json: { fileName: 'x.xlsx', size: 100 }, headers: { 'x-csrf-token': other.csrf } }),
      other.request('GET', `/api/reports/${DIRECTIVE}/2027-Q1/ov-x0/status?key=x`),
    ]);

    // Assess
    expect(answers.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(await answers[4]!.json()).toMatchObject({ error: 'Bạn không có quyền với đơn vị này' });
    expect(await flow.stack.console!.deps.villageTargets.getVillageTargets(DIRECTIVE, ['ov-x0'])).toEqual(before);
  });

  it('takes the villages’ targets as a workbook too: downloaded, filled, uploaded, checked the same way', async () => {
    // Prepare: the workbook of the current split
    const { context, page } = await signedIn(browser, flow.stack, OFFICER, PHONE);
    await page.goto(new URL(SPLIT, flow.stack.console!.url).href);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải tệp chỉ tiêu các thôn (.xlsx)' }).click()]);
    const withMembers = async (t0: number) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await bytesOf(download)) as unknown as ArrayBuffer);
      const ws = wb.getWorksheet('Chỉ tiêu thôn')!;
      const row = [...Array(ws.rowCount).keys()].map((i) => i + 1).find((r) => ws.getCell(r, 2).value === 'dang-vien-moi')!;
      ws.getCell(row, 4).value = t0;
      const file = join(tmp, `chi-tieu-thon-${t0}.xlsx`);
      writeFileSync(file, new Uint8Array(await wb.xlsx.writeBuffer()));
      return file;
    };
    const short = await withMembers(1);
    const enough = await withMembers(4);

    // Act: 1 + 2 new party members fall short of the commune's 5; 4 + 2 reach it
    await page.getByLabel('Tệp chỉ tiêu các thôn (.xlsx)').setInputFiles(short);
    await page.getByRole('button', { name: 'Tải lên và lưu' }).click();
    await page.locator('#problems').waitFor();
    const refused = await page.locator('#problems').innerText();
    await page.getByLabel('Tệp chỉ tiêu các thôn (.xlsx)').setInputFiles(enough);
    await page.getByRole('button', { name: 'Tải lên và lưu' }).click();
    await page.locator('.flash.ok').waitFor();

    // Assess
    expect(refused).toBe('Chỉ tiêu "Kết nạp đảng viên mới" (người): tổng chỉ tiêu của các thôn là 3, chưa đạt chỉ tiêu của xã là 5');
    const stored = (await flow.stack.console!.deps.villageTargets.getVillageTargets(DIRECTIVE, ['ov-x0'])).get('ov-x0');
    expect(stored?.targets['ov-x0-t0']).toMatchObject({ 'dang-vien-moi': 4, 'giao-thong': 0.5 });
    expect(stored?.updatedBy).toBe(OFFICER);
    const trail = await flow.stack.console!.deps.audit.entriesUnder({ id: 'ov-x0', path: ['ov', 'ov-x0'] }, new Date().toISOString().slice(0, 7));
    expect(trail.filter((e) => e.action === 'targets.split')).toHaveLength(2);
    expect(trail.filter((e) => e.action === 'report.upload')).toHaveLength(2);
    await context.close();
  });

  it('tells the officer when an amendment leaves the villages’ split short of the commune’s new target', async () => {
    // Prepare: the province raises Hàm Liêm 1's new party members from 5 to 10 after the split was saved (4 + 2)
    await amendDirective(sampleDirective({ id: DIRECTIVE, issuerId: 'ov', targetUnits: { scope: 'children' }, unitTargets: { 'ov-x0': { 'dang-vien-moi': 10 } } }), flow.deps());
    await flow.stack.settle();
    const { context, page } = await signedIn(browser, flow.stack, OFFICER, PHONE);

    // Act
    await page.goto(new URL('/targets', flow.stack.console!.url).href);
    const list = await page.locator('main').innerText();
    await page.goto(new URL(SPLIT, flow.stack.console!.url).href);
    const warning = await page.locator('.flash.warn[role=alert]').innerText();

    // Assess
    expect(list).toContain('Chỉ thị đã điều chỉnh sau lần giao');
    expect(warning).toContain('cần giao lại');
    expect(warning).toContain('Chỉ tiêu "Kết nạp đảng viên mới" (người): tổng chỉ tiêu của các thôn là 6, chưa đạt chỉ tiêu của xã là 10');
    await context.close();
  });
});
