// A user's sessions on MemoryStore: login, userId and handle, listing, destroying one or all but one, and maxSessionsPerUser.
import { describe, expect, it } from 'vitest';
import { MemoryStore, SessionManager, SessionkitError, type Session, type SessionOptions } from '../../src/index.js';
import { spyStore } from '../support/spy-store.js';
import { sleep } from '../support/time.js';

interface Data {
  device: string;
  theme: string;
}

function setup(options: SessionOptions = {}) {
  const store = spyStore(new MemoryStore({ sweepInterval: 0 }));
  const manager = new SessionManager<Data>({ store, ...options });
  return { store, manager };
}

/** A session on `device` logged in as `userId` and committed; resolves the session. */
async function loggedIn(manager: SessionManager<Data>, userId: string | number, device: string): Promise<Session<Data>> {
  const session = await manager.load();
  session.put('device', device);
  await session.login(userId);
  await manager.commit(session);
  await sleep(2); // distinct creation times
  return session;
}

describe('session identity', () => {
  it('login(userId) binds the session, renews its token and keeps its handle and data', async () => {
    const { manager } = setup();
    const session = await manager.load();
    expect(session.handle).toBe('');
    expect(session.userId).toBeUndefined();
    session.put('device', 'laptop');
    const { token: before } = await manager.commit(session);
    const handle = session.handle;
    expect(handle).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(handle).not.toBe(before);
    expect(before.includes(handle)).toBe(false);

    await session.login(7);
    expect(session.userId).toBe('7');
    const { token: after } = await manager.commit(session);
    expect(after).not.toBe(before);
    expect((await manager.load(before)).keys()).toEqual([]);
    const reloaded = await manager.load(after);
    expect(reloaded.userId).toBe('7');
    expect(reloaded.handle).toBe(handle);
    expect(reloaded.get('device')).toBe('laptop');
    await reloaded.renewToken();
    await manager.commit(reloaded);
    expect(reloaded.handle).toBe(handle);
  });

  it('keeps its identity keys out of keys(), through clear(), and refuses to put or remove them', async () => {
    const { manager } = setup();
    const session = await manager.load();
    session.put('device', 'phone');
    await session.login('grace');
    session.rememberMe(true);
    await manager.commit(session);
    expect(session.keys()).toEqual(['device']);
    session.clear();
    expect(session.keys()).toEqual([]);
    expect(session.userId).toBe('grace');
    expect(session.handle).not.toBe('');
    expect(() => session.put('__userId' as never, 'mallory' as never)).toThrow(TypeError);
    expect(() => session.put('__handle' as never, 'x' as never)).toThrow(TypeError);
    expect(() => session.remove('__createdAt' as never)).toThrow(TypeError);
    expect(() => session.put('__loginAt' as never, 0 as never)).toThrow(TypeError);
  });

  it('refuses a user id that is empty, too long, not an integer or not a string', async () => {
    const { manager } = setup();
    const session = await manager.load();
    for (const bad of ['', 'x'.repeat(256), 1.5, Number.NaN, Number.POSITIVE_INFINITY, null, undefined, {}, '\uD800']) {
      await expect(session.login(bad as never)).rejects.toThrow(/^sessionkit: session\.login\(\) takes a user id/);
    }
    await expect(manager.listSessions('' as never)).rejects.toThrow(TypeError);
    await session.login('x'.repeat(255));
    expect(session.userId).toHaveLength(255);
  });

  it('refuses a user id with a control character (NUL included) up front, in login and in every lookup by user', async () => {
    const { manager } = setup();
    const session = await manager.load();
    session.put('device', 'laptop');
    for (const bad of ['a\u0000b', 'line\nbreak', 'tab\t', 'del\u007f', 'c1\u0085']) {
      await expect(session.login(bad)).rejects.toThrow(/^sessionkit: session\.login\(\) takes a user id: .*without control characters/);
      await expect(manager.listSessions(bad)).rejects.toThrow(TypeError);
      await expect(manager.destroySessions(bad)).rejects.toThrow(TypeError);
      await expect(manager.destroySession(bad, 'AAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow(TypeError);
    }
    expect(session.userId).toBeUndefined();
    await session.login('ünïcödé 😀 user');
    await manager.commit(session);
    expect((await manager.listSessions('ünïcödé 😀 user')).map((entry) => entry.data)).toEqual([{ device: 'laptop' }]);
  });
});

describe('listSessions', () => {
  it('lists the live sessions of a user, newest first, with handle, createdAt, expiresAt and data', async () => {
    const { manager } = setup();
    const start = Date.now();
    const laptop = await loggedIn(manager, 'ada', 'laptop');
    const phone = await loggedIn(manager, 'ada', 'phone');
    await loggedIn(manager, 'bob', 'tablet');
    const list = await manager.listSessions('ada');
    expect(list.map((entry) => entry.handle)).toEqual([phone.handle, laptop.handle]);
    expect(list.map((entry) => entry.data)).toEqual([{ device: 'phone' }, { device: 'laptop' }]);
    for (const entry of list) {
      expect(entry.createdAt).toBeGreaterThanOrEqual(start);
      expect(entry.createdAt).toBeLessThanOrEqual(Date.now());
      expect(entry.expiresAt).toBeGreaterThan(Date.now() + manager.lifetime - 60_000);
    }
    expect(list[0]!.createdAt).toBeGreaterThan(list[1]!.createdAt);
    expect(await manager.listSessions('nobody')).toEqual([]);
  });

  it('takes a number and its string as the same user', async () => {
    const { manager } = setup();
    const session = await loggedIn(manager, 42, 'laptop');
    expect((await manager.listSessions('42')).map((entry) => entry.handle)).toEqual([session.handle]);
    expect((await manager.listSessions(42)).map((entry) => entry.handle)).toEqual([session.handle]);
  });

  it('never lists an expired session, nor one that logged in as someone else since', async () => {
    const { manager } = setup();
    const brief = await manager.load();
    brief.setDeadline(Date.now() + 30);
    await brief.login('ada');
    brief.setDeadline(Date.now() + 30);
    await manager.commit(brief);
    const switched = await loggedIn(manager, 'ada', 'shared computer');
    await switched.login('bob');
    await manager.commit(switched);
    const kept = await loggedIn(manager, 'ada', 'laptop');
    await sleep(40);
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toEqual([kept.handle]);
    expect((await manager.listSessions('bob')).map((entry) => entry.handle)).toEqual([switched.handle]);
  });

  it('never calls all()', async () => {
    const { manager, store } = setup({ maxSessionsPerUser: 2 });
    const sessions = [];
    for (const device of ['a', 'b', 'c']) sessions.push(await loggedIn(manager, 'ada', device));
    await manager.listSessions('ada');
    await manager.destroySession('ada', sessions[2]!.handle);
    await manager.destroySessions('ada');
    expect(store.calls.findByOwner).toBeGreaterThan(0);
    expect(store.calls.all).toBe(0);
  });

  it('rejects with a clear SessionkitError on a store without findByOwner', async () => {
    const store = spyStore(new MemoryStore({ sweepInterval: 0 }), ['findByOwner']);
    const manager = new SessionManager({ store });
    const error = await manager.listSessions('ada').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionkitError);
    expect((error as Error).message).toBe("sessionkit: users: the store does not offer findByOwner(), so it cannot list or end a user's sessions");
    await expect(manager.destroySessions('ada')).rejects.toThrow(SessionkitError);
    expect(() => new SessionManager({ store, maxSessionsPerUser: 3 })).toThrow(/^sessionkit: option maxSessionsPerUser needs a store/);
  });
});

describe('destroySession and destroySessions', () => {
  it('destroySession ends one session by handle: its token loads nothing and its requests commit nothing', async () => {
    const { manager } = setup();
    const laptop = await loggedIn(manager, 'ada', 'laptop');
    const phone = await loggedIn(manager, 'ada', 'phone');
    const inFlight = await manager.load(phone.token);
    expect(await manager.destroySession('bob', phone.handle)).toBe(false);
    expect(await manager.destroySession('ada', 'no-such-handle')).toBe(false);
    expect(await manager.destroySession('ada', phone.handle)).toBe(true);
    expect(await manager.destroySession('ada', phone.handle)).toBe(false);
    inFlight.put('theme', 'dark');
    expect(await manager.commit(inFlight)).toEqual({ token: '', expiresAt: 0 });
    expect((await manager.load(phone.token)).keys()).toEqual([]);
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toEqual([laptop.handle]);
  });

  it("destroySessions ends all of a user's sessions, or all but one given as a Session or a handle", async () => {
    const { manager } = setup();
    const a = await loggedIn(manager, 'ada', 'a');
    const b = await loggedIn(manager, 'ada', 'b');
    await loggedIn(manager, 'ada', 'c');
    const other = await loggedIn(manager, 'bob', 'd');
    expect(await manager.destroySessions('ada', { except: b })).toBe(2);
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toEqual([b.handle]);
    expect((await manager.load(a.token)).keys()).toEqual([]);
    expect((await manager.load(b.token)).get('device')).toBe('b');

    await loggedIn(manager, 'ada', 'e');
    expect(await manager.destroySessions('ada', { except: b.handle })).toBe(1);
    expect(await manager.destroySessions('ada')).toBe(1);
    expect(await manager.listSessions('ada')).toEqual([]);
    expect((await manager.listSessions('bob')).map((entry) => entry.handle)).toEqual([other.handle]);
    await expect(manager.destroySessions('ada', { except: 42 as never })).rejects.toThrow(TypeError);
  });
});

describe('an owner index that returns records of another user', () => {
  /** A MemoryStore whose findByOwner also returns bob's entries, whatever the owner asked for (an append-only index may). */
  function leakyIndex() {
    const inner = new MemoryStore({ sweepInterval: 0 });
    const store = spyStore(inner);
    store.findByOwner = (owner) => [...inner.findByOwner(owner), ...(owner === 'bob' ? [] : inner.findByOwner('bob'))];
    return new SessionManager<Data>({ store });
  }

  it("listSessions, destroySession and destroySessions ignore them: alice's calls never list or destroy bob's session", async () => {
    const manager = leakyIndex();
    const alice = await loggedIn(manager, 'alice', 'a');
    const bob = await loggedIn(manager, 'bob', 'b');
    expect((await manager.listSessions('alice')).map((entry) => entry.handle)).toEqual([alice.handle]);
    expect(await manager.destroySession('alice', bob.handle)).toBe(false);
    expect(await manager.destroySessions('alice')).toBe(1);
    expect((await manager.load(bob.token)).get('device')).toBe('b');
    expect((await manager.listSessions('bob')).map((entry) => entry.handle)).toEqual([bob.handle]);
  });
});

describe('maxSessionsPerUser', () => {
  it('must be a whole number of 1 or more', () => {
    for (const bad of [0, -1, 1.5, '3', Number.NaN]) {
      expect(() => new SessionManager({ maxSessionsPerUser: bad as never })).toThrow(
        /^sessionkit: option maxSessionsPerUser must be a whole number, 1 or more/,
      );
    }
    expect(new SessionManager().maxSessionsPerUser).toBeUndefined();
    expect(new SessionManager({ maxSessionsPerUser: 2 }).maxSessionsPerUser).toBe(2);
  });

  it("on a login past the limit, destroys the sessions of that user's oldest logins, never the one logging in", async () => {
    const { manager } = setup({ maxSessionsPerUser: 2 });
    // The oldest session by creation, logging in last: it stays, the two others are oldest after it.
    const old = await manager.load();
    old.put('device', 'old');
    await manager.commit(old);
    await sleep(2);
    const a = await loggedIn(manager, 'ada', 'a');
    const b = await loggedIn(manager, 'ada', 'b');
    await loggedIn(manager, 'bob', 'x');
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toEqual([b.handle, a.handle]);
    await old.login('ada');
    await manager.commit(old);
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toEqual([b.handle, old.handle]);
    expect((await manager.load(a.token)).keys()).toEqual([]);
    // Ranked by login, not creation: b logged in before old did, so b goes.
    const c = await loggedIn(manager, 'ada', 'c');
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toEqual([c.handle, old.handle]);
    expect((await manager.load(b.token)).keys()).toEqual([]);
    expect(await manager.listSessions('bob')).toHaveLength(1);
  });

  it('applies through saveNow as adapters call it, and with hashTokenInStore', async () => {
    const { manager } = setup({ maxSessionsPerUser: 1, hashTokenInStore: true });
    const first = await loggedIn(manager, 'ada', 'a');
    const second = await manager.load();
    await second.login('ada');
    await manager.saveNow(second);
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toEqual([second.handle]);
    expect((await manager.load(first.token)).keys()).toEqual([]);
    expect(await manager.destroySession('ada', second.handle)).toBe(true);
    expect((await manager.load(second.token)).keys()).toEqual([]);
  });
});
