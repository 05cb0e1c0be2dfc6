// A Store wrapper that counts calls and can be made slow or failing, for tests of what the manager asks of a store.
import type { Store } from '../../src/store.js';

export type StoreMethod = 'find' | 'commit' | 'delete' | 'touch' | 'all';

export class CountingStore implements Store {
  readonly calls: Record<StoreMethod, number> = { find: 0, commit: 0, delete: 0, touch: 0, all: 0 };
  /** When set, every call rejects with this error. */
  failWith: Error | undefined;
  /** When true, answers come back as promises (an async store). */
  async = false;

  constructor(readonly inner: Store) {}

  get stableBytes(): boolean | undefined {
    return this.inner.stableBytes;
  }

  writes(): number {
    return this.calls.commit + this.calls.delete + this.calls.touch;
  }

  private run<T>(method: StoreMethod, call: () => T): T | Promise<T> {
    this.calls[method]++;
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    return this.async ? Promise.resolve().then(call) : call();
  }

  find(token: string) {
    return this.run('find', () => this.inner.find(token)) as Uint8Array | undefined | Promise<Uint8Array | undefined>;
  }

  commit(token: string, data: Uint8Array, expiresAt: number) {
    return this.run('commit', () => this.inner.commit(token, data, expiresAt)) as void | Promise<void>;
  }

  delete(token: string) {
    return this.run('delete', () => this.inner.delete(token)) as void | Promise<void>;
  }

  touch(token: string, expiresAt: number) {
    return this.run('touch', () => this.inner.touch!(token, expiresAt)) as void | Promise<void>;
  }

  all() {
    this.calls.all++;
    return this.inner.all!();
  }

  close() {
    return this.inner.close?.();
  }
}
