// The devices demo end to end: headless Chromium with three browser contexts as three devices of one user.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicesApp, type DevicesApp } from '../../examples/devices/app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Set to a file path to keep a screenshot of the device list there. */
const SCREENSHOT = process.env.DEVICES_SCREENSHOT;

const USER_AGENTS = {
  A: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  B: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  C: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  other: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
};
const NAMES = { A: 'Firefox on Windows', B: 'Safari on iOS', C: 'Chrome on macOS', other: 'Chrome on Linux' };
const USER = 'alice';
/** The second user's name is markup: it must show up as text. */
const OTHER_USER = 'bob <script>alert(1)</script> & "co"';

let dir = '';
let app: DevicesApp | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'sessionkit-devices-'));
  app = await startDevicesApp({ dataDir: join(dir, 'data'), host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A browser context with its own cookies and User-Agent, showing the sign-in page. */
async function device(userAgent: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext({ userAgent, baseURL: app!.url });
  const page = await context.newPage();
  await page.goto('/');
  expect(new URL(page.url()).pathname).toBe('/login');
  return { context, page };
}

/** Signs in from the sign-in page. */
async function signIn(page: Page, username: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/devices');
}

/** The device names listed on the page, in order, with "*" after this device's. */
async function listed(page: Page): Promise<string[]> {
  return page
    .locator('li.device')
    .evaluateAll((items) => items.map((item) => `${item.querySelector('strong')!.textContent}${item.getAttribute('aria-current') === 'true' ? ' *' : ''}`));
}

async function expectSignedOut(page: Page): Promise<void> {
  await page.goto('/devices');
  expect(new URL(page.url()).pathname).toBe('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' }).count()).resolves.toBe(1);
}

describe('devices demo in Chromium', () => {
  it("lists, marks and logs out one user's devices", async () => {
    const [a, b, c, other] = await Promise.all([device(USER_AGENTS.A), device(USER_AGENTS.B), device(USER_AGENTS.C), device(USER_AGENTS.other)]);
    // One after the other, so that the list's order (newest first) is known.
    await signIn(a.page, USER);
    await signIn(b.page, USER);
    await signIn(c.page, USER);
    await signIn(other.page, OTHER_USER);

    // The session cookie is HttpOnly and SameSite=Lax.
    const [cookie] = await a.context.cookies();
    expect(cookie).toMatchObject({ name: 'session', httpOnly: true, sameSite: 'Lax' });

    // A sees three devices, newest first, itself marked; the other user's device is not among them.
    await a.page.reload();
    expect(await listed(a.page)).toEqual([NAMES.C, NAMES.B, `${NAMES.A} *`]);
    await expect(a.page.locator('li.device[aria-current="true"]').textContent()).resolves.toContain('This device');
    expect(await a.page.locator('.user').textContent()).toBe(USER);
    if (SCREENSHOT !== undefined) await a.page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The other user sees only their own device, and their name as text, not markup.
    await other.page.reload();
    expect(await listed(other.page)).toEqual([`${NAMES.other} *`]);
    expect(await other.page.locator('.user').textContent()).toBe(OTHER_USER);

    // A form without this session's CSRF token is refused and changes nothing.
    const forged = await a.context.request.post('/devices/logout-others', { form: { csrf: 'forged' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    await a.page.reload();
    expect(await listed(a.page)).toHaveLength(3);

    // A logs out B: B's next page load is the sign-in page; A sees two.
    await a.page.locator('li.device', { hasText: NAMES.B }).getByRole('button', { name: 'Log out' }).click();
    await a.page.waitForURL('**/devices');
    expect(await listed(a.page)).toEqual([NAMES.C, `${NAMES.A} *`]);
    await expectSignedOut(b.page);

    // A logs out everywhere else: C is signed out, A still signed in and alone.
    await a.page.getByRole('button', { name: 'Log out everywhere else' }).click();
    await a.page.waitForURL('**/devices');
    expect(await listed(a.page)).toEqual([`${NAMES.A} *`]);
    await expect(a.page.getByRole('button', { name: 'Log out everywhere else' }).count()).resolves.toBe(0);
    await expectSignedOut(c.page);
    await a.page.reload();
    expect(await listed(a.page)).toEqual([`${NAMES.A} *`]);

    // None of that touched the other user.
    await other.page.reload();
    expect(await listed(other.page)).toEqual([`${NAMES.other} *`]);

    // A logs out: the sign-in page, and the old cookie loads nothing.
    await a.page.locator('header').getByRole('button', { name: 'Log out' }).click();
    await a.page.waitForURL('**/login');
    await expectSignedOut(a.page);

    // B signs in again: a new session, listed alone.
    await b.page.goto('/login');
    await signIn(b.page, USER);
    expect(await listed(b.page)).toEqual([`${NAMES.B} *`]);
  }, 60_000);
});

/** The cookies a response sets, as name -> the whole Set-Cookie line. */
function setCookies(response: Response): Map<string, string> {
  return new Map(response.headers.getSetCookie().map((line) => [line.slice(0, line.indexOf('=')), line]));
}

/** The sign-in form's CSRF token and cookie, from a GET of the form. */
async function signInForm(url: string): Promise<{ csrf: string; cookie: string; response: Response }> {
  const response = await fetch(`${url}/login`, { redirect: 'manual' });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await response.text())?.[1] ?? '';
  const line = response.headers.getSetCookie().find((value) => value.includes('login-csrf=')) ?? '';
  return { csrf, cookie: line.slice(0, line.indexOf(';')), response };
}

function postSignIn(url: string, cookie: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(form).toString(),
  });
}

