/**
 * Signing in to the console on the embedded stack (cognito-local as the identity provider): the session cookies, a
 * person without a role, wrong passwords rate-limited, changes refused without the session's CSRF token or from
 * another origin, the password reset by emailed code, and signing out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { loadProvince, startFlow, type Flow } from './support/flow.ts';
import { ConsoleClient, launchBrowser, PASSWORD, seedPeople, signedIn } from './support/console.ts';
import { SIGN_IN_ATTEMPTS } from '../functions/console/session.ts';

let flow: Flow;
let browser: Browser;

beforeAll(async () => {
  flow = await startFlow({ console: true });
  await loadProvince(flow, 'ca', 2);
  await seedPeople(flow.stack, [
    { email: 'quantri@ca.test.vn', name: 'Nguyễn Văn Quản', grants: [{ role: 'admin', unitId: 'ca' }] },
    { email: 'canbo@ca.test.vn', name: 'Trần Thị Cán', grants: [{ role: 'officer', unitId: 'ca-x0' }] },
    { email: 'lanhdao@ca.test.vn', name: 'Lê Văn Đạo', grants: [{ role: 'leader', unitId: 'ca' }] },
    { email: 'duyet@ca.test.vn', name: 'Phạm Thị Duyệt', grants: [{ role: 'approver', unitId: 'ca' }] },
  ]);
  await flow.stack.console!.deps.identity.ensureUser('khongvaitro@ca.test.vn', { password: PASSWORD });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await flow?.stack.stop();
});

describe('signing in to the console', () => {
  it('signs in through the form into HttpOnly, Secure, SameSite=Strict cookies and shows the person’s roles', async () => {
    // Prepare / Act
    const { context, page, violations } = await signedIn(browser, flow.stack, 'quantri@ca.test.vn');

    // Assess
    expect(await page.locator('h1').innerText()).toBe('Xin chào, Nguyễn Văn Quản');
    expect(await page.locator('main').innerText()).toContain('quản trị – Tỉnh Bình Thuận');
    const cookies = await context.cookies();
    expect(cookies.map((c) => c.name).sort()).toEqual(['__Host-thidua-id', '__Host-thidua-rt']);
    for (const c of cookies) expect(c).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(violations).toEqual([]);
    await context.close();
  });

  it('sends whoever is signed out to the sign-in page, and back where they were going after it', async () => {
    // Prepare
    const context = await browser.newContext();
    const page = await context.newPage();

    // Act
    await page.goto(new URL('/audit?month=2027-01', flow.stack.console!.url).href);
    const atSignIn = new URL(page.url());
    await page.getByLabel('Thư điện tử').fill('quantri@ca.test.vn');
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL((u) => u.pathname === '/audit');

    // Assess
    expect(atSignIn.pathname).toBe('/sign-in');
    expect(atSignIn.searchParams.get('next')).toBe('/audit?month=2027-01');
    expect(await page.locator('h1').innerText()).toContain('Nhật ký thay đổi');
    await context.close();
  });

  it('refuses a wrong password, and a person the table gives no role, in Vietnamese', async () => {
    // Prepare
    const client = new ConsoleClient(flow.stack.console!.url);

    // Act
    const wrong = await client.signIn('duyet@ca.test.vn', 'sai-mat-khau');
    const noRole = await client.signIn('khongvaitro@ca.test.vn');

    // Assess
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Thư điện tử hoặc mật khẩu không đúng');
    expect(noRole.status).toBe(403);
    expect(await noRole.text()).toContain('Tài khoản chưa được giao vai trò nào trong hệ thống');
  });

  it('limits sign-in attempts per address, saying when to try again', async () => {
    // Prepare
    const client = new ConsoleClient(flow.stack.console!.url);
    const statuses: number[] = [];

    // Act
    for (let i = 0; i < SIGN_IN_ATTEMPTS; i++) statuses.push((await client.signIn('lanhdao@ca.test.vn', `sai-${i}`)).status);
    const blocked = await client.signIn('lanhdao@ca.test.vn');
    const elsewhere = new ConsoleClient(flow.stack.console!.url);
    const fromElsewhere = await elsewhere.request('POST', '/sign-in', { form: { email: 'lanhdao@ca.test.vn', password: PASSWORD, next: '/' }, headers: { 'x-forwarded-for': '203.0.113.7' } });

    // Assess: even the right password waits for the next window from there; from another address the person gets in
    expect(fromElsewhere.status).toBe(303);
    expect(statuses).toEqual(Array(SIGN_IN_ATTEMPTS).fill(401));
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/Đã thử đăng nhập quá nhiều lần với thư điện tử này; hãy thử lại sau \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/);
  });

  it('refuses a change without the session’s CSRF token, or from another origin', async () => {
    // Prepare
    const client = new ConsoleClient(flow.stack.console!.url);
    expect((await client.signIn('quantri@ca.test.vn')).status).toBe(303);
    expect(client.csrf).not.toBe('');

    // Act
    const withoutToken = await client.request('POST', '/sign-out', { form: {} });
    const otherOrigin = await client.request('POST', '/sign-out', { form: { _csrf: client.csrf }, headers: { origin: 'https://evil.example' } });
    const stillIn = await client.request('GET', '/');
    const signOut = await client.request('POST', '/sign-out', { form: { _csrf: client.csrf } });
    const afterwards = await client.request('GET', '/');

    // Assess
    expect(withoutToken.status).toBe(403);
    expect(otherOrigin.status).toBe(403);
    expect(stillIn.status).toBe(200);
    expect(signOut.status).toBe(200);
    expect(afterwards.status).toBe(303);
    expect(afterwards.headers.get('location')).toMatch(/^\/sign-in\?next=/);
  });

  it('resets a password with the code the identity provider sends, and signs in with the new one', async () => {
    // Prepare
    const client = new ConsoleClient(flow.stack.console!.url);

    // Act
    const asked = await client.request('POST', '/password/forgot', { form: { email: 'canbo@ca.test.vn' } });
    const code = flow.stack.cognito!.resetCodes('canbo@ca.test.vn').at(-1);
    const badCode = await client.request('POST', '/password/reset', { form: { email: 'canbo@ca.test.vn', code: '000000', password: 'MatKhau@Moi1' } });
    const reset = await client.request('POST', '/password/reset', { form: { email: 'canbo@ca.test.vn', code: code ?? '', password: 'MatKhau@Moi1' } });
    const signIn = await client.signIn('canbo@ca.test.vn', 'MatKhau@Moi1');

    // Assess
    expect(await asked.text()).toContain('Nếu địa chỉ này có tài khoản, mã đặt lại mật khẩu đã được gửi');
    expect(code).toMatch(/^\d{6}$/);
    expect(badCode.status).toBe(400);
    expect(reset.status).toBe(200);
    expect(signIn.status).toBe(303);
  });
});
