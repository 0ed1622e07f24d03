/**
 * The upload page in a real browser (Debian's Chromium through playwright-core) on the embedded stack: an officer on a
 * phone follows the link in the request email, downloads the blank workbook, uploads it filled, and sees the receipt
 * on the page; a wrong file shows every problem; a failed network says so instead of spinning forever.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDirective } from '../shared/app/directives.ts';
import type { Directive } from '../shared/domain/directive.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';
import { eventPublisher } from '../shared/adapters/wiring.ts';
import { eventually, loadProvince, sampleDirective, startFlow, type Flow } from './support/flow.ts';

let flow: Flow;
let browser: Browser;
let directive: Directive;
let tmp: string;
const DIRECTIVE = 'br-2027';

beforeAll(async () => {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  tmp = mkdtempSync(join(tmpdir(), 'thidua-browser-'));
  flow = await startFlow();
  await loadProvince(flow, 'br', 3);
  await issueDirective(sampleDirective({ id: DIRECTIVE, issuerId: 'br', targetUnits: { scope: 'children' } }), flow.deps());
  await flow.stack.settle();
  directive = (await flow.repo.getDirective(DIRECTIVE))!;
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await flow?.stack.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The request email for the unit's first-quarter report, as the period close sends it, and its upload link. */
async function emailedLink(unitId: string, officer: string): Promise<string> {
  const [o] = await flow.repo.getObligations([{ directiveId: DIRECTIVE, periodId: '2027-Q1', unitId }]);
  await eventPublisher().publish('ReportRequested', {
    key: `request:${unitId}:decree09:2027-03-14`,
    recipientUnitId: unitId,
    asOf: '2027-03-15',
    items: [{ directiveId: DIRECTIVE, periodId: '2027-Q1', unitId, dueDate: o!.dueDate }],
  });
  await flow.stack.settle();
  const mail = await eventually('the request email', async () => (await flow.stack.inbox()).find((m) => m.destination.to.includes(officer) && m.subject.startsWith('[thidua] Đề nghị nộp báo cáo')));
  const link = /href="([^"]+\?t=[^"]+)"/.exec(mail.body.html ?? '')?.[1];
  expect(link, 'the email links the upload page').toBeTruthy();
  return link!.replaceAll('&amp;', '&');
}

/** What of the browser's window these tests call (the project compiles without the DOM's types). */
interface BrowserWindow {
  getComputedStyle(el: unknown): { color: string; fontWeight: string };
}

