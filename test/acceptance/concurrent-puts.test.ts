// Acceptance: on every shipped store and over the uWS and node adapters, 50 concurrent requests of one session, each putting its own key, leave all 50 keys.
import { afterAll, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { ADAPTERS, gate, get, serve, setToken } from './support/app.js';
import { waitFor } from '../stores/support/processes.js';
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

describe.each(STORE_NAMES)('%s: commit storms', (storeName) => {
  it.each(ADAPTERS)(
    'over the %s adapter: 200 requests of one session that resume in the same tick are all answered 200 and keep all 200 keys',
    async (adapter) => {
      const store = await stores.open(storeName);
      const manager = new SessionManager({ store });
      const server = await serve(adapter, manager);
      try {
        const token = setToken((await get(server.url, '/put?k=first&ms=0')).response)!;
        gate.close();
        const requests = Array.from({ length: 200 }, (_, i) => get(server.url, `/put-at-gate?k=k${i}&v=${i}`, token));
        await waitFor('200 requests at the gate', async () => gate.waiting === 200);
        gate.open();
        const statuses = (await Promise.all(requests)).map(({ response }) => response.status);
        expect(statuses.filter((status) => status !== 200)).toEqual([]);
        const { body } = await get(server.url, '/values', token);
        const expected: Record<string, string> = { first: 'x' };
        for (let i = 0; i < 200; i++) expected[`k${i}`] = String(i);
        expect(JSON.parse(body)).toEqual(expected);
      } finally {
        await server.close();
      }
    },
    30_000,
  );

  it('200 commits of one session in the same tick: none rejected, all 200 changes kept', async () => {
    const store = await stores.open(storeName);
    const manager = new SessionManager({ store });
    const first = await manager.load();
    first.put('first', true);
    const { token } = await manager.commit(first);
    const sessions = await Promise.all(Array.from({ length: 200 }, () => manager.load(token)));
    sessions.forEach((session, i) => session.put(`k${i}`, i));
    // Handlers awaiting one shared promise (a coalesced database call) all commit in the same tick.
    const shared = Promise.resolve();
    const results = await Promise.allSettled(sessions.map((session) => shared.then(() => manager.commit(session))));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const after = await manager.load(token);
    expect(sessions.map((_, i) => after.get(`k${i}`))).toEqual(sessions.map((_, i) => i));
    expect(after.get('first')).toBe(true);
  }, 30_000);

  it('8 managers sharing the store x 25 commits of one session in the same tick: none rejected, all 200 changes kept', async () => {
    const store = await stores.open(storeName);
    const managers = Array.from({ length: 8 }, () => new SessionManager({ store }));
    const first = await managers[0]!.load();
    first.put('first', true);
    const { token } = await managers[0]!.commit(first);
    const commits = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const manager = managers[i % 8]!;
        const session = await manager.load(token);
        session.put(`k${i}`, i);
        return { manager, session };
      }),
    );
    const shared = Promise.resolve();
    const results = await Promise.allSettled(commits.map(({ manager, session }) => shared.then(() => manager.commit(session))));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const after = await managers[0]!.load(token);
    expect(commits.map((_, i) => after.get(`k${i}`))).toEqual(commits.map((_, i) => i));
  }, 30_000);
});
