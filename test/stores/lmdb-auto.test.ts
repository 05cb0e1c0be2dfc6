import { open } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../native-store/index.js';
import { membershipTimings } from '../../native-store/membership.js';
import { generateToken } from '../../src/token.js';
import { later } from '../support/time.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempPath = tempDirs('lmdb-auto');
const defaults = { ...membershipTimings };
afterEach(() => Object.assign(membershipTimings, defaults));

const text = (value: string) => new TextEncoder().encode(value);
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("LmdbStore shared: 'auto'", () => {
  it('reads alone on a path of its own', async () => {
    const store = new LmdbStore({ path: tempPath(), sweepInterval: 0, shared: 'auto' });
    const token = generateToken();
    await store.commit(token, text('mine'), later(HOUR));
    expect(store.find(token)).toEqual(text('mine'));
    expect(store.mode).toBe('alone');
    expect(store.find(token)).toBe(store.find(token)); // served from memory
    await store.close();
  });

  it('never serves a session after another store on the path revoked it, however often it reads meanwhile', { timeout: 30_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const path = tempPath();
      const alone = new LmdbStore({ path, sweepInterval: 0, shared: 'auto' });
      const token = generateToken();
      await alone.commit(token, text('v1'), later(HOUR));
      expect(alone.find(token)).toEqual(text('v1'));
      expect(alone.mode).toBe('alone');

      const newcomer = new LmdbStore({ path, sweepInterval: 0, shared: 'auto' });
      const started = Date.now();
      let revoked = false;
      const revoking = newcomer.delete(token).then(() => {
        revoked = true;
      });
      const servedAfterRevocation: number[] = [];
      while (!revoked) {
        alone.find(token);
        await sleep(1);
        if (revoked && alone.find(token) !== undefined) servedAfterRevocation.push(Date.now() - started);
      }
      await revoking;
      expect(servedAfterRevocation).toEqual([]);
      expect(alone.find(token)).toBeUndefined();
      expect(alone.mode).toBe('shared');
      // The newcomer joined a registered store: its first write waited for the hold.
      expect(Date.now() - started).toBeGreaterThanOrEqual(membershipTimings.hold - 5);
      await newcomer.close();
      await alone.close();
    }
  });

  it('sees that a store came, wrote and left between two of its reads', async () => {
    const path = tempPath();
    const alone = new LmdbStore({ path, sweepInterval: 0, shared: 'auto' });
    const token = generateToken();
    await alone.commit(token, text('v1'), later(HOUR));
    expect(alone.find(token)).toEqual(text('v1'));
    const visitor = new LmdbStore({ path, sweepInterval: 0, shared: 'auto' });
    await visitor.commit(token, text('v2'), later(HOUR));
    await visitor.close();
    expect(alone.find(token)).toEqual(text('v2'));
    expect(alone.mode).toBe('alone'); // the visitor left
    await alone.close();
  });

  it('reads alone again once the other store closes', async () => {
    const path = tempPath();
    const first = new LmdbStore({ path, sweepInterval: 0, shared: 'auto' });
    const second = new LmdbStore({ path, sweepInterval: 0, shared: 'auto' });
    const token = generateToken();
    await second.commit(token, text('v1'), later(HOUR));
    await sleep(membershipTimings.check + 10);
    expect(first.find(token)).toEqual(text('v1'));
    expect(first.mode).toBe('shared');
    await second.close();
    await sleep(membershipTimings.check + 10);
    expect(first.find(token)).toEqual(text('v1'));
    expect(first.mode).toBe('alone');
    await first.close();
  });

  it('deletes the entry of a store gone quiet, and then reads alone', { timeout: 10_000 }, async () => {
    Object.assign(membershipTimings, { heartbeat: 50, stale: 400 });
    const path = tempPath();
    const raw = open({ path, maxDbs: 12 });
    // A store that registered and died: its entry is never renewed.
    await raw.openDB('sessionkit:stores', {}).put('store:gone', { beat: Date.now(), holdUntil: 0 });
    const store = new LmdbStore({ path, sweepInterval: 0, shared: 'auto' });
    const token = generateToken();
    await store.commit(token, text('v1'), later(HOUR));
    store.find(token);
    expect(store.mode).toBe('shared');
    await sleep(membershipTimings.stale + 3 * membershipTimings.heartbeat + membershipTimings.check);
    store.find(token);
    expect(store.mode).toBe('alone');
    await store.close();
    await raw.close();
  });
});
