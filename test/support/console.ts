/**
 * The console in tests: people seeded with a role each (and a password at cognito-local), a browser signed in as
 * one of them, and an HTTP client with a cookie jar for the routes a browser test does not need to drive.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Person } from '../../shared/domain/access.ts';
import type { LocalStack } from '../../local/stack/stack.ts';

export const PASSWORD = 'Thidua@2027';

/** Writes the people (their grants in the table) and their accounts (a known password at cognito-local). */
export async function seedPeople(stack: LocalStack, people: readonly Person[]): Promise<void> {
  const deps = stack.console!.deps;
  await deps.people.putPeople(people);
  for (const p of people) await deps.identity.ensureUser(p.email, { password: PASSWORD });
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A browser context signed in as `email` through the sign-in page, and the CSP violations it reports. */
export async function signedIn(browser: Browser, stack: LocalStack, email: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page; violations: string[] }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(stack.console!.url);
  await page.getByLabel('Thư điện tử').fill(email);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  return { context, page, violations };
}

/** A minimal HTTP client with cookies, signed in through the sign-in form (no browser). */
export class ConsoleClient {
  private cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly base: string) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = pair!.split('=');
      const value = v.join('=');
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') this.cookies.delete(k!.trim());
      else this.cookies.set(k!.trim(), value);
    }
  }

  async request(method: string, path: string, opts: { form?: Record<string, string> | URLSearchParams; json?: unknown; multipart?: FormData; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.cookieHeader(), origin: new URL(this.base).origin, ...opts.headers };
    let body: string | FormData | undefined;
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.multipart) {
      body = opts.multipart; // fetch sets the multipart content type with its boundary
    } else if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(new URL(path, this.base), { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' });
    this.keep(res);
    return res;
  }

  async signIn(email: string, password = PASSWORD): Promise<Response> {
    const res = await this.request('POST', '/sign-in', { form: { email, password, next: '/' } });
    if (res.status === 303) {
      const home = await this.request('GET', '/');
      const html = await home.text();
      this.csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    }
    return res;
  }
}
