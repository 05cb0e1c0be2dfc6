// The stores the adapter tests run with: MemoryStore itself (stable bytes, the default path) and a slow asynchronous store.
import { MemoryStore } from '../../../src/index.js';
import type { Store } from '../../../src/store.js';

type Method = 'find' | 'commit' | 'delete' | 'touch';

/** What the adapter tests ask of a store: call counts, failure injection, and the MemoryStore behind it. */
export interface TestStore extends Store {
  readonly calls: Record<Method, number>;
  /** When set, every call fails with this error (thrown when synchronous, rejected when not). */
  failWith: Error | undefined;
  /** The MemoryStore that holds the data. */
  readonly inner: MemoryStore;
  /** Store writes so far: commits, deletes and touches. */
  writes(): number;
  /** Zeroes the call counts. */
  reset(): void;
  /** A promise for the next commit to land in the store. */
  nextCommit(): Promise<void>;
  /** A promise for the next find to be asked. */
  nextFind(): Promise<void>;
}

/**
 * MemoryStore itself, so the manager takes its default path (stable bytes: decode cache and
 * copy-on-write), with its calls counted and failures injected.
 */
export class CountedMemoryStore extends MemoryStore implements TestStore {
  readonly calls: Record<Method, number> = { find: 0, commit: 0, delete: 0, touch: 0 };
  failWith: Error | undefined;
  readonly #waiting: Record<'find' | 'commit', (() => void)[]> = { find: [], commit: [] };

  constructor() {
    super({ sweepInterval: 0 });
  }

  get inner(): MemoryStore {
    return this;
  }

  writes(): number {
    return this.calls.commit + this.calls.delete + this.calls.touch;
  }

  reset(): void {
    this.calls.find = this.calls.commit = this.calls.delete = this.calls.touch = 0;
  }

  nextCommit(): Promise<void> {
    return new Promise((resolve) => this.#waiting.commit.push(resolve));
  }

  nextFind(): Promise<void> {
    return new Promise((resolve) => this.#waiting.find.push(resolve));
  }

  /** Counts a call, tells whoever waits for a find, and throws `failWith` when set. */
  probe(method: Method): void {
    this.calls[method]++;
    if (method === 'find') for (const asked of this.#waiting.find.splice(0)) asked();
    if (this.failWith !== undefined) throw this.failWith;
  }

  /** Tells whoever waits for a commit that one landed. */
  landed(): void {
    for (const waiting of this.#waiting.commit.splice(0)) waiting();
  }

  override find(token: string): Uint8Array | undefined {
    this.probe('find');
    return super.find(token);
  }

  override commit(token: string, data: Uint8Array, expiresAt: number): void {
    this.probe('commit');
    super.commit(token, data, expiresAt);
    this.landed();
  }

  override delete(token: string): void {
    this.probe('delete');
    super.delete(token);
  }

  override touch(token: string, expiresAt: number): void {
    this.probe('touch');
    super.touch(token, expiresAt);
  }
}

const plain = MemoryStore.prototype;

/**
 * A store that answers after `delay` ms (0: synchronously), like a networked store: no stable
 * bytes, every answer a promise. Calls are counted (and fail) when asked, in its CountedMemoryStore.
 */
export class SlowStore implements TestStore {
  readonly inner = new CountedMemoryStore();
  /** Delay in ms before each answer; 0 answers synchronously. */
  delay: number;

  constructor({ delay = 0 }: { delay?: number } = {}) {
    this.delay = delay;
  }

  get calls(): Record<Method, number> {
    return this.inner.calls;
  }

  get failWith(): Error | undefined {
    return this.inner.failWith;
  }

  set failWith(error: Error | undefined) {
    this.inner.failWith = error;
  }

  writes(): number {
    return this.inner.writes();
  }

  reset(): void {
    this.inner.reset();
  }

  nextCommit(): Promise<void> {
    return this.inner.nextCommit();
  }

  nextFind(): Promise<void> {
    return this.inner.nextFind();
  }

  /** Counts the call now; answers (or fails) now when `delay` is 0, else after it. */
  #later<T>(method: Method, call: () => T): T | Promise<T> {
    if (this.delay === 0) {
      this.inner.probe(method);
      return call();
    }
    let failure: unknown;
    try {
      this.inner.probe(method);
    } catch (error) {
      failure = error;
    }
    return new Promise<T>((resolve, reject) => {
      setTimeout(() => (failure !== undefined ? reject(failure) : resolve(call())), this.delay);
    });
  }

  find(token: string) {
    return this.#later('find', () => plain.find.call(this.inner, token));
  }

  commit(token: string, data: Uint8Array, expiresAt: number) {
    const copy = data.slice();
    return this.#later('commit', () => {
      plain.commit.call(this.inner, token, copy, expiresAt);
      this.inner.landed();
    });
  }

  delete(token: string) {
    return this.#later('delete', () => plain.delete.call(this.inner, token));
  }

  touch(token: string, expiresAt: number) {
    return this.#later('touch', () => plain.touch.call(this.inner, token, expiresAt));
  }

  all() {
    return this.inner.all();
  }
}

/** The store kinds every shared adapter test runs with. */
export type StoreKind = 'MemoryStore' | 'slow async store';
export const storeKinds: StoreKind[] = ['MemoryStore', 'slow async store'];

/** A fresh store of that kind. */
export function makeStore(kind: StoreKind): TestStore {
  return kind === 'MemoryStore' ? new CountedMemoryStore() : new SlowStore({ delay: 5 });
}
