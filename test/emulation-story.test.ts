/**
 * Issue 13's story through the embedded stack and the console, on the simulated clock: one province, four communes
 * in two districts, one directive a year for 2025–2027 (a year report each).
 *
 * 2027: the communes register (one is reminded by the morning sweep and registers late), the office sets two clusters
 * that cross the districts (a unit in two clusters of one block is refused), the year's reports come in and the
 * clusters rank their units beside their districts' ranks; a district nominates a commune with its achievement
 * report; the council's secretary records a session refused for want of quorum, then a valid one with tallies at the
 * boundaries; the passed are posted publicly, one opinion comes in, the posting ends; the office issues the decision
 * (read back from its DOCX), the awardees are told, the history holds the titles; registering after the year is
 * refused; and the three-year review's trends are the ones worked out by hand below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import mammoth from 'mammoth';
import type { Browser } from 'playwright-core';
import { issueDirective } from '../shared/app/directives.ts';
import { computePeriodResults } from '../shared/app/results.ts';
import { reviewOf } from '../shared/app/review.ts';
import { leaveOpinion } from '../shared/app/council.ts';
import { emulationStore, eventPublisher, repository, resultsStore } from '../shared/adapters/wiring.ts';
import { buildPaths, type UnitRow } from '../shared/domain/units.ts';
import type { DirectiveInput } from '../shared/domain/directive.ts';
import { templateFor, uploadReport } from '../local/cli/report.ts';
import { embeddedSession, type Session } from '../local/cli/connect.ts';
import { fillTemplate } from '../local/sample/reports.ts';
import { fire, firingsBetween } from '../local/stack/scheduler.ts';
import { eventually, startFlow, type Flow } from './support/flow.ts';
import { fileURLToPath } from 'node:url';
import { ConsoleClient, launchBrowser, seedPeople, signedIn } from './support/console.ts';

let flow: Flow;
let browser: Browser;
let uploads: Session;
let now = new Date('2025-01-06T02:00:00Z');
const setNow = (iso: string) => (now = new Date(iso));

const P = 'ey';
const A = 'ey-d1-x0'; // Xã Hàm Liêm
const B = 'ey-d1-x1'; // Xã Hàm Trí
const C = 'ey-d2-x0'; // Xã Phan Hiệp
const D = 'ey-d2-x1'; // Xã Phan Rí Thành
const TT = 'tap-the-lao-dong-tien-tien';
const XS = 'tap-the-lao-dong-xuat-sac';
const FLAG = 'co-thi-dua-tinh';
const D2027 = 'ey-2027';
const yearPath = `/emulation/${D2027}`;

function units(): UnitRow[] {
  const rows: UnitRow[] = [
    { id: P, name: 'Tỉnh Bình Thuận', level: 'province', emails: ['vp@ey.test.vn'], leaderEmails: ['lanhdao@ey.test.vn'] },
    { id: 'ey-d1', name: 'Huyện Hàm Thuận Bắc', level: 'district', parentId: P, emails: ['vp@d1.ey.test.vn'], leaderEmails: [] },
    { id: 'ey-d2', name: 'Huyện Tuy Phong', level: 'district', parentId: P, emails: ['vp@d2.ey.test.vn'], leaderEmails: [] },
  ];
  const communes = [
    [A, 'Xã Hàm Liêm', 'ey-d1'],
    [B, 'Xã Hàm Trí', 'ey-d1'],
    [C, 'Xã Phan Hiệp', 'ey-d2'],
    [D, 'Xã Phan Rí Thành', 'ey-d2'],
  ] as const;
  for (const [id, name, parentId] of communes) {
    rows.push({ id, name, level: 'commune', parentId, emails: [`ubnd@${id}.test.vn`], leaderEmails: [`chutich@${id}.test.vn`] });
    for (let v = 0; v < 2; v++) rows.push({ id: `${id}-t${v}`, name: `Thôn ${v + 1}`, level: 'village', parentId: id, emails: [], leaderEmails: [] });
  }
  return rows;
}

function directive(year: number): DirectiveInput {
  return {
    id: `ey-${year}`,
    number: '23-CT/TU',
    kind: 'chỉ thị',
    issuerId: P,
    issuerName: 'Ban Thường vụ Tỉnh ủy Bình Thuận',
    title: `Về phong trào thi đua trên các địa bàn thôn, khu phố năm ${year}`,
    year,
    issuedOn: `${year}-01-05`,
    targetUnits: { scope: 'level', level: 'commune' },
    cadences: ['year'],
    cutoff: 'decree09',
    deadline: { kind: 'workingDaysAfterCutoff', days: 2 },
    indicators: [
      { id: 'giao-thong', name: 'Làm mới đường giao thông nông thôn', measure: 'km', kind: 'number', direction: 'increase', aggregation: 'sum', target: 2 },
      { id: 'ho-ngheo', name: 'Tỷ lệ hộ nghèo', measure: '%', kind: 'percent', direction: 'decrease', aggregation: 'mean', target: 3 },
      { id: 'khong-tai-nan', group: '4 không', name: 'Số vụ tai nạn giao thông nghiêm trọng', measure: 'vụ', kind: 'count', direction: 'decrease', aggregation: 'sum', target: 0 },
    ],
    unitTargets: {},
    approval: 'none',
  };
}

/**
 * Each village's figures (two villages a commune), by year. The commune's own: roads the villages' sum, the poor
 * rate their mean, accidents their sum.
 *             2025            2026            2027
 * Hàm Liêm    2 km  4 %  0    3 km  3 %  0    4 km  2 %  0     roads +2, poor −2: both improved
 * Hàm Trí     3 km  2 %  0    2 km  3 %  1    1 km  4 %  0     roads −2, poor +2: both declined
 * Phan Hiệp   2 km  3 %  0    2 km  3 %  0    2 km  3 %  0     unchanged
 * Phan Rí T.  2 km  3 %  0    2 km  3 %  1    2.5   2.5  0     roads +0.5, poor −0.5: both improved
 * "4 không": 2025 no breach; 2026 two (Hàm Trí, Phan Rí Thành); 2027 none.
 */
