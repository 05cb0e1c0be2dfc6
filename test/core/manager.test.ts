import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore, SaveAction, SessionManager, type SessionkitError, jsonCodec, type SessionOptions } from '../../src/index.js';
import { hashToken, isToken } from '../../src/token.js';
import { TestStore } from '../support/store.js';

const HOUR = 60 * 60 * 1000;

function setup(options: SessionOptions = {}, async = false) {
  const store = new TestStore({ delay: async ? 1 : 0 });
  const memory = store.inner;
  const errors: SessionkitError[] = [];
  const manager = new SessionManager({ store, onError: (error) => errors.push(error), ...options });
  return { memory, store, manager, errors };
}

async function newSession(manager: SessionManager, values: Record<string, unknown> = { user: 1 }) {
  const session = await manager.load();
  for (const [key, value] of Object.entries(values)) session.put(key, value);
  return manager.commit(session);
}

describe('SessionManager.load', () => {
  it('gives a new empty session for a missing, malformed or unknown token, without asking the store for bad shapes', async () => {
    const { manager, store } = setup();
    for (const token of [undefined, null, '', 'short', `${'x'.repeat(43)}y`, `${'a'.repeat(42)}=`, '../'.repeat(15)]) {
      const session = await manager.load(token);
      expect(session.token).toBe('');
      expect(session.keys()).toEqual([]);
    }
    expect(store.calls.find).toBe(0);
    const unknown = await manager.load('a'.repeat(43));
    expect(unknown.token).toBe('');
    expect(store.calls.find).toBe(1);
  });

  it('finds a committed session and its values', async () => {
    const { manager } = setup();
    const { token } = await newSession(manager, { user: 7, when: new Date(5), roles: ['a'] });
    const session = await manager.load(token);
    expect(session.token).toBe(token);
    expect(session.status).toBe('unmodified');
    expect(session.get('user')).toBe(7);
    expect(session.getDate('when')).toEqual(new Date(5));
    expect(session.get('roles')).toEqual(['a']);
  });

  it('rejects when the store fails (a system error is not "not found")', async () => {
    const { manager, store } = setup();
    const { token } = await newSession(manager);
    store.failWith = new Error('connection lost');
    await expect(manager.load(token)).rejects.toThrow('connection lost');
  });

  it('gives a fresh session for undecodable bytes and reports it once, without the token', async () => {
    const { manager, memory, errors } = setup();
    const { token } = await newSession(manager);
    memory.commit(token, Buffer.from('not msgpack at all'), Date.now() + HOUR);
    const session = await manager.load(token);
    expect(session.token).toBe('');
    expect(session.keys()).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^sessionkit: codec: /);
    expect(errors[0]!.message).not.toContain(token);
    expect(errors[0]!.cause).toBeInstanceOf(Error);
    session.put('again', true);
    const fresh = await manager.commit(session);
    expect(fresh.token).not.toBe(token);
    expect((await manager.load(fresh.token)).get('again')).toBe(true);
  });

  it('logs decode failures by default without the token', async () => {
    const memory = new MemoryStore({ sweepInterval: 0 });
    const manager = new SessionManager({ store: memory });
    const { token } = await newSession(manager);
    memory.commit(token, Uint8Array.of(0xc1), Date.now() + HOUR);
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await manager.load(token);
      expect(log).toHaveBeenCalledTimes(1);
      expect(String(log.mock.calls[0]![0])).toMatch(/sessionkit: codec/);
      expect(String(log.mock.calls[0]![0])).not.toContain(token);
    } finally {
      log.mockRestore();
    }
  });

  it('treats a record past its deadline as expired even if the store still holds it', async () => {
    const { manager, memory } = setup();
    const { token } = await newSession(manager);
    memory.commit(token, manager.codec.encode(Date.now() - 1, new Map([['user', 1]])), Date.now() + HOUR);
    expect((await manager.load(token)).token).toBe('');
  });

  it('answers synchronously from a synchronous store, and with a promise from an async one', async () => {
    const sync = setup();
    const { token } = await newSession(sync.manager);
    const loaded = sync.manager.loadNow(token);
    expect(loaded).not.toBeInstanceOf(Promise);
    const session = loaded as Awaited<typeof loaded>;
    session.put('x', 1);
    expect(sync.manager.saveNow(session)).toBe(SaveAction.SetCookie);

    const async = setup({}, true);
    const second = await newSession(async.manager);
    const pending = async.manager.loadNow(second.token);
    expect(pending).toBeInstanceOf(Promise);
    const asyncSession = await pending;
    asyncSession.put('x', 1);
    const saved = async.manager.saveNow(asyncSession);
    expect(saved).toBeInstanceOf(Promise);
    expect(await saved).toBe(SaveAction.SetCookie);
  });

  it('shares decoded values between loads until one writes (copy on write)', async () => {
    const { manager } = setup();
    const { token } = await newSession(manager, { n: 1 });
    const a = await manager.load(token);
    const b = await manager.load(token);
    a.put('n', 2);
    a.put('extra', true);
    expect(b.get('n')).toBe(1);
    expect(b.exists('extra')).toBe(false);
    expect((await manager.load(token)).get('n')).toBe(1);
  });
});

