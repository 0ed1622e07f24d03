/**
 * Story 5 of the console (issue 12), after the others on one stack: the province office uploads a directive document
 * and extends a deadline, a commune officer uploads its report from the console, the district returns it with a
 * reason, the commune uploads again and the district approves. Then another commune's officer asks for that
 * commune's report page and its API: 403 both, nothing served; and the office reads the audit trail, which lists
 * every one of those actions with who, which unit and the request id.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { issueDirective } from '../shared/app/directives.ts';
import { buildPaths, type UnitRow } from '../shared/domain/units.ts';
import type { Directive } from '../shared/domain/directive.ts';
import { vietnamDate } from '../shared/domain/calendar/index.ts';
import { templateFor } from '../local/cli/report.ts';
import { SAMPLE_DOCUMENT_PDF } from '../local/cli/demo.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';
import { eventually, sampleDirective, startFlow, type Flow } from './support/flow.ts';
import { ConsoleClient, launchBrowser, seedPeople, signedIn } from './support/console.ts';

let flow: Flow;
let browser: Browser;
let directive: Directive;

const DIRECTIVE = 'st-2027';
const PERIOD = '2027-Q1';
const OFFICE = 'vanphong@st.test.vn';
const OFFICER = 'canbo@st-h-x0.test.vn';
const NEIGHBOUR = 'canbo@st-h-x1.test.vn';
const APPROVER = 'duyet@st-h.test.vn';
const REPORT = { directiveId: DIRECTIVE, periodId: PERIOD, unitId: 'st-h-x0' };
const API = `/api/reports/${DIRECTIVE}/${PERIOD}/st-h-x0`;

function units(): UnitRow[] {
  const rows: UnitRow[] = [
    { id: 'st', name: 'Tỉnh Bình Thuận', level: 'province', emails: ['vp@st.test.vn'], leaderEmails: [] },
    { id: 'st-h', name: 'Huyện Hàm Thuận Bắc', level: 'district', parentId: 'st', emails: ['vp@st-h.test.vn'], leaderEmails: [] },
  ];
  for (const [id, name] of [['st-h-x0', 'Xã Hàm Liêm'], ['st-h-x1', 'Xã Hàm Trí']] as const) {
    rows.push({ id, name, level: 'commune', parentId: 'st-h', emails: [`ubnd@${id}.test.vn`], leaderEmails: [] });
    for (let v = 0; v < 2; v++) rows.push({ id: `${id}-t${v}`, name: `Thôn ${v + 1}`, level: 'village', parentId: id, emails: [], leaderEmails: [] });
  }
  return rows;
}

async function client(email: string): Promise<ConsoleClient> {
  const c = new ConsoleClient(flow.stack.console!.url);
  expect((await c.signIn(email)).status).toBe(303);
  return c;
}

/** The officer's upload as the console's page does it: presign through the console, PUT to the bucket, wait for the verdict. */
async function uploadFromConsole(officer: ConsoleClient): Promise<string> {
  const bytes = await fillTemplate(await templateFor(REPORT), directive, goodValue);
  const presign = await officer.request('POST', `${API}/presign`, { json: { fileName: 'bao-cao-q1.xlsx', size: bytes.byteLength }, headers: { 'x-csrf-token': officer.csrf } });
  expect(presign.status).toBe(200);
  const { url, key, headers } = (await presign.json()) as { url: string; key: string; headers: Record<string, string> };
  expect((await fetch(url, { method: 'PUT', headers, body: bytes })).ok).toBe(true);
  return eventually('the verdict of the upload', async () => {
    const verdict = (await (await officer.request('GET', `${API}/status?key=${encodeURIComponent(key)}`)).json()) as { state: string };
    return verdict.state === 'accepted' ? key : undefined;
  });
}

beforeAll(async () => {
  flow = await startFlow({ console: true });
  await flow.repo.putUnits(buildPaths(units()));
  await seedPeople(flow.stack, [
    { email: OFFICE, name: 'Nguyễn Thị Thu Hà', grants: [{ role: 'office', unitId: 'st' }] },
    { email: APPROVER, name: 'Lê Quang Vinh', grants: [{ role: 'approver', unitId: 'st-h' }] },
    { email: OFFICER, name: 'Phạm Thị Lan', grants: [{ role: 'officer', unitId: 'st-h-x0' }] },
    { email: NEIGHBOUR, name: 'Trần Văn Trí', grants: [{ role: 'officer', unitId: 'st-h-x1' }] },
  ]);
  await issueDirective(sampleDirective({ id: DIRECTIVE, issuerId: 'st', issuerName: 'UBND tỉnh Bình Thuận', approval: 'parent' }), flow.deps());
  await flow.stack.settle();
  directive = (await flow.repo.getDirective(DIRECTIVE))!;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await flow?.stack.stop();
});

