// Revocation sticks: after destroy(), renewToken() or login(), a request that loaded the old token commits nothing and the old token loads nothing.
import { describe, expect, it } from 'vitest';
import { MemoryStore, SaveAction, SessionManager, type SessionOptions } from '../../src/index.js';
import { hashToken } from '../../src/token.js';
import { spyStore } from '../support/spy-store.js';

function setup(options: SessionOptions = {}) {
  const memory = new MemoryStore({ sweepInterval: 0 });
  const store = spyStore(memory);
  const manager = new SessionManager({ store, ...options });
  return { memory, store, manager };
}

async function stored(manager: SessionManager): Promise<string> {
  const session = await manager.load();
  session.put('secret', 'before');
  return (await manager.commit(session)).token;
}

type Revoke = 'destroy' | 'renewToken' | 'login';

for (const hashTokenInStore of [false, true]) {
  describe(`revocation${hashTokenInStore ? ' with hashTokenInStore' : ''}`, () => {
    for (const revoke of ['destroy', 'renewToken', 'login'] as Revoke[]) {
      it(`${revoke}() racing a slow request: its changes are dropped, no cookie, and the old token loads nothing`, async () => {
        const { manager, memory } = setup({ hashTokenInStore });
        const token = await stored(manager);
        const slow = await manager.load(token);
        const revoker = await manager.load(token);
        if (revoke === 'destroy') await revoker.destroy();
        else if (revoke === 'renewToken') await revoker.renewToken();
        else await revoker.login('ada');
        const action = await manager.saveNow(revoker);
        expect(action).toBe(revoke === 'destroy' ? SaveAction.ClearCookie : SaveAction.SetCookie);

        slow.put('secret', 'after');
        expect(await manager.saveNow(slow)).toBe(SaveAction.None);
        expect(slow.token).toBe(token); // it never learns the new token
        expect(await manager.commit(slow)).toEqual({ token: '', expiresAt: 0 });

        const key = hashTokenInStore ? hashToken(token) : token;
        expect(memory.find(key)).toBeUndefined();
        const reloaded = await manager.load(token);
        expect(reloaded.token).toBe('');
        expect(reloaded.keys()).toEqual([]);
        if (revoke !== 'destroy') {
          expect(revoker.token).not.toBe(token);
          expect((await manager.load(revoker.token)).get('secret')).toBe('before');
        }
      });
    }

    it('a request that loaded the old token before a destroy cannot bring it back with a later idle-timeout touch', async () => {
      const { manager } = setup({ hashTokenInStore, idleTimeout: 60_000 });
      const token = await stored(manager);
      const reader = await manager.load(token);
      const revoker = await manager.load(token);
      await revoker.destroy();
      await manager.saveNow(revoker);
      await manager.saveNow(reader);
      expect((await manager.load(token)).keys()).toEqual([]);
    });
  });
}

describe('revocation on a store without commitIf (last writer wins)', () => {
  it('is documented as weaker: a racing commit can bring a destroyed token back', async () => {
    const store = spyStore(new MemoryStore({ sweepInterval: 0 }), ['commitIf']);
    const manager = new SessionManager({ store });
    const token = await stored(manager);
    const slow = await manager.load(token);
    const revoker = await manager.load(token);
    await revoker.destroy();
    slow.put('secret', 'after');
    expect(await manager.saveNow(slow)).toBe(SaveAction.SetCookie);
    expect((await manager.load(token)).get('secret')).toBe('after');
  });
});

describe('idle-timeout touch', () => {
  it("passes the session's user id as the owner", async () => {
    const { manager, store } = setup({ idleTimeout: 60_000 });
    const session = await manager.load();
    await session.login(42);
    const { token } = await manager.commit(session);
    const reader = await manager.load(token);
    expect(await manager.saveNow(reader)).toBe(SaveAction.SetCookie);
    const anonymous = await manager.load(await stored(manager));
    await manager.saveNow(anonymous);
    expect(store.touchOwners).toEqual(['42', undefined]);
  });
});