describe('SessionManager.commit and saveNow', () => {
  it('writes a new session only when modified, and tells the adapter what to do with the cookie', async () => {
    const { manager, store } = setup();
    const untouched = await manager.load();
    expect(manager.saveNow(untouched)).toBe(SaveAction.None);
    expect(store.writes()).toBe(0);

    const { token } = await newSession(manager);
    expect(isToken(token)).toBe(true);
    const writes = store.writes();
    const loaded = await manager.load(token);
    loaded.get('user');
    expect(manager.saveNow(loaded)).toBe(SaveAction.None);
    expect(store.writes()).toBe(writes);
  });

  it('saveNow marks a saved session unmodified once encoded; a change while the write is in flight is saved next time', async () => {
    const { manager, store } = setup({}, true);
    const session = await manager.load();
    session.put('step', 1);
    const saving = manager.saveNow(session);
    expect(session.status).toBe('unmodified');
    session.put('step', 2);
    expect(session.status).toBe('modified');
    expect(await saving).toBe(SaveAction.SetCookie);
    expect((await manager.load(session.token)).get('step')).toBe(1);
    expect(await manager.saveNow(session)).toBe(SaveAction.SetCookie);
    expect(session.status).toBe('unmodified');
    expect((await manager.load(session.token)).get('step')).toBe(2);
    expect(store.calls.commitIf).toBe(2);
  });

  it('stores until the deadline without an idle timeout', async () => {
    const { manager } = setup({ lifetime: HOUR });
    const session = await manager.load();
    session.put('a', 1);
    const { expiresAt } = await manager.commit(session);
    expect(expiresAt).toBe(session.deadline);
    expect(Math.abs(expiresAt - (Date.now() + HOUR))).toBeLessThan(1000);
  });

  it('does not write a destroyed session on commit', async () => {
    const { manager, store } = setup();
    const { token } = await newSession(manager);
    const session = await manager.load(token);
    await session.destroy();
    const writes = store.calls.commitIf;
    expect(await manager.commit(session)).toEqual({ token: '', expiresAt: 0 });
    expect(store.calls.commitIf).toBe(writes);
  });
});

