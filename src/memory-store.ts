// MemoryStore: the default store, a bounded LRU of copied bytes with lazy expiry and an unref'd sweep.
import { optionError } from './errors.js';
import type { Store } from './store.js';

export interface MemoryStoreOptions {
  /** Most sessions kept; the least recently used is evicted past it. Default 100 000. */
  maxEntries?: number;
  /** How often expired entries are swept, ms; 0 turns the sweep off (expiry is still checked on read). Default 60 000. */
  sweepInterval?: number;
}

interface Entry {
  data: Uint8Array;
  expiresAt: number;
  /** The store's clock when the entry last moved to the young end. */
  stamp: number;
}

/**
 * In-process sessions: nothing survives a restart and nothing is shared between processes.
 * Reads and writes are synchronous. Bounded by `maxEntries`, so memory can never grow without
 * bound; when full, the least recently used session is dropped (its user is logged out).
 */
export class MemoryStore implements Store {
  readonly stableBytes = true;
  readonly maxEntries: number;
  private readonly entries = new Map<string, Entry>();
  /** Counts moves to the young end; an entry older than half the capacity is moved on its next hit. */
  private clock = 0;
  private readonly half: number;
  private timer: NodeJS.Timeout | undefined;

  constructor({ maxEntries = 100_000, sweepInterval = 60_000 }: MemoryStoreOptions = {}) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw optionError('maxEntries', 'must be a whole number, 1 or more', maxEntries);
    if (typeof sweepInterval !== 'number' || !Number.isFinite(sweepInterval) || sweepInterval < 0) {
      throw optionError('sweepInterval', 'must be a finite number of ms, 0 or more (0 = off)', sweepInterval);
    }
    this.maxEntries = maxEntries;
    this.half = Math.max(1, maxEntries >> 1);
    if (sweepInterval > 0) {
      this.timer = setInterval(() => this.sweep(), sweepInterval);
      this.timer.unref();
    }
  }

  /** Number of entries held, expired ones not yet swept included. */
  get size(): number {
    return this.entries.size;
  }

  find(token: string): Uint8Array | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    this.refresh(token, entry);
    return entry.data;
  }

  commit(token: string, data: Uint8Array, expiresAt: number): void {
    if (!(expiresAt > Date.now())) {
      this.entries.delete(token);
      return;
    }
    const entry = this.entries.get(token);
    if (entry !== undefined) {
      entry.data = data.slice();
      entry.expiresAt = expiresAt;
      this.refresh(token, entry);
      return;
    }
    this.entries.set(token, { data: data.slice(), expiresAt, stamp: ++this.clock });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  touch(token: string, expiresAt: number): void {
    const entry = this.entries.get(token);
    if (entry === undefined) return;
    if (expiresAt > Date.now()) entry.expiresAt = expiresAt;
    else this.entries.delete(token);
  }

  async *all(): AsyncIterable<[token: string, data: Uint8Array]> {
    // A snapshot: the caller may commit or delete while iterating, which reorders the Map.
    const snapshot = [...this.entries];
    for (const [token, entry] of snapshot) {
      if (entry.expiresAt > Date.now() && this.entries.get(token) === entry) yield [token, entry.data];
    }
  }

  /**
   * Moves an entry to the young end of the Map's insertion order (the LRU order), but only once it
   * has drifted into the older half: re-inserting a key on every hit leaves a deleted slot in its
   * hash chain each time until V8 rehashes, and lookups of a hot key slow down with the chain.
   * An entry used within the last `maxEntries / 2` moves is therefore never the one evicted.
   */
  private refresh(token: string, entry: Entry): void {
    if (this.clock - entry.stamp < this.half) return;
    this.entries.delete(token);
    entry.stamp = ++this.clock;
    this.entries.set(token, entry);
  }

  /** Deletes every expired entry now. */
  sweep(): void {
    const now = Date.now();
    for (const [token, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(token);
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