const FIGURES: Record<number, Record<string, [number, number, number, number, number, number]>> = {
  // [roads v0, roads v1, poor v0, poor v1, accidents v0, accidents v1]
  2025: { [A]: [1, 1, 4, 4, 0, 0], [B]: [1.5, 1.5, 2, 2, 0, 0], [C]: [1, 1, 3, 3, 0, 0], [D]: [1, 1, 3, 3, 0, 0] },
  2026: { [A]: [1, 2, 3, 3, 0, 0], [B]: [1, 1, 3, 3, 1, 0], [C]: [1, 1, 3, 3, 0, 0], [D]: [1, 1, 3, 3, 0, 1] },
  2027: { [A]: [2, 2, 2, 2, 0, 0], [B]: [0.5, 0.5, 4, 4, 0, 0], [C]: [1, 1, 3, 3, 0, 0], [D]: [1.25, 1.25, 2.5, 2.5, 0, 0] },
};
const COLUMN: Record<string, number> = { 'giao-thong': 0, 'ho-ngheo': 2, 'khong-tai-nan': 4 };

async function reportYear(year: number): Promise<void> {
  const d = (await repository().getDirective(`ey-${year}`))!;
  setNow(`${year}-12-15T03:00:00Z`);
  for (const unitId of [A, B, C, D]) {
    const ref = { directiveId: d.id, periodId: `${year}-Y`, unitId };
    const values = FIGURES[year]![unitId]!;
    const bytes = await fillTemplate(await templateFor(ref), d, (row, indicatorId) => values[COLUMN[indicatorId]! + Math.min(row, 1)]!);
    expect((await uploadReport(ref, { name: `bao-cao-nam-${year}.xlsx`, bytes }, uploads)).status).toBe('accepted');
  }
  await flow.stack.settle();
  const repo = repository();
  await computePeriodResults(d.id, `${year}-Y`, { directives: repo, units: repo, assignments: repo, obligations: repo, reports: repo, results: resultsStore(), clock: { now: () => now } });
}

async function issue(year: number): Promise<void> {
  setNow(`${year}-01-05T02:00:00Z`);
  await issueDirective(directive(year), flow.deps());
  await flow.stack.settle();
}

/** The morning sweep of a Vietnam day, as the scheduler fires it. */
async function sweep(day: string): Promise<void> {
  const at = new Date(`${day}T00:00:00Z`);
  setNow(at.toISOString());
  for (const firing of firingsBetween(new Date(at.getTime() - 1), new Date(at.getTime() + 1)).filter((f) => f.schedule.event === 'DailySweepDue')) await fire(firing, eventPublisher());
  await flow.stack.settle();
}

const clients = new Map<string, ConsoleClient>();
async function as(email: string): Promise<ConsoleClient> {
  const known = clients.get(email);
  if (known) return known;
  const client = new ConsoleClient(flow.stack.console!.url);
  expect((await client.signIn(email)).status).toBe(303);
  clients.set(email, client);
  return client;
}
const post = async (email: string, path: string, form: Record<string, string> | URLSearchParams) => {
  const client = await as(email);
  const body = new URLSearchParams(form);
  body.set('_csrf', client.csrf);
  return client.request('POST', path, { form: body });
};
const postFile = async (email: string, path: string, fields: Record<string, string>, file: { name: string; type: string; bytes: Uint8Array }) => {
  const client = await as(email);
  const form = new FormData();
  form.set('_csrf', client.csrf);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }), file.name);
  return client.request('POST', path, { multipart: form });
};
const page = async (email: string, path: string) => (await as(email)).request('GET', path);
const mailsTo = async (address: string, subject: string) => (await flow.stack.inbox()).filter((m) => m.destination.to.includes(address) && m.subject.includes(subject));

const OFFICE = 'vp@ey.test.vn';
const DISTRICT_OFFICE = 'vp@d1.ey.test.vn';
const SECRETARY = 'thuky@ey.test.vn';
const LEADER = 'lanhdao@ey.test.vn';
const officer = (unitId: string) => `canbo@${unitId}.test.vn`;

beforeAll(async () => {
  flow = await startFlow({ console: true, now: () => now });
  await flow.repo.putUnits(buildPaths(units()));
  await seedPeople(flow.stack, [
    { email: OFFICE, name: 'Trần Thị Văn Phòng', grants: [{ role: 'office', unitId: P }] },
    { email: DISTRICT_OFFICE, name: 'Lê Văn Huyện', grants: [{ role: 'office', unitId: 'ey-d1' }] },
    { email: SECRETARY, name: 'Nguyễn Thị Thư Ký', grants: [{ role: 'secretary', unitId: P }] },
    { email: LEADER, name: 'Phạm Văn Lãnh Đạo', grants: [{ role: 'leader', unitId: P }] },
    ...[A, B, C, D].map((u) => ({ email: officer(u), name: `Cán bộ ${u}`, grants: [{ role: 'officer' as const, unitId: u }] })),
  ]);
  uploads = embeddedSession(flow.stack);
  browser = await launchBrowser();
  // Two years already behind: 2025 and 2026 reported and closed.
  for (const year of [2025, 2026]) {
    await issue(year);
    await reportYear(year);
  }
  await issue(2027);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await flow?.stack.stop();
});

