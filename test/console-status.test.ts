/**
 * Live status and results in the console, in Chromium on the embedded stack: the states of a period's reports after
 * real uploads (on time, late, rejected, overdue), drill-down from the province through a district to a commune's
 * report, "remind now" sent once, a leader of another district refused, and story 4: the province's leader sees the
 * ranking and a chart with the same figures as the digest email.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { issueDirective } from '../shared/app/directives.ts';
import { eventPublisher, resultsStore } from '../shared/adapters/wiring.ts';
import { periodById } from '../shared/domain/calendar/index.ts';
import { buildPaths, type UnitRow } from '../shared/domain/units.ts';
import { digestModel } from '../shared/mail/digest-email.ts';
import { templateFor, uploadReport } from '../local/cli/report.ts';
import { embeddedSession, type Session } from '../local/cli/connect.ts';
import { fillTemplate, goodValue } from '../local/sample/reports.ts';
import { eventually, sampleDirective, startFlow, type Flow } from './support/flow.ts';
import { ConsoleClient, launchBrowser, seedPeople, signedIn } from './support/console.ts';

let flow: Flow;
let browser: Browser;
let simulated = new Date('2027-03-10T02:00:00Z');
const vn = (isoDate: string, time: string) => new Date(`${isoDate}T${time}:00+07:00`);
const D = 'cs-2027';
const P = '2027-Q1';

/** Province cs → districts cs-h0, cs-h1 → two communes each → two villages each. */
function rows(): UnitRow[] {
  const out: UnitRow[] = [{ id: 'cs', name: 'Tỉnh Cà Sơn', level: 'province', emails: ['vp@cs.test.vn'], leaderEmails: ['lanhdao@cs.test.vn'] }];
  for (let h = 0; h < 2; h++) {
    const hid = `cs-h${h}`;
    out.push({ id: hid, name: `Huyện Sơn ${h + 1}`, level: 'district', parentId: 'cs', emails: [`vp.h${h}@cs.test.vn`], leaderEmails: [`lanhdao.h${h}@cs.test.vn`] });
    for (let x = 0; x < 2; x++) {
      const xid = `${hid}-x${x}`;
      out.push({ id: xid, name: `Xã Hòa ${h + 1}.${x + 1}`, level: 'commune', parentId: hid, emails: [`ubnd.${xid}@cs.test.vn`], leaderEmails: [`chutich.${xid}@cs.test.vn`] });
      for (let t = 0; t < 2; t++) out.push({ id: `${xid}-t${t}`, name: `Thôn ${t + 1}`, level: 'village', parentId: xid, emails: [], leaderEmails: [] });
    }
  }
  return out;
}

beforeAll(async () => {
  flow = await startFlow({ console: true, now: () => simulated });
  await flow.repo.putUnits(buildPaths(rows()));
  await seedPeople(flow.stack, [
    { email: 'vp@cs.test.vn', name: 'Nguyễn Thị Văn', grants: [{ role: 'office', unitId: 'cs' }] },
    { email: 'lanhdao@cs.test.vn', name: 'Trần Văn Lãnh', grants: [{ role: 'leader', unitId: 'cs' }] },
    { email: 'lanhdao.h1@cs.test.vn', name: 'Lê Thị Huyện', grants: [{ role: 'leader', unitId: 'cs-h1' }] },
  ]);
  browser = await launchBrowser();

  // Quarter I/2027 (due Friday 19/03): h0-x0 on time, h0-x1 a refused file, h1-x0 late, h1-x1 nothing.
  await issueDirective(sampleDirective({ id: D, issuerId: 'cs', issuerName: 'Ủy ban nhân dân tỉnh Cà Sơn' }), flow.deps());
  await flow.stack.settle();
  const directive = (await flow.repo.getDirective(D))!;
  const session: Session = embeddedSession(flow.stack);
  const ref = (unitId: string) => ({ directiveId: D, periodId: P, unitId });
  const upload = async (unitId: string, at: Date, good = true) => {
    simulated = at;
    const bytes = good ? await fillTemplate(await templateFor(ref(unitId)), directive, goodValue) : new TextEncoder().encode('không phải bảng tính');
    return uploadReport(ref(unitId), { name: 'q1.xlsx', bytes }, session);
  };
  expect((await upload('cs-h0-x0', vn('2027-03-16', '09:00'))).onTime).toBe(true);
  expect((await upload('cs-h0-x1', vn('2027-03-17', '09:00'), false)).status).toBe('rejected');
  expect((await upload('cs-h1-x0', vn('2027-03-22', '10:00'))).onTime).toBe(false);
  // The results flow as the morning after the deadline starts it (ResultsDue), without the reminder sweep's emails.
  simulated = vn('2027-03-23', '09:00');
  await eventPublisher().publish('ResultsDue', { directiveId: D, periodId: P, scheduledTime: vn('2027-03-23', '07:00').toISOString() });
  await eventually('the digests', async () => ((await flow.stack.inbox()).some((m) => m.destination.to.includes('lanhdao@cs.test.vn')) ? true : undefined));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await flow?.stack.stop();
});

