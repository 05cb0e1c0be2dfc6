// A Store wrapper over any real store that offers exactly the inner store's capabilities, counts every call, records touch owners, and can run a hook before each conditional commit.
import type { OwnedEntry, Store } from '../../src/store.js';

export type SpiedMethod = 'find' | 'commit' | 'commitIf' | 'delete' | 'touch' | 'findByOwner' | 'all';

export interface SpyStore extends Store {
  readonly inner: Store;
  readonly calls: Record<SpiedMethod, number>;
  /** The owner argument of every touch, in order. */
  readonly touchOwners: (string | undefined)[];
  /** Runs before each commitIf reaches the inner store (to make another writer change the entry first). */
  beforeCommitIf: ((token: string, expected: Uint8Array | undefined) => void | Promise<void>) | undefined;
}

/**
 * Wraps `inner`; `without` leaves capabilities out (a third-party store without commitIf, say).
 * `all()` is counted, so a test can prove it is never called.
 */
export function spyStore(inner: Store, without: ('commitIf' | 'findByOwner' | 'touch' | 'all')[] = []): SpyStore {
  const calls: Record<SpiedMethod, number> = { find: 0, commit: 0, commitIf: 0, delete: 0, touch: 0, findByOwner: 0, all: 0 };
  const spy: SpyStore = {
    inner,
    calls,
    touchOwners: [],
    beforeCommitIf: undefined,
    get stableBytes() {
      return inner.stableBytes;
    },
    find(token) {
      calls.find++;
      return inner.find(token);
    },
    commit(token, data, expiresAt, owner) {
      calls.commit++;
      return inner.commit(token, data, expiresAt, owner);
    },
    delete(token) {
      calls.delete++;
      return inner.delete(token);
    },
    close() {
      return inner.close?.();
    },
  };
  const has = (name: 'commitIf' | 'findByOwner' | 'touch' | 'all') => typeof inner[name] === 'function' && !without.includes(name);
  if (has('commitIf')) {
    spy.commitIf = (token, expected, data, expiresAt, owner) => {
      calls.commitIf++;
      const hook = spy.beforeCommitIf?.(token, expected);
      if (hook instanceof Promise) return hook.then(() => inner.commitIf!(token, expected, data, expiresAt, owner));
      return inner.commitIf!(token, expected, data, expiresAt, owner);
    };
  }
  if (has('findByOwner')) {
    spy.findByOwner = (owner): OwnedEntry[] | Promise<OwnedEntry[]> => {
      calls.findByOwner++;
      return inner.findByOwner!(owner);
    };
  }
  if (has('touch')) {
    spy.touch = (token, expiresAt, owner) => {
      calls.touch++;
      spy.touchOwners.push(owner);
      return inner.touch!(token, expiresAt, owner);
    };
  }
  if (has('all')) {
    spy.all = () => {
      calls.all++;
      return inner.all!();
    };
  }
  return spy;
}
