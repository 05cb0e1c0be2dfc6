// Checks that a SessionManager over the store publishes each lifecycle event exactly once per occurrence, and never a token or a value.
import { expect } from 'vitest';
import { SessionManager } from '../manager.js';
import { reportsOwnExpiry, storeNameOf } from '../events-publish.js';
import { canCommitIf, canFindByOwner, type Store } from '../store.js';
import { type Check, group } from './check.js';
import { EventRecorder, findSecrets } from './event-recorder.js';
import { owner, sleep, sleepUntil } from './helpers.js';

/** A value no payload may ever contain. */
const SECRET_VALUE = 'value-that-must-never-be-published-7f3a';

/** Runs `body` with a recorder subscribed, then checks no payload holds a secret it returns. */
async function recording(body: (recorder: EventRecorder) => Promise<string[]>): Promise<EventRecorder> {
  const recorder = new EventRecorder();
  try {
    const secrets = await body(recorder);
    expect(findSecrets(recorder.events, [...secrets, SECRET_VALUE])).toEqual([]);
    return recorder;
  } finally {
    recorder.stop();
  }
}

/** Every start of a tracing channel has its end, and its asyncEnd when it went async. */
function expectTracesClosed(recorder: EventRecorder, trace: 'load' | 'commit'): void {
  const starts = recorder.of(`${trace}.start`).length;
  const ends = recorder.of(`${trace}.end`);
  expect(starts).toBeGreaterThan(0);
  expect(ends.length).toBe(starts);
  expect(recorder.of(`${trace}.asyncEnd`).length).toBe(ends.filter((context) => context.async === true).length);
}

function countOf(recorder: EventRecorder, channel: string, handle: string): number {
  return recorder.of(channel, handle).length;
}

/** The `events` group: lifecycle and tracing channels through a SessionManager over the store. */
export const eventChecks: Check[] = group('events', [
  {
    name: 'a session published created, login, renewed and destroyed once each, with its handle and no token or value',
    async run(store) {
      const sessions = new SessionManager({ store });
      let handle = '';
      const recorder = await recording(async () => {
        const tokens: string[] = [];
        const first = await sessions.load();
        first.put('secret', SECRET_VALUE);
        tokens.push((await sessions.commit(first)).token);
        handle = first.handle;
        const loggingIn = await sessions.load(tokens[0]);
        await loggingIn.login(owner());
        tokens.push((await sessions.commit(loggingIn)).token);
        const renewing = await sessions.load(tokens[1]);
        await renewing.renewToken();
        tokens.push((await sessions.commit(renewing)).token);
        const ending = await sessions.load(tokens[2]);
        await ending.destroy();
        for (const token of tokens) expect((await sessions.load(token)).token).toBe('');
        return tokens;
      });
      expect(handle).not.toBe('');
      const name = storeNameOf(store);
      expect(recorder.of('created', handle)).toEqual([{ store: name, handle, userId: undefined }]);
      expect(countOf(recorder, 'login', handle)).toBe(1);
      expect(recorder.of('login', handle)[0]!.userId).toMatch(/^user-/);
      expect(countOf(recorder, 'renewed', handle)).toBe(1);
      expect(recorder.of('destroyed', handle)).toEqual([expect.objectContaining({ store: name, reason: 'app' })]);
      expect(recorder.of('expired')).toEqual([]);
      expectTracesClosed(recorder, 'load');
      expectTracesClosed(recorder, 'commit');
      expect(recorder.of('commit.end', handle).length + recorder.of('commit.asyncEnd', handle).length).toBeGreaterThanOrEqual(3);
    },
  },
  {
    name: 'destroySession, destroySessions and maxSessionsPerUser published destroyed once per session, with reason user or limit',
    async run(store, context) {
      if (!canFindByOwner(store)) return context.skip(`${context.name} has no findByOwner()`);
      const sessions = new SessionManager({ store, maxSessionsPerUser: 2 });
      const user = owner();
      const handles: string[] = [];
      const recorder = await recording(async () => {
        const tokens: string[] = [];
        for (let i = 0; i < 4; i++) {
          await sleep(2); // distinct creation times: the limit keeps the newest
          const session = await sessions.load();
          await session.login(user);
          tokens.push((await sessions.commit(session)).token);
          handles.push(session.handle);
        }
        expect(await sessions.destroySession(user, handles[3]!)).toBe(true);
        expect(await sessions.destroySessions(user)).toBe(1);
        return tokens;
      });
      const reasons = handles.map((handle) => recorder.of('destroyed', handle).map((event) => event.reason));
      expect(reasons).toEqual([['limit'], ['limit'], ['user'], ['user']]);
      for (const handle of handles) expect(countOf(recorder, 'login', handle)).toBe(1);
    },
  },
  {
    name: 'a commit that merged with a concurrent one published merged once, with its rounds',
    async run(store, context) {
      if (!canCommitIf(store)) return context.skip(`${context.name} has no commitIf()`);
      const sessions = new SessionManager({ store });
      let handle = '';
      const recorder = await recording(async () => {
        const session = await sessions.load();
        session.put('n', 0);
        const { token } = await sessions.commit(session);
        handle = session.handle;
        const [a, b] = [await sessions.load(token), await sessions.load(token)];
        a.put('a', 1);
        await sessions.commit(a);
        b.put('b', 2);
        await sessions.commit(b);
        const merged = await sessions.load(token);
        expect([merged.get('a'), merged.get('b')]).toEqual([1, 2]);
        return [token];
      });
      const merged = recorder.of('merged', handle);
      expect(merged).toHaveLength(1);
      expect(merged[0]!.rounds).toBeGreaterThanOrEqual(2);
    },
  },
  {
    name: 'a session over maxSessionBytes published refused once and nothing else',
    async run(store) {
      const sessions = new SessionManager({ store, maxSessionBytes: 200 });
      const recorder = await recording(async () => {
        const session = await sessions.load();
        session.put('big', SECRET_VALUE.repeat(10));
        await expect(sessions.commit(session)).rejects.toThrow(/maxSessionBytes/);
        return [];
      });
      expect(recorder.of('refused')).toEqual([
        { store: storeNameOf(store), handle: expect.any(String), userId: undefined, reason: 'size', bytes: expect.any(Number) },
      ]);
      expect(recorder.of('created')).toEqual([]);
    },
  },
  {
    name: 'an expired session published expired at most once, and once by its load or sweep when the store reports expiry',
    timeout: 10_000,
    async run(store) {
      const sessions = new SessionManager({ store });
      let handle = '';
      const recorder = await recording(async () => {
        const session = await sessions.load();
        session.put('n', 1);
        const deadline = Date.now() + 300;
        session.setDeadline(deadline);
        const { token } = await sessions.commit(session);
        handle = session.handle;
        await sleepUntil(deadline + 20);
        expect((await sessions.load(token)).token).toBe('');
        expect((await sessions.load(token)).token).toBe('');
        const sweep = (store as Store & { sweep?: () => unknown }).sweep;
        if (typeof sweep === 'function') await sweep.call(store);
        return [token];
      });
      const expired = recorder.of('expired', handle);
      expect(expired.length).toBeLessThanOrEqual(1);
      if (reportsOwnExpiry(store)) expect(expired).toEqual([{ store: storeNameOf(store), handle, userId: undefined, source: 'store' }]);
    },
  },
]);