describe('lifetime and idle timeout (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 0, 1));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a session at its absolute lifetime', async () => {
    const { manager } = setup({ lifetime: HOUR });
    const { token } = await newSession(manager);
    vi.advanceTimersByTime(HOUR - 1);
    expect((await manager.load(token)).token).toBe(token);
    vi.advanceTimersByTime(1);
    expect((await manager.load(token)).token).toBe('');
  });

  it('slides the expiry by the idle timeout on every request, with touch and a fresh cookie, capped at the deadline', async () => {
    const { manager, store } = setup({ lifetime: 3 * HOUR, idleTimeout: HOUR });
    const created = Date.now();
    const first = await newSession(manager);
    expect(first.expiresAt).toBe(created + HOUR);

    vi.advanceTimersByTime(HOUR - 1000);
    const session = await manager.load(first.token);
    expect(session.status).toBe('unmodified');
    expect(manager.saveNow(session)).toBe(SaveAction.SetCookie);
    expect(store.calls.touch).toBe(1);
    expect(manager.setCookieHeader(session, SaveAction.SetCookie)).toContain('Max-Age=3600');

    vi.advanceTimersByTime(HOUR - 1000); // past the first idle expiry, within the slid one
    const again = await manager.load(first.token);
    expect(again.token).toBe(first.token);
    manager.saveNow(again);

    vi.advanceTimersByTime(HOUR - 1000); // capped: deadline is created + 3h
    const late = await manager.load(first.token);
    manager.saveNow(late);
    // Expiry capped at created + 3h, 3 s from now (not an hour).
    expect(manager.setCookieHeader(late, SaveAction.SetCookie)).toMatch(/Max-Age=3$/);

    vi.advanceTimersByTime(HOUR);
    expect((await manager.load(first.token)).token).toBe('');
  });

  it('ends an idle session after the idle timeout', async () => {
    const { manager } = setup({ lifetime: 3 * HOUR, idleTimeout: HOUR });
    const { token } = await newSession(manager);
    vi.advanceTimersByTime(HOUR);
    expect((await manager.load(token)).token).toBe('');
  });

  it('re-encodes instead of touching when the store has no touch()', async () => {
    const memory = new MemoryStore({ sweepInterval: 0 });
    const store = { find: memory.find.bind(memory), commit: vi.fn(memory.commit.bind(memory)), delete: memory.delete.bind(memory) };
    const manager = new SessionManager({ store, idleTimeout: HOUR });
    const { token } = await newSession(manager, { keep: 'me' });
    vi.advanceTimersByTime(HOUR / 2);
    const session = await manager.load(token);
    manager.saveNow(session);
    expect(store.commit).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(HOUR * 0.75);
    expect((await manager.load(token)).get('keep')).toBe('me');
  });
});

describe('renewToken, destroy, mergeSession, rememberMe', () => {
  it('renewToken: new token, old entry deleted, data kept, lifetime restarted', async () => {
    const { manager } = setup({ lifetime: HOUR });
    const { token } = await newSession(manager, { user: 1 });
    const session = await manager.load(token);
    session.setDeadline(Date.now() + 1000);
    await session.renewToken();
    expect(session.status).toBe('modified');
    expect(session.token).not.toBe(token);
    expect(isToken(session.token)).toBe(true);
    expect(session.deadline).toBeGreaterThan(Date.now() + HOUR - 1000);
    expect((await manager.load(token)).token).toBe('');
    const renewed = await manager.commit(session);
    expect(renewed.token).toBe(session.token);
    expect((await manager.load(renewed.token)).get('user')).toBe(1);
  });

  it('renewToken on a new session gives it a token without touching the store', async () => {
    const { manager, store } = setup();
    const session = await manager.load();
    await session.renewToken();
    expect(isToken(session.token)).toBe(true);
    expect(store.calls.delete).toBe(0);
  });

  it('destroy: store entry deleted, values gone, cookie cleared; a later put starts a new session', async () => {
    const { manager } = setup();
    const { token } = await newSession(manager, { user: 1 });
    const session = await manager.load(token);
    await session.destroy();
    expect(session.status).toBe('destroyed');
    expect(session.token).toBe('');
    expect(session.keys()).toEqual([]);
    expect((await manager.load(token)).token).toBe('');
    expect(manager.saveNow(session)).toBe(SaveAction.ClearCookie);
    expect(manager.setCookieHeader(session, SaveAction.ClearCookie)).toMatch(/^session=; .*Max-Age=0/);

    session.put('guest', true);
    expect(session.status).toBe('modified');
    expect(manager.saveNow(session)).toBe(SaveAction.SetCookie);
    expect(session.token).not.toBe(token);
    const next = await manager.load(session.token);
    expect(next.keys()).toEqual(['guest']);
  });

  it('destroy propagates a store failure', async () => {
    const { manager, store } = setup();
    const { token } = await newSession(manager);
    const session = await manager.load(token);
    store.failWith = new Error('disk full');
    await expect(session.destroy()).rejects.toThrow('disk full');
  });

  it('mergeSession copies the other values over, keeps the later deadline, deletes the other', async () => {
    const { manager } = setup({ lifetime: HOUR });
    const other = await manager.load();
    other.put('cart', [1, 2]);
    other.put('shared', 'theirs');
    other.setDeadline(Date.now() + 2 * HOUR);
    const { token: otherToken } = await manager.commit(other);

    const session = await manager.load();
    session.put('shared', 'mine');
    session.put('own', 1);
    await session.mergeSession(otherToken);
    expect(session.get('cart')).toEqual([1, 2]);
    expect(session.get('shared')).toBe('theirs');
    expect(session.get('own')).toBe(1);
    expect(session.deadline).toBe(other.deadline);
    expect((await manager.load(otherToken)).token).toBe('');

    await session.mergeSession('not a token');
    await session.mergeSession('b'.repeat(43));
    expect(session.get('own')).toBe(1);
  });

  it('mergeSession with its own token does nothing', async () => {
    const { manager, store } = setup();
    const { token } = await newSession(manager);
    const session = await manager.load(token);
    await session.mergeSession(token);
    expect(session.status).toBe('unmodified');
    expect(store.calls.delete).toBe(0);
  });

  it('rememberMe makes the cookie persistent when cookie.persist is false', async () => {
    const { manager } = setup({ cookie: { persist: false } });
    const plain = await manager.load();
    plain.put('a', 1);
    const action = manager.saveNow(plain) as SaveAction;
    expect(manager.setCookieHeader(plain, action)).not.toMatch(/Expires|Max-Age/);

    const remembered = await manager.load();
    remembered.rememberMe(true);
    manager.saveNow(remembered);
    expect(manager.setCookieHeader(remembered, SaveAction.SetCookie)).toMatch(/Expires=.*Max-Age=86400/);
    const reloaded = await manager.load(remembered.token);
    expect(manager.setCookieHeader(reloaded, SaveAction.SetCookie)).toMatch(/Max-Age/);
  });

  it('persist: true (default) always carries Expires and Max-Age', async () => {
    const { manager } = setup();
    const session = await manager.load();
    session.put('a', 1);
    manager.saveNow(session);
    expect(manager.setCookieHeader(session, SaveAction.SetCookie)).toMatch(
      /^session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Expires=.* GMT; Max-Age=86400$/,
    );
  });
});