describe('the live status of a directive’s reports', () => {
  it('shows every state after the uploads, and drills down from the province to a district and a commune’s report', { timeout: 120_000 }, async () => {
    // Prepare
    const { context, page, violations } = await signedIn(browser, flow.stack, 'vp@cs.test.vn');

    // Act: the province's page, then district 1's, then a commune's report
    await page.goto(new URL(`/directives/${D}/status?period=${P}`, flow.stack.console!.url).href);
    const count = (kind: string) => page.locator(`[data-count="${kind}"]`).innerText();
    const province = { onTime: await count('on-time'), late: await count('late'), rejected: await count('rejected'), overdue: await count('overdue'), rows: await page.locator('#status-table tbody tr').allInnerTexts() };
    await page.getByRole('link', { name: 'Huyện Sơn 1' }).click();
    await page.waitForURL((u) => u.searchParams.get('unit') === 'cs-h0');
    const district = await page.locator('#status-table tbody tr').allInnerTexts();
    await page.locator('tr[data-unit="cs-h0-x0"]').getByRole('link', { name: 'Xem báo cáo' }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/status/cs-h0-x0'));
    const values = await page.locator('#values tbody tr').allInnerTexts();
    const original = await page.getByRole('link', { name: 'Tải tệp gốc' }).getAttribute('href');
    await page.goto(new URL(`/directives/${D}/status?period=${P}&state=overdue`, flow.stack.console!.url).href);
    const overdueOnly = await page.locator('#status-table tbody tr').allInnerTexts();

    // Assess
    expect(province).toMatchObject({ onTime: '1', late: '1', rejected: '1', overdue: '1' });
    expect(province.rows).toHaveLength(2);
    expect(province.rows[0]).toContain('1 đã nộp đúng hạn, 1 bị từ chối');
    expect(district[0]).toContain('Xã Hòa 1.1');
    expect(district[0]).toContain('Đã nộp đúng hạn');
    expect(district[1]).toContain('Bị từ chối – quá hạn 4 ngày');
    expect(values.map((v) => v.split('\t')[0])).toEqual(['Thôn 1', 'Thôn 2']);
    expect(overdueOnly).toHaveLength(1);
    expect(overdueOnly[0]).toContain('Huyện Sơn 2');
    // The original file: a short-lived link to exactly the bytes the commune sent.
    const client = new ConsoleClient(flow.stack.console!.url);
    await client.signIn('vp@cs.test.vn');
    const redirect = await client.request('GET', original!);
    expect(redirect.status).toBe(302);
    const file = await fetch(redirect.headers.get('location')!);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    expect(violations).toEqual([]);
    await context.close();
  });

  it('reminds a unit now once: the second click says the reminder was already sent', { timeout: 120_000 }, async () => {
    // Prepare
    const { context, page } = await signedIn(browser, flow.stack, 'vp@cs.test.vn');
    await page.goto(new URL(`/directives/${D}/status?period=${P}&unit=cs-h0`, flow.stack.console!.url).href);
    const before = await flow.stack.inboxCount();

    // Act
    await page.getByRole('button', { name: 'Nhắc ngay Xã Hòa 1.2' }).click();
    const first = await page.locator('.flash').innerText();
    const mail = await eventually('the reminder', async () => (await flow.stack.inbox({ from: before })).find((m) => m.destination.to.includes('ubnd.cs-h0-x1@cs.test.vn')));
    await page.getByRole('button', { name: 'Nhắc ngay Xã Hòa 1.2' }).click();
    const second = await page.locator('.flash').innerText();
    await flow.stack.settle();

    // Assess
    expect(first).toBe('Đã gửi thư nhắc đến đơn vị.');
    expect(mail.subject).toBe('[thidua] Quá hạn nộp báo cáo 1 ngày làm việc – Xã Hòa 1.2');
    expect(second).toBe('Thư nhắc ở bước này đã được gửi trước đó; hệ thống không gửi lại.');
    expect((await flow.stack.inbox({ from: before })).filter((m) => m.destination.to.includes('ubnd.cs-h0-x1@cs.test.vn'))).toHaveLength(1);
    const audit = await flow.repo.entriesUnder({ id: 'cs', path: ['cs'] }, '2027-03');
    expect(audit.filter((e) => e.action === 'report.remind' && e.unitId === 'cs-h0-x1')).toHaveLength(1);
    await context.close();
  });

  it('refuses a leader of another district (403), and shows them their own district', async () => {
    // Prepare
    const client = new ConsoleClient(flow.stack.console!.url);
    await client.signIn('lanhdao.h1@cs.test.vn');

    // Act
    const other = await client.request('GET', `/directives/${D}/status?period=${P}&unit=cs-h0`);
    const otherResults = await client.request('GET', `/directives/${D}/results?period=${P}&unit=cs-h0`);
    const otherReport = await client.request('GET', `/directives/${D}/status/cs-h0-x0?period=${P}`);
    const own = await client.request('GET', `/directives/${D}/status?period=${P}`);

    // Assess
    expect([other.status, otherResults.status, otherReport.status]).toEqual([403, 403, 403]);
    expect(await other.text()).toContain('Bạn không có quyền với đơn vị này');
    expect(own.status).toBe(200);
    const html = await own.text();
    expect(html).toContain('Huyện Sơn 2: 2 báo cáo');
    expect(html).not.toContain('Xã Hòa 1.1');
    expect(html).not.toContain('Nhắc ngay'); // leaders read only
  });
});

describe('story 4: a leader reads the results online', () => {
  it('sees the ranking and a chart for the period, with the same figures as the digest email', { timeout: 120_000 }, async () => {
    // Prepare: the digest as the results flow made it for the province's leader
    const directive = (await flow.repo.getDirective(D))!;
    const results = (await resultsStore().getResults(D, P))!;
    const model = digestModel({ directive, periodLabel: periodById(P, directive.cutoff).label, results, leader: { unitId: 'cs', name: 'Tỉnh Cà Sơn' }, childIds: ['cs-h0', 'cs-h1'] });
    const email = (await flow.stack.inbox()).find((m) => m.destination.to.includes('lanhdao@cs.test.vn') && m.subject.startsWith('[thidua] Kết quả thi đua'))!;
    const { context, page, violations } = await signedIn(browser, flow.stack, 'lanhdao@cs.test.vn');

    // Act: from the home page's latest results
    await page.getByRole('link', { name: /Quý I\/2027 – Tỉnh Cà Sơn/ }).click();
    await page.waitForURL((u) => u.pathname === `/directives/${D}/results`);
    const ranking = await page.locator('#ranking tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ unit: tr.getAttribute('data-unit'), rank: tr.querySelector('[data-rank]')!.textContent, score: tr.querySelector('[data-score]')!.textContent })),
    );
    const received = await page.locator('[data-figure="received"]').innerText();
    const charts = await page.locator('svg[role="img"]').count();
    const bars = await page.locator('#chart-0 rect title').allTextContents();
    const download = await client(page.url());

    // Assess: the page's figures are the digest's, and the email says the same
    expect(ranking).toEqual(model.children.map((c) => ({ unit: c.unit.unitId, rank: String(c.unit.rank ?? '—'), score: c.unit.score === null ? '—' : new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 }).format(c.unit.score) })));
    expect(received).toBe(`${model.unit.rates.received}/${model.unit.rates.expected}`);
    expect(email.subject).toContain(`${model.unit.rates.received}/${model.unit.rates.expected} xã báo cáo`);
    for (const c of model.children) if (c.unit.score !== null) expect(email.body.text).toContain(c.unit.name);
    expect(charts).toBe(model.indicators.filter((i) => i.kind !== 'yes-no').length);
    expect(bars.length).toBeGreaterThan(0);
    expect(download).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(violations).toEqual([]);
    await context.close();
  });
});

