/**
 * The console in tests: people seeded with a role each (and a password at cognito-local), a browser signed in as
 * one of them, and an HTTP client with a cookie jar for the routes a browser test does not need to drive.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Person } from '../../shared/domain/access.ts';
import type { LocalStack } from '../../local/stack/stack.ts';

/** The sample people's password (cognito-local only): tests sign in with it too. */
import { SAMPLE_PASSWORD } from '../../local/cli/samples.ts';
export const PASSWORD = SAMPLE_PASSWORD;

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

export { ConsoleClient } from '../../local/cli/console-client.ts';
