// Acceptance: on every shipped store and over the uWS and node adapters, a destroy or a login racing a slow request leaves the old token loading nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import type { SpyStore } from '../support/spy-store.js';
import { sleep } from '../support/time.js';
import { ADAPTERS, get, release, serve, setToken } from './support/app.js';
import { AcceptanceStores, STORE_NAMES } from './support/stores.js';

const stores = new AcceptanceStores();
let holds = 0;
afterAll(() => stores.close(), 60_000);

/** Resolves once the store was asked for more than `seen` finds: the request started meanwhile has loaded. */
async function loaded(store: SpyStore, seen: number): Promise<void> {
  while (store.calls.find <= seen) await sleep(2);
}

describe.each(STORE_NAMES)('%s', (storeName) => {
  describe.each(ADAPTERS)('over the %s adapter', (adapter) => {
    for (const revoke of ['destroy', 'login'] as const) {
      it(`a ${revoke} racing a slow request: the slow one commits nothing, sends no cookie, and the old token loads nothing`, async () => {
        const store = await stores.open(storeName);
        const manager = new SessionManager({ store });
        const server = await serve(adapter, manager);
        try {
          const token = setToken((await get(server.url, '/put?k=secret&v=before&ms=0')).response)!;
          const finds = store.calls.find;
          // The slow request has loaded the session and goes on only once the revoke was answered, however slow the store.
          const hold = `revocation-${++holds}`;
          const slow = get(server.url, `/put?k=late&v=after&hold=${hold}`, token);
          await loaded(store, finds);

          const revoked = await get(server.url, revoke === 'destroy' ? '/destroy' : '/login?user=ada', token);
          release(hold);
          const renewed = setToken(revoked.response);
          if (revoke === 'destroy') expect(renewed).toBe('');
          else expect(renewed).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(renewed).not.toBe(token);

          const late = await slow;
          expect(late.response.status).toBe(200);
          expect(setToken(late.response)).toBeUndefined();

          const old = await get(server.url, '/values', token);
          expect(old.body).toBe('{}');
          expect(setToken(old.response)).toBeUndefined();
          if (revoke === 'login') expect(JSON.parse((await get(server.url, '/values', renewed)).body)).toEqual({ secret: 'before' });
          expect(store.calls.all).toBe(0);
        } finally {
          await server.close();
        }
      }, 30_000);

      it(`a ${revoke} racing a slow request that only reads, under an idle timeout: the slow one sends no cookie for the old token`, async () => {
        const store = await stores.open(storeName);
        const manager = new SessionManager({ store, idleTimeout: 60_000 });
        const server = await serve(adapter, manager);
        try {
          const token = setToken((await get(server.url, '/put?k=secret&v=before&ms=0')).response)!;
          const finds = store.calls.find;
          const hold = `revocation-${++holds}`;
          const slow = get(server.url, `/read?hold=${hold}`, token);
          await loaded(store, finds);

          const revoked = await get(server.url, revoke === 'destroy' ? '/destroy' : '/login?user=ada', token);
          release(hold);
          expect(setToken(revoked.response)).not.toBe(token);

          // Its cookie would arrive after the revoking answer's and put the old token back in the browser.
          const late = await slow;
          expect(late.response.status).toBe(200);
          expect(late.body).toBe('"before"');
          expect(setToken(late.response)).toBeUndefined();
          expect((await get(server.url, '/values', token)).body).toBe('{}');
        } finally {
          await server.close();
        }
      }, 30_000);
    }
  });
});
