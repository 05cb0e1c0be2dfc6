// Acceptance: on every shipped store and over the uWS and node adapters, a user's sessions are listed, destroyed one by one or all but one, and held to maxSessionsPerUser, without all().
import { afterAll, describe, expect, it } from 'vitest';
import { SessionManager, type ListedSession } from '../../src/index.js';
import { sleep } from '../support/time.js';
import { ADAPTERS, get, serve, setToken } from './support/app.js';
import { AcceptanceStores, STORE_NAMES } from './support/stores.js';

const stores = new AcceptanceStores();
afterAll(() => stores.close(), 60_000);

describe.each(STORE_NAMES)('%s', (storeName) => {
  it.each(ADAPTERS)(
    'over the %s adapter: list newest first, destroy one, log out the others, limit per user',
    async (adapter) => {
      const store = await stores.open(storeName);
      const manager = new SessionManager({ store, maxSessionsPerUser: 3 });
      const server = await serve(adapter, manager);
      const user = 'ada@example.com';
      try {
        const devices: { token: string; handle: string }[] = [];
        for (let i = 1; i <= 4; i++) {
          const anonymous = setToken((await get(server.url, `/put?k=device&v=d${i}&ms=0`)).response)!;
          const login = await get(server.url, `/login?user=${encodeURIComponent(user)}`, anonymous);
          devices.push({ token: setToken(login.response)!, handle: login.body });
          expect((await get(server.url, '/values', anonymous)).body).toBe('{}');
          await sleep(3); // distinct creation times
        }
        const [d1, d2, d3, d4] = devices as [(typeof devices)[0], (typeof devices)[0], (typeof devices)[0], (typeof devices)[0]];

        // The fourth login destroyed the oldest session.
        const list = JSON.parse((await get(server.url, `/list?user=${encodeURIComponent(user)}`, d4.token)).body) as ListedSession<{ device: string }>[];
        expect(list.map((entry) => entry.handle)).toEqual([d4.handle, d3.handle, d2.handle]);
        expect(list.map((entry) => entry.data)).toEqual([{ device: 'd4' }, { device: 'd3' }, { device: 'd2' }]);
        for (const entry of list) {
          expect(entry.expiresAt).toBeGreaterThan(Date.now());
          expect(entry.createdAt).toBeLessThanOrEqual(Date.now());
        }
        expect(list[0]!.createdAt).toBeGreaterThan(list[1]!.createdAt);
        expect((await get(server.url, '/values', d1.token)).body).toBe('{}');

        expect((await get(server.url, `/destroy-session?user=${encodeURIComponent(user)}&handle=${d3.handle}`, d4.token)).body).toBe('true');
        expect((await get(server.url, '/values', d3.token)).body).toBe('{}');
        expect((await get(server.url, `/destroy-session?user=other&handle=${d2.handle}`, d4.token)).body).toBe('false');

        expect((await get(server.url, `/log-out-others?user=${encodeURIComponent(user)}`, d4.token)).body).toBe('1');
        expect((await get(server.url, '/values', d2.token)).body).toBe('{}');
        expect(JSON.parse((await get(server.url, '/values', d4.token)).body)).toEqual({ device: 'd4' });
        const left = JSON.parse((await get(server.url, `/list?user=${encodeURIComponent(user)}`)).body) as ListedSession<object>[];
        expect(left.map((entry) => entry.handle)).toEqual([d4.handle]);

        expect(store.calls.findByOwner).toBeGreaterThan(0);
        expect(store.calls.all).toBe(0);
      } finally {
        await server.close();
      }
    },
    30_000,
  );
});