describe('on a phone', () => {
  it('reads the status and results pages at 360 px without scrolling sideways (screenshots with UPDATE_DOCS_PNG=1)', { timeout: 120_000 }, async () => {
    // Prepare
    const office = await signedIn(browser, flow.stack, 'vp@cs.test.vn', { width: 360, height: 780 });
    const leader = await signedIn(browser, flow.stack, 'lanhdao@cs.test.vn', { width: 360, height: 780 });
    const width = (p: typeof office.page) => p.evaluate<number>('document.documentElement.scrollWidth');

    // Act
    await office.page.goto(new URL(`/directives/${D}/status?period=${P}&unit=cs-h0`, flow.stack.console!.url).href);
    const statusWidth = await width(office.page);
    await leader.page.goto(new URL(`/directives/${D}/results?period=${P}`, flow.stack.console!.url).href);
    const resultsWidth = await width(leader.page);
    if (process.env.UPDATE_DOCS_PNG === '1') {
      await office.page.setViewportSize({ width: 1000, height: 700 });
      await office.page.screenshot({ path: new URL('../docs/console-status.png', import.meta.url).pathname, fullPage: true });
      await leader.page.setViewportSize({ width: 1000, height: 700 });
      await leader.page.screenshot({ path: new URL('../docs/console-results.png', import.meta.url).pathname, fullPage: true });
    }

    // Assess
    expect(statusWidth).toBeLessThanOrEqual(360);
    expect(resultsWidth).toBeLessThanOrEqual(360);
    expect([...office.violations, ...leader.violations]).toEqual([]);
    await office.context.close();
    await leader.context.close();
  });
});

/** The page's XLSX link, fetched with a signed-in client: its content type. */
async function client(pageUrl: string): Promise<string | null> {
  const c = new ConsoleClient(flow.stack.console!.url);
  await c.signIn('lanhdao@cs.test.vn');
  const u = new URL(pageUrl);
  const res = await c.request('GET', `${u.pathname}.xlsx${u.search}`);
  return res.headers.get('content-type');
}
