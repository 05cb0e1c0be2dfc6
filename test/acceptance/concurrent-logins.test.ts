// Acceptance: on every shipped store, overlapping logins of one user leave exactly maxSessionsPerUser sessions (over HTTP on both adapters, and straight through the manager).
import { afterAll, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { ADAPTERS, get, serve, setToken } from './support/app.js';
import { AcceptanceStores, STORE_NAMES } from './support/stores.js';

const stores = new AcceptanceStores();
afterAll(() => stores.close(), 60_000);

describe.each(STORE_NAMES)('%s', (storeName) => {
  it.each([
    [1, 2],
    [1, 10],
    [3, 30],
  ])(
    'cap %i with %i concurrent logins of one user leaves exactly that many sessions',
    async (cap, logins) => {
      const store = await stores.open(storeName);
      const manager = new SessionManager({ store, maxSessionsPerUser: cap });
      const sessions = await Promise.all(Array.from({ length: logins }, () => manager.load()));
      const results = await Promise.all(
        sessions.map(async (session, i) => {
          session.put('device', `d${i}`);
          await session.login('ada');
          return manager.commit(session);
        }),
      );
      expect(await manager.listSessions('ada')).toHaveLength(cap);
      const loaded = await Promise.all(results.filter(({ token }) => token !== '').map(({ token }) => manager.load(token)));
      expect(loaded.filter((session) => session.userId === 'ada')).toHaveLength(cap);
    },
    30_000,
  );

  it.each(ADAPTERS)(
    'over the %s adapter: 6 concurrent sign-ins under a cap of 5 leave 5 signed-in devices',
    async (adapter) => {
      const store = await stores.open(storeName);
      const manager = new SessionManager({ store, maxSessionsPerUser: 5 });
      const server = await serve(adapter, manager);
      try {
        const anonymous = await Promise.all(
          Array.from({ length: 6 }, async (_, i) => setToken((await get(server.url, `/put?k=device&v=d${i}&ms=0`)).response)!),
        );
        const logins = await Promise.all(anonymous.map((token) => get(server.url, '/login?user=ada', token)));
        expect(logins.map(({ response }) => response.status)).toEqual(Array(6).fill(200));
        expect(JSON.parse((await get(server.url, '/list?user=ada')).body)).toHaveLength(5);
        // Only the logins that kept their session were sent a cookie for it, and each of those still loads.
        const signedIn = logins.map(({ response }) => setToken(response)).filter((token): token is string => token !== undefined && token !== '');
        const handles = await Promise.all(signedIn.map(async (token) => (await get(server.url, '/handle', token)).body));
        expect(handles.filter((handle) => handle !== '').length).toBe(5);
      } finally {
        await server.close();
      }
    },
    30_000,
  );
});