describe('devices demo sign-in over HTTP', () => {
  it('creates no session for a GET of the sign-in form or a failed sign-in, only for a sign-in', async () => {
    for (let i = 0; i < 3; i++) {
      const { csrf, cookie, response } = await signInForm(app!.url);
      expect(response.status).toBe(200);
      expect([...setCookies(response).keys()]).toEqual(['login-csrf']);
      expect(cookie).toMatch(/^login-csrf=[A-Za-z0-9_-]{43}$/);
      const failed = await postSignIn(app!.url, cookie, { csrf, username: 'mallory', password: 'wrong' });
      expect(failed.status).toBe(200);
      expect(await failed.text()).toContain('Wrong username or password');
      expect(setCookies(failed).has('session')).toBe(false);
    }
    const { csrf, cookie } = await signInForm(app!.url);
    const signedIn = await postSignIn(app!.url, cookie, { csrf, username: 'carol', password: 'demo' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/devices');
    const cookies = setCookies(signedIn);
    expect(cookies.get('session')).toMatch(/^session=[A-Za-z0-9_-]{43};/);
    expect(cookies.get('login-csrf')).toMatch(/^login-csrf=; Max-Age=0;/);
  });

  it("refuses a sign-in whose form token does not match the browser's sign-in cookie, storing nothing", async () => {
    const { csrf, cookie } = await signInForm(app!.url);
    const other = await signInForm(app!.url);
    for (const [sentCookie, sentCsrf] of [
      ['', csrf],
      [cookie, 'forged'],
      [other.cookie, csrf],
    ] as const) {
      const response = await postSignIn(app!.url, sentCookie, { csrf: sentCsrf, username: 'carol', password: 'demo' });
      expect(response.status).toBe(403);
      expect(setCookies(response).has('session')).toBe(false);
    }
  });

  it('names its cookies with the __Host- prefix when served over HTTPS (COOKIE_SECURE=1)', async () => {
    const secure = await startDevicesApp({ dataDir: join(dir, 'secure-data'), host: '127.0.0.1', port: 0, secureCookie: true });
    try {
      const { csrf, cookie, response } = await signInForm(secure.url);
      expect(response.headers.getSetCookie()).toEqual([
        expect.stringMatching(/^__Host-login-csrf=[A-Za-z0-9_-]{43}; Max-Age=1800; Path=\/; HttpOnly; SameSite=Strict; Secure$/),
      ]);
      const signedIn = await postSignIn(secure.url, cookie, { csrf, username: 'carol', password: 'demo' });
      expect(signedIn.status).toBe(303);
      const session = setCookies(signedIn).get('__Host-session') ?? '';
      expect(session).toMatch(/^__Host-session=[A-Za-z0-9_-]{43};/);
      expect(session).toContain('; Secure');
      expect(session).toContain('; Path=/');
      expect(session).not.toMatch(/Domain=/i);
      expect(setCookies(signedIn).has('session')).toBe(false);
    } finally {
      await secure.close();
    }
  });
});