const CLUSTERS = ['ma_cum,ten_cum,khoi,ma_don_vi,thu_tu_truong_cum,nam_bat_dau', `c1,Cụm 1,Xã,${A},1,2027`, `c1,Cụm 1,Xã,${C},2,`, `c2,Cụm 2,Xã,${B},2,2027`, `c2,Cụm 2,Xã,${D},1,`].join('\n');
const csv = (text: string) => ({ name: 'cum-khoi.csv', type: 'text/csv', bytes: new TextEncoder().encode(text) });

describe('the emulation year, start to finish', () => {
  it('clusters: a unit in two clusters of one block is refused and nothing is stored; crossing districts is fine', { timeout: 60_000 }, async () => {
    // Act
    const twice = await postFile(OFFICE, `${yearPath}/clusters`, {}, csv(`${CLUSTERS}\nc2,Cụm 2,Xã,${A},,`));
    const refusal = await twice.text();
    const storedAfterRefusal = await emulationStore().clustersOf(D2027, 2027);
    const good = await postFile(OFFICE, `${yearPath}/clusters`, {}, csv(CLUSTERS));
    const byOfficer = await postFile(officer(A), `${yearPath}/clusters`, {}, csv(CLUSTERS));

    // Assess
    expect(twice.status).toBe(400);
    expect(refusal).toContain('Xã Hàm Liêm thuộc hai cụm của khối Xã: Cụm 1 và Cụm 2');
    expect(storedAfterRefusal).toEqual([]);
    expect(good.status).toBe(303);
    expect(byOfficer.status).toBe(403);
    const stored = await emulationStore().clustersOf(D2027, 2027);
    expect(stored.map((c) => [c.id, c.memberIds])).toEqual([['c1', [A, C]], ['c2', [B, D]]]);
  });

  it('registration: three register in January, one is reminded by the morning sweep and registers late; the office approves', { timeout: 120_000 }, async () => {
    // Prepare
    setNow('2027-01-12T03:00:00Z');
    const titles: Record<string, string> = { [A]: XS, [B]: TT, [C]: TT };

    // Act: registrations, one without the pledge first
    const noPledge = await post(officer(A), `${yearPath}/register`, { unitId: A, title: XS });
    const noPledgeText = await noPledge.text();
    for (const [unitId, title] of Object.entries(titles)) expect((await post(officer(unitId), `${yearPath}/register`, { unitId, title, pledge: 'yes' })).status).toBe(303);
    const forAnother = await post(officer(A), `${yearPath}/register`, { unitId: B, title: TT, pledge: 'yes' });
    for (const unitId of [A, B, C]) expect((await post(OFFICE, `${yearPath}/registrations/${unitId}/decide`, { decision: 'approve' })).status).toBe(303);
    // A retried approval (the same office, the same decision) is no error and changes nothing
    expect((await post(OFFICE, `${yearPath}/registrations/${A}/decide`, { decision: 'approve' })).status).toBe(303);
    await flow.stack.clearInbox();
    await sweep('2027-03-23'); // eight days before the deadline: no reminder yet
    const tooEarly = await mailsTo(officerUnitMail(D), 'Nhắc đăng ký thi đua');
    await sweep('2027-03-24'); // a week before
    await sweep('2027-03-25'); // the same step again: nothing more
    const reminded = await eventually('the registration reminder to Phan Rí Thành', async () => {
      const m = await mailsTo(officerUnitMail(D), 'Nhắc đăng ký thi đua');
      return m.length ? m : undefined;
    });
    const others = (await flow.stack.inbox()).filter((m) => m.subject.includes('Nhắc đăng ký thi đua') && !m.destination.to.includes(officerUnitMail(D)));
    // Phan Rí Thành registers late from the link in its reminder, without signing in
    setNow('2027-04-02T03:00:00Z');
    const link = /(http:\/\/\S+\/dang-ky\/[A-Za-z0-9_.-]+)/.exec(reminded[0]!.body.text ?? '')?.[1] ?? '';
    const tampered = await fetch(link.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')));
    const context = await browser.newContext({ locale: 'vi-VN' });
    const tab = await context.newPage();
    await tab.goto(link);
    await tab.getByLabel('Tập thể lao động tiên tiến').check();
    await tab.getByRole('button', { name: 'Gửi đăng ký' }).click();
    const withoutPledge = await tab.locator('main').innerText();
    await tab.getByLabel('Tập thể lao động tiên tiến').check();
    await tab.getByLabel('Đơn vị ký giao ước thi đua của cụm').check();
    await tab.getByRole('button', { name: 'Gửi đăng ký' }).click();
    const late = await tab.locator('[role=status]').innerText();
    await context.close();
    const approveLate = await post(OFFICE, `${yearPath}/registrations/${D}/decide`, { decision: 'approve' });
    const officePage = await (await page(OFFICE, yearPath)).text();

    // Assess
    expect(noPledge.status).toBe(400);
    expect(noPledgeText).toContain('cần ký giao ước thi đua của cụm');
    expect(forAnother.status).toBe(403);
    expect(tooEarly).toEqual([]);
    expect(reminded).toHaveLength(1);
    expect(reminded[0]!.subject).toBe('[thidua] Nhắc đăng ký thi đua năm 2027 – Xã Phan Rí Thành');
    expect(reminded[0]!.body.text).toContain('Hạn đăng ký thi đua là ngày 31/03/2027.');
    expect(others).toEqual([]);
    expect(link).toContain('/dang-ky/');
    expect(tampered.status).toBe(400);
    expect(withoutPledge).toContain('cần ký giao ước thi đua của cụm');
    expect(late).toBe('Đã gửi đăng ký thi đua (sau hạn đăng ký); chờ cấp trên duyệt.');
    expect(approveLate.status).toBe(303);
    const registrations = await emulationStore().registrationsOf(D2027, 2027);
    expect(registrations.map((r) => [r.unitId, r.state, r.late]).sort()).toEqual([[A, 'approved', false], [B, 'approved', false], [C, 'approved', false], [D, 'approved', true]]);
    expect(registrations.find((r) => r.unitId === D)!.submittedBy).toBe(`link:${D}`);
    const told = await eventually('the approval email to Phan Rí Thành', async () => (await mailsTo(officerUnitMail(D), 'đã được duyệt')).at(0));
    expect(told.subject).toBe('[thidua] Đăng ký thi đua năm 2027 đã được duyệt – Xã Phan Rí Thành');
    expect(officePage).toContain('Nộp muộn');
  });

  it('the year closes: clusters rank their units beside their districts\' ranks; a district nominates a commune with its report', { timeout: 120_000 }, async () => {
    // Prepare: the year's reports, the past title of Hàm Liêm imported
    await reportYear(2027);
    setNow('2027-12-18T03:00:00Z');
    const history = new ExcelJS.Workbook();
    const sheet = history.addWorksheet('Danh hiệu');
    sheet.addRow(['ma_don_vi', 'nam', 'danh_hieu', 'so_quyet_dinh', 'ngay_quyet_dinh', 'co_quan_ban_hanh']);
    sheet.addRow([A, 2026, 'Tập thể lao động tiên tiến', '88/QĐ-UBND', '20/12/2026', 'UBND tỉnh Bình Thuận']);
    const historyBytes = new Uint8Array(await history.xlsx.writeBuffer());

    // Act
    const imported = await postFile(OFFICE, `${yearPath}/history`, {}, { name: 'lich-su.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes: historyBytes });
    const nominated = await postFile(DISTRICT_OFFICE, `${yearPath}/nominations`, { unitId: B, titleId: TT }, { name: 'bao-cao-thanh-tich.pdf', type: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4 báo cáo thành tích') });
    const nominateOutside = await postFile(DISTRICT_OFFICE, `${yearPath}/nominations`, { unitId: C, titleId: TT }, { name: 'bao-cao.pdf', type: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4') });
    // Phan Rí Thành leads Cụm 2 in 2027: its officer proposes the cluster's flag; Phan Hiệp does not lead Cụm 1.
    const byLeader = await postFile(officer(D), `${yearPath}/nominations`, { unitId: B, titleId: FLAG }, { name: 'to-trinh-co-thi-dua.pdf', type: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4 tờ trình') });
    const byMember = await postFile(officer(C), `${yearPath}/nominations`, { unitId: A, titleId: FLAG }, { name: 'to-trinh.pdf', type: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4') });
    const leaderForItself = await postFile(officer(D), `${yearPath}/nominations`, { unitId: D, titleId: FLAG }, { name: 'to-trinh.pdf', type: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4') });
    const leaderOtherTitle = await postFile(officer(D), `${yearPath}/nominations`, { unitId: B, titleId: XS }, { name: 'to-trinh.pdf', type: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4') });
    const html = await (await page(OFFICE, yearPath)).text();

    // Assess: Cụm 2 crosses the districts; Phan Rí Thành leads it in 2027 and ranks first, Hàm Trí second (second in its district too)
    expect(imported.status).toBe(303);
    expect(nominated.status).toBe(303);
    expect(nominateOutside.status).toBe(403);
    expect(byLeader.status).toBe(303);
    expect(byMember.status).toBe(403);
    expect(leaderForItself.status).toBe(403);
    expect(leaderOtherTitle.status).toBe(403);
    const otherCommunes = await page(officer(C), `${yearPath}/achievements/${B}/${TT}`);
    expect(otherCommunes.status).toBe(403);
    const cluster2 = html.slice(html.indexOf('data-cluster="c2"'), html.indexOf('</table>', html.indexOf('data-cluster="c2"')));
    const rows = [...cluster2.matchAll(/<tr><td class="num">([^<]*)<\/td><td>([^<]*)(.*?)<\/td><td>([^<]*)<\/td><td class="num">[^<]*<\/td><td class="num">([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]!.trim(), m[4], m[5], m[3]!.includes('Trưởng cụm')]);
    expect(rows).toEqual([['1', 'Xã Phan Rí Thành', 'Huyện Tuy Phong', '1', true], ['2', 'Xã Hàm Trí', 'Huyện Hàm Thuận Bắc', '2', false]]);
    expect(html).toContain('Năm 2026 đạt Tập thể lao động tiên tiến');
    const nominations = await emulationStore().nominationsOf(D2027, 2027);
    expect(nominations.map((n) => [n.unitId, n.titleId, n.nominatedBy]).sort()).toEqual([[B, FLAG, D], [B, TT, 'ey-d1']]);
    const report = await page(SECRETARY, `${yearPath}/achievements/${B}/${TT}`);
    expect(report.status).toBe(200);
    expect(await report.text()).toBe('%PDF-1.4 báo cáo thành tích');
    expect(html).toContain(`/achievements/${B}/${TT}`);
  });

  it('a cluster\'s own scoring table scores its members from the same figures; a table naming no indicator of the directive is refused', { timeout: 60_000 }, async () => {
    // Prepare: Cụm 2 agrees that a target half reached earns nothing (the directive's table gives half its points)
    const before = await (await page(OFFICE, yearPath)).text();

    // Act
    const bad = await post(OFFICE, `${yearPath}/clusters/c2/rubric`, { 'points.khong-co': '50', partial: 'linear', deduction: '5', cap: '100' });
    const badText = await bad.text();
    const good = await post(OFFICE, `${yearPath}/clusters/c2/rubric`, { 'points.giao-thong': '50', 'points.ho-ngheo': '50', partial: 'all-or-nothing', deduction: '5', cap: '100' });
    const after = await (await page(OFFICE, yearPath)).text();

    // Assess: Hàm Trí (1 km of 2, 4 % against 3 %) scores 62,5 by the directive's table, 0 by the cluster's; the ranks hold
    const haMTri = (html: string) => /data-cluster="c2"[\s\S]*?<td>Xã Hàm Trí<\/td><td>[^<]*<\/td><td class="num">([^<]*)<\/td><td class="num">([^<]*)<\/td>/.exec(html)?.slice(1);
    expect(haMTri(before)).toEqual(['62,5', '2']);
    expect(bad.status).toBe(400);
    expect(badText).toContain('khong-co');
    expect(good.status).toBe(303);
    expect(haMTri(after)).toEqual(['0', '2']);
    expect(after).toContain('Bảng điểm riêng của cụm</span>');
  });

  let postingId = '';
  it('the council: refused without a quorum, with more votes than present and for a non-candidate; then recorded at the boundaries', { timeout: 120_000 }, async () => {
    // Prepare: candidates — Hàm Liêm (xuất sắc, results), Phan Hiệp and Phan Rí Thành (tiên tiến, results), Hàm Trí (tiên tiến, nominated)
    setNow('2027-12-20T02:00:00Z');
    const home = await (await page(SECRETARY, '/')).text();
    const form = await (await page(SECRETARY, `${yearPath}/session`)).text();
    const fields = [...form.matchAll(/name="(yes:[^"]+)"/g)].map((m) => m[1]!.replace(/&#58;|&colon;/g, ':'));
    const tallies = (yes: Record<string, number>) => Object.fromEntries(Object.entries(yes).map(([k, v]) => [`yes:${k}`, String(v)]));
    // 15 members: 10 present is exactly two thirds. Hàm Liêm 7/10 = exactly 70% ("at least 70%": passes);
    // Phan Hiệp 5/10 = exactly half ("more than half": fails); Phan Rí Thành 6/10 and Hàm Trí 8/10 pass; the
    // cluster's flag for Hàm Trí, 8/10 against "at least 90%", fails.
    const votes = { [`${A}:${XS}`]: 7, [`${C}:${TT}`]: 5, [`${D}:${TT}`]: 6, [`${B}:${TT}`]: 8, [`${B}:${FLAG}`]: 8 };
    const base = { sessionId: 's-hop-1', heldOn: '2027-12-20', members: '15', chairName: 'Đặng Văn Chủ Tịch', secretaryName: 'Nguyễn Thị Thư Ký' };

    // Act
    const noQuorum = await post(SECRETARY, `${yearPath}/session`, { ...base, present: '9', ...tallies(votes) });
    const tooMany = await post(SECRETARY, `${yearPath}/session`, { ...base, present: '10', ...tallies({ ...votes, [`${A}:${XS}`]: 11 }) });
    const stranger = await post(SECRETARY, `${yearPath}/session`, { ...base, present: '10', ...tallies({ ...votes, [`${B}:${XS}`]: 3 }) });
    const byOfficer = await post(officer(A), `${yearPath}/session`, { ...base, present: '10', ...tallies(votes) });
    const unreal = await post(SECRETARY, `${yearPath}/session`, { ...base, heldOn: '2027-02-30', present: '10', ...tallies(votes) });
    const byOffice = await post(OFFICE, `${yearPath}/session`, { ...base, present: '10', ...tallies(votes) });
    const storedBefore = await emulationStore().sessionsOf(D2027, 2027);
    const valid = await post(SECRETARY, `${yearPath}/session`, { ...base, present: '10', ...tallies(votes) });
    const again = await post(SECRETARY, `${yearPath}/session`, { ...base, present: '10', ...tallies(votes) });

    // Assess
    expect(home).toContain(`<a href="${yearPath}/session">ghi phiên họp bình xét</a>`);
    expect(fields.sort()).toEqual(Object.keys(votes).map((k) => `yes:${k}`).sort());
    expect(noQuorum.status).toBe(400);
    expect(await noQuorum.text()).toContain('Phiên họp không đủ số thành viên: có mặt 9/15, cần ít nhất 2/3 (10 người)');
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain('11 phiếu đồng ý nhưng chỉ 10 thành viên có mặt');
    expect(stranger.status).toBe(400);
    expect(byOfficer.status).toBe(403);
    expect(byOffice.status).toBe(403);
    expect(unreal.status).toBe(400);
    expect(await unreal.text()).toContain('Ngày họp 30/02/2027 không phải một ngày có thật');
    expect(storedBefore).toEqual([]);
    expect(valid.status).toBe(303);
    expect(again.status).toBe(303);
    expect(await emulationStore().sessionsOf(D2027, 2027)).toHaveLength(1);
    const lateNomination = await postFile(DISTRICT_OFFICE, `${yearPath}/nominations`, { unitId: B, titleId: XS }, { name: 'bao-cao.pdf', type: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4') });
    expect(lateNomination.status).toBe(400);
    expect(await lateNomination.text()).toContain('Hội đồng đã họp bình xét năm này; không nhận thêm đề nghị');
    const [posting] = await emulationStore().postingsOf(D2027, 2027);
    postingId = posting!.id;
    expect(posting).toMatchObject({ startsOn: '2027-12-20', endsOn: '2027-12-26' });
    expect(posting!.outcomes.map((o) => [o.unitId, o.titleId, o.yes, o.passed])).toEqual(
      expect.arrayContaining([[A, XS, 7, true], [C, TT, 5, false], [D, TT, 6, true], [B, TT, 8, true], [B, FLAG, 8, false]]),
    );
    const minutes = await (await page(OFFICE, `${yearPath}/minutes/s-hop-1`)).arrayBuffer();
    const text = (await mammoth.extractRawText({ buffer: Buffer.from(minutes) })).value;
    expect(text).toContain('BIÊN BẢN');
    expect(text).toContain('Xã Phan Hiệp');
    expect(text).toContain('Không đạt');
  });

  it('the public posting: anyone reads it without signing in and leaves an opinion; spam stays out of the office\'s list; it ends', { timeout: 120_000 }, async () => {
    // Prepare
    setNow('2027-12-22T03:00:00Z');
    const context = await browser.newContext({ locale: 'vi-VN' });
    const tab = await context.newPage();

    // Act: a citizen, then a spammer, then the decision tried too early
    await tab.goto(new URL(`/cong-khai/${postingId}`, flow.stack.console!.url).href);
    const shown = await tab.locator('main').innerText();
    await tab.getByLabel('Họ và tên (không bắt buộc)').fill('Nguyễn Văn Dân');
    await tab.getByLabel('Ý kiến').fill('Đề nghị xem xét thêm phong trào xây dựng đường giao thông của Xã Hàm Trí.');
    await tab.getByRole('button', { name: 'Gửi ý kiến' }).click();
    const thanked = await tab.locator('[role=status]').innerText();
    await tab.getByLabel('Ý kiến').fill('Mua hàng giá rẻ tại http://spam.example.com ngay hôm nay!!!');
    await tab.getByRole('button', { name: 'Gửi ý kiến' }).click();
    if (process.env.UPDATE_DOCS_PNG === '1') await tab.screenshot({ path: fileURLToPath(new URL('../docs/emulation-posting.png', import.meta.url)), fullPage: true });
    await context.close();
    const tooEarly = await post(OFFICE, `${yearPath}/decision`, { postingId, number: '125/QĐ-UBND', issuedOn: '2027-12-22', signerTitle: 'CHỦ TỊCH', signerName: 'Nguyễn Văn An', award: `${A}|${XS}` });
    const officeView = await (await page(OFFICE, yearPath)).text();
    setNow('2027-12-27T03:00:00Z');
    const afterEnd = await fetch(new URL(`/cong-khai/${postingId}/y-kien`, flow.stack.console!.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(flow.stack.console!.url).origin },
      body: new URLSearchParams({ text: 'Ý kiến gửi sau khi hết hạn niêm yết công khai.' }).toString(),
    });

    // Assess: names and titles only; the failed candidate is not posted
    expect(shown).toContain('Xã Hàm Liêm');
    expect(shown).toContain('Tập thể lao động xuất sắc');
    expect(shown).toContain('Xã Hàm Trí');
    expect(shown).not.toContain('Xã Phan Hiệp');
    expect(shown).not.toMatch(/@|Đăng xuất|Quản trị/);
    expect(thanked).toContain('ý kiến đã được gửi');
    expect(tooEarly.status).toBe(400);
    expect(await tooEarly.text()).toContain('Thời gian niêm yết công khai đến hết ngày 26/12/2027');
    expect(officeView).toContain('Đề nghị xem xét thêm phong trào xây dựng đường giao thông của Xã Hàm Trí.');
    expect(officeView).not.toContain('spam.example.com');
    expect(afterEnd.status).toBe(409);
  });

  it('the decision: only passed candidates of an ended posting, by the issuing office; its DOCX, the notices and the history', { timeout: 120_000 }, async () => {
    // Prepare
    setNow('2027-12-28T03:00:00Z');
    await flow.stack.clearInbox();
    const decide = (email: string, awards: string[], number = '125/QĐ-UBND') => {
      const form = new URLSearchParams({ postingId, number, issuedOn: '2027-12-28', signerTitle: 'CHỦ TỊCH', signerName: 'Nguyễn Văn An' });
      for (const a of awards) form.append('award', a);
      return post(email, `${yearPath}/decision`, form);
    };

    // Act
    const failed = await decide(OFFICE, [`${A}|${XS}`, `${C}|${TT}`]);
    const failedText = await failed.text();
    const tooLong = await decide(OFFICE, [`${A}|${XS}`], `125/QĐ-UBND-${'x'.repeat(80)}`);
    const tooLongText = await tooLong.text();
    const bySecretary = await decide(SECRETARY, [`${A}|${XS}`]);
    const byDistrict = await decide(DISTRICT_OFFICE, [`${A}|${XS}`]);
    const decisionsBefore = await emulationStore().decisionsOf(D2027, 2027);
    const issued = await decide(OFFICE, [`${A}|${XS}`, `${D}|${TT}`, `${B}|${TT}`]);
    const [decision] = await emulationStore().decisionsOf(D2027, 2027);
    const docx = await (await page(LEADER, `${yearPath}/decisions/${decision!.id}`)).arrayBuffer();
    const text = (await mammoth.extractRawText({ buffer: Buffer.from(docx) })).value;
    const notices = await eventually('three award notices', async () => {
      const m = (await flow.stack.inbox()).filter((x) => x.subject.includes('Quyết định khen thưởng số 125/QĐ-UBND'));
      return m.length >= 3 ? m : undefined;
    });
    const history = await emulationStore().historyOf([A]);
    // The office's year page in a browser, on a phone: the decision listed with its DOCX
    const { context, page: tab, violations } = await signedIn(browser, flow.stack, OFFICE, { width: 390, height: 844 });
    await tab.goto(new URL(yearPath, flow.stack.console!.url).href);
    const yearText = await tab.locator('main').innerText();
    const download = tab.waitForEvent('download');
    await tab.getByRole('link', { name: 'Tải quyết định (DOCX)' }).click();
    const fileName = (await download).suggestedFilename();
    if (process.env.UPDATE_DOCS_PNG === '1') await tab.screenshot({ path: fileURLToPath(new URL('../docs/emulation-year.png', import.meta.url)), fullPage: true });
    await context.close();

    // Assess
    expect(failed.status).toBe(400);
    expect(failedText).toContain('Xã Phan Hiệp');
    expect(failedText).toContain('không đạt');
    expect(tooLong.status).toBe(400);
    expect(tooLongText).toContain('Số, ký hiệu: quá dài');
    expect(bySecretary.status).toBe(403);
    expect(byDistrict.status).toBe(403);
    expect(decisionsBefore).toEqual([]);
    expect(issued.status).toBe(303);
    expect(decision).toMatchObject({ number: '125/QĐ-UBND', issuedOn: '2027-12-28', baseSalary: 2_340_000 });
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('Số: 125/QĐ-UBND');
    expect(text).toContain('ngày 28 tháng 12 năm 2027');
    for (const name of ['Xã Hàm Liêm', 'Xã Phan Rí Thành', 'Xã Hàm Trí']) expect(text).toContain(name);
    expect(text).not.toContain('Xã Phan Hiệp');
    expect(text).toContain('Tập thể lao động xuất sắc');
    expect(text).toContain('3.510.000 đồng');
    expect(text).toContain('1.872.000 đồng');
    expect(text).toContain('7.254.000 đồng');
    expect(text).toContain('Nguyễn Văn An');
    expect(text).not.toContain('TM. ỦY BAN NHÂN DÂN'); // the chairman decides in his own name
    const again = await decide(OFFICE, [`${A}|${XS}`], '126/QĐ-UBND');
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('đã khen tại Quyết định số 125/QĐ-UBND');
    expect(notices.map((m) => m.destination.to[0]).sort()).toEqual([`ubnd@${A}.test.vn`, `ubnd@${B}.test.vn`, `ubnd@${D}.test.vn`]);
    expect(notices.find((m) => m.destination.to.includes(`ubnd@${A}.test.vn`))!.body.text).toContain('Tiền thưởng kèm theo: 3.510.000 đồng.');
    expect(history.get(A)!.map((h) => [h.year, h.titleId, h.decisionNumber, h.source])).toEqual([[2026, TT, '88/QĐ-UBND', 'import'], [2027, XS, '125/QĐ-UBND', 'decision']]);
    expect(yearText).toContain('Quyết định số 125/QĐ-UBND ngày 28/12/2027: 3 đơn vị, 7.254.000 đồng');
    expect(yearText).toContain('Đăng ký thi đua (hạn 31/03/2027)');
    expect(fileName).toBe('quyet-dinh-khen-thuong-2027.docx');
    expect(violations).toEqual([]);
  });

  it('registering after the directive\'s year is refused and changes nothing', { timeout: 60_000 }, async () => {
    // Prepare
    setNow('2028-01-05T03:00:00Z');
    const before = await emulationStore().getRegistration(D2027, 2027, C);

    // Act
    const res = await post(officer(C), `${yearPath}/register`, { unitId: C, title: XS, pledge: 'yes' });

    // Assess
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Năm thi đua 2027 đã kết thúc');
    expect(await emulationStore().getRegistration(D2027, 2027, C)).toEqual(before);
  });

  it('the three-year review: trends as worked out by hand, the page, the workbook and the leaders\' email', { timeout: 120_000 }, async () => {
    // Prepare
    const repo = repository();
    const deps = { emulation: emulationStore(), directives: repo, assignments: repo, units: repo, results: resultsStore(), mail: flow.stack.console!.deps.mail, clock: { now: () => now } };
    const query = 'd=ey-2025&d=ey-2026&d=ey-2027';

    // Act
    const { review } = await reviewOf(deps, ['ey-2027', 'ey-2025', 'ey-2026']);
    const html = await (await page(LEADER, `/emulation/review?${query}`)).text();
    const xlsx = await page(LEADER, `/emulation/review.xlsx?${query}`);
    const sent = await post(OFFICE, `/emulation/review/send?${query}`, {});
    const byLeader = await post(LEADER, `/emulation/review/send?${query}`, {});

    // Assess: the figures of the table at the top of this file
    const unit = (id: string) => review.units.find((u) => u.unitId === id)!;
    expect(review.years).toEqual([2025, 2026, 2027]);
    expect(unit(A).indicators['giao-thong']).toMatchObject({ values: [2, 3, 4], change: 2, trend: 'improved' });
    expect(unit(A).indicators['ho-ngheo']).toMatchObject({ values: [4, 3, 2], change: -2, trend: 'improved' });
    expect(unit(B).indicators['giao-thong']).toMatchObject({ values: [3, 2, 1], change: -2, trend: 'declined' });
    expect(unit(B).indicators['ho-ngheo']).toMatchObject({ values: [2, 3, 4], change: 2, trend: 'declined' });
    expect(unit(C).indicators['giao-thong']).toMatchObject({ values: [2, 2, 2], change: 0, trend: 'unchanged' });
    expect(unit(D).indicators['ho-ngheo']).toMatchObject({ values: [3, 3, 2.5], change: -0.5, trend: 'improved' });
    expect(review.improvedMost[0]!.unitId).toBe(A);
    expect(review.declinedMost[0]!.unitId).toBe(B);
    expect(review.fourNoByYear.map((y) => [y.year, y.breaches, y.unitsBreaching])).toEqual([[2025, 0, 0], [2026, 2, 2], [2027, 0, 0]]);
    expect(review.registrationsByYear.map((r) => [r.year, r.registered, r.approved, r.late])).toEqual([[2025, 0, 0, 0], [2026, 0, 0, 0], [2027, 4, 4, 1]]);
    expect(review.titlesByYear.find((t) => t.year === 2027)!.unitsWithTitle).toBe(3);
    expect(html).toContain('Xã Hàm Liêm');
    expect(html).toContain('<svg');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect(sent.status).toBe(303);
    expect(byLeader.status).toBe(403);
    const mail = await eventually('the review email to the province\'s leader', async () => (await mailsTo(LEADER, 'Kết quả 3 năm')).at(0));
    expect(mail.subject).toContain('2025–2027');
    expect(mail.body.text).toContain('Xã Hàm Liêm');
  });
});

function officerUnitMail(unitId: string): string {
  return `ubnd@${unitId}.test.vn`;
}

describe('the year\'s rules, kept by the office', () => {
  it('a threshold and the base salary changed by the form; a bad value named in Vietnamese and nothing stored; closed once the council met', { timeout: 60_000 }, async () => {
    // Prepare: a directive of its own, whose council has not met
    setNow('2028-01-10T02:00:00Z');
    await issueDirective({ ...directive(2028), id: 'ey-2028' }, flow.deps());
    await flow.stack.settle();
    const form = await (await page(OFFICE, '/emulation/ey-2028/rules')).text();
    const fields = Object.fromEntries([...form.matchAll(/name="([^"]+)"(?: id="[^"]*")? value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&#39;/g, "'")]));
    const titles = [...form.matchAll(/name="(t\d+)\.name"/g)].map((m) => m[1]!);
    const selects = Object.fromEntries(titles.flatMap((t) => [[`${t}.level`, 'commune'], [`${t}.rule`, 'at-least']]));

    // Act
    const bad = await post(OFFICE, '/emulation/ey-2028/rules', { ...fields, ...selects, resultsTitleId: TT, 't1.multiplier': 'nhiều', quorum: '4/3' });
    const badText = await bad.text();
    const storedAfterBad = await emulationStore().getRules('ey-2028', 2028);
    const good = await post(OFFICE, '/emulation/ey-2028/rules', { ...fields, ...selects, resultsTitleId: TT, 't2.rule': 'more-than', 't2.of': '1/2', baseSalary: '2.530.000', registrationRequired: 'yes' });
    const closed = await post(OFFICE, `${yearPath}/rules`, { ...fields, ...selects, resultsTitleId: TT });
    const byOfficer = await post(officer(A), '/emulation/ey-2028/rules', { ...fields, ...selects, resultsTitleId: TT });

    // Assess
    expect(bad.status).toBe(400);
    expect(badText).toContain('danh hiệu thứ 2, hệ số tiền thưởng');
    expect(badText).toContain('số thành viên có mặt tối thiểu');
    expect(storedAfterBad).toBeUndefined();
    expect(good.status).toBe(303);
    const rules = (await emulationStore().getRules('ey-2028', 2028))!;
    expect(rules).toMatchObject({ baseSalary: 2_530_000, registrationRequired: true, quorum: { num: 2, den: 3 }, postingDays: 7, registrationDeadline: '03-31' });
    expect(rules.titles[2]).toMatchObject({ id: TT, threshold: { rule: 'more-than', of: { num: 1, den: 2 } }, multiplier: 0.8 });
    expect(closed.status).toBe(400);
    expect(await closed.text()).toContain('Hội đồng đã họp bình xét năm này');
    expect(byOfficer.status).toBe(403);
  });
});

describe('the public posting under a flood', () => {
  it('a few opinions per address and hour, a ceiling per posting, a body over the limit refused before it is read', { timeout: 60_000 }, async () => {
    // Prepare: an open posting of its own
    setNow('2028-02-01T03:00:00Z');
    const store = emulationStore();
    const flood = { id: 'p-0123456789abcdef01234567', directiveId: 'ey-2028', year: 2028, sessionId: 's-flood', startsOn: '2028-02-01', endsOn: '2028-02-07', outcomes: [] };
    await store.putPosting(flood);
    const deps = { emulation: store, rates: repository(), clock: { now: () => now } };
    const limits = { perAddressPerHour: 3, perPostingPerHour: 5 };
    const leave = (address: string, i: number) => leaveOpinion(deps, { postingId: flood.id, address, name: '', text: `Ý kiến số ${i} về danh sách khen thưởng.` }, limits);

    // Act
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await leave('203.0.113.7', i));
    const second = [];
    for (let i = 0; i < 3; i++) second.push(await leave('198.51.100.9', i));
    const huge = await fetch(new URL(`/cong-khai/${flood.id}/y-kien`, flow.stack.console!.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(flow.stack.console!.url).origin },
      body: new URLSearchParams({ text: 'x'.repeat(40_000) }).toString(),
    });
    const stored = await store.opinionsOf(flood.id, { includeSpam: true, limit: 100 });

    // Assess: 3 from the first address, then 2 more from the second fill the posting's 5
    expect(first.map((r) => (r.ok ? 200 : r.status))).toEqual([200, 200, 200, 429]);
    expect(second.map((r) => (r.ok ? 200 : r.status))).toEqual([200, 200, 429]);
    expect(huge.status).toBe(413);
    expect(stored).toHaveLength(5);
  });
});
