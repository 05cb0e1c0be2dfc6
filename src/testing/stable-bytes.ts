// Checks of the stableBytes promise: the same bytes object while an entry is unchanged, a new one after every write; and of onDrop.
import { expect } from 'vitest';
import type { DropReason, Store } from '../store.js';
import { generateToken } from '../token.js';
import { group, type Check, type CheckContext } from './check.js';
import { bytes, later, plain } from './helpers.js';

/**
 * The manager caches decoded sessions by the object `find` returns when a store claims
 * `stableBytes`. A store that hands back the same object after a write (for instance by
 * overwriting its buffer in place) makes the manager serve the old session.
 */
function claimed(store: Store, context: CheckContext): void {
  if (store.stableBytes !== true) context.skip(`${context.name} does not claim stableBytes`);
}

/** stableBytes: checked only when the store claims it. */
export const stableBytesChecks: Check[] = group('stableBytes', [
  {
    name: 'find returns the same object while the entry is unchanged',
    async run(store, context) {
      claimed(store, context);
      const token = generateToken();
      await store.commit(token, bytes(1, 2, 3), later());
      const first = await store.find(token);
      expect(plain(first)).toEqual(bytes(1, 2, 3));
      expect(await store.find(token)).toBe(first);
      expect(await store.find(token)).toBe(first);
    },
  },
  {
    name: 'find returns a new object after every commit, and the old one keeps its bytes',
    async run(store, context) {
      claimed(store, context);
      const token = generateToken();
      await store.commit(token, bytes(1, 2, 3), later());
      const first = await store.find(token);
      await store.commit(token, bytes(4, 5, 6), later()); // same length: a buffer overwritten in place would fit
      const second = await store.find(token);
      expect(second).not.toBe(first);
      expect(plain(second)).toEqual(bytes(4, 5, 6));
      expect(plain(first)).toEqual(bytes(1, 2, 3));
      await store.commit(token, bytes(4, 5, 6), later()); // equal bytes: still a write, still a new object
      const third = await store.find(token);
      expect(third).not.toBe(second);
      await store.delete(token);
      await store.commit(token, bytes(4, 5, 6), later());
      expect(await store.find(token)).not.toBe(third);
      expect(plain(second)).toEqual(bytes(4, 5, 6));
    },
  },
  {
    name: 'find returns a new object after a commitIf, and the old one keeps its bytes',
    async run(store, context) {
      claimed(store, context);
      if (typeof store.commitIf !== 'function') context.skip(`${context.name} has no commitIf()`);
      const token = generateToken();
      await store.commit(token, bytes(7, 8, 9), later());
      const first = await store.find(token);
      expect(await store.commitIf!(token, first, bytes(9, 8, 7), later())).toBe(true);
      const second = await store.find(token);
      expect(second).not.toBe(first);
      expect(plain(second)).toEqual(bytes(9, 8, 7));
      expect(plain(first)).toEqual(bytes(7, 8, 9));
    },
  },
  {
    name: 'onDrop hears of the bytes a write replaced and the bytes a delete removed, until unregistered',
    async run(store, context) {
      claimed(store, context);
      if (typeof store.onDrop !== 'function') context.skip(`${context.name} has no onDrop()`);
      const token = generateToken();
      const heard: [string, Uint8Array, DropReason][] = [];
      const stop = store.onDrop!((key, data, reason) => {
        if (key === token) heard.push([key, data, reason]);
      });
      try {
        await store.commit(token, bytes(1, 2, 3), later());
        const first = await store.find(token);
        await store.commit(token, bytes(4, 5, 6), later());
        expect(heard).toHaveLength(1);
        expect(heard[0]![1]).toBe(first);
        expect(heard[0]![2]).toBe('replaced');
        const second = await store.find(token);
        await store.delete(token);
        expect(heard).toHaveLength(2);
        expect(heard[1]![1]).toBe(second);
        expect(heard[1]![2]).toBe('deleted');
        await store.commit(token, bytes(7), later());
        await store.find(token);
      } finally {
        stop();
      }
      await store.delete(token);
      expect(heard).toHaveLength(2);
    },
  },
]);