/** A phone-sized page that records what the CSP refused (nothing should be). */
async function phonePage(): Promise<{ page: Page; violations: string[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return { page, violations };
}

describe('the upload page in a real browser', () => {
  it('takes a filled workbook from the emailed link to the receipt, on the page and by email', async () => {
    // Prepare: the link from the email, and the blank workbook downloaded from the page
    const link = await emailedLink('br-x0', 'ubnd.x0@br.test.vn');
    const { page, violations } = await phonePage();
    await page.goto(link);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải mẫu báo cáo (.xlsx)' }).click()]);
    const blank = new Uint8Array(await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[])));
    const filled = join(tmp, 'bao-cao-quy-1.xlsx');
    writeFileSync(filled, await fillTemplate(blank, directive, goodValue));

    // Act
    await page.getByLabel('Tệp báo cáo').setInputFiles(filled);
    await page.getByRole('button', { name: 'Nộp báo cáo' }).click();

    // Assess
    await expect.poll(() => page.locator('#msg').innerText(), { timeout: 60_000 }).toMatch(/^Báo cáo đã được tiếp nhận/);
    expect(await page.locator('#verdict').innerText()).toContain('Số dòng số liệu đã đọc: 2');
    const [obligation] = await flow.repo.getObligations([{ directiveId: DIRECTIVE, periodId: '2027-Q1', unitId: 'br-x0' }]);
    expect(obligation?.status).toBe('submitted');
    await eventually('the receipt email', async () => (await flow.stack.inbox()).find((m) => m.destination.to.includes('ubnd.x0@br.test.vn') && m.subject.startsWith('[thidua] Đã nhận báo cáo')));
    expect(violations).toEqual([]);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(tmp, 'upload-receipt.png'), fullPage: true });
    if (process.env.UPDATE_DOCS_PNG === '1') copyFileSync(join(tmp, 'upload-receipt.png'), fileURLToPath(new URL('../docs/upload-page.png', import.meta.url)));
  });

  it('shows every problem of a wrong file on the page', async () => {
    // Prepare
    const link = await emailedLink('br-x1', 'ubnd.x1@br.test.vn');
    const { page } = await phonePage();
    await page.goto(link);
    const wrong = join(tmp, 'sai.csv');
    writeFileSync(wrong, 'thon,bhyt\nThôn 1,140\n');

    // Act
    await page.getByLabel('Tệp báo cáo').setInputFiles(wrong);
    await page.getByRole('button', { name: 'Nộp báo cáo' }).click();

    // Assess
    await expect.poll(() => page.locator('#msg').innerText(), { timeout: 60_000 }).toMatch(/^Báo cáo chưa hợp lệ \(\d+ lỗi\)/);
    const problems = await page.locator('#verdict li').allInnerTexts();
    expect(problems.length).toBeGreaterThan(1);
    expect(problems.some((p) => p.startsWith('Thiếu cột'))).toBe(true);
  });

  it('says in Vietnamese when the upload cannot reach the bucket, and gives the button back', async () => {
    // Prepare: the network drops every request to the bucket
    const link = await emailedLink('br-x2', 'ubnd.x2@br.test.vn');
    const { page } = await phonePage();
    await page.goto(link);
    await page.route('**/_s3/**', (route) => route.abort('connectionreset'));
    const file = join(tmp, 'bat-ky.csv');
    writeFileSync(file, 'thon,bhyt\nThôn 1,90\n');

    // Act
    await page.getByLabel('Tệp báo cáo').setInputFiles(file);
    await page.getByRole('button', { name: 'Nộp báo cáo' }).click();

    // Assess
    await expect.poll(() => page.locator('#msg').innerText(), { timeout: 30_000 }).toBe('Không kết nối được tới máy chủ. Hãy kiểm tra kết nối mạng rồi bấm Nộp lại.');
    expect(await page.getByRole('button', { name: 'Nộp báo cáo' }).isEnabled()).toBe(true);
  });

  it('the local inbox shows a mail as its sender styled it, and runs none of its script (no unsafe-inline)', async () => {
    // Prepare: a mail with inline styles, a style element and a script
    const ses = new SESClient({ region: 'ap-southeast-1', endpoint: flow.stack.sesEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const html = '<style>.note{font-weight:700}</style><p id="styled" class="note" style="color:rgb(1, 2, 3)">Xin chào</p><script>parent.document.title="pwned"</script>';
    await ses.send(new SendEmailCommand({ Source: 'thidua@thidua.local', Destination: { ToAddresses: ['hop-thu@br.test.vn'] }, Message: { Subject: { Data: 'Thư có kiểu chữ' }, Body: { Html: { Data: html }, Text: { Data: 'Xin chào' } } } }));
    ses.destroy();
    const { page, violations } = await phonePage();

    // Act
    await page.goto(flow.stack.inboxUrl);
    const mail = page.locator('article.mail', { hasText: 'Thư có kiểu chữ' });
    await mail.locator('summary', { hasText: 'Thư (HTML)' }).click();
    const frame = mail.frameLocator('iframe');
    const styled = frame.locator('#styled');
    await styled.waitFor();

    // Assess
    const style = await styled.evaluate((el) => {
      const { color, fontWeight } = (globalThis as unknown as BrowserWindow).getComputedStyle(el);
      return { color, fontWeight };
    });
    expect(style).toEqual({ color: 'rgb(1, 2, 3)', fontWeight: '700' });
    expect(await page.title()).toBe('Hộp thư cục bộ – thidua');
    expect(await mail.innerText()).toContain('hop-thu@br.test.vn');
    const csp = (await fetch(flow.stack.inboxUrl)).headers.get('content-security-policy') ?? '';
    expect(csp).not.toContain('unsafe-inline');
    expect(violations).toEqual([]);
  });
});
