// The devices demo's activity view in Chromium: sign-ins, a log-out from another device, a sign-out and an expiry, as the user sees them.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicesApp, type DevicesApp } from '../../examples/devices/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const USER = 'carol';
/** Short enough for the test to see a sign-in expire, long enough for the steps before it. */
const LIFETIME = 8_000;

let dir = '';
let app: DevicesApp | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM} (set CHROMIUM_PATH)`);
  dir = mkdtempSync(join(tmpdir(), 'sessionkit-activity-'));
  app = await startDevicesApp({ dataDir: join(dir, 'data'), lifetime: LIFETIME, sweepInterval: 200 });
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function device(userAgent: string): Promise<Page> {
  const context = await browser!.newContext({ userAgent, baseURL: app!.url });
  return context.newPage();
}

async function signIn(page: Page): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/devices');
}

/** The activity rows, newest first: "what | device", with " *" on this device's. */
async function activity(page: Page): Promise<string[]> {
  await page.goto('/activity');
  return page
    .locator('li.activity')
    .evaluateAll((items) =>
      items.map(
        (item) =>
          `${item.querySelector('strong')!.textContent} | ${item.querySelector('.ua')!.textContent}${item.getAttribute('aria-current') === 'true' ? ' *' : ''}`,
      ),
    );
}

describe('devices demo activity view in Chromium', () => {
  it('shows signed in here, logged out elsewhere, signed out and expired, newest first', async () => {
    const [a, b] = await Promise.all([device(FIREFOX), device(SAFARI)]);
    await signIn(a);
    await signIn(b);
    await a.getByRole('link', { name: 'Recent activity' }).click();
    await a.waitForURL('**/activity');
    expect(await activity(a)).toEqual(['Signed in | Safari on iOS', 'Signed in | Firefox on Windows *']);

    // A logs B out from the device list: A's activity says so; B is signed out.
    await a.goto('/devices');
    await a.locator('li.device', { hasText: 'Safari on iOS' }).getByRole('button', { name: 'Log out' }).click();
    await a.waitForURL('**/devices');
    expect((await activity(a))[0]).toBe('Logged out from another device | Safari on iOS');
    await b.goto('/activity');
    expect(new URL(b.url()).pathname).toBe('/login');

    // B signs in again, looks, and signs out itself.
    await signIn(b);
    expect((await activity(b))[0]).toBe('Signed in | Safari on iOS *');
    await b.goto('/devices');
    await b.locator('header').getByRole('button', { name: 'Log out' }).click();
    await b.waitForURL('**/login');

    // A's sign-in runs out; once swept, A signs in again and sees it expired.
    await expect
      .poll(
        async () => {
          await a.goto('/activity');
          return new URL(a.url()).pathname;
        },
        { timeout: LIFETIME + 10_000, interval: 500 },
      )
      .toBe('/login');
    await signIn(a);
    await expect
      .poll(() => activity(a), { timeout: 5_000, interval: 250 })
      .toEqual([
        'Signed in | Firefox on Windows *',
        'Session expired | Firefox on Windows',
        'Signed out | Safari on iOS',
        'Signed in | Safari on iOS',
        'Logged out from another device | Safari on iOS',
        'Signed in | Safari on iOS',
        'Signed in | Firefox on Windows',
      ]);
    // The page names sessions by what they are, never by token.
    const cookies = await a.context().cookies();
    expect(await a.content()).not.toContain(cookies.find((cookie) => cookie.name === 'session')!.value);
  }, 60_000);
});
