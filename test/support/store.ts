// The store the tests count, slow down and break: a MemoryStore behind a wrapper that can answer late or fail.
import { MemoryStore } from '../../src/index.js';
import type { OwnedEntry, Store } from '../../src/store.js';

export type StoreMethod = 'find' | 'commit' | 'commitIf' | 'findByOwner' | 'delete' | 'touch' | 'all';

export interface TestStoreOptions {
  /** ms before each answer; 0 (the default) answers synchronously, as MemoryStore does. */
  delay?: number;
  /** Claim `stableBytes` (find hands out the MemoryStore's own objects), as MemoryStore does; default true. */
  stableBytes?: boolean;
}

/**
 * A MemoryStore with its calls counted, its answers optionally late (a networked store) and its
 * failures injected. With the defaults the manager takes MemoryStore's own path: synchronous
 * answers and stable bytes (the decode cache).
 */
export class TestStore implements Store {
  /** The MemoryStore that holds the data (no sweep timer). */
  readonly inner = new MemoryStore({ sweepInterval: 0 });
  readonly calls: Record<StoreMethod, number> = { find: 0, commit: 0, commitIf: 0, findByOwner: 0, delete: 0, touch: 0, all: 0 };
  readonly stableBytes: boolean;
  /** ms before each answer; 0 answers synchronously. */
  delay: number;
  /** When set, every call fails with this error: thrown when synchronous, rejected (after the delay) when not. */
  failWith: Error | undefined;
  /** The store's operation budget in ms, as a networked store's `timeout` option sets it (adapters bound onError by it); unset by default. */
  timeout: number | undefined;
  readonly #waiting: Record<'find' | 'commit', (() => void)[]> = { find: [], commit: [] };

  constructor({ delay = 0, stableBytes = true }: TestStoreOptions = {}) {
    this.delay = delay;
    this.stableBytes = stableBytes;
  }

  /** Store writes so far: commits, conditional commits, deletes and touches. */
  writes(): number {
    return this.calls.commit + this.calls.commitIf + this.calls.delete + this.calls.touch;
  }

  /** Zeroes the call counts. */
  reset(): void {
    for (const method of Object.keys(this.calls) as StoreMethod[]) this.calls[method] = 0;
  }

  /** A promise for the next commit to land in the store. */
  nextCommit(): Promise<void> {
    return new Promise((resolve) => this.#waiting.commit.push(resolve));
  }

  /** A promise for the next find to be asked. */
  nextFind(): Promise<void> {
    return new Promise((resolve) => this.#waiting.find.push(resolve));
  }

  find(token: string): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    return this.#call('find', () => this.inner.find(token));
  }

  commit(token: string, data: Uint8Array, expiresAt: number, owner?: string): void | Promise<void> {
    const copy = data.slice();
    return this.#call('commit', () => {
      this.inner.commit(token, copy, expiresAt, owner);
      this.#landed();
    });
  }

  commitIf(token: string, expected: Uint8Array | undefined, data: Uint8Array, expiresAt: number, owner?: string): boolean | Promise<boolean> {
    const [expectedCopy, copy] = [expected?.slice(), data.slice()];
    return this.#call('commitIf', () => {
      const written = this.inner.commitIf(token, expectedCopy, copy, expiresAt, owner);
      if (written) this.#landed();
      return written;
    });
  }

  findByOwner(owner: string): OwnedEntry[] | Promise<OwnedEntry[]> {
    return this.#call('findByOwner', () => this.inner.findByOwner(owner));
  }

  delete(token: string): void | Promise<void> {
    return this.#call('delete', () => this.inner.delete(token));
  }

  touch(token: string, expiresAt: number): boolean | Promise<boolean> {
    return this.#call('touch', () => this.inner.touch(token, expiresAt));
  }

  all(): AsyncIterable<[token: string, data: Uint8Array]> {
    this.calls.all++;
    return this.inner.all();
  }

  close(): void {
    this.inner.close();
  }

  /** Counts the call and tells whoever waits for a find; answers (or fails) now when `delay` is 0, else after it. */
  #call<T>(method: StoreMethod, call: () => T): T | Promise<T> {
    this.calls[method]++;
    if (method === 'find') for (const asked of this.#waiting.find.splice(0)) asked();
    const failure = this.failWith;
    if (this.delay === 0) {
      if (failure !== undefined) throw failure;
      return call();
    }
    return new Promise<T>((resolve, reject) => {
      setTimeout(() => {
        if (failure !== undefined) reject(failure);
        else {
          try {
            resolve(call());
          } catch (error) {
            reject(error);
          }
        }
      }, this.delay);
    });
  }

  #landed(): void {
    for (const waiting of this.#waiting.commit.splice(0)) waiting();
  }
}

/** The store kinds every shared adapter test runs with. */
export type StoreKind = 'MemoryStore' | 'slow async store';
export const storeKinds: StoreKind[] = ['MemoryStore', 'slow async store'];

/** A fresh store of that kind: MemoryStore's own path, or a networked store's (late answers, no stable bytes). */
export function makeStore(kind: StoreKind): TestStore {
  return kind === 'MemoryStore' ? new TestStore() : new TestStore({ delay: 5, stableBytes: false });
}

/** MemoryStore's own path when `delay` is undefined, else a store answering after `delay` ms (0: synchronously) without stable bytes. */
export function storeWithDelay(delay: number | undefined): TestStore {
  return delay === undefined ? new TestStore() : new TestStore({ delay, stableBytes: false });
}