describe('story 5: another commune is refused, and the audit trail lists every action', () => {
  it('refuses a commune officer another commune’s page and API call, and lists every action of the story in the audit trail', { timeout: 300_000 }, async () => {
    // Prepare: the story's actions, each through the console
    const office = await client(OFFICE);
    const letter = new FormData();
    letter.set('unitId', 'st');
    letter.set('file', new File([readFileSync(SAMPLE_DOCUMENT_PDF)], 'cong-van-2020.pdf', { type: 'application/pdf' }));
    expect((await office.request('POST', '/directives/upload', { multipart: letter, headers: { 'x-csrf-token': office.csrf } })).status).toBe(303);
    const extended = await office.request('POST', `/directives/${DIRECTIVE}/extend`, { form: { _csrf: office.csrf, periodId: PERIOD, unitId: 'st-h-x1', until: '2027-04-30', reason: 'Xã bị ảnh hưởng bão số 3' } });
    expect(extended.status).toBe(303);
    const officer = await client(OFFICER);
    await uploadFromConsole(officer);
    const approver = await client(APPROVER);
    const ref = `${DIRECTIVE}|${PERIOD}|st-h-x0`;
    expect((await approver.request('POST', '/approvals/return', { form: { _csrf: approver.csrf, r: ref, reason: 'Thiếu số liệu Thôn 2', back: '/approvals' } })).status).toBe(303);
    await eventually('the return email', async () => (await flow.stack.inbox()).find((m) => m.destination.to.includes('ubnd@st-h-x0.test.vn') && m.subject.includes('được trả lại')));
    await uploadFromConsole(officer);
    // The approver's page showed the first file: approving it after the second arrived is refused, then done as seen.
    const unseen = await approver.request('POST', '/approvals/approve', { form: { _csrf: approver.csrf, one: `${ref}|1`, back: '/approvals' } });
    expect((await flow.repo.getObligations([REPORT]))[0]?.approval?.state).toBe('returned');
    expect((await approver.request('POST', '/approvals/approve', { form: { _csrf: approver.csrf, one: `${ref}|2`, back: '/approvals' } })).status).toBe(303);
    const locked = await officer.request('POST', `${API}/presign`, { json: { fileName: 'bao-cao-q1.xlsx', size: 1000 }, headers: { 'x-csrf-token': officer.csrf } });

    // Act: the neighbouring commune's officer asks for Hàm Liêm's page (in the browser) and its API
    const neighbour = await signedIn(browser, flow.stack, NEIGHBOUR, { width: 390, height: 844 });
    const pageResponse = await neighbour.page.goto(new URL(`/my-reports/${DIRECTIVE}/${PERIOD}/st-h-x0`, flow.stack.console!.url).href);
    const refusedPage = await neighbour.page.locator('main').innerText();
    const neighbourApi = await client(NEIGHBOUR);
    const apiStatus = await neighbourApi.request('GET', `${API}/status?key=x`);
    const apiPresign = await neighbourApi.request('POST', `${API}/presign`, { json: { fileName: 'a.xlsx', size: 100 }, headers: { 'x-csrf-token': neighbourApi.csrf } });
    // Act: the office reads the audit trail of its province for this month
    const month = vietnamDate(new Date()).slice(0, 7);
    const audit = await signedIn(browser, flow.stack, OFFICE);
    await audit.page.goto(new URL(`/audit?unit=st&month=${month}`, flow.stack.console!.url).href);
    const rows = await audit.page.locator('table.data tbody tr').allInnerTexts();
    if (process.env.UPDATE_DOCS_PNG === '1') await audit.page.screenshot({ path: fileURLToPath(new URL('../docs/console-audit.png', import.meta.url)) });

    // Assess: nothing decided on a file the approver had not seen
    expect(unseen.status).toBe(400);
    expect(await unseen.text()).toContain('Báo cáo của Xã Hàm Liêm vừa được nộp lại sau khi bạn xem');
    // Assess: the approved report is locked in the console as at the link (409, the reason in Vietnamese)
    expect(locked.status).toBe(409);
    expect(((await locked.json()) as { error: string }).error).toMatch(/đã được cấp trên duyệt/);
    // Assess: refused, nothing served
    expect(pageResponse?.status()).toBe(403);
    expect(refusedPage).toContain('Bạn không có quyền với đơn vị này');
    expect(refusedPage).not.toContain('Nộp báo cáo');
    expect(apiStatus.status).toBe(403);
    expect(apiPresign.status).toBe(403);
    expect(((await apiPresign.json()) as { error: string }).error).toBe('Bạn không có quyền với đơn vị này');
    // Assess: every action, with who did it, for which unit, and a request id
    const has = (actor: string, unit: string, words: RegExp) => rows.filter((r) => r.includes(actor) && r.includes(unit) && words.test(r));
    expect(has(OFFICE, 'st', /Tải lên văn bản chỉ đạo “cong-van-2020\.pdf”/)).toHaveLength(1);
    expect(has(OFFICE, 'st', /Gia hạn Quý I\/2027 của Chỉ thị số 23-CT\/TU cho Xã Hàm Trí đến .* Xã bị ảnh hưởng bão số 3/)).toHaveLength(1);
    expect(has(OFFICER, 'st-h-x0', /Tải lên báo cáo Quý I\/2027/)).toHaveLength(2);
    expect(has(APPROVER, 'st-h-x0', /Trả lại báo cáo Quý I\/2027 của Xã Hàm Liêm \(lý do: Thiếu số liệu Thôn 2\)/)).toHaveLength(1);
    expect(has(APPROVER, 'st-h-x0', /Duyệt báo cáo Quý I\/2027 của Xã Hàm Liêm/)).toHaveLength(1);
    expect(rows.filter((r) => r.includes(NEIGHBOUR))).toEqual([]);
    for (const r of rows) expect(r.trim().split('\t').at(-1)).toMatch(/\S{8,}/);
    expect(neighbour.violations).toEqual([]);
    await neighbour.context.close();
    await audit.context.close();
  });
});