describe('hashTokenInStore', () => {
  it('keeps only sha256(token) in the store', async () => {
    const { manager, memory } = setup({ hashTokenInStore: true });
    const { token } = await newSession(manager, { user: 1 });
    expect(memory.find(token)).toBeUndefined();
    expect(memory.find(hashToken(token))).toBeDefined();
    expect((await manager.load(token)).get('user')).toBe(1);
  });

  it('iterate hands out sessions whose destroy, renew and put work (no double hashing)', async () => {
    const { manager, memory } = setup({ hashTokenInStore: true });
    const a = await newSession(manager, { user: 1 });
    const b = await newSession(manager, { user: 2 });
    const c = await newSession(manager, { user: 3 });
    await manager.iterate(async (session) => {
      expect(session.token).toBe(''); // only sha256(token) is known: the token itself is never exposed
      if (session.get('user') === 1) await session.destroy();
      if (session.get('user') === 2) session.put('flag', 'set');
      if (session.get('user') === 3) await session.renewToken();
    });
    expect((await manager.load(a.token)).token).toBe('');
    expect((await manager.load(b.token)).get('flag')).toBe('set');
    expect((await manager.load(c.token)).token).toBe('');
    expect(memory.size).toBe(2);
  });
});

describe('iterate', () => {
  it('visits every live session; changes are committed and destroy deletes', async () => {
    const { manager, memory } = setup();
    const tokens = await Promise.all([1, 2, 3, 4].map((user) => newSession(manager, { user })));
    const seen: number[] = [];
    await manager.iterate(async (session) => {
      const user = session.getNumber('user');
      seen.push(user);
      if (user === 4) await session.destroy();
      if (user === 2) session.put('admin', true);
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
    expect((await manager.load(tokens[3]!.token)).token).toBe('');
    expect((await manager.load(tokens[1]!.token)).get('admin')).toBe(true);
    expect(memory.size).toBe(3);
  });

  it('skips undecodable entries and reports them', async () => {
    const { manager, memory, errors } = setup();
    await newSession(manager, { user: 1 });
    memory.commit('b'.repeat(43), Uint8Array.of(0xc1), Date.now() + HOUR);
    let visited = 0;
    await manager.iterate(() => {
      visited++;
    });
    expect(visited).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('fails clearly when the store cannot list sessions', async () => {
    const memory = new MemoryStore({ sweepInterval: 0 });
    const manager = new SessionManager({
      store: { find: (t) => memory.find(t), commit: (t, d, e) => memory.commit(t, d, e), delete: (t) => memory.delete(t) },
    });
    await expect(manager.iterate(() => undefined)).rejects.toThrow(/sessionkit: iterate: the store does not offer all\(\)/);
  });

  it('stops and rejects when the callback throws', async () => {
    const { manager } = setup();
    await newSession(manager);
    await expect(
      manager.iterate(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});

describe('codecs through the manager', () => {
  it('works with jsonCodec', async () => {
    const { manager } = setup({ codec: jsonCodec });
    const { token } = await newSession(manager, { user: 'x', list: [1, 2] });
    const session = await manager.load(token);
    expect(session.get('user')).toBe('x');
    expect(session.get('list')).toEqual([1, 2]);
  });
});

describe('options', () => {
  it('reject nonsense with a TypeError naming the option', () => {
    const bad: Array<[SessionOptions, RegExp]> = [
      [{ lifetime: 0 }, /option lifetime/],
      [{ lifetime: -1 }, /option lifetime/],
      [{ lifetime: Number.POSITIVE_INFINITY }, /option lifetime/],
      [{ lifetime: '1h' as unknown as number }, /option lifetime/],
      [{ idleTimeout: -5 }, /option idleTimeout/],
      [{ idleTimeout: Number.NaN }, /option idleTimeout/],
      [{ store: {} as never }, /option store/],
      [{ codec: { name: 'x' } as never }, /option codec/],
      [{ hashTokenInStore: 'yes' as never }, /option hashTokenInStore/],
      [{ onError: 'log' as never }, /option onError/],
      [{ cookie: { sameSite: 'none' } }, /option cookie\.sameSite/],
    ];
    for (const [options, message] of bad) {
      expect(() => new SessionManager(options)).toThrow(TypeError);
      expect(() => new SessionManager(options)).toThrow(message);
    }
  });

  it('default to a MemoryStore, 24 h lifetime, no idle timeout, msgpack, cookie "session"', () => {
    const manager = new SessionManager();
    expect(manager.store).toBeInstanceOf(MemoryStore);
    expect(manager.lifetime).toBe(24 * HOUR);
    expect(manager.idleTimeout).toBe(0);
    expect(manager.codec.name).toBe('msgpack');
    expect(manager.cookie).toMatchObject({ name: 'session', path: '/', httpOnly: true, secure: false, sameSite: 'lax', persist: true });
  });

  it('tokenFromCookie accepts only token-shaped values of the configured cookie', () => {
    const manager = new SessionManager({ cookie: { name: 'sid' } });
    const token = 'a'.repeat(43);
    expect(manager.tokenFromCookie(`x=1; sid=${token}`)).toBe(token);
    expect(manager.tokenFromCookie(`session=${token}`)).toBeUndefined();
    expect(manager.tokenFromCookie('sid=short')).toBeUndefined();
    expect(manager.tokenFromCookie(`sid=${'a'.repeat(10_000)}`)).toBeUndefined();
  });
});

describe('decode cache', () => {
  it('skips decoding on the request after a synchronous commit, and a later write does not leak into it', async () => {
    const memory = new MemoryStore({ sweepInterval: 0 });
    const decode = vi.fn(jsonCodec.decode);
    const manager = new SessionManager({ store: memory, codec: { ...jsonCodec, decode } });
    const session = await manager.load();
    session.put('n', 1);
    const { token } = await manager.commit(session);
    session.put('n', 2); // after the commit, not saved
    const next = await manager.load(token);
    expect(decode).not.toHaveBeenCalled();
    expect(next.get('n')).toBe(1);
    next.put('n', 3);
    expect((await manager.load(token)).get('n')).toBe(1);
  });
});
