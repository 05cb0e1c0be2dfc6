// maxSessionBytes: an oversized session is refused by commit, saveNow and iterate, and the stored version stays.
import { describe, expect, it } from 'vitest';
import { MemoryStore, SaveAction, SessionManager, SessionkitError, type SessionOptions } from '../../src/index.js';
import { TestStore } from '../support/store.js';

const LIMIT = 1000;
const SECRET = 'secret-value-'.repeat(100); // 1300 characters: over LIMIT once encoded

function setup(options: SessionOptions = {}, async = false) {
  const store = new TestStore({ delay: async ? 1 : 0 });
  const manager = new SessionManager({ store, maxSessionBytes: LIMIT, ...options });
  return { store, manager };
}

/** A committed session holding { note: 'small' }. */
async function stored(manager: SessionManager): Promise<string> {
  const session = await manager.load();
  session.put('note', 'small');
  return (await manager.commit(session)).token;
}

function expectLimitError(error: unknown, token: string): void {
  expect(error).toBeInstanceOf(SessionkitError);
  const message = (error as Error).message;
  expect(message).toMatch(/^sessionkit: commit: the encoded session is \d+ bytes, over maxSessionBytes \(1000\)/);
  expect(Number(message.match(/is (\d+) bytes/)?.[1])).toBeGreaterThan(LIMIT);
  expect(message).not.toContain('secret-value');
  if (token !== '') expect(message).not.toContain(token);
  expect((error as Error).cause).toBeUndefined();
}

describe('maxSessionBytes', () => {
  it('defaults to 1 MiB and must be a positive integer', () => {
    expect(new SessionManager().maxSessionBytes).toBe(1024 * 1024);
    expect(new SessionManager({ maxSessionBytes: 1 }).maxSessionBytes).toBe(1);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1000', null]) {
      expect(() => new SessionManager({ maxSessionBytes: bad as number })).toThrow(TypeError);
      expect(() => new SessionManager({ maxSessionBytes: bad as number })).toThrow(/option maxSessionBytes must be a whole number, 1 or more/);
    }
  });

  it('commit of an oversized session rejects, writes nothing, and the stored version stays', async () => {
    const { manager, store } = setup();
    const token = await stored(manager);
    const session = await manager.load(token);
    session.put('note', SECRET);
    const writes = store.writes();
    const error = await manager.commit(session).catch((caught: unknown) => caught);
    expectLimitError(error, token);
    expect(store.writes()).toBe(writes);
    expect((await manager.load(token)).get('note')).toBe('small');
  });

  it('a new oversized session gets no token and nothing is stored', async () => {
    const { manager, store } = setup();
    const session = await manager.load();
    session.put('note', SECRET);
    expectLimitError(await manager.commit(session).catch((caught: unknown) => caught), '');
    expect(session.token).toBe('');
    expect(store.writes()).toBe(0);
  });

  it('takes a session of exactly the limit and refuses one byte more', async () => {
    const probe = new SessionManager();
    const session = await probe.load();
    session.put('note', 'x'.repeat(200));
    // What a commit writes, the session's handle and creation time included.
    const { token: probed } = await probe.commit(session);
    const size = (probe.store.find(probed) as Uint8Array).length;

    const exact = new SessionManager({ maxSessionBytes: size });
    const fits = await exact.load();
    fits.put('note', 'x'.repeat(200));
    const { token } = await exact.commit(fits);
    expect((await exact.load(token)).get('note')).toBe('x'.repeat(200));

    const under = new SessionManager({ maxSessionBytes: size - 1 });
    const over = await under.load();
    over.put('note', 'x'.repeat(200));
    await expect(under.commit(over)).rejects.toThrow(`the encoded session is ${size} bytes, over maxSessionBytes (${size - 1})`);
  });

  for (const async of [false, true]) {
    it(`saveNow throws before writing (${async ? 'async' : 'sync'} store); the session stays modified and the stored version stays`, async () => {
      const { manager, store } = setup({}, async);
      const token = await stored(manager);
      const session = await manager.load(token);
      session.put('note', SECRET);
      const writes = store.writes();
      let error: unknown;
      try {
        manager.saveNow(session);
      } catch (caught) {
        error = caught;
      }
      expectLimitError(error, token);
      expect(session.status).toBe('modified');
      expect(store.writes()).toBe(writes);
      expect((await manager.load(token)).get('note')).toBe('small');
      // Back under the limit, the same session saves.
      session.put('note', 'fixed');
      expect(await manager.saveNow(session)).toBe(SaveAction.SetCookie);
      expect((await manager.load(token)).get('note')).toBe('fixed');
    });
  }

  it('iterate rejects at an oversized session and leaves it as stored', async () => {
    const { manager, store } = setup();
    const token = await stored(manager);
    const writes = store.writes();
    const error = await manager
      .iterate((session) => {
        session.put('note', SECRET);
      })
      .catch((caught: unknown) => caught);
    expectLimitError(error, token);
    expect(store.writes()).toBe(writes);
    expect((await manager.load(token)).get('note')).toBe('small');
  });

  it('an idle-timeout touch that rewrites (store without touch) is held to the limit too', async () => {
    const memory = new MemoryStore({ sweepInterval: 0 });
    const big = new SessionManager({ store: memory, maxSessionBytes: 10 * LIMIT });
    const session = await big.load();
    session.put('note', SECRET);
    const { token } = await big.commit(session);
    const noTouch = {
      find: (t: string) => memory.find(t),
      commit: (t: string, d: Uint8Array, e: number) => memory.commit(t, d, e),
      delete: (t: string) => memory.delete(t),
    };
    const small = new SessionManager({ store: noTouch, idleTimeout: 60_000, maxSessionBytes: LIMIT });
    const loaded = await small.load(token);
    expect(() => small.saveNow(loaded)).toThrow(/over maxSessionBytes \(1000\)/);
    expect((await big.load(token)).get('note')).toBe(SECRET);
  });
});
