// A MemoryStore wrapper for adapter tests: counts calls, and can answer late (a slow store) or fail.
import { MemoryStore } from '../../../src/index.js';
import type { Store } from '../../../src/store.js';

type Method = 'find' | 'commit' | 'delete' | 'touch';

export class TestStore implements Store {
  readonly inner = new MemoryStore({ sweepInterval: 0 });
  readonly calls: Record<Method, number> = { find: 0, commit: 0, delete: 0, touch: 0 };
  /** Delay in ms before each answer; 0 answers synchronously. */
  delay = 0;
  /** When set, every call fails with this error. */
  failWith: Error | undefined;
  /** Resolves on each settled commit (for tests that wait for a detached commit). */
  committed: (() => void)[] = [];

  writes(): number {
    return this.calls.commit + this.calls.delete + this.calls.touch;
  }

  reset(): void {
    this.calls.find = this.calls.commit = this.calls.delete = this.calls.touch = 0;
  }

  private run<T>(method: Method, call: () => T): T | Promise<T> {
    this.calls[method]++;
    const fail = this.failWith;
    if (this.delay === 0) {
      if (fail !== undefined) throw fail;
      return call();
    }
    return new Promise<T>((resolve, reject) => {
      setTimeout(() => (fail !== undefined ? reject(fail) : resolve(call())), this.delay);
    });
  }

  find(token: string) {
    return this.run('find', () => this.inner.find(token));
  }

  commit(token: string, data: Uint8Array, expiresAt: number) {
    const copy = data.slice();
    return this.run('commit', () => {
      this.inner.commit(token, copy, expiresAt);
      for (const done of this.committed.splice(0)) done();
    });
  }

  delete(token: string) {
    return this.run('delete', () => this.inner.delete(token));
  }

  touch(token: string, expiresAt: number) {
    return this.run('touch', () => this.inner.touch(token, expiresAt));
  }

  all() {
    return this.inner.all();
  }

  /** A promise for the next commit to land in the store. */
  nextCommit(): Promise<void> {
    return new Promise((resolve) => this.committed.push(resolve));
  }
}
