import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { LmdbStore } from '../../native-store/index.js';
import { generateToken } from '../../src/token.js';
import { later, sleep } from '../support/time.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempPath = tempDirs('lmdb-owners');

/** A root opened by the test, so tests can look at the store's databases directly. */
function openRoot() {
  const root = open({ path: tempPath() });
  const records = root.openDB<Uint8Array, string>('sessionkit:sessions', { encoding: 'binary' });
  const owners = root.openDB<string, string>('sessionkit:owners', { encoding: 'string', dupSort: true });
  return { root, records, ownedBy: (owner: string) => [...owners.getValues(owner)].sort() };
}

describe('LmdbStore owner index', () => {
  it('stays exact through overwrite, touch, delete, racing writes and the sweep', async () => {
    const { root, records, ownedBy } = openRoot();
    const store = new LmdbStore({ env: root, sweepInterval: 0 });
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1), later(), 'alice');
    expect(ownedBy('alice')).toEqual([token]);
    await store.commit(token, Uint8Array.of(2), later(), 'bob');
    expect([ownedBy('alice'), ownedBy('bob')]).toEqual([[], [token]]);
    await store.touch(token, later() + 1000);
    expect(ownedBy('bob')).toEqual([token]);
    expect(store.findByOwner('bob')).toEqual([{ key: token, data: Uint8Array.of(2), expiresAt: expect.any(Number) }]);
    await store.commit(token, Uint8Array.of(3), later());
    expect(ownedBy('bob')).toEqual([]);
    await store.commit(token, Uint8Array.of(4), later(), 'alice');
    await store.delete(token);
    expect(ownedBy('alice')).toEqual([]);
    // Same turn, same batch: the second commit must move the entry the first one wrote.
    await Promise.all([store.commit(token, Uint8Array.of(5), later(), 'alice'), store.commit(token, Uint8Array.of(6), later(), 'bob')]);
    expect([ownedBy('alice'), ownedBy('bob')]).toEqual([[], [token]]);
    await store.commit(token, Uint8Array.of(7), later(), 'carol');
    expect(await store.commitIf(token, Uint8Array.of(7), Uint8Array.of(8), later(), 'dave')).toBe(true);
    expect(await store.commitIf(token, Uint8Array.of(7), Uint8Array.of(9), later(), 'erin')).toBe(false);
    expect([ownedBy('carol'), ownedBy('dave'), ownedBy('erin')]).toEqual([[], [token], []]);

    const short = generateToken();
    await store.commit(short, Uint8Array.of(1), Date.now() + 30, 'dave');
    await sleep(60);
    expect(store.findByOwner('dave').map((entry) => entry.key)).toEqual([token]);
    expect(ownedBy('dave')).toEqual([short, token].sort()); // expired, not yet swept
    expect(await store.sweep()).toBe(1);
    expect(ownedBy('dave')).toEqual([token]);
    expect(records.getBinary(short)).toBeUndefined();
    await store.close();
    await root.close();
  });

  it('keeps the owner in the record, after the session bytes', async () => {
    const { root, records } = openRoot();
    const store = new LmdbStore({ env: root, sweepInterval: 0 });
    const token = generateToken();
    await store.commit(token, Uint8Array.of(1, 2, 3), later(), 'ü-owner');
    const record = Uint8Array.from(records.getBinary(token)!);
    expect(record[3]).toBe(1);
    expect(new DataView(record.buffer).getUint32(4, true)).toBe(3);
    expect(record.subarray(24, 27)).toEqual(Uint8Array.of(1, 2, 3));
    expect(new TextDecoder().decode(record.subarray(27))).toBe('ü-owner');
    await store.commit(token, Uint8Array.of(1, 2, 3), later());
    expect(Uint8Array.from(records.getBinary(token)!)[3]).toBe(0); // no owner: the format from before owners
    await store.close();
    await root.close();
  });

  it('rejects a bad owner without writing or showing it', async () => {
    const store = new LmdbStore({ path: tempPath(), sweepInterval: 0 });
    const token = generateToken();
    await expect(store.commit(token, Uint8Array.of(1), later(), 'x'.repeat(256))).rejects.toThrow(/lmdb store: owner must be/);
    await expect(store.commitIf(token, undefined, Uint8Array.of(1), later(), '')).rejects.toThrow(TypeError);
    expect(store.find(token)).toBeUndefined();
    expect(() => store.findByOwner('x'.repeat(256))).toThrow(/lmdb store: owner must be/);
    expect(() => store.findByOwner('ada\u0000')).toThrow(TypeError);
    await store.close();
  });
});
