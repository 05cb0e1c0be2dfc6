// Acceptance: on every shipped store and over the uWS and node adapters, 50 concurrent requests of one session, each putting its own key, leave all 50 keys.
import { afterAll, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { ADAPTERS, get, serve, setToken } from './support/app.js';
import { AcceptanceStores, STORE_NAMES } from './support/stores.js';

const stores = new AcceptanceStores();
afterAll(() => stores.close(), 60_000);

describe.each(STORE_NAMES)('%s', (storeName) => {
  it.each(ADAPTERS)(
    'over the %s adapter: 50 concurrent puts of one session keep all 50 keys',
    async (adapter) => {
      const store = await stores.open(storeName);
      const manager = new SessionManager({ store });
      const server = await serve(adapter, manager);
      try {
        const first = await get(server.url, '/put?k=first&ms=0');
        const token = setToken(first.response)!;
        expect(token).toHaveLength(43);

        const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => get(server.url, `/put?k=k${i}&v=${i}`, token)));
        for (const { response } of responses) {
          expect(response.status).toBe(200);
          expect(setToken(response)).toBe(token);
        }

        const { body } = await get(server.url, '/values', token);
        const expected: Record<string, string> = { first: 'x' };
        for (let i = 0; i < 50; i++) expected[`k${i}`] = String(i);
        expect(JSON.parse(body)).toEqual(expected);
        // Every save is a conditional write; concurrent ones of one session may share one.
        expect(store.calls.commitIf).toBeGreaterThanOrEqual(2);
        expect(store.calls.commitIf).toBeLessThanOrEqual(51 + store.calls.find);
        expect(store.calls.commit).toBe(0);
        expect(store.calls.all).toBe(0);
      } finally {
        await server.close();
      }
    },
    30_000,
  );
});
