// listSessions of a user with many sessions: bounded by a limit, and the event loop keeps running while they are read.
import { describe, expect, it } from 'vitest';
import { MemoryStore, SessionManager } from '../../src/index.js';

/** `count` sessions of `userId`, committed straight to the store in one go (as many devices over time). */
async function manySessions(manager: SessionManager, userId: string, count: number): Promise<void> {
  const sessions = await Promise.all(Array.from({ length: count }, () => manager.load()));
  for (const session of sessions) {
    session.put('n', 1);
    await session.login(userId);
    await manager.commit(session);
  }
}

describe('listSessions bounds', () => {
  const manager = new SessionManager({ store: new MemoryStore({ sweepInterval: 0 }) });

  it('lists at most 1000 sessions by default, and at most `limit` when given: the newest', async () => {
    await manySessions(manager, 'ada', 1100);
    const all = await manager.listSessions('ada', { limit: 5000 });
    expect(all).toHaveLength(1100);
    expect(await manager.listSessions('ada')).toHaveLength(1000);
    const three = await manager.listSessions('ada', { limit: 3 });
    expect(three.map((entry) => entry.handle)).toEqual(all.slice(0, 3).map((entry) => entry.handle));
  });

  it('keeps the event loop running while it reads a user with many sessions', async () => {
    let turns = 0;
    const tick = () => {
      turns++;
      if (turns < 1000) setImmediate(tick);
    };
    setImmediate(tick);
    const before = turns;
    await manager.listSessions('ada');
    // Reading 1,100 sessions took several turns of the event loop, not one uninterrupted run.
    expect(turns - before).toBeGreaterThanOrEqual(3);
  });

  it('rejects a limit that is not a whole number of 1 or more with a TypeError naming it', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN, '10' as unknown as number]) {
      await expect(manager.listSessions('ada', { limit })).rejects.toThrow(
        new TypeError('sessionkit: sessions.listSessions() option limit must be a whole number of 1 or more'),
      );
    }
  });
});
