// maxSessionsPerUser under overlapping logins: exactly the newest N logins of a user keep their sessions, whatever the interleaving.
import { describe, expect, it } from 'vitest';
import { MemoryStore, SessionManager, type Session } from '../../src/index.js';
import { TestStore } from '../support/store.js';
import { sleep } from '../support/time.js';

const STORES = [
  ['MemoryStore', () => new MemoryStore({ sweepInterval: 0 })],
  ['a networked store', () => new TestStore({ delay: 3, stableBytes: false })],
] as const;

/** `count` new sessions that log in as `userId` at once; resolves each one's commit result token ('' when its login was destroyed). */
async function concurrentLogins(manager: SessionManager, userId: string, count: number): Promise<{ sessions: Session[]; tokens: string[] }> {
  const sessions = await Promise.all(Array.from({ length: count }, () => manager.load()));
  sessions.forEach((session, i) => session.put('device', `d${i}`));
  const results = await Promise.all(
    sessions.map(async (session) => {
      await session.login(userId);
      return manager.commit(session);
    }),
  );
  return { sessions, tokens: results.map((result) => result.token) };
}

/** The tokens of `tokens` that still load the user's session. */
async function live(manager: SessionManager, tokens: string[]): Promise<string[]> {
  const loaded = await Promise.all(tokens.filter((token) => token !== '').map(async (token) => ({ token, session: await manager.load(token) })));
  return loaded.filter(({ session }) => session.userId !== undefined).map(({ token }) => token);
}

describe.each(STORES)('maxSessionsPerUser on %s', (_name, makeStore) => {
  it.each([
    [1, 2],
    [1, 10],
    [3, 30],
  ])('cap %i with %i concurrent logins leaves exactly that many sessions', async (cap, logins) => {
    const manager = new SessionManager({ store: makeStore(), maxSessionsPerUser: cap });
    const { tokens } = await concurrentLogins(manager, 'ada', logins);
    expect(await manager.listSessions('ada')).toHaveLength(cap);
    // Every login whose commit kept its token and whose session survived is one of them; no other session of ada loads.
    expect(await live(manager, tokens)).toHaveLength(cap);
  });

  it('the session logging in is never destroyed by the clean-up of its own login while it is among the newest N', async () => {
    const manager = new SessionManager({ store: makeStore(), maxSessionsPerUser: 2 });
    const older = await concurrentLogins(manager, 'ada', 3);
    await sleep(2);
    const newest = await manager.load();
    await newest.login('ada');
    const { token } = await manager.commit(newest);
    expect(token).not.toBe('');
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toContain(newest.handle);
    expect(await live(manager, [...older.tokens, token])).toHaveLength(2);
  });

  it("an older login whose write lands after a newer login's clean-up: its own clean-up destroys it, the newer one stays", async () => {
    const manager = new SessionManager({ store: makeStore(), maxSessionsPerUser: 1 });
    const older = await manager.load();
    const newer = await manager.load();
    await older.login('ada');
    await sleep(2);
    await newer.login('ada');
    // The newer login is written and lists ada's sessions before the older one's write lands.
    const newerResult = await manager.commit(newer);
    const olderResult = await manager.commit(older);
    expect(newerResult.token).not.toBe('');
    expect(olderResult.token).toBe('');
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toEqual([newer.handle]);
    expect((await manager.load(newerResult.token)).userId).toBe('ada');
  });

  it('ranks logins of the same millisecond by handle, not by creation, so every clean-up keeps the same one', async () => {
    const manager = new SessionManager({ store: makeStore(), maxSessionsPerUser: 1 });
    const created = async () => {
      const session = await manager.load();
      session.put('device', 'x');
      await manager.commit(session);
      await sleep(2);
      return session;
    };
    // Two sessions where the one created later has the larger handle (so creation order and handle order differ).
    let older = await created();
    let newer = await created();
    while (newer.handle < older.handle) [older, newer] = [newer, await created()];
    const now = Date.now;
    Date.now = () => now() + 60_000;
    try {
      await Promise.all([newer, older].map((session) => session.login('ada')));
    } finally {
      Date.now = now;
    }
    await Promise.all([newer, older].map((session) => manager.commit(session)));
    expect((await manager.listSessions('ada')).map((entry) => entry.handle)).toEqual([older.handle]);
  });

  it('a commit that is not a login destroys nothing, even for a user already over a lowered limit', async () => {
    const store = makeStore();
    const generous = new SessionManager({ store, maxSessionsPerUser: 3 });
    const { tokens } = await concurrentLogins(generous, 'ada', 3);
    const strict = new SessionManager({ store, maxSessionsPerUser: 1 });
    const session = await strict.load(tokens[0]);
    session.put('theme', 'dark');
    expect((await strict.commit(session)).token).toBe(tokens[0]);
    expect(await strict.listSessions('ada')).toHaveLength(3);
    // A login applies the lowered limit.
    await sleep(2);
    const again = await strict.load();
    await again.login('ada');
    await strict.commit(again);
    expect((await strict.listSessions('ada')).map((entry) => entry.handle)).toEqual([again.handle]);
  });
});
