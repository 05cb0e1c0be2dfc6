// The Prometheus example: drive traffic over HTTP, scrape /metrics over HTTP, check the numbers.
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsApp, startMetricsApp } from '../../examples/metrics/server.js';
import { CookieJar } from '../adapters/support/jar.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The value of one sample line of the exposition text, e.g. `sessionkit_sessions_created_total{store="MemoryStore"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((each) => each.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('examples/metrics', () => {
  let app: MetricsApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('counts sessions created, logged in and destroyed, and times loads and commits, as /metrics reports them', async () => {
    app = await startMetricsApp();
    const visitor = new CookieJar();
    for (let i = 1; i <= 3; i++) expect(await (await visitor.fetch(`${app.url}/visit`)).text()).toBe(String(i));
    const token = visitor.cookies.get('session')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Four logins of one user with maxSessionsPerUser 3: the oldest is destroyed by the limit.
    for (let i = 0; i < 4; i++) {
      await sleep(2);
      expect((await new CookieJar().fetch(`${app.url}/login?user=ada`, { method: 'POST' })).status).toBe(200);
    }
    expect(await (await visitor.fetch(`${app.url}/logout`, { method: 'POST' })).text()).toBe('logged out');

    const scrape = await fetch(`${app.url}/metrics`);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await scrape.text();
    const store = 'store="MemoryStore"';
    expect(sample(text, `sessionkit_sessions_created_total{${store}}`)).toBe(5);
    expect(sample(text, `sessionkit_sessions_login_total{${store}}`)).toBe(4);
    expect(sample(text, `sessionkit_sessions_destroyed_total{${store},reason="limit"}`)).toBe(1);
    expect(sample(text, `sessionkit_sessions_destroyed_total{${store},reason="app"}`)).toBe(1);
    expect(sample(text, `sessionkit_sessions_renewed_total{${store}}`)).toBeUndefined();
    // Every request loads (the scrape too, before its handler runs); the visits and logins commit.
    expect(sample(text, `sessionkit_load_duration_seconds_count{${store},outcome="ok"}`)).toBe(9);
    expect(sample(text, `sessionkit_commit_duration_seconds_count{${store},outcome="ok"}`)).toBe(7);
    expect(sample(text, `sessionkit_session_size_bytes_count{${store}}`)).toBe(7);
    const sizeSum = sample(text, `sessionkit_session_size_bytes_sum{${store}}`)!;
    expect(sizeSum).toBeGreaterThan(7 * 20);
    expect(sizeSum).toBeLessThan(7 * 200);
    expect(sample(text, 'sessionkit_memory_store_sessions')).toBe(3);
    expect(sample(text, 'sessionkit_memory_store_bytes')).toBeGreaterThan(0);
    expect(text).not.toContain(token);
  });
});
